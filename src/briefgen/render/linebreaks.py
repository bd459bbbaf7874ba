"""A cache of WeasyPrint's line breaking: a line of the same text, style and width is broken once per process."""
from __future__ import annotations

import copy
import importlib
import logging
import operator
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

logger = logging.getLogger(__name__)

#: The WeasyPrint releases whose line breaking this cache was checked against: the style properties below are every
#: one that `weasyprint.text.line_break.split_first_line` and what it calls read (tests/render/test_linebreaks.py
#: reads them from the installed source and fails when a release reads another). Any other release runs uncached.
VERIFIED = ("70.0",)

#: The computed style properties that decide how a text breaks into lines and how wide and tall its first line is.
#: With the font configuration (the cache lives on it), the text, the width and the call's flags, they are the key.
STYLE_KEYS = (
    "direction", "font_family", "font_feature_settings", "font_kerning", "font_language_override", "font_size",
    "font_stretch", "font_style", "font_variant_alternates", "font_variant_caps", "font_variant_east_asian",
    "font_variant_ligatures", "font_variant_numeric", "font_variant_position", "font_variation_settings",
    "font_weight", "hyphenate_character", "hyphenate_limit_chars", "hyphenate_limit_zone", "hyphens", "lang",
    "letter_spacing", "overflow_wrap", "tab_size", "text_decoration_line", "white_space", "word_break",
    "word_spacing",
)

_properties = operator.itemgetter(*STYLE_KEYS)

#: The modules that call split_first_line by a name bound at their import: each gets the cached one.
CALLERS = ("weasyprint.layout.inline", "weasyprint.layout.preferred")

#: Lines kept per font configuration; past it the oldest half is dropped (a worker's memory stays bounded).
LIMIT = 50_000

#: The attribute of a weasyprint FontConfiguration that holds its cache.
_SLOT = "_briefgen_line_breaks"


@dataclass
class Counts:
    """What the cache did in this process (the bench and the tests read it)."""

    hits: int = 0
    misses: int = 0
    uncached: int = 0


COUNTS = Counts()
_installed: list[bool] = []


def installed() -> bool:
    """Whether this process's WeasyPrint breaks lines through the cache."""
    return bool(_installed and _installed[0])


def install(weasyprint: Any) -> bool:
    """Route WeasyPrint's line breaking through the cache, once per process, if its release is a verified one.

    A layout's result never depends on the cache: a hit returns a copy of what the same call returned before, and a
    font face added to a configuration empties that configuration's cache (the same text may then break otherwise).
    """
    if _installed:
        return _installed[0]
    version = getattr(weasyprint, "__version__", "")
    if version not in VERIFIED:
        logger.debug("WeasyPrint %s is not one the line cache was checked against: lines are broken uncached",
                     version)
        _installed.append(False)
        return False
    fonts = importlib.import_module("weasyprint.text.fonts")
    fonts.FontConfiguration.add_font_face = _emptying(fonts.FontConfiguration.add_font_face)
    for name in CALLERS:
        module = importlib.import_module(name)
        module.split_first_line = _cached(module.split_first_line)
    _installed.append(True)
    return True


def _emptying(add_font_face: Callable[..., Any]) -> Callable[..., Any]:
    """FontConfiguration.add_font_face that first empties the configuration's cache."""

    def add(self: Any, *args: Any, **kwargs: Any) -> Any:
        self.__dict__.pop(_SLOT, None)
        return add_font_face(self, *args, **kwargs)

    return add


def _cached(split_first_line: Callable[..., tuple]) -> Callable[..., tuple]:
    """SPLIT_FIRST_LINE (WeasyPrint's) answered from the cache of the style's font configuration when it can be."""

    def split(text: str, style: Any, context: Any, max_width: Any, justification_spacing: Any,
              is_line_start: bool = True, minimum: bool = False) -> tuple:
        try:
            key = (text, max_width, justification_spacing, is_line_start, minimum,
                   _properties(style))
            hash(key)
            lines = style.font_config.__dict__.setdefault(_SLOT, {})
        except (TypeError, AttributeError, KeyError):  # an unhashable value, a style without fonts: not cached
            COUNTS.uncached += 1
            return split_first_line(text, style, context, max_width, justification_spacing, is_line_start, minimum)
        found = lines.get(key)
        if found is not None:
            COUNTS.hits += 1
            return (copy.copy(found[0]), *found[1:])  # drawing may set the layout's text (an ellipsis): a copy each
        COUNTS.misses += 1
        result = split_first_line(text, style, context, max_width, justification_spacing, is_line_start, minimum)
        if not hasattr(result[0], "layout"):  # only a finished (deactivated) layout holds no live Pango state
            if len(lines) >= LIMIT:
                for old in list(lines)[:LIMIT // 2]:
                    lines.pop(old, None)
            lines[key] = (copy.copy(result[0]), *result[1:])
        return result

    split.__wrapped__ = split_first_line  # type: ignore[attr-defined]
    return split
