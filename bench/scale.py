"""The scale series: `check`, planning and sampled build throughput (local pool and Dask) at 50, 500, 2,000 blocks.

Each size is a synthetic catalogue (synthetic.make_scale: bounded links, its own seed copies, passes `check`) for one
audience. Each measurement runs in a fresh process (`scale.py --probe ...`), so its CPU seconds and peak memory are
its own (and its workers': they are its children, reaped before it reports):
- check: `briefgen check` from the command line, wall and CPU seconds;
- planning: what a cold build does before it renders: read the catalogue, check (timed apart), plan every target and
  hash its inputs (batch.run._Run.check / .outdated);
- throughput: SAMPLE documents (briefs and one-pagers spread over the catalogue) rendered through each executor
  with 2 workers (the local warm pool; Dask's LocalCluster), every worker reading the whole catalogue: documents per
  CPU-second (client and workers, start-up included), and the peak resident memory of the client and of a worker.
"""
from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
SIZES = (50, 500, 2000)
SAMPLE = 4
WORKERS = 2


def _usage() -> dict:
    me, kids = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return {"cpu": me.ru_utime + me.ru_stime + kids.ru_utime + kids.ru_stime, "self_mb": me.ru_maxrss / 1024}


def probe_plan(root: Path) -> dict:
    """Time reading + checking, then planning (targets and their input hashes), as a cold build does."""
    from briefgen.batch.inputs import Hasher
    from briefgen.batch.run import BuildOptions, _Run, _Silent
    from briefgen.project import Project

    project = Project(root)
    with tempfile.TemporaryDirectory() as out:
        run = _Run(project, Path(out), [project.config.default_audience], BuildOptions(), Hasher(root), _Silent())
        t0, c0 = time.perf_counter(), time.process_time()
        run.check()
        t1, c1 = time.perf_counter(), time.process_time()
        stale = run.outdated()
        t2, c2 = time.perf_counter(), time.process_time()
    return {"check_in_process": {"wall": round(t1 - t0, 3), "cpu": round(c1 - c0, 3)},
            "planning": {"wall": round(t2 - t1, 3), "cpu": round(c2 - c1, 3)}, "targets": len(stale),
            "client_mb": round(_usage()["self_mb"], 1)}


