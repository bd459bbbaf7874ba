"""Render Markdown prose fields safely: markdown-it-py's preset without raw HTML, inert links."""
from __future__ import annotations

import functools
import ipaddress
import socket
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from markupsafe import Markup

if TYPE_CHECKING:
    from markdown_it.token import Token

#: Schemes a prose link may use; anything else is either refused with an error or left as inert text.
LINK_SCHEMES = ("http", "https", "mailto")
#: Schemes that can only ever run code or smuggle content: the link is dropped and shows as plain text.
INERT_SCHEMES = ("javascript", "vbscript", "data")


@functools.cache
def _md() -> Any:
    """The prose parser (markdown-it-py, imported on first use: a no-op build renders no prose)."""
    from markdown_it import MarkdownIt

    md = MarkdownIt("js-default", {"typographer": True, "html": False, "linkify": False})
    md.disable(["image"])  # pictures belong in figures with alt text, not inside prose
    md.validateLink = _safe_link  # type: ignore[method-assign]
    return md


@functools.cache
def _finder() -> Any:
    """A second parser, used only to find every image and link destination, however it is written."""
    from markdown_it import MarkdownIt

    finder = MarkdownIt("js-default", {"html": False, "linkify": False})
    finder.validateLink = lambda url: True  # type: ignore[method-assign]
    return finder


def _local_host(host: str) -> bool:
    """True when HOST names this machine or a private network (localhost, 127.1, 10.x, fe80::, ...)."""
    host = host.strip("[]").lower().rstrip(".")
    if not host or host == "localhost" or host.endswith((".localhost", ".local", ".internal", ".localdomain")):
        return True
    try:
        ip = ipaddress.ip_address(host)
    except ValueError:
        try:  # the forms browsers also accept: 127.1, 0x7f.0.0.1, 2130706433
            ip = ipaddress.ip_address(socket.inet_aton(host))
        except (OSError, ValueError):
            return False
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    return not ip.is_global


def refused_url(url: str) -> str | None:
    """Say why URL may not appear in a document (a local file, a path, a private host), or None.

    Web links, mailto: and in-document anchors are fine; script-like schemes are not refused here
    because prose renders them as inert text.
    """
    text = url.strip()
    if text.startswith("#"):
        return None
    if not text:
        return "it has no destination"
    if "\\" in text or any(ord(c) < 0x21 or 0x7f <= ord(c) <= 0x9f for c in text):
        # WHATWG parsers read a backslash as '/', and drop tabs and newlines: http://127.0.0.1\@evil.com/ is
        # host 127.0.0.1 to a browser and evil.com to Python. Such a URL is never what it seems.
        return "it holds a backslash, a space or a control character, which browsers read differently"
    try:
        parts = urlsplit(text)
        host = parts.hostname or ""
    except ValueError:
        return "it is not a well-formed URL"
    scheme = parts.scheme.lower()
    if scheme in INERT_SCHEMES:
        return None
    if scheme == "file":
        return "it names a file on this computer"
    if not scheme:
        return "it is a path on this computer, not a web address"
    if scheme not in LINK_SCHEMES:
        return f"the {scheme}: scheme is not allowed"
    if scheme != "mailto":
        if "@" in parts.netloc:
            return "it has a user name before '@', which hides where the link really goes"
        raw_host = parts.netloc.rpartition("@")[2]
        if "%" in raw_host:
            # Browsers decode %31%32%37.0.0.1 to 127.0.0.1 and localhost%2e to localhost.; urlsplit does not.
            return "its host name is percent-encoded (browsers decode it, so it could hide a local address)"
        if _local_host(host):
            return "it points at this computer or a private network"
        if "." not in host.strip("[]") and ":" not in host:
            return "its host is a single-label intranet name, not a public web address"
    return None


def _safe_link(url: str) -> bool:
    """Allow only web links, mailto: and in-document anchors; every other URL is dropped (shown as text)."""
    text = url.strip()
    if text.startswith("#"):
        return True
    scheme = text.split(":", 1)[0].lower() if ":" in text else ""
    return scheme in LINK_SCHEMES and refused_url(text) is None




def _walk(tokens: list[Token]):  # noqa: ANN202 - generator of tokens
    for tok in tokens:
        yield tok
        if tok.children:
            yield from _walk(tok.children)


def problems(text: str) -> list[str]:
    """Describe every image and every refused link destination in Markdown TEXT (empty when fine)."""
    out: list[str] = []
    for tok in _walk(_finder().parse(text)):
        if tok.type == "image":
            out.append(f"images are not allowed in prose ({tok.attrGet('src')})")
        elif tok.type == "link_open":
            href = str(tok.attrGet("href") or "")
            reason = refused_url(href)
            if reason:
                out.append(f"link to {href} refused: {reason}")
    return out


def block(text: str) -> Markup:
    """Render TEXT as block-level HTML (paragraphs, lists)."""
    return Markup(_md().render(text))


def inline(text: str) -> Markup:
    """Render TEXT as inline HTML, for a one-paragraph field inside an existing element."""
    return Markup(_md().renderInline(text.strip()))


@functools.lru_cache(maxsize=8192)
def plain(text: str) -> str:
    """Return TEXT with Markdown markup removed, for metadata and alt text."""
    # Kept by text: a book numbers some 900 notes, each naming its seed section's titles, most of them many times.
    tokens = _md().parseInline(text.strip())
    parts: list[str] = []
    for tok in tokens:
        for child in tok.children or []:
            if child.type in ("text", "code_inline"):
                parts.append(child.content)
            elif child.type in ("softbreak", "hardbreak"):
                parts.append(" ")
    return "".join(parts)


def is_sentence(text: str) -> bool:
    """Whether TEXT reads as a whole sentence: a capital (after quote marks or a bracket) and a closing . ? or !."""
    body = " ".join(str(text).split()).strip("\u201c\u201d\"'\u2018\u2019 ")
    if body.startswith(("\u2026", "...")):
        return False
    first = next((ch for ch in body if ch.isalnum()), "")
    return bool(first) and (first.isupper() or first.isdigit()) and body.rstrip(")]\u201d\"'\u2019").endswith(
        (".", "?", "!"))
