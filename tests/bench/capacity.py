"""DynamoDB item sizes and capacity units by the documented rules.

Sizes follow "DynamoDB item sizes and formats" (Developer Guide): a string is
its UTF-8 bytes, a number 1 byte per two significant digits plus 1, binary its
raw bytes, a Boolean or null 1 byte, a List or Map 3 bytes plus 1 byte per
element; every attribute name counts its UTF-8 bytes.

Units follow the capacity-mode pages: a write is 1 unit per 1 KB of the larger
of the old and new item, rounded up; a strongly consistent read 1 unit per
4 KB, an eventually consistent one half that; a transactional read or write
costs twice as much. A read of an absent item still costs the minimum. A Query
rounds the total size of the items it read up to the next 4 KB.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from decimal import Decimal
from typing import Any

KB = 1024
READ_BLOCK = 4 * KB

Item = Mapping[str, Mapping[str, Any]]  # attribute name -> wire AttributeValue


def utf8(text: str) -> int:
    return len(text.encode("utf-8"))


def number_size(text: str) -> int:
    """1 byte per two significant digits (leading and trailing zeros trimmed), plus 1."""
    digits = "".join(str(d) for d in Decimal(text).as_tuple().digits).strip("0")
    return math.ceil(max(len(digits), 1) / 2) + 1


def value_size(value: Mapping[str, Any]) -> int:
    ((kind, data),) = value.items()
    if kind == "S":
        return utf8(data)
    if kind == "N":
        return number_size(data)
    if kind == "B":
        return len(data)
    if kind in ("BOOL", "NULL"):
        return 1
    if kind == "SS":
        return sum(utf8(s) for s in data)
    if kind == "NS":
        return sum(number_size(n) for n in data)
    if kind == "BS":
        return sum(len(b) for b in data)
    if kind == "L":
        return 3 + sum(1 + value_size(element) for element in data)
    if kind == "M":
        return 3 + sum(1 + utf8(name) + value_size(element) for name, element in data.items())
    raise ValueError(f"unknown DynamoDB attribute type {kind!r}")


def item_size(item: Item | None) -> int:
    if not item:
        return 0
    return sum(utf8(name) + value_size(value) for name, value in item.items())


def write_units(size_before: int, size_after: int, *, transactional: bool) -> int:
    blocks = max(1, math.ceil(max(size_before, size_after) / KB))
    return blocks * (2 if transactional else 1)


def read_units(size: int, *, consistent: bool, transactional: bool = False) -> float:
    blocks = max(1, math.ceil(size / READ_BLOCK))
    if transactional:
        return 2.0 * blocks
    return blocks * (1.0 if consistent else 0.5)
