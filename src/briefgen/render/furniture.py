"""The furniture of a professional brief: author lines, the suggested citation and small data figures (SVG)."""
from __future__ import annotations

import textwrap
from typing import Any

from markupsafe import Markup, escape

from briefgen.config.project import Author, ProjectConfig
from briefgen.content.model import DataFigure
from briefgen.content.provenance import figure_number

#: Width of a data figure in points: it fits beside the page-one sidebar (2.1in + gutter) on a Letter page.
FIGURE_WIDTH = 330.0
#: Text sizes inside a figure, in points (print floor: 7pt).
FIGURE_LABEL_PT, FIGURE_VALUE_PT = 8.0, 8.5
#: Characters of a bar's label per line: the figure's width over a generous average glyph width of the label size
#: (0.6 em), so a wrapped label never runs past the figure's edge (a browser clips it there).
FIGURE_LABEL_CHARS = int(FIGURE_WIDTH / (FIGURE_LABEL_PT * 0.6))
#: The height of each further line of a wrapped label, in points.
FIGURE_LABEL_LEAD = 10.0


def names(authors: list[Author]) -> str:
    """The authors' names as a citation lists them: 'A', 'A and B', 'A, B, and C'."""
    people = [a.name for a in authors]
    if len(people) <= 2:
        return " and ".join(people)
    return ", ".join(people[:-1]) + ", and " + people[-1]


def edition_parts(edition: Any) -> tuple[str, str]:
    """(edition label, 'Updated <date>') of an edition, or empty strings where it has none."""
    if edition is None:
        return "", ""
    number = getattr(edition, "number", None)
    # The number alone: an edition's own label ("Edition 2 · Updated ...") carries the date, said once after it.
    label = f"Edition {number}" if number else str(getattr(edition, "label", "") or "").split(" \u00b7 ")[0]
    date = getattr(edition, "date", None)
    return str(label), (f"Updated {date.strftime('%B %-d, %Y')}" if date else "")


def suggested_citation(config: ProjectConfig, title: str, kind_label: str, doc_number: str = "",
                       edition: Any = None) -> str:
    """A Chicago-style citation of one document: authors, "Title," kind, publisher, number, edition, date.

    Parts that are empty are left out, so a project without named authors starts at the title.
    """
    label, updated = edition_parts(edition)
    head = names(config.authors)
    parts = [f"\u201c{title},\u201d", kind_label, config.author, doc_number, label, updated]
    body = ", ".join(p for p in parts[1:] if p)
    text = f"{parts[0]} {body}" if body else parts[0].rstrip(",\u201d") + "\u201d"
    return (f"{head}, {text}" if head else text).rstrip(".") + "."


def figure_svg(figure: DataFigure, colors: dict[str, str], number: int | str) -> Markup:
    """Draw FIGURE as horizontal bars, a label above each, its value at the bar's end, in brand colours.

    The SVG is an image with a title and a description listing every value (screen readers read it in full);
    sizes are points, so the text prints at FIGURE_LABEL_PT and FIGURE_VALUE_PT.
    """
    bar_colour = colors.get("primary", "#14304f")
    text_colour = colors.get("foreground", "#1d232b")
    track_colour = colors.get("light", "#eef2f6")
    values = [figure_number(item) or 0.0 for item in figure.items]
    top = max(values) or 1.0
    value_room = 64.0
    span = FIGURE_WIDTH - value_room
    row = 30.0
    labels = [textwrap.wrap(item.label, FIGURE_LABEL_CHARS) or [""] for item in figure.items]
    height = sum(row + FIGURE_LABEL_LEAD * (len(lines) - 1) for lines in labels) + 4
    desc = "; ".join(f"{item.label}: {item.value}" for item in figure.items) + f" (values in {figure.unit})."
    # The title is what a PDF reader reads aloud (the Figure's /Alt): the figure's name and every value.
    title = f"Figure {number}. {figure.title}. {desc}"
    out = [f'<svg xmlns="http://www.w3.org/2000/svg" class="data-figure-svg" role="img" '
           f'width="{FIGURE_WIDTH:.0f}pt" '
           f'height="{height:.0f}pt" viewBox="0 0 {FIGURE_WIDTH:.0f} {height:.0f}" font-family="Inter, sans-serif">',
           f"<title>{escape(title)}</title>",
           f"<desc>{escape(desc)}</desc>"]
    y = 0.0
    for item, value, lines in zip(figure.items, values, labels):
        width = max(1.5, span * value / top)
        spans = "".join(f'<tspan x="0" dy="{0 if n == 0 else FIGURE_LABEL_LEAD:g}">{escape(line)}</tspan>'
                        for n, line in enumerate(lines))
        out.append(f'<text x="0" y="{y + 9:.1f}" font-size="{FIGURE_LABEL_PT:g}" fill="{text_colour}">{spans}</text>')
        y += FIGURE_LABEL_LEAD * (len(lines) - 1)
        out.append(f'<rect x="0" y="{y + 13:.1f}" width="{span:.1f}" height="11" fill="{track_colour}"/>')
        out.append(f'<rect x="0" y="{y + 13:.1f}" width="{width:.1f}" height="11" fill="{bar_colour}"/>')
        out.append(f'<text x="{width + 5:.1f}" y="{y + 22:.1f}" font-size="{FIGURE_VALUE_PT:g}" font-weight="700" '
                   f'fill="{text_colour}">{escape(item.value)}</text>')
        y += row
    out.append("</svg>")
    return Markup("".join(out))
