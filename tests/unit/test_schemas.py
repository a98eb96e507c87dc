"""Request-body validation names the offending field the way a client can show it."""

from __future__ import annotations

import copy
from typing import Any

import pytest
from hypothesis import given

from chalicelib.api.http import status_of
from chalicelib.domain.errors import InvalidInput
from chalicelib.domain.forms import form_to_dict, parse_form
from chalicelib.schemas import validate
from tests.support import DEMO_FORM, demo_form, evaluation_body
from tests.unit.strategies import PROPERTY, FormDict, form_dicts


def invalid(name: str, instance: Any) -> InvalidInput:
    with pytest.raises(InvalidInput) as caught:
        validate(name, instance)
    assert caught.value.code == "invalid"
    assert status_of(caught.value) == 400
    return caught.value


def small_form() -> dict[str, Any]:
    return {
        "form_id": "service",
        "name": "Service",
        "sections": [
            {
                "id": "opening",
                "title": "Opening",
                "criteria": [{"id": "greet", "text": "Greets"}, {"id": "name", "text": "Names"}],
            }
        ],
    }


def test_the_demo_form_is_valid_and_parses() -> None:
    assert DEMO_FORM.name == "demo-form.fi.json"
    data = demo_form()
    validate("form", data)
    form = parse_form(data)

    assert form.form_id == "asiakaspalvelu"
    assert [s.id for s in form.sections] == ["avaus", "kartoitus", "myynti", "lopetus"]
    assert len(form.criterion_ids()) == 11
    assert sum(c.points for c in form.criteria()) == 17
    assert [c.id for c in form.criteria() if c.critical] == ["tunnistus"]
    assert {c.id for c in form.criteria() if not c.na_allowed} == {"kuuntelu", "kirjaus", "kiitos"}
    assert not form.weighted
    validate("form", form_to_dict(form))


def test_a_valid_evaluation_passes() -> None:
    body = evaluation_body(demo_form())
    body["comments"] = {"tervehdys": "Hyvä"}
    body["summary"] = "Hyvä puhelu"
    body["contact"]["recording_url"] = "https://recordings.example/call-1"
    validate("evaluation", body)


@PROPERTY
@given(form_dicts())
def test_generated_forms_and_their_stored_shape_are_valid(data: FormDict) -> None:
    validate("form", data)
    validate("form", form_to_dict(parse_form(data)))


@pytest.mark.parametrize(
    ("path", "missing", "field"),
    [
        ((), "name", "name"),
        ((), "sections", "sections"),
        (("sections", 0), "title", "sections[0].title"),
        (("sections", 0, "criteria", 1), "text", "sections[0].criteria[1].text"),
        (("sections", 0, "criteria", 0), "id", "sections[0].criteria[0].id"),
    ],
)
def test_a_missing_required_form_field_is_named(
    path: tuple[str | int, ...], missing: str, field: str
) -> None:
    data = small_form()
    target: Any = data
    for part in path:
        target = target[part]
    del target[missing]

    error = invalid("form", data)
    assert error.field == field
    assert error.message == f"'{missing}' is required"


@pytest.mark.parametrize(
    ("path", "field"),
    [
        ((), "colour"),
        (("sections", 0), "sections[0].colour"),
        (("sections", 0, "criteria", 1), "sections[0].criteria[1].colour"),
    ],
)
def test_an_unknown_form_field_is_named(path: tuple[str | int, ...], field: str) -> None:
    data = small_form()
    target: Any = data
    for part in path:
        target = target[part]
    target["colour"] = "red"

    error = invalid("form", data)
    assert error.field == field
    assert error.message == "'colour' is not a known field"


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"form_id": "Not A Slug"}, "form_id"),
        ({"name": ""}, "name"),
        ({"sections": []}, "sections"),
    ],
)
def test_a_bad_form_value_is_named(change: dict[str, Any], field: str) -> None:
    error = invalid("form", {**small_form(), **change})
    assert error.field == field


