"""Seed readers do bounded work whatever the input: huge pages, ruled grids, zip bombs, deep nesting."""
from __future__ import annotations

import io
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from briefgen.seeds.outline import build_outline, read_binary

VISIBLE = "BT /F1 12 Tf 72 {y} Td (Line {i} of a report on allied cooperation in Europe and Asia.) Tj ET"


def _pdf(content: str, box: tuple[float, float, float, float] = (0, 0, 612, 792)) -> bytes:
    import pikepdf

    pdf = pikepdf.new()
    font = pdf.make_indirect(pikepdf.Dictionary(Type=pikepdf.Name.Font, Subtype=pikepdf.Name.Type1,
                                                BaseFont=pikepdf.Name.Helvetica))
    page = pikepdf.Dictionary(Type=pikepdf.Name.Page, MediaBox=list(box),
                              Resources=pikepdf.Dictionary(Font=pikepdf.Dictionary(F1=font)),
                              Contents=pdf.make_stream(content.encode()))
    pdf.pages.append(pikepdf.Page(page))
    out = io.BytesIO()
    pdf.save(out)
    return out.getvalue()


def _text(n: int = 8) -> str:
    return "\n".join("q " + VISIBLE.format(y=740 - 16 * i, i=i) + " Q" for i in range(n))


def _ingest(project: Path, name: str, data: bytes | str) -> subprocess.CompletedProcess:
    """`briefgen ingest seeds/NAME` in a child process (a runaway reader fails the test by its timeout)."""
    path = project / "seeds" / name
    path.write_bytes(data) if isinstance(data, bytes) else path.write_text(data)
    return subprocess.run([sys.executable, "-m", "briefgen", "--project", str(project), "ingest", f"seeds/{name}"],
                          capture_output=True, text=True, timeout=240)


@pytest.mark.parametrize("box", [(0, 0, 1e8, 792), (0, 0, 612, 1e8), (-1e7, 0, 612, 792)])
def test_a_page_beyond_the_pdf_size_limit_is_a_located_error(small: Path, box) -> None:
    done = _ingest(small, "wide.pdf", _pdf(_text(), box))
    assert done.returncode == 1, done.stdout + done.stderr
    assert "seeds/wide.pdf" in done.stderr and "beyond the PDF limit" in done.stderr


@pytest.mark.parametrize("rules", [150, 300])
def test_a_densely_ruled_page_is_read_as_text_without_the_table_finder(small: Path, rules: int) -> None:
    grid = " ".join(f"72 {100 + i * 2} m 540 {100 + i * 2} l S 0 0 m" for i in range(rules // 2)) + " " + \
        " ".join(f"{72 + i * 3} 100 m {72 + i * 3} 400 l S" for i in range(rules // 2))
    done = _ingest(small, "grid.pdf", _pdf(_text() + "\n" + grid))
    assert done.returncode == 0, done.stdout + done.stderr
    assert "allied cooperation" in done.stdout or "paragraph" in done.stdout


def _docx(paragraphs: int) -> bytes:
    import docx

    document = docx.Document()
    document.add_heading("Report", level=1)
    body = document.element.body
    template = document.add_paragraph("A paragraph of the report.")._p
    for _ in range(paragraphs):
        body.append(__import__("copy").deepcopy(template))
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def test_a_word_document_of_too_many_paragraphs_is_refused(small: Path) -> None:
    done = _ingest(small, "long.docx", _docx(60_000))
    assert done.returncode == 1, done.stdout + done.stderr
    assert "seeds/long.docx" in done.stderr and "paragraphs (at most 50,000)" in done.stderr


def test_a_word_zip_bomb_is_refused_before_it_is_inflated(small: Path) -> None:
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(_docx(1))) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            if info.filename != "docProps/app.xml":
                dst.writestr(info, src.read(info))
        with dst.open("docProps/app.xml", "w", force_zip64=True) as fh:
            chunk = b"\0" * (1 << 20)
            for _ in range(210):
                fh.write(chunk)
    done = _ingest(small, "bomb.docx", out.getvalue())
    assert done.returncode == 1, done.stdout + done.stderr
    assert "seeds/bomb.docx" in done.stderr and "would inflate to" in done.stderr


@pytest.mark.parametrize("tag", ["div", "span", "section"])
def test_html_nested_beyond_reason_is_a_located_error(small: Path, tag: str) -> None:
    page = "<html><body><article><p>word <object>" + f"<{tag}>x " * 48_000 + "</article></body></html>"
    done = _ingest(small, "deep.html", page)
    assert done.returncode == 1, done.stdout + done.stderr
    assert "seeds/deep.html" in done.stderr and "nested more than 1,000" in done.stderr


# -- fuzzing: any input ends in an outline or a ValueError (a located seed error), never anything else -------------

_FUZZ = settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
_TAGS = st.sampled_from(["<p>", "</p>", "<div>", "</div>", "<article>", "<h2>", "</h2>", "<ul>", "<li>", "<table>",
                         "<tr>", "<td>", "<p hidden>", "<span style='display:none'>", "<br>", "&amp;", "x ", "\n"])


@pytest.mark.slow
@_FUZZ
@given(st.lists(_TAGS, max_size=400))
def test_fuzz_html_reader(parts: list[str]) -> None:
    try:
        build_outline("".join(parts), "fuzz", "html")
    except ValueError:
        pass


@pytest.mark.slow
@_FUZZ
@given(st.text(alphabet=st.sampled_from(list("# -*>`[]()!\n\t\x0c\u2028abc123.")), max_size=2000))
def test_fuzz_markdown_and_text_readers(text: str) -> None:
    for fmt in ("markdown", "web-text"):
        try:
            build_outline(text, "fuzz", fmt)
        except ValueError:
            pass


@pytest.mark.slow
@_FUZZ
@given(st.lists(st.sampled_from(["q", "Q", "BT", "ET", "3 Tr", "0 Tr", "1 1 1 rg", "0 g", "/F1 12 Tf", "/F1 1 Tf",
                                 "72 700 Td", "-9000 0 Td", "(Allied text) Tj", "[(A) -200 (B)] TJ",
                                 "10 10 500 500 re f", "72 100 m 500 100 l S", "0.1 0 0 0.1 0 0 cm"]),
                max_size=80))
def test_fuzz_pdf_reader(ops: list[str]) -> None:
    try:
        read_binary(_pdf(_text(3) + "\n" + " ".join(ops)), "fuzz", "pdf")
    except ValueError:
        pass


@pytest.mark.slow
@_FUZZ
@given(st.binary(max_size=3000))
def test_fuzz_docx_reader_on_damaged_packages(noise: bytes) -> None:
    raw = bytearray(_docx(3))
    at = len(noise) % max(1, len(raw))
    raw[at:at + len(noise)] = noise
    try:
        read_binary(bytes(raw), "fuzz", "docx")
    except ValueError:
        pass