def probe_sample(root: Path, executor: str, sample: int) -> dict:
    """Render SAMPLE per-block documents through EXECUTOR (2 workers); throughput and peak memory."""
    from briefgen.batch.executors import ExecutorChoice, ExecutorSetup, open_executor
    from briefgen.batch.pool import Limits
    from briefgen.batch.render import RenderTargetJob
    from briefgen.batch.targets import plan
    from briefgen.project import Project

    project = Project(root)
    targets = plan(project)
    chosen = []
    for k, kind in enumerate(("brief", "onepager")):  # half each, spread over the catalogue
        of_kind = [t for t in targets if t.kind == kind]
        count = (sample + 1 - k) // 2
        chosen += [of_kind[(2 * i + k) * len(of_kind) // (2 * count)] for i in range(count)]
    before, t0 = _usage(), time.perf_counter()
    engine = open_executor(ExecutorChoice(executor), ExecutorSetup(root, WORKERS, Limits(), warm=WORKERS))
    started = time.perf_counter() - t0
    try:
        futures = [engine.submit(RenderTargetJob(t, str(root / "build"), source=project.catalogue.file_of(
            project.catalogue.get(t.block_id)))) for t in chosen]
        results = [f.result() for f in futures]
    finally:
        engine.close()
    wall = time.perf_counter() - t0
    after = _usage()
    cpu = after["cpu"] - before["cpu"]
    return {"executor": executor, "documents": len(results), "targets": [t.rel() for t in chosen],
            "wall": round(wall, 3), "startup_wall": round(started, 3), "cpu": round(cpu, 3),
            "docs_per_cpu_second": round(len(results) / cpu, 4) if cpu else None,
            "render_seconds": [round(r.seconds, 3) for r in results],
            "peak_client_mb": round(after["self_mb"], 1),
            "peak_worker_mb": round(max(r.peak_mb for r in results), 1)}


def _probe(*args: str) -> dict:
    done = subprocess.run([sys.executable, str(Path(__file__).resolve()), "--probe", *args], capture_output=True,
                          text=True)
    if done.returncode != 0:
        raise SystemExit(f"probe {args} failed:\n{done.stdout}\n{done.stderr}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def _check(root: Path) -> dict:
    before, t0 = resource.getrusage(resource.RUSAGE_CHILDREN), time.perf_counter()
    done = subprocess.run([sys.executable, "-m", "briefgen", "--project", str(root), "check"], capture_output=True,
                          text=True)
    wall, after = time.perf_counter() - t0, resource.getrusage(resource.RUSAGE_CHILDREN)
    if done.returncode != 0:
        raise SystemExit(f"check failed at {root}:\n{done.stdout}\n{done.stderr}")
    return {"wall": round(wall, 3), "cpu": round(after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime,
                                                 3)}


def series(sizes: tuple[int, ...] = SIZES, sample: int = SAMPLE, executors: tuple[str, ...] = ("local", "dask"),
           ) -> dict:
    """Measure every size; each figure with the load average before and after it."""
    sys.path.insert(0, str(HERE))
    import synthetic

    out: dict = {"sizes": {}, "sample": sample, "workers": WORKERS}
    for size in sizes:
        with tempfile.TemporaryDirectory(prefix=f"briefgen-scale-{size}-") as tmp:
            root = synthetic.make_scale(Path(tmp) / "project", size).resolve()
            row: dict = {"load_before": os.getloadavg()}
            row["check"] = _check(root)
            row.update(_probe("plan", str(root)))
            for name in executors:
                row[f"throughput_{name}"] = _probe("sample", str(root), name, str(sample))
            row["load_after"] = os.getloadavg()
            out["sizes"][str(size)] = row
            print(json.dumps({size: row}), file=sys.stderr, flush=True)
    first, last = str(sizes[0]), str(sizes[-1])
    if first != last:
        grow = sizes[-1] / sizes[0]
        out["growth"] = {key: round(out["sizes"][last][key]["cpu"] / out["sizes"][first][key]["cpu"] / grow, 3)
                         for key in ("check", "planning")}  # 1.0 = linear; fixed costs make it less
    out["targets"] = verdicts(out)
    return out


def verdicts(out: dict) -> dict:
    """Issue #27's scale targets: `check` of 2,000 blocks under 60 s (wall; its CPU seconds beside it, the figure a
    loaded machine does not distort), `check` and planning no worse than linear (growth per block at most 1.1x)."""
    result = {}
    big = out["sizes"].get("2000")
    if big:
        result["check_2000_seconds"] = {"value": big["check"]["wall"], "cpu_value": big["check"]["cpu"],
                                        "target": "< 60", "met": big["check"]["wall"] < 60,
                                        "met_cpu": big["check"]["cpu"] < 60}
    for key, value in out.get("growth", {}).items():
        result[f"{key}_growth_per_block"] = {"value": value, "target": "<= 1.1", "met": value <= 1.1}
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--probe", nargs="+", help=argparse.SUPPRESS)
    parser.add_argument("--sizes", default=",".join(map(str, SIZES)), help="catalogue sizes, comma-separated")
    parser.add_argument("--sample", type=int, default=SAMPLE, help="documents rendered per size and executor")
    parser.add_argument("--executors", default="local,dask", help="comma-separated; '' measures no throughput")
    parser.add_argument("--out", type=Path, default=HERE / "results" / "scale.json")
    args = parser.parse_args()
    if args.probe:
        kind, root, *rest = args.probe
        result = probe_plan(Path(root)) if kind == "plan" else probe_sample(Path(root), rest[0], int(rest[1]))
        print(json.dumps(result))
        return
    result = series(tuple(int(s) for s in args.sizes.split(",")), args.sample,
                    tuple(name for name in args.executors.split(",") if name))
    out = args.out
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")
    print(f"wrote {out}")


if __name__ == "__main__":
    main()
