"""`briefgen serve`: a loopback web server for the live preview; serves only files the preview generated."""
from __future__ import annotations

import ipaddress
import json
import logging
import mimetypes
import queue
import signal
import socket
import threading
import time
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from importlib import resources
from pathlib import Path
from typing import Any, Callable
from urllib.parse import parse_qs, unquote, urlsplit

import jinja2

from briefgen.config.kinds import KIND_LABELS, document_kind
from briefgen.errors import BriefgenError, Location
from briefgen.preview import PreviewSession, Watcher
from briefgen.preview.site import safe_parts

logger = logging.getLogger(__name__)

#: The browser may load nothing but this server's own files: no network font, image, script or frame.
CSP = ("default-src 'none'; script-src 'self'; style-src 'self' 'unsafe-inline'; font-src 'self' data:; "
       "img-src 'self' data:; connect-src 'self'; frame-src 'self'; frame-ancestors 'self'; base-uri 'none'; "
       "form-action 'none'")
#: An SVG (a brand logo, a figure) opened directly: it may draw, never run script or reach anything.
SVG_CSP = "default-src 'none'; style-src 'unsafe-inline'; img-src data:; font-src data:; sandbox"
#: Everything under /site/ (the documents and the project's assets: images, brand, fonts, templates' files): no
#: script of any kind runs there, whatever the file is (an `images/x.html` loading `images/x.js` included), and the
#: document keeps its origin only so the preview's own page can read its scroll position. A project file can never
#: script the preview's origin (read /api/state, trigger builds).
SITE_CSP = ("default-src 'none'; style-src 'self' 'unsafe-inline'; font-src 'self' data:; img-src 'self' data:; "
            "frame-ancestors 'self'; base-uri 'none'; form-action 'none'; sandbox allow-same-origin")
#: The preview's own files, served from the package; nothing else under /_preview/ exists.
ASSETS = {"preview.css": "text/css; charset=utf-8", "preview.js": "text/javascript; charset=utf-8",
          "doc.css": "text/css; charset=utf-8"}
#: Seconds between keep-alive comments on an event stream.
KEEPALIVE = 15.0
#: Longest a request for a PDF waits for its build.
PDF_WAIT = 120.0
FONT_TYPES = {".otf": "font/otf", ".ttf": "font/ttf", ".woff": "font/woff", ".woff2": "font/woff2"}


class NotFound(Exception):
    """The request names nothing this preview generated."""


def _shell_environment() -> jinja2.Environment:
    """Jinja for the preview's own pages (index and document shell), from the packaged assets."""
    env = jinja2.Environment(loader=jinja2.PackageLoader("briefgen.preview", "assets"), autoescape=True,
                             undefined=jinja2.StrictUndefined, trim_blocks=True, lstrip_blocks=True)
    return env


class PreviewServer(ThreadingHTTPServer):
    """A threading HTTP server bound to one preview session."""

    daemon_threads = True
    block_on_close = False
    request_queue_size = 64  # the default 5 drops connections under a burst of page loads

    def handle_error(self, request: Any, client_address: Any) -> None:
        """Log a broken connection (a TLS hello, a reset) briefly, not as a traceback on the serve terminal."""
        import sys

        logger.debug("connection from %s failed: %s", client_address, sys.exc_info()[1])

    def __init__(self, address: tuple[str, int], session: PreviewSession) -> None:
        if ":" in address[0]:
            self.address_family = socket.AF_INET6
        self.session = session
        self.shell = _shell_environment()
        super().__init__(address, Handler)

    def host_allowed(self, value: str | None) -> bool:
        """Whether VALUE (a Host header, or an origin's host:port) names this server.

        Loopback names and addresses, or the address it listens on, with its port; never another domain
        name, which is what a DNS-rebinding page would send.
        """
        if not value:
            return False
        value = value.strip().lower()
        if value.startswith("["):
            name, _, rest = value[1:].partition("]")
            port = rest[1:] if rest.startswith(":") else (None if not rest else "bad")
        else:
            name, sep, port_text = value.rpartition(":")
            name, port = (name, port_text) if sep else (value, None)
        if port is not None and port != str(self.server_address[1]):
            return False
        bound = str(self.server_address[0]).lower()
        if name == "localhost":
            return True
        try:
            ip = ipaddress.ip_address(name)
        except ValueError:
            return False
        if ip.is_loopback:
            return True
        # Listening on another address (the user asked for it): answer to IP addresses, never to names.
        return name == bound or bound in ("0.0.0.0", "::")

    @property
    def url(self) -> str:
        """The base URL the server answers on."""
        host, port = self.server_address[:2]
        return f"http://[{host}]:{port}/" if ":" in str(host) else f"http://{host}:{port}/"


