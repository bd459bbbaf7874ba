"""Read project files safely: regular files only, inside the project as opened (not as first resolved), capped."""
from __future__ import annotations

import errno
import hashlib
import os
import re
import stat
from pathlib import Path

#: Bytes read per chunk when hashing or reading a file.
CHUNK = 1 << 20


class UnsafeFile(OSError):
    """A file that must not be read: a FIFO, device or folder, a link out of the project, or too large."""

    def __init__(self, reason: str, why: str) -> None:
        super().__init__(why)
        self.reason = reason  # "special" | "outside" | "large"
        self.why = why
        self.strerror = why


def _real(fd: int, path: Path) -> Path:
    """The path of the file FD is open on, as the kernel knows it (no second lookup of PATH)."""
    try:
        return Path(os.readlink(f"/proc/self/fd/{fd}"))
    except OSError:  # no /proc: fall back to resolving the name (racy, but only off Linux)
        return path.resolve()


def open_inside(path: Path, root: Path | None, *, nofollow: bool = False) -> int:
    """Open PATH for reading and return the fd; refuse non-regular files and files outside ROOT.

    The check is made on the open file itself, so a link swapped in between the check and the read cannot
    point the read elsewhere. O_NONBLOCK keeps a FIFO from blocking the open. With NOFOLLOW, PATH itself
    may not be a link at all.
    """
    flags = os.O_RDONLY | os.O_NONBLOCK | os.O_CLOEXEC | (os.O_NOFOLLOW if nofollow else 0)
    try:
        fd = os.open(path, flags)
    except OSError as exc:
        if nofollow and exc.errno == errno.ELOOP:
            raise UnsafeFile("outside", "a link (only plain files of the project are read here)") from None
        raise
    try:
        st = os.fstat(fd)
        if not stat.S_ISREG(st.st_mode):
            kind = "folder" if stat.S_ISDIR(st.st_mode) else "FIFO, socket or device"
            raise UnsafeFile("special", f"not a regular file (a {kind})")
        if root is not None and not _real(fd, path).is_relative_to(root.resolve()):
            raise UnsafeFile("outside", "a link to a file outside the project")
        os.set_blocking(fd, True)
        return fd
    except BaseException:
        os.close(fd)
        raise


def read_inside(path: Path, root: Path | None, limit: int | None = None) -> bytes:
    """Read PATH whole (a regular file inside ROOT, at most LIMIT bytes)."""
    fd = open_inside(path, root)
    with os.fdopen(fd, "rb") as fh:
        if limit is not None and os.fstat(fd).st_size > limit:
            raise UnsafeFile("large", f"larger than the {limit // 1_000_000} MB limit for this kind of file")
        data = fh.read(limit + 1 if limit is not None else -1)
    if limit is not None and len(data) > limit:
        raise UnsafeFile("large", f"larger than the {limit // 1_000_000} MB limit for this kind of file")
    return data


def hash_file(path: Path, root: Path | None = None) -> str:
    """SHA-256 of PATH, read in chunks (a huge stray file costs time, not memory)."""
    fd = open_inside(path, root)
    h = hashlib.sha256()
    with os.fdopen(fd, "rb") as fh:
        while chunk := fh.read(CHUNK):
            h.update(chunk)
    return h.hexdigest()


def is_regular(path: Path) -> bool:
    """Whether PATH (links followed) is a regular file; FIFOs, sockets, devices and folders are not."""
    try:
        return stat.S_ISREG(os.stat(path).st_mode)
    except OSError:
        return False


#: Caps on what briefgen reads whole, by kind (checked on the open file, before a byte is parsed).
SEED_LIMIT = 10_000_000
RECORD_LIMIT = 5_000_000
CACHE_LIMIT = 5_000_000
#: Length of an object id in hex: sha256 for editions and caches.
HEX_ID = re.compile(r"\A[0-9a-f]{64}\Z")


def is_object_id(text: object) -> bool:
    """Whether TEXT is a sha256 object id: exactly 64 lower-case hex digits, so it can name nothing but a file."""
    return isinstance(text, str) and bool(HEX_ID.match(text))


def check_folder(path: Path, root: Path) -> None:
    """Refuse writing at PATH unless every existing folder from ROOT down to PATH's parent is a real folder (no link,
    no special file) and PATH itself, if present, is a regular file or absent (never a link, FIFO or device)."""
    full = Path(os.path.abspath(path))
    root = Path(os.path.abspath(root))
    if not full.is_relative_to(root):
        root, full = root.resolve(), full.parent.resolve() / full.name
        if not full.is_relative_to(root):
            raise UnsafeFile("outside", "a path outside the project")
    here = root
    for part in full.relative_to(root).parts[:-1]:
        here = here / part
        try:
            st = os.lstat(here)
        except OSError:  # missing (made later), or under a file: the write reports it
            return
        if stat.S_ISLNK(st.st_mode):
            raise UnsafeFile("outside", f"{here.relative_to(root).as_posix()} is a link (briefgen writes only "
                                        "into real folders of the project)")
        if stat.S_ISREG(st.st_mode):
            return  # a file where a folder should be: the write fails with the system's own, clear error
        if not stat.S_ISDIR(st.st_mode):
            raise UnsafeFile("special", f"{here.relative_to(root).as_posix()} is a FIFO, socket or device")
    try:
        st = os.lstat(full)
    except OSError:
        return
    if stat.S_ISLNK(st.st_mode):
        raise UnsafeFile("outside", "a link (briefgen never writes through a link)")
    if not stat.S_ISREG(st.st_mode):
        raise UnsafeFile("special", "not a regular file (a FIFO, socket, device or folder)")


def read_text_inside(path: Path, root: Path, limit: int) -> str:
    """PATH as UTF-8 text: a regular file inside ROOT, no larger than LIMIT (UnicodeDecodeError for other bytes)."""
    return read_inside(path, root, limit).decode("utf-8")
