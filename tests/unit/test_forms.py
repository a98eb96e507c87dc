"""Parsing a form body: defaults, unique ids, weights all-or-none, the stored shape."""

from __future__ import annotations

import copy
from decimal import Decimal
from typing import Any

import pytest
from hypothesis import given

from chalicelib.domain.errors import InvalidInput
from chalicelib.domain.forms import Criterion, Form, Section, form_to_dict, parse_form
from tests.unit.strategies import PROPERTY, FormDict, form_dicts


def two_section_form() -> FormDict:
    return {
        "form_id": "service",
        "name": "Service",
        "sections": [
            {
                "id": "opening",
                "title": "Opening",
                "criteria": [
                    {"id": "greet", "text": "Greets"},
                    {"id": "identify", "text": "Identifies", "points": 3, "critical": True},
                ],
            },
            {
                "id": "closing",
                "title": "Closing",
                "criteria": [{"id": "thanks", "text": "Thanks", "na_allowed": False}],
            },
        ],
    }


def test_parse_form_fills_defaults() -> None:
    form = parse_form(two_section_form())

    assert form == Form(
        form_id="service",
        name="Service",
        sections=(
            Section(
                id="opening",
                title="Opening",
                criteria=(
                    Criterion("greet", "Greets", points=1, critical=False, na_allowed=True),
                    Criterion("identify", "Identifies", points=3, critical=True, na_allowed=True),
                ),
                weight=None,
            ),
            Section(
                id="closing",
                title="Closing",
                criteria=(Criterion("thanks", "Thanks", points=1, na_allowed=False),),
                weight=None,
            ),
        ),
    )
    assert not form.weighted
    assert form.criterion_ids() == ["greet", "identify", "thanks"]


def test_parse_form_reads_weights_as_exact_decimals() -> None:
    data = two_section_form()
    data["sections"][0]["weight"] = 0.1
    data["sections"][1]["weight"] = 2
    form = parse_form(data)
    assert form.weighted
    assert [s.weight for s in form.sections] == [Decimal("0.1"), Decimal(2)]


def test_duplicate_section_id_names_the_second_one() -> None:
    data = two_section_form()
    data["sections"][1]["id"] = "opening"
    with pytest.raises(InvalidInput) as caught:
        parse_form(data)
    assert caught.value.field == "sections[1].id"


def test_duplicate_criterion_id_within_a_section() -> None:
    data = two_section_form()
    data["sections"][0]["criteria"][1]["id"] = "greet"
    with pytest.raises(InvalidInput) as caught:
        parse_form(data)
    assert caught.value.field == "sections[0].criteria[1].id"


def test_duplicate_criterion_id_across_sections() -> None:
    # Answers are keyed by criterion id alone, so ids are unique in the whole form.
    data = two_section_form()
    data["sections"][1]["criteria"][0]["id"] = "greet"
    with pytest.raises(InvalidInput) as caught:
        parse_form(data)
    assert caught.value.field == "sections[1].criteria[0].id"
    assert "greet" in caught.value.message


@pytest.mark.parametrize("weighted_index", [0, 1])
def test_weights_on_some_sections_only_are_refused(weighted_index: int) -> None:
    data = two_section_form()
    data["sections"][weighted_index]["weight"] = 2
    with pytest.raises(InvalidInput) as caught:
        parse_form(data)
    assert caught.value.field == f"sections[{1 - weighted_index}].weight"


def test_weights_on_every_section_are_accepted() -> None:
    data = two_section_form()
    for section in data["sections"]:
        section["weight"] = 1
    assert parse_form(data).weighted


def test_form_to_dict_writes_every_default_out() -> None:
    out = form_to_dict(parse_form(two_section_form()))
    assert out["sections"][0]["criteria"][0] == {
        "id": "greet",
        "text": "Greets",
        "points": 1,
        "critical": False,
        "na_allowed": True,
    }
    assert "weight" not in out["sections"][0]


@PROPERTY
@given(form_dicts())
def test_form_to_dict_round_trips(data: FormDict) -> None:
    form = parse_form(data)
    stored = form_to_dict(form)

    assert parse_form(stored) == form
    # Generated forms spell out every field, so the stored shape is the input itself.
    expected: dict[str, Any] = copy.deepcopy(data)
    for section in expected["sections"]:
        if "weight" in section:
            section["weight"] = Decimal(str(section["weight"]))
    assert stored == expected
