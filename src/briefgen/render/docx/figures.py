"""Data figures as PNG bar charts (drawn here, no imaging library): bars in the brand's colours, values in alt text."""
from __future__ import annotations

import re
import struct
import zlib

from briefgen.content.model import DataFigure

WIDTH, BAR, GAP = 600, 28, 14


def _value(text: str) -> float | None:
    m = re.search(r"\d[\d,]*(?:\.\d+)?", text)
    return float(m[0].replace(",", "")) if m else None


def _rgb(hex_colour: str) -> bytes:
    h = hex_colour.lstrip("#")
    return bytes(int(h[i:i + 2], 16) for i in (0, 2, 4))


def bar_chart_png(figure: DataFigure, colours: dict[str, str]) -> bytes:
    """FIGURE's bars, one row each, scaled to the largest value; the labels are in the caption and alt text."""
    values = [_value(item.value) or 0.0 for item in figure.items]
    top = max(values) or 1.0
    height = GAP + len(values) * (BAR + GAP)
    paper, bar, rule = _rgb(colours["background"]), _rgb(colours["primary"]), _rgb(colours["rule"])
    rows = []
    for y in range(height):
        band = (y - GAP) // (BAR + GAP)
        inside = 0 <= band < len(values) and (y - GAP) % (BAR + GAP) < BAR
        length = int((WIDTH - 20) * values[band] / top) if inside else 0
        row = bytearray(b"\x00")  # filter type: none
        for x in range(WIDTH):
            row += rule if x == 10 else bar if inside and 10 < x <= 10 + length else paper
        rows.append(bytes(row))
    raw = zlib.compress(b"".join(rows), 9)

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)

    header = struct.pack(">IIBBBBB", WIDTH, height, 8, 2, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", raw) + chunk(b"IEND", b"")


def alt_text(figure: DataFigure) -> str:
    """What the figure shows, in words: its title, unit and every bar's label and value."""
    bars = "; ".join(f"{item.label}: {item.value}" for item in figure.items)
    return f"Bar chart: {figure.title} (values in {figure.unit}). {bars}."
