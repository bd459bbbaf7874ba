"""The designer's rules of the layout audit, each on a tiny page that shows the defect (the rule fires) and on the
same page mended (it does not). Real WeasyPrint layouts through render.pdf.lay_out, measured as the build measures."""
from __future__ import annotations

from pathlib import Path

from briefgen.render.audit import THRESHOLDS, audit, onepager_unused
from briefgen.render.pdf import lay_out

PAGE = ("<style>@page { size: 400pt 400pt; margin: 20pt; } body { font: 10pt/12pt serif; margin: 0; } "
        "h2, h3 { font-size: 10pt; line-height: 12pt; margin: 0; } p { margin: 0; } ul, ol { margin: 0; }</style>")
WORDS = ("The alliance sets its plans in common and shares the burden of defence among members with care "
         "while each partner keeps its own forces ready for the tasks the treaty names in its text ") * 6


def layout(tmp_path: Path, body: str, style: str = ""):  # noqa: ANN201 - a render.pdf.Layout
    html = f"<html lang=en><head><title>t</title>{PAGE}<style>{style}</style></head><body>{body}</body></html>"
    return lay_out(html, tmp_path, "t")


def found(tmp_path: Path, body: str, style: str = "", kind: str = "brief") -> list[str]:
    return [f.code for f in audit(layout(tmp_path, body, style).document, "t.pdf", kind)]


def two_pages(body: str) -> str:
    """BODY followed by enough text for a second page, so the brief-length rule stays quiet."""
    return body + "<div style='break-before: page'><p>Closing text.</p></div>"


def test_an_empty_tinted_slab_is_found_and_a_card_that_hugs_its_text_is_not(tmp_path: Path) -> None:
    card = "<div class=card style='background: #dde; padding: 4pt; height: {0}'><p>Two words.</p></div>"
    assert "empty-tint" in found(tmp_path, two_pages(card.format("120pt")))
    assert "empty-tint" not in found(tmp_path, two_pages(card.format("auto")))


def test_lines_over_the_measure_are_found_and_a_narrower_column_passes(tmp_path: Path) -> None:
    text = f"<p style='font-size: 8pt'>{WORDS}</p>"
    assert "long-lines" in found(tmp_path, two_pages(text))
    narrow = f"<p style='font-size: 8pt; width: 240pt'>{WORDS}</p>"
    assert "long-lines" not in found(tmp_path, two_pages(narrow))


def test_a_wrapped_or_hyphenated_label_is_found_and_one_that_fits_is_not(tmp_path: Path) -> None:
    meta = "<p class=doc-meta style='width: {0}; hyphens: {1}'>Prepared for congressional staff members</p>"
    assert "wrapped-label" in found(tmp_path, two_pages(meta.format("90pt", "manual")))
    assert "wrapped-label" in found(tmp_path, two_pages(meta.format("60pt", "auto")))
    assert "wrapped-label" not in found(tmp_path, two_pages(meta.format("300pt", "manual")))


def test_a_hole_in_an_option_grid_is_found_and_a_full_width_last_card_passes(tmp_path: Path) -> None:
    grid = ("<ol class=rec-list style='display: grid; grid-template-columns: 1fr 1fr; column-gap: 10pt; padding: 0'>"
            "<li class=recommendation>One</li><li class=recommendation>Two</li>"
            "<li class=recommendation style='{0}'>Three</li></ol>")
    assert "grid-hole" in found(tmp_path, two_pages(grid.format("")))
    assert "grid-hole" not in found(tmp_path, two_pages(grid.format("grid-column: span 2")))


def test_a_card_under_the_floated_box_is_found_and_one_cleared_below_it_is_not(tmp_path: Path) -> None:
    body = ("<aside class=sidebar style='float: right; width: 120pt; height: 100pt'>Facts</aside>"
            "<div class=card style='background: #dde; {0}'><p>{1}</p></div>")
    assert "float-collision" in found(tmp_path, two_pages(body.format("", WORDS[:200])))
    assert "float-collision" not in found(tmp_path, two_pages(body.format("clear: both", WORDS[:200])))


def test_a_paragraph_whose_measure_jumps_past_a_float_is_found(tmp_path: Path) -> None:
    body = ("<aside class=sidebar style='float: right; width: 150pt; height: 60pt'>Facts</aside>"
            f"<p style='font-size: 8pt'>{WORDS[:900]}</p>")
    assert "float-collision" in found(tmp_path, two_pages(body))
    beside = ("<aside class=sidebar style='float: right; width: 150pt; height: 60pt; margin-right: -1pt'>Facts</aside>"
              f"<p style='font-size: 8pt; margin-right: 160pt'>{WORDS[:900]}</p>")
    assert "float-collision" not in found(tmp_path, two_pages(beside))


def test_a_one_page_brief_is_found_and_a_two_page_one_passes(tmp_path: Path) -> None:
    assert "brief-short" in found(tmp_path, "<p>Short.</p>")
    assert "brief-short" not in found(tmp_path, two_pages("<p>Short.</p>"))
    assert "brief-short" not in found(tmp_path, "<p>Short.</p>", kind="onepager")


