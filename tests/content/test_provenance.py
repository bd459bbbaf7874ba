"""Provenance: every quote is in its cited passage of the repaired seed; misses name file and line."""
from __future__ import annotations

import re
from pathlib import Path

from briefgen.content.model import SourceRef
from briefgen.content.provenance import closest, normalize
from briefgen.project import Project
from briefgen.render.notes import Notes

BLOCK = """id: provenance-probe
name: Provenance probe
domain: general
summary: A probe written by the tests.
quotes:
  - text: "{quote}"
    cite: {cite}
summary_cite: {cite}
"""


def _probe(project: Path, quote: str, cite: str) -> Path:
    path = project / "content" / "obstacles" / "provenance-probe.yaml"
    path.write_text(BLOCK.format(quote=quote, cite=cite), encoding="utf-8")
    return path


def test_altering_one_word_of_a_quote_fails_naming_file_and_line(scratch: Path, run) -> None:
    """Changing one word of a real quote makes `briefgen check` exit 1 at that file:line:col, with a hint."""
    path = scratch / "content" / "obstacles" / "free-riding.yaml"
    lines = path.read_text(encoding="utf-8").splitlines()
    at = next(i for i, ln in enumerate(lines) if ln.strip().startswith("- text:") and "Ministry of Defence" in ln)
    original = re.search(r'"(.*)"', lines[at]).group(1).strip("\u2026 ")  # the seed's words, without elisions
    cite = next(ln.split("cite:", 1)[1].strip() for ln in lines[at:] if ln.strip().startswith("cite:"))
    lines[at] = lines[at].replace("Ministry", "Department")
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    result = run(scratch, "check")
    assert result.exit_code == 1
    col = lines[at].index("text:") + 1
    assert f"content/obstacles/free-riding.yaml:{at + 1}:{col}: error: quote not found in {cite}" in result.output
    hint = result.output.split("(hint: closest passage: ", 1)[1]
    assert original in hint and "Department" not in hint


def test_normalizing_ignores_typography_not_wording() -> None:
    """Curly and straight quotes, dashes, emphasis and spacing compare equal; a changed word does not."""
    assert normalize("If they don\u2019t pay \u2014 \u201cno\u201d") == normalize("If  they don't pay - \"no\"")
    assert normalize("the __Quad__ and [AUKUS](https://x.org)") == "the Quad and AUKUS"
    assert normalize("they don't pay") != normalize("they won't pay")
    assert closest("the quick brown cat jumps", "A fox. The __quick__ brown fox jumps.") == "The quick brown fox jumps."


def test_new_anchors_and_repaired_text_pass(scratch: Path, run) -> None:
    """A quote from a bold lead-in subsection, and one from repaired seed 000, both verify."""
    _probe(scratch, "States that already share a common picture of threat", "csis-2025#interest-misalignment")
    assert run(scratch, "check").exit_code == 0
    _probe(scratch, "part of WISC\u2019s Strategic Competition framework", "wisc-traditional#strategic-context")
    result = run(scratch, "check")
    assert result.exit_code == 0, result.output


def test_a_quote_copying_mojibake_is_refused_with_the_repaired_words(scratch: Path, run) -> None:
    """Quoting the damaged bytes (WISCβs) fails and the hint gives the repaired wording."""
    path = _probe(scratch, "part of WISC\u03b2s Strategic Competition framework", "wisc-traditional#L9")
    result = run(scratch, "check")
    assert result.exit_code == 1
    assert f"{path.relative_to(scratch).as_posix()}:6:" in result.output
    assert "quote copies encoding damage from wisc-traditional#L9" in result.output
    assert "WISC\u2019s Strategic Competition" in result.output


def test_unknown_anchor_suggests_the_nearest(scratch: Path, run) -> None:
    """A misspelt anchor is reported at its line with the anchor it probably meant."""
    _probe(scratch, "States that already share", "csis-2025#interest-misalignmnt")
    result = run(scratch, "check")
    assert result.exit_code == 1
    assert "no passage 'interest-misalignmnt' in seed csis-2025" in result.output
    assert "did you mean interest-misalignment" in result.output


