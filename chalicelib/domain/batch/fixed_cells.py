"""A row's fixed columns, each read by its rule, a Problem added for each that is
missing or malformed, so one pass reports every problem of the row."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence

from chalicelib.domain.batch.problems import Problem, shown

_CONTROL = re.compile(r"[\x00-\x1f\x7f]")
_DIGITS = re.compile(r"[0-9]{1,9}")


class FixedCells:
    """Reads fixed columns, adding a Problem for each that is missing or malformed.

    A column in `unread` could not be read at all and has its problem already, so
    it is not also reported as required."""

    def __init__(self, cells: Mapping[str, str], problems: list[Problem], unread: set[str]) -> None:
        self._cells = cells
        self._problems = problems
        self._unread = unread

    def _get(self, column: str, required: bool) -> str | None:
        value = self._cells.get(column)
        if value is None and required and column not in self._unread:
            self._problems.append(Problem(column, "required", f"'{column}' needs a value"))
        return value

    def _bad(self, column: str, message: str, code: str = "invalid") -> None:
        self._problems.append(Problem(column, code, message))

    def text(self, column: str, limit: int, *, required: bool = True) -> str | None:
        value = self._get(column, required)
        if value is None:
            return None
        if len(value) > limit:
            self._bad(column, f"at most {limit} characters, not {len(value)}", "too_long")
            return None
        if column != "summary" and _CONTROL.search(value):
            self._bad(column, "must be on one line, without control characters")
            return None
        return value

    def matching(
        self, column: str, pattern: re.Pattern[str], what: str, *, required: bool = True
    ) -> str | None:
        value = self._get(column, required)
        if value is None:
            return None
        if not pattern.fullmatch(value):
            self._bad(column, f"'{shown(value)}' is not {what}")
            return None
        return value

    def whole(self, column: str, low: int, high: int, *, required: bool = True) -> int | None:
        value = self._get(column, required)
        if value is None:
            return None
        if not _DIGITS.fullmatch(value) or not low <= int(value) <= high:
            self._bad(column, f"'{shown(value)}' is not a whole number from {low} to {high}")
            return None
        return int(value)

    def choice(self, column: str, choices: Sequence[str]) -> str | None:
        value = self._get(column, True)
        if value is None:
            return None
        if value.lower() not in choices:
            self._bad(column, f"'{shown(value)}' is not one of {', '.join(choices)}")
            return None
        return value.lower()
