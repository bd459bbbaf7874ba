"""Which of a document's fit classes its stylesheets act on: levels whose live classes match lay out alike."""
from __future__ import annotations

import logging
import re
from dataclasses import dataclass
from typing import Any

logger = logging.getLogger(__name__)

#: The prefixes of the classes the fit loops put on the body: a brief's and a one-pager's steps (render.fit), a book
#: chapter's tail and push steps (render.book.segments). A selector naming one is a fit rule.
PREFIXES = ("fit-", "tail-", "push-")
FIT_CLASS = re.compile(r"\.((?:" + "|".join(PREFIXES) + r")[A-Za-z0-9_-]+)")
_BODY_CLASS = re.compile(r'<body class="([^"]*)"')


@dataclass(frozen=True)
class FitRule:
    """One selector of a stylesheet that names fit classes, compiled (None: one this module cannot judge); or (no
    classes) a rule of no fit class that declares a property some fit rule declares too, which may win over it."""

    classes: frozenset[str]
    selector: Any
    #: What the rule declares, by longhand property: (value, !important). None: not read (judged as acting).
    declarations: dict[str, tuple[Any, bool]] | None = None
    #: Its place in the stylesheets' order (a later rule of equal weight wins).
    order: int = 0
    #: Whether it sits in an @media or @supports block (whether it applies is not judged here).
    conditional: bool = False


def fit_rules(css_texts: list[str]) -> list[FitRule]:
    """Every selector of CSS_TEXTS naming a fit class, in @media and @supports blocks too, with what it declares; and
    every other rule declaring a property some fit rule declares (whether a fit rule changes anything: _inert)."""
    import cssselect2
    import tinycss2

    out: list[FitRule] = []
    others: list[FitRule] = []

    def visit(rules: list[Any], conditional: bool) -> None:
        for rule in rules:
            if rule.type == "qualified-rule":
                prelude = tinycss2.serialize(rule.prelude)
                declared = _declarations(rule.content)
                order = len(out) + len(others)
                if not FIT_CLASS.search(prelude):
                    others.append(FitRule(frozenset(), _compiled(cssselect2, prelude.strip()), declared, order,
                                          conditional))
                    continue
                for text in prelude.split(","):
                    classes = frozenset(FIT_CLASS.findall(text))
                    if classes:  # a fit class under :not: what its absence does is not judged
                        out.append(FitRule(classes, _compiled(cssselect2, text.strip()),
                                           None if ":not(" in text else declared, order, conditional))
            elif rule.type == "at-rule" and rule.content is not None:
                inner = tinycss2.serialize(rule.content)
                if rule.lower_at_keyword in ("media", "supports"):
                    visit(tinycss2.parse_rule_list(rule.content, skip_comments=True, skip_whitespace=True), True)
                elif FIT_CLASS.search(inner):  # a fit class in a rule this module does not read: every such class
                    out.append(FitRule(frozenset(FIT_CLASS.findall(inner)), None))  # counts as live

    for css in css_texts:
        visit(tinycss2.parse_stylesheet(css, skip_comments=True, skip_whitespace=True), False)
    declared = {name for rule in out for name in (rule.declarations or ())}
    return out + [rule for rule in others if rule.declarations is None or declared & rule.declarations.keys()]


def _declarations(content: Any) -> dict[str, tuple[Any, bool]] | None:
    """A rule's declarations as WeasyPrint reads them (shorthands expanded), by property; None if it cannot."""
    import tinycss2
    from weasyprint.css.validation import preprocess_declarations

    try:
        items = preprocess_declarations("file:///", tinycss2.parse_blocks_contents(content))
        return {name: (value, important) for name, value, important in items}
    except Exception:  # noqa: BLE001 - declarations WeasyPrint's reader refuses: the rule is judged as acting
        return None


def _compiled(cssselect2: Any, text: str) -> Any:
    """TEXT compiled; a pseudo-element's selector matches its originating element (no element, no pseudo-element)."""
    try:
        return cssselect2.compile_selector_list(text)
    except Exception:  # noqa: BLE001 - a selector cssselect2 cannot compile: judged live
        return None


def layout_key(html: str, rules: list[FitRule],
               trees: dict[str, Any] | None = None) -> tuple[str, frozenset[str]] | None:
    """What HTML's layout depends on among its fit variants: the HTML without its fit classes, and the fit classes
    some rule matches an element of it with (None when it carries its own stylesheets: not judged).

    TREES keeps each variant's parsed tree by its HTML without fit classes, so a search through one document's levels
    parses it once (the body's class attribute is set to each level's before matching); one caller's, one thread's."""
    found = _judged_body(html)
    if found is None:
        return None
    classes = found.group(1).split()
    fits = [c for c in classes if c.startswith(PREFIXES)]
    plain = _plain_html(html, found)
    if not fits:
        return plain, frozenset()
    import cssselect2

    root = cssselect2.ElementWrapper.from_html_root(_tree(html, plain, found.group(1), trees))
    live: set[str] = set()
    for rule in rules:
        if not (rule.classes & set(fits)) or rule.classes <= live:
            continue
        if rule.selector is None or next(root.query_all(*rule.selector), None) is not None:
            live |= rule.classes & set(fits)
    return plain, frozenset(live - _inert(root, live, rules))


