"""PDF and Word seeds, made here: a 12-page report rendered with WeasyPrint and a .docx written with python-docx."""
from __future__ import annotations

import hashlib
import re
import shutil
from pathlib import Path

import pytest
import yaml

from briefgen.content.model import SourceRef
from briefgen.project import Project
from briefgen.render.notes import Notes
from briefgen.seeds.registry import load_library

PLACES = ["Delhi", "Tokyo", "Canberra", "Manila", "Hanoi", "Jakarta", "Seoul", "Singapore"]
TOPICS = ["maritime domain awareness", "export licensing", "joint exercises", "defense procurement",
          "satellite data sharing", "port access", "co-production of munitions", "personnel exchanges"]


def _filler(section: int, count: int) -> str:
    """Varied paragraphs, so no body line repeats at the top or foot of a page."""
    out = []
    for j in range(count):
        place, topic = PLACES[(section + j) % 8], TOPICS[(section * 3 + j) % 8]
        out.append(
            f"<p>Officials in {place} reviewed {topic} during round {section}.{j} of the talks, and described the "
            f"interoperability of their forces as the measure that matters most to planners on both sides. "
            f"Negotiators spent weeks on the wording of annex {section * 10 + j}, because every clause about "
            f"{topic} binds ministries that have rarely worked together. Observers in {PLACES[(j + 3) % 8]} "
            f"noted that the counterintelligence requirements of section {j + 1} remain unsettled.</p>")
    return "".join(out)


REPORT_HTML = f"""<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>Allies Under Strain</title>
<meta name="author" content="Priya Raman">
<style>
@page {{ size: A5; margin: 2cm 1.8cm;
  @top-center {{ content: "Allies Under Strain \\2014 Example Institute"; font-size: 7pt }}
  @bottom-right {{ content: counter(page); font-size: 7pt }} }}
body {{ font-family: serif; font-size: 10pt; line-height: 1.35; hyphens: auto; text-align: justify }}
h1 {{ font-size: 20pt }} h2 {{ font-size: 14pt }} h3 {{ font-size: 11.5pt }}
.fn {{ float: footnote; font-size: 7pt }}
blockquote {{ margin-left: 2.5em; font-style: italic }}
table {{ border-collapse: collapse; margin: 1em 0 }} td, th {{ border: 1px solid #000; padding: 2pt 4pt }}
</style></head><body>
<h1>Allies Under Strain</h1>
<p>By Priya Raman and Tom Okafor | March 4, 2024</p>
<p>Washington and its partners are rebuilding the habits of cooperation in Asia. This report follows the
U.S.&#8211;India partnership and the obstacles it meets.<span class="fn">Based on interviews held in 2023.</span></p>
<h2>1. The U.S.&#8211;India Partnership</h2>
<p>The U.S.&#8211;India partnership has grown from a few exercises into a standing agenda of defense cooperation.
Trade in defense articles reached $20 billion by 2020, up from almost nothing in 2008.<span class="fn">Figures
from the 2021 joint statement.</span></p>
<ul><li>Joint patrols now cover 3 sea lanes in the Indian Ocean.</li>
<li>Liaison officers sit in each other's fleet headquarters.</li></ul>
<blockquote><p>&#8220;We do not want an alliance, we want a partnership of equals,&#8221; the minister said in Delhi.</p></blockquote>
{_filler(1, 9)}
<h2>2. Obstacles to Deeper Cooperation</h2>
<h3>Obstacle 1: Export Licensing Delays</h3>
<p>Licences for sensitive technology still take many months to approve. Some 40 percent of requests waited more
than a year in 2022.</p>
{_filler(2, 7)}
<h3>Obstacle 2: Free Riding and Buck-Passing</h3>
<p>Partners in the region spend less on defense than the United States would like. Several allies spend under
1.5 percent of GDP.</p>
{_filler(3, 7)}
<h2>3. NATO Partners in the Indo-Pacific</h2>
<p>NATO has opened formal dialogue with four Indo-Pacific partners. Their leaders have attended every summit
since 2022.</p>
{_filler(4, 6)}
<h2>4. Spending Compared</h2>
<table><tr><th>Member</th><th>Defense spending</th><th>Personnel</th></tr>
<tr><td>India</td><td>2.4 percent of GDP</td><td>1.4 million</td></tr>
<tr><td>Japan</td><td>1.2 percent of GDP</td><td>247,000</td></tr>
<tr><td>Australia</td><td>2.0 percent of GDP</td><td>59,000</td></tr></table>
{_filler(5, 7)}
<h2>5. Outlook</h2>
{_filler(6, 6)}
</body></html>"""


