"""brand.yml: the declared schema, audience overrides, located errors, and the CSS it gives templates."""
from __future__ import annotations

import re
from pathlib import Path

import pytest

from briefgen.config import yamlsafe
from briefgen.config.brand import load_brand
from briefgen.errors import BriefgenError


def test_default_brand_gives_fonts_and_colours_as_custom_properties(root: Path) -> None:
    """The shipped brand maps its palette and fonts to CSS custom properties and project font files."""
    brand = load_brand(root)
    css = str(brand.css())
    assert "--color-primary: #14304f;" in css and "--color-secondary: #b5472f;" in css
    assert '--font-heading: "Inter", sans-serif;' in css and '--font-base: "Noto Serif", serif;' in css
    assert 'src: url("fonts/Inter-Bold.otf")' in css
    assert brand.logo_for("dark").path == "brand/logo-reverse.svg" and brand.logo_for("dark").alt
    assert 'url("../../../fonts/Inter-Bold.otf")' in str(brand.css("../../../"))


def test_templates_never_name_a_colour_or_a_font(root: Path) -> None:
    """No stylesheet or template hard-codes a colour value or a font family; brand.yml owns them."""
    files = [*(root / "templates").rglob("*.css"), *(root / "templates").rglob("*.j2")]
    assert files
    for path in files:
        text = path.read_text(encoding="utf-8")
        assert not re.search(r"#[0-9a-fA-F]{3,6}\b|\brgba?\(|\bhsla?\(", text), path
        assert not re.search(r"Inter|Noto|Helvetica|Arial|Georgia|Times", text), path


def test_overrides_deep_merge_over_brand_yml(root: Path) -> None:
    """An override mapping changes only the keys it names; mappings merge, scalars replace."""
    brand = load_brand(root, {"color": {"primary": "#003366", "palette": {"brick": "#aa0000"}},
                              "meta": {"name": {"full": "Office of Net Assessment"}}})
    assert brand.colors["primary"] == "#003366"
    assert brand.colors["secondary"] == "#aa0000"  # 'secondary: brick' now resolves to the new brick
    assert brand.colors["tertiary"] == "#5b6673"
    assert brand.meta.name.full == "Office of Net Assessment" and brand.meta.name.short == "Larkspur Institute"
    assert len(brand.typography.fonts) == 2


def test_override_errors_point_at_the_audience_file(root: Path) -> None:
    """A located override (a YNode from an audience file) reports its own file and line."""
    node = yamlsafe.loads("label: x\nbrand:\n  color:\n    primary: nope\n", "audiences/press.yaml")
    with pytest.raises(BriefgenError) as info:
        load_brand(root, node.value["brand"])
    assert "audiences/press.yaml:4:5: error: color.primary: 'nope' is neither a hex colour nor a palette name" \
        in str(info.value)


def _edit(path: Path, *pairs: tuple[str, str]) -> list[str]:
    text = path.read_text(encoding="utf-8")
    for old, new in pairs:
        assert old in text
        text = text.replace(old, new)
    path.write_text(text, encoding="utf-8")
    return text.splitlines()


def _line(lines: list[str], snippet: str) -> int:
    return next(i for i, ln in enumerate(lines, start=1) if snippet in ln)


def test_schema_errors_are_all_located_in_brand_yml(scratch: Path) -> None:
    """A bad hex colour, a logo without alt text and a misspelt key are reported together, at their lines."""
    lines = _edit(scratch / "brand.yml", ('navy: "#14304f"', 'navy: "#14304"'),
                  ("      alt: Larkspur Institute for Alliance Studies\n  medium:", "  medium:"),
                  ("    line-height: 1.42", "    line-hight: 1.42"))
    with pytest.raises(BriefgenError) as info:
        load_brand(scratch)
    message = str(info.value)
    assert f"brand.yml:{_line(lines, 'navy:')}:" in message and "is not a hex colour" in message
    assert f"brand.yml:{_line(lines, 'path: brand/logo-reverse.svg')}:" in message
    assert "logo.images.wordmark-reverse: missing required field 'alt'" in message
    assert f"brand.yml:{_line(lines, 'line-hight')}:" in message
    assert "unknown field 'line-hight'" in message and "did you mean 'line-height'?" in message


def test_semantic_errors_are_all_located_in_brand_yml(scratch: Path) -> None:
    """An undeclared font family, text below 9pt and a logo URL are reported together, at their lines."""
    lines = _edit(scratch / "brand.yml", ("path: brand/logo.svg", "path: https://example.org/logo.svg"),
                  ("    family: Noto Serif\n    size: 10.5pt", "    family: Garamond\n    size: 8pt"))
    with pytest.raises(BriefgenError) as info:
        load_brand(scratch)
    message = str(info.value)
    assert f"brand.yml:{_line(lines, 'family: Garamond')}:" in message and "'Garamond' is not declared" in message
    assert f"brand.yml:{_line(lines, 'size: 8pt')}:" in message and "below the readable minimum of 9pt" in message
    assert f"brand.yml:{_line(lines, 'https://')}:" in message
    assert "'https://example.org/logo.svg' is not a plain relative path" in message


def test_missing_brand_file_is_an_error(scratch: Path) -> None:
    """Without brand.yml the project says which file to add."""
    (scratch / "brand.yml").unlink()
    with pytest.raises(BriefgenError, match="brand.yml is missing"):
        load_brand(scratch)
