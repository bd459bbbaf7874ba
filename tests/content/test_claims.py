"""Claims checked against their passages (content/claims.py): each mutation of a faithful block makes
`briefgen check` fail, naming the file and line of the statement; the faithful block passes."""
from __future__ import annotations

from pathlib import Path

import pytest

from briefgen.content import claims
from briefgen.content.claims import RULES, names, numbers

NATO = "content/alliances/nato.yaml"
FREE_RIDING = "content/obstacles/free-riding.yaml"


def _edit(project: Path, rel: str, old: str, new: str) -> int:
    """Replace OLD by NEW in REL (exactly once); return the 1-based line where OLD started."""
    path = project / rel
    text = path.read_text(encoding="utf-8")
    assert text.count(old) == 1, f"{old!r} occurs {text.count(old)} times in {rel}"
    path.write_text(text.replace(old, new), encoding="utf-8")
    return text[:text.index(old)].count("\n") + 1


def _item_line(project: Path, rel: str, needle: str) -> int:
    """The line of the `- text:` (or `key:`) that holds NEEDLE: where check reports the statement."""
    lines = (project / rel).read_text(encoding="utf-8").splitlines()
    at = next(i for i, ln in enumerate(lines) if needle in ln)
    while not lines[at].lstrip().startswith(("- text:", "summary:", "bottom_line:")):
        at -= 1
    return at + 1


def test_the_faithful_fixture_passes_every_rule(small: Path, run) -> None:
    """The two-block fixture is cited and faithful: check passes with --strict (no warning either)."""
    result = run(small, "check", "--strict")
    assert result.exit_code == 0, result.output


def test_every_rule_is_declared_with_a_one_line_docstring() -> None:
    """The rules live in one module, each named and described by the first line of its docstring."""
    assert set(RULES) >= {"uncited", "machinery", "unsupported_number", "unsupported_name", "flipped_negation",
                          "dropped_hedge", "shifted_date"}
    for name, f in RULES.items():
        assert f.__module__ == claims.__name__
        assert f.__doc__ and f.__doc__.strip(), name


def test_a_changed_number_fails_at_its_line(small: Path, run) -> None:
    """31 of 51 NATO allies becomes 41 of 51: an unsupported figure, reported at the point with the passage."""
    line = _item_line(small, NATO, "31 are NATO allies")
    _edit(small, NATO, "31 are NATO allies", "41 are NATO allies")
    result = run(small, "check")
    assert result.exit_code == 1
    assert (f"{NATO}:{line}:5: error: why_it_matters[1].text: the figure '41' is not in csis-2025#L107"
            in result.output)
    assert "state the figure exactly as the cited passage does" in result.output


def test_a_dropped_negation_fails_at_its_line(small: Path, run) -> None:
    """"Many allies have not invested" (the passage: "have failed to invest") loses its "not"."""
    line = _item_line(small, FREE_RIDING, "Many allies have not invested")
    _edit(small, FREE_RIDING, "Many allies have not invested", "Many allies have invested")
    result = run(small, "check")
    assert result.exit_code == 1
    assert f"{FREE_RIDING}:{line}:5: error: how_it_shows_up[3].text: drops the negation 'failed'" in result.output
    assert "Many allies have failed to invest" in result.output


def test_a_negation_reversed_by_a_cut_prefix_fails(small: Path, run) -> None:
    """A point restating csis-2025#L50 says "likely to drive countries ... into its arms" where the passage says
    "unlikely": the negation is dropped."""
    _edit(small, NATO, "Defense pacts such as NATO make their members less likely to be attacked.",
          "Frustration with the United States is likely to drive countries that fear China into its arms.")
    _edit(small, NATO, "    cite: csis-2025#L126", "    cite: csis-2025#L50")
    line = _item_line(small, NATO, "likely to drive countries")
    result = run(small, "check")
    assert result.exit_code == 1
    assert f"{NATO}:{line}:5: error: why_it_matters[3].text: drops the negation 'unlikely'" in result.output


