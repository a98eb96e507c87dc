"""The stored evaluation, its API view and what it adds to period figures."""

from __future__ import annotations

import copy
import math
from datetime import UTC, datetime
from decimal import Decimal
from fractions import Fraction
from typing import Any

import pytest
from hypothesis import given

from chalicelib.domain.errors import InvalidInput
from chalicelib.domain.evaluation import Evaluation
from chalicelib.domain.evaluations import (
    build_evaluation,
    check_method,
    contribution,
    present,
    same_content,
)
from chalicelib.domain.forms import parse_form
from chalicelib.domain.pay_periods import Calendar
from chalicelib.domain.principal import Principal
from chalicelib.domain.scoring import check_answers, score
from chalicelib.domain.settings import SettingsRevision, TenantSettings
from tests.support import all_answers, demo_form, evaluation_body
from tests.unit.strategies import PROPERTY, Answers, FormDict, answered_forms

NOW = "2026-11-02T12:00:00Z"


def build(body: dict[str, Any], form: FormDict | None = None, **kwargs: Any) -> Evaluation:
    options: dict[str, Any] = {
        "evaluation_id": "ev-1",
        "revision": 1,
        "actor": "evaluator-1",
        "now": NOW,
    }
    options.update(kwargs)
    return build_evaluation(body=body, form=parse_form(form or demo_form()), **options)


def stored(body: dict[str, Any], form: FormDict | None = None, **kwargs: Any) -> dict[str, Any]:
    """The document as stored."""
    return build(body, form, **kwargs).to_dict()


def demo_body(**answers: str) -> dict[str, Any]:
    form = demo_form()
    return evaluation_body(
        form,
        occurred_at="2026-11-01T00:30:00+02:00",
        answers={**all_answers(form), **answers},
    )


# --- build_evaluation -------------------------------------------------------------------------


def test_build_evaluation_scores_and_stores_exact_values() -> None:
    # Demo form: 17 points; "ratkaisu" (3) No and "lisamyynti" (2) N/A leave 12 of 15.
    doc = stored(demo_body(ratkaisu="no", lisamyynti="na"))

    assert doc["score"]["overall"] == "80.00000000000000000000"
    assert doc["score"]["yes_points"] == 12
    assert doc["score"]["applicable_points"] == 15
    assert doc["score"]["failed_critical"] == []
    assert [(s["id"], s["score"]) for s in doc["score"]["sections"]] == [
        ("avaus", "100.00000000000000000000"),
        ("kartoitus", "50.00000000000000000000"),
        ("myynti", "100.00000000000000000000"),
        ("lopetus", "100.00000000000000000000"),
    ]
    assert doc["contact"]["occurred_at_utc"] == "2026-10-31T22:30:00Z"
    assert doc["contact"]["occurred_at"] == "2026-11-01T00:30:00+02:00"
    assert (doc["evaluation_id"], doc["revision"]) == ("ev-1", 1)
    assert doc["evaluator"] == doc["revised_by"] == "evaluator-1"
    assert doc["created_at"] == doc["revised_at"] == NOW
    assert doc["summary"] == ""
    assert Evaluation.from_dict(doc).score.overall == Decimal(80)


def test_build_evaluation_keeps_repeating_decimals_to_twenty_places() -> None:
    doc = stored(demo_body(tervehdys="no"))  # 16 of 17; opening 2 of 3
    assert doc["score"]["overall"] == "94.11764705882352941176"
    assert doc["score"]["sections"][0]["score"] == "66.66666666666666666667"


def test_build_evaluation_drops_blank_comments_and_checks_the_rest() -> None:
    body = demo_body()
    body["comments"] = {"tervehdys": "Hyvä avaus", "kiitos": "   "}
    assert stored(body)["comments"] == {"tervehdys": "Hyvä avaus"}

    body["comments"] = {"ei-ole": "comment on nothing"}
    with pytest.raises(InvalidInput) as caught:
        build(body)
    assert caught.value.field == "comments.ei-ole"


