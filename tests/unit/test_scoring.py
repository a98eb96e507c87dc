"""Scoring rules, checked against an independent reference implementation."""

from __future__ import annotations

import copy
from dataclasses import dataclass
from fractions import Fraction
from typing import Any

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from chalicelib.domain.errors import InvalidInput
from chalicelib.domain.forms import parse_form
from chalicelib.domain.scoring import Score, check_answers, score
from tests.unit.strategies import (
    PROPERTY,
    Answers,
    FormDict,
    all_criteria,
    answered_forms,
    critical_flags,
)


@dataclass(frozen=True)
class Expected:
    overall: Fraction | None
    sections: dict[str, Fraction | None]
    failed_critical: list[str]
    yes_points: int
    applicable_points: int


def reference_score(form: FormDict, answers: Answers) -> Expected:
    """The rules written out plainly, straight from the raw form dict."""
    sections: dict[str, Fraction | None] = {}
    counted: list[tuple[Fraction, Fraction]] = []  # (weight, yes/applicable) of scored sections
    failed: list[str] = []
    yes_total = applicable_total = 0
    for section in form["sections"]:
        yes = applicable = 0
        for criterion in section["criteria"]:
            answer = answers[criterion["id"]]
            if answer == "yes":
                yes += criterion["points"]
                applicable += criterion["points"]
            elif answer == "no":
                applicable += criterion["points"]
                if criterion["critical"]:
                    failed.append(criterion["id"])
        yes_total += yes
        applicable_total += applicable
        if applicable:
            sections[section["id"]] = Fraction(100) * yes / applicable
            if "weight" in section:
                counted.append((Fraction(str(section["weight"])), Fraction(yes, applicable)))
        else:
            sections[section["id"]] = None

    weighted = all("weight" in section for section in form["sections"])
    overall: Fraction | None
    if applicable_total == 0:
        overall = None
    elif failed:
        overall = Fraction(0)
    elif weighted:
        weighted_sum = sum((w * r for w, r in counted), Fraction(0))
        overall = 100 * weighted_sum / sum((w for w, _ in counted), Fraction(0))
    else:
        overall = Fraction(100 * yes_total, applicable_total)
    return Expected(overall, sections, failed, yes_total, applicable_total)


def scored(form: FormDict, answers: Answers) -> Score:
    parsed = parse_form(form)
    check_answers(parsed, answers)
    return score(parsed, answers)


# --- the reference --------------------------------------------------------------------------


@PROPERTY
@given(answered_forms())
def test_score_matches_the_reference(case: tuple[FormDict, Answers]) -> None:
    form, answers = case
    result = scored(form, answers)
    expected = reference_score(form, answers)

    assert result.overall == expected.overall
    assert list(result.failed_critical) == expected.failed_critical
    assert result.yes_points == expected.yes_points
    assert result.applicable_points == expected.applicable_points
    assert {s.section_id: s.value for s in result.sections} == expected.sections
    assert [s.section_id for s in result.sections] == [s["id"] for s in form["sections"]]
    assert result.scorable == (expected.overall is not None)


@PROPERTY
@given(answered_forms(weighted=True))
def test_weighted_score_matches_the_reference(case: tuple[FormDict, Answers]) -> None:
    form, answers = case
    assert scored(form, answers).overall == reference_score(form, answers).overall


# --- properties -----------------------------------------------------------------------------


@PROPERTY
@given(answered_forms())
def test_score_is_between_0_and_100_and_none_only_when_all_na(
    case: tuple[FormDict, Answers],
) -> None:
    form, answers = case
    overall = scored(form, answers).overall
    if all(answer == "na" for answer in answers.values()):
        assert overall is None
    else:
        assert overall is not None
        assert 0 <= overall <= 100


@PROPERTY
@given(answered_forms(), st.data())
def test_turning_a_no_into_yes_never_lowers_the_score(
    case: tuple[FormDict, Answers], data: st.DataObject
) -> None:
    form, answers = case
    noes = [criterion_id for criterion_id, answer in answers.items() if answer == "no"]
    assume(noes)
    flipped_id = data.draw(st.sampled_from(noes))
    flipped = {**answers, flipped_id: "yes"}

    before = scored(form, answers)
    after = scored(form, flipped)
    assert before.overall is not None
    assert after.overall is not None
    assert after.overall >= before.overall
    if not after.failed_critical:
        # With no critical fail left, one more Yes must raise the score.
        assert after.overall > before.overall


@PROPERTY
@given(answered_forms(), st.data())
def test_adding_an_na_criterion_never_changes_the_score(
    case: tuple[FormDict, Answers], data: st.DataObject
) -> None:
    form, answers = case
    before = scored(form, answers)

    grown = copy.deepcopy(form)
    section = data.draw(st.sampled_from(grown["sections"]))
    position = data.draw(st.integers(min_value=0, max_value=len(section["criteria"])))
    section["criteria"].insert(
        position,
        {
            "id": "added",
            "text": "Added criterion",
            "points": data.draw(st.integers(min_value=1, max_value=100)),
            "critical": data.draw(critical_flags),
            "na_allowed": True,
        },
    )
    after = scored(grown, {**answers, "added": "na"})

    assert after.overall == before.overall
    assert after.failed_critical == before.failed_critical
    assert after.sections == before.sections


