"""One batch row read against its form version: the body `POST /v1/evaluations`
takes, or every problem the row has, each at its column."""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from chalicelib import schemas
from chalicelib.domain.batch.answers import Answers, read_answers
from chalicelib.domain.batch.columns import COMMENT_PREFIX
from chalicelib.domain.batch.fixed_cells import FixedCells
from chalicelib.domain.batch.limits import (
    MAX_CONTACT_ID,
    MAX_DURATION_S,
    MAX_EXTERNAL_ID,
    MAX_FORM_VERSION,
    MAX_RECORDING_URL,
    MAX_SUMMARY,
)
from chalicelib.domain.batch.local_times import OutOfCalendar, contact_time
from chalicelib.domain.batch.problems import Problem, shown
from chalicelib.domain.batch.source_rows import SourceRow
from chalicelib.domain.forms import Form

METHOD = "external"
# From the schemas an evaluation is checked against, so a cell is refused exactly
# where the same value in POST /v1/evaluations would be.
CHANNELS = schemas.choices("evaluation", "#/properties/contact/properties/channel")
SLUG = schemas.pattern("form", "#/$defs/slug")
AGENT_ID = schemas.pattern("evaluation", "#/$defs/agent_id")
RECORDING_URL = re.compile(r"https?://\S+")

FormLookup = Callable[[str, int], Form | None]


@dataclass(frozen=True)
class ParsedRow:
    """A row read against its form version: an evaluation body, or its problems."""

    row: int
    external_id: str
    body: dict[str, Any] | None
    problems: tuple[Problem, ...] = ()
    warnings: tuple[Problem, ...] = ()
    # Where each answer came from, to name the column of a later problem.
    answer_columns: Mapping[str, str] = field(default_factory=dict)

    def column_of(self, field_path: str | None) -> str | None:
        """The column behind a field of the evaluation body (`contact.id` -> `contact_id`)."""
        if not field_path:
            return None
        head, _, rest = field_path.partition(".")
        if head == "answers" and rest:
            return self.answer_columns.get(rest, rest)
        if head == "comments" and rest:
            return COMMENT_PREFIX + rest
        if head == "contact":
            return {"id": "contact_id"}.get(rest, rest or None)
        return head


@dataclass(frozen=True)
class _Fixed:
    """The fixed columns of a row, each None where it is missing or refused."""

    external_id: str | None
    form_id: str | None
    form_version: int | None
    agent_id: str | None
    channel: str | None
    contact_id: str | None
    occurred_at: str | None
    duration_s: int | None
    recording_url: str | None
    summary: str | None


def parse_row(
    source: SourceRow,
    *,
    time_zone: str,
    form_for: FormLookup,
    agent_known: Callable[[str], bool] = lambda _agent: True,
) -> ParsedRow:
    """The evaluation body of one row, or every problem it has.

    `form_for(form_id, version)` gives the published form version or None;
    `agent_known(agent_id)` says whether the agent belongs to the tenant.
    """
    problems = list(source.problems)
    warnings: list[Problem] = []
    # A column whose cell could not be read has its problem already: not "required" too.
    unread = {p.column for p in source.problems if p.column is not None}
    fixed = _read_fixed(source.cells, time_zone, problems, warnings, unread)
    if fixed.agent_id is not None and not agent_known(fixed.agent_id):
        problems.append(
            Problem(
                "agent_id",
                "unknown_agent",
                f"agent '{fixed.agent_id}' is not an agent of the tenant",
            )
        )
    form = _form_of(fixed, form_for, problems)
    answers = Answers()
    if form is not None:
        answers = read_answers(source.cells, form, fixed.form_version or 0, problems, unread)
    if problems:
        shown_id = shown(source.cells.get("external_id", ""), MAX_EXTERNAL_ID)
        return ParsedRow(source.row, shown_id, None, tuple(problems))
    return ParsedRow(
        source.row,
        str(fixed.external_id),
        _body(fixed, answers),
        (),
        tuple(warnings),
        answer_columns=answers.columns,
    )


def _read_fixed(
    cells: Mapping[str, str],
    time_zone: str,
    problems: list[Problem],
    warnings: list[Problem],
    unread: set[str],
) -> _Fixed:
    reader = FixedCells(cells, problems, unread)
    external_id = reader.text("external_id", MAX_EXTERNAL_ID)
    form_id = reader.matching("form_id", SLUG, "a form id like asiakaspalvelu")
    form_version = reader.whole("form_version", 1, MAX_FORM_VERSION)
    agent_id = reader.matching("agent_id", AGENT_ID, "an agent id (letters, digits, . _ @ -)")
    channel = reader.choice("channel", CHANNELS)
    contact_id = reader.text("contact_id", MAX_CONTACT_ID)
    occurred_at = (
        None
        if "occurred_at" in unread
        else _occurred_at(cells.get("occurred_at"), time_zone, problems, warnings)
    )
    duration_s = reader.whole("duration_s", 0, MAX_DURATION_S, required=False)
    recording_url = reader.matching(
        "recording_url", RECORDING_URL, "an http(s) address", required=False
    )
    if recording_url is not None and len(recording_url) > MAX_RECORDING_URL:
        problems.append(
            Problem("recording_url", "too_long", f"at most {MAX_RECORDING_URL} characters")
        )
    summary = reader.text("summary", MAX_SUMMARY, required=False)
    return _Fixed(
        external_id,
        form_id,
        form_version,
        agent_id,
        channel,
        contact_id,
        occurred_at,
        duration_s,
        recording_url,
        summary,
    )


def _form_of(fixed: _Fixed, form_for: FormLookup, problems: list[Problem]) -> Form | None:
    if fixed.form_id is None or fixed.form_version is None:
        return None
    form = form_for(fixed.form_id, fixed.form_version)
    if form is None:
        problems.append(
            Problem(
                "form_version",
                "unknown_form_version",
                f"form '{fixed.form_id}' has no published version {fixed.form_version}",
            )
        )
    return form


def _body(fixed: _Fixed, answers: Answers) -> dict[str, Any]:
    contact: dict[str, Any] = {
        "channel": fixed.channel,
        "id": fixed.contact_id,
        "occurred_at": fixed.occurred_at,
    }
    if fixed.duration_s is not None:
        contact["duration_s"] = fixed.duration_s
    if fixed.recording_url is not None:
        contact["recording_url"] = fixed.recording_url
    body: dict[str, Any] = {
        "form_id": fixed.form_id,
        "form_version": fixed.form_version,
        "agent_id": fixed.agent_id,
        "contact": contact,
        "method": METHOD,
        "answers": answers.answers,
    }
    if answers.comments:
        body["comments"] = answers.comments
    if fixed.summary is not None:
        body["summary"] = fixed.summary
    return body


def _occurred_at(
    text: str | None, time_zone: str, problems: list[Problem], warnings: list[Problem]
) -> str | None:
    if text is None:
        problems.append(Problem("occurred_at", "required", "'occurred_at' needs a value"))
        return None
    try:
        moment, warning = contact_time(text, time_zone)
    except ValueError as exc:
        problems.append(Problem("occurred_at", _code(exc), str(exc)))
        return None
    if warning is not None:
        warnings.append(Problem("occurred_at", "ambiguous_local_time", warning))
    return moment


def _code(error: ValueError) -> str:
    if isinstance(error, OutOfCalendar):
        return "out_of_range"
    return "nonexistent_local_time" if "does not exist" in str(error) else "invalid"
