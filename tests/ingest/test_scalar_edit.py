"""Rewording one scalar of a block file in place (`review --apply`): the value changes, every other line stays."""
from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from briefgen.errors import ContentError
from briefgen.ingest.curate import replace_scalar

BLOCK = """\
id: nato
# the analyst's note stays
summary: >-
  First line of a folded
  summary.
why_it_matters:
  - text: Short point.
    cite: a#L1  # a comment after a value
  - text: >-
      A folded point over
      two lines.
    cite: a#L2
"""


def test_a_folded_item_is_rewritten_and_nothing_else_moves(tmp_path: Path) -> None:
    """A list item's folded text is replaced by the new wording; the comments and other keys are byte-identical."""
    path = tmp_path / "b.yaml"
    path.write_text(BLOCK)
    new = "A longer reworded point that says what the passage says, " * 3
    replace_scalar(path, "b.yaml", 9, "text", new.strip())
    text = path.read_text()
    data = yaml.safe_load(text)
    assert data["why_it_matters"][1]["text"] == new.strip()
    assert data["why_it_matters"][1]["cite"] == "a#L2" and data["summary"] == "First line of a folded summary."
    assert text.splitlines()[:8] == BLOCK.splitlines()[:8]
    assert all(len(line) <= 100 for line in text.splitlines())


def test_a_plain_value_and_a_top_level_block_scalar(tmp_path: Path) -> None:
    """A short point stays one line (quoted when YAML needs it); a top-level folded summary is replaced whole."""
    path = tmp_path / "b.yaml"
    path.write_text(BLOCK)
    replace_scalar(path, "b.yaml", 7, "text", 'Short: point with a "quote".')
    replace_scalar(path, "b.yaml", 3, "summary", "One summary.")
    data = yaml.safe_load(path.read_text())
    assert data["why_it_matters"][0] == {"text": 'Short: point with a "quote".', "cite": "a#L1"}
    assert data["summary"] == "One summary." and "# a comment after a value" in path.read_text()


def test_a_key_not_where_the_content_said_is_a_located_error(tmp_path: Path) -> None:
    """When the file changed since the document was made, the error names file:line and says to review again."""
    path = tmp_path / "b.yaml"
    path.write_text(BLOCK)
    with pytest.raises(ContentError) as err:
        replace_scalar(path, "b.yaml", 1, "text", "x")
    assert "b.yaml:1" in err.value.format_message() and "make the review again" in err.value.format_message()
