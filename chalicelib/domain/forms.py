"""The monitoring form: sections of Yes/No criteria with points.

`parse_form` turns a schema-valid request body into a `Form`, filling the
defaults and enforcing what JSON Schema cannot say (unique ids, weights on all
sections or none). `form_to_dict` is its inverse and the stored shape.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from chalicelib.domain.errors import InvalidInput

DEFAULT_POINTS = 1


@dataclass(frozen=True)
class Criterion:
    id: str
    text: str
    points: int = DEFAULT_POINTS
    critical: bool = False
    na_allowed: bool = True


@dataclass(frozen=True)
class Section:
    id: str
    title: str
    criteria: tuple[Criterion, ...]
    weight: Decimal | None = None


@dataclass(frozen=True)
class Form:
    form_id: str
    name: str
    sections: tuple[Section, ...]

    @property
    def weighted(self) -> bool:
        return any(section.weight is not None for section in self.sections)

    def criteria(self) -> Iterator[Criterion]:
        for section in self.sections:
            yield from section.criteria

    def criterion_ids(self) -> list[str]:
        return [criterion.id for criterion in self.criteria()]


def parse_form(data: Mapping[str, Any]) -> Form:
    sections = tuple(_parse_section(index, raw) for index, raw in enumerate(data["sections"]))
    form = Form(form_id=data["form_id"], name=data["name"], sections=sections)
    _check_unique_ids(form)
    _check_weights(form)
    return form


def _parse_section(index: int, raw: Mapping[str, Any]) -> Section:
    weight = raw.get("weight")
    return Section(
        id=raw["id"],
        title=raw["title"],
        weight=None if weight is None else Decimal(str(weight)),
        criteria=tuple(
            Criterion(
                id=criterion["id"],
                text=criterion["text"],
                points=int(criterion.get("points", DEFAULT_POINTS)),
                critical=bool(criterion.get("critical", False)),
                na_allowed=bool(criterion.get("na_allowed", True)),
            )
            for criterion in raw["criteria"]
        ),
    )


def _check_unique_ids(form: Form) -> None:
    seen_sections: set[str] = set()
    seen_criteria: set[str] = set()
    for s_index, section in enumerate(form.sections):
        if section.id in seen_sections:
            raise InvalidInput(
                f"section id '{section.id}' is used twice", field=f"sections[{s_index}].id"
            )
        seen_sections.add(section.id)
        for c_index, criterion in enumerate(section.criteria):
            if criterion.id in seen_criteria:
                raise InvalidInput(
                    f"criterion id '{criterion.id}' is used twice",
                    field=f"sections[{s_index}].criteria[{c_index}].id",
                )
            seen_criteria.add(criterion.id)


def _check_weights(form: Form) -> None:
    # Mixing weighted and unweighted sections has no defined score, so refuse it.
    if not form.weighted:
        return
    for index, section in enumerate(form.sections):
        if section.weight is None:
            raise InvalidInput(
                "when one section has a weight, every section needs one",
                field=f"sections[{index}].weight",
            )


def form_to_dict(form: Form) -> dict[str, Any]:
    return {
        "form_id": form.form_id,
        "name": form.name,
        "sections": [_section_to_dict(section) for section in form.sections],
    }


def _section_to_dict(section: Section) -> dict[str, Any]:
    out: dict[str, Any] = {"id": section.id, "title": section.title}
    if section.weight is not None:
        out["weight"] = section.weight
    out["criteria"] = [
        {
            "id": c.id,
            "text": c.text,
            "points": c.points,
            "critical": c.critical,
            "na_allowed": c.na_allowed,
        }
        for c in section.criteria
    ]
    return out