@pytest.fixture(scope="session")
def report_pdf(tmp_path_factory: pytest.TempPathFactory) -> bytes:
    """A 12-page text PDF with headings, a running header, page numbers, footnotes, a table and a quote."""
    import weasyprint

    return weasyprint.HTML(string=REPORT_HTML).write_pdf()


@pytest.fixture(scope="session")
def report_docx() -> bytes:
    """A Word report: Title and Heading styles, lists, a table, a footnote, a block quote, core properties."""
    import datetime as dt
    import io

    import docx
    from docx.opc.constants import RELATIONSHIP_TYPE as RT
    from docx.opc.packuri import PackURI
    from docx.opc.part import Part
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    d = docx.Document()
    d.core_properties.title = "The Quad at Work"
    d.core_properties.author = "Jane Analyst; John Doe"
    d.core_properties.created = dt.datetime(2024, 5, 2, 9, 0)
    d.add_paragraph("The Quad at Work", style="Title")
    d.add_paragraph("The Quad brings together Australia, India, Japan and the United States. It has no treaty.")
    d.add_heading("The U.S.-Japan Alliance", level=1)
    p = d.add_paragraph("The alliance hosts 54,000 U.S. troops in Japan. Host-nation support passed $1.8 billion.")
    run = p.add_run()
    ref = OxmlElement("w:footnoteReference")
    ref.set(qn("w:id"), "1")
    run._r.append(ref)
    d.add_paragraph("Joint command arrangements are being modernized.", style="List Bullet")
    d.add_paragraph("Missile defense radars share one picture.", style="List Bullet")
    d.add_paragraph("\u201cThe alliance has never been stronger,\u201d the ambassador told reporters.", style="Quote")
    d.add_heading("Challenges", level=1)
    d.add_heading("Obstacle 1: Slow Arms Transfers", level=2)
    d.add_paragraph("Foreign military sales take years to complete. One sale took 7 years.")
    table = d.add_table(rows=3, cols=2)
    for r, (a, b) in enumerate([("Member", "Troops hosted"), ("Japan", "54,000"), ("South Korea", "28,500")]):
        table.cell(r, 0).text, table.cell(r, 1).text = a, b
    w = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
    notes = (f'<w:footnotes xmlns:w="{w}"><w:footnote w:type="separator" w:id="-1"><w:p/></w:footnote>'
             f'<w:footnote w:type="continuationSeparator" w:id="0"><w:p/></w:footnote>'
             f'<w:footnote w:id="1"><w:p><w:r><w:t>Ministry of Defense figures, 2023.</w:t></w:r></w:p></w:footnote>'
             f'</w:footnotes>')
    part = Part(PackURI("/word/footnotes.xml"),
                "application/vnd.openxmlformats-officedocument.wordprocessingml.footnotes+xml",
                notes.encode("utf-8"), d.part.package)
    d.part.relate_to(part, RT.FOOTNOTES)
    out = io.BytesIO()
    d.save(out)
    return out.getvalue()


@pytest.fixture
def with_pdf(small: Path, report_pdf: bytes) -> Path:
    """The two-block project with the report in seeds/, registered and drafted."""
    (small / "seeds" / "allies-report.pdf").write_bytes(report_pdf)
    return small


