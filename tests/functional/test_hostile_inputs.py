"""Inputs that used to become 500s, and their relatives: every one answers 4xx in the
error shape, naming the field it is about.

Bodies (nesting, duplicate keys, surrogates, control characters, numbers past int()'s
limit, dates at the ends of the calendar), path segments and query values (Unicode
digits that pass str.isdigit(), huge numbers, cursors), and headers (If-Match,
Idempotency-Key). Fuzzing (tests/e2e/test_api_fuzz.py) looks for more; these are the
ones we know, kept so they stay fixed.
"""

from __future__ import annotations

import base64
import json
from typing import Any

import pytest

from tests.functional.api import Answer, Api
from tests.support import demo_form, evaluation_body

HUGE = "9" * 5000
UNICODE_DIGITS = ("²", "١٢", "１")
EDGE_TIMES = (
    "0001-01-01T00:00:00+14:00",
    "0001-01-01T00:00:00-14:00",
    "9999-12-31T23:59:59-14:00",
    "9999-12-31T23:59:59+14:00",
)


@pytest.fixture
def world(api: Api) -> dict[str, Any]:
    form = api.publish()
    created = api.submit(evaluation_body(form, agent_id="aino"))
    assert created.status == 201
    return {"form": form, "evaluation_id": created.body["evaluation_id"]}


def refused(answer: Answer, field: str | None, *statuses: int) -> None:
    assert answer.status in (statuses or (400,)), (answer.status, answer.body)
    assert set(answer.body) == {"error", "message", "field"}, answer.body
    assert answer.body["field"] == field, answer.body


def raw_body(api: Api, world: dict[str, Any], old: str, new: str) -> Answer:
    text = json.dumps(evaluation_body(world["form"], agent_id="aino"))
    assert old in text
    return api.call("POST", "/v1/evaluations", "evaluator", body=text.replace(old, new))


def test_a_body_nested_deeper_than_the_parser_goes(api: Api, world: dict[str, Any]) -> None:
    refused(api.submit("[" * 100_000 + "]" * 100_000), None)  # type: ignore[arg-type]
    deep = "[" * 5000 + "]" * 5000
    refused(raw_body(api, world, '"method"', f'"comments": {{"x": {deep}}}, "method"'), None)
    # Deep enough to parse but deeper than any document Laatu takes.
    nested = "[" * 40 + "]" * 40
    answer = raw_body(api, world, '"method"', f'"summary": {nested}, "method"')
    refused(answer, answer.body["field"])
    assert answer.body["error"] == "too_deep"


def test_a_key_twice_in_one_object_is_refused(api: Api, world: dict[str, Any]) -> None:
    answer = raw_body(api, world, '"agent_id": "aino"', '"agent_id": "aino", "agent_id": "bert"')
    refused(answer, None)
    assert "agent_id" in answer.body["message"]
    settings = api.call("PUT", "/v1/settings", body='{"grace_days": 1, "grace_days": 2}')
    refused(settings, None)


@pytest.mark.parametrize(
    ("text", "field"),
    [
        ('"\\ud800"', "contact.id"),  # an unpaired surrogate
        ('"\\ufeffcall-1"', "contact.id"),  # a byte-order mark
        ('"call\\u0000-1"', "contact.id"),  # NUL
        ('"call\\u202e-1"', "contact.id"),  # a bidirectional override
        ('"call\\u0085-1"', "contact.id"),  # a C1 control
    ],
)
def test_characters_nobody_can_see_are_refused_at_their_field(
    api: Api, world: dict[str, Any], text: str, field: str
) -> None:
    answer = raw_body(api, world, '"call-1"', text)
    refused(answer, field)
    assert answer.body["error"] == "invalid_character"


def test_an_unpaired_surrogate_echoed_in_a_message_still_answers(api: Api) -> None:
    answer = api.call("PUT", "/v1/settings", body='{"time_zone": "\\udc00"}')
    refused(answer, "time_zone")


@pytest.mark.parametrize("number", [HUGE, "1e999999999", "-1e999999999", "1.5"])
def test_numbers_past_what_a_field_holds(api: Api, world: dict[str, Any], number: str) -> None:
    answer = raw_body(api, world, '"form_version": 1', f'"form_version": {number}')
    refused(answer, None if number == HUGE else "form_version")


def test_an_integer_written_with_a_zero_fraction_is_an_integer(
    api: Api, world: dict[str, Any]
) -> None:
    """JSON Schema counts 1.0 as an integer; so does the API."""
    answer = raw_body(api, world, '"form_version": 1', '"form_version": 1.0')
    assert answer.status == 201, answer.body
    assert answer.body["form_version"] == 1


@pytest.mark.parametrize("moment", EDGE_TIMES)
def test_contact_times_at_the_ends_of_the_calendar(
    api: Api, world: dict[str, Any], moment: str
) -> None:
    answer = raw_body(api, world, "2026-11-02T10:15:00+02:00", moment)
    refused(answer, "contact.occurred_at")


