"""`briefgen curate` on a new block's draft: the kept points move into place, flag and to-dos gone, checked."""
from __future__ import annotations

from pathlib import Path

import yaml

SEED = """# Shipyards and allies

## Obstacle 1: Shipyard capacity

Allied shipyards cannot build submarines fast enough to meet the plans their governments have announced.

- Workforce shortages slow every new hull by months.
- Suppliers of reactor parts are few and already fully booked.
"""


def test_curate_moves_a_new_block_into_place_with_the_kept_points_only(small: Path, run) -> None:
    """The second point is left out; `draft: true`, the header and every TODO go; check passes."""
    (small / "seeds" / "shipyards.md").write_text(SEED, encoding="utf-8")
    assert run(small, "ingest", "seeds/shipyards.md", "--register", "--draft").exit_code == 0
    draft = small / "content" / "drafts" / "obstacles" / "shipyard-capacity.yaml"
    result = run(small, "curate", "content/drafts/obstacles/shipyard-capacity.yaml", "--keep", "1")
    assert result.exit_code == 0, result.output
    block = small / "content" / "obstacles" / "shipyard-capacity.yaml"
    text = block.read_text(encoding="utf-8")
    assert "draft:" not in text and "TODO" not in text and not text.startswith("#")
    data = yaml.safe_load(text)
    assert [p["text"] for p in data["how_it_shows_up"]] == ["Workforce shortages slow every new hull by months."]
    assert not draft.exists()
    assert run(small, "check").exit_code == 0


def test_curate_refuses_unknown_numbers_and_paths_outside_the_drafts(small: Path, run) -> None:
    """A number the draft does not have, and a file that is not a draft, are usage or content errors."""
    (small / "seeds" / "shipyards.md").write_text(SEED, encoding="utf-8")
    assert run(small, "ingest", "seeds/shipyards.md", "--register", "--draft").exit_code == 0
    bad = run(small, "curate", "content/drafts/obstacles/shipyard-capacity.yaml", "--keep", "7")
    assert bad.exit_code == 1 and "no statement 7" in bad.output and "choose among 1 to 2" in bad.output
    assert (small / "content" / "drafts" / "obstacles" / "shipyard-capacity.yaml").exists()
    outside = run(small, "curate", "content/obstacles/free-riding.yaml")
    assert outside.exit_code == 2 and "not a draft" in outside.output
