"""Page design rules of this round, each on a tiny real layout: a chart label cut at the drawing's edge is a finding,
a one-pager's list of two points uses both columns, a book chapter carries the sections before a lone figure onto its
page, and a brief's "carry the last two sections" step moves two sections (not one)."""
from __future__ import annotations

from pathlib import Path

from briefgen.render.audit import audit
from briefgen.render.pdf import lay_out

ROOT = Path(__file__).resolve().parents[2]
PAGE = ("<style>@page { size: 400pt 400pt; margin: 20pt; } body { font: 10pt/12pt serif; margin: 0; } "
        "h2 { font-size: 10pt; line-height: 12pt; margin: 0; } p { margin: 0; } ul { margin: 0; }</style>")


def layout(tmp_path: Path, body: str, style: str = "", body_class: str = ""):  # noqa: ANN201 - a render.pdf.Layout
    html = (f"<html lang=en><head><title>t</title>{PAGE}<style>{style}</style></head>"
            f"<body class='{body_class}'>{body}</body></html>")
    return lay_out(html, tmp_path, "t")


def codes(tmp_path: Path, body: str, kind: str = "onepager") -> list[str]:
    return [f.code for f in audit(layout(tmp_path, body).document, "t.pdf", kind)]


def chart(label: str) -> str:
    return ("<svg xmlns='http://www.w3.org/2000/svg' width='120pt' height='30pt' viewBox='0 0 120 30' "
            f"font-family='serif'><title>A chart</title><text x='0' y='12' font-size='8'><tspan x='0' dy='0'>{label}</tspan></text>"
            "<rect x='0' y='16' width='60' height='8'/><text x='64' y='24' font-size='8'>90 percent</text></svg>")


def test_a_chart_label_running_past_the_drawing_edge_is_found_and_one_inside_it_is_not(tmp_path: Path) -> None:
    cut = codes(tmp_path, chart("South Korea's signals intelligence on North Korea (2016 study)"))
    assert "figure-label-cut" in cut
    assert "figure-label-cut" not in codes(tmp_path, chart("Australia (2017)"))


def _stylesheet(name: str) -> str:
    return (ROOT / "templates" / "css" / name).read_text(encoding="utf-8")


def _pages_of(layout_, words: str) -> set[int]:
    """The pages (1-based) whose text holds WORDS."""
    from briefgen.render.audit import _line_text, _walk
    from weasyprint.formatting_structure import boxes

    return {n + 1 for n, page in enumerate(layout_.document.pages) for box, _a in _walk(page._page_box)
            if isinstance(box, boxes.LineBox) and words in _line_text(box)}


def test_a_one_pager_list_of_two_points_sets_one_in_each_column(tmp_path: Path) -> None:
    body = ("<div class='columns single'><section><h2>Why it matters</h2><ul><li>First point, short.</li>"
            "<li>Second point, a little longer than the first one is.</li></ul></section></div>")
    laid = layout(tmp_path, body, _stylesheet("print.css"), "onepager")
    xs = {}
    from briefgen.render.audit import _line_text, _walk
    from weasyprint.formatting_structure import boxes

    for box, _a in _walk(laid.document.pages[0]._page_box):
        if isinstance(box, boxes.LineBox) and "point" in _line_text(box):
            xs.setdefault(_line_text(box).split(",")[0], box.position_x)
    assert xs["Second point"] > xs["First point"] + 100  # side by side, not both in the first column


def test_the_figures_push_step_carries_the_two_sections_before_the_figures_onto_their_page(tmp_path: Path) -> None:
    chapter = ("<article class=chapter><section class=takeaways><p>Takeaways.</p></section>"
               "<section class=points><h2>How it shows up</h2><p>Shows up.</p></section>"
               "<section class=examples><h2>Examples</h2><p>An example.</p></section>"
               "<section class=data-figures><h2>In figures</h2><p>Chart.</p></section></article>")
    css = _stylesheet("print.css") + _stylesheet("book.css")
    assert layout(tmp_path, chapter, css, "book").pages == 1
    pushed = layout(tmp_path, chapter, css, "book push-carry-figures")
    assert _pages_of(pushed, "Takeaways.") == {1}
    assert _pages_of(pushed, "Shows up.") == _pages_of(pushed, "An example.") == _pages_of(pushed, "Chart.") == {2}


