"""A JSON Lines batch file: one JSON object a line, its members the row's cells."""

from __future__ import annotations

import json
import re
from typing import Any

from chalicelib.domain.batch.columns import column_name
from chalicelib.domain.batch.limits import MAX_JSON_DEPTH, MAX_ROWS
from chalicelib.domain.batch.problems import FileRejected, Problem
from chalicelib.domain.batch.source_rows import BatchFile, SourceRow, refused_cell, too_many_rows
from chalicelib.domain.text import refused_character

# JSON Lines end in "\n" (or "\r\n"); str.splitlines would also split at U+2028,
# U+0085 and the like, which are allowed raw inside a JSON string.
_JSON_LINE_END = re.compile(r"\r\n|\r|\n")


def read_json_lines(text: str, encoding: str) -> BatchFile:
    rows: list[SourceRow] = []
    columns: dict[str, None] = {}
    for number, line in enumerate(_JSON_LINE_END.split(text), start=1):
        if not line.strip():
            continue
        if len(rows) == MAX_ROWS:
            raise too_many_rows()
        row = _json_row(number, line)
        columns.update(dict.fromkeys(row.cells))
        rows.append(row)
    if not rows:
        raise FileRejected("empty_file", "the file has no evaluation rows")
    return BatchFile("jsonl", encoding, None, tuple(columns), tuple(rows))


class _Members(list[tuple[str, Any]]):
    """A JSON object's members in order, a repeated key kept, so it can be refused
    (a dict would silently keep the last)."""


class _LineRefused(Exception):
    """The line is not read at all: its one problem is the row's only one."""

    def __init__(self, problem: Problem) -> None:
        super().__init__(problem.message)
        self.problem = problem


def _json_row(number: int, line: str) -> SourceRow:
    problems: list[Problem] = []
    try:
        value = _load(line, problems)
    except _LineRefused as refused:
        return SourceRow(number, {}, (refused.problem,))
    if not isinstance(value, _Members):
        return SourceRow(
            number, {}, (Problem(None, "malformed_json", "a line must be one JSON object"),)
        )
    return SourceRow(number, _cells(value, problems), tuple(problems))


def _load(line: str, problems: list[Problem]) -> Any:
    """The line's JSON value, a too-deep member nulled (its problem added); raises
    _LineRefused when the line cannot be read."""
    while True:
        try:
            # Numbers stay their digits, checked by the column's rule like a CSV cell
            # (int() refuses over 4300 digits); raw control characters reach the text
            # rule, which names the column, instead of failing the whole line.
            return json.loads(line, object_pairs_hook=_Members, parse_int=str, strict=False)
        except RecursionError:
            # Python's parser recurses: the deep value becomes null and its column a
            # problem, so the rest of the row is still read and checked.
            deep = _deep_value(line)
            if deep is None or deep[0] is None:
                raise _LineRefused(_deep_problem(None)) from None
            column, start, end = deep
            problems.append(_deep_problem(column))
            line = line[:start] + "null" + line[end:]
        except ValueError as exc:
            raise _LineRefused(Problem(None, "malformed_json", f"not JSON: {exc}")) from None


def _cells(members: _Members, problems: list[Problem]) -> dict[str, str]:
    cells: dict[str, str] = {}
    seen: set[str] = set()
    for key, raw in members:
        name = column_name(key)
        found = refused_character(name)
        if found is not None:
            spelled = _spelled(name)
            problems.append(
                Problem(
                    spelled,
                    "invalid_character",
                    f"the key '{spelled}' contains a character that is not allowed ({found})",
                )
            )
            continue
        if name in seen:
            cells.pop(name, None)
            problems.append(
                Problem(name, "duplicate_key", f"'{name}' appears twice; give each column once")
            )
            continue
        seen.add(name)
        if raw is None:
            continue
        if isinstance(raw, bool) or not isinstance(raw, str):
            # A JSON number arrives as its digits (a str); a fraction, NaN, Infinity,
            # true/false, a list or an object does not.
            problems.append(Problem(name, "invalid", "must be a string (or a whole number)"))
            continue
        refused = refused_cell(name, raw)
        if refused is not None:
            problems.append(refused)
            continue
        text = raw.strip()
        if text:
            cells[name] = text
    return cells


def _deep_problem(column: str | None) -> Problem:
    return Problem(
        column,
        "too_deep",
        f"nested deeper than {MAX_JSON_DEPTH} levels; a value must be a string (or a whole number)",
    )


def _deep_value(line: str) -> tuple[str | None, int, int] | None:
    """(key, start, end) of the first member value that nests deeper than
    MAX_JSON_DEPTH, found in one pass over the characters, without recursion."""
    depth = deepest = 0
    key: str | None = None
    wants_key = False
    start: int | None = None
    index = 0
    while index < len(line):
        char = line[index]
        if char == '"':
            end = _string_end(line, index)
            if depth == 1 and wants_key:
                key = _key_name(line[index:end])
                wants_key = False
            index = end
            continue
        if char in "{[":
            depth += 1
            if depth == 1:
                wants_key = char == "{"
            elif depth == 2:
                start = index
            deepest = max(deepest, depth)
        elif char in "}]":
            if depth == 2 and start is not None and deepest > MAX_JSON_DEPTH:
                return key, start, index + 1
            if depth == 2:
                deepest = 2
            depth -= 1
        elif char == "," and depth == 1:
            wants_key = True
        index += 1
    if start is not None and deepest > MAX_JSON_DEPTH:
        return key, start, len(line)  # never closed: the rest of the line is the value
    return None


def _string_end(line: str, start: int) -> int:
    """The index after the JSON string that starts at `start` (or the end of the line)."""
    index = start + 1
    while index < len(line):
        if line[index] == "\\":
            index += 2
            continue
        if line[index] == '"':
            return index + 1
        index += 1
    return len(line)


def _key_name(quoted: str) -> str | None:
    try:
        return _spelled(column_name(str(json.loads(quoted, strict=False))))
    except ValueError:
        return None


def _spelled(name: str) -> str:
    """A key as a report can show it; a refused character (a lone surrogate cannot
    even be written as UTF-8) is spelled out as an escape."""
    return "".join(c if refused_character(c) is None else f"\\u{ord(c):04x}" for c in name)
