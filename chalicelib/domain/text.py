"""What text Laatu accepts, wherever it enters (JSON bodies, import files, headers).

The rule, decided once:

- **Refused**: NUL and every other C0 control but tab, line feed and carriage
  return; DEL and the C1 controls (U+007F-U+009F); unpaired UTF-16 surrogates
  (they cannot be stored as UTF-8 nor written to a payroll file); the byte-order
  mark U+FEFF and the non-characters U+FFFE / U+FFFF (invisible, they make two
  equal-looking ids differ); the bidirectional overrides and isolates
  (U+202A-U+202E, U+2066-U+2069, "Trojan Source": text that reads differently
  from what it is).
- **Normalised**: nothing is changed silently. A stored comment is what its author
  sent; ids are refused by their ASCII patterns in the schemas when they are off.

Refusing names the field, so a person can find the character they did not see.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

from chalicelib.domain.errors import InvalidInput

_REFUSED = re.compile(
    "[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff\ufeff\ufffe\uffff\u202a-\u202e\u2066-\u2069]"
)


def refused_character(value: str) -> str | None:
    """A description of the first character the rule refuses in `value`, or None."""
    found = _REFUSED.search(value)
    if found is None:
        return None
    char = found.group()
    return f"U+{ord(char):04X} at position {found.start() + 1}"


def check_text(value: str, field: str | None) -> None:
    problem = refused_character(value)
    if problem is not None:
        raise InvalidInput(
            f"{field or 'the text'} contains a character that is not allowed ({problem})",
            field=field,
            code="invalid_character",
        )


MAX_DEPTH = 32


def _strings(document: Any) -> Iterator[tuple[str, str]]:
    """Every string of a document with its field path, keys included; without
    recursion, so no document is too deep to look at."""
    pending: list[tuple[str, Any, int]] = [("", document, 0)]
    while pending:
        path, value, depth = pending.pop()
        if isinstance(value, str):
            yield path, value
            continue
        if isinstance(value, (dict, list)) and depth >= MAX_DEPTH:
            raise InvalidInput(
                f"the document is nested more than {MAX_DEPTH} levels deep",
                field=path or None,
                code="too_deep",
            )
        if isinstance(value, dict):
            for key, item in value.items():
                yield path or "body", key
                pending.append((f"{path}.{key}" if path else str(key), item, depth + 1))
        elif isinstance(value, list):
            for index, item in enumerate(value):
                pending.append((f"{path}[{index}]", item, depth + 1))


def check_document(document: Any) -> None:
    """A request body as parsed: at most MAX_DEPTH levels deep, and every string,
    keys included, follows the rule; the error names the field as `contact.id`
    or `sections[1].title`."""
    for path, text in _strings(document):
        check_text(text, path or None)


_WHOLE = re.compile(r"[0-9]{1,18}")


def parse_whole(value: str, field: str, low: int, high: int) -> int:
    """A whole number written as text (a path segment, a query value, an ETag), in ASCII
    digits only: `str.isdigit()` also takes '²' and '١٢', and `int()` refuses numbers of
    over 4,300 digits with an error of its own."""
    if not _WHOLE.fullmatch(value) or not low <= int(value) <= high:
        raise InvalidInput(f"{field} must be a whole number from {low} to {high}", field=field)
    return int(value)
