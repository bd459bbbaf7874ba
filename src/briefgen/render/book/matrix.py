"""The obstacle-by-alliance matrix figure as SVG, in the brand's colours."""
from __future__ import annotations

import math

from markupsafe import Markup, escape

from briefgen.content.model import Alliance, Obstacle

#: Inter averages about 0.6 em a character: the room a label needs, so no label is ever clipped or cut short.
CHAR_EM = 0.6


def linked_pairs(obstacles: list[Obstacle], alliances: list[Alliance]) -> set[tuple[str, str]]:
    """Every (obstacle id, alliance id) the cross-links tie together, from either side."""
    linked = {(o.id, a) for o in obstacles for a in o.affected_alliances}
    return linked | {(oid, a.id) for a in alliances for oid in a.related_obstacles}


def shown_rows(obstacles: list[Obstacle], alliances: list[Alliance]) -> tuple[list[Obstacle], list[Obstacle]]:
    """The obstacles tied to at least one alliance (the matrix's rows), and those tied to none (the caption's)."""
    linked = linked_pairs(obstacles, alliances)
    ids = {a.id for a in alliances}
    rows = [o for o in obstacles if any((o.id, a) in linked for a in ids)]
    return rows, [o for o in obstacles if o not in rows]


def matrix_svg(obstacles: list[Obstacle], alliances: list[Alliance], colors: dict[str, str] | None = None) -> Markup:
    """Draw which obstacles (rows) affect which alliances (columns) as an SVG grid sized for a printed page, with
    full labels and labelled totals."""
    c = colors or {}
    ink, muted, head_ink = c.get("foreground", "#1d232b"), c.get("tertiary", "#5b6673"), c.get("primary", "#14304f")
    band, rule, dot = c.get("light", "#eef2f6"), c.get("rule", "#c9d1da"), c.get("secondary", "#b5472f")
    width = 500.0  # points: the text block of a Letter page
    cols, rows = max(1, len(alliances)), max(1, len(obstacles))
    font = 7.0
    label_w = max(len(o.name) for o in obstacles) * font * CHAR_EM + 10 if obstacles else 100.0
    cell = max(9.0, min(20.0, (width - label_w - 40) / cols, 480.0 / rows))
    longest = max((len(a.short_name or a.name) for a in alliances), default=10)
    head = longest * font * CHAR_EM * math.sin(math.radians(60)) + 14
    grid_w, grid_h = cols * cell, rows * cell
    total_w, total_h = label_w + grid_w + 40, head + grid_h + 26
    linked = linked_pairs(obstacles, alliances)
    out = [f'<svg xmlns="http://www.w3.org/2000/svg" class="matrix-svg" role="img" '
           f'width="{total_w:.1f}pt" height="{total_h:.1f}pt" viewBox="0 0 {total_w:.1f} {total_h:.1f}" '
           f'font-family="Inter, sans-serif" font-size="{font:.1f}">',
           "<title>Which obstacles affect which alliances</title>"]
    x0, y0 = label_w, head
    out.append(f'<text x="{x0 + grid_w + 8:.1f}" y="{y0 - 6:.1f}" fill="{muted}" font-weight="600">Total</text>')
    for r, o in enumerate(obstacles):
        y = y0 + r * cell
        if r % 2 == 0:
            out.append(f'<rect x="0" y="{y:.1f}" width="{label_w + grid_w:.1f}" height="{cell:.1f}" fill="{band}"/>')
        out.append(f'<text x="{label_w - 6:.1f}" y="{y + cell * 0.66:.1f}" text-anchor="end" fill="{ink}">'
                   f"{escape(o.name)}</text>")
        count = sum((o.id, a.id) in linked for a in alliances)
        out.append(f'<text x="{x0 + grid_w + 8:.1f}" y="{y + cell * 0.66:.1f}" fill="{muted}" '
                   f'font-weight="600">{count}</text>')
    for i, a in enumerate(alliances):
        x = x0 + i * cell + cell / 2
        out.append(f'<text transform="translate({x + font * 0.35:.1f},{y0 - 6:.1f}) rotate(-60)" fill="{head_ink}" '
                   f'font-weight="600">{escape(a.short_name or a.name)}</text>')
        count = sum((o.id, a.id) in linked for o in obstacles)
        out.append(f'<text x="{x:.1f}" y="{y0 + grid_h + 13:.1f}" text-anchor="middle" fill="{muted}" '
                   f'font-weight="600">{count}</text>')
    out.append(f'<text x="{label_w - 6:.1f}" y="{y0 + grid_h + 13:.1f}" text-anchor="end" fill="{muted}" '
               f'font-weight="600">Total</text>')
    for i in range(cols + 1):
        x = x0 + i * cell
        out.append(f'<line x1="{x:.1f}" y1="{y0:.1f}" x2="{x:.1f}" y2="{y0 + grid_h:.1f}" stroke="{rule}" '
                   'stroke-width="0.5"/>')
    for j in range(rows + 1):
        y = y0 + j * cell
        out.append(f'<line x1="{x0:.1f}" y1="{y:.1f}" x2="{x0 + grid_w:.1f}" y2="{y:.1f}" stroke="{rule}" '
                   'stroke-width="0.5"/>')
    for r, o in enumerate(obstacles):
        for i, a in enumerate(alliances):
            if (o.id, a.id) in linked:
                cx, cy = x0 + i * cell + cell / 2, y0 + r * cell + cell / 2
                out.append(f'<circle cx="{cx:.1f}" cy="{cy:.1f}" r="{cell * 0.3:.1f}" fill="{dot}"/>')
    out.append("</svg>")
    return Markup("".join(out))
