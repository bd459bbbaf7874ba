"""Embed each font face once in the joined book: one subset holding every glyph the segments use.

WeasyPrint subsets each segment's fonts with HarfBuzz keeping the original glyph ids (RETAIN_GIDS), and names a
face the same way in every document (`/ABCDEF+Inter`). So after joining, the segments' font dictionaries for one
face differ only in which glyphs they list. This module replaces them with one dictionary per face whose font
program is subset, again with HarfBuzz and retained ids, from the project's own font file, and whose widths and
Unicode map are the union of the segments'. A face it cannot match to a project font file is left as it was.
"""
from __future__ import annotations

import io
import logging
import re
import struct
import zlib
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

logger = logging.getLogger(__name__)

#: Where a project keeps the font files its brand names (the same folders the segment cache hashes).
FONT_GLOBS = ("fonts/**/*", "brand/**/*")

#: Font file suffixes HarfBuzz can subset.
FONT_SUFFIXES = (".ttf", ".otf")

#: Tables WeasyPrint drops from an embedded subset (a PDF viewer needs none of them).
DROP_TABLES = (b"BASE", b"DSIG", b"EBDT", b"EBLC", b"EBSC", b"GPOS", b"GSUB", b"JSTF", b"LTSH", b"PCLT", b"SVG ")

_BFCHAR = re.compile(rb"<([0-9a-fA-F]{4})>\s*<([0-9a-fA-F]*)>")

_CDEF = """
typedef struct hb_blob_t hb_blob_t;
typedef struct hb_face_t hb_face_t;
typedef struct hb_set_t hb_set_t;
typedef struct hb_subset_input_t hb_subset_input_t;
typedef void (*hb_destroy_func_t) (void *user_data);
hb_blob_t *hb_blob_create (const char *data, unsigned int length, int mode, void *user_data,
                           hb_destroy_func_t destroy);
void hb_blob_destroy (hb_blob_t *blob);
const char *hb_blob_get_data (hb_blob_t *blob, unsigned int *length);
hb_face_t *hb_face_create (hb_blob_t *blob, unsigned int index);
void hb_face_destroy (hb_face_t *face);
hb_blob_t *hb_face_reference_blob (hb_face_t *face);
unsigned int hb_face_get_glyph_count (const hb_face_t *face);
void hb_set_add (hb_set_t *set, uint32_t codepoint);
void hb_set_add_range (hb_set_t *set, uint32_t first, uint32_t last);
uint32_t hb_tag_from_string (const char *str, int len);
hb_subset_input_t *hb_subset_input_create_or_fail (void);
void hb_subset_input_destroy (hb_subset_input_t *input);
hb_set_t *hb_subset_input_glyph_set (hb_subset_input_t *input);
hb_set_t *hb_subset_input_set (hb_subset_input_t *input, int set_type);
void hb_subset_input_set_flags (hb_subset_input_t *input, unsigned int value);
hb_face_t *hb_subset_or_fail (hb_face_t *source, const hb_subset_input_t *input);
"""

# hb_subset_flags_t and hb_subset_sets_t values (hb-subset.h), and HB_MEMORY_MODE_READONLY.
_NO_HINTING, _RETAIN_GIDS, _DESUBROUTINIZE, _PASSTHROUGH, _NOTDEF_OUTLINE = 0x1, 0x2, 0x4, 0x20, 0x40
_SETS_DROP_TABLE_TAG = 3
_MEMORY_READONLY = 1


@dataclass
class FontReport:
    """What unifying did: faces merged (BaseFont -> how many dictionaries became one) and faces left alone."""

    merged: dict[str, int] = field(default_factory=dict)
    kept: dict[str, str] = field(default_factory=dict)


@lru_cache(maxsize=1)
def _harfbuzz() -> Any:
    """HarfBuzz and its subsetter (the libraries WeasyPrint itself subsets with), or None."""
    try:
        import cffi
    except ImportError:  # pragma: no cover - WeasyPrint depends on cffi
        return None
    ffi = cffi.FFI()
    ffi.cdef(_CDEF)
    for name in ("libharfbuzz-subset.so.0", "harfbuzz-subset", "libharfbuzz-subset.0.dylib",
                 "libharfbuzz-subset-0.dll", "libharfbuzz-subset-0"):
        try:
            return ffi, ffi.dlopen(name)
        except OSError:
            continue
    return None  # pragma: no cover - WeasyPrint 70 warns without it too


