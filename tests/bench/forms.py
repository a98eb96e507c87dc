"""The bench's 50-criterion form and random answer sets for it."""

from __future__ import annotations

import random
from typing import Any

from chalicelib.domain.forms import Form, parse_form

SECTIONS = ("avaus", "kartoitus", "ratkaisu", "myynti", "lopetus")
# Below and above 1 on purpose, so weighting really moves the score.
WEIGHTS = ("0.5", "1", "1.5", "2", "3")
CRITERIA_PER_SECTION = 10


def bench_form_dict(*, weighted: bool, form_id: str = "bench50") -> dict[str, Any]:
    """5 sections x 10 criteria: points 1 to 5, every seventh critical, every fourth without N/A."""
    sections = []
    n = 0
    for s_index, section_id in enumerate(SECTIONS):
        criteria = []
        for c_index in range(CRITERIA_PER_SECTION):
            n += 1
            criteria.append(
                {
                    "id": f"{section_id}-{c_index + 1:02d}",
                    "text": f"Asiakaspalvelija toimii ohjeen kohdan {n} mukaisesti",
                    "points": 1 + (n * 7) % 5,
                    "critical": n % 7 == 0,
                    "na_allowed": n % 4 != 0,
                }
            )
        section: dict[str, Any] = {
            "id": section_id,
            "title": f"Osio {s_index + 1}: {section_id}",
            "criteria": criteria,
        }
        if weighted:
            section["weight"] = float(WEIGHTS[s_index])
        sections.append(section)
    name = "Penkkilomake, painotettu" if weighted else "Penkkilomake"
    return {"form_id": form_id, "name": name, "sections": sections}


def bench_form(*, weighted: bool) -> Form:
    return parse_form(bench_form_dict(weighted=weighted))


def random_answers(form: Form, rng: random.Random) -> dict[str, str]:
    """Mostly yes; some no (rarer on critical criteria); N/A only where allowed."""
    answers: dict[str, str] = {}
    for criterion in form.criteria():
        roll = rng.random()
        no_share = 0.02 if criterion.critical else 0.15
        if criterion.na_allowed and roll < 0.05:
            answers[criterion.id] = "na"
        elif roll > 1 - no_share:
            answers[criterion.id] = "no"
        else:
            answers[criterion.id] = "yes"
    return answers


def answer_sets(form: Form, count: int, seed: int = 20261102) -> list[dict[str, str]]:
    rng = random.Random(seed)
    return [random_answers(form, rng) for _ in range(count)]
