"""The reference styles made from brand.yml: fonts (with fallbacks), colours, headings, Quote, lists and notes."""
from __future__ import annotations

import re

from docx.enum.style import WD_STYLE_TYPE
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.shared import Pt, RGBColor
from lxml import etree

from briefgen.config.brand import Brand
from briefgen.render.docx.package import W, w

#: What a reader's Word falls back to when a brand family is not installed: (generic family, alternative name).
FALLBACKS: dict[str, tuple[str, str]] = {"serif": ("roman", "Georgia"), "sans-serif": ("swiss", "Arial")}
#: Heading sizes by level, as multiples of the body size.
HEADING_SCALE = {1: 1.45, 2: 1.2, 3: 1.05}


def rgb(hex_colour: str) -> RGBColor:
    return RGBColor.from_string(hex_colour.lstrip("#")[:6].upper())


def points(size: str) -> float:
    m = re.match(r"\s*([\d.]+)\s*pt", size)
    return float(m[1]) if m else 10.5


def _fonts(style, family: str) -> None:  # noqa: ANN001 - a python-docx style
    style.font.name = family
    rpr = style.element.get_or_add_rPr()
    fonts = rpr.find(w("rFonts"))
    for attr in ("ascii", "hAnsi", "cs", "eastAsia"):
        fonts.set(w(attr), family)
    for attr in ("asciiTheme", "hAnsiTheme", "cstheme", "eastAsiaTheme"):  # a theme font would win over the brand's
        fonts.attrib.pop(w(attr), None)


def apply_brand(document, brand: Brand, language: str = "en-US") -> None:  # noqa: ANN001 - docx.Document
    """Make DOCUMENT's styles the brand's: body, headings, title, quote, lists, captions and notes."""
    c = brand.colors
    base, heads = brand.typography.base, brand.typography.headings
    size = points(base.size)
    styles = document.styles
    normal = styles["Normal"]
    _fonts(normal, base.family)
    normal.font.size = Pt(size)
    normal.font.color.rgb = rgb(c["foreground"])
    normal.paragraph_format.line_spacing = base.line_height
    normal.paragraph_format.space_after = Pt(size * 0.6)
    for level, scale in HEADING_SCALE.items():
        style = styles[f"Heading {level}"]
        _fonts(style, heads.family)
        style.font.size = Pt(round(size * scale, 1))
        style.font.bold = heads.weight >= 600
        style.font.italic = False
        style.font.color.rgb = rgb(c["heading"])
        style.paragraph_format.space_before = Pt(size * (1.4 if level > 1 else 0.6))
        style.paragraph_format.space_after = Pt(size * 0.4)
        style.paragraph_format.keep_with_next = True
    title = styles["Title"]
    _fonts(title, heads.family)
    title.font.size = Pt(round(size * 2.4, 1))
    title.font.bold = True
    title.font.color.rgb = rgb(c["primary"])
    subtitle = styles["Subtitle"]
    _fonts(subtitle, heads.family)
    subtitle.font.size = Pt(size)
    subtitle.font.italic = False
    subtitle.font.color.rgb = rgb(c["tertiary"])
    quote = styles["Quote"]
    _fonts(quote, base.family)
    quote.font.italic = True
    quote.font.size = Pt(round(size * 1.15, 1))
    quote.font.color.rgb = rgb(c["primary"])
    quote.paragraph_format.left_indent = Pt(24)
    quote.paragraph_format.right_indent = Pt(24)
    for name in ("List Bullet", "List Number"):
        styles[name].paragraph_format.space_after = Pt(size * 0.3)
    caption = styles["Caption"]
    _fonts(caption, heads.family)
    caption.font.size = Pt(round(size * 0.85, 1))
    caption.font.bold = False
    caption.font.italic = False
    caption.font.color.rgb = rgb(c["tertiary"])
    note = styles.add_style("Footnote Text", WD_STYLE_TYPE.PARAGRAPH)
    note.base_style = normal
    note.font.size = Pt(round(size * 0.8, 1))
    note.font.color.rgb = rgb(c["tertiary"])
    note.paragraph_format.space_after = Pt(2)
    note.paragraph_format.line_spacing = 1.1
    ref = styles.add_style("Footnote Reference", WD_STYLE_TYPE.CHARACTER)
    ref.font.superscript = True
    ref.font.color.rgb = rgb(c["secondary"])
    for style, builtin in ((note, "footnote text"), (ref, "footnote reference")):
        # Word's own note styles (its names are lower case): Word and LibreOffice apply them to new notes too.
        style.element.name_val = builtin
        style.element.attrib.pop(w("customStyle"), None)
    marking = styles.add_style("Marking", WD_STYLE_TYPE.PARAGRAPH)
    marking.base_style = normal
    _fonts(marking, heads.family)
    marking.font.size = Pt(round(size * 0.75, 1))
    marking.font.color.rgb = rgb(c["secondary"])
    marking.font.all_caps = True
    marking.paragraph_format.alignment = WD_ALIGN_PARAGRAPH.CENTER
    marking.paragraph_format.space_after = Pt(0)
    box = styles.add_style("Bottom Line", WD_STYLE_TYPE.PARAGRAPH)
    box.base_style = normal
    box.font.size = Pt(round(size * 1.1, 1))
    _shade(box, c["light"])
    _language(document, language)
    _font_table(document, brand)


def _shade(style, fill: str) -> None:  # noqa: ANN001
    ppr = style.element.get_or_add_pPr()
    shd = etree.SubElement(ppr, w("shd"), {w("val"): "clear", w("color"): "auto", w("fill"): fill.lstrip("#")})
    # CT_PPr orders its children: shd comes before spacing/ind/jc.
    for later in ("tabs", "suppressAutoHyphens", "spacing", "ind", "jc", "outlineLvl"):
        node = ppr.find(w(later))
        if node is not None:
            node.addprevious(shd)
            break


def _language(document, language: str) -> None:  # noqa: ANN001
    """The content's language (en-US) for the spelling checker and hyphenation, set once in the document defaults."""
    root = document.styles.element
    defaults = root.find(w("docDefaults"))
    rpr = defaults.find(f"{w('rPrDefault')}/{w('rPr')}")
    lang = rpr.find(w("lang"))
    if lang is None:
        lang = etree.SubElement(rpr, w("lang"))
    lang.set(w("val"), language)
    lang.set(w("eastAsia"), language)
    lang.set(w("bidi"), "ar-SA")
    settings = document.settings.element
    theme = settings.find(w("themeFontLang"))
    if theme is not None:
        theme.set(w("val"), language)


def _font_table(document, brand: Brand) -> None:  # noqa: ANN001
    """Declare each brand family with a generic family and an installed alternative (Word's font fallback)."""
    part = next(p for p in document.part.package.iter_parts() if str(p.partname) == "/word/fontTable.xml")
    root = etree.fromstring(part.blob)
    generic = {brand.typography.base.family: "serif", brand.typography.headings.family: "sans-serif"}
    for family, kind in generic.items():
        font = etree.SubElement(root, w("font"), {w("name"): family})
        family_kind, alt = FALLBACKS[kind]
        etree.SubElement(font, w("altName"), {w("val"): alt})
        etree.SubElement(font, w("family"), {w("val"): family_kind})
        etree.SubElement(font, w("pitch"), {w("val"): "variable"})
    part._blob = etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True)


__all__ = ["W", "apply_brand", "points", "rgb"]