def subset_font(data: bytes, gids: set[int], *, notdef_outline: bool = False) -> bytes | None:
    """Subset the font file DATA to GIDS keeping glyph ids, as WeasyPrint does; None if HarfBuzz cannot."""
    hb = _harfbuzz()
    if hb is None or not gids:
        return None
    ffi, lib = hb
    keep = ffi.new("char[]", data)  # HarfBuzz reads the bytes in place: they live until the subset is copied out
    blob = lib.hb_blob_create(keep, len(data), _MEMORY_READONLY, ffi.NULL, ffi.NULL)
    face = lib.hb_face_create(blob, 0)
    plan = lib.hb_subset_input_create_or_fail()
    faces = [face]
    try:
        if plan == ffi.NULL:
            return None
        glyphs = lib.hb_subset_input_glyph_set(plan)
        for gid in sorted(gids):
            lib.hb_set_add(glyphs, gid)
        drop = lib.hb_subset_input_set(plan, _SETS_DROP_TABLE_TAG)
        for tag in DROP_TABLES:
            lib.hb_set_add(drop, lib.hb_tag_from_string(tag, -1))
        extra = _NOTDEF_OUTLINE if notdef_outline else 0
        lib.hb_subset_input_set_flags(plan, _RETAIN_GIDS | _PASSTHROUGH | _DESUBROUTINIZE | extra)
        first = lib.hb_subset_or_fail(face, plan)
        if first == ffi.NULL:
            return None
        faces.append(first)
        # Second pass, as WeasyPrint: the retained ids stay, the empty glyphs after the last one used go.
        lib.hb_set_add_range(lib.hb_subset_input_glyph_set(plan), 0, max(gids))
        lib.hb_subset_input_set_flags(plan, _PASSTHROUGH | _DESUBROUTINIZE | _NO_HINTING | extra)
        second = lib.hb_subset_or_fail(first, plan)
        if second == ffi.NULL:
            return None
        faces.append(second)
        out = lib.hb_face_reference_blob(second)
        length = ffi.new("unsigned int *")
        pointer = lib.hb_blob_get_data(out, length)
        result = None if pointer == ffi.NULL else ffi.unpack(pointer, int(length[0]))
        lib.hb_blob_destroy(out)
        return result
    finally:
        if plan != ffi.NULL:
            lib.hb_subset_input_destroy(plan)
        for made in faces:
            lib.hb_face_destroy(made)
        lib.hb_blob_destroy(blob)


def _identity(data: bytes) -> tuple | None:
    """What names a face and survives subsetting: PostScript name (name id 6), revision, dates, units per em."""
    from fontTools.ttLib import TTFont, TTLibError

    try:
        font = TTFont(io.BytesIO(data), lazy=True)
        name = font["name"].getDebugName(6)
        head = font["head"]
        return (str(name), head.fontRevision, head.created, head.modified, head.unitsPerEm) if name else None
    except (TTLibError, KeyError, ValueError, AssertionError, OSError, struct.error):
        return None


def project_fonts(root: Path) -> dict[tuple, Path]:
    """The project's font files by identity (one two files share is left out: it is ambiguous)."""
    found: dict[tuple, Path] = {}
    twice: set[tuple] = set()
    inside = root.resolve()
    for pattern in FONT_GLOBS:
        for path in sorted(root.glob(pattern)):
            if path.suffix.lower() not in FONT_SUFFIXES or not path.is_file() or path.is_symlink():
                continue
            if not path.resolve().is_relative_to(inside):  # nothing outside the project is read
                continue
            name = _identity(path.read_bytes())
            if name is None:
                continue
            if name in found and found[name] != path:
                twice.add(name)
            found[name] = path
    return {name: path for name, path in found.items() if name not in twice}


