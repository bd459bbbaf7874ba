"""The parse cache: a file parsed before reads back exactly as parsing gives it; a damaged cache is not trusted."""
from __future__ import annotations

import dataclasses
import hashlib
import json
import os
from pathlib import Path

import pytest

from briefgen.config import yamlsafe
from briefgen.config.yamlcache import CACHE_FILE, ParseCache
from briefgen.content.catalogue import load_catalogue
from briefgen.errors import ContentError

NATO = "content/alliances/nato.yaml"
TRICKY = """\
id: tricky
plain: text
quoted: "007"
number: 7
ratio: 2.5
infinite: .inf
flag: yes
empty:
date: 2024-01-01
folded: >-
  two
  lines
items:
  - {a: 1, 'b': "x"}
  - [1, two, 3.0]
"""


def _same(a: object, b: object, where: str = "") -> None:
    """A and B equal value for value, with the same types and places (Locations included)."""
    assert type(a) is type(b), where
    if dataclasses.is_dataclass(a):
        for f in dataclasses.fields(a):
            _same(getattr(a, f.name), getattr(b, f.name), f"{where}.{f.name}")
    elif isinstance(a, (list, tuple)):
        assert len(a) == len(b), where
        for i, (x, y) in enumerate(zip(a, b)):
            _same(x, y, f"{where}[{i}]")
    elif isinstance(a, dict):
        assert list(a) == list(b), where
        for (k, x), (j, y) in zip(a.items(), b.items()):
            _same(k, j, f"{where}/{k}")
            _same(x, y, f"{where}/{k}")
    else:
        assert a == b, where
        assert getattr(a, "loc", None) == getattr(b, "loc", None), where


def _cache(out: Path) -> ParseCache:
    return ParseCache(out / ".cache" / "parse", out)


def _fill(root: Path, out: Path) -> None:
    """Parse ROOT's content through a cache in OUT, and save it."""
    cache = _cache(out).load()
    load_catalogue(root, cache)
    cache.save()


def test_a_cached_parse_is_exactly_what_parsing_gives(tmp_path: Path) -> None:
    first = _cache(tmp_path).load()
    fresh = yamlsafe.loads(TRICKY, "content/x.yaml")
    _same(first.parse(TRICKY, "content/x.yaml"), fresh)
    first.save()
    again = _cache(tmp_path).load()
    assert again.entries
    _same(again.parse(TRICKY, "content/x.yaml"), fresh)
    assert isinstance(again.parse(TRICKY, "content/x.yaml").value["date"].value, type(fresh.value["date"].value))


def test_the_catalogue_read_through_the_cache_is_the_catalogue(small: Path, tmp_path: Path) -> None:
    _fill(small, tmp_path)
    cache = _cache(tmp_path).load()
    assert len(cache.entries) == len(list((small / "content").rglob("*.yaml")))
    _same(load_catalogue(small, cache).blocks, load_catalogue(small).blocks)


def test_an_edited_cache_entry_is_ignored_and_the_file_parsed_again(small: Path, tmp_path: Path) -> None:
    _fill(small, tmp_path)
    path = tmp_path / ".cache" / "parse" / CACHE_FILE
    data = json.loads(path.read_text(encoding="utf-8"))
    path.write_text(json.dumps(data).replace("Atlantic", "Pacific"), encoding="utf-8")  # digest left as it was
    assert "Atlantic" in load_catalogue(small, _cache(tmp_path).load()).get("nato").name


def test_a_damaged_entry_with_a_matching_digest_is_parsed_again(small: Path, tmp_path: Path) -> None:
    _fill(small, tmp_path)
    path = tmp_path / ".cache" / "parse" / CACHE_FILE
    data = json.loads(path.read_text(encoding="utf-8"))
    data["entries"] = {key: [None, "x"] for key in data["entries"]}
    data["sha256"] = hashlib.sha256(json.dumps(data["entries"], sort_keys=True).encode()).hexdigest()
    path.write_text(json.dumps(data), encoding="utf-8")
    _same(load_catalogue(small, _cache(tmp_path).load()).blocks, load_catalogue(small).blocks)


def test_a_fifo_for_the_parse_cache_is_a_located_error(tmp_path: Path) -> None:
    (tmp_path / ".cache" / "parse").mkdir(parents=True)
    os.mkfifo(tmp_path / ".cache" / "parse" / CACHE_FILE)
    with pytest.raises(ContentError, match="the parse cache is unsafe: not a regular file"):
        _cache(tmp_path).load()
