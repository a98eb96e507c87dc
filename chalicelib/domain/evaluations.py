"""What an evaluation stores and shows: the rules over `Evaluation` (domain/evaluation.py).

`build_evaluation` checks the answers against the form version and scores them
into the revision that is stored; `present` is what the API shows of it;
`contribution` is what it adds to the agent's period figures.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from chalicelib.domain import permissions
from chalicelib.domain.aggregates import Contribution, contribution_of
from chalicelib.domain.errors import InvalidInput
from chalicelib.domain.evaluation import Contact, Evaluation, Source, StoredScore
from chalicelib.domain.forms import Form
from chalicelib.domain.numbers import reported_str
from chalicelib.domain.pay_periods import Calendar, local_day
from chalicelib.domain.periods import month_of, parse_instant, to_utc_iso
from chalicelib.domain.permissions import Scope
from chalicelib.domain.principal import Principal
from chalicelib.domain.report_cells import report_contribution
from chalicelib.domain.scoring import check_answers, score

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


def build_evaluation(
    *,
    body: Mapping[str, Any],
    form: Form,
    evaluation_id: str,
    revision: int,
    actor: str,
    now: str,
    amending: Evaluation | None = None,
    source: Source | None = None,
    review_id: str | None = None,
    dispute_id: str | None = None,
) -> Evaluation:
    """The revision a (schema-checked) body makes. On an amendment, `amending` is the
    revision it replaces, whose author, time and coaching review carry over;
    `dispute_id` names the dispute an upholding revision decides."""
    if body["form_id"] != form.form_id:
        raise InvalidInput("form_id does not match the form version", field="form_id")
    occurred = parse_instant(body["contact"]["occurred_at"], field="contact.occurred_at")
    answers = dict(body["answers"])
    comments = {k: v for k, v in (body.get("comments") or {}).items() if v.strip()}
    check_answers(form, answers, comments)
    return Evaluation(
        evaluation_id=evaluation_id,
        revision=revision,
        form_id=body["form_id"],
        form_version=body["form_version"],
        agent_id=body["agent_id"],
        contact=Contact.from_body(body["contact"], to_utc_iso(occurred)),
        method=body["method"],
        answers=answers,
        comments=comments,
        summary=body.get("summary", ""),
        score=StoredScore.of(score(form, answers)),
        evaluator=actor if amending is None else amending.evaluator,
        created_at=now if amending is None else amending.created_at,
        revised_by=actor,
        revised_at=now,
        source=source,
        review_id=review_id if amending is None else amending.review_id,
        dispute_id=dispute_id,
    )


def same_content(evaluation: Evaluation, body: Mapping[str, Any]) -> bool:
    """True when an amendment would store nothing new."""
    stored: dict[str, Any] = {
        "form_id": evaluation.form_id,
        "form_version": evaluation.form_version,
        "agent_id": evaluation.agent_id,
        "contact": evaluation.contact.fields(),
        "method": evaluation.method,
        "answers": dict(evaluation.answers),
        "comments": dict(evaluation.comments),
        "summary": evaluation.summary,
    }
    return all(stored[name] == _normalised(name, body.get(name)) for name in CONTENT_FIELDS)


def _normalised(name: str, value: Any) -> Any:
    if name == "comments":
        return {k: v for k, v in (value or {}).items() if v.strip()}
    if name == "summary":
        return value or ""
    return value


def present(evaluation: Evaluation) -> dict[str, Any]:
    """The API view: scores rounded half-up to two decimals, as strings."""
    # The stored document's keys and order, with the score moved last (after
    # `source`) and the UTC copy of the contact time left out: as the API has
    # always shown it.
    out = evaluation.to_dict()
    del out["score"]
    out["contact"] = evaluation.contact.fields()
    stored = evaluation.score
    out["score"] = {
        "overall": reported_str(stored.overall),
        "scorable": stored.scorable,
        "failed_critical": list(stored.failed_critical),
        "yes_points": stored.yes_points,
        "applicable_points": stored.applicable_points,
        "sections": [
            {
                "id": s.id,
                "score": reported_str(s.score),
                "yes_points": s.yes_points,
                "applicable_points": s.applicable_points,
            }
            for s in stored.sections
        ],
    }
    return out


def contribution(evaluation: Evaluation, calendar: Calendar) -> Contribution:
    """What the revision adds: its month and local day in the tenant's calendar then."""
    occurred = parse_instant(evaluation.contact.occurred_at, field="contact.occurred_at")
    settings = calendar.settings_at(occurred)
    time_zone = settings.time_zone
    day = local_day(occurred, time_zone)
    buckets = (month_of(occurred, time_zone), day.isoformat())
    return contribution_of(
        agent_id=evaluation.agent_id,
        buckets=buckets,
        pay_period=calendar.period_of(day).label,
        method=evaluation.method,
        form_id=evaluation.form_id,
        answers=evaluation.answers,
        score=evaluation.score.overall,
        report=report_contribution(
            agent_id=evaluation.agent_id,
            buckets=buckets,
            channel=evaluation.contact.channel,
            method=evaluation.method,
            shift=settings.reports.shift_of(occurred.astimezone(settings.zone).time()),
            evaluator=evaluation.evaluator,
            form_id=evaluation.form_id,
            form_version=evaluation.form_version,
            answers=evaluation.answers,
            score=evaluation.score.overall,
        ),
    )