class Handler(BaseHTTPRequestHandler):
    """Routes: /, /view/KEY, /site/FILE, /pdf/FILE, /pages/KEY/N.png, /api/state, /events, /_preview/ASSET."""

    server: PreviewServer
    protocol_version = "HTTP/1.1"
    #: Seconds an idle connection may hold its thread (an event stream writes every KEEPALIVE seconds).
    timeout = 60
    server_version = "briefgen-preview"
    sys_version = ""

    def version_string(self) -> str:
        """Name the server without Python's version."""
        return self.server_version

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - BaseHTTPRequestHandler's name
        """Log each request at debug level."""
        logger.debug("%s " + format, self.address_string(), *args)

    def do_GET(self) -> None:
        """Answer one GET; refusals are 404s, failures are 500s, and the server keeps running."""
        try:
            if not self.server.host_allowed(self.headers.get("Host")):
                # DNS rebinding: a web page whose name now resolves to 127.0.0.1 still sends its own name.
                return self._send(HTTPStatus.MISDIRECTED_REQUEST, b"this preview answers only to its own address\n",
                                  "text/plain; charset=utf-8", {"Connection": "close"})
            if not self._same_origin():
                return self._send(HTTPStatus.FORBIDDEN, b"cross-site request refused; open the preview from its "
                                  b"own index page\n", "text/plain; charset=utf-8")
            self._route()
        except NotFound:
            self._send(HTTPStatus.NOT_FOUND, b"not found\n", "text/plain; charset=utf-8")
        except (BrokenPipeError, ConnectionResetError):
            pass
        except Exception:  # noqa: BLE001 - never let one request take the server down
            logger.exception("request %s failed", self.path)
            try:
                self._send(HTTPStatus.INTERNAL_SERVER_ERROR, b"internal error\n", "text/plain; charset=utf-8")
            except OSError:
                pass

    def do_HEAD(self) -> None:
        """Refuse HEAD: the preview answers only GET."""
        self._send(HTTPStatus.METHOD_NOT_ALLOWED, b"", "text/plain", {"Allow": "GET"})

    do_POST = do_PUT = do_DELETE = do_HEAD

    def _same_origin(self) -> bool:
        """Whether the request comes from the preview's own pages or the user (typed, bookmarked), not another site.

        Every route but the index and the preview's own assets renders or builds something, so a page of
        another site must not be able to trigger them (the browser's CORS rules stop it only from reading).
        """
        path = urlsplit(self.path).path
        if path == "/" or path.startswith("/_preview/") or path == "/favicon.ico":
            return True
        site = self.headers.get("Sec-Fetch-Site")
        if site is not None and site.strip().lower() not in ("same-origin", "none"):
            return False
        for header in ("Origin", "Referer"):
            value = self.headers.get(header)
            if value is None:
                continue
            try:
                parts = urlsplit(value.strip())
                netloc = parts.netloc
            except ValueError:
                return False
            if parts.scheme != "http" or not self.server.host_allowed(netloc):
                return False
        return True

    # -- routing ---------------------------------------------------------------------------------------------

    def _route(self) -> None:
        split = urlsplit(self.path)
        raw = split.path
        query = parse_qs(split.query)
        if raw == "/":
            return self._index()
        if not raw.startswith("/"):
            raise NotFound
        head, _, rest = raw[1:].partition("/")
        rel = unquote(rest)
        session = self.server.session
        if head == "view":
            return self._view(rel)
        if head == "site":
            return self._file(session.site.lookup(session.site.site, rel), site=True)
        if head == "pdf":
            return self._pdf(rel)
        if head == "changes":
            return self._changes(rel)
        if head == "pages":
            return self._page(rel)
        if head == "api" and rel == "state":
            return self._json(session.state(query.get("doc", [""])[0]))
        if head == "events" and not rest:
            return self._events()
        if head == "_preview" and rel in ASSETS:
            data = resources.files("briefgen.preview").joinpath("assets", rel).read_bytes()
            return self._send(HTTPStatus.OK, data, ASSETS[rel], {"Cache-Control": "no-cache"})
        if raw == "/favicon.ico":
            return self._send(HTTPStatus.NO_CONTENT, b"", "image/x-icon")
        raise NotFound

    def _target(self, key: str):  # noqa: ANN202 - a Target
        if safe_parts(key) is None:
            raise NotFound
        target = self.server.session.snapshot.by_key.get(key)
        if target is None:
            raise NotFound
        return target

    # -- pages -----------------------------------------------------------------------------------------------

    def _index(self) -> None:
        snap = self.server.session.snapshot
        groups: list[dict[str, Any]] = []
        for name, label in snap.audiences.items():
            kinds: dict[str, list[dict[str, str]]] = {}
            for t in snap.targets:
                if t.audience == name:
                    kinds.setdefault(t.kind, []).append({"key": t.key, "title": snap.titles.get(t, t.block_id),
                                                         "id": t.block_id})
            groups.append({"name": name, "label": label,
                           "kinds": [{"kind": k, "label": _plural(KIND_LABELS.get(k, k.title())), "docs": docs}
                                     for k, docs in kinds.items()]})
        html = self.server.shell.get_template("index.html.j2").render(
            groups=groups, project=snap.project_title, signature=snap.signature, version=snap.version,
            errors=snap.shown_errors)
        self._send(HTTPStatus.OK, html.encode(), "text/html; charset=utf-8", {"Cache-Control": "no-store"})

    def _view(self, key: str) -> None:
        session = self.server.session
        target = self._target(key)
        session.request_pdf(target)
        snap = session.snapshot
        html = self.server.shell.get_template("view.html.j2").render(
            key=key, title=snap.titles.get(target, target.block_id), audience=target.audience,
            audience_label=snap.audiences.get(target.audience, target.audience),
            kind_label=KIND_LABELS.get(target.kind, target.kind.title()),
            pdf_name=target.rel().split("/", 1)[1], version=snap.version, changes=document_kind(target.kind).per_block)
        self._send(HTTPStatus.OK, html.encode(), "text/html; charset=utf-8", {"Cache-Control": "no-store"})

    def _changes(self, key: str) -> None:
        """The open document's redline against its last edition (the preview's Changes tab)."""
        session = self.server.session
        path = session.snapshot.redline(self._target(key))
        if path is None:
            raise NotFound
        self._file(session.site.lookup(session.site.site, path.name), cache="no-store")

    def _pdf(self, rel: str) -> None:
        session = self.server.session
        if safe_parts(rel) is None:
            raise NotFound
        target = session.snapshot.by_pdf.get(rel)
        if target is None:
            raise NotFound
        state = session.wait_pdf(target, PDF_WAIT)
        if state.status not in ("ok", "blocked", "error") or state.path is None:
            raise NotFound
        self._file(session.site.lookup(session.site.out, rel), cache="no-store")

    def _page(self, rel: str) -> None:
        key, _, name = rel.rpartition("/")
        number = name.removesuffix(".png")
        if not name.endswith(".png") or not number.isdigit() or len(number) > 4:
            raise NotFound
        session = self.server.session
        target = self._target(key)
        session.wait_pdf(target, PDF_WAIT)
        png = session.page_image(target, int(number))
        if png is None:
            raise NotFound
        self._file(session.site.lookup(session.site.out, png.relative_to(session.site.out).as_posix()))

    def _events(self) -> None:
        session = self.server.session
        sub = session.subscribe()
        try:
            self.send_response(HTTPStatus.OK)
            self._common_headers()
            self.send_header("Content-Type", "text/event-stream; charset=utf-8")
            self.send_header("Cache-Control", "no-store")
            self.send_header("Connection", "close")
            self.end_headers()
            self.close_connection = True
            hello = {"type": "hello", "version": session.snapshot.version}
            self.wfile.write(b"retry: 500\n\n" + _event(hello))
            self.wfile.flush()
            while True:
                try:
                    event = sub.get(timeout=KEEPALIVE)
                except queue.Empty:
                    self.wfile.write(b": keep-alive\n\n")
                    self.wfile.flush()
                    continue
                if event is None:
                    return
                self.wfile.write(_event(event))
                self.wfile.flush()
        finally:
            session.unsubscribe(sub)

    # -- responses -------------------------------------------------------------------------------------------

    def _file(self, path: Path | None, cache: str = "no-cache", site: bool = False) -> None:
        if path is None:
            raise NotFound
        stat = path.stat()
        etag = f'"{stat.st_size:x}-{stat.st_mtime_ns:x}"'
        ctype = FONT_TYPES.get(path.suffix) or mimetypes.guess_type(path.name)[0] or "application/octet-stream"
        if ctype.startswith("text/") or ctype in ("application/javascript", "image/svg+xml"):
            ctype += "; charset=utf-8"
        headers = {"ETag": etag, "Cache-Control": cache}
        if site and not ctype.startswith("image/svg+xml"):
            headers["Content-Security-Policy"] = SITE_CSP
        if etag in self.headers.get("If-None-Match", "") and cache != "no-store":
            return self._send(HTTPStatus.NOT_MODIFIED, b"", None, headers)
        self._send(HTTPStatus.OK, path.read_bytes(), ctype, headers)

    def _json(self, value: dict[str, Any]) -> None:
        self._send(HTTPStatus.OK, json.dumps(value).encode(), "application/json", {"Cache-Control": "no-store"})

    def _common_headers(self, ctype: str | None = None, own_csp: bool = False) -> None:
        if own_csp:
            pass
        elif ctype is None or ctype.startswith(("text/html", "text/event-stream")):
            self.send_header("Content-Security-Policy", CSP)
        elif ctype.startswith("image/svg+xml"):  # an SVG opened on its own is a document that could run script
            self.send_header("Content-Security-Policy", SVG_CSP)
        self.send_header("X-Content-Type-Options", "nosniff")
        self.send_header("Referrer-Policy", "no-referrer")

    def _send(self, status: HTTPStatus, body: bytes, ctype: str | None, headers: dict[str, str] | None = None) -> None:
        self.send_response(status)
        self._common_headers(ctype, own_csp="Content-Security-Policy" in (headers or {}))
        if ctype:
            self.send_header("Content-Type", ctype)
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(body) if status != HTTPStatus.NOT_MODIFIED else 0))
        self.end_headers()
        if status != HTTPStatus.NOT_MODIFIED:
            self.wfile.write(body)


