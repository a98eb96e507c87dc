"""The per-row report of a batch import: what happened to each row, and why.

Every row ends as one `ReportEntry`: created, amended (an existing external_id
with other answers: a new revision, the old one kept), unchanged (already
imported exactly so) or rejected (with every problem and its column).
`report_csv` is the report as written next to the upload.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from chalicelib.domain.batch.problems import Problem
from chalicelib.domain.csv_cells import csv_cell

CREATED = "created"
AMENDED = "amended"
UNCHANGED = "unchanged"
REJECTED = "rejected"
OUTCOMES = (CREATED, AMENDED, UNCHANGED, REJECTED)
CSV_COLUMNS = (
    "row",
    "external_id",
    "outcome",
    "evaluation_id",
    "revision",
    "problems",
    "warnings",
)


@dataclass(frozen=True)
class ReportEntry:
    row: int
    external_id: str
    outcome: str
    evaluation_id: str | None = None
    revision: int | None = None
    problems: tuple[Problem, ...] = ()
    warnings: tuple[Problem, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        return {
            "row": self.row,
            "external_id": self.external_id,
            "outcome": self.outcome,
            "evaluation_id": self.evaluation_id,
            "revision": self.revision,
            "problems": [p.to_dict() for p in self.problems],
            "warnings": [w.to_dict() for w in self.warnings],
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> ReportEntry:
        return cls(
            row=int(data["row"]),
            external_id=str(data["external_id"]),
            outcome=str(data["outcome"]),
            evaluation_id=data.get("evaluation_id"),
            revision=data.get("revision"),
            problems=tuple(_problem(p) for p in data.get("problems", ())),
            warnings=tuple(_problem(w) for w in data.get("warnings", ())),
        )


def _problem(data: Mapping[str, Any]) -> Problem:
    return Problem(data.get("column"), str(data["code"]), str(data["message"]))


def rejected(row: int, external_id: str, problems: Iterable[Problem]) -> ReportEntry:
    return ReportEntry(row, external_id, REJECTED, problems=tuple(problems))


def _problems_text(problems: Iterable[Problem]) -> str:
    return " | ".join(f"{p.column}: {p.message}" if p.column else p.message for p in problems)


def report_csv(entries: Iterable[ReportEntry], delimiter: str = ";") -> bytes:
    """UTF-8 with a BOM and CRLF, in the upload's delimiter, so the spreadsheet
    the file came from opens the report the same way."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=delimiter, lineterminator="\r\n")
    writer.writerow(CSV_COLUMNS)
    for entry in entries:
        writer.writerow(
            [
                entry.row,
                csv_cell(entry.external_id),
                entry.outcome,
                csv_cell(entry.evaluation_id),
                csv_cell(entry.revision),
                csv_cell(_problems_text(entry.problems)),
                csv_cell(_problems_text(entry.warnings)),
            ]
        )
    # A lone surrogate quoted back in a message must not make the whole report unwritable.
    return ("\ufeff" + buffer.getvalue()).encode("utf-8", "backslashreplace")


def failure_csv(code: str, message: str, delimiter: str = ";") -> bytes:
    """The report of a file refused as a whole: one line saying why."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=delimiter, lineterminator="\r\n")
    writer.writerow(CSV_COLUMNS)
    writer.writerow(["", "", "file rejected", "", "", csv_cell(f"{code}: {message}"), ""])
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")
