"""Make a scratch copy of the project with many synthetic blocks (and seeds they cite), for the bench's scale runs."""
from __future__ import annotations

import argparse
import hashlib
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


#: The seed the fixture's blocks cite most; each synthetic seed is a copy of it (a marker line appended, so the
#: cited line numbers hold and each copy has its own hash).
COPIED_SEED = "csis-2025"


def _seed_copies(dest: Path, count: int) -> list[str]:
    """Register COUNT copies of COPIED_SEED in DEST's seeds/sources.yaml; return their ids."""
    seeds = dest / "seeds"
    registry = (seeds / "sources.yaml").read_text(encoding="utf-8")
    entry = re.search(rf"^  - id: {COPIED_SEED}\n(?:    .*\n|      .*\n)*", registry, re.M).group(0)
    source = seeds / re.search(r"^    file: (.+)$", entry, re.M).group(1)
    text = source.read_text(encoding="utf-8")
    ids, entries = [], []
    for n in range(count):
        seed_id, name = f"synthetic-seed-{n:04d}", f"synthetic-seed-{n:04d}.md"
        data = f"{text.rstrip(chr(10))}\n\nSynthetic copy {n} for the benchmark.\n".encode()
        (seeds / name).write_bytes(data)
        digest = hashlib.sha256(data).hexdigest()
        copy = entry.replace(f"id: {COPIED_SEED}", f"id: {seed_id}", 1)
        copy = re.sub(r"^    file: .+$", f"    file: {name}", copy, count=1, flags=re.M)
        copy = re.sub(r"^    original: .+$", f"    original: {name}", copy, count=1, flags=re.M)
        copy = re.sub(r"^    sha256: .+$", f"    sha256: {digest}", copy, count=1, flags=re.M)
        entries.append(copy)
        ids.append(seed_id)
    (seeds / "sources.yaml").write_text(registry.rstrip("\n") + "\n" + "".join(entries), encoding="utf-8")
    return ids


def make_scale(dest: Path, blocks: int, *, degree: int = 3, per_seed: int = 20) -> Path:
    """A project of BLOCKS alliances and obstacles (half each), copies of the two-block fixture's NATO and free
    riding, each obstacle linked to DEGREE alliances (so a document's size does not grow with the catalogue), every
    PER_SEED blocks citing their own copy of the CSIS report (seeds grow with the catalogue). Passes `check`."""
    copy_project(dest)
    content = dest / "content"
    shutil.rmtree(content)
    shutil.copytree(ROOT / "tests" / "fixtures" / "two-blocks" / "content", content)
    nato = (content / "alliances" / "nato.yaml").read_text(encoding="utf-8")
    free = (content / "obstacles" / "free-riding.yaml").read_text(encoding="utf-8")
    alliances, obstacles = (blocks + 1) // 2, blocks // 2
    a_ids = ["nato"] + [f"synthetic-alliance-{i:04d}" for i in range(1, alliances)]
    o_ids = ["free-riding"] + [f"synthetic-obstacle-{j:04d}" for j in range(1, obstacles)]
    links = {(o, a_ids[(j * 7 + k * 13) % alliances]) for j, o in enumerate(o_ids) for k in range(degree)}
    links.add(("free-riding", "nato"))
    seeds = _seed_copies(dest, (blocks + per_seed - 1) // per_seed)

    def cite(text: str, n: int) -> str:
        return text.replace(f"{COPIED_SEED}#", f"{seeds[n // per_seed]}#")

    for i, a in enumerate(a_ids):
        text = nato if a == "nato" else _set(_set(_set(nato, "id", a), "name", f"Synthetic alliance {i:04d}"),
                                                  "short_name", f"SA-{i:04d}")
        related = sorted(o for o, x in links if x == a)
        text = _set(text, "related_obstacles", "[" + ", ".join(related) + "]")
        (content / "alliances" / f"{a}.yaml").write_text(cite(text, 2 * i), encoding="utf-8")
    for j, o in enumerate(o_ids):
        text = free if o == "free-riding" else _set(_set(free, "id", o), "name", f"Synthetic obstacle {j:04d}")
        affected = sorted(a for x, a in links if x == o)
        text = _set(text, "affected_alliances", "[" + ", ".join(affected) + "]")
        (content / "obstacles" / f"{o}.yaml").write_text(cite(text, 2 * j + 1), encoding="utf-8")
    return dest


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("dest", type=Path)
    parser.add_argument("--alliances", type=int, default=18)
    parser.add_argument("--obstacles", type=int, default=24)
    parser.add_argument("--blocks", type=int, help="a scale catalogue of this many blocks instead (make_scale)")
    args = parser.parse_args()
    if args.blocks:
        make_scale(args.dest, args.blocks)
    else:
        make(args.dest, args.alliances, args.obstacles)
    print(args.dest)


if __name__ == "__main__":
    main()