def _widths(array: Any) -> dict[int, float]:
    """A CIDFont /W array ([c [w ...]] and [c_first c_last w] forms) as {glyph id: width}."""
    import pikepdf

    items = list(array)
    out: dict[int, float] = {}
    i = 0
    while i < len(items):
        first = int(items[i])
        nxt = items[i + 1]
        if isinstance(nxt, pikepdf.Array):
            for offset, width in enumerate(nxt):
                out[first + offset] = float(width)
            i += 2
        else:
            for gid in range(first, int(nxt) + 1):
                out[gid] = float(items[i + 2])
            i += 3
    return out


def _width_array(widths: dict[int, float]) -> Any:
    """{glyph id: width} as a /W array of runs of consecutive ids."""
    from pikepdf import Array

    out = Array()
    run: Array | None = None
    previous = None
    for gid in sorted(widths):
        if previous is None or gid != previous + 1:
            run = Array()
            out.append(gid)
            out.append(run)
        width = widths[gid]
        run.append(int(width) if width == int(width) else width)
        previous = gid
    return out


def _to_unicode(stream: Any) -> dict[int, str]:
    """A ToUnicode CMap's bfchar entries as {glyph id: UTF-16BE hex}."""
    return {int(gid, 16): text.decode("ascii").lower() for gid, text in _BFCHAR.findall(stream.read_bytes())}


def _to_unicode_cmap(mapping: dict[int, str]) -> bytes:
    """A ToUnicode CMap for MAPPING, laid out as WeasyPrint writes one."""
    lines = [b"/CIDInit /ProcSet findresource begin", b"12 dict begin", b"begincmap", b"/CIDSystemInfo",
             b"<< /Registry (Adobe)", b"/Ordering (UCS)", b"/Supplement 0", b">> def",
             b"/CMapName /Adobe-Identity-UCS def", b"/CMapType 2 def", b"1 begincodespacerange", b"<0000> <ffff>",
             b"endcodespacerange"]
    items = sorted(mapping.items())
    for start in range(0, len(items), 100):
        batch = items[start:start + 100]
        lines.append(f"{len(batch)} beginbfchar".encode())
        lines += [f"<{gid:04x}> <{text}>".encode() for gid, text in batch]
        lines.append(b"endbfchar")
    lines += [b"endcmap", b"CMapName currentdict /CMap defineresource pop", b"end", b"end"]
    return b"\n".join(lines)


def _font_resources(pdf: Any) -> list[Any]:
    """Every /Font resource dictionary the pages use, their form XObjects' and patterns' included."""
    import pikepdf

    out = []
    seen: set[tuple[int, int]] = set()
    todo = [page.obj for page in pdf.pages]
    while todo:
        holder = todo.pop()
        if holder.is_indirect:
            if holder.objgen in seen:
                continue
            seen.add(holder.objgen)
        resources = holder.get("/Resources")
        if not isinstance(resources, pikepdf.Dictionary):
            continue
        if resources.is_indirect:  # a segment's pages share one resource dictionary
            if resources.objgen in seen:
                continue
            seen.add(resources.objgen)
        fonts = resources.get("/Font")
        if isinstance(fonts, pikepdf.Dictionary):
            out.append(fonts)
        for kind in ("/XObject", "/Pattern"):
            named = resources.get(kind)
            if isinstance(named, pikepdf.Dictionary):
                todo += [obj for obj in named.values() if isinstance(obj, (pikepdf.Stream, pikepdf.Dictionary))]
    return out


def _mergeable(font: Any) -> str | None:
    """Why FONT (a Type0 dictionary) cannot be merged, or None."""
    from pikepdf import Name

    if font.get("/Encoding") != Name("/Identity-H"):
        return "its glyphs are re-encoded (a character missing from the font)"
    kids = font.get("/DescendantFonts")
    if kids is None or len(kids) != 1:
        return "it has no single descendant font"
    cid = kids[0]
    if cid.get("/CIDToGIDMap", Name("/Identity")) != Name("/Identity") or "/W" not in cid:
        return "its glyph ids are remapped"
    descriptor = cid.get("/FontDescriptor")
    if descriptor is None or not any(k in descriptor for k in ("/FontFile2", "/FontFile3")):
        return "it embeds no font program"
    if "/ToUnicode" not in font:
        return "it has no Unicode map"
    return None


