"""The brand: brand.yml (meta, logo, color, typography, defaults), audience overrides, and its CSS.

`load_brand(root, overrides)` is the whole contract: it reads brand.yml at the project root, deep-merges
OVERRIDES over it (mappings merge key by key; lists and scalars replace), validates the result against
the declared schema below, and returns a `Brand`. Every problem is reported together, located at the
line of brand.yml or of the override that caused it. `Brand.css(prefix)` gives the @font-face rules and
CSS custom properties the templates use; templates never name a colour or a font themselves.
"""
from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from markupsafe import Markup

from briefgen.config import yamlsafe
from briefgen.config.schema import Converter, Record, Text, doc
from briefgen.config.yamlsafe import LocStr, YNode, merge
from briefgen.errors import ContentError, ErrorCollector, Location

BRAND_FILE = "brand.yml"
#: Smallest base text size a brand may set: the readability floor the one-pager fit loop also keeps.
MIN_TEXT_PT = 9.0

_HEX = re.compile(r"#(?:[0-9a-fA-F]{3}|[0-9a-fA-F]{6})\Z")
_FAMILY = re.compile(r"[A-Za-z0-9][A-Za-z0-9 \-]*\Z")
_SIZE = re.compile(r"([0-9]+(?:\.[0-9]+)?)pt\Z")
_NAME = re.compile(r"[a-z0-9][a-z0-9-]*\Z")
_SNAKE = re.compile(r"\b[a-z]+(?:_[a-z]+)+\b")
#: Mappings whose keys are names chosen by the author, not schema fields.
_NAME_MAPS = {("color", "palette"), ("logo", "images")}


class Palette(dict):
    """color.palette: colour name -> hex value."""


class LogoImages(dict):
    """logo.images: image name -> LogoImage."""


@dataclass(kw_only=True)
class BrandName(Record):
    """meta.name: how the organisation is named."""

    short: Text = doc("short name, e.g. for the running header")
    full: Text = doc("full name of the organisation, shown in the title band")


@dataclass(kw_only=True)
class Meta(Record):
    """meta: who the brand belongs to."""

    name: BrandName = doc("the organisation's short and full names")
    link: Text | None = doc("the organisation's web address (printed, never fetched)", default=None)


@dataclass(kw_only=True)
class LogoImage(Record):
    """One logo file with its alternative text."""

    path: Text = doc("SVG or PNG file inside the project, e.g. brand/logo.svg")
    alt: Text = doc("alternative text read aloud by screen readers; required for accessible PDFs")


@dataclass(kw_only=True)
class LogoVariants(Record):
    """A logo size: which image to use on light and on dark backgrounds."""

    light: Text = doc("name of an image under logo.images, for light backgrounds (paper)")
    dark: Text = doc("name of an image under logo.images, for dark backgrounds (the title band)")


@dataclass(kw_only=True)
class Logo(Record):
    """logo: the image files and which one each size uses."""

    images: LogoImages = doc("named logo images, each with path and alt")
    small: LogoVariants | None = doc("small logo (unused by the default templates)", default=None)
    medium: LogoVariants = doc("the logo in the title band and the HTML header")
    large: LogoVariants | None = doc("large logo, e.g. for book covers", default=None)


@dataclass(kw_only=True)
class Color(Record):
    """color: a palette and the roles the templates use; a role is a hex value or a palette name."""

    palette: Palette = doc("named colours as hex values, e.g. navy: '#14304f'", default_factory=Palette)
    foreground: Text = doc("body text colour")
    background: Text = doc("paper colour; also text on the title band")
    primary: Text = doc("title band and headings")
    secondary: Text = doc("accents: rules, note numbers, the distribution marking")
    tertiary: Text = doc("quiet text: captions, source notes, running header")
    light: Text = doc("panel background: bottom line box, sidebar")
    dark: Text | None = doc("darkest brand colour (defaults to primary)", default=None)


@dataclass(kw_only=True)
class FontFile(Record):
    """One font file of a family."""

    path: Text = doc("font file inside the project, e.g. fonts/Inter-Regular.otf")
    weight: int = doc("CSS weight it provides: 400 regular, 600 semibold, 700 bold", default=400)
    style: Literal["normal", "italic"] = doc("normal or italic", default="normal")


@dataclass(kw_only=True)
class Font(Record):
    """A font family and its files; fonts come only from files in the project."""

    family: Text = doc("family name used by typography.base and typography.headings")
    source: Literal["file"] = doc("where the font comes from: only 'file' (nothing is fetched from the network)")
    files: list[FontFile] = doc("the family's files, one per weight and style")


@dataclass(kw_only=True)
class BaseType(Record):
    """typography.base: the body text."""

    family: Text = doc("family of the body text, declared under typography.fonts")
    size: Text = doc("body text size in points, at least 9pt, e.g. 10.5pt")
    line_height: float = doc("line height as a multiple of the size, e.g. 1.42", default=1.4)


