"""Statement ids: the tag a Word paragraph carries naming the block, field and 1-based index it shows."""
from __future__ import annotations

import re
from dataclasses import dataclass

#: Prefix of every statement tag (a content control's w:tag), so other tags a reviewer's template adds are ignored.
PREFIX = "bg"
_ID = re.compile(r"bg:([a-z0-9][a-z0-9-]*):([a-z_]+)(?::(\d+))?\Z")
#: Custom document properties briefgen writes (what the document was made from).
PROPERTY_PREFIX = "briefgen."


@dataclass(frozen=True)
class StatementId:
    """Where a statement lives: block id, field name and, for a list, the item's 1-based index in the block file."""

    block: str
    field: str
    index: int | None = None

    @property
    def tag(self) -> str:
        return ":".join([PREFIX, self.block, self.field] + ([str(self.index)] if self.index else []))

    @property
    def what(self) -> str:
        """The statement's name as the claims rules write it ("why_it_matters[2]", "summary")."""
        return f"{self.field}[{self.index}]" if self.index else self.field

    def __str__(self) -> str:
        return self.tag


def parse_id(tag: str) -> StatementId | None:
    """The statement a tag names, or None when it is not one of briefgen's."""
    m = _ID.match(tag or "")
    if not m:
        return None
    return StatementId(m[1], m[2], int(m[3]) if m[3] else None)
