"""Standalone HTML: a rendered document checked by the PDF's resource and link policy, then made self-contained."""
from __future__ import annotations

import base64
import html as html_lib
import re
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urljoin

from briefgen.errors import ErrorCollector, RenderError
from briefgen.render.pdf import _link_problem, lay_out, locate, make_fetcher

#: The file may load nothing from anywhere: every style, image and font it shows is inside it.
CSP = ("default-src 'none'; style-src 'unsafe-inline'; img-src data:; font-src data:; base-uri 'none'; "
       "form-action 'none'")
#: Elements a document file never carries: they run code, frame or embed other content, or redirect.
DROPPED = {"script", "noscript", "iframe", "frame", "frameset", "object", "embed", "applet", "base", "form",
           "template", "portal"}
#: Deepest chain of CSS @import followed.
MAX_IMPORTS = 8
_URL = re.compile(r"""url\(\s*(?:"([^"]*)"|'([^']*)'|([^)'"\s]*))\s*\)""", re.I)
_IMPORT = re.compile(r"""@import\s+(?:url\(\s*)?["']?([^"')\s;]+)["']?\s*\)?[^;]*;""", re.I)
_FONT_FACE = re.compile(r"@font-face\s*\{[^}]*\}", re.I)
#: Paged-media declarations (running strings, PDF bookmarks) that only a print engine reads; browsers and the
#: HTML validator do not know them, and a screen file has no page margins to show them in.
_PRINT_ONLY = re.compile(r"(?:bookmark-[a-z]+|string-set)\s*:[^;{}]*;?|content\s*:[^;{}]*\bstring\([^;{}]*;?", re.I)


def standalone_html(html: str, root: Path, source: str, *, strict: bool = False, layout: bool = True) -> str:
    """Return HTML (rendered with project-relative URLs) as one self-contained, inert file.

    The document is first laid out exactly as for the PDF, so the same rules refuse the same resources and
    links, with the same located errors. Then stylesheets are inlined, images become data: URLs, fonts are
    left to the reader's system (the brand's families name a generic fallback, and embedding them all would
    add megabytes), and scripts, frames, embeds, event handlers and attachments are removed; a strict
    Content-Security-Policy says so to the browser too. The file opens the same from any folder.
    """
    if layout:  # the book's whole HTML is not laid out in one piece (its PDF is, in segments): links checked below
        lay_out(html, root, source, strict=strict)
    inliner = _Inliner(root, source)
    inliner.feed(html)
    inliner.close()
    inliner.errors.raise_if_any()
    return inliner.result()