@dataclass(kw_only=True)
class HeadingType(Record):
    """typography.headings: titles and section headings."""

    family: Text = doc("family of headings, declared under typography.fonts")
    weight: int = doc("weight of section headings", default=700)
    color: Text | None = doc("colour role or palette name of headings (default: primary)", default=None)


@dataclass(kw_only=True)
class Typography(Record):
    """typography: font files and how text uses them."""

    fonts: list[Font] = doc("font families and their files")
    base: BaseType = doc("body text")
    headings: HeadingType = doc("headings")


@dataclass(kw_only=True)
class BriefgenDefaults(Record):
    """defaults.briefgen: settings only briefgen reads."""

    page_size: Literal["Letter", "A4"] = doc("paper size", default="Letter")
    rule_color: Text | None = doc("colour of hairline rules (default: light)", default=None)


@dataclass(kw_only=True)
class Defaults(Record):
    """defaults: per-tool settings."""

    briefgen: BriefgenDefaults | None = doc("briefgen's own settings", default=None)


@dataclass(kw_only=True)
class Brand(Record):
    """brand.yml at the project root (keys follow the public brand.yml schema)."""

    meta: Meta = doc("who the brand belongs to")
    logo: Logo = doc("logo images and sizes")
    color: Color = doc("palette and colour roles")
    typography: Typography = doc("fonts and text styles")
    defaults: Defaults | None = doc("tool-specific settings (defaults.briefgen)", default=None)

    #: Colour roles resolved to hex values (set by load_brand).
    colors: dict[str, str] = field(default_factory=dict, compare=False, repr=False, metadata={"internal": True})

    @property
    def settings(self) -> BriefgenDefaults:
        return (self.defaults.briefgen if self.defaults else None) or BriefgenDefaults()

    def logo_for(self, background: Literal["light", "dark"], size: str = "medium") -> LogoImage:
        """Return the logo image to put on a light or a dark background."""
        variants = getattr(self.logo, size) or self.logo.medium
        return self.logo.images[getattr(variants, background)]

    def css(self, prefix: str = "") -> Markup:
        """Return the brand's @font-face rules and custom properties; PREFIX leads every file URL."""
        rules = []
        for font in self.typography.fonts:
            for f in font.files:
                rules.append(f'@font-face {{ font-family: "{font.family}"; font-weight: {f.weight}; '
                             f'font-style: {f.style}; src: url("{prefix}{f.path}"); }}')
        c = self.colors
        props = {
            "--color-text": c["foreground"],
            "--color-paper": c["background"],
            "--color-on-primary": c["background"],
            "--color-primary": c["primary"],
            "--color-secondary": c["secondary"],
            "--color-muted": c["tertiary"],
            "--color-tint": c["light"],
            "--color-dark": c["dark"],
            "--color-heading": c["heading"],
            "--color-rule": c["rule"],
            "--font-base": f'"{self.typography.base.family}", serif',
            "--font-heading": f'"{self.typography.headings.family}", sans-serif',
            "--weight-heading": str(self.typography.headings.weight),
            "--size-base": self.typography.base.size,
            "--leading": f"{self.typography.base.line_height:g}",
        }
        rules.append(":root { " + " ".join(f"{k}: {v};" for k, v in props.items()) + " }")
        rules.append(f"@page {{ size: {self.settings.page_size}; }}")
        # Every value was checked against a strict pattern in load_brand, so none can close the style element.
        return Markup("\n".join(rules))


def load_brand(root: Path, overrides: Mapping[str, Any] | YNode | None = None, *,
               overrides_file: str = "audience brand") -> Brand:
    """Read brand.yml, deep-merge OVERRIDES over it, validate, and return the Brand.

    OVERRIDES is a mapping shaped like brand.yml (any subset of its keys), either a located YNode (from
    yamlsafe, so errors point at its lines) or a plain dict (errors then name OVERRIDES_FILE). Mappings
    merge key by key; lists and scalars replace the brand.yml value. Raises ContentError (or an
    ErrorGroup) naming every problem.
    """
    node = yamlsafe.load(root / BRAND_FILE, BRAND_FILE) if (root / BRAND_FILE).is_file() else None
    if node is None:
        raise ContentError(f"{BRAND_FILE} is missing", Location(BRAND_FILE),
                           "add brand.yml at the project root (meta, logo, color, typography)")
    if overrides is not None:
        over = overrides if isinstance(overrides, YNode) else _to_node(overrides, Location(overrides_file))
        if over.kind != "map":
            raise ContentError(f"brand overrides must be a mapping, got {over.describe()}", over.loc,
                               "write brand keys such as 'color: {primary: \"#003366\"}'")
        node = merge(node, over)
    conv = Converter()
    conv.register(Palette, _palette)
    conv.register(LogoImages, _images)
    node = _dashes_to_underscores(node)
    brand = conv.record(node, Brand, "")
    if brand is not None:
        _validate(brand, root, conv)
    elif node.kind == "map":
        _validate_parts(node, root, conv)
    errors = ErrorCollector()
    errors.extend([_redash(e) for e in conv.errors])
    errors.raise_if_any()
    return brand