def test_build_evaluation_on_amendment_keeps_the_first_author_and_time() -> None:
    first = build(demo_body(), actor="evaluator-1", now="2026-11-01T08:00:00Z")
    doc = stored(demo_body(), revision=2, actor="evaluator-2", amending=first)
    assert doc["revision"] == 2
    assert doc["evaluator"] == "evaluator-1"
    assert doc["created_at"] == "2026-11-01T08:00:00Z"
    assert doc["revised_by"] == "evaluator-2"
    assert doc["revised_at"] == NOW


def test_build_evaluation_refuses_another_forms_id() -> None:
    body = demo_body()
    body["form_id"] = "toinen"
    with pytest.raises(InvalidInput) as caught:
        build(body)
    assert caught.value.field == "form_id"


def test_build_evaluation_refuses_a_contact_time_without_offset() -> None:
    body = demo_body()
    body["contact"]["occurred_at"] = "2026-11-01T00:30:00"
    with pytest.raises(InvalidInput) as caught:
        build(body)
    assert caught.value.field == "contact.occurred_at"


def test_build_evaluation_checks_the_answers() -> None:
    with pytest.raises(InvalidInput) as caught:
        build(demo_body(kuuntelu="na"))
    assert caught.value.field == "answers.kuuntelu"
    assert caught.value.code == "na_not_allowed"


# --- present --------------------------------------------------------------------------------


def test_present_rounds_half_up_and_hides_storage_details() -> None:
    doc = build(demo_body(tervehdys="no"))
    before = copy.deepcopy(doc)

    shown = present(doc)

    assert shown["score"]["overall"] == "94.12"
    assert shown["score"]["scorable"] is True
    assert shown["score"]["sections"][0] == {
        "id": "avaus",
        "score": "66.67",
        "yes_points": 2,
        "applicable_points": 3,
    }
    assert "occurred_at_utc" not in shown["contact"]
    assert shown["contact"]["occurred_at"] == "2026-11-01T00:30:00+02:00"
    assert doc == before


def test_present_rounds_a_stored_half_upwards() -> None:
    doc = stored(demo_body())
    doc["score"]["overall"] = "2.34500000000000000000"
    doc["score"]["sections"][0]["score"] = "2.33500000000000000000"
    shown = present(Evaluation.from_dict(doc))
    assert shown["score"]["overall"] == "2.35"
    assert shown["score"]["sections"][0]["score"] == "2.34"


def test_present_of_a_critical_fail_shows_zero_and_the_criterion() -> None:
    shown = present(build(demo_body(tunnistus="no")))
    assert shown["score"]["overall"] == "0.00"
    assert shown["score"]["scorable"] is True
    assert shown["score"]["failed_critical"] == ["tunnistus"]
    assert shown["score"]["sections"][0]["score"] == "33.33"


def test_present_of_an_all_na_evaluation_is_not_scorable() -> None:
    form: FormDict = {
        "form_id": "lyhyt",
        "name": "Lyhyt",
        "sections": [{"id": "a", "title": "A", "criteria": [{"id": "x", "text": "X"}]}],
    }
    body = evaluation_body(form, answers={"x": "na"})
    shown = present(build(body, form))
    assert shown["score"]["overall"] is None
    assert shown["score"]["scorable"] is False
    assert shown["score"]["sections"][0]["score"] is None


def half_up(value: Fraction) -> str:
    hundredths = math.floor(value * 100 + Fraction(1, 2))
    return f"{hundredths // 100}.{hundredths % 100:02d}"


@PROPERTY
@given(answered_forms())
def test_presented_score_is_the_exact_score_rounded_half_up_once(
    case: tuple[FormDict, Answers],
) -> None:
    form, answers = case
    parsed = parse_form(form)
    check_answers(parsed, answers)
    exact = score(parsed, answers)

    shown = present(build(evaluation_body(form, answers=answers), form))

    expected = None if exact.overall is None else half_up(exact.overall)
    assert shown["score"]["overall"] == expected
    assert [s["score"] for s in shown["score"]["sections"]] == [
        None if s.value is None else half_up(s.value) for s in exact.sections
    ]


# --- same_content ---------------------------------------------------------------------------


def test_same_content_is_true_for_the_same_body() -> None:
    body = demo_body(ratkaisu="no")
    assert same_content(build(body), body)