def _font_program(font: Any) -> tuple[str, Any]:
    descriptor = font.DescendantFonts[0].FontDescriptor
    key = "/FontFile2" if "/FontFile2" in descriptor else "/FontFile3"
    return key, descriptor[key]


def unify_fonts(pdf: Any, root: Path) -> FontReport:
    """Give PDF one font dictionary and one embedded subset per face, subset from ROOT's own font files."""
    import pikepdf
    from pikepdf import Array, Dictionary, Name

    report = FontReport()
    resources = _font_resources(pdf)
    groups: dict[str, dict[tuple[int, int], Any]] = {}
    for fonts in resources:
        for font in fonts.values():
            if isinstance(font, pikepdf.Dictionary) and font.get("/Subtype") == Name.Type0 and font.is_indirect:
                groups.setdefault(str(font.BaseFont), {})[font.objgen] = font
    files: dict[str, Path] | None = None
    replace: dict[tuple[int, int], Any] = {}
    for base, members in groups.items():
        fonts = list(members.values())
        programs = {_font_program(f)[1].objgen for f in fonts if _mergeable(f) is None}
        if len(fonts) < 2 and len(programs) < 2:
            continue
        reason = next((r for r in map(_mergeable, fonts) if r), None)
        if reason is None and len({str(f.DescendantFonts[0].Subtype) for f in fonts}) != 1:
            reason = "its dictionaries disagree on the font type"
        if reason:
            report.kept[base] = reason
            continue
        widths: dict[int, float] = {}
        unicode: dict[int, str] = {}
        for font in fonts:
            widths.update(_widths(font.DescendantFonts[0].W))
            unicode.update(_to_unicode(font.ToUnicode))
        key, program = _font_program(fonts[0])
        identity = _identity(program.read_bytes())
        if files is None:
            files = project_fonts(root)
        path = files.get(identity) if identity else None
        if path is None:
            report.kept[base] = f"no font file in the project is {identity[0] if identity else 'this face'}"
            continue
        original = path.read_bytes()
        data = subset_font(original, set(widths) | set(unicode) | {0})
        if data is None:
            report.kept[base] = "HarfBuzz could not subset it"
            continue
        first = fonts[0]
        cid = first.DescendantFonts[0]
        extra = {"/Subtype": Name("/OpenType")} if key == "/FontFile3" else {"/Length1": len(data)}
        stream = pikepdf.Stream(pdf, zlib.compress(data), Filter=Name.FlateDecode, **{k[1:]: v for k, v in
                                                                                         extra.items()})
        descriptor = Dictionary({k: v for k, v in cid.FontDescriptor.items() if k not in ("/FontFile2",
                                                                                          "/FontFile3")})
        descriptor[key] = pdf.make_indirect(stream)
        if "/CIDSet" in descriptor:  # PDF/A: which CIDs the program holds
            bits = bytearray((max(widths) // 8) + 1)
            for gid in widths:
                bits[gid // 8] |= 0x80 >> (gid % 8)
            descriptor.CIDSet = pdf.make_indirect(pikepdf.Stream(pdf, bytes(bits)))
        new_cid = Dictionary({k: v for k, v in cid.items() if k not in ("/W", "/FontDescriptor")})
        new_cid.W = _width_array(widths)
        new_cid.FontDescriptor = pdf.make_indirect(descriptor)
        cmap = pikepdf.Stream(pdf, zlib.compress(_to_unicode_cmap(unicode)), Filter=Name.FlateDecode)
        merged = Dictionary({k: v for k, v in first.items() if k not in ("/DescendantFonts", "/ToUnicode")})
        merged.DescendantFonts = Array([pdf.make_indirect(new_cid)])
        merged.ToUnicode = pdf.make_indirect(cmap)
        merged = pdf.make_indirect(merged)
        for objgen in members:
            replace[objgen] = merged
        report.merged[base] = len(fonts)
    if replace:
        for fonts in resources:
            for name, font in list(fonts.items()):
                if isinstance(font, pikepdf.Dictionary) and font.is_indirect and font.objgen in replace:
                    fonts[name] = replace[font.objgen]
    for base, reason in report.kept.items():
        logger.info("font %s embedded per segment: %s", base, reason)
    return report
