"""Readers never see the machinery: the text of every built document (briefs, one-pagers, the book, every
audience), and its metadata, holds no forbidden word and no line-number citation; notes name documents and
sections as a reader would cite them."""
from __future__ import annotations

import re
import subprocess
from pathlib import Path

import pypdf
import pytest

from briefgen.config.project import load_project_config
from briefgen.content.claims import LINE_CITATION, forbidden_patterns

#: Besides briefgen.yaml's list: the tool's own words for its parts.
TOOL_WORDS = re.compile(r"(?<![\w-])(?:blocks?|seed-id|anchor)(?![\w-])", re.I)


def _text(pdf: Path) -> str:
    """Every page's text (poppler's pdftotext: a second extractor, and twenty times faster than pypdf's) and the
    document's metadata (pypdf), with words broken at line ends joined again."""
    meta = pypdf.PdfReader(pdf).metadata or {}
    text = subprocess.run(["pdftotext", "-q", "-enc", "UTF-8", str(pdf), "-"], capture_output=True, text=True,
                          check=True).stdout
    text += "\n" + "\n".join(str(meta.get(k, "")) for k in ("/Title", "/Subject", "/Keywords", "/Author"))
    return re.sub(r"[\u2010\u00ad-]\s*\n\s*", "", text)


def _problems(project: Path, pdfs: list[Path], out: Path) -> list[str]:
    cfg = load_project_config(project)
    found = []
    for pdf in pdfs:
        text = _text(pdf)
        patterns = [p for _, p in forbidden_patterns(cfg.forbidden_words)] + [LINE_CITATION, TOOL_WORDS]
        for m in (m for pattern in patterns for m in pattern.finditer(text)):
            found.append(f"{pdf.relative_to(out)}: {m.group(0)!r} in ...{text[max(0, m.start() - 40):m.end() + 40]!r}")
    return found


@pytest.mark.slow
def test_no_built_document_shows_the_machinery(small_other_audiences: Path) -> None:
    """The two-block fixture (NATO and free riding, as the catalogue has them) built for every audience but the
    default one, which the next test covers (the shared build): briefs, one-pagers and the book. No PDF text or
    metadata has a forbidden word, a line-number citation or the tool's words; the notes name title and section."""
    small, out = small_other_audiences / "project", small_other_audiences / "out"
    others = sorted(p.stem for p in (small / "audiences").glob("*.yaml")
                    if p.stem != load_project_config(small).default_audience)
    pdfs = sorted(p for p in out.rglob("*.pdf") if ".cache" not in p.parts)
    assert {p.relative_to(out).parts[0] for p in pdfs} == set(others) and len(others) >= 3
    assert len(pdfs) == 5 * len(others)  # two briefs, two one-pagers and the book each
    assert _problems(small, pdfs, out) == []
    brief = re.sub(r"\s+", " ", _text(out / others[0] / "briefs" / "nato.pdf"))
    assert ("Daniel Byman et al., Improving U.S. Cooperation with Allies and Partners (Center for Strategic and "
            "International Studies, October 14, 2025)") in brief
    # Uncited sources print as "Further reading" (a fit step may set them run in, never leave them out).
    assert "Further reading" in brief


def test_no_real_document_shows_the_machinery(root: Path, built: Path) -> None:
    """Every brief, one-pager and the book of the real catalogue, for the default audience (built once for the
    session), is free of forbidden words, line-number citations and the tool's words."""
    pdfs = sorted(p for p in built.rglob("*.pdf") if ".cache" not in p.parts)
    assert len(pdfs) >= 2 * len(list((root / "content" / "alliances").glob("*.yaml")))
    assert _problems(root, pdfs, built) == []


def test_summary_and_bottom_line_show_their_note_numbers(small: Path) -> None:
    """In every audience's brief and one-pager, the bottom line and the summary end with their note numbers."""
    from briefgen.project import Project
    from briefgen.render.context import render_html

    project = Project(small)
    for audience in project.audience_names():
        for kind in ("brief", "onepager"):
            html = render_html(project, "nato", kind, audience).html
            bottom = html.split('<section class="bottom-line"', 1)[1].split("</section>", 1)[0]
            assert '<sup class="note-ref">' in bottom, (audience, kind)
            if '<section class="summary"' in html:
                summary = html.split('<section class="summary"', 1)[1].split("</section>", 1)[0]
                assert re.search(r'<sup class="note-ref">.*</sup></p>', summary), (audience, kind)