@pytest.mark.parametrize("moment", [*EDGE_TIMES, "²０２６-11-02T10:15:00+02:00"])
def test_list_bounds_at_the_ends_of_the_calendar(api: Api, moment: str) -> None:
    for bound in ("from", "to"):
        refused(api.call("GET", f"/v1/evaluations?{bound}={moment}", "evaluator"), bound)


@pytest.mark.parametrize("value", [*UNICODE_DIGITS, HUGE, "0", "-1", "1.0", "1e3"])
def test_whole_numbers_in_paths_and_queries(api: Api, world: dict[str, Any], value: str) -> None:
    form_id, evaluation_id = world["form"]["form_id"], world["evaluation_id"]
    for path, field in [
        (f"/v1/forms/{form_id}/versions/{value}", "version"),
        (f"/v1/forms/{form_id}/versions/{value}/template.csv", "version"),
        (f"/v1/forms/{form_id}/versions/{value}/row.schema.json", "version"),
        (f"/v1/evaluations/{evaluation_id}/revisions/{value}", "revision"),
        (f"/v1/evaluations?limit={value}", "limit"),
        (f"/v1/imports?limit={value}", "limit"),
    ]:
        refused(api.call("GET", path, ["admin", "auditor"]), field)


@pytest.mark.parametrize("period", ["٢٠٢٦-١١", "2026-13", "0000-01", HUGE, "2026-1"])
def test_periods_that_are_not_months(api: Api, period: str) -> None:
    summary = api.call("GET", f"/v1/agents/aino/summary?period={period}", "evaluator")
    refused(summary, "period")
    refused(api.call("GET", f"/v1/exports/{period}", "payroll"), "period", 400, 404)
    refused(api.call("POST", f"/v1/exports/{period}/run"), "period")


def test_a_pay_period_far_from_the_tenants_life_is_refused(api: Api) -> None:
    for period in ("0001-01", "9999-12"):
        refused(api.call("POST", f"/v1/exports/{period}/run"), "period")


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).decode().rstrip("=")


@pytest.mark.parametrize(
    "cursor",
    [
        "garbage!",
        _b64(b"not json"),
        _b64(b'{"a": 1}'),
        _b64(b"[1, 2]"),
        _b64(b'"x"'),
        _b64(b"\xff\xfe"),
        _b64(b"[" * 5000),
        "a" * 5000,
    ],
)
def test_cursors_this_api_did_not_issue(api: Api, cursor: str) -> None:
    for path in ("/v1/evaluations", "/v1/evaluations?agent_id=aino&", "/v1/imports"):
        joiner = "" if path.endswith("&") else "?"
        refused(api.call("GET", f"{path}{joiner}cursor={cursor}", ["admin", "auditor"]), "cursor")


@pytest.mark.parametrize("value", ['"²"', "*", f'"{HUGE}"', '"1", "2"', '"-1"'])
def test_if_match_that_is_not_one_etag(api: Api, world: dict[str, Any], value: str) -> None:
    body = evaluation_body(world["form"], agent_id="aino")
    answer = api.call(
        "PUT",
        f"/v1/evaluations/{world['evaluation_id']}",
        "evaluator",
        body=body,
        headers={"If-Match": value},
    )
    refused(answer, "If-Match", 400, 412)


@pytest.mark.parametrize("agent_id", ["²", "a" * 200, "a b", "​aino"])
def test_agent_ids_in_paths_that_could_never_exist(api: Api, agent_id: str) -> None:
    refused(
        api.call("GET", f"/v1/agents/{agent_id}/summary?period=2026-11", "evaluator"), "agent_id"
    )
    refused(api.call("GET", f"/v1/agents/{agent_id}"), "agent_id")
    refused(api.call("PUT", f"/v1/agents/{agent_id}", body={"name": "x"}), "agent_id")


@pytest.mark.parametrize("anchor", ["0001-01-01", "9999-12-31", "٢٠٢٦-١١-٠٢"])
def test_a_pay_period_anchor_at_the_ends_of_the_calendar(api: Api, anchor: str) -> None:
    body = {"pay_period": {"kind": "two_weeks", "anchor": anchor}}
    refused(api.call("PUT", "/v1/settings", body=body), "pay_period.anchor")


def test_form_points_past_what_a_field_holds(api: Api) -> None:
    form = {**demo_form(), "form_id": "iso"}
    text = json.dumps(form).replace('"points": 1', '"points": 1e999999', 1)
    assert "1e999999" in text
    answer = api.call("POST", "/v1/forms", body=text)
    assert answer.status == 400, answer.body
    assert set(answer.body) == {"error", "message", "field"}


def test_a_header_with_a_control_character(api: Api, world: dict[str, Any]) -> None:
    body = evaluation_body(world["form"], agent_id="aino")
    answer = api.submit(body, headers={"Idempotency-Key": "\x01key"})
    refused(answer, "Idempotency-Key")