def test_a_shifted_date_fails_at_its_line(small: Path, run) -> None:
    """The passage: "after 2016, Australia adopted a much more confrontational policy"; the point: "in 2016"."""
    _edit(small, NATO, "Defense pacts such as NATO make their members less likely to be attacked.",
          "In 2016, Australia adopted a much more confrontational policy toward China.")
    _edit(small, NATO, "    cite: csis-2025#L126", "    cite: csis-2025#L255")
    line = _item_line(small, NATO, "Australia adopted a much more")
    result = run(small, "check")
    assert result.exit_code == 1
    assert (f"{NATO}:{line}:5: error: why_it_matters[3].text: says 'In 2016' where csis-2025#L255 says "
            "'after 2016'") in result.output


def test_a_swapped_country_fails_at_its_line(small: Path, run) -> None:
    """Turkey and Hungary become Turkey and Japan: the passage names no Japan."""
    line = _item_line(small, NATO, "Turkey and Hungary")
    _edit(small, NATO, "Turkey and Hungary", "Turkey and Japan")
    result = run(small, "check")
    assert result.exit_code == 1
    assert (f"{NATO}:{line}:5: error: modernization_priorities[4].text: 'Japan' (in 'Turkey and Japan') is not "
            "named in csis-2025#L227") in result.output


def test_an_uncited_bottom_line_fails_at_its_line(small: Path, run) -> None:
    """Removing bottom_line_cite makes the bottom line uncited: refused at the bottom line's own line."""
    line = _item_line(small, NATO, "NATO remains the gold standard")
    _edit(small, NATO, "bottom_line_cite: [csis-2025#L393, csis-2025#L415, csis-2025#L547]\n", "")
    result = run(small, "check")
    assert result.exit_code == 1
    assert f"{NATO}:{line}:1: error: bottom_line has no citation" in result.output
    assert "add `bottom_line_cite:`" in result.output


def test_an_uncited_summary_fails_too(small: Path, run) -> None:
    """The same for the summary, and for a recommendation's."""
    line = _item_line(small, NATO, "CSIS calls NATO the gold standard")
    _edit(small, NATO, "summary_cite: [csis-2025#L393, csis-2025#L415, csis-2025#L547, wisc-traditional#L26-L27]\n",
          "")
    result = run(small, "check")
    assert result.exit_code == 1
    assert f"{NATO}:{line}:1: error: summary has no citation" in result.output


def test_a_quote_cut_inside_a_word_fails_at_its_line(small: Path, run) -> None:
    """A word-boundary cut of a real quote of the fixture ("f they don't pay") is refused at the quote."""
    text = (small / NATO).read_text(encoding="utf-8")
    assert "If they don\u2019t pay" in text
    line = _edit(small, NATO, "If they don\u2019t pay", "f they don\u2019t pay")
    result = run(small, "check")
    assert result.exit_code == 1
    assert f"{NATO}:{line}:" in result.output and "quote starts or ends inside a word" in result.output


@pytest.mark.parametrize("words, found", [
    ("the seeds say little more about it", "seeds"),
    ("so this block only places it", "this block"),
    ("a wiki-style article", "wiki-style"),
    ("the WISC page lists", "WISC page"),
])
def test_machinery_words_are_refused_in_prose(small: Path, run, words: str, found: str) -> None:
    """Each default forbidden word, added to the summary, is refused at the summary's line."""
    line = _item_line(small, NATO, "CSIS calls NATO the gold standard")
    _edit(small, NATO, "CSIS calls NATO the gold standard", f"As {words}, CSIS calls NATO the gold standard")
    result = run(small, "check")
    assert result.exit_code == 1
    assert f"{NATO}:{line}:1: error: summary says {found!r}, a word readers must not see" in result.output


def test_line_number_citations_are_refused(small: Path, run) -> None:
    """"(line 579)" in a point is refused: readers cite sections, not file lines."""
    line = _item_line(small, NATO, "31 are NATO allies")
    _edit(small, NATO, "31 are NATO allies.", "31 are NATO allies (line 107).")
    result = run(small, "check")
    assert result.exit_code == 1
    assert f"{NATO}:{line}:5: error: why_it_matters[1].text cites a line number ('line 107')" in result.output


