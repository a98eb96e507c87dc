"""Hypothesis strategies shared by the unit tests: random forms and answers.

Forms are generated as request-body dicts (the shape `parse_form` takes), so a
test can compute its expectation from the raw data without going through the
code under test.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from hypothesis import settings
from hypothesis import strategies as st

# One setting for every property test: enough examples to find edge cases,
# fast enough to keep the whole unit suite well under 20 s.
PROPERTY = settings(max_examples=200, deadline=None)

FormDict = dict[str, Any]
Answers = dict[str, str]

weights: st.SearchStrategy[int | Decimal] = st.one_of(
    st.integers(min_value=1, max_value=1000),
    st.decimals(
        min_value=Decimal("0.01"),
        max_value=Decimal(1000),
        places=2,
        allow_nan=False,
        allow_infinity=False,
    ),
)

# Critical criteria are rarer than ordinary ones, so most generated evaluations
# have a non-zero score worth comparing.
critical_flags: st.SearchStrategy[bool] = st.integers(min_value=0, max_value=4).map(
    lambda n: n == 0
)


@st.composite
def form_dicts(
    draw: st.DrawFn,
    weighted: bool | None = None,
    max_sections: int = 5,
    max_criteria: int = 6,
) -> FormDict:
    with_weights = draw(st.booleans()) if weighted is None else weighted
    sections: list[dict[str, Any]] = []
    counter = 0
    for s_index in range(draw(st.integers(min_value=1, max_value=max_sections))):
        criteria: list[dict[str, Any]] = []
        for _ in range(draw(st.integers(min_value=1, max_value=max_criteria))):
            criteria.append(
                {
                    "id": f"c{counter}",
                    "text": f"Criterion {counter}",
                    "points": draw(st.integers(min_value=1, max_value=100)),
                    "critical": draw(critical_flags),
                    "na_allowed": draw(st.booleans()),
                }
            )
            counter += 1
        section: dict[str, Any] = {"id": f"s{s_index}", "title": f"Section {s_index}"}
        if with_weights:
            section["weight"] = draw(weights)
        section["criteria"] = criteria
        sections.append(section)
    return {"form_id": "form", "name": "Random form", "sections": sections}


def all_criteria(form: FormDict) -> list[dict[str, Any]]:
    return [c for section in form["sections"] for c in section["criteria"]]


@st.composite
def answers_for(draw: st.DrawFn, form: FormDict) -> Answers:
    return {
        c["id"]: draw(st.sampled_from(("yes", "no", "na") if c["na_allowed"] else ("yes", "no")))
        for c in all_criteria(form)
    }


@st.composite
def answered_forms(draw: st.DrawFn, weighted: bool | None = None) -> tuple[FormDict, Answers]:
    form = draw(form_dicts(weighted=weighted))
    return form, draw(answers_for(form))
