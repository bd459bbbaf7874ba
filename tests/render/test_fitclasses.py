"""Fit classes no stylesheet rule acts on in a document: its fit levels with and without them lay out alike."""
from __future__ import annotations

from briefgen.render.fitclasses import acts_after, fit_rules, layout_key

CSS = """
body.brief.fit-last-action .recommendation .actions li:last-child { break-before: auto; }
@media print { body.brief.fit-open p, body.brief.fit-open li { margin-bottom: 6pt; } }
body.brief.fit-carry-last .brief-body > :has(+ .source-notes) { break-before: page; }
"""


def _brief(classes: str, body: str) -> str:
    return f'<html><head><title>t</title></head><body class="brief obstacle {classes}">{body}</body></html>'


#: A brief body with a paragraph and its notes, and no recommendation card.
NOTES_BODY = '<div class="brief-body"><p>Text.</p><section class="source-notes"><ol><li>n</li></ol></section></div>'


def test_a_fit_class_no_rule_matches_lays_out_like_the_design() -> None:
    """A brief without recommendation cards: fit-last-action matches nothing, so its level keys like the design;
    fit-open (paragraphs, inside @media) and fit-carry-last (:has) match, so theirs differ."""
    rules = fit_rules([CSS])
    body = NOTES_BODY
    design = layout_key(_brief("", body), rules)
    assert layout_key(_brief("fit-last-action", body), rules) == design
    assert layout_key(_brief("fit-open", body), rules) != design
    assert layout_key(_brief("fit-carry-last", body), rules) != design
    assert layout_key(_brief("fit-last-action fit-open", body), rules) == layout_key(_brief("fit-open", body), rules)


def test_a_fit_class_is_live_where_its_rule_matches_and_unjudged_html_has_no_key() -> None:
    """With a card whose actions list has items, fit-last-action counts; HTML carrying its own styles is not judged."""
    rules = fit_rules([CSS])
    cards = '<div class="recommendation"><ul class="actions"><li>a</li><li>b</li></ul></div>'
    assert layout_key(_brief("fit-last-action", cards), rules) != layout_key(_brief("", cards), rules)
    assert layout_key(_brief("fit-open", "<style>p{}</style><p>x</p>"), rules) is None


SAME = """
.brief-body > .source-notes ol { columns: 2; column-gap: 18pt; }
body.brief.fit-notes-2col .source-notes ol { columns: 2; column-gap: 18pt; }
body.brief.fit-notes-wide .source-notes ol { columns: 2; column-gap: 30pt; }
body.brief.fit-notes-one .source-notes ol { columns: 1; }
body.brief.fit-notes-single .source-notes ol { columns: 1; }
@media print { body.brief.fit-notes-print .source-notes ol { columns: 2; } }
"""


def test_a_fit_class_whose_rule_sets_what_the_element_already_gets_lays_out_like_the_design() -> None:
    """Matching is not acting: a step that sets the notes in two columns where a plainer rule already does changes no
    element's style, so its level keys like the design; a different gap, a rule in @media, or two steps that together
    change what neither changes alone (each sets one column, which the other already gives) keep their classes."""
    rules = fit_rules([SAME])
    body = NOTES_BODY
    design = layout_key(_brief("", body), rules)
    assert layout_key(_brief("fit-notes-2col", body), rules) == design
    assert layout_key(_brief("fit-notes-wide", body), rules) != design
    assert layout_key(_brief("fit-notes-print", body), rules) != design
    one = layout_key(_brief("fit-notes-one", body), rules)
    both = layout_key(_brief("fit-notes-one fit-notes-single", body), rules)
    assert one != design and both is not None and both[1] == {"fit-notes-one", "fit-notes-single"}
    outside = '<p>Text.</p><section class="source-notes"><ol><li>n</li></ol></section>'  # no plainer rule matches
    assert layout_key(_brief("fit-notes-2col", outside), rules) != layout_key(_brief("", outside), rules)


AFTER = """
body.brief.fit-notes-1col .source-notes ol { columns: auto; }
body.brief.fit-open p { margin-bottom: 10pt; }
body.brief.fit-sidebar-tight .sidebar li { margin-bottom: 1.5pt; }
"""


def test_classes_that_style_only_what_follows_the_sidebar_act_after_it() -> None:
    """The source notes follow the sidebar, so fit-notes-1col acts after it; fit-open styles the paragraph before it
    (which places it) and fit-sidebar-tight what it holds: neither does. No sidebar: cannot tell."""
    rules = fit_rules([AFTER])
    body = ('<div class="brief-body"><section><p>Opening.</p></section><aside class="sidebar"><ul><li>f</li></ul>'
            '</aside><section><p>More.</p></section><section class="source-notes"><ol><li>n</li></ol></section></div>')
    html = _brief("fit-notes-1col fit-open fit-sidebar-tight", body)
    assert acts_after(html, frozenset({"fit-notes-1col"}), rules, "sidebar")
    assert not acts_after(html, frozenset({"fit-open"}), rules, "sidebar")
    assert not acts_after(html, frozenset({"fit-sidebar-tight"}), rules, "sidebar")
    assert not acts_after(html.replace("sidebar", "panel"), frozenset({"fit-notes-1col"}), rules, "sidebar")
