"""`briefgen site`: the web edition of one audience, built whole and then incrementally (a manifest of page inputs)."""
from __future__ import annotations

import hashlib
import json
import logging
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

from briefgen import prose
from briefgen.batch.inputs import Hasher, content_inputs, tool_id
from briefgen.batch.redline import redline_path
from briefgen.batch.render import render
from briefgen.config.inputs import EDITION_GLOBS, SHARED_GLOBS, project_files
from briefgen.config.kinds import KINDS, SITE_PAGE_KIND, Target
from briefgen.content.catalogue import content_files
from briefgen.editions.records import record_rel
from briefgen.errors import BriefgenError
from briefgen.project import Project
from briefgen.render.output import RenderOptions
from briefgen.render.setup import render_setup
from briefgen.render.site import fonts, pages, paths
from briefgen.render.site.feed import atom_feed, sitemap
from briefgen.render.site.paths import SiteInfo, site_base_url
from briefgen.render.site.search import page_sections, search_index
from briefgen.render.site.theme import brand_css
from briefgen.safeio import read_inside
from briefgen.write import write_atomic

logger = logging.getLogger(__name__)

#: The site's stylesheet and script, found through the audience's template search path like every template.
SITE_CSS = "site/css/site.css"
SITE_JS = "site/js/search.js"
#: Where the site's build record lives (outside the site, so it is never published).
STATE = ".cache/site"
#: Where the fonts' WOFF2 subsets are kept by what they are made from (a second site, or a rebuilt one, reuses them).
FONT_CACHE = ".cache/site-fonts"


@dataclass
class SiteReport:
    """What one audience's site build did."""

    audience: str
    folder: Path
    built: list[str] = field(default_factory=list)
    kept: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    #: Pages that failed, each with its error; the others are written all the same.
    failures: list[tuple[str, BriefgenError]] = field(default_factory=list)
    seconds: float = 0.0

    @property
    def size(self) -> int:
        """Bytes of every file in the site."""
        return sum(p.stat().st_size for p in self.folder.rglob("*") if p.is_file())


def _digest(value: object) -> str:
    return hashlib.sha256(json.dumps(value, sort_keys=True, default=str).encode()).hexdigest()


class _Builder:
    """One audience's site: each file written only when the hash of its inputs changed since the last build."""

    def __init__(self, project: Project, audience: str, out: Path) -> None:
        self.project, self.audience, self.out = project, audience, out
        self.folder = out / audience / "site"
        self.state_path = out / STATE / f"{audience}.json"
        try:
            self.previous: dict = json.loads(self.state_path.read_text(encoding="utf-8"))["files"]
        except (OSError, ValueError, KeyError, TypeError):
            self.previous = {}
        self.files: dict[str, dict] = {}
        self.hasher = Hasher(project.root)
        self.report = SiteReport(audience, self.folder)
        root = project.root
        self.shared = _digest([tool_id(), {rel: self.hasher(rel)
                                           for rel in project_files(root, SHARED_GLOBS, web=True)}])
        self.content = _digest({p.relative_to(root).as_posix(): self.hasher(p.relative_to(root).as_posix())
                                for p in content_files(root)})
        self.records = _digest({rel: self.hasher(rel) for rel in project_files(root, EDITION_GLOBS)
                                if rel.split("/")[1] == audience})

    def fresh(self, path: str, key: str) -> bool:
        """Whether PATH on disk is what the last build wrote from inputs hashing to KEY."""
        entry = self.previous.get(path)
        target = self.folder / path
        if not entry or entry.get("key") != key or not target.is_file():
            return False
        return hashlib.sha256(target.read_bytes()).hexdigest() == entry.get("sha256")

    def emit(self, path: str, key: str, make: Callable[[], bytes | str]) -> bool:
        """Write PATH from MAKE unless it is fresh; return whether it was (re)written."""
        if self.fresh(path, key):
            self.files[path] = dict(self.previous[path])
            self.report.kept.append(path)
            return False
        try:
            data = make()
        except BriefgenError as exc:
            self.fail(path, exc)
            return False
        data = data.encode("utf-8") if isinstance(data, str) else data
        write_atomic(self.folder / path, data)
        self.files[path] = {"key": key, "sha256": hashlib.sha256(data).hexdigest()}
        self.report.built.append(path)
        return True

    def fail(self, path: str, exc: BriefgenError) -> None:
        """Record that PATH failed: its last good file stays, marked stale so the next build tries it again."""
        self.report.failures.append((path, exc))
        if path in self.previous:
            self.files[path] = {**self.previous[path], "key": ""}

    def save(self) -> None:
        """Remove files the last build wrote that this one did not, and record this build."""
        for path in sorted(set(self.previous) - set(self.files)):
            target = self.folder / path
            if target.is_file():
                target.unlink()
                self.report.removed.append(path)
        write_atomic(self.state_path, json.dumps({"files": self.files}, indent=1, sort_keys=True) + "\n")