def test_pdf_outline_pages_furniture_footnotes_and_table(with_pdf: Path, run) -> None:
    """Headings by type size, pages, no running header or page numbers, footnotes, a table, hyphenation undone."""
    result = run(with_pdf, "ingest", "--register", "seeds/allies-report.pdf")
    assert result.exit_code == 0, result.output
    seed = load_library(with_pdf).get("allies-report")
    outline = seed.outline
    assert max(outline.pages) >= 10
    titles = [(n.level, n.text) for n in outline.sections() if not n.attrs.get("pseudo")]
    assert titles[:3] == [(1, "Allies Under Strain"), (2, "1. The U.S.\u2013India Partnership"),
                          (2, "2. Obstacles to Deeper Cooperation")]
    assert (3, "Obstacle 1: Export Licensing Delays") in titles
    text = seed.text
    assert "Example Institute" not in text  # the running header
    assert not any(re.fullmatch(r"\d{1,2}", line) for line in text.splitlines())  # page numbers
    assert "interoperability" in text and not re.search(r"\w[-\u2010\u00ad] ?\n|\w\u2010 \w", text)
    assert text.count("Based on interviews") == 1  # the footnote left the body, gathered at the end
    notes = [n for n in outline.walk() if n.kind == "footnote"]
    assert [n.text for n in notes][:2] == ["Based on interviews held in 2023.", "Figures from the 2021 joint statement."]
    assert seed.passage("footnote-2").pages == (int(notes[1].attrs["page"]),) * 2
    table = outline.tables()[0]
    assert [r.text for r in table.children] == ["Member | Defense spending | Personnel",
                                                "India | 2.4 percent of GDP | 1.4 million",
                                                "Japan | 1.2 percent of GDP | 247,000",
                                                "Australia | 2.0 percent of GDP | 59,000"]
    assert seed.passage("table-1-row-3").text == "Japan | 1.2 percent of GDP | 247,000"
    notes = Notes(Project(with_pdf))
    notes.number(SourceRef(seed="allies-report", anchor="table-1-row-3"))
    where = notes.items[0].where
    assert re.fullmatch(r"Allies Under Strain \u203a table 1, row 3, p\. \d+", where), where
    entry = seed.info
    assert entry.title == "Allies Under Strain" and entry.authors == ["Priya Raman", "Tom Okafor"]
    assert entry.date == "2024-03-04" and entry.format == "pdf"
    assert entry.publisher == "Example Institute"  # from the running header, the title part left out
    assert "#p" in result.output and "[table]" in result.output and "[footnote]" in result.output


