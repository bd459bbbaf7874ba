"""Summarize a BRIEFGEN_TEST_CPU profile of the test suite: totals, the projected `make test` wall, the costliest tests.

`python bench/suite_cpu.py PROFILE.jsonl [BASELINE.jsonl]`: CPU is the test process's plus its finished children's;
the projection is CPU / 2 cores / 0.85 (xdist's idle tail); with BASELINE, the tests whose CPU changed most.
"""
from __future__ import annotations

import json
import sys
from pathlib import Path


def load(path: str) -> dict[str, float]:
    """Each test's CPU seconds (self + children) in the profile at PATH."""
    rows = [json.loads(line) for line in Path(path).read_text(encoding="utf-8").splitlines() if line.strip()]
    return {r["test"]: r["self"] + r["children"] for r in rows}


def summary(name: str, cpu: dict[str, float]) -> str:
    """One line: tests, CPU seconds and the projected wall of `pytest -n 2` on two cores."""
    total = sum(cpu.values())
    return f"{name}: {len(cpu)} tests, {total:.0f} CPU s, projected -n 2 wall {total / 2 / 0.85 / 60:.1f} min"


def main() -> None:
    now = load(sys.argv[1])
    print(summary("profile", now))
    for test, seconds in sorted(now.items(), key=lambda kv: -kv[1])[:25]:
        print(f"{seconds:7.1f}  {test}")
    if len(sys.argv) > 2:
        before = load(sys.argv[2])
        print(summary("baseline", before))
        changed = sorted(set(now) | set(before), key=lambda t: now.get(t, 0) - before.get(t, 0))
        for test in changed[:20]:
            print(f"{before.get(test, 0):7.1f} -> {now.get(test, 0):7.1f}  {test}")


if __name__ == "__main__":
    main()