def build_site(project: Project, audience: str, out: Path, *, strict: bool = False) -> SiteReport:
    """Build (or bring up to date) AUDIENCE's web site under OUT/AUDIENCE/site/."""
    start = time.monotonic()
    b = _Builder(project, audience, out)
    site = _downloads(b)
    _assets(b, site)
    documents = list(project.catalogue.documents())
    sections: dict[str, list] = {}
    for block in documents:
        _brief_page(b, site, block.id, strict)
        page = b.files.get(paths.brief_page(block.id), {})
        sections[paths.brief_page(block.id)] = page.get("sections", [])
        # Its editions follow what the brief shows (the brief page's key) and the record; the one-pager shows less.
        redlines = [b.files.get(site.downloads.get((block.id, f"{k}-changes"), ""), {}).get("sha256") for k in KINDS]
        key = _digest([b.records, page.get("key", ""), redlines])
        b.emit(paths.editions_page(block.id), key, lambda i=block.id: pages.render_editions(project, site, i).html)
    whole = _digest([b.shared, b.content, b.records])
    for path, make in ((paths.HOME, pages.render_home), (paths.RECOMMENDATIONS, pages.render_recommendations),
                       (paths.SOURCES, pages.render_sources), (paths.SEARCH, pages.render_search)):
        b.emit(path, b.shared if path == paths.SEARCH else whole, lambda m=make: m(project, site).html)
        if path in (paths.RECOMMENDATIONS, paths.SOURCES) and path in b.files:
            if "sections" not in b.files[path]:
                b.files[path]["sections"] = page_sections((b.folder / path).read_text(encoding="utf-8"))
            sections[path] = b.files[path]["sections"]
    titles = {p: (s[0][0] if s else p) for p, s in sections.items()}
    index = [{"t": titles[p], "u": p, "s": s[1:] if len(s) > 1 else s} for p, s in sections.items()]
    b.emit(paths.SEARCH_INDEX, _digest(index), lambda: search_index(index))
    listed = sorted(p for p in b.files if p.endswith(".html"))

    def feed_and_dates() -> tuple[str, dict]:
        editions = _feed_entries(project, audience, documents)
        return atom_feed(project, site, editions), {paths.brief_page(e["id"]): e["date"]
                                                    for e in editions if e.get("current")}
    made: dict = {}
    b.emit(paths.FEED, whole, lambda: made.setdefault("feed", feed_and_dates())[0])
    if site.base_url is not None:
        b.emit(paths.SITEMAP, _digest([whole, listed]),
               lambda: sitemap(site, dict.fromkeys(listed) | made.setdefault("feed", feed_and_dates())[1]) or "")
    b.save()
    b.report.seconds = time.monotonic() - start
    logger.info("site %s: %d written, %d up to date", audience, len(b.report.built), len(b.report.kept))
    return b.report