def test_source_notes_name_publisher_authors_date_and_outline_section(root: Path) -> None:
    """Notes give authors, title, publisher, date and the outline's section titles, Chicago style, and never
    file lines; an unsigned web page or wiki article says what it is, "undated" and when it was accessed; two spans of one section share a note; a span before any heading is the opening passage."""
    notes = Notes(Project(root))
    n1 = notes.number(SourceRef(seed="csis-2025", anchor="interest-misalignment"))
    n2 = notes.number(SourceRef(seed="wisc-traditional", anchor="L26-L27"))
    assert notes.number(SourceRef(seed="wisc-traditional", anchor="L26")) == n2  # same section, same note
    n3 = notes.number(SourceRef(seed="wisc-traditional", anchor="L5"))
    assert (n1, n2, n3) == (1, 2, 3)
    first, second, third = notes.items
    assert first.citation == (
        '<span class="source-full">Daniel Byman et al., <cite>Improving U.S. Cooperation with Allies and Partners'
        "</cite> (Center for Strategic and International Studies, October 14, 2025)</span>, "
        "\u201cMultinational Strategic Planning \u203a "
        "Obstacle 1: Interest Misalignment.\u201d")
    assert second.citation == ('<span class="source-full"><cite>Modernizing Traditional Alliances</cite>, web page '
                               "(Wahba Institute for Strategic Competition, Wilson Center, undated; accessed November "
                               '22, 2026)</span>, \u201cNATO.\u201d')
    assert second.short == "<cite>Modernizing Traditional Alliances</cite>, \u201cNATO.\u201d"
    assert third.citation.endswith("accessed November 22, 2026)</span>, \u201copening passage.\u201d")
    wiki = notes._note(SourceRef(seed="wiki-foreign-policy", anchor="L14"), 9)
    assert wiki.citation.startswith('<span class="source-full"><cite>Foreign Policy Alliances</cite>, unsigned wiki '
                                    "article (undated; accessed November 22, 2026)")
    for note in notes.items:
        assert "line" not in note.citation and "L2" not in note.citation
    # Sources no statement cites are "Further reading", unnumbered, one per section.
    further = notes.further([SourceRef(seed="wisc-traditional", anchor="L27"),
                             SourceRef(seed="csis-2025", anchor="L107"), SourceRef(seed="csis-2025", anchor="L109")])
    assert [n.section for n in further] == ["The Variety of Security Relationships"]


# --- Quotes match whole words (issue 13) ---------------------------------------------------------------------

L50 = "csis-2025#L50"


def test_a_quote_cut_at_the_front_of_a_word_is_refused(small: Path, run) -> None:
    """"likely to drive ..." against "unlikely to drive ...": a meaning-reversing prefix cut fails at file:line."""
    path = _probe(small, "likely to drive countries that fear China into its arms", L50)
    result = run(small, "check")
    assert result.exit_code == 1
    assert f"{path.relative_to(small).as_posix()}:6:" in result.output
    assert "quote starts or ends inside a word of csis-2025#L50" in result.output
    assert 'the passage reads "unlikely to drive countries' in result.output


def test_a_quote_cut_at_the_end_of_a_word_is_refused(small: Path, run) -> None:
    """"... fear Chin" against "... fear China": a suffix cut fails."""
    _probe(small, "unlikely to drive countries that fear Chin", L50)
    result = run(small, "check")
    assert result.exit_code == 1
    assert "quote starts or ends inside a word" in result.output and '"unlikely to drive countries that fear China"' \
        in result.output