def test_same_content_normalises_blank_comments_and_missing_summary() -> None:
    body = demo_body()
    doc = build(body)
    assert same_content(doc, {**body, "comments": {"kiitos": "  "}, "summary": ""})
    assert same_content(doc, {**body, "comments": {}})


@pytest.mark.parametrize(
    "change",
    [
        {"answers": {**all_answers(demo_form()), "kiitos": "no"}},
        {"comments": {"kiitos": "Hyvä lopetus"}},
        {"summary": "Hyvä puhelu"},
        {"agent_id": "agent-8"},
        {"method": "live"},
        {"form_version": 2},
        {
            "contact": {
                "channel": "phone",
                "id": "call-1",
                "occurred_at": "2026-11-01T00:30:00+03:00",
            }
        },
        {
            "contact": {
                "channel": "phone",
                "id": "call-1",
                "occurred_at": "2026-11-01T00:30:00+02:00",
                "duration_s": 120,
            }
        },
    ],
)
def test_same_content_sees_every_change(change: dict[str, Any]) -> None:
    body = demo_body()
    doc = build(body)
    assert not same_content(doc, {**body, **change})


# --- contribution ---------------------------------------------------------------------------

HELSINKI = Calendar(())  # the default settings
UTC_CALENDAR = Calendar(
    (
        SettingsRevision(
            revision=1,
            effective_from=datetime(2000, 1, 1, tzinfo=UTC),
            settings=TenantSettings(time_zone="UTC"),
        ),
    )
)


def test_contribution_uses_the_tenant_time_zone_for_the_period() -> None:
    doc = build(demo_body(ratkaisu="no", lisamyynti="na"))

    helsinki = contribution(doc, HELSINKI)
    assert helsinki.buckets == ("2026-11", "2026-11-01")
    assert helsinki.pay_period == "2026-11"
    assert contribution(doc, UTC_CALENDAR).buckets == ("2026-10", "2026-10-31")

    assert helsinki.agent_id == "agent-7"
    assert helsinki.counted
    assert helsinki.score == Decimal(80)
    assert "asiakaspalvelu/ratkaisu" in helsinki.no
    assert "asiakaspalvelu/tervehdys" in helsinki.yes
    assert not any(key.endswith("/lisamyynti") for key in (*helsinki.yes, *helsinki.no))


def test_contribution_of_a_self_evaluation_does_not_count() -> None:
    body = demo_body(ratkaisu="no")
    body["method"] = "self"
    own = contribution(build(body), HELSINKI)
    assert not own.counted
    assert own.score is None
    assert own.yes == own.no == ()


def test_contribution_of_an_unscorable_document_has_no_score() -> None:
    doc = stored(demo_body())
    doc["score"]["overall"] = None
    assert contribution(Evaluation.from_dict(doc), HELSINKI).score is None


# --- check_method ---------------------------------------------------------------------------

AGENT = Principal(user="u-agent", tenant="acme", roles=frozenset({"agent"}), agent_id="agent-7")
EVALUATOR = Principal(user="u-eval", tenant="acme", roles=frozenset({"evaluator"}))


def method_body(method: str, agent_id: str = "agent-7") -> dict[str, Any]:
    return {"method": method, "agent_id": agent_id}


def test_an_agent_may_self_evaluate() -> None:
    check_method(AGENT, method_body("self"))
    with pytest.raises(InvalidInput):
        check_method(EVALUATOR, method_body("self"))


@pytest.mark.parametrize("method", ["live", "recording", "external"])
def test_an_agent_may_use_only_self(method: str) -> None:
    with pytest.raises(InvalidInput) as caught:
        check_method(AGENT, method_body(method))
    assert caught.value.field == "method"
    check_method(EVALUATOR, method_body(method))


def test_an_agent_may_evaluate_only_themselves() -> None:
    with pytest.raises(InvalidInput) as caught:
        check_method(AGENT, method_body("self", agent_id="agent-8"))
    assert caught.value.field == "agent_id"


@pytest.mark.parametrize("role", ["evaluator", "admin", "auditor"])
def test_nobody_but_an_agent_may_use_self(role: str) -> None:
    principal = Principal(user="u", tenant="acme", roles=frozenset({role}))
    with pytest.raises(InvalidInput) as caught:
        check_method(principal, method_body("self"))
    assert caught.value.field == "method"