class _Inliner(HTMLParser):
    """Re-emit HTML as it was written, rewriting only what must change to stand alone."""

    def __init__(self, root: Path, source: str) -> None:
        super().__init__(convert_charrefs=False)
        self.root = root
        self.base = root.as_uri() + "/"
        self.source = source
        self.fetcher = make_fetcher(root)
        self.out: list[str] = []
        self._drop = 0  # depth inside a dropped element
        self._style = False
        self._csp_done = False
        self.errors = ErrorCollector()

    def result(self) -> str:
        return "".join(self.out)

    # -- fetching -----------------------------------------------------------------------------------------

    def _fetch(self, url: str, base: str) -> tuple[bytes, str]:
        full = urljoin(base, url)
        try:
            response = self.fetcher.fetch(full)
        except Exception as exc:  # noqa: BLE001 - the fetcher's refusal, or a missing file
            raise RenderError(f"refused to load {url} ({exc}), writing the standalone HTML of {self.source}",
                              locate(self.root, url, self.source), "use files in templates/, fonts/, images/ "
                              "or brand/") from None
        data = response.read()
        mime = response.headers.get_content_type() if response.headers.get("Content-Type") else \
            "application/octet-stream"
        return data, mime

    def _data_url(self, url: str, base: str) -> str:
        if url.startswith(("data:", "#")) or not url.strip():
            return url
        data, mime = self._fetch(url, base)
        return f"data:{mime};base64,{base64.b64encode(data).decode('ascii')}"

    def _css(self, css: str, base: str, depth: int = 0) -> str:
        """CSS with @import inlined, @font-face left to the system, and every url() a data: URL."""
        css = _PRINT_ONLY.sub("", _FONT_FACE.sub("", css))

        def imported(m: re.Match[str]) -> str:
            if depth >= MAX_IMPORTS:
                return ""
            data, _mime = self._fetch(m.group(1), base)
            return self._css(data.decode("utf-8", "replace"), urljoin(base, m.group(1)), depth + 1)

        css = _IMPORT.sub(imported, css)
        return _URL.sub(lambda m: f'url("{self._data_url(m.group(1) or m.group(2) or m.group(3) or "", base)}")',
                        css).replace("</style", "<\\/style")

    # -- tags -----------------------------------------------------------------------------------------------

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if self._drop or tag in DROPPED:
            if tag in DROPPED and tag not in ("base",):
                self._drop += 1
            return
        self._emit_tag(tag, attrs, self.get_starttag_text() or "", close=False)

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if self._drop or tag in DROPPED:
            return
        self._emit_tag(tag, attrs, self.get_starttag_text() or "", close=True)

    def handle_endtag(self, tag: str) -> None:
        if tag in DROPPED:
            if tag != "base":
                self._drop = max(0, self._drop - 1)
            return
        if self._drop:
            return
        if tag == "style":
            self._style = False
        self.out.append(f"</{tag}>")

    def _emit_tag(self, tag: str, attrs: list[tuple[str, str | None]], text: str, close: bool) -> None:
        values = dict(attrs)
        if tag == "link":
            rel = (values.get("rel") or "").lower().split()
            if "stylesheet" in rel and values.get("href"):
                href = values["href"] or ""
                data, _mime = self._fetch(href, self.base)
                self.out.append("<style>\n" + self._css(data.decode("utf-8", "replace"), urljoin(self.base, href))
                                + "\n</style>")
            return  # icons, attachments, preloads: nothing a standalone file should fetch
        if tag == "meta" and (values.get("http-equiv") or "").lower() in ("refresh", "content-security-policy"):
            return
        if tag == "style":
            self._style = True
        kept: list[tuple[str, str | None]] = []
        changed = False
        for name, value in attrs:
            low = name.lower()
            if low.startswith("on") or low in ("srcset", "ping", "formaction", "background"):
                changed = True
                continue
            if value is not None and ((low == "src" and tag in ("img", "source", "input", "video", "audio",
                                                                  "track")) or
                                      (low in ("href", "xlink:href") and tag in ("image", "use", "feimage"))):
                new = self._data_url(value, self.base)
                changed = changed or new != value
                value = new
            elif value is not None and low == "style" and "url(" in value.lower():
                value, changed = self._css(value, self.base), True
            elif value is not None and low == "href" and tag == "a":
                if "attachment" in (values.get("rel") or ""):
                    changed = True
                    continue
                reason = None if value.startswith("#") else _link_problem("external", urljoin(self.base, value))
                if reason:  # the PDF's rule for links, applied to the file's own
                    self.errors.add(RenderError(f"link to {value} refused ({reason}), rendering {self.source}",
                                                locate(self.root, value, self.source),
                                                "link only to web pages (http/https), mailto: or #anchors"))
            kept.append((name, value))
        if changed:
            parts = [tag] + [n if v is None else f'{n}="{html_lib.escape(v, quote=True)}"' for n, v in kept]
            text = "<" + " ".join(parts) + (" />" if close else ">")
        self.out.append(text)
        if tag == "head" and not self._csp_done:
            self.out.append(f'\n  <meta http-equiv="Content-Security-Policy" content="{CSP}">')
            self._csp_done = True

    # -- everything else, as written ------------------------------------------------------------------------

    def handle_data(self, data: str) -> None:
        if self._drop:
            return
        self.out.append(self._css(data, self.base) if self._style else data)

    def handle_entityref(self, name: str) -> None:
        if not self._drop:
            self.out.append(f"&{name};")

    def handle_charref(self, name: str) -> None:
        if not self._drop:
            self.out.append(f"&#{name};")

    def handle_comment(self, data: str) -> None:
        pass  # comments are the template author's, not the reader's

    def handle_decl(self, decl: str) -> None:
        self.out.append(f"<!{decl}>")

    def handle_pi(self, data: str) -> None:
        pass

    def unknown_decl(self, data: str) -> None:
        if not self._drop:
            self.out.append(f"<![{data}]>")
