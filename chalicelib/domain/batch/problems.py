"""What is wrong with a row, or with a whole file, in words an auditor can act on."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Problem:
    """One thing wrong with a row (or a warning about it), at the column it is in."""

    column: str | None
    code: str
    message: str

    def to_dict(self) -> dict[str, Any]:
        return {"column": self.column, "code": self.code, "message": self.message}


class FileRejected(Exception):
    """The whole file is refused before any row is imported."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


def shown(value: str, limit: int = 60) -> str:
    """A cell value quoted back in a message, cut short."""
    return value if len(value) <= limit else value[: limit - 1] + "…"