def test_the_brief_carry_two_step_moves_the_two_sections_before_the_notes(tmp_path: Path) -> None:
    brief = ("<main class=brief-body><section><p>Opening.</p></section><section><p>Second last.</p></section>"
             "<section><p>Last.</p></section><section class=source-notes><p>Notes.</p></section></main>")
    laid = layout(tmp_path, brief, _stylesheet("print.css"), "brief fit-carry-two")
    assert _pages_of(laid, "Opening.") == {1}
    assert _pages_of(laid, "Second last.") == _pages_of(laid, "Last.") == {2}


def test_a_body_line_broken_early_is_found_and_a_paragraph_set_evenly_is_not(tmp_path: Path) -> None:
    words = "The alliance sets its plans in common and shares the burden of defence among its members " * 3
    early = f"<div style='break-after: page'><p>The<br>{words}</p></div><p>End.</p>"
    assert "early-break" in codes(tmp_path, early, "brief")
    assert "early-break" not in codes(tmp_path, f"<div style='break-after: page'><p>{words}</p></div><p>End.</p>",
                                      "brief")


def test_a_name_takes_the_space_before_it_so_weasyprint_does_not_break_the_line_at_its_first_space() -> None:
    from briefgen.render.context import protect_names

    assert protect_names("<p>Poland on September 17</p>") == '<p>Poland on<span class="name"> September</span> 17</p>'
    assert protect_names("<p>Washington said</p>") == '<p><span class="name">Washington</span> said</p>'


def test_a_line_ending_before_a_name_is_not_broken_after_the_first_word(tmp_path: Path) -> None:
    """The executive credibility-and-trust Examples item: Noto Serif 10.5pt in a 4.87in measure broke after "The"."""
    from briefgen.render.context import protect_names

    text = ("The United States canceled its missile defense plans with Poland on September 17, 2009, the 70th "
            "anniversary of Russia\u2019s invasion of Poland, as one Polish official recalled.")
    style = ("@font-face { font-family: NS; src: url(fonts/NotoSerif-Regular.ttf) } "
             "body { font: 10.5pt/1.45 NS; width: 4.87in } ul { padding-left: 1.15em } li { padding-left: 2pt; "
             "hyphens: auto } .name { hyphens: manual }")
    html = (f"<html lang=en><head><title>t</title><style>{style}</style></head><body>"
            f"{protect_names(f'<ul><li>{text}</li></ul>')}<p style='break-before: page'>End.</p></body></html>")
    laid = lay_out(html, ROOT, "t")
    assert "early-break" not in [f.code for f in audit(laid.document, "t.pdf", "brief")]


def _card_page(extra: str = "") -> str:
    filler = "".join(f"<p>Line {i} of the opening.</p>" for i in range(13))
    last = " ".join(["The last action runs on for a while so that it sets in many lines of text."] * 6)
    card = ("<section class=recommendations><ol class=rec-list><li class=recommendation><h3>Revamp the culture</h3>"
            "<p>Why the card matters.</p><ul class=actions><li>First action.</li>"
            f"<li style='break-inside: avoid'>{last}</li></ul></li></ol></section>")
    return f"<main class=brief-body>{filler}{card}</main><style>{extra}</style>"


def test_a_brief_card_split_across_pages_leaves_no_empty_slab_of_tint(tmp_path: Path) -> None:
    css = _stylesheet("print.css") + (":root { --color-tint: #dde4ee; } @page { margin: 20pt; } "
                                      "html body .brief-body { margin-right: 0; } "  # the last action may start a page:
                                      "html body.brief .recommendation .actions > li:last-child "
                                      "{ break-before: auto; }")
    split = layout(tmp_path, _card_page(), css, "brief")
    assert split.pages == 2
    assert "empty-tint" not in [f.code for f in audit(split.document, "t.pdf", "brief")]
    painted_card = layout(tmp_path, _card_page("html body.brief .recommendation { background: #dde4ee; }"), css,
                          "brief")  # the tint on the card itself, as before: its box runs to the page foot
    assert "empty-tint" in [f.code for f in audit(painted_card.document, "t.pdf", "brief")]