@PROPERTY
@given(answered_forms(), st.data())
def test_adding_an_all_na_section_never_changes_the_score(
    case: tuple[FormDict, Answers], data: st.DataObject
) -> None:
    form, answers = case
    before = scored(form, answers)

    grown = copy.deepcopy(form)
    new_section: dict[str, Any] = {
        "id": "added",
        "title": "Added section",
        "criteria": [{"id": "added-1", "text": "Added", "points": 50, "na_allowed": True}],
    }
    if "weight" in form["sections"][0]:
        new_section["weight"] = 1000
    grown["sections"].insert(
        data.draw(st.integers(min_value=0, max_value=len(grown["sections"]))), new_section
    )
    after = scored(grown, {**answers, "added-1": "na"})

    assert after.overall == before.overall
    assert after.yes_points == before.yes_points
    assert after.applicable_points == before.applicable_points


@PROPERTY
@given(answered_forms(), st.data())
def test_a_critical_no_zeroes_overall_but_not_sections(
    case: tuple[FormDict, Answers], data: st.DataObject
) -> None:
    form, answers = case
    criterion = data.draw(st.sampled_from(all_criteria(form)))
    critical_form = copy.deepcopy(form)
    for section in critical_form["sections"]:
        for c in section["criteria"]:
            if c["id"] == criterion["id"]:
                c["critical"] = True
    failing = {**answers, criterion["id"]: "no"}

    plain = scored(form, {**answers, criterion["id"]: "no"})
    result = scored(critical_form, failing)

    assert result.overall == 0
    assert criterion["id"] in result.failed_critical
    assert result.sections == plain.sections


# --- examples -------------------------------------------------------------------------------


def example_form(*, weights: tuple[int, int] | None = None) -> FormDict:
    sections: list[dict[str, Any]] = [
        {
            "id": "opening",
            "title": "Opening",
            "criteria": [
                {"id": "greet", "text": "Greets", "points": 1},
                {"id": "identify", "text": "Identifies", "points": 2, "critical": True},
            ],
        },
        {
            "id": "closing",
            "title": "Closing",
            "criteria": [
                {"id": "summary", "text": "Summarises", "points": 3},
                {"id": "thanks", "text": "Thanks", "points": 1, "na_allowed": False},
            ],
        },
    ]
    if weights is not None:
        for section, weight in zip(sections, weights, strict=True):
            section["weight"] = weight
    return {"form_id": "example", "name": "Example", "sections": sections}


def test_unweighted_example() -> None:
    # 1 + 2 + 0 + 1 yes-points of 7 applicable.
    result = scored(
        example_form(), {"greet": "yes", "identify": "yes", "summary": "no", "thanks": "yes"}
    )
    assert result.overall == Fraction(400, 7)
    assert [s.value for s in result.sections] == [Fraction(100), Fraction(25)]


def test_weighted_example() -> None:
    # opening 3/3 with weight 1, closing 1/4 with weight 3: (1 + 3/4) / 4 = 7/16.
    result = scored(
        example_form(weights=(1, 3)),
        {"greet": "yes", "identify": "yes", "summary": "no", "thanks": "yes"},
    )
    assert result.overall == Fraction(700, 16)


def test_weighted_section_without_applicable_points_drops_out_with_its_weight() -> None:
    result = scored(
        example_form(weights=(1, 3)),
        {"greet": "na", "identify": "na", "summary": "no", "thanks": "yes"},
    )
    assert result.overall == Fraction(25)
    assert result.sections[0].value is None


def test_critical_no_gives_zero_and_is_listed() -> None:
    result = scored(
        example_form(), {"greet": "yes", "identify": "no", "summary": "yes", "thanks": "yes"}
    )
    assert result.overall == 0
    assert result.failed_critical == ("identify",)
    assert result.sections[1].value == 100


def test_all_na_is_not_scorable() -> None:
    form = example_form()
    form["sections"][1]["criteria"][1]["na_allowed"] = True
    result = scored(form, {"greet": "na", "identify": "na", "summary": "na", "thanks": "na"})
    assert result.overall is None
    assert not result.scorable
    assert result.failed_critical == ()


FULL_ANSWERS: Answers = {"greet": "yes", "identify": "yes", "summary": "yes", "thanks": "yes"}


@pytest.mark.parametrize(
    ("answers", "comments", "field", "code"),
    [
        (
            {"greet": "yes", "identify": "yes", "summary": "yes"},
            None,
            "answers.thanks",
            "missing_answer",
        ),
        ({**FULL_ANSWERS, "ghost": "yes"}, None, "answers.ghost", "unknown_criterion"),
        ({**FULL_ANSWERS, "thanks": "na"}, None, "answers.thanks", "na_not_allowed"),
        ({**FULL_ANSWERS, "greet": "maybe"}, None, "answers.greet", "invalid"),
        (FULL_ANSWERS, {"ghost": "a note"}, "comments.ghost", "unknown_criterion"),
    ],
)
def test_check_answers_names_the_field(
    answers: Answers, comments: dict[str, str] | None, field: str, code: str
) -> None:
    form = parse_form(example_form())
    with pytest.raises(InvalidInput) as caught:
        check_answers(form, answers, comments)
    assert caught.value.field == field
    assert caught.value.code == code


def test_na_where_allowed_and_comments_on_known_criteria_are_accepted() -> None:
    form = parse_form(example_form())
    answers = {**FULL_ANSWERS, "greet": "na"}
    check_answers(form, answers, {"greet": "not needed on this call"})
    assert score(form, answers).overall == 100
    assert score(form, answers).applicable_points == 6