def test_a_project_extends_the_forbidden_words(small: Path, run) -> None:
    """forbidden_words in briefgen.yaml is the list: a project adds "gold standard" and check refuses it."""
    cfg = small / "briefgen.yaml"
    cfg.write_text(cfg.read_text(encoding="utf-8").replace(
        "forbidden_words: [seed, this block, wiki-style, WISC page]",
        "forbidden_words: [seed, this block, wiki-style, WISC page, gold standard]"), encoding="utf-8")
    result = run(small, "check")
    assert result.exit_code == 1
    assert "summary says 'gold standard'" in result.output


def test_a_dropped_hedge_warns_and_fails_with_strict(small: Path, run) -> None:
    """The passage: "they may avoid certain roles"; the point: "allies avoid certain roles". A warning; an error
    with check --strict."""
    line = _item_line(small, FREE_RIDING, "allies may skip roles")
    _edit(small, FREE_RIDING, "allies may skip roles", "allies avoid certain roles")
    result = run(small, "check")
    assert result.exit_code == 0, result.output
    assert f"{FREE_RIDING}:{line}:5: warning: how_it_shows_up[6].text: drops the hedge 'may'" in result.output
    strict = run(small, "check", "--strict")
    assert strict.exit_code == 1
    assert f"{FREE_RIDING}:{line}:5: error: how_it_shows_up[6].text: drops the hedge 'may'" in strict.output


def test_numbers_are_read_with_their_scale() -> None:
    """Money with its scale, percentages, years, "31 of 51"; a model number is part of a name, not a figure."""
    got = [(n.value, n.scale) for n in numbers("$87 billion since 1990, 40 percent, 31 of 51, the F-35 and G7")]
    assert got == [(87.0, 1e9), (1990.0, None), (40.0, None), (31.0, None), (51.0, None)]


def test_names_are_countries_organisations_and_persons() -> None:
    """Capitalised names, not sentence openers; a swapped name is caught, an alias (Washington) is not."""
    assert names("Expand the Five Eyes to Japan and South Korea.") == ["Five Eyes", "Japan and South Korea"]
    passage = "The United States and South Korea share intelligence; President Trump agreed."
    norm = claims._norm_name(passage)
    assert claims._name_supported("Washington", passage, norm)
    assert claims._name_supported("Seoul", passage, norm)
    assert claims._name_supported("Trump", passage, norm)
    assert not claims._name_supported("Japan", passage, norm)
    assert not claims._name_supported("President Biden", passage, norm)


def test_an_added_hedge_warns(small: Path, run) -> None:
    """The passage: "after 2016, Australia adopted a much more confrontational policy"; the point: "may have
    adopted". The passage states it plainly: a warning."""
    _edit(small, NATO, "Defense pacts such as NATO make their members less likely to be attacked.",
          "After 2016, Australia may have adopted a much more confrontational policy toward China.")
    _edit(small, NATO, "    cite: csis-2025#L126", "    cite: csis-2025#L255")
    line = _item_line(small, NATO, "Australia may have adopted")
    result = run(small, "check")
    assert result.exit_code == 0, result.output
    assert (f"{NATO}:{line}:5: warning: why_it_matters[3].text: adds the hedge 'may' to words the passage states "
            "plainly") in result.output


def test_a_source_named_as_its_own_publisher_points_at_the_registry_field(small: Path, run) -> None:
    """"CRS says..." is refused while the cited seed records no publisher; the hint names the seed's
    `publisher:` field in seeds/sources.yaml, and setting it makes the statement acceptable."""
    _edit(small, "content/alliances/nato.yaml", 'The "Foreign Policy Alliances" article calls it',
          "CRS says it is")
    result = run(small, "check")
    assert result.exit_code == 1
    assert "'CRS' is not named in wiki-foreign-policy#L32" in result.output
    assert ("set `publisher:` (or `authors:`) of seed 'wiki-foreign-policy' (now: empty) in seeds/sources.yaml, "
            "which this rule accepts as the source's own name") in result.output
    _edit(small, "seeds/sources.yaml", 'title: "Foreign Policy Alliances"\n', 'title: "Foreign Policy Alliances"\n'
          '    publisher: "Congressional Research Service (CRS)"\n')
    _edit(small, "seeds/sources.yaml", '(CRS)"\n    # An unsigned wiki article (its title line ends in the wiki\'s "Edit" '
          'link); the seed names no site or date.\n    publisher: null\n', '(CRS)"\n')
    after = run(small, "check").output
    assert "is not named in wiki-foreign-policy" not in after, after  # the source's own name is accepted