def test_a_one_pager_with_an_empty_column_counts_it_as_unused(tmp_path: Path) -> None:
    lines = "<br>".join(f"Point {i}" for i in range(24))
    one_column = (f"<div class=columns style='columns: 2'><p style='break-after: column'>{lines}</p></div>"
                  "<div style='height: 0'></div>")
    full = f"<div class=columns style='columns: 2'><p>{lines}<br>{lines}<br>{lines}</p></div>"
    thin = layout(tmp_path, one_column).document
    assert onepager_unused(thin) > THRESHOLDS.onepager_unused
    assert "onepager-fill" in [f.code for f in audit(thin, "t.pdf", "onepager")]
    assert onepager_unused(layout(tmp_path, full).document) <= THRESHOLDS.onepager_unused


def test_a_full_citation_printed_twice_is_found_and_a_short_form_after_the_first_passes(tmp_path: Path) -> None:
    full = "<span class=source-full>Byman et al., <cite>Cracks</cite> (CSIS, 2025)</span>"
    notes = ("<p>Text<a href='#note-1'>1</a><a href='#note-2'>2</a></p><section class=source-notes><ol>"
             f"<li id=note-1>{full}, \u201cOne.\u201d</li><li id=note-2>{{0}}, \u201cTwo.\u201d</li></ol></section>")
    assert "repeated-citation" in found(tmp_path, two_pages(notes.format(full)))
    assert "repeated-citation" not in found(tmp_path, two_pages(notes.format("<cite>Cracks</cite>")))


def test_a_figure_alone_on_an_empty_page_is_found_and_one_with_its_text_is_not(tmp_path: Path) -> None:
    figure = ("<figure class=data-figure style='margin: 0'><svg width='200' height='60'><title>Arms sales</title></svg>"
              "<figcaption>Figure 1.1. Arms sales.</figcaption></figure>")
    alone = f"<p>{WORDS[:300]}</p><div style='break-before: page'>{figure}</div><div style='break-before: page'>x</div>"
    assert "figure-alone" in found(tmp_path, alone)
    kept = f"<p>{WORDS[:300]}</p>{figure}<p>{WORDS}</p>"
    assert "figure-alone" not in found(tmp_path, kept)


def test_a_pull_quote_fragment_or_hyphenated_is_found_and_a_whole_sentence_passes(tmp_path: Path) -> None:
    quote = "<figure class=pull-quote><blockquote><p style='{1}'>{0}</p></blockquote></figure>"
    fragment = found(tmp_path, two_pages(quote.format("one-step-forward-two-steps-back situation,", "")))
    assert "pull-quote" in fragment
    hyphenated = found(tmp_path, two_pages(quote.format("Interoperability representatives communicate.",
                                                        "width: 50pt; hyphens: auto")))
    assert "pull-quote" in hyphenated
    assert "pull-quote" not in found(tmp_path, two_pages(quote.format("If they don't pay, we won't defend them.", "")))


def test_a_sentence_printed_twice_is_found_and_printed_once_passes(tmp_path: Path) -> None:
    fact = "The United States provided most of the intelligence the partners shared."
    body = "<aside class=sidebar><dl><dd>{0}</dd></dl></aside><ul class=examples><li>{1}<sup class=note-ref>1</sup></li></ul>"
    assert "repeated-fact" in found(tmp_path, two_pages(body.format(fact, fact)))
    assert "repeated-fact" not in found(tmp_path, two_pages(body.format(fact, "Allies doubt U.S. resolve in a crisis.")))


def test_a_headline_figure_printed_again_in_the_text_is_found_and_printed_once_passes(tmp_path: Path) -> None:
    box = "<dl><dt class=figure>90 percent</dt><dd>of what the Five Eyes shared with Australia.</dd></dl>"
    again = "<p>Australia received 90% of its shared intelligence from Washington in 2017.</p>"
    other = "<p>Australia joined the partnership after the Second World War ended.</p>"
    assert "repeated-fact" in found(tmp_path, two_pages(box + again))
    assert "repeated-fact" not in found(tmp_path, two_pages(box + other))


def test_a_figure_pages_after_the_paragraph_citing_it_is_found_and_one_on_the_next_page_passes(
        tmp_path: Path) -> None:
    cites = "<p>Allies shared less than they received (Figure 12.1).</p>"
    figure = "<figure class=data-figure><svg width=100 height=20 role=img aria-label=Shares><title>Shares</title></svg><figcaption>Figure 12.1. Shares</figcaption></figure>"
    filler = "<div style='break-before: page'><p>Other text.</p></div>"
    assert "figure-far" in found(tmp_path, cites + filler + filler + f"<div style='break-before: page'>{figure}</div>")
    assert "figure-far" not in found(tmp_path, cites + f"<div style='break-before: page'>{figure}</div>" + filler)
