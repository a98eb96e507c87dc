"""An evaluation as stored: one immutable document per revision.

`build_document` checks the answers against the form version, scores them and
returns the plain dict that is stored; `present` is what the API shows of it;
`contribution` is what it adds to the agent's period figures.
"""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from chalicelib.domain import permissions
from chalicelib.domain.aggregates import Contribution, contribution_of
from chalicelib.domain.errors import InvalidInput
from chalicelib.domain.forms import Form
from chalicelib.domain.numbers import reported_str, to_stored
from chalicelib.domain.pay_periods import Calendar, local_day
from chalicelib.domain.periods import month_of, parse_instant, to_utc_iso
from chalicelib.domain.permissions import Scope
from chalicelib.domain.principal import Principal
from chalicelib.domain.scoring import Score, check_answers, score

CONTENT_FIELDS = (
    "form_id",
    "form_version",
    "agent_id",
    "contact",
    "method",
    "answers",
    "comments",
    "summary",
)


def check_method(
    principal: Principal, body: Mapping[str, Any], writes: frozenset[Scope] | None = None
) -> None:
    """`self` is an agent evaluating themselves; an agent evaluates nobody else.

    `writes` is what the write at hand lets the caller reach (by default, what
    submitting does): with SELF only, just their own self-evaluation."""
    if writes is None:
        writes = permissions.scopes(principal, "evaluation.submit")
    if body["method"] == "self":
        if Scope.SELF not in writes:
            raise InvalidInput("method 'self' is for an agent's own evaluation", field="method")
        if principal.agent_id is None or body["agent_id"] != principal.agent_id:
            raise InvalidInput("an agent can evaluate only themselves", field="agent_id")
    elif Scope.TENANT not in writes:
        raise InvalidInput("an agent's own evaluation must use method 'self'", field="method")


def build_document(
    *,
    body: Mapping[str, Any],
    form: Form,
    evaluation_id: str,
    revision: int,
    actor: str,
    now: str,
    created: Mapping[str, str] | None = None,
) -> dict[str, Any]:
    """The stored document of one revision. `created` carries over the first revision's
    author and time on an amendment."""
    if body["form_id"] != form.form_id:
        raise InvalidInput("form_id does not match the form version", field="form_id")
    occurred = parse_instant(body["contact"]["occurred_at"], field="contact.occurred_at")
    answers = dict(body["answers"])
    comments = {k: v for k, v in (body.get("comments") or {}).items() if v.strip()}
    check_answers(form, answers, comments)
    result = score(form, answers)
    return {
        "evaluation_id": evaluation_id,
        "revision": revision,
        "form_id": body["form_id"],
        "form_version": body["form_version"],
        "agent_id": body["agent_id"],
        "contact": {**body["contact"], "occurred_at_utc": to_utc_iso(occurred)},
        "method": body["method"],
        "answers": answers,
        "comments": comments,
        "summary": body.get("summary", ""),
        "score": _stored_score(result),
        "evaluator": (created or {}).get("evaluator", actor),
        "created_at": (created or {}).get("created_at", now),
        "revised_by": actor,
        "revised_at": now,
    }


def _stored_score(result: Score) -> dict[str, Any]:
    return {
        "overall": None if result.overall is None else format(to_stored(result.overall), "f"),
        "failed_critical": list(result.failed_critical),
        "yes_points": result.yes_points,
        "applicable_points": result.applicable_points,
        "sections": [
            {
                "id": s.section_id,
                "score": None if s.value is None else format(to_stored(s.value), "f"),
                "yes_points": s.yes_points,
                "applicable_points": s.applicable_points,
            }
            for s in result.sections
        ],
    }


def same_content(document: Mapping[str, Any], body: Mapping[str, Any]) -> bool:
    """True when an amendment would store nothing new."""
    contact = {k: v for k, v in document["contact"].items() if k != "occurred_at_utc"}
    return all(
        (contact if name == "contact" else document.get(name)) == _normalised(name, body.get(name))
        for name in CONTENT_FIELDS
    )


def _normalised(name: str, value: Any) -> Any:
    if name == "comments":
        return {k: v for k, v in (value or {}).items() if v.strip()}
    if name == "summary":
        return value or ""
    return value


def stored_score(document: Mapping[str, Any]) -> Decimal | None:
    overall = document["score"]["overall"]
    return None if overall is None else Decimal(overall)


def present(document: Mapping[str, Any]) -> dict[str, Any]:
    """The API view: scores rounded half-up to two decimals, as strings."""
    stored = document["score"]
    out = {k: v for k, v in document.items() if k != "score"}
    out["contact"] = {k: v for k, v in document["contact"].items() if k != "occurred_at_utc"}
    out["score"] = {
        "overall": reported_str(stored_score(document)),
        "scorable": stored["overall"] is not None,
        "failed_critical": stored["failed_critical"],
        "yes_points": stored["yes_points"],
        "applicable_points": stored["applicable_points"],
        "sections": [
            {**s, "score": reported_str(None if s["score"] is None else Decimal(s["score"]))}
            for s in stored["sections"]
        ],
    }
    return out


def contribution(document: Mapping[str, Any], calendar: Calendar) -> Contribution:
    """What the revision adds: its month and local day in the tenant's calendar then."""
    occurred = parse_instant(document["contact"]["occurred_at"], field="contact.occurred_at")
    time_zone = calendar.settings_at(occurred).time_zone
    day = local_day(occurred, time_zone)
    return contribution_of(
        agent_id=document["agent_id"],
        buckets=(month_of(occurred, time_zone), day.isoformat()),
        pay_period=calendar.period_of(day).label,
        method=document["method"],
        form_id=document["form_id"],
        answers=document["answers"],
        score=stored_score(document),
    )