def test_pdf_quote_cited_by_page_verifies_and_notes_show_the_page(with_pdf: Path, run) -> None:
    """A quote cited as seed#pN and one inside a table cell verify; a wrong one fails naming the passage."""
    assert run(with_pdf, "ingest", "--register", "seeds/allies-report.pdf").exit_code == 0
    seed = load_library(with_pdf).get("allies-report")
    line = next(i for i, ln in enumerate(seed.lines, 1) if "partnership of equals" in ln)
    page = seed.outline.pages[line - 1]
    first = seed.outline.page_lines(page)[0]
    block = yaml.safe_load((with_pdf / "content" / "alliances" / "nato.yaml").read_text(encoding="utf-8"))
    block["quotes"] = [
        {"text": "We do not want an alliance, we want a partnership of equals", "cite": f"allies-report#p{page}"},
        {"text": "2.4 percent of GDP", "cite": "allies-report#table-1-row-2"},
        {"text": "the minister said in Delhi", "cite": f"allies-report#p{page}-L{line - first + 1}"},
    ]
    path = with_pdf / "content" / "alliances" / "nato.yaml"
    path.write_text(yaml.safe_dump(block, allow_unicode=True, sort_keys=False), encoding="utf-8")
    result = run(with_pdf, "check")
    assert result.exit_code == 0, result.output
    passage = seed.passage(f"p{page}")
    notes = Notes(Project(with_pdf))
    notes.number(SourceRef(seed="allies-report", anchor=f"p{page}"))
    assert notes.items[0].passage == passage
    assert re.fullmatch(rf"(.+, )?p\. {page}", notes.items[0].where), notes.items[0].where
    assert re.search(rf"\bp\. {page}\.$", str(notes.items[0].citation)), notes.items[0].citation
    # The reader sees the page in the notes (of an audience whose briefs show the quotes: a fragment is no pull quote).
    result = run(with_pdf, "brief", "nato", "--format", "html", "--audience", "allies")
    assert result.exit_code == 0, result.output
    html = next((with_pdf / "build").rglob("nato.html")).read_text(encoding="utf-8")
    html = re.sub(r'<span class="name">([^<]*)</span>', r"\1", html)
    assert re.search(rf"<cite>Allies Under Strain</cite> \(Example Institute, March 4, 2024\)(</span>)?, [^<]*\bp\. {page}\.</li>", html), \
        html[-3000:]
    block["quotes"][0]["cite"] = f"allies-report#p{page + 1}"
    block["sources"] = list(block.get("sources", [])) + ["allies-report#p99"]
    path.write_text(yaml.safe_dump(block, allow_unicode=True, sort_keys=False), encoding="utf-8")
    result = run(with_pdf, "check")
    assert result.exit_code == 1 and f"quote not found in allies-report#p{page + 1}" in result.output
    last = max(seed.outline.pages)
    assert "no passage 'p99' in seed allies-report" in result.output and f"pages p1 to p{last}" in result.output


def test_pdf_drafts_use_the_catalogue_and_verify_in_place(with_pdf: Path, run) -> None:
    """New drafts for a partnership and an obstacle, additions for NATO and free riding; all verify; -v says why."""
    result = run(with_pdf, "ingest", "--register", "--draft", "-v", "seeds/allies-report.pdf")
    assert result.exit_code == 0, result.output
    drafts = with_pdf / "content" / "drafts"
    partnership = yaml.safe_load((drafts / "alliances" / "us-india-partnership.yaml").read_text(encoding="utf-8"))
    assert partnership["summary"].startswith("The U.S.\u2013India partnership has grown")
    assert any("$20 billion" in p["text"] for p in partnership["why_it_matters"])
    assert all(re.fullmatch(r"allies-report#p\d+(-L\d+(-L\d+)?)?|allies-report#[a-z0-9-]+", p["cite"])
               for p in partnership["why_it_matters"])
    assert partnership["quotes"][0]["text"] == "We do not want an alliance, we want a partnership of equals"
    obstacle = yaml.safe_load((drafts / "obstacles" / "export-licensing-delays.yaml").read_text(encoding="utf-8"))
    assert obstacle["examples"][0]["figure"] == "40 percent"
    assert (drafts / "additions" / "free-riding-from-allies-report.yaml").is_file()
    assert (drafts / "additions" / "nato-from-allies-report.yaml").is_file()
    assert "sections without a draft:" in result.output and "#5-outlook 5. Outlook: its heading names no" \
        in result.output
    assert "By Priya" not in yaml.safe_dump(partnership)
    assert run(with_pdf, "check").exit_code == 0
    bad = drafts / "obstacles" / "export-licensing-delays.yaml"
    bad.write_text(bad.read_text(encoding="utf-8").replace("cite: allies-report#p", "cite: allies-report#p99", 1),
                   encoding="utf-8")
    result = run(with_pdf, "check")
    assert result.exit_code == 1 and "content/drafts/obstacles/export-licensing-delays.yaml:" in result.output


