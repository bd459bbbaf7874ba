"""The kinds of document briefgen renders (brief, one-pager, book): names and labels."""
from __future__ import annotations

from typing import Literal

Kind = Literal["brief", "onepager"]


KINDS: tuple[str, ...] = ("brief", "onepager")


KIND_LABELS = {"brief": "Policy brief", "onepager": "One-pager"}

