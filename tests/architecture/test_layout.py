"""Tests mirror the package: one folder per stage, and pytest collects every one of them."""
from __future__ import annotations

from pathlib import Path

import briefgen

TESTS = Path(__file__).resolve().parents[1]
PACKAGE = Path(briefgen.__file__).resolve().parent


def test_a_test_folder_per_stage() -> None:
    """config, seeds, content, render, build and preview each have their tests in tests/<stage>/."""
    for stage in ("config", "seeds", "content", "render", "build", "preview"):
        assert (PACKAGE / stage).is_dir() and list((TESTS / stage).glob("test_*.py")), stage


def test_pytest_collects_the_build_folder(pytestconfig) -> None:
    """pytest skips folders named build unless told otherwise; pyproject.toml tells it."""
    assert "build" not in pytestconfig.getini("norecursedirs")