def test_scanned_pdf_and_identical_copy_are_refused(with_pdf: Path, run) -> None:
    """A PDF with no text layer is refused with an OCR hint; a byte-identical copy names the first."""
    import weasyprint

    blank = weasyprint.HTML(string="<div style='height:8cm;background:#000'></div>").write_pdf()
    (with_pdf / "seeds" / "scan.pdf").write_bytes(blank)
    result = run(with_pdf, "ingest", "seeds/scan.pdf")
    assert result.exit_code == 1
    assert "seeds/scan.pdf: error: the PDF has no text layer" in result.output and "OCR" in result.output
    assert run(with_pdf, "ingest", "--register", "seeds/allies-report.pdf").exit_code == 0
    shutil.copy(with_pdf / "seeds" / "allies-report.pdf", with_pdf / "seeds" / "copy.pdf")
    result = run(with_pdf, "ingest", "--register", "seeds/copy.pdf")
    assert result.exit_code == 1
    assert ("seeds/copy.pdf: error: byte-identical copy of seeds/allies-report.pdf (registered as seed "
            "'allies-report')") in result.output
    registry = (with_pdf / "seeds" / "sources.yaml").read_text(encoding="utf-8")
    assert "copy.pdf" not in registry
    digest = hashlib.sha256((with_pdf / "seeds" / "copy.pdf").read_bytes()).hexdigest()
    (with_pdf / "seeds" / "sources.yaml").write_text(
        registry + f"  - id: copy\n    file: copy.pdf\n    title: Copy\n    format: pdf\n    sha256: {digest}\n",
        encoding="utf-8")
    result = run(with_pdf, "check")
    assert result.exit_code == 1 and "is a byte-identical copy of seed 'allies-report'" in result.output


def test_docx_outline_drafts_and_verified_quote(small: Path, report_docx: bytes, run) -> None:
    """Styles give headings, lists and a quote; the table has row anchors; the footnote is read; drafts verify."""
    (small / "seeds" / "quad-at-work.docx").write_bytes(report_docx)
    result = run(small, "ingest", "--register", "--draft", "-v", "seeds/quad-at-work.docx")
    assert result.exit_code == 0, result.output
    seed = load_library(small).get("quad-at-work")
    info = seed.info
    assert (info.title, info.authors, info.date, info.format) == (
        "The Quad at Work", ["Jane Analyst", "John Doe"], "2024-05-02", "docx")
    o = seed.outline
    assert [(n.level, n.text) for n in o.sections() if not n.attrs.get("pseudo")] == [
        (1, "The Quad at Work"), (2, "The U.S.-Japan Alliance"), (2, "Challenges"),
        (3, "Obstacle 1: Slow Arms Transfers")]
    assert o.counts()["item"] == 2 and o.counts()["quote"] == 1
    assert seed.passage("table-1-row-3").text == "South Korea | 28,500"
    assert seed.passage("footnote-1").text == "Ministry of Defense figures, 2023."
    para = next(n for n in o.walk() if n.text.startswith("The alliance hosts"))
    assert para.attrs["footnotes"] == "1"
    drafts = small / "content" / "drafts"
    alliance = yaml.safe_load((drafts / "alliances" / "us-japan-alliance.yaml").read_text(encoding="utf-8"))
    assert alliance["summary"].startswith("The alliance hosts 54,000 U.S. troops")
    assert alliance["quotes"] == [{"text": "The alliance has never been stronger",
                                   "cite": alliance["quotes"][0]["cite"]}]
    assert {"Joint command arrangements are being modernized.", "Missile defense radars share one picture."} <= {
        p["text"] for p in alliance["why_it_matters"]}
    obstacle = yaml.safe_load((drafts / "obstacles" / "slow-arms-transfers.yaml").read_text(encoding="utf-8"))
    assert obstacle["examples"][0]["figure"] == "7 years" or "7" in obstacle["examples"][0]["figure"]
    assert "#challenges Challenges: it is about alliances or obstacles in general" in result.output
    assert run(small, "check").exit_code == 0


