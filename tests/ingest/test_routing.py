"""Routing by evidence over the real catalogue: unique keywords beat shared ones, names beat mentions."""
from __future__ import annotations

from pathlib import Path

import pytest

from briefgen.ingest.routing import Vocabulary
from briefgen.project import Project


@pytest.fixture(scope="module")
def vocab(root: Path) -> Vocabulary:
    """The vocabulary of the repository's catalogue."""
    return Vocabulary.of(Project(root).catalogue)


def test_a_keyword_only_one_block_uses_outscores_another_blocks_phrase(vocab: Vocabulary) -> None:
    """'G7' (only the G7 block) beats 'technology standards' (IPEF's) in one heading."""
    route = vocab.route("The G7 and Technology Standards")
    best = route.best(minimum=3.0, margin=1.0, places=("heading",))
    assert best is not None and best[0].id == "g7-and-multilateral-forums"
    assert dict((b.id, s) for b, s in route.ranked())["ipef"] < best[1]


def test_a_shared_keyword_alone_routes_nowhere_and_mentions_place_only_in_the_text(vocab: Vocabulary) -> None:
    """'burden sharing' is NATO's and free riding's: no block wins on it; body mentions count as 'text' only."""
    assert vocab.route("Burden sharing").best(minimum=1.0, places=("heading",)) is None
    route = vocab.route("Risks", "Nothing here names a block.",
                        "Economic retaliation grew. Economic retaliation spread. Economic retaliation stayed.")
    assert route.best("obstacle", minimum=0.5, places=("heading", "opening")) is None
    mentioned = route.best("obstacle", minimum=0.75, margin=0.5, places=("text",))
    assert mentioned is not None and mentioned[0].id == "countercoercion"
    assert any("mentions 'economic retaliation'" in line for line in route.explain())
