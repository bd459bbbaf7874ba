"""The package version and the code's identity, alone so every module can import them without a cycle."""
from __future__ import annotations

import functools
import hashlib
from pathlib import Path

__version__ = "0.1.0"


@functools.cache
def tool_id() -> str:
    """The tool version and a hash of its code (modules, built-in templates, styles, scripts): a changed briefgen
    rebuilds everything, and reuses no cached book segment."""
    h = hashlib.sha256(__version__.encode())
    package = Path(__file__).resolve().parent
    for path in sorted(package.rglob("*")):
        if path.is_file() and path.suffix in (".py", ".j2", ".css", ".js") and "__pycache__" not in path.parts:
            h.update(path.relative_to(package).as_posix().encode() + b"\0" + path.read_bytes())
    return f"{__version__}+{h.hexdigest()[:16]}"
