"""CSV cells a spreadsheet cannot run as formulas, whichever character it splits on.

The one rule for every CSV file Laatu writes (payroll files, import reports,
templates). A spreadsheet runs a cell that starts with `=`, `+`, `-` or `@` as a
formula (OWASP "CSV injection"). Quoting does not protect a cell: a spreadsheet
that splits on another character than the file was written with (Finnish and
Swedish Excel split on `;`, others on `,`, some on a tab) sees the quote in the
middle of a field, where it is a plain character, and splits the cell anyway.

So a text cell is read as every piece such a spreadsheet could cut it into:
the text from its start and from after each `,`, `;`, tab or line break. A
piece whose first visible character (after whitespace, invisible format
characters such as U+200B or U+FEFF, and quotes) is a formula character gets
an apostrophe at its very start, which makes a spreadsheet read it as text.
Nothing else changes: removing those apostrophes gives the text back.

Numbers are not text cells: a payroll amount `-50.00` stays a number.
"""

from __future__ import annotations

import unicodedata
from decimal import Decimal

# Where a spreadsheet (or a line-based reader) may start a new cell or row.
SEPARATORS = frozenset(",;\t\r\n\v\f\x1c\x1d\x1e\x85\u2028\u2029")
# Spreadsheets also take the full-width and small forms (NFKC folds them to these).
FORMULA_CHARACTERS = frozenset("=+-@")
# Blank characters that Unicode files under letters, which a spreadsheet shows as nothing.
_BLANK_LETTERS = frozenset("\u115f\u1160\u3164\uffa0\u2800")
_QUOTE = '"'


def _ignorable(char: str) -> bool:
    """A character a reader could skip before deciding what the cell starts with."""
    return (
        char == _QUOTE
        or char.isspace()
        or char in _BLANK_LETTERS
        or unicodedata.category(char) in ("Cc", "Cf", "Zs", "Zl", "Zp", "Mn", "Me")
    )


def _formula_character(char: str) -> bool:
    return char in FORMULA_CHARACTERS or unicodedata.normalize("NFKC", char) in FORMULA_CHARACTERS


def _runs_as_formula(value: str, start: int) -> bool:
    """Whether the piece of `value` from `start` (up to the next separator) would start
    with a formula character once the ignorable characters before it are skipped.
    A separator ends the look: the piece after it is judged on its own."""
    for char in value[start:]:
        if char in SEPARATORS:
            return False
        if _ignorable(char):
            continue
        return _formula_character(char)
    return False


def piece_starts(value: str) -> list[int]:
    """Where a spreadsheet splitting on any separator could start a cell in `value`."""
    return [0] + [index + 1 for index, char in enumerate(value) if char in SEPARATORS]


def safe_text_cell(value: str) -> str:
    """`value` with an apostrophe before every piece that would run as a formula."""
    dangerous = [start for start in piece_starts(value) if _runs_as_formula(value, start)]
    if not dangerous:
        return value
    out: list[str] = []
    previous = 0
    for start in dangerous:
        out.append(value[previous:start])
        out.append("'")
        previous = start
    out.append(value[previous:])
    return "".join(out)


def csv_cell(value: object) -> str:
    """One cell: empty for None, numbers as their plain digits, anything else as text."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"  # as JSON writes it, not Python's True
    if isinstance(value, Decimal):
        return format(value, "f")
    if isinstance(value, int) and not isinstance(value, bool):
        return str(value)
    return safe_text_cell(str(value))
