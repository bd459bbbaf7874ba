"""Anchors: heading slugs, lead-in labels, and the unique anchor assigned to each node."""
from __future__ import annotations

import re

from briefgen.seeds.outline.model import Node, Outline


def slugify(text: str) -> str:
    """Turn a heading into a stable anchor: lowercase words joined by hyphens (citations depend on it)."""
    text = re.sub(r"[_*`\[\]]", "", text).lower()
    text = re.sub(r"[’'`.]", "", text)
    return re.sub(r"[^a-z0-9]+", "-", text).strip("-")


_OBSTACLE_PREFIX = re.compile(r"^(?:obstacle|challenge|problem|barrier|step|pillar|part|chapter)\s+\d+\s*[:.]\s*", re.I)
_TRAILING_PAREN = re.compile(r"\s*\([^()]*\)\s*$")


def label_slug(label: str) -> str:
    """Anchor for a lead-in, subsection or pair: drop an 'Obstacle 3:' prefix and a trailing (parenthesis)."""
    label = _OBSTACLE_PREFIX.sub("", label.strip())
    label = _TRAILING_PAREN.sub("", label) or label
    return slugify(label.rstrip(".:;,"))



def assign_anchors(outline: Outline) -> None:
    """Give anchored nodes unique, stable anchors: headings first (document order), then everything else.

    A later node whose anchor is taken is qualified by its section's anchor (`<section>-<slug>`), then numbered.
    """
    taken = outline.anchors
    next_suffix: dict[str, int] = {}

    def claim(node: Node, base: str) -> None:
        if not base:
            return
        candidates = [base]
        owner = next((p for p in reversed(node.path()) if p is not node and p.anchor), None)
        if owner is not None:
            candidates.append(f"{owner.anchor}-{base}")
        for cand in candidates:
            if cand not in taken:
                node.anchor = cand
                taken[cand] = node
                return
        n = next_suffix.get(candidates[-1], 2)  # resume where the last duplicate stopped (counting from 2 is quadratic)
        while f"{candidates[-1]}-{n}" in taken:
            n += 1
        next_suffix[candidates[-1]] = n + 1
        node.anchor = f"{candidates[-1]}-{n}"
        taken[node.anchor] = node

    nodes = list(outline.walk())
    headings = [n for n in nodes if n.kind == "section" and not n.attrs.get("pseudo")]
    for node in headings:
        claim(node, slugify(node.text))
    # The first of several same-named headings also answers to the qualified form the others get.
    seen: dict[str, list[Node]] = {}
    for node in headings:
        seen.setdefault(slugify(node.text), []).append(node)
    for slug, group in seen.items():
        first = group[0]
        owner = next((p for p in reversed(first.path()) if p is not first and p.anchor), None)
        if len(group) > 1 and owner is not None and f"{owner.anchor}-{slug}" not in taken:
            first.aliases.append(f"{owner.anchor}-{slug}")
            taken[first.aliases[-1]] = first
    for node in nodes:
        if node.attrs.get("pseudo"):
            claim(node, node.attrs["pseudo"])
    for node in nodes:
        if node.kind == "subsection" or node.kind == "pair" or (node.lead and node.kind in ("item", "paragraph")):
            claim(node, label_slug(node.title))
        elif node.kind == "figure" and node.attrs.get("number"):
            claim(node, f"figure-{node.attrs['number']}")
        elif node.kind == "table":
            claim(node, f"table-{node.attrs['number']}")
        elif node.kind == "row" and node.parent is not None and node.parent.anchor:
            claim(node, f"{node.parent.anchor}-row-{node.attrs['number']}")
        elif node.kind == "footnote":
            claim(node, f"footnote-{node.attrs['number']}")