def test_opening_or_tightening_a_brief_leaves_the_title_band_as_designed(tmp_path: Path) -> None:
    from briefgen.render.audit import _walk
    from weasyprint.formatting_structure import boxes

    band = ("<header class=masthead><p class=doc-kind><span>Policy brief</span></p><h1 class=doc-title>NATO</h1>"
            "<p class=doc-meta><span>Edition 2</span></p></header><p>Text.</p>")

    def height(step: str) -> float:
        laid = layout(tmp_path, band, _stylesheet("print.css"), f"brief {step}")
        return next(b.margin_height() for b, _a in _walk(laid.document.pages[0]._page_box)
                    if isinstance(b, boxes.BlockBox) and b.element_tag == "header")

    assert height("fit-open") == height("fit-tighten") == height("")


def test_a_right_aligned_chart_label_in_the_drawing_s_own_type_size_is_measured_as_set(tmp_path: Path) -> None:
    """The book's matrix: row labels end at x, in the SVG's font-size (7), and its turned column heads are skipped."""
    svg = ("<svg xmlns='http://www.w3.org/2000/svg' width='200pt' height='30pt' viewBox='0 0 200 30' "
           "font-family='serif' font-size='7'><title>A matrix</title>"
           "<text x='190' y='12' text-anchor='end'>High complexity and cost of weapons systems</text>"
           "<text transform='translate(5,28) rotate(-60)'>A turned heading that is rather long indeed</text></svg>")
    assert "figure-label-cut" not in codes(tmp_path, svg)
    assert "figure-label-cut" in codes(tmp_path, svg.replace("x='190'", "x='100'"))


def test_a_card_s_short_last_action_is_not_left_alone_on_the_next_page(tmp_path: Path) -> None:
    css = _stylesheet("print.css") + "@page { margin: 20pt; } html body .brief-body { margin-right: 0; }"
    first = " ".join(["The first action runs on for several lines of text in the card."] * 4)

    def page(lines: int, extra: str = "") -> str:
        filler = "".join(f"<p>Line {i} of the opening.</p>" for i in range(lines))
        return (f"<main class=brief-body>{filler}<section class=recommendations><ol class=rec-list>"
                "<li class=recommendation><h3>Revamp the culture</h3><p>Why the card matters.</p><ul class=actions>"
                f"<li style='break-inside: avoid'>{first}</li><li>Last action, short.</li></ul></li></ol></section>"
                f"</main><style>{extra}</style>")

    loose = "html body.brief .recommendation .actions > li:last-child { break-before: auto; }"
    for lines in range(4, 20):  # the opening's length that leaves the last action alone on page 2 without the rule
        laid = layout(tmp_path, page(lines, loose), css, "brief")
        if _pages_of(laid, "Last action, short.") == {2} and _pages_of(laid, "The first action runs") == {1}:
            break
    else:
        raise AssertionError("no opening length splits the card before its last action")
    kept = layout(tmp_path, page(lines), css, "brief")
    assert _pages_of(kept, "Last action, short.") == _pages_of(kept, "The first action runs") == {2}


def test_the_notes_over_step_starts_the_source_notes_on_the_last_page(tmp_path: Path) -> None:
    brief = ("<main class=brief-body><section><p>The brief's text.</p></section>"
             "<section class=source-notes><ol><li>A note.</li></ol></section></main>")
    css = _stylesheet("print.css")
    assert _pages_of(layout(tmp_path, brief, css, "brief"), "A note.") == {1}
    over = layout(tmp_path, brief, css, "brief fit-notes-over")
    assert _pages_of(over, "The brief's text.") == {1} and _pages_of(over, "A note.") == {2}


def test_a_long_what_changed_box_breaks_between_its_items_instead_of_leaving_page_one_blank(tmp_path: Path) -> None:
    items = "".join(f"<li>Item{i}. Revised, under the overview.</li>" for i in range(40))
    brief = (f"<main class=brief-body><p>Bottom line.</p><section class=what-changed><h2>What changed</h2>"
             f"<ul>{items}</ul></section></main>")
    laid = layout(tmp_path, brief, _stylesheet("print.css") + "@page { margin: 20pt; }", "brief")
    assert _pages_of(laid, "Item0.") == {1} and _pages_of(laid, "Item39.") == {laid.pages} != {1}
