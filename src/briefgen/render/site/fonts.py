"""The brand's fonts for the web: each face subset to the characters a Latin-script site needs, as WOFF2."""
from __future__ import annotations

import hashlib
import io
import logging
from pathlib import Path

from briefgen.config.brand import Brand
from briefgen.render.site.theme import web_font_name

logger = logging.getLogger(__name__)

#: Characters kept: Basic Latin, Latin-1, Latin Extended-A, general punctuation, super/subscripts, currency, letterlike
#: symbols, arrows (the notes' back links), minus. Anything else falls back to the reader's system font.
UNICODES = [*range(0x20, 0x7F), *range(0xA0, 0x180), *range(0x2000, 0x206F), *range(0x2070, 0x20A0),
            0x20AC, 0x2116, 0x2122, *range(0x2190, 0x21FF), 0x2212, 0x25CF, 0xFE0E]
#: OpenType features kept in the subsets.
FEATURES = ["kern", "liga", "calt", "ccmp", "locl", "mark", "mkmk", "onum", "lnum", "tnum", "pnum", "case", "sups"]


def font_files(brand: Brand) -> list[str]:
    """The project-relative paths of every face the brand declares."""
    return [f.path for font in brand.typography.fonts for f in font.files]


def licence_files(root: Path, fonts: list[str]) -> list[str]:
    """The licence files beside FONTS (`<Family>-LICENSE.txt`, OFL.txt, LICENSE*), project-relative."""
    out: set[str] = set()
    for rel in fonts:
        path = root / rel
        family = path.stem.split("-")[0]
        for candidate in path.parent.iterdir():
            name = candidate.name.lower()
            licence = "licen" in name or name.startswith("ofl")
            if candidate.is_file() and licence and candidate.name.startswith(family):
                out.add(candidate.relative_to(root).as_posix())
    return sorted(out)


def subset_key(data: bytes) -> str:
    """What a face's subset depends on: its bytes, the characters and features kept, and fontTools' version."""
    from fontTools import version

    return hashlib.sha256(data + repr((UNICODES, FEATURES, version)).encode()).hexdigest()


def subset_woff2(data: bytes) -> bytes:
    """DATA (an OTF or TTF face) subset to UNICODES, as WOFF2."""
    from fontTools import subset
    from fontTools.ttLib import TTFont

    options = subset.Options()
    options.flavor = "woff2"
    options.layout_features = FEATURES
    options.name_IDs = [0, 1, 2, 3, 4, 5, 6, 13, 14]  # keep the copyright and licence names
    options.notdef_outline = True
    options.hinting = False
    font = TTFont(io.BytesIO(data), lazy=False)
    subsetter = subset.Subsetter(options)
    subsetter.populate(unicodes=UNICODES)
    subsetter.subset(font)
    out = io.BytesIO()
    font.flavor = "woff2"
    font.save(out)
    return out.getvalue()


def woff2_name(rel: str) -> str:
    """The name of REL's subset in the site's fonts folder."""
    return web_font_name(rel)
