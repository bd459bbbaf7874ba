"""Run read-only git plumbing in a project so that nothing the project configures can name a program to run."""
from __future__ import annotations

import logging
import os
import re
import subprocess
from pathlib import Path

log = logging.getLogger(__name__)

#: Seconds one git call may take before it is stopped (it reads objects; a real repository answers in well under 1 s).
TIMEOUT = 20

#: Configuration that overrides whatever the project's own `.git/config` (or a file it includes) says, for every key
#: through which git could run a program or reach the network. The commands briefgen runs (`rev-parse`, `log
#: --format`, `ls-tree`, `cat-file --batch`) never apply filters, textconv or external diff, never read the index
#: (so no fsmonitor) and never run hooks, and these keys make sure of it should a git version start to.
SAFE_CONFIG: tuple[str, ...] = (
    "core.fsmonitor=false", "core.untrackedCache=false", "core.hooksPath=/dev/null", "core.pager=cat",
    "core.sshCommand=false", "core.askPass=", "core.gitProxy=", "core.alternateRefsCommand=",
    "core.attributesFile=/dev/null", "core.editor=false", "sequence.editor=false", "credential.helper=",
    "diff.external=", "log.showSignature=false", "gpg.program=false", "gpg.ssh.program=false",
    "gpg.x509.program=false", "protocol.allow=never", "protocol.file.allow=never", "fetch.negotiationAlgorithm=noop",
    "uploadpack.packObjectsHook=", "safe.bareRepository=explicit",
)

#: Environment git reads that could name a program, another repository or another configuration: never inherited.
_DROP = re.compile(r"^(GIT_|SSH_ASKPASS$|PAGER$|EDITOR$|VISUAL$|LESS)")

#: A revision as briefgen passes it on: no option, no path, no revision syntax that runs anything.
_REV = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._/~^@{}-]{0,200}$")


def environment() -> dict[str, str]:
    """The environment git runs with: the caller's minus git's own variables, with system and user config off."""
    env = {k: v for k, v in os.environ.items() if not _DROP.match(k)}
    env.update({"GIT_CONFIG_NOSYSTEM": "1", "GIT_CONFIG_GLOBAL": os.devnull, "GIT_CONFIG_SYSTEM": os.devnull,
                "GIT_ATTR_NOSYSTEM": "1", "GIT_TERMINAL_PROMPT": "0", "GIT_OPTIONAL_LOCKS": "0",
                "GIT_NO_REPLACE_OBJECTS": "1", "GIT_NO_LAZY_FETCH": "1", "GIT_PROTOCOL_FROM_USER": "0",
                "GIT_PAGER": "cat", "PAGER": "cat", "LC_ALL": "C", "HOME": os.devnull, "XDG_CONFIG_HOME": os.devnull})
    return env


def command(root: Path, *args: str) -> list[str]:
    """The argument list for `git ARGS` in ROOT with SAFE_CONFIG in force."""
    out = ["git", "--no-pager", "--no-replace-objects", "-C", str(root.resolve())]
    for item in SAFE_CONFIG:
        out += ["-c", item]
    return [*out, *args]


def valid_rev(rev: str) -> bool:
    """Whether REV may be handed to git as a revision (it cannot be read as an option or a path)."""
    return bool(_REV.match(rev)) and ".." not in rev and not rev.endswith(".lock")


def run(root: Path, *args: str, data: bytes | None = None, timeout: float = TIMEOUT) -> bytes | None:
    """The output of `git ARGS` in ROOT, or None when git is missing, fails or runs past TIMEOUT."""
    try:
        done = subprocess.run(command(root, *args), input=data, capture_output=True, timeout=timeout,
                              env=environment(), stdin=None if data is not None else subprocess.DEVNULL)
    except (OSError, subprocess.SubprocessError) as exc:
        log.debug("git %s: %s", args[:1], exc)
        return None
    return done.stdout if done.returncode == 0 else None


def text(root: Path, *args: str) -> str | None:
    """`run` decoded as UTF-8 (replacement characters for anything else)."""
    out = run(root, *args)
    return out.decode("utf-8", "replace") if out is not None else None


class TreeTooLarge(Exception):
    """A committed file (or the files together) larger than briefgen reads from a revision."""

    def __init__(self, path: str, size: int) -> None:
        super().__init__(path)
        self.path, self.size = path, size


#: A mode of a regular file in a git tree (links 120000 and submodules 160000 are not files briefgen reads).
_FILE_MODES = ("100644", "100755")


def _safe_rel(path: str) -> bool:
    parts = path.split("/")
    return bool(path) and not path.startswith("/") and all(p not in ("", ".", "..") and "\0" not in p
                                                            for p in parts)


def tree_files(root: Path, commit: str, paths: list[str], *, file_limit: int,
               total_limit: int) -> dict[str, bytes] | None:
    """The regular files under PATHS in COMMIT (a verified object id), read as raw objects: no checkout, no filter,
    no link followed. Links, submodules and names with `..` are left out; a file over FILE_LIMIT bytes, or all
    together over TOTAL_LIMIT, raise TreeTooLarge before anything is read. None when git fails."""
    listing = run(root, "ls-tree", "-r", "-l", "-z", "--full-name", commit, "--", *paths)
    if listing is None:
        return None
    wanted: list[tuple[str, str]] = []
    total = 0
    for row in listing.split(b"\0"):
        if not row:
            continue
        meta, _, name_b = row.partition(b"\t")
        fields = meta.decode("ascii", "replace").split()
        name = name_b.decode("utf-8", "replace")
        if len(fields) != 4 or fields[0] not in _FILE_MODES or fields[1] != "blob" or not _safe_rel(name):
            log.info("left out of the revision: %s", name)
            continue
        size = int(fields[3]) if fields[3].isdigit() else file_limit + 1
        total += size
        if size > file_limit:
            raise TreeTooLarge(name, size)
        if total > total_limit:
            raise TreeTooLarge(name, total)
        wanted.append((name, fields[2]))
    if not wanted:
        return {}
    out = run(root, "cat-file", "--batch", data="".join(f"{oid}\n" for _, oid in wanted).encode("ascii"))
    if out is None:
        return None
    files: dict[str, bytes] = {}
    pos = 0
    for name, oid in wanted:
        end = out.index(b"\n", pos)
        header = out[pos:end].split()
        if len(header) != 3 or header[0].decode("ascii", "replace") != oid or header[1] != b"blob":
            return None
        size = int(header[2])
        files[name] = out[end + 1:end + 1 + size]
        pos = end + 1 + size + 1
    return files