def _to_node(value: Any, loc: Location) -> YNode:
    """Turn a plain Python value (from an already-parsed override) into a YNode located at LOC."""
    if isinstance(value, YNode):
        return value
    if isinstance(value, Mapping):
        return YNode({LocStr(str(k), loc): _to_node(v, loc) for k, v in value.items()}, loc, "map",
                     "tag:yaml.org,2002:map")
    if isinstance(value, (list, tuple)):
        return YNode([_to_node(v, loc) for v in value], loc, "seq", "tag:yaml.org,2002:seq")
    tag = {bool: "bool", int: "int", float: "float", type(None): "null"}.get(type(value), "str")
    scalar = LocStr(value, loc) if isinstance(value, str) else value
    return YNode(scalar, loc, "scalar", f"tag:yaml.org,2002:{tag}", raw="" if value is None else str(value))


def _dashes_to_underscores(node: YNode, path: tuple[str, ...] = ()) -> YNode:
    """Map brand.yml's dashed keys (line-height) to field names (line_height), except author-chosen names."""
    if node.kind == "seq":
        return YNode([_dashes_to_underscores(n, path) for n in node.value], node.loc, "seq", node.tag)
    if node.kind != "map":
        return node
    out = {}
    for key, value in node.value.items():
        name = str(key) if path[-2:] in _NAME_MAPS else str(key).replace("-", "_")
        out[LocStr(name, getattr(key, "loc", node.loc))] = _dashes_to_underscores(value, (*path, str(key)))
    return YNode(out, node.loc, "map", node.tag)


def _redash(error: ContentError) -> ContentError:
    """Show field names the way brand.yml spells them (line-height, not line_height)."""
    def fix(text: str) -> str:
        return _SNAKE.sub(lambda m: m.group(0).replace("_", "-"), text)

    error.message = fix(error.message)
    error.hint = fix(error.hint) if error.hint else error.hint
    return error


def _names(node: YNode, conv: Converter, what: str) -> list[tuple[LocStr, YNode]] | None:
    if node.kind != "map":
        conv.error(f"{what}: expected a mapping of names, got {node.describe()}", node.loc, "write 'name: value' lines")
        return None
    items = []
    for key, value in node.value.items():
        if not _NAME.match(str(key)):
            conv.error(f"{what}: {str(key)!r} is not a valid name", getattr(key, "loc", node.loc),
                       "use lowercase letters, digits and hyphens")
            continue
        items.append((key, value))
    return items


def _palette(node: YNode, conv: Converter) -> Palette | None:
    items = _names(node, conv, "color.palette")
    if items is None:
        return None
    out = Palette()
    for key, value in items:
        if value.kind != "scalar" or not isinstance(value.value, str) or not _HEX.match(value.value):
            conv.error(f"color.palette.{key}: {value.describe()} is not a hex colour", value.loc,
                       "write it as '#rrggbb' in quotes, e.g. \"#14304f\"")
            continue
        out[str(key)] = str(value.value)
    return out


def _images(node: YNode, conv: Converter) -> LogoImages | None:
    items = _names(node, conv, "logo.images")
    if items is None:
        return None
    out = LogoImages()
    for key, value in items:
        image = conv.record(value, LogoImage, f"logo.images.{key}")
        if image is not None:
            out[str(key)] = image
    return out


def _validate(brand: Brand, root: Path, conv: Converter) -> None:
    """Check what the schema alone cannot: colour names, file paths, declared families, sizes."""
    brand.colors = _check_colors(brand.color, brand.typography.headings, brand.settings, conv)
    _check_logo(brand.logo, root, conv)
    _check_typography(brand.typography, root, conv)


def _validate_parts(node: YNode, root: Path, conv: Converter) -> None:
    """When the whole brand did not convert, still check each section that did, so one run reports everything."""
    quiet = Converter()  # its errors repeat those already recorded
    quiet.register(Palette, _palette)
    quiet.register(LogoImages, _images)
    parts = {key: quiet.record(node.value[key], cls, key) if key in node.value else None
             for key, cls in (("color", Color), ("logo", Logo), ("typography", Typography))}
    if parts["color"] is not None:
        _check_colors(parts["color"], None, BriefgenDefaults(), conv)
    if parts["logo"] is not None:
        _check_logo(parts["logo"], root, conv)
    if parts["typography"] is not None:
        _check_typography(parts["typography"], root, conv)