# --- Faithful to the speaker, en-US, acronyms and whole quotes (issue 24) -----------------------------------------
# Each mutation puts a passage of the real seeds (one the fact-check audits did not use) under NATO's third point or
# its quotes; check must fail at that statement's line.

POINT = "  - text: Defense pacts such as NATO make their members less likely to be attacked.\n    cite: csis-2025#L126\n"


def _point(project: Path, text: str, cite: str) -> int:
    """Replace NATO's third point by TEXT citing CITE; return its line."""
    return _edit(project, NATO, POINT, f"  - text: {text}\n    cite: {cite}\n")


def test_every_new_rule_is_declared() -> None:
    """The rules of issue 24 are registered beside the others, each with its one-line docstring."""
    assert set(RULES) >= {"dropped_attribution", "weakened_hedge", "generalized_case", "quote_subject",
                          "quote_sentence", "spelling", "acronym"}


def test_a_dropped_attribution_fails_at_its_line(small: Path, run) -> None:
    """"One U.S. official noted that the systems make sharing difficult" restated as fact."""
    line = _point(small, "The systems make sharing difficult, and it is often difficult to identify how to get "
                         "information.", "csis-2025#L338")
    result = run(small, "check")
    assert result.exit_code == 1
    assert (f"{NATO}:{line}:5: error: why_it_matters[3].text: states as fact what the passage gives to a speaker "
            "('One U.S. official noted')") in result.output
    assert "say who says it" in result.output


def test_a_kept_attribution_passes(small: Path, run) -> None:
    """The same restatement, with its speaker, passes every rule."""
    _point(small, "One U.S. official noted that the systems make sharing difficult, and that it is often "
                  "difficult to identify how to get information.", "csis-2025#L338")
    result = run(small, "check", "--strict")
    assert result.exit_code == 0, result.output


def test_a_hardened_modal_warns_and_fails_with_strict(small: Path, run) -> None:
    """"the initial cost of weapons systems tends to get the most attention" loses "tends to"."""
    line = _point(small, "The initial cost of weapons systems gets the most attention.", "csis-2025#L482")
    result = run(small, "check")
    assert result.exit_code == 0, result.output
    strict = run(small, "check", "--strict")
    assert strict.exit_code == 1
    assert (f"{NATO}:{line}:5: error: why_it_matters[3].text: states plainly what the passage qualifies with "
            "'tends to'") in strict.output


def test_one_case_made_a_class_warns(small: Path, run) -> None:
    """"South Korea has long harbored hostility toward Japan" becomes "Some allies have"."""
    line = _point(small, "Some allies have long harbored hostility toward Japan due to its World War II "
                         "brutalities.", "csis-2025#L235")
    strict = run(small, "check", "--strict")
    assert strict.exit_code == 1
    assert (f"{NATO}:{line}:5: error: why_it_matters[3].text: says 'some' where the passage it restates names one "
            "case (South Korea)") in strict.output


def test_a_quote_about_another_subject_fails_at_its_line(small: Path, run) -> None:
    """A sentence about Korean-Japanese politics, verbatim, quoted under NATO: a warning, an error with --strict."""
    old = '  - text: "If they don\u2019t pay, I\u2019m not going to defend them."\n    speaker: President Trump, on NATO allies\n    cite: csis-2025#L69\n'
    line = _edit(small, NATO, old, "  - text: Domestic politics are often even more contentious when it comes to U.S. "
                                   "efforts to encourage allies to work with one another.\n    cite: csis-2025#L235\n")
    assert run(small, "check").exit_code == 0  # a warning
    result = run(small, "check", "--strict")
    assert result.exit_code == 1
    assert (f"{NATO}:{line}:5: error: quotes[1].text: the quote's passage (csis-2025#L235) names none of "
            "'North Atlantic Treaty Organization (NATO)'") in result.output