def _brief_page(b: _Builder, site: SiteInfo, block_id: str, strict: bool) -> None:
    """The brief's page, unless nothing it shows changed (its block, the linked fields it read, notes, edition)."""
    project, path = b.project, paths.brief_page(block_id)
    target = Target(SITE_PAGE_KIND, block_id, b.audience)
    old = b.previous.get(path) or {}
    downloads = [b.files.get(site.downloads.get((block_id, k), ""), {}).get("sha256") for k in KINDS]

    def key_for(deps: dict | None) -> str:
        inputs = content_inputs(project, target, b.hasher, deps)
        record = record_rel(SITE_PAGE_KIND, block_id, b.audience)
        return _digest([b.shared, inputs, record, b.hasher(record), downloads])

    deps = old.get("deps")
    if b.fresh(path, key_for(deps)):
        b.files[path] = old
        b.report.kept.append(path)
        return
    try:
        output = render(project, target, "web", RenderOptions(strict=strict, site=site))
    except BriefgenError as exc:
        b.fail(path, exc)
        return
    html = output.data.decode("utf-8")
    write_atomic(b.folder / path, output.data)
    b.files[path] = {"key": key_for(output.deps), "sha256": output.sha256, "deps": output.deps,
                     "sections": page_sections(html)}
    b.report.built.append(path)


def _downloads(b: _Builder) -> SiteInfo:
    """Copy the PDFs the build has for this audience into the site; the site's address from site_url."""
    project = b.project
    downloads: dict[tuple[str, str], str] = {}
    sizes: dict[str, int] = {}
    for block in project.catalogue.documents():
        for kind in KINDS:
            target = Target(kind, block.id, b.audience)
            for key, pdf, site_path in (((block.id, kind), target.path(b.out), paths.download(block.id, kind)),
                                        ((block.id, f"{kind}-changes"), redline_path(b.out, target),
                                         paths.redline_download(block.id, kind))):
                if not pdf.is_file():
                    continue
                data = read_inside(pdf, b.out)  # a link out of the output folder is refused
                b.emit(site_path, hashlib.sha256(data).hexdigest(), lambda d=data: d)
                downloads[key] = site_path
                sizes[site_path] = len(data)
    return SiteInfo(b.audience, site_base_url(project.config.site_url, b.audience), downloads, sizes)


def _assets(b: _Builder, site: SiteInfo) -> None:
    """The stylesheet (brand palettes and fonts, then site.css), the search script, the logo, fonts and licences."""
    project, root = b.project, b.project.root
    setup = render_setup(project, b.audience)
    brand = setup.brand
    env = setup.env

    def source(name: str) -> str:
        return env.loader.get_source(env, name)[0]

    b.emit(paths.STYLESHEET, b.shared, lambda: brand_css(brand, "fonts/") + source(SITE_CSS))
    b.emit(paths.SCRIPT, b.shared, lambda: source(SITE_JS))
    logo = brand.logo_for("dark").path
    b.emit(paths.LOGO, b.hasher(logo) or "", lambda: read_inside(root / logo, root))
    faces = fonts.font_files(brand)
    for rel in faces:
        b.emit(f"{paths.FONTS}/{fonts.woff2_name(rel)}", _digest([rel, b.hasher(rel), fonts.UNICODES]),
               lambda r=rel: web_font(b.out, read_inside(root / r, root)))
    for rel in fonts.licence_files(root, faces):
        b.emit(f"{paths.FONTS}/{Path(rel).name}", b.hasher(rel) or "", lambda r=rel: read_inside(root / r, root))
    listing = [fonts.woff2_name(r) for r in faces] + [Path(r).name for r in fonts.licence_files(root, faces)]
    b.emit(f"{paths.FONTS}/index.html", _digest([b.shared, listing]),
           lambda: pages.render_fonts(project, site, listing).html)


def web_font(out: Path, data: bytes) -> bytes:
    """The WOFF2 subset of face DATA, from OUT's font cache when it holds it (subsetting takes about a second)."""
    cached = out / FONT_CACHE / f"{fonts.subset_key(data)}.woff2"
    try:
        return read_inside(cached, out)
    except OSError:
        woff = fonts.subset_woff2(data)
        write_atomic(cached, woff)
        return woff


def _feed_entries(project: Project, audience: str, documents: list) -> list[dict]:
    """Every edition of every brief, for the feed and the sitemap's dates."""
    out = []
    for block in documents:
        number, history = pages.edition_history(project, audience, SITE_PAGE_KIND, block.id)
        for e in history:
            out.append(dict(id=block.id, name=block.name, doc_number=number, number=e["number"], date=e["date"],
                            changes=e["changes"], current=bool(e.get("current")),
                            summary=prose.plain(block.bottom_line or block.summary)))
    return out


__all__ = ["SiteReport", "build_site"]
