"""The evaluation: one immutable revision, typed, with one storage boundary.

Every layer passes `Evaluation`; only `to_dict` and `from_dict` know the stored
JSON (the `document` of the HEAD and REV# items, which the stream also carries).
`to_dict` writes what earlier code wrote, key for key and in the same order, with
scores as 20-decimal strings, so every stored revision reads back and a revision
written now is byte for byte what it was before this type existed.

One older shape exists: the first days' scores were written with `str()`, so a
zero is `"0E-20"`. It reads as the same value; revisions are never rewritten, so
the positional form `to_dict` writes never replaces it in storage.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

from chalicelib.domain.numbers import to_stored
from chalicelib.domain.scoring import Score

# The contact's fields in the schema's order; a client may send them in any order.
CONTACT_FIELDS = ("channel", "id", "occurred_at", "duration_s", "recording_url")
_CONTACT_KEYS = frozenset((*CONTACT_FIELDS, "occurred_at_utc"))
_SOURCE_KEYS = frozenset(("import_id", "external_id"))
_EVALUATION_KEYS = frozenset(
    (
        "evaluation_id",
        "revision",
        "form_id",
        "form_version",
        "agent_id",
        "contact",
        "method",
        "answers",
        "comments",
        "summary",
        "score",
        "evaluator",
        "created_at",
        "revised_by",
        "revised_at",
        "source",
        "review_id",
        "dispute_id",
    )
)


@dataclass(frozen=True)
class Contact:
    channel: str
    id: str
    occurred_at: str  # as the client wrote it, with its offset
    occurred_at_utc: str  # the same instant in UTC: what the indexes sort on
    duration_s: int | None = None
    recording_url: str | None = None
    # The order the client wrote its fields in, so the stored JSON and the API's view
    # keep it; not part of the contact's value.
    order: tuple[str, ...] = field(default=CONTACT_FIELDS, compare=False, repr=False)

    @classmethod
    def from_body(cls, body: Mapping[str, Any], occurred_at_utc: str) -> Contact:
        """A request's contact (schema-checked) and the UTC instant it names."""
        return cls._read(body, occurred_at_utc)

    def fields(self) -> dict[str, Any]:
        """What the client sent, in its order: the API's view and what an amendment
        is compared with."""
        values: dict[str, Any] = {
            "channel": self.channel,
            "id": self.id,
            "occurred_at": self.occurred_at,
            "duration_s": self.duration_s,
            "recording_url": self.recording_url,
        }
        return {name: values[name] for name in self.order if values[name] is not None}

    def to_dict(self) -> dict[str, Any]:
        return {**self.fields(), "occurred_at_utc": self.occurred_at_utc}

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Contact:
        _only(data, _CONTACT_KEYS, "contact")
        return cls._read(data, _text(data, "occurred_at_utc"))

    @classmethod
    def _read(cls, data: Mapping[str, Any], occurred_at_utc: str) -> Contact:
        duration = data.get("duration_s")
        recording_url = data.get("recording_url")
        return cls(
            channel=_text(data, "channel"),
            id=_text(data, "id"),
            occurred_at=_text(data, "occurred_at"),
            occurred_at_utc=occurred_at_utc,
            duration_s=None if duration is None else _whole(duration, "duration_s"),
            recording_url=None if recording_url is None else _text(data, "recording_url"),
            order=tuple(name for name in data if name in CONTACT_FIELDS),
        )


@dataclass(frozen=True)
class SectionResult:
    id: str
    score: Decimal | None  # exact to 20 places; None when every criterion was N/A
    yes_points: int
    applicable_points: int

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "score": _stored_str(self.score),
            "yes_points": self.yes_points,
            "applicable_points": self.applicable_points,
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> SectionResult:
        return cls(
            id=_text(data, "id"),
            score=_stored_decimal(data["score"]),
            yes_points=_whole(data["yes_points"], "yes_points"),
            applicable_points=_whole(data["applicable_points"], "applicable_points"),
        )


