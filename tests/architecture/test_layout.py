"""Tests mirror the package: one folder per stage, and pytest collects every one of them."""
from __future__ import annotations

from pathlib import Path

import briefgen

TESTS = Path(__file__).resolve().parents[1]
PACKAGE = Path(briefgen.__file__).resolve().parent


def test_a_test_folder_per_stage() -> None:
    """Every stage (config, seeds, content, editions, ingest, render, batch, preview) has its tests in tests/<stage>/."""
    for stage in ("config", "seeds", "content", "editions", "ingest", "render", "batch", "preview"):
        assert (PACKAGE / stage).is_dir() and list((TESTS / stage).glob("test_*.py")), stage


def test_no_stage_is_named_like_generated_output() -> None:
    """Tools skip or ignore folders named build/ or dist/ (Python's .gitignore, pytest, ruff): no stage is one."""
    assert not {"build", "dist"} & {p.name for p in PACKAGE.iterdir() if p.is_dir()}
