"""The columns of a batch row: the fixed ones, and how a criterion's are spelled."""

from __future__ import annotations

REQUIRED_COLUMNS = (
    "external_id",
    "form_id",
    "form_version",
    "agent_id",
    "channel",
    "contact_id",
    "occurred_at",
)
OPTIONAL_COLUMNS = ("duration_s", "recording_url", "summary")
FIXED_COLUMNS = REQUIRED_COLUMNS + OPTIONAL_COLUMNS
# `answer:<id>` names a criterion whose id is also a fixed column's name ("summary");
# a plain `<id>` column is the usual spelling.
ANSWER_PREFIX = "answer:"
COMMENT_PREFIX = "comment:"


def column_name(raw: str) -> str:
    """A header cell or JSON key as the column it names: trimmed, no BOM, lower case."""
    return raw.strip().lstrip("\ufeff").strip().lower()


def answer_column(criterion_id: str) -> str:
    """The column a template gives a criterion's answer."""
    return ANSWER_PREFIX + criterion_id if criterion_id in FIXED_COLUMNS else criterion_id


def comment_column(criterion_id: str) -> str:
    return COMMENT_PREFIX + criterion_id
