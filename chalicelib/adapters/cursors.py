"""Page cursors: a DynamoDB LastEvaluatedKey, opaque to clients, that cannot be
turned into a way out of the caller's own partition.

A cursor is URL-safe base64 of the key's JSON. Anything else a client sends as
one (another encoding, another shape, another tenant's partition) is refused
with the same message, so a cursor reveals nothing about why.
"""

from __future__ import annotations

import base64
import binascii
import json
import re
from collections.abc import Mapping
from typing import Any

from chalicelib.domain.errors import InvalidInput

MAX_CURSOR = 2048
_ALPHABET = re.compile(r"[A-Za-z0-9_-]+")


def encode(key: Mapping[str, Any]) -> str:
    return base64.urlsafe_b64encode(json.dumps(key).encode()).decode().rstrip("=")


def _refused() -> InvalidInput:
    return InvalidInput("cursor is not one this API issued", field="cursor")


def decode(cursor: str, partition: str) -> dict[str, Any]:
    """The key a cursor carries, if every attribute is a plain string or number
    attribute and one of them is `partition`."""
    if len(cursor) > MAX_CURSOR or not _ALPHABET.fullmatch(cursor):
        raise _refused()
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        key = json.loads(base64.urlsafe_b64decode(padded.encode()))
    except (binascii.Error, ValueError, UnicodeDecodeError, RecursionError):
        raise _refused() from None
    if not isinstance(key, dict) or not key or not all(_attribute(v) for v in key.values()):
        raise _refused()
    if partition not in {value.get("S") for value in key.values()}:
        raise _refused()
    return key


def _attribute(value: Any) -> bool:
    if not isinstance(value, dict) or len(value) != 1:
        return False
    ((kind, text),) = value.items()
    return kind in ("S", "N") and isinstance(text, str) and 0 < len(text) <= 1024
