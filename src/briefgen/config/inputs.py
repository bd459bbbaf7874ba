"""The one declaration of which project files are inputs: what builds hash, the book caches by, the preview watches."""
from __future__ import annotations

from pathlib import Path

from briefgen.config.brand import BRAND_FILE
from briefgen.config.project import PROJECT_FILE

#: Files at the project root that every document depends on.
ROOT_FILES: tuple[str, ...] = (PROJECT_FILE, BRAND_FILE)
#: Folders whose files a rendered document may load (stylesheets, fonts, images, the brand's logos).
ASSET_DIRS: tuple[str, ...] = ("templates", "fonts", "images", "brand")
#: Folders of configuration and content.
SOURCE_DIRS: tuple[str, ...] = ("content", "audiences", "seeds")
#: The editions record (editions.records): written by `briefgen build`, kept in the project and its history. It is not
#: an input of what a document shows, but each document's record file is part of its no-op check.
EDITIONS_DIR = "editions"
#: The per-document record files (the content-addressed objects under editions/objects/ never change once written).
EDITION_GLOBS: tuple[str, ...] = (f"{EDITIONS_DIR}/*/*/*.json",)
#: Where `briefgen ingest --draft` writes draft blocks; drafts there are checked but never built.
DRAFTS = Path("content") / "drafts"
#: Folder under DRAFTS holding proposed additions to existing blocks.
ADDITIONS = "additions"
#: Folder under DRAFTS holding the change proposals of reviewed Word documents (`briefgen review`): not drafts of
#: blocks, so never checked as such.
REVIEWS = "reviews"
#: Folders under content/ that hold work in progress, never loaded into the catalogue.
SKIPPED_FOLDERS = {"drafts"}
#: Every folder an output may depend on: what the preview watches.
WATCHED_DIRS: tuple[str, ...] = (*SOURCE_DIRS, *ASSET_DIRS)
#: Project files every document depends on, besides its content blocks and seeds (globs, relative to the root).
SHARED_GLOBS: tuple[str, ...] = (*ROOT_FILES, "audiences/*.yaml", "seeds/sources.yaml",
                                 *(f"{d}/**/*" for d in ASSET_DIRS))
#: Files a rendered PDF may load besides its HTML: what a cached book segment depends on.
ASSET_GLOBS: tuple[str, ...] = (BRAND_FILE, *(f"{d}/**/*" for d in ASSET_DIRS))


#: The web edition's own templates, stylesheet and script (templates/site/, and an audience's
#: templates/audiences/NAME/site/): inputs of `briefgen site` only, so editing them never makes a PDF stale.
WEB_TEMPLATES = "site"


def web_only(rel: str) -> bool:
    """Whether project file REL is read by the web edition only (see WEB_TEMPLATES)."""
    parts = rel.split("/")
    return parts[0] == "templates" and (parts[1:2] == [WEB_TEMPLATES] or (
        len(parts) > 3 and parts[1] == "audiences" and parts[3] == WEB_TEMPLATES))


def project_files(root: Path, patterns: tuple[str, ...], *, web: bool = False) -> list[str]:
    """The regular files under ROOT matching PATTERNS, project-relative, sorted; hidden files and backups left out,
    and the web edition's own templates unless WEB."""
    out: set[str] = set()
    for pattern in patterns:
        for path in root.glob(pattern):
            rel = path.relative_to(root).as_posix()
            if "/." in "/" + rel or rel.endswith((".pyc", "~")) or not path.is_file() or (not web and web_only(rel)):
                continue
            out.add(rel)
    return sorted(out)


def content_files(project_root: Path) -> list[Path]:
    """Every content YAML file, sorted; folders named in SKIPPED_FOLDERS are left out."""
    root = project_root / "content"
    if not root.is_dir():
        return []
    out = []
    for path in sorted(root.rglob("*")):
        rel = path.relative_to(root)
        if rel.parts[0] in SKIPPED_FOLDERS or path.is_dir():
            continue
        if path.suffix in (".yaml", ".yml"):
            out.append(path)
    return out
