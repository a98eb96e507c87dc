"""A row's answers and comments, read against the criteria of its form version.

Spreadsheets in Finland and Sweden answer in their own words, so kyllä and ja
are yes too. A criterion is answered in its `<id>` column, or in `answer:<id>`
(the only spelling for an id that is also a fixed column's name, "summary")."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field

from chalicelib.domain.batch.columns import ANSWER_PREFIX, COMMENT_PREFIX, FIXED_COLUMNS
from chalicelib.domain.batch.limits import MAX_COMMENT
from chalicelib.domain.batch.problems import Problem, shown
from chalicelib.domain.forms import Criterion, Form

# Matched case-insensitively.
ANSWER_WORDS: Mapping[str, str] = {
    "yes": "yes",
    "no": "no",
    "na": "na",
    "n/a": "na",
    "kyllä": "yes",
    "ei": "no",
    "ohita": "na",
    "ja": "yes",
    "nej": "no",
    "hoppa över": "na",
}
_ACCEPTED = "yes, no or na (kyllä, ei, ohita; ja, nej, hoppa över)"


def answer_value(text: str) -> str | None:
    """yes, no or na for an accepted word in any case; None for anything else."""
    return ANSWER_WORDS.get(" ".join(text.split()).casefold())


@dataclass(frozen=True)
class Answers:
    answers: dict[str, str] = field(default_factory=dict)
    comments: dict[str, str] = field(default_factory=dict)
    # Where each answer came from, to name the column of a later problem.
    columns: dict[str, str] = field(default_factory=dict)


def read_answers(
    cells: Mapping[str, str],
    form: Form,
    version: int,
    problems: list[Problem],
    unread: set[str],
) -> Answers:
    """Every criterion's answer and comment; each problem is added to `problems`.
    A column in `unread` has its problem already and is not reported missing."""
    found = Answers()
    used: set[str] = set(FIXED_COLUMNS)
    for criterion in form.criteria():
        used.update(_columns_of(criterion.id))
        column, text = _answer_cell(criterion.id, cells)
        found.columns[criterion.id] = column
        if _answered_twice(criterion.id, cells):
            problems.append(
                Problem(
                    column,
                    "duplicate_answer",
                    f"answered in both {criterion.id} and {column}",
                )
            )
            continue
        if text is None:
            if column not in unread:
                problems.append(
                    Problem(column, "missing_answer", f"criterion '{criterion.id}' needs an answer")
                )
            continue
        answer = _answer(criterion, column, text, problems)
        if answer is not None:
            found.answers[criterion.id] = answer
        comment = _comment(criterion.id, cells, problems)
        if comment is not None:
            found.comments[criterion.id] = comment
    problems.extend(_unknown_columns(cells, used, form, version))
    return found


def _columns_of(criterion_id: str) -> Iterator[str]:
    """Every column that belongs to the criterion."""
    yield ANSWER_PREFIX + criterion_id
    yield COMMENT_PREFIX + criterion_id
    if criterion_id not in FIXED_COLUMNS:
        yield criterion_id


def _answer_cell(criterion_id: str, cells: Mapping[str, str]) -> tuple[str, str | None]:
    """The column the criterion is answered in, and its text if it has any."""
    prefixed = ANSWER_PREFIX + criterion_id
    # A criterion named like a fixed column ("summary") is answered only as answer:<id>.
    collides = criterion_id in FIXED_COLUMNS
    column = prefixed if prefixed in cells or collides else criterion_id
    text = cells.get(prefixed) or (None if collides else cells.get(criterion_id))
    return column, text


def _answered_twice(criterion_id: str, cells: Mapping[str, str]) -> bool:
    return (
        ANSWER_PREFIX + criterion_id in cells
        and criterion_id in cells
        and criterion_id not in FIXED_COLUMNS
    )


def _answer(criterion: Criterion, column: str, text: str, problems: list[Problem]) -> str | None:
    answer = answer_value(text)
    if answer is None:
        problems.append(
            Problem(
                column, "invalid_answer", f"'{shown(text)}' is not an answer: write {_ACCEPTED}"
            )
        )
        return None
    if answer == "na" and not criterion.na_allowed:
        problems.append(
            Problem(column, "na_not_allowed", f"criterion '{criterion.id}' cannot be skipped")
        )
        return None
    return answer


def _comment(criterion_id: str, cells: Mapping[str, str], problems: list[Problem]) -> str | None:
    column = COMMENT_PREFIX + criterion_id
    comment = cells.get(column)
    if comment is not None and len(comment) > MAX_COMMENT:
        problems.append(
            Problem(column, "too_long", f"at most {MAX_COMMENT} characters, not {len(comment)}")
        )
        return None
    return comment


def _unknown_columns(
    cells: Mapping[str, str], used: set[str], form: Form, version: int
) -> Iterator[Problem]:
    for column in cells:
        if column not in used:
            criterion_id = column.removeprefix(ANSWER_PREFIX).removeprefix(COMMENT_PREFIX)
            yield Problem(
                column,
                "unknown_criterion",
                f"'{criterion_id}' is not a criterion of form '{form.form_id}' version {version}",
            )
