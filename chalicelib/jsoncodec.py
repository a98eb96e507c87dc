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


def dumps(value: Any, *, pretty: bool = False, ascii_only: bool = False) -> str:
    if pretty:
        return json.dumps(value, default=_default, ensure_ascii=ascii_only, indent=2)
    return json.dumps(value, default=_default, ensure_ascii=ascii_only, separators=(",", ":"))


def _refuse_constant(name: str) -> Any:
    # Python's parser accepts NaN and Infinity, which are not JSON and slip past
    # JSON Schema's minimum and maximum.
    raise ValueError(f"{name} is not a JSON number")


def loads(text: str | bytes) -> Any:
    """Laatu's own stored JSON: trusted, so parsed at full speed."""
    return json.loads(text, parse_float=Decimal, parse_constant=_refuse_constant)


def _unique_keys(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, value in pairs:
        if key in out:
            raise ValueError(f"the key {key!r} appears twice in one object")
        out[key] = value
    return out


def _number(literal: str) -> Decimal | int:
    # JSON Schema counts 1.0 as an integer; so does Laatu, but only where the int
    # stays small (1e999999 would be a million-digit int).
    value = Decimal(literal)
    if value.is_finite() and value == value.to_integral_value() and value.adjusted() < 18:
        return int(value)
    return value


MAX_DIGITS = 40


def _integer(literal: str) -> int:
    # Past Python's int-parsing limit (4,300 digits) int() fails with advice about
    # sys.set_int_max_str_digits; no field of Laatu's holds a number this long.
    if len(literal.lstrip("-")) > MAX_DIGITS:
        raise ValueError(f"a number has more than {MAX_DIGITS} digits")
    return int(literal)


def loads_request(text: str | bytes) -> Any:
    """JSON a client sent: a key twice in one object is refused (Python's parser lets
    the last one win, so two readers could see two documents), and a document too
    deep for the parser is a ValueError like any other malformed input."""
    try:
        return json.loads(
            text,
            parse_float=_number,
            parse_int=_integer,
            parse_constant=_refuse_constant,
            object_pairs_hook=_unique_keys,
        )
    except RecursionError:
        raise ValueError("the document is nested too deeply") from None