def _check_colors(c: Color, heading: HeadingType | None, settings: BriefgenDefaults, conv: Converter) -> dict[str, str]:
    """Resolve every colour role to a hex value; a value is a hex colour, a palette name or another role."""
    roles: dict[str, str] = {}
    failed: set[str] = set()

    def colour(value: str | None, what: str, loc: Location | None) -> str | None:
        if value is None or value in failed:
            return None  # an unset value, or a role whose own error is already reported
        if _HEX.match(value):
            return value
        if value in c.palette:
            return c.palette[value]
        if value in roles:
            return roles[value]
        conv.error(f"{what}: {value!r} is neither a hex colour nor a palette name", loc,
                   "use '#rrggbb' or one of: " + (", ".join(c.palette) or "(empty palette)"))
        return None

    for role in ("foreground", "background", "primary", "secondary", "tertiary", "light", "dark"):
        value = colour(getattr(c, role), f"color.{role}", c.where(role))
        if value is not None:
            roles[role] = value
        elif getattr(c, role) is not None:
            failed.add(role)
    roles.setdefault("dark", roles.get("primary", ""))
    if heading is not None:
        roles["heading"] = colour(heading.color, "typography.headings.color", heading.where("color")) \
            or roles.get("primary", "")
    roles["rule"] = colour(settings.rule_color, "defaults.briefgen.rule-color", settings.where("rule_color")) \
        or roles.get("light", "")
    return roles


def _check_logo(logo: Logo, root: Path, conv: Converter) -> None:
    """Every logo file exists in the project; every size names a declared image."""
    for name, image in logo.images.items():
        _project_file(root, image.path, f"logo.images.{name}.path", image.where("path"), conv, (".svg", ".png"))
    for size in ("small", "medium", "large"):
        variants = getattr(logo, size)
        for bg in ("light", "dark") if variants else ():
            if getattr(variants, bg) not in logo.images:
                conv.error(f"logo.{size}.{bg}: no image named {getattr(variants, bg)!r}", variants.where(bg),
                           "name one of logo.images: " + (", ".join(logo.images) or "(none declared)"))


def _check_typography(typo: Typography, root: Path, conv: Converter) -> None:
    """Font files exist, families used are declared, body text is readable."""
    families = set()
    for i, font in enumerate(typo.fonts, start=1):
        if not _FAMILY.match(font.family):
            conv.error(f"typography.fonts[{i}].family: {font.family!r} is not a plain family name", font.where("family"),
                       "use letters, digits, spaces and hyphens")
        families.add(font.family)
        for j, f in enumerate(font.files, start=1):
            _project_file(root, f.path, f"typography.fonts[{i}].files[{j}].path", f.where("path"), conv,
                          (".otf", ".ttf", ".woff", ".woff2"))
    for what, rec in (("typography.base", typo.base), ("typography.headings", typo.headings)):
        if rec.family not in families:
            conv.error(f"{what}.family: {rec.family!r} is not declared under typography.fonts", rec.where("family"),
                       "add the family's files under typography.fonts (fonts are never fetched from the network)")
    base = typo.base
    size = _SIZE.match(base.size)
    if not size:
        conv.error(f"typography.base.size: {base.size!r} is not a size in points", base.where("size"), "write e.g. 10.5pt")
    elif float(size.group(1)) < MIN_TEXT_PT:
        conv.error(f"typography.base.size: {base.size} is below the readable minimum of {MIN_TEXT_PT:g}pt",
                   base.where("size"), f"use {MIN_TEXT_PT:g}pt or more")
    if not 1.0 <= base.line_height <= 2.5:
        conv.error(f"typography.base.line-height: {base.line_height} is outside 1.0-2.5", base.where("line_height"),
                   "use a multiple of the text size such as 1.4")


def _project_file(root: Path, path: str, what: str, loc: Location | None, conv: Converter,
                  suffixes: tuple[str, ...]) -> None:
    """Check PATH names an existing file inside the project with one of SUFFIXES."""
    if not re.fullmatch(r"[A-Za-z0-9_][A-Za-z0-9_./-]*", path) or ".." in path.split("/"):
        conv.error(f"{what}: {path!r} is not a plain relative path inside the project", loc,
                   "write a path such as brand/logo.svg (no URLs, no '..')")
        return
    if not path.lower().endswith(suffixes):
        conv.error(f"{what}: {path!r} is not one of {', '.join(suffixes)}", loc, "use a file of a supported type")
        return
    full = (root / path).resolve()
    if full.is_file() and not full.is_relative_to(root.resolve()):
        conv.error(f"{what}: {path!r} is a link to a file outside the project", loc,
                   "copy the file into the project instead of linking to it")
    elif not full.is_relative_to(root.resolve()) or not full.is_file():
        conv.error(f"{what}: file {path!r} not found in the project", loc, "add the file or fix the path")
