"""Benchmark builds against bare WeasyPrint on a scratch copy of the project; writes bench/results/<label>.json.

Measured, each from the command line in a fresh process: a cold `build` of one audience with --jobs 1 and
--jobs 2; a no-op rebuild; a rebuild after editing one obstacle's prose; a cold and an incremental `book`;
one `briefgen onepager`; and, as the reference, bare WeasyPrint (default options, a fresh process per
document) on the same HTML files. Ratios are computed against the targets of issue #6.
"""
from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
import synthetic  # noqa: E402

BARE = "import sys, weasyprint; weasyprint.HTML(sys.argv[1]).write_pdf(sys.argv[2])"
TARGETS = {
    "cold_jobs1_vs_bare": ("<=", 0.25),
    "speedup_jobs2": (">=", 1.6),
    "noop_seconds": ("<", 1.0),
    "edit_rebuild_vs_cold_jobs2": ("<=", 0.15),
    "edit_book_vs_cold_book": ("<=", 0.25),
    "cold_book_vs_bare_book": ("<=", 0.6),
}


def timed(cmd: list[str], cwd: Path | None = None) -> float:
    """Run CMD; return its wall-clock seconds; fail loudly if it fails."""
    start = time.perf_counter()
    done = subprocess.run(cmd, cwd=cwd, capture_output=True, text=True)
    elapsed = time.perf_counter() - start
    if done.returncode != 0:
        raise SystemExit(f"failed ({done.returncode}): {' '.join(cmd)}\n{done.stdout}\n{done.stderr}")
    return elapsed


def write_reference_html(project: Path, audience: str) -> list[Path]:
    """Write the HTML of every brief, one-pager and the whole book into the project root (so URLs resolve)."""
    sys.path.insert(0, str(HERE.parent / "src"))
    from briefgen import Project, render_html
    from briefgen.render.book.plan import plan_book

    proj = Project(project)
    files = []
    for block in proj.catalogue.documents():
        for kind in ("brief", "onepager"):
            path = project / f"bench-{kind}-{block.id}.html"
            path.write_text(render_html(proj, block.id, kind, audience).html, encoding="utf-8")
            files.append(path)
    book = project / "bench-book.html"
    book.write_text(plan_book(proj, audience).whole_html(), encoding="utf-8")
    files.append(book)
    return files


def bench(project: Path, label: str, python: str, briefgen: list[str]) -> dict:
    """Run every measurement on PROJECT (a scratch copy that may be edited)."""
    sys.path.insert(0, str(HERE.parent / "src"))
    from briefgen.config.project import load_project_config
    from briefgen.content.catalogue import content_files

    audience = load_project_config(project).default_audience
    obstacles = [p for p in content_files(project) if p.parent.name == "obstacles"]
    blocks = [p for p in content_files(project) if p.parent.name in ("alliances", "obstacles")]
    work = Path(tempfile.mkdtemp(prefix="briefgen-bench-"))
    base = [*briefgen, "--project", str(project)]
    load_before = os.getloadavg()
    r: dict = {}
    try:
        def build(out: str, *extra: str) -> float:
            return timed([*base, "build", "-q", "--audience", audience, "--out", str(work / out), *extra])

        r["cold_build_jobs1"] = build("a1", "--jobs", "1")
        r["cold_build_jobs2"] = build("a2", "--jobs", "2")
        r["noop_build"] = build("a2", "--jobs", "2")
        r["cold_book_jobs2"] = timed([*base, "book", "--audience", audience, "--out", str(work / "b"), "--jobs", "2"])
        edited = obstacles[0]
        original = edited.read_text(encoding="utf-8")
        edited.write_text(original.replace("summary: >-\n", "summary: >-\n  (Edited for the benchmark.)\n", 1),
                          encoding="utf-8")
        r["edit_rebuild_jobs2"] = build("a2", "--jobs", "2")
        manifest = json.loads((work / "a2" / "manifest.json").read_text())
        r["edit_rebuilt_targets"] = manifest["last_run"]["built"]
        r["edit_book_jobs2"] = timed([*base, "book", "--audience", audience, "--out", str(work / "b"), "--jobs", "2"])
        edited.write_text(original, encoding="utf-8")
        r["onepager_cli"] = timed([*base, "onepager", edited.stem, "--audience", audience, "--out", str(work / "o")])
        from pypdf import PdfReader

        r["book_pages"] = len(PdfReader(work / "a2" / audience / "book.pdf").pages)

        html = write_reference_html(project, audience)
        bare = {}
        for path in html:
            bare[path.stem] = timed([python, "-c", BARE, path.name, str(work / f"{path.stem}.pdf")], cwd=project)
            path.unlink()
        r["bare_total"] = sum(bare.values())
        r["bare_book"] = bare["bench-book"]
        r["bare_documents"] = len(bare)
        r["bare_per_document_mean"] = r["bare_total"] / len(bare)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    ratios = {
        "cold_jobs1_vs_bare": r["cold_build_jobs1"] / r["bare_total"],
        "speedup_jobs2": r["cold_build_jobs1"] / r["cold_build_jobs2"],
        "noop_seconds": r["noop_build"],
        "edit_rebuild_vs_cold_jobs2": r["edit_rebuild_jobs2"] / r["cold_build_jobs2"],
        "edit_book_vs_cold_book": r["edit_book_jobs2"] / r["cold_book_jobs2"],
        "cold_book_vs_bare_book": r["cold_book_jobs2"] / r["bare_book"],
    }
    verdicts = {}
    for name, value in ratios.items():
        op, target = TARGETS[name]
        ok = value <= target if op == "<=" else value >= target if op == ">=" else value < target
        verdicts[name] = {"value": round(value, 3), "target": f"{op} {target}", "met": ok}
    import weasyprint

    return {
        "label": label,
        "when": dt.datetime.now(dt.timezone.utc).replace(microsecond=0).isoformat(),
        "machine": {"cpus": os.cpu_count(), "load_before": load_before, "load_after": os.getloadavg(),
                    "python": platform.python_version(), "weasyprint": weasyprint.__version__,
                    "note": "shared machine: other processes ran during the measurement; wall-clock figures are noisy"},
        "catalogue": {"documents": len(blocks), "targets": 2 * len(blocks) + 1, "edited": edited.name},
        "seconds": {k: round(v, 3) if isinstance(v, float) else v for k, v in r.items()},
        "ratios": verdicts,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--synthetic", metavar="A,O", help="also add A alliances and O obstacles (synthetic copies)")
    parser.add_argument("--label", help="results file name (default: real-catalogue or synthetic-A-O)")
    args = parser.parse_args()
    python = sys.executable
    briefgen = [python, "-m", "briefgen"]
    with tempfile.TemporaryDirectory(prefix="briefgen-bench-project-") as tmp:
        if args.synthetic:
            a, o = (int(x) for x in args.synthetic.split(","))
            project = synthetic.make(Path(tmp) / "project", a, o)
            label = args.label or f"synthetic-{a}-{o}"
        else:
            project = synthetic.copy_project(Path(tmp) / "project")
            label = args.label or "real-catalogue"
        result = bench(project, label, python, briefgen)
    out = HERE / "results" / f"{label}.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")
    print(json.dumps(result["seconds"], indent=2))
    for name, v in result["ratios"].items():
        print(f"{name:30} {v['value']:8.3f}  target {v['target']:8}  {'met' if v['met'] else 'NOT met'}")
    print(f"wrote {out}")


if __name__ == "__main__":
    main()
