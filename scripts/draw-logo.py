"""Draw the default brand's wordmark (brand/logo.svg, brand/logo-reverse.svg) with glyph outlines.

The words are outlined from the project's own Inter font, so the logo needs no font at render time.
Run once after changing the design: `.venv/bin/python scripts/draw-logo.py`.
"""
from __future__ import annotations

import math
from pathlib import Path

from fontTools.pens.svgPathPen import SVGPathPen
from fontTools.pens.transformPen import TransformPen
from fontTools.ttLib import TTFont

ROOT = Path(__file__).resolve().parents[1]
NAVY, BRICK, WHITE = "#14304f", "#b5472f", "#ffffff"


def outline(font_file: str, text: str, x: float, baseline: float, cap: float, tracking: float = 0.0) -> tuple[str, float]:
    """Return an SVG path of TEXT set in FONT_FILE with cap height CAP, and the advance width."""
    font = TTFont(ROOT / "fonts" / font_file)
    glyphs = font.getGlyphSet()
    cmap = font.getBestCmap()
    scale = cap / font["OS/2"].sCapHeight
    pen = SVGPathPen(glyphs, ntos=lambda v: f"{v:.2f}".rstrip("0").rstrip("."))
    start = x
    for i, char in enumerate(text):
        name = cmap[ord(char)]
        glyphs[name].draw(TransformPen(pen, (scale, 0, 0, -scale, x, baseline)))
        x += glyphs[name].width * scale + (tracking if i < len(text) - 1 else 0)
    return pen.getCommands(), x - start


def rings(ink: str, accent: str) -> str:
    """Two interlocking rings: the alliance mark."""
    r, w, cy = 13.0, 4.6, 24.0
    a, b = (17.0, cy), (33.0, cy)
    dy = math.sqrt(r * r - ((b[0] - a[0]) / 2) ** 2)
    # Redraw a short arc of the first ring over the second at the upper crossing, so they interlock.
    cross = (25.0, cy - dy)
    ang = math.atan2(cross[1] - a[1], cross[0] - a[0])
    p1 = (a[0] + r * math.cos(ang - 0.35), a[1] + r * math.sin(ang - 0.35))
    p2 = (a[0] + r * math.cos(ang + 0.35), a[1] + r * math.sin(ang + 0.35))
    return (f'<circle cx="{a[0]}" cy="{a[1]}" r="{r}" fill="none" stroke="{ink}" stroke-width="{w}"/>'
            f'<circle cx="{b[0]}" cy="{b[1]}" r="{r}" fill="none" stroke="{accent}" stroke-width="{w}"/>'
            f'<path d="M{p1[0]:.2f} {p1[1]:.2f} A{r} {r} 0 0 1 {p2[0]:.2f} {p2[1]:.2f}" fill="none" '
            f'stroke="{ink}" stroke-width="{w}"/>')


def logo(ink: str, accent: str, sub: str, title: str) -> str:
    """The wordmark: rings, LARKSPUR, and INSTITUTE FOR ALLIANCE STUDIES beneath it."""
    name, width = outline("Inter-Bold.otf", "LARKSPUR", 58, 27, 20, tracking=1.2)
    line, sub_width = outline("Inter-SemiBold.otf", "INSTITUTE FOR ALLIANCE STUDIES", 59, 41, 6.0, tracking=1.0)
    total = 58 + max(width, sub_width) + 2
    return (f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {total:.0f} 48" width="{total:.0f}" height="48" '
            f'role="img" aria-label="{title}"><title>{title}</title>'
            f'{rings(ink, accent)}<path d="{name}" fill="{ink}"/><path d="{line}" fill="{sub}"/></svg>\n')


if __name__ == "__main__":
    title = "Larkspur Institute for Alliance Studies"
    (ROOT / "brand").mkdir(exist_ok=True)
    (ROOT / "brand" / "logo.svg").write_text(logo(NAVY, BRICK, BRICK, title), encoding="utf-8")
    (ROOT / "brand" / "logo-reverse.svg").write_text(logo(WHITE, BRICK, WHITE, title), encoding="utf-8")
