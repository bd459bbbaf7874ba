"""The site's colours (light and dark, each pair WCAG AA) and @font-face rules, from the audience's brand."""
from __future__ import annotations

from pathlib import PurePosixPath

from briefgen.config.brand import Brand

#: Least contrast of text against its background (WCAG 2 AA, normal text).
AA = 4.5


def _rgb(hex_colour: str) -> tuple[float, float, float]:
    h = hex_colour.lstrip("#")
    if len(h) == 3:
        h = "".join(c * 2 for c in h)
    return tuple(int(h[i:i + 2], 16) / 255 for i in (0, 2, 4))  # type: ignore[return-value]


def _hex(rgb: tuple[float, float, float]) -> str:
    return "#" + "".join(f"{round(max(0.0, min(1.0, c)) * 255):02x}" for c in rgb)


def luminance(hex_colour: str) -> float:
    """Relative luminance (WCAG 2)."""
    def lin(c: float) -> float:
        return c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4
    r, g, b = (lin(c) for c in _rgb(hex_colour))
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def contrast(a: str, b: str) -> float:
    """The WCAG contrast ratio of two colours."""
    la, lb = sorted((luminance(a), luminance(b)), reverse=True)
    return (la + 0.05) / (lb + 0.05)


def mix(a: str, b: str, share_of_b: float) -> str:
    """A blended with SHARE_OF_B of B."""
    return _hex(tuple(x + (y - x) * share_of_b for x, y in zip(_rgb(a), _rgb(b))))  # type: ignore[arg-type]


def readable(colour: str, *backgrounds: str, ratio: float = AA) -> str:
    """COLOUR moved towards white or black (away from the backgrounds) until it reaches RATIO on every background."""
    towards = "#ffffff" if luminance(backgrounds[0]) < 0.18 else "#000000"
    for step in range(21):
        candidate = mix(colour, towards, step / 20)
        if all(contrast(candidate, bg) >= ratio for bg in backgrounds):
            return candidate
    return towards


def palettes(brand: Brand) -> tuple[dict[str, str], dict[str, str]]:
    """The light and the dark palette as CSS custom properties; every text colour AA on every panel it sits on."""
    c = brand.colors
    paper, tint = c["background"], c["light"]
    light = {
        "--paper": paper, "--tint": tint, "--band": c["dark"], "--on-band": readable(paper, c["dark"]),
        "--text": readable(c["foreground"], paper, tint),
        "--heading": readable(c["heading"], paper, tint),
        "--link": readable(c["primary"], paper, tint),
        "--accent": readable(c["secondary"], paper, tint),
        "--muted": readable(c["tertiary"], paper, tint),
        "--rule": c["rule"],
    }
    night = mix(c["dark"], "#000000", 0.72)
    night_tint = mix(c["dark"], "#000000", 0.45)
    dark = {
        "--paper": night, "--tint": night_tint, "--band": mix(c["dark"], "#000000", 0.3),
        "--on-band": readable(paper, mix(c["dark"], "#000000", 0.3)),
        "--text": readable(mix(tint, paper, 0.5), night, night_tint),
        "--heading": readable(mix(c["heading"], "#ffffff", 0.75), night, night_tint),
        "--link": readable(mix(c["primary"], "#ffffff", 0.7), night, night_tint),
        "--accent": readable(mix(c["secondary"], "#ffffff", 0.35), night, night_tint),
        "--muted": readable(mix(c["tertiary"], "#ffffff", 0.45), night, night_tint),
        "--rule": mix(c["rule"], night, 0.7),
    }
    return light, dark


def web_font_name(path: str) -> str:
    """The file name of a brand font's WOFF2 subset."""
    return PurePosixPath(path).stem + ".woff2"


def brand_css(brand: Brand, fonts_prefix: str = "fonts/") -> str:
    """@font-face rules for the WOFF2 subsets, the palettes, and the brand's families as custom properties."""
    rules = []
    for font in brand.typography.fonts:
        for f in font.files:
            rules.append(f'@font-face {{ font-family: "{font.family}"; font-weight: {f.weight}; font-style: {f.style}; '
                         f'font-display: swap; src: url("{fonts_prefix}{web_font_name(f.path)}") format("woff2"); }}')
    light, dark = palettes(brand)
    typo = brand.typography
    families = {"--font-base": f'"{typo.base.family}", Georgia, serif',
                "--font-heading": f'"{typo.headings.family}", system-ui, sans-serif',
                "--weight-heading": str(typo.headings.weight)}
    rules.append(":root { color-scheme: light dark; " + " ".join(f"{k}: {v};" for k, v in {**light, **families}.items())
                 + " }")
    rules.append("@media (prefers-color-scheme: dark) { :root { "
                 + " ".join(f"{k}: {v};" for k, v in dark.items()) + " } }")
    return "\n".join(rules) + "\n"