def _tree(html: str, plain: str, classes: str, trees: dict[str, Any] | None) -> Any:
    """HTML parsed, or its variant's tree from TREES (by PLAIN, its HTML without fit classes) given CLASSES."""
    import tinyhtml5

    tree = trees.get(plain) if trees is not None else None
    if tree is None:
        tree = tinyhtml5.parse(html)
        if trees is not None:
            trees[plain] = tree
    else:
        body = tree.find("{http://www.w3.org/1999/xhtml}body")
        if body is None:  # cannot happen for HTML the regex found a body in; parse this variant itself
            tree = tinyhtml5.parse(html)
        else:
            body.set("class", classes)
    return tree


def acts_after(html: str, classes: frozenset[str], rules: list[FitRule], marker: str,
               trees: dict[str, Any] | None = None) -> bool:
    """Whether every element the rules naming CLASSES match in HTML comes after the first element of class MARKER
    and all it holds, in document order: nothing those classes style can move that element up or change its size (a
    float is placed where its source order puts it, beside what follows). False when it cannot tell."""
    import cssselect2

    found = _judged_body(html)
    if found is None:
        return False
    tree = _tree(html, _plain_html(html, found), found.group(1), trees)
    order = {element: i for i, element in enumerate(tree.iter())}
    held = next((e for e in tree.iter() if marker in (e.get("class") or "").split()), None)
    if held is None:
        return False
    end = max(order[e] for e in held.iter())
    root = cssselect2.ElementWrapper.from_html_root(tree)
    for rule in rules:
        if not rule.classes & classes:
            continue
        if rule.selector is None or any(order[w.etree_element] <= end for w in root.query_all(*rule.selector)):
            return False
    return True


def plain_html(html: str) -> str | None:
    """HTML without the fit classes on its body: what its variants' layout keys share (None: HTML not judged)."""
    found = _judged_body(html)
    if found is None:
        return None
    return _plain_html(html, found)


def _judged_body(html: str) -> re.Match | None:
    """Where HTML's body class list is (_BODY_CLASS), or None when HTML is not judged here: no body class list, or
    stylesheets of its own (<link>, <style>) that the rules given do not cover."""
    found = _BODY_CLASS.search(html)
    return None if found is None or "<link" in html or "<style" in html else found


def _plain_html(html: str, found: re.Match) -> str:
    """HTML without the fit classes on its body (FOUND: where _BODY_CLASS found the body's class list)."""
    classes = found.group(1).split()
    return html[:found.start(1)] + " ".join(c for c in classes if not c.startswith(PREFIXES)) + html[found.end(1):]


def _inert(root: Any, live: set[str], rules: list[FitRule]) -> set[str]:
    """The LIVE classes whose rules, though they match, change no element's cascaded value: each declaration they
    make on an element is what the element gets without them (print.css sets the source notes in two columns; the
    step that does so again changes nothing). Judged one by one, then for all found at once (two classes setting
    what neither alone changes may change it together); any doubt leaves a class live."""
    doubtful = {c for rule in rules if rule.classes & live and not _plain(rule) for c in rule.classes}
    inert = {c for c in live - doubtful if _unchanged(root, {c}, rules)}
    return inert if len(inert) < 2 or _unchanged(root, inert, rules) else set()


def _unchanged(root: Any, classes: set[str], rules: list[FitRule]) -> bool:
    """Whether every element the rules naming CLASSES match gets from them what it gets without them."""
    others = [rule for rule in rules if not rule.classes & classes]
    for rule in rules:
        if not rule.classes & classes:
            continue
        for element in root.query_all(*rule.selector):
            for name in rule.declarations or ():
                now, without = _winner(element, name, rules), _winner(element, name, others)
                if now is _UNKNOWN or without is _UNKNOWN or now != without:
                    return False
    return True


def _plain(rule: FitRule) -> bool:
    """Whether a fit rule's effect can be judged: compiled, its declarations read (not under :not), on the element
    itself (no pseudo-element), applying unconditionally."""
    return (rule.selector is not None and rule.declarations is not None and not rule.conditional
            and all(s.pseudo_element is None for s in rule.selector))


#: A winner this module cannot name (a rule it cannot judge, or one in an @media block, may set the property).
_UNKNOWN = object()


def _winner(element: Any, name: str, rules: list[FitRule]) -> Any:
    """The value of property NAME the rules of RULES matching ELEMENT give it (None: none sets it; _UNKNOWN)."""
    best: tuple[tuple, Any] | None = None
    for rule in rules:
        if rule.declarations is not None and name not in rule.declarations:
            continue
        if rule.selector is None or rule.declarations is None or rule.conditional:
            if rule.selector is None or any(s.pseudo_element is None and s.test(element) for s in rule.selector):
                return _UNKNOWN
            continue
        weights = [s.specificity for s in rule.selector if s.pseudo_element is None and s.test(element)]
        if weights:
            value, important = rule.declarations[name]
            key = (important, max(weights), rule.order)
            if best is None or key > best[0]:
                best = (key, value)
    return None if best is None else best[1]
