"""WCAG AA contrast of every text colour against its real background, in every audience's palette (brand.yml plus
the audience's `brand:` overrides, merged the way a render merges them)."""
from __future__ import annotations

from pathlib import Path

import pytest

from briefgen.config.audiences import audience_names, brand_overrides
from briefgen.config.brand import load_brand
from briefgen.project import Project

ROOT = Path(__file__).resolve().parents[2]

#: (text role, background role, what it is in print.css, large text?) — large is 18pt, or 14pt bold (WCAG).
PAIRS = (
    ("foreground", "background", "body text", False),
    ("heading", "background", "section headings", False),
    ("primary", "background", "sidebar labels, related names, recommendation titles", False),
    ("secondary", "background", "the marking (7.5pt), note numbers (6.5pt), figures, list markers", False),
    ("tertiary", "background", "running head, notes, captions", False),
    ("dark", "light", "the bottom line on its tint panel", False),
    ("secondary", "light", "the bottom-line label (8pt) and note numbers in the panels", False),
    ("primary", "light", "recommendation titles on the card tint", False),
    ("foreground", "light", "recommendation text on the card tint", False),
    ("background", "primary", "title band text", False),
)


def luminance(hex_colour: str) -> float:
    r, g, b = (int(hex_colour.lstrip("#")[i:i + 2], 16) / 255 for i in (0, 2, 4))

    def channel(c: float) -> float:
        return c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4

    return 0.2126 * channel(r) + 0.7152 * channel(g) + 0.0722 * channel(b)


def ratio(a: str, b: str) -> float:
    la, lb = sorted((luminance(a), luminance(b)), reverse=True)
    return (la + 0.05) / (lb + 0.05)


def test_the_formula() -> None:
    assert ratio("#000000", "#ffffff") == pytest.approx(21.0)
    assert ratio("#9a7419", "#ffffff") == pytest.approx(4.30, abs=0.01)  # the review's executive gold


@pytest.mark.parametrize("audience", audience_names(ROOT))
def test_every_text_colour_meets_wcag_aa(audience: str) -> None:
    aud = Project(ROOT).audience(audience)
    colours = load_brand(ROOT, brand_overrides(aud), overrides_file=aud.file).colors
    failing = []
    for text, background, what, large in PAIRS:
        need = 3.0 if large else 4.5
        got = ratio(colours[text], colours[background])
        if got < need:
            failing.append(f"{text} {colours[text]} on {background} {colours[background]} ({what}): "
                           f"{got:.2f}:1 < {need}:1")
    assert not failing, f"{audience}: " + "; ".join(failing)


@pytest.mark.parametrize("audience", audience_names(ROOT))
def test_briefs_and_one_pagers_conform_to_pdf_ua_1(audience: str, every_audience: Path) -> None:
    """A second implementation of the veraPDF rules (page-validation) finds no PDF/UA-1 failure in either kind
    (the book has its own test in test_book.py); the proper-noun spans and two-column notes stay tagged right."""
    import page as page_validation

    for path in (every_audience / audience / "briefs" / "nato.pdf",
                 every_audience / audience / "onepagers" / "countercoercion.pdf"):
        report = page_validation.validate_pdf(str(path), profile="ua1")
        assert report.is_compliant, (path.name, [(f.rule_id, f.message) for f in report.failures])
