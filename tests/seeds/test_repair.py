"""Encoding repair of seed 000: every repair listed, nothing invented, other seeds untouched."""
from __future__ import annotations

from pathlib import Path

from briefgen.seeds.registry import load_library
from briefgen.seeds.repair import DAMAGED, repair

REPAIRS = [  # (line, column, before, after, certain)
    (8, 1, "\u03c0\u0389", DAMAGED, False),
    (9, 28, "\u03b2", "\u2019", True),
    (9, 120, "\u03b2", "\u2014", True),
    (9, 192, "\u03b2", "\u2014", True),
    (25, 1, "\u03c0\u03bf\u0388", DAMAGED, False),
    (25, 42, "\u03c0\u00b0", DAMAGED, False),
    (25, 70, "\u03c0\u03bf\u0388", DAMAGED, False),
    (25, 82, "\u03b2\u03bf\u0388", DAMAGED, False),
    (25, 99, "\u03c0\u20af", DAMAGED, False),
    (25, 121, "\u03c0\u20ac", DAMAGED, False),
    (25, 133, "\u03c0\u20af", DAMAGED, False),
    (25, 145, "\u03c0", DAMAGED, False),
    (37, 255, "\u03b2", "\u2019", True),
    (37, 322, "\u03b2", "\u2014", True),
    (37, 355, "\u03b2", "\u2014", True),
]


def test_every_repair_in_seed_000_is_listed(root: Path) -> None:
    """Each damaged spot of seed 000 is reported once: seed, line, column, before, after, certainty."""
    seed = load_library(root).get("wisc-traditional")
    got = [(r.line, r.col, r.before, r.after, r.certain) for r in seed.repairs]
    assert got == REPAIRS
    assert all(r.seed == "wisc-traditional" and r.reason for r in seed.repairs)


def test_no_beta_left_where_a_certain_repair_exists(root: Path) -> None:
    """The repaired text reads WISC’s and 'model — integrating'; no mojibake β is left anywhere."""
    seed = load_library(root).get("wisc-traditional")
    assert "\u03b2" in seed.text and "\u03b2" not in seed.repaired
    line9 = seed.lines[8]
    assert "WISC\u2019s Strategic Competition" in line9 and "STEAD model \u2014 integrating" in line9
    assert "Taiwan\u2019s self-defense" in seed.lines[36]


def test_uncertain_damage_is_marked_not_invented(root: Path) -> None:
    """Only the listed spots change; uncertain ones become U+FFFD; line count and other text are kept."""
    seed = load_library(root).get("wisc-traditional")
    assert len(seed.lines) == len(seed.text.splitlines())
    assert seed.repaired.count(DAMAGED) == sum(not r.certain for r in seed.repairs)
    rebuilt = seed.text.splitlines()
    for r in reversed(seed.repairs):  # apply each listed change to the file: we must get the repaired text
        line = rebuilt[r.line - 1]
        at = r.col - 1
        assert line[at:at + len(r.before)] == r.before
        rebuilt[r.line - 1] = line[:at] + r.after + line[at + len(r.before):]
    assert rebuilt == seed.lines


def test_other_seeds_and_real_greek_are_left_alone(root: Path) -> None:
    """Seeds without the damage, and genuine Greek text, pass through unchanged."""
    for seed in load_library(root).seeds.values():
        if seed.info.id != "wisc-traditional":
            assert seed.repairs == [] and seed.repaired == seed.text
    greek = "Η Αθήνα είναι η πρωτεύουσα της Ελλάδας· το ΝΑΤΟ ιδρύθηκε το 1949.\n"
    assert repair(greek, "greek") == (greek, [])
    assert repair("A \u03b2-blocker is a drug.\n", "pharma") == ("A \u03b2-blocker is a drug.\n", [])
