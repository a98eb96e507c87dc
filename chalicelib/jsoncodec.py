"""JSON with Decimal: parsed exactly, written as plain numbers.

Scores and money never pass through here as numbers (the API writes them as
strings); weights and the like are written through float, which repeats any
decimal of up to 15 significant digits exactly.
"""

from __future__ import annotations

import json
from decimal import Decimal
from typing import Any


def _default(value: Any) -> Any:
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    if isinstance(value, (set, frozenset, tuple)):
        return list(value)
    raise TypeError(f"{type(value).__name__} is not JSON serialisable")


def dumps(value: Any, *, pretty: bool = False) -> str:
    if pretty:
        return json.dumps(value, default=_default, ensure_ascii=False, indent=2)
    return json.dumps(value, default=_default, ensure_ascii=False, separators=(",", ":"))


def _refuse_constant(name: str) -> Any:
    # Python's parser accepts NaN and Infinity, which are not JSON and slip past
    # JSON Schema's minimum and maximum.
    raise ValueError(f"{name} is not a JSON number")


def loads(text: str | bytes) -> Any:
    return json.loads(text, parse_float=Decimal, parse_constant=_refuse_constant)