TWO_COLUMNS = """<html><head><style>@page { size: A4; margin: 2cm } body { font-family: serif; font-size: 10pt }
.cols { columns: 2; column-gap: 1.2cm } h1 { font-size: 20pt }</style></head><body>
<h1>Two Column Alliance Review</h1><div class="cols">
<p>First paragraph of the left column talks about the Quad and its maritime agenda, which has widened each year
since the leaders first met. It continues so that it wraps over several lines of the narrow column.</p>
<p>Second paragraph of the left column explains that the partners disagree about China, and that the
disagreement shapes every joint statement they publish.</p>
<p>Third paragraph still in the left column mentions that exercises have grown in number and size, with more
ships and aircraft taking part every season.</p>
<p>Fourth paragraph begins near the bottom of the left column and carries on into the right column, where the
sentence about interoperability finally ends with a full stop.</p>
<p>Fifth paragraph sits in the right column and closes the review with a note on funding.</p>
</div></body></html>"""


def test_two_column_pdf_is_read_column_by_column() -> None:
    """Each column is read top to bottom, the wide title first; a paragraph carried across columns is joined."""
    import weasyprint

    from briefgen.seeds.outline import read_binary

    text, outline = read_binary(weasyprint.HTML(string=TWO_COLUMNS).write_pdf(), "two", "pdf")
    lines = text.splitlines()
    assert lines[0] == "Two Column Alliance Review" and outline.title == lines[0]
    assert [ln.split()[0] for ln in lines[1:]] == ["First", "Second", "Third", "Fourth", "Fifth"]
    assert "grown in number and size, with more ships" in lines[3]
    assert lines[4].endswith("finally ends with a full stop.")


def test_first_line_indents_are_paragraphs_and_indented_blocks_are_quotes() -> None:
    """A paragraph indented only on its first line stays a paragraph; a block indented on every line is a quote."""
    import weasyprint

    from briefgen.seeds.outline import read_binary

    long = "words that run on long enough to wrap over two lines of this page at this size, " * 2
    html = (f"<body style='font-size:10pt'><h1>Indents</h1><p style='text-indent:2em;margin:0'>First {long}.</p>"
            f"<p style='text-indent:2em;margin:0'>Second {long}.</p><blockquote><p>Quoted {long}.</p></blockquote>"
            "<p>After.</p></body>")
    _, outline = read_binary(weasyprint.HTML(string=html).write_pdf(), "indent", "pdf")
    assert [(n.kind, n.text.split()[0]) for n in outline.walk()][1:] == [
        ("paragraph", "First"), ("paragraph", "Second"), ("quote", "Quoted"), ("paragraph", "After.")]


def test_page_anchor_spans_the_page_body_only(with_pdf: Path, run) -> None:
    """`p1` is the text of page 1, not its footnotes gathered at the end; `p1-L2` counts lines within the page."""
    assert run(with_pdf, "ingest", "--register", "seeds/allies-report.pdf").exit_code == 0
    seed = load_library(with_pdf).get("allies-report")
    page1 = seed.passage("p1")
    assert page1.start == 1 and page1.end < 10 and page1.pages == (1, 1)
    assert "Based on interviews" not in page1.text and page1.text.startswith("Allies Under Strain")
    assert seed.passage("p1-L2").text == "By Priya Raman and Tom Okafor | March 4, 2024"
    assert seed.passage("p1-L40") is None and seed.passage("p99") is None


def test_a_bullet_glyph_alone_on_its_line_opens_the_item_its_text_follows() -> None:
    """A bullet set apart from its text (as briefgen's own PDFs set some) opens an item; reading never fails on it."""
    import weasyprint

    from briefgen.seeds.outline import read_binary

    html = ("<body style='font-size:11pt'><h1>Bullets</h1><p>A paragraph before the list.</p>"
            "<div style='display:flex;gap:6pt'><span>\u2022</span>"
            "<span style='display:block;margin-top:14pt'>Set apart from its bullet.</span></div><p>After.</p></body>")
    text, outline = read_binary(weasyprint.HTML(string=html).write_pdf(), "bullets", "pdf")
    assert "Set apart from its bullet." in text.splitlines()
    assert "\u2022" not in text