@pytest.mark.parametrize(
    ("key", "value", "field"),
    [
        ("points", 0, "sections[0].criteria[1].points"),
        ("points", 101, "sections[0].criteria[1].points"),
        ("critical", "yes", "sections[0].criteria[1].critical"),
        ("id", "Bad Id", "sections[0].criteria[1].id"),
    ],
)
def test_a_bad_criterion_value_is_named(key: str, value: Any, field: str) -> None:
    data = small_form()
    data["sections"][0]["criteria"][1][key] = value
    assert invalid("form", data).field == field


@pytest.mark.parametrize("weight", [0, -1, 1001])
def test_a_weight_out_of_range_is_named(weight: int) -> None:
    data = small_form()
    data["sections"][0]["weight"] = weight
    assert invalid("form", data).field == "sections[0].weight"


def test_a_body_that_is_not_an_object_names_no_field() -> None:
    error = invalid("form", ["not", "an", "object"])
    assert error.field is None


def valid_evaluation() -> dict[str, Any]:
    return evaluation_body(demo_form())


def test_a_missing_nested_evaluation_field_is_named() -> None:
    body = valid_evaluation()
    del body["contact"]["occurred_at"]
    error = invalid("evaluation", body)
    assert error.field == "contact.occurred_at"
    assert error.message == "'occurred_at' is required"


def test_a_missing_top_level_evaluation_field_is_named() -> None:
    body = valid_evaluation()
    del body["method"]
    assert invalid("evaluation", body).field == "method"


def test_an_unknown_evaluation_field_is_named() -> None:
    body = valid_evaluation()
    body["score"] = 100
    error = invalid("evaluation", body)
    assert error.field == "score"
    assert error.message == "'score' is not a known field"


def test_an_unknown_contact_field_is_named() -> None:
    body = valid_evaluation()
    body["contact"]["agent"] = "x"
    assert invalid("evaluation", body).field == "contact.agent"


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"method": "guess"}, "method"),
        ({"form_version": 0}, "form_version"),
        ({"agent_id": "-bad"}, "agent_id"),
        ({"answers": {}}, "answers"),
        ({"answers": {"tervehdys": "maybe"}}, "answers.tervehdys"),
        ({"comments": {"tervehdys": 5}}, "comments.tervehdys"),
    ],
)
def test_a_bad_evaluation_value_is_named(change: dict[str, Any], field: str) -> None:
    body = copy.deepcopy(valid_evaluation())
    body.update(change)
    assert invalid("evaluation", body).field == field


@pytest.mark.parametrize(
    ("key", "value"),
    [
        ("channel", "fax"),
        ("recording_url", "ftp://x"),
        ("duration_s", -1),
    ],
)
def test_a_bad_contact_value_is_named(key: str, value: Any) -> None:
    body = valid_evaluation()
    body["contact"][key] = value
    assert invalid("evaluation", body).field == f"contact.{key}"


# JSON Schema patterns follow ECMA-262, where `$` is the end of the input. Python's `$`
# also matches before a final newline; validate() must not let "agent-7\n" through.


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"agent_id": "agent-7\n"}, "agent_id"),
        ({"form_id": "asiakaspalvelu\n"}, "form_id"),
    ],
)
def test_a_trailing_newline_does_not_pass_an_id_pattern(change: dict[str, Any], field: str) -> None:
    body = {**valid_evaluation(), **change}
    assert invalid("evaluation", body).field == field


@pytest.mark.parametrize(
    ("path", "field"),
    [
        (("form_id",), "form_id"),
        (("sections", 0, "id"), "sections[0].id"),
        (("sections", 0, "criteria", 0, "id"), "sections[0].criteria[0].id"),
    ],
)
def test_a_trailing_newline_does_not_pass_a_form_slug(
    path: tuple[str | int, ...], field: str
) -> None:
    data = small_form()
    target: Any = data
    for part in path[:-1]:
        target = target[part]
    target[path[-1]] = f"{target[path[-1]]}\n"
    assert invalid("form", data).field == field


def test_patterns_still_accept_what_they_should() -> None:
    body = valid_evaluation()
    body["agent_id"] = "Agent.7@acme-oy_x"
    body["contact"]["recording_url"] = "https://recordings.example/call-1?x=$1"
    validate("evaluation", body)
    data = small_form()
    data["form_id"] = "a" * 64
    validate("form", data)
    data["form_id"] = "a" * 65
    assert invalid("form", data).field == "form_id"
