"""Readers never see the machinery: the text of every built document (briefs, one-pagers, the book, every
audience), and its metadata, holds no forbidden word and no line-number citation; notes name documents and
sections as a reader would cite them."""
from __future__ import annotations

import re
from pathlib import Path

import pypdf

from briefgen.config.project import load_project_config
from briefgen.content.claims import LINE_CITATION, forbidden_patterns

#: Besides briefgen.yaml's list: the tool's own words for its parts.
TOOL_WORDS = re.compile(r"(?<![\w-])(?:blocks?|seed-id|anchor)(?![\w-])", re.I)


def _text(pdf: Path) -> str:
    """Every page's text and the document's metadata, with words broken at line ends joined again."""
    reader = pypdf.PdfReader(pdf)
    meta = reader.metadata or {}
    text = "\n".join(page.extract_text() or "" for page in reader.pages)
    text += "\n" + "\n".join(str(meta.get(k, "")) for k in ("/Title", "/Subject", "/Keywords", "/Author"))
    return re.sub(r"[\u2010\u00ad-]\s*\n\s*", "", text)


def _problems(project: Path, pdfs: list[Path], out: Path) -> list[str]:
    cfg = load_project_config(project)
    found = []
    for pdf in pdfs:
        text = _text(pdf)
        for word, pattern in forbidden_patterns(cfg.forbidden_words):
            for m in pattern.finditer(text):
                found.append(f"{pdf.relative_to(out)}: {m.group(0)!r} in ...{text[max(0, m.start() - 40):m.end() + 40]!r}")
        for m in [*LINE_CITATION.finditer(text), *TOOL_WORDS.finditer(text)]:
            found.append(f"{pdf.relative_to(out)}: {m.group(0)!r} in ...{text[max(0, m.start() - 40):m.end() + 40]!r}")
    return found


def test_no_built_document_shows_the_machinery(small: Path, run, tmp_path: Path) -> None:
    """Build the two-block fixture for every audience (briefs, one-pagers, book); no PDF text or metadata has a
    forbidden word, a line-number citation or the tool's words; the notes name title and section."""
    out = tmp_path / "out"
    result = run(small, "-q", "build", "--audience", "all", "--out", str(out))
    assert result.exit_code == 0, result.output
    pdfs = sorted(p for p in out.rglob("*.pdf") if ".cache" not in p.parts)
    audiences = {p.relative_to(out).parts[0] for p in pdfs}
    assert audiences == {p.stem for p in (small / "audiences").glob("*.yaml")}
    assert {p.name for p in pdfs} >= {"nato.pdf", "free-riding.pdf", "book.pdf"}
    assert len(pdfs) == 5 * len(audiences)
    assert _problems(small, pdfs, out) == []
    brief = _text(out / "congress" / "briefs" / "nato.pdf")
    assert "Daniel Byman et al., Improving U.S. Cooperation with Allies and Partners (Center for Strategic and " \
           "International Studies, October 14, 2025)" in re.sub(r"\s+", " ", brief)
    assert "Further reading" in brief


def test_a_real_block_shows_no_machinery_in_any_audience(root: Path, run, tmp_path: Path) -> None:
    """The same over the real catalogue's Five Eyes brief and one-pager, for every audience."""
    out = tmp_path / "out"
    for kind in ("brief", "onepager"):
        result = run(root, kind, "five-eyes", "--audience", "all", "--out", str(out))
        assert result.exit_code == 0, result.output
    pdfs = sorted(out.rglob("*.pdf"))
    assert len(pdfs) == 2 * len(list((root / "audiences").glob("*.yaml")))
    assert _problems(root, pdfs, out) == []
