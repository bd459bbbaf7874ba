"""The preview's output folder: files the preview wrote, and the only files it will ever serve."""
from __future__ import annotations

import hashlib
import logging
import os
import shutil
import stat
import threading
from pathlib import Path
from typing import Any

from briefgen import safeio
from briefgen.config.brand import BRAND_FILE
from briefgen.config.inputs import ASSET_DIRS
from briefgen.write import write_atomic

logger = logging.getLogger(__name__)

#: Template sources are inputs, never published.
TEMPLATE_SUFFIXES = (".j2", ".jinja", ".jinja2")
#: Top-level files whose change alters every document's look without changing its HTML.
STYLE_FILES = (BRAND_FILE,)


def safe_parts(rel: str) -> list[str] | None:
    """Split a decoded relative path into plain segments, or None when any segment could escape."""
    parts = rel.split("/")
    for part in parts:
        if part in ("", ".", "..") or "\\" in part or "\x00" in part:
            return None
    return parts


class Site:
    """The preview's folder under OUT; keeps a registry of every file it generated."""

    def __init__(self, root: Path, out: Path) -> None:
        self.root = root.resolve()
        self.out = out.resolve()
        self.base = self.out / ".preview"
        self.site = self.base / "site"
        self._generated: set[Path] = set()
        self._mirrored: dict[str, tuple[int, int]] = {}
        self._lock = threading.Lock()

    def register(self, path: Path) -> Path:
        """Record PATH (under OUT) as a file this preview generated and may serve."""
        resolved = path.resolve()
        if not resolved.is_relative_to(self.out):
            raise ValueError(f"{path} is outside {self.out}")
        with self._lock:
            self._generated.add(resolved)
        return resolved

    def forget(self, path: Path) -> None:
        """Drop PATH from the registry (it was deleted or replaced)."""
        with self._lock:
            self._generated.discard(path.resolve())

    def write(self, path: Path, data: bytes | str) -> Path:
        """Write DATA atomically to PATH under OUT and register it."""
        if not path.resolve().is_relative_to(self.out):
            raise ValueError(f"{path} is outside {self.out}")
        return self.register(write_atomic(path, data, inside=self.out))

    def lookup(self, folder: Path, rel: str) -> Path | None:
        """Return the generated file REL under FOLDER, or None if it escapes OUT or was not generated here."""
        parts = safe_parts(rel)
        if parts is None:
            return None
        path = folder.joinpath(*parts).resolve()
        if not path.is_relative_to(self.out):
            return None
        with self._lock:
            known = path in self._generated
        return path if known and path.is_file() else None

    def sync_assets(self) -> str:
        """Mirror stylesheets, fonts and images into site/; return a digest of what a document's look depends on."""
        digest = hashlib.sha256()
        seen: set[str] = set()
        for src in self._asset_files():
            rel_parts = src.relative_to(self.root).parts
            rel = "/".join(rel_parts)
            try:
                self._mirror(src, rel, rel_parts, digest)
            except OSError as exc:  # gone or unreadable mid-save (the next change retries), or swapped for a link
                logger.info("not mirroring %s: %s", rel, exc)
                continue
            seen.add(rel)
        # Gone, or no longer a plain file of the project (replaced by a link): unpublish it.
        for rel in set(self._mirrored) - seen:
            dest = self.site.joinpath(*rel.split("/"))
            self.forget(dest)
            dest.unlink(missing_ok=True)
            del self._mirrored[rel]
        for name in STYLE_FILES:
            path = self.root / name
            try:
                digest.update(name.encode() + b"\0" + safeio.read_inside(path, self.root))
            except OSError:
                continue  # absent (the usual case) or mid-save
        return digest.hexdigest()[:16]

    def _asset_files(self) -> list[Path]:
        """Plain files of the asset folders, found without following any link.

        A link (to a file or a folder, anywhere on the way) is never mirrored: the preview publishes only
        files that are really in the project, as the PDF fetcher only reads those.
        """
        found: list[Path] = []
        for folder in ASSET_DIRS:
            top = self.root / folder
            if top.is_symlink() or not top.is_dir():
                if top.is_symlink():
                    logger.warning("not publishing %s/: it is a link; the preview serves only project files", folder)
                continue
            for dirpath, dirnames, filenames in os.walk(top, followlinks=False):
                dirnames[:] = sorted(d for d in dirnames if not d.startswith("."))
                for name in sorted(filenames):
                    src = Path(dirpath) / name
                    if name.startswith(".") or src.suffix in TEMPLATE_SUFFIXES:
                        continue
                    if not stat.S_ISREG(src.lstat().st_mode):  # a link, FIFO, socket or device
                        logger.info("not publishing %s: not a plain file", src.relative_to(self.root).as_posix())
                        continue
                    found.append(src)
        return found

    def _mirror(self, src: Path, rel: str, rel_parts: tuple[str, ...], digest: Any) -> None:
        """Copy SRC to site/REL unless the copy is current; add its size and time to DIGEST.

        SRC is opened without following a link, and the open file must be a regular file inside the
        project, so a link swapped in after the walk is refused too.
        """
        fd = safeio.open_inside(src, self.root, nofollow=True)
        with os.fdopen(fd, "rb") as fh:
            st = os.fstat(fd)
            stamp = (st.st_size, st.st_mtime_ns)
            digest.update(f"{rel}\0{stamp}\n".encode())
            dest = self.site.joinpath(*rel_parts)
            if self._mirrored.get(rel) != stamp or not dest.is_file():
                dest.parent.mkdir(parents=True, exist_ok=True)
                tmp = dest.with_name(f".{dest.name}.tmp")
                with open(tmp, "wb") as out:
                    shutil.copyfileobj(fh, out)
                os.replace(tmp, dest)
                self.register(dest)
                self._mirrored[rel] = stamp