def test_a_fragment_quote_fails_at_its_line(small: Path, run) -> None:
    """"not going to defend them." starts mid-sentence without an elision (an error with --strict); with one it
    passes."""
    line = _edit(small, NATO, "If they don\u2019t pay, I\u2019m not going", "not going")
    result = run(small, "check", "--strict")
    assert result.exit_code == 1
    assert f"{NATO}:{line}:" in result.output and "the quote starts mid-sentence" in result.output
    _edit(small, NATO, '"not going', '"\u2026 not going')
    assert run(small, "check", "--strict").exit_code == 0


def test_a_hyphenated_quote_fails() -> None:
    """A word broken by a hyphen at a line end is refused, whatever provenance says."""
    st = claims.Statement(block=None, what="quotes[1].text", text="We will not de- fend them.", loc=None,  # type: ignore[arg-type]
                          cites=[], cite_field=None, claims=False, quote=True)
    found = list(claims.quote_sentence(st, claims.Context([])))
    assert found and "breaks a word with a hyphen" in found[0].message


def test_a_british_spelling_fails_at_its_line(small: Path, run) -> None:
    """"Defence pacts" in a point is refused with the en-US word; "NATO Defence Planning Process" is a name."""
    line = _item_line(small, NATO, "Defense pacts such as NATO")
    _edit(small, NATO, "Defense pacts such as NATO", "Defence pacts such as NATO")
    result = run(small, "check")
    assert result.exit_code == 1
    assert f"{NATO}:{line}:5: error: why_it_matters[3].text: 'Defence' is not en-US spelling" in result.output
    assert "write 'Defense'" in result.output
    assert "Defence Planning" not in result.output


def test_a_project_extends_the_house_spellings(small: Path, run) -> None:
    """house_spellings in briefgen.yaml adds pairs: a project refusing "pacts" for "treaties" sees it refused."""
    cfg = small / "briefgen.yaml"
    cfg.write_text(cfg.read_text(encoding="utf-8").replace("house_spellings:\n", "house_spellings:\n  pacts: treaties\n"),
                   encoding="utf-8")
    result = run(small, "check")
    assert result.exit_code == 1
    assert "why_it_matters[3].text: 'pacts' is not en-US spelling (hint: write 'treaties')" in result.output


def test_an_acronym_not_spelled_out_at_first_use_fails(small: Path, run) -> None:
    """CSIS, which the organisations list expands, must be spelled out in the summary, its first use: without
    the summary's last sentence it is not."""
    line = _item_line(small, NATO, "CSIS calls NATO the gold standard")
    _edit(small, NATO, "  CSIS is the Center for Strategic and International Studies.\n", "")
    result = run(small, "check")
    assert result.exit_code == 1
    assert (f"{NATO}:{line}:1: error: summary: 'CSIS' is not spelled out at its first use in the document (hint: "
            "write \"Center for Strategic and International Studies (CSIS)\" here)") in result.output


def test_an_acronym_with_no_expansion_warns_and_fails_with_strict(small: Path, run) -> None:
    """Without its glossary entry, DIANA has no expansion anywhere: a warning at its first use, an error with
    --strict."""
    line = _item_line(small, NATO, "Defence Innovation Accelerator")
    _edit(small, NATO, "the Defence Innovation Accelerator for the North\n      Atlantic (DIANA)", "DIANA")
    cfg = small / "briefgen.yaml"
    text = cfg.read_text(encoding="utf-8")
    cfg.write_text("\n".join(ln for ln in text.splitlines() if not ln.startswith("  DIANA:")) + "\n", encoding="utf-8")
    result = run(small, "check")
    assert result.exit_code == 0, result.output
    assert f"{NATO}:{line}:5: warning: modernization_priorities[2].text: 'DIANA' has no expansion" in result.output
    strict = run(small, "check", "--strict")
    assert strict.exit_code == 1
    assert "add `DIANA: <what it stands for>` under `glossary:` in briefgen.yaml" in strict.output
