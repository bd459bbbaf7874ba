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
    """One selector of a stylesheet that names fit classes, compiled (None: one this module cannot judge)."""

    classes: frozenset[str]
    selector: Any


def fit_rules(css_texts: list[str]) -> list[FitRule]:
    """Every selector of CSS_TEXTS naming a fit class, in @media and @supports blocks too."""
    import cssselect2
    import tinycss2

    out: list[FitRule] = []

    def visit(rules: list[Any]) -> None:
        for rule in rules:
            if rule.type == "qualified-rule":
                for text in tinycss2.serialize(rule.prelude).split(","):
                    classes = frozenset(FIT_CLASS.findall(text))
                    if classes:
                        out.append(FitRule(classes, _compiled(cssselect2, text.strip())))
            elif rule.type == "at-rule" and rule.content is not None:
                inner = tinycss2.serialize(rule.content)
                if FIT_CLASS.search(inner):
                    if rule.lower_at_keyword in ("media", "supports"):
                        visit(tinycss2.parse_rule_list(rule.content, skip_comments=True, skip_whitespace=True))
                    else:  # a fit class in a rule this module does not read: every such class counts as live
                        out.append(FitRule(frozenset(FIT_CLASS.findall(inner)), None))

    for css in css_texts:
        visit(tinycss2.parse_stylesheet(css, skip_comments=True, skip_whitespace=True))
    return out


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
    found = _BODY_CLASS.search(html)
    if found is None or "<link" in html or "<style" in html:
        return None
    classes = found.group(1).split()
    fits = [c for c in classes if c.startswith(PREFIXES)]
    plain = html[:found.start(1)] + " ".join(c for c in classes if not c.startswith(PREFIXES)) + html[found.end(1):]
    if not fits:
        return plain, frozenset()
    import cssselect2
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
            body.set("class", found.group(1))
    root = cssselect2.ElementWrapper.from_html_root(tree)
    live: set[str] = set()
    for rule in rules:
        if not (rule.classes & set(fits)) or rule.classes <= live:
            continue
        if rule.selector is None or next(root.query_all(*rule.selector), None) is not None:
            live |= rule.classes & set(fits)
    return plain, frozenset(live)