def test_a_quote_dropping_the_first_letter_is_refused(small: Path, run) -> None:
    """"rustration with the United States" (the F dropped) fails; the whole word passes."""
    _probe(small, "rustration with the United States", L50)
    assert run(small, "check").exit_code == 1
    _probe(small, "Frustration with the United States", L50)
    result = run(small, "check")
    assert result.exit_code == 0, result.output


def test_elisions_keep_the_order_of_the_passage(small: Path, run) -> None:
    """Parts joined by … or […] pass in the passage's order, and fail reversed or when a part is cut."""
    _probe(small, "Frustration with the United States is unlikely \u2026 into its arms", L50)
    assert run(small, "check").exit_code == 0
    _probe(small, "China will find it much easier [\u2026] to dominate East Asia", L50)
    assert run(small, "check").exit_code == 0
    _probe(small, "into its arms \u2026 Frustration with the United States", L50)
    assert run(small, "check").exit_code == 1
    _probe(small, "Frustration with the United States is \u2026 likely to drive countries", L50)
    assert run(small, "check").exit_code == 1


def test_a_bracketed_insertion_passes_and_is_shown_as_editorial(small: Path, run) -> None:
    """"[Such frustration] is unlikely ..." passes; the brief shows the insertion apart from the seed's words."""
    path = small / "content" / "alliances" / "nato.yaml"
    text = path.read_text(encoding="utf-8")
    text = text.replace("quotes:\n", 'quotes:\n  - text: "[Such frustration] is unlikely to drive countries that fear '
                                     'China into its arms"\n    speaker: CSIS\n    cite: csis-2025#L50\n', 1)
    path.write_text(text, encoding="utf-8")
    result = run(small, "check")
    assert result.exit_code == 0, result.output
    out = small / "out"
    # A fragment is never a pull quote: the public brief shows it among the further quotes ("In their words").
    assert run(small, "brief", "nato", "--audience", "public", "--format", "html", "--out", str(out)).exit_code == 0
    html = next(out.rglob("nato.html")).read_text(encoding="utf-8")
    assert '<span class="editorial">[Such frustration]</span> is unlikely to drive' in html
    # An insertion stands for a few words, not for a whole clause of the passage.
    path.write_text(text.replace("[Such frustration] is unlikely to drive countries that fear China into its arms",
                                 "If the United States fails [to act], coalition warfighting"), encoding="utf-8")
    assert run(small, "check").exit_code == 1


def test_a_quote_may_run_across_two_list_items(small: Path, run) -> None:
    """List markers are Markdown, folded like emphasis: a quote running from one bullet into the next passes,
    a word changed across the join still fails."""
    _probe(small, "creating misalignments in planning and execution. Credibility and trust. Allies question",
           "csis-2025#L20-L22")
    result = run(small, "check")
    assert result.exit_code == 0, result.output
    _probe(small, "creating misalignments in planning and execution. Credibility and trust. Allies questioned",
           "csis-2025#L20-L22")
    assert run(small, "check").exit_code == 1


def test_a_brief_gives_each_source_in_full_once_then_short(root: Path) -> None:
    """The first note on a source carries its full citation (authors, publisher, date); later notes on it, and
    further reading from it, give the short form (title and section)."""
    notes = Notes(Project(root))
    first = notes.number(SourceRef(seed="csis-2025", anchor="interest-misalignment"))
    second = notes.number(SourceRef(seed="csis-2025", anchor="L50"))
    other = notes.number(SourceRef(seed="wisc-traditional", anchor="L26"))
    forms = notes.forms()
    assert len({first, second, other}) == 3
    assert 'class="source-full"' in forms[first] and "Center for Strategic" in forms[first]
    assert 'class="source-full"' not in forms[second] and "Center for Strategic" not in forms[second]
    assert "<cite>Improving U.S. Cooperation with Allies and Partners</cite>" in forms[second]
    assert 'class="source-full"' in forms[other]  # another source: in full, once
    further = notes.further([SourceRef(seed="csis-2025", anchor="L205")])
    assert further and 'class="source-full"' not in notes.further_forms(further)[0]