def _plural(label: str) -> str:
    return label if label.endswith("s") else label + "s"


def _event(value: dict[str, Any]) -> bytes:
    return b"data: " + json.dumps(value).encode() + b"\n\n"


class Preview:
    """A running preview: session, watcher and HTTP server, started and stopped together."""

    def __init__(self, root: Path, out: Path, *, host: str = "127.0.0.1", port: int = 8000, strict: bool = False,
                 audiences: list[str] | None = None, say: Callable[[str], None] | None = None) -> None:
        self.session = PreviewSession(root, out, strict=strict, audiences=audiences, say=say)
        try:
            self.server = PreviewServer((host, port), self.session)
        except OSError as exc:
            raise BriefgenError(f"cannot listen on {host}:{port}: {exc.strerror or exc}", Location("--port"),
                                "pass another --port, or --port 0 to pick a free one") from None
        self.watcher = Watcher(root, self.session.reload, ignore=self.session.site.out)
        self._thread: threading.Thread | None = None

    @property
    def url(self) -> str:
        """The base URL of the preview."""
        return self.server.url

    def start(self) -> None:
        """Start watching, building and serving in background threads."""
        self.session.start()
        self.watcher.start()
        self._thread = threading.Thread(target=self.server.serve_forever, kwargs={"poll_interval": 0.2},
                                        name="briefgen-http", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        """Stop serving, watching and building."""
        self.watcher.stop()
        self.session.close()
        self.server.shutdown()
        self.server.server_close()


def serve(root: Path, out: Path, *, host: str = "127.0.0.1", port: int = 8000, strict: bool = False,
          audiences: list[str] | None = None, say: Callable[[str], None] = print,
          announce: Callable[[str], None] = print) -> None:
    """Serve the live preview of the project at ROOT until interrupted (Ctrl+C or SIGTERM)."""
    preview = Preview(root, out, host=host, port=port, strict=strict, audiences=audiences, say=say)
    snap = preview.session.snapshot
    announce(f"briefgen serve: {len(snap.targets)} documents for {len(snap.audiences)} audience(s) at {preview.url}")
    for error in snap.errors:
        say(f"  {error['text']}")
    if host not in ("127.0.0.1", "localhost", "::1"):
        say(f"warning: listening on {host}, not only this machine's loopback address")
    stop = threading.Event()
    if threading.current_thread() is threading.main_thread():
        signal.signal(signal.SIGTERM, lambda *_: stop.set())
    preview.start()
    say("watching for changes; press Ctrl+C to stop")
    try:
        while not stop.is_set():
            time.sleep(0.2)
    except KeyboardInterrupt:
        pass
    finally:
        preview.stop()
        say("briefgen serve: stopped")
