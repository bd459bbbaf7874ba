"""Seeds are verbatim copies of ../shared/seeds and the registry's hashes prove it."""
from __future__ import annotations

import hashlib
from pathlib import Path

import pytest

from briefgen.errors import SeedError
from briefgen.seeds.registry import load_library


def test_every_registered_hash_matches_the_file(root: Path) -> None:
    """sha256 in seeds/sources.yaml equals the hash of each seed file's bytes."""
    library = load_library(root)
    assert len(library.seeds) == 5
    for seed in library.seeds.values():
        assert hashlib.sha256(seed.path.read_bytes()).hexdigest() == seed.info.sha256
    assert library.verify() == []


def test_seeds_equal_the_shared_originals(root: Path) -> None:
    """Where ../shared/seeds is present, each seed is byte-identical to its original."""
    shared = root.parent / "shared" / "seeds"
    if not shared.is_dir():
        pytest.skip("../shared/seeds is not beside this checkout")
    for seed in load_library(root).seeds.values():
        assert seed.path.read_bytes() == (shared / seed.info.original).read_bytes()


def test_an_altered_seed_is_reported(scratch: Path) -> None:
    """Changing one byte of a seed makes verification fail naming the seed."""
    path = scratch / "seeds" / "wiki-international-alliances.txt"
    path.write_bytes(path.read_bytes().replace(b"NATO", b"NATU", 1))
    errors = load_library(scratch).verify()
    assert len(errors) == 1 and isinstance(errors[0], SeedError)
    assert "wiki-international" in str(errors[0])
