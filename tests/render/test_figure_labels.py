"""A data figure's bar labels wrap inside the figure: a browser cuts text at an inline SVG's edge."""
from __future__ import annotations

import html
import re

from briefgen.content.model import DataFigure, FigureItem
from briefgen.render.furniture import FIGURE_LABEL_CHARS, FIGURE_LABEL_LEAD, figure_svg

LONG = ("South Korea's signals intelligence (SIGINT) and imagery intelligence (IMINT) on North Korea "
        "(2016 study)")


def _figure(*labels: str) -> DataFigure:
    items = [FigureItem(label=label, value=f"{80 + i} percent", cite="csis-2025#L1") for i, label in enumerate(labels)]
    return DataFigure(title="Share of intelligence", unit="percent", items=items, cite="csis-2025#L1")


def _height(svg: str) -> float:
    return float(re.search(r'height="([\d.]+)pt"', svg).group(1))


def test_a_long_label_wraps_into_lines_within_the_figure_and_the_figure_grows() -> None:
    short = str(figure_svg(_figure("Australia (2017)", "Japan (2018)"), {}, 1))
    long = str(figure_svg(_figure("Australia (2017)", LONG), {}, 1))
    lines = [html.unescape(t) for t in re.findall(r"<tspan[^>]*>([^<]*)</tspan>", long)]
    assert len(lines) == 3 and " ".join(lines[1:]) == LONG  # every word kept, in order
    assert all(len(line) <= FIGURE_LABEL_CHARS for line in lines)
    assert _height(long) == _height(short) + FIGURE_LABEL_LEAD
    assert "<title>Figure 1. Share of intelligence. " in long and LONG.replace("'", "&#39;") in long  # alt text whole
