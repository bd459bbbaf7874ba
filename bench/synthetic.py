"""Make a scratch copy of the project with many synthetic blocks, to measure books of realistic size."""
from __future__ import annotations

import argparse
import re
import shutil
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PARTS = ("briefgen.yaml", "brand.yml", "brand", "audiences", "content", "seeds", "templates", "fonts", "images")


def copy_project(dest: Path) -> Path:
    """Copy the project's inputs (not build/ or .venv/) to DEST."""
    dest.mkdir(parents=True, exist_ok=True)
    for part in PARTS:
        src = ROOT / part
        if src.is_dir():
            shutil.copytree(src, dest / part, dirs_exist_ok=True)
        elif src.is_file():
            shutil.copy2(src, dest / part)
    return dest


def _set(text: str, key: str, value: str) -> str:
    pattern = re.compile(rf"^{key}:.*(?:\n[ ]+- .*)*", re.M)  # the key, and a block list under it
    return pattern.sub(f"{key}: {value}", text, count=1) if pattern.search(text) else text + f"\n{key}: {value}\n"


def make(dest: Path, alliances: int, obstacles: int) -> Path:
    """A project whose catalogue is the two-block test fixture (NATO, free riding) plus ALLIANCES and
    OBSTACLES copies of them, cross-linked in a fixed pattern."""
    copy_project(dest)
    content = dest / "content"
    shutil.rmtree(content)
    shutil.copytree(ROOT / "tests" / "fixtures" / "two-blocks" / "content", content)
    nato = (content / "alliances" / "nato.yaml").read_text(encoding="utf-8")
    free = (content / "obstacles" / "free-riding.yaml").read_text(encoding="utf-8")
    a_ids = ["nato"] + [f"synthetic-alliance-{i:02d}" for i in range(1, alliances)]
    o_ids = ["free-riding"] + [f"synthetic-obstacle-{i:02d}" for i in range(1, obstacles)]
    links = {(o, a) for j, o in enumerate(o_ids) for i, a in enumerate(a_ids) if (i * 7 + j * 3) % 5 == 0}
    links.add(("free-riding", "nato"))
    for i, a in enumerate(a_ids):
        text = nato if a == "nato" else _set(_set(_set(nato, "id", a), "name", f"Synthetic alliance {i:02d}"),
                                                  "short_name", f"SA-{i:02d}")
        related = sorted(o for o, x in links if x == a)
        text = _set(text, "related_obstacles", "[" + ", ".join(related) + "]")
        (content / "alliances" / f"{a}.yaml").write_text(text, encoding="utf-8")
    for j, o in enumerate(o_ids):
        text = free if o == "free-riding" else _set(_set(free, "id", o), "name", f"Synthetic obstacle {j:02d}")
        affected = sorted(a for x, a in links if x == o)
        text = _set(text, "affected_alliances", "[" + ", ".join(affected) + "]")
        (content / "obstacles" / f"{o}.yaml").write_text(text, encoding="utf-8")
    return dest


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("dest", type=Path)
    parser.add_argument("--alliances", type=int, default=18)
    parser.add_argument("--obstacles", type=int, default=24)
    args = parser.parse_args()
    make(args.dest, args.alliances, args.obstacles)
    print(args.dest)


if __name__ == "__main__":
    main()
