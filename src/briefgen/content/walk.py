"""One walk over a content record: every value of a given type inside it, depth first, in field order."""
from __future__ import annotations

import dataclasses
from typing import Iterator, TypeVar

from briefgen.config.schema import Record

T = TypeVar("T")


def walk(obj: object, cls: type[T]) -> Iterator[T]:
    """Yield every CLS instance inside OBJ (a record, a list of them, or a value), skipping internal fields."""
    if isinstance(obj, cls):
        yield obj
    elif isinstance(obj, list):
        for item in obj:
            yield from walk(item, cls)
    elif dataclasses.is_dataclass(obj) and isinstance(obj, Record):
        for f in dataclasses.fields(obj):
            if not f.metadata.get("internal"):
                yield from walk(getattr(obj, f.name), cls)
