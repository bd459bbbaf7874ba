"""The obstacle-by-alliance matrix figure as SVG."""
from __future__ import annotations

from markupsafe import Markup, escape

from briefgen.content.model import Alliance, Obstacle


def _truncate(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "\u2026"


def matrix_svg(obstacles: list[Obstacle], alliances: list[Alliance]) -> Markup:
    """Draw which obstacles (rows) affect which alliances (columns) as an SVG grid sized for a printed page."""
    width = 500.0  # points: the text block of a Letter page
    label_w = 230.0
    cols, rows = max(1, len(alliances)), max(1, len(obstacles))
    cell = max(9.0, min(22.0, (width - label_w - 34) / cols, 520.0 / rows))
    head = 112.0
    grid_w, grid_h = cols * cell, rows * cell
    total_w = label_w + grid_w + 34
    total_h = head + grid_h + 30
    font = max(6.5, min(8.0, cell * 0.55))
    label_chars = int((label_w - 10) / (font * 0.6))  # Inter averages about 0.6 em a character; never clip
    linked = {(o.id, a) for o in obstacles for a in o.affected_alliances}
    linked |= {(oid, a.id) for a in alliances for oid in a.related_obstacles}
    out = [f'<svg xmlns="http://www.w3.org/2000/svg" class="matrix-svg" role="img" '
           f'width="{total_w:.1f}pt" height="{total_h:.1f}pt" viewBox="0 0 {total_w:.1f} {total_h:.1f}" '
           f'font-family="Inter, sans-serif" font-size="{font:.1f}">',
           "<title>Which obstacles affect which alliances</title>"]
    x0, y0 = label_w, head
    for r, o in enumerate(obstacles):
        y = y0 + r * cell
        if r % 2 == 0:
            out.append(f'<rect x="0" y="{y:.1f}" width="{label_w + grid_w:.1f}" height="{cell:.1f}" fill="#eef2f6"/>')
        out.append(f'<text x="{label_w - 6:.1f}" y="{y + cell * 0.68:.1f}" text-anchor="end" fill="#1d232b">'
                   f"{escape(_truncate(o.name, label_chars))}</text>")
        count = sum((o.id, a.id) in linked for a in alliances)
        out.append(f'<text x="{x0 + grid_w + 8:.1f}" y="{y + cell * 0.68:.1f}" fill="#5b6673" '
                   f'font-weight="600">{count}</text>')
    for c, a in enumerate(alliances):
        x = x0 + c * cell + cell / 2
        label = escape(_truncate(a.short_name or a.name, 24))
        out.append(f'<text transform="translate({x + font * 0.35:.1f},{y0 - 6:.1f}) rotate(-60)" fill="#14304f" '
                   f'font-weight="600">{label}</text>')
        count = sum((o.id, a.id) in linked for o in obstacles)
        out.append(f'<text x="{x:.1f}" y="{y0 + grid_h + 14:.1f}" text-anchor="middle" fill="#5b6673" '
                   f'font-weight="600">{count}</text>')
    for i in range(cols + 1):
        x = x0 + i * cell
        out.append(f'<line x1="{x:.1f}" y1="{y0:.1f}" x2="{x:.1f}" y2="{y0 + grid_h:.1f}" stroke="#c9d1da" '
                   'stroke-width="0.5"/>')
    for j in range(rows + 1):
        y = y0 + j * cell
        out.append(f'<line x1="{x0:.1f}" y1="{y:.1f}" x2="{x0 + grid_w:.1f}" y2="{y:.1f}" stroke="#c9d1da" '
                   'stroke-width="0.5"/>')
    for r, o in enumerate(obstacles):
        for c, a in enumerate(alliances):
            if (o.id, a.id) in linked:
                cx, cy = x0 + c * cell + cell / 2, y0 + r * cell + cell / 2
                out.append(f'<circle cx="{cx:.1f}" cy="{cy:.1f}" r="{cell * 0.3:.1f}" fill="#b5472f"/>')
    out.append("</svg>")
    return Markup("".join(out))