@dataclass(frozen=True)
class StoredScore:
    """A `scoring.Score` as stored: the exact fractions cut to 20 decimal places."""

    overall: Decimal | None  # None: not scorable (all N/A)
    failed_critical: tuple[str, ...]
    yes_points: int
    applicable_points: int
    sections: tuple[SectionResult, ...]

    @property
    def scorable(self) -> bool:
        return self.overall is not None

    @classmethod
    def of(cls, result: Score) -> StoredScore:
        return cls(
            overall=None if result.overall is None else to_stored(result.overall),
            failed_critical=result.failed_critical,
            yes_points=result.yes_points,
            applicable_points=result.applicable_points,
            sections=tuple(
                SectionResult(
                    id=s.section_id,
                    score=None if s.value is None else to_stored(s.value),
                    yes_points=s.yes_points,
                    applicable_points=s.applicable_points,
                )
                for s in result.sections
            ),
        )

    def to_dict(self) -> dict[str, Any]:
        return {
            "overall": _stored_str(self.overall),
            "failed_critical": list(self.failed_critical),
            "yes_points": self.yes_points,
            "applicable_points": self.applicable_points,
            "sections": [s.to_dict() for s in self.sections],
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> StoredScore:
        return cls(
            overall=_stored_decimal(data["overall"]),
            failed_critical=tuple(_texts(data["failed_critical"], "failed_critical")),
            yes_points=_whole(data["yes_points"], "yes_points"),
            applicable_points=_whole(data["applicable_points"], "applicable_points"),
            sections=tuple(SectionResult.from_dict(s) for s in _list(data["sections"])),
        )


@dataclass(frozen=True)
class Source:
    """Where a revision came from when not from the API: a batch import's row."""

    import_id: str
    external_id: str

    def to_dict(self) -> dict[str, Any]:
        return {"import_id": self.import_id, "external_id": self.external_id}

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Source:
        _only(data, _SOURCE_KEYS, "source")
        return cls(import_id=_text(data, "import_id"), external_id=_text(data, "external_id"))


@dataclass(frozen=True)
class Evaluation:
    """One revision of an evaluation, as stored. Revisions are never changed: an
    amendment is a new `Evaluation` with the next revision number."""

    evaluation_id: str
    revision: int
    form_id: str
    form_version: int
    agent_id: str
    contact: Contact
    method: str
    answers: Mapping[str, str]  # criterion id -> yes / no / na, in the client's order
    comments: Mapping[str, str]  # criterion id -> comment; blank ones are dropped
    summary: str
    score: StoredScore
    evaluator: str  # who wrote revision 1
    created_at: str
    revised_by: str  # who wrote this revision
    revised_at: str
    source: Source | None = None
    # The coaching review whose two evaluations this is one of (both revisions).
    review_id: str | None = None
    # The dispute whose upholding wrote this revision; only on that revision.
    dispute_id: str | None = None

    def to_dict(self) -> dict[str, Any]:
        """The stored JSON document (before jsoncodec.dumps)."""
        out: dict[str, Any] = {
            "evaluation_id": self.evaluation_id,
            "revision": self.revision,
            "form_id": self.form_id,
            "form_version": self.form_version,
            "agent_id": self.agent_id,
            "contact": self.contact.to_dict(),
            "method": self.method,
            "answers": dict(self.answers),
            "comments": dict(self.comments),
            "summary": self.summary,
            "score": self.score.to_dict(),
            "evaluator": self.evaluator,
            "created_at": self.created_at,
            "revised_by": self.revised_by,
            "revised_at": self.revised_at,
        }
        if self.source is not None:
            out["source"] = self.source.to_dict()
        if self.review_id is not None:
            out["review_id"] = self.review_id
        if self.dispute_id is not None:
            out["dispute_id"] = self.dispute_id
        return out

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Evaluation:
        """A stored document; KeyError, TypeError or ValueError when it is not one."""
        _only(data, _EVALUATION_KEYS, "evaluation")
        source = data.get("source")
        return cls(
            evaluation_id=_text(data, "evaluation_id"),
            revision=_whole(data["revision"], "revision"),
            form_id=_text(data, "form_id"),
            form_version=_whole(data["form_version"], "form_version"),
            agent_id=_text(data, "agent_id"),
            contact=Contact.from_dict(_mapping(data["contact"], "contact")),
            method=_text(data, "method"),
            answers=_text_map(data["answers"], "answers"),
            comments=_text_map(data["comments"], "comments"),
            summary=_text(data, "summary"),
            score=StoredScore.from_dict(_mapping(data["score"], "score")),
            evaluator=_text(data, "evaluator"),
            created_at=_text(data, "created_at"),
            revised_by=_text(data, "revised_by"),
            revised_at=_text(data, "revised_at"),
            # Absent on every revision written through the API.
            source=None if source is None else Source.from_dict(_mapping(source, "source")),
            review_id=_optional_text(data, "review_id"),
            dispute_id=_optional_text(data, "dispute_id"),
        )


# Reading stored JSON: the wrong type is a TypeError (the stream quarantines it),
# never a value that looks right and is not.


def _stored_str(value: Decimal | None) -> str | None:
    # Positional, never "0E-20": the string keeps the exponent it was stored with.
    return None if value is None else format(value, "f")


def _stored_decimal(value: Any) -> Decimal | None:
    if value is None:
        return None
    if not isinstance(value, str):
        raise TypeError(f"a stored score is a string, not {type(value).__name__}")
    try:
        return Decimal(value)
    except InvalidOperation:
        # An ArithmeticError, which the stream would retry for ever: it is malformed.
        raise ValueError(f"a stored score is a number, not {value!r}") from None


def _text(data: Mapping[str, Any], name: str) -> str:
    value = data[name]
    if not isinstance(value, str):
        raise TypeError(f"{name} is a string, not {type(value).__name__}")
    return value


def _optional_text(data: Mapping[str, Any], name: str) -> str | None:
    return None if data.get(name) is None else _text(data, name)


def _whole(value: Any, name: str) -> int:
    # bool is an int to Python, never to JSON.
    if not isinstance(value, int) or isinstance(value, bool):
        raise TypeError(f"{name} is an integer, not {type(value).__name__}")
    return value


def _mapping(value: Any, name: str) -> Mapping[str, Any]:
    if not isinstance(value, Mapping):
        raise TypeError(f"{name} is an object, not {type(value).__name__}")
    return value


def _list(value: Any) -> list[Any]:
    if not isinstance(value, list):
        raise TypeError(f"expected a list, not {type(value).__name__}")
    return value


def _texts(value: Any, name: str) -> list[str]:
    items = _list(value)
    if not all(isinstance(item, str) for item in items):
        raise TypeError(f"{name} holds strings only")
    return items


def _text_map(value: Any, name: str) -> dict[str, str]:
    mapping = _mapping(value, name)
    if not all(isinstance(v, str) for v in mapping.values()):
        raise TypeError(f"{name} holds strings only")
    return dict(mapping)


def _only(data: Mapping[str, Any], known: frozenset[str], name: str) -> None:
    # An unknown key would be dropped on the way through: refuse rather than lose it.
    unknown = sorted(set(data) - known)
    if unknown:
        raise ValueError(f"{name} has unknown keys {unknown}")
