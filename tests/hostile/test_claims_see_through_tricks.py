"""The claims checks read statements as a reader does: look-alike letters, numbers in words, added negations."""
from __future__ import annotations

from pathlib import Path

import pytest

POINT = "Of the 51 formal treaty allies of the United States, 31 are NATO allies."


def _check_point(project: Path, run, text: str):
    nato = project / "content" / "alliances" / "nato.yaml"
    source = nato.read_text(encoding="utf-8")
    assert POINT in source
    nato.write_text(source.replace(POINT, text, 1), encoding="utf-8")
    return run(project, "check")


@pytest.mark.parametrize("text", [
    "Of the 51 formal treaty allies of the United States, 31 are NATO allies, and India is one.",  # plain: refused
    "Of the 51 formal treaty allies of the United States, 31 are NATO allies, and \u0408apan is one.",  # Cyrillic Ј
    "Of the 51 formal treaty allies of the United States, 31 are NATO allies, and \u0406ndia is one.",  # Cyrillic І
    "Of the 51 formal treaty allies of the United States, 31 are NATO allies, and \u0408\u0430\u0440\u0430n is one.",
    "Of the 51 formal treaty allies of the United States, 31 are NATO allies, and \uff2aapan is one.",  # fullwidth
    "Of the 51 formal treaty allies of the United States, 31 are NATO allies, and Jap\u03b1n is one.",  # Greek alpha
])
def test_a_name_the_passage_lacks_is_refused_however_its_letters_are_disguised(small: Path, run, text: str) -> None:
    result = _check_point(small, run, text)
    assert result.exit_code == 1, result.output
    assert "look-alike" in result.output or "is not named in" in result.output, result.output


@pytest.mark.parametrize("text", [
    "Of the 51 formal treaty allies of the United States, 31 are NATO allies, and seven are in Asia.",
    "Of the 51 formal treaty allies of the United States, thirty-two are NATO allies.",
    "Of the fifty-one formal treaty allies of the United States, 31 are NATO allies, and twelve are in Asia.",
    "Of the 51 formal treaty allies of the United States, 31 are NATO allies; two million troops serve.",
])
def test_a_number_in_words_the_passage_lacks_is_refused_like_digits(small: Path, run, text: str) -> None:
    result = _check_point(small, run, text)
    assert result.exit_code == 1, result.output
    assert "is not in csis-2025#L107" in result.output, result.output


def test_a_number_in_words_the_passage_states_passes(small: Path, run) -> None:
    result = _check_point(small, run, "Of the fifty-one formal treaty allies of the United States, thirty-one "
                                      "are NATO allies.")
    assert result.exit_code == 0, result.output


@pytest.mark.parametrize("text", [
    "Of the 51 formal treaty allies of the United States, 31 are not NATO allies.",
    "Of the 51 formal treaty allies of the United States, 31 aren\u2019t NATO allies.",
    "Of the 51 formal treaty allies of the United States, 31 are never NATO allies.",
    "Of the 51 formal treaty allies of the United States, 31 are no longer NATO allies.",
])
def test_a_negation_added_to_a_restated_clause_is_refused(small: Path, run, text: str) -> None:
    result = _check_point(small, run, text)
    assert result.exit_code == 1, result.output
    assert "where the passage it restates has no negation" in result.output, result.output
