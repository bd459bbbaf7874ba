"""Write output files atomically: a temporary file beside the target, then a rename."""
from __future__ import annotations

import errno
import os
import stat
import tempfile
from pathlib import Path

from briefgen.errors import Location, OutputError, display_path

#: What an I/O failure while writing means for the user, and what to do about it.
_WHY = {
    errno.ENOSPC: ("the disk is full", "free some space or pass another --out"),
    errno.EDQUOT: ("the disk quota is exceeded", "free some space or pass another --out"),
    errno.EROFS: ("the folder is on a read-only file system", "pass an --out folder you can write to"),
    errno.EACCES: ("permission denied", "pass an --out folder you can write to, or fix its permissions"),
    errno.EPERM: ("permission denied", "pass an --out folder you can write to, or fix its permissions"),
    errno.ENOTDIR: ("a file is where a folder of the output should be", "pass another --out, or move the file"),
    errno.EEXIST: ("a file is where a folder of the output should be", "pass another --out, or move the file"),
}


def current_umask() -> int:
    """The process umask, read without changing it (os.umask would race with other threads)."""
    try:
        with open("/proc/self/status", encoding="ascii") as fh:
            for line in fh:
                if line.startswith("Umask:"):
                    return int(line.split()[1], 8)
    except (OSError, ValueError, IndexError):
        pass
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


def output_error(path: Path, exc: OSError) -> OutputError:
    """Describe EXC, raised while writing PATH, as a located briefgen error."""
    why, hint = _WHY.get(exc.errno or 0, (exc.strerror or str(exc), "check the output folder"))
    return OutputError(f"cannot write the output: {why}; the previous file, if any, is unchanged",
                       Location(display_path(path)), hint)


def _refuse_unsafe(path: Path, inside: Path | None) -> None:
    """Refuse writing at PATH when it is a link or a special file, or (with INSIDE) when a folder from INSIDE down
    to it is a link: nothing is written, replaced or created outside INSIDE, and no FIFO is opened."""
    from briefgen.safeio import UnsafeFile, check_folder

    try:
        if inside is not None:
            check_folder(path, inside)
        else:
            try:
                st = os.lstat(path)
            except OSError:  # missing, or under a file where a folder should be: the write itself reports it
                return
            if stat.S_ISLNK(st.st_mode) or not stat.S_ISREG(st.st_mode):
                raise UnsafeFile("special", "a link or special file (briefgen never writes through one)")
    except UnsafeFile as exc:
        raise OutputError(f"refusing to write: {exc.why}", Location(display_path(path)),
                          "replace the link or special file with a real folder or file") from None


def write_atomic(path: Path, data: bytes | str, inside: Path | None = None) -> Path:
    """Write DATA to PATH so readers see either the old file or the complete new one, never a part.

    A new file gets the mode the umask allows (0644 under 022); a rewritten file keeps its mode. PATH may not be a
    link or a special file; with INSIDE, no folder between INSIDE and PATH may be a link either (checked before and
    after the folders are made).
    """
    raw = data.encode("utf-8") if isinstance(data, str) else data
    _refuse_unsafe(path, inside)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        _refuse_unsafe(path, inside)
        try:
            mode = stat.S_IMODE(os.stat(path).st_mode)
        except FileNotFoundError:
            mode = 0o666 & ~current_umask()
        fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    except OSError as exc:
        raise output_error(path, exc) from None
    try:
        with os.fdopen(fd, "wb") as fh:
            os.fchmod(fh.fileno(), mode)
            fh.write(raw)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException as exc:
        try:
            os.unlink(tmp)
        except FileNotFoundError:
            pass
        if isinstance(exc, OSError):
            raise output_error(path, exc) from None
        raise
    return path



def write_inside(root: Path, path: Path, data: bytes | str) -> Path:
    """write_atomic of PATH, which must lie inside ROOT with no link on the way."""
    return write_atomic(path, data, inside=root)
