"""The evaluation's storage boundary: `Evaluation.to_dict` / `from_dict`.

tests/unit/data/stored_evaluations.jsonl holds documents exactly as the code before
the type wrote them (jsoncodec.dumps of the dict it built): plain, every optional
contact field in a client's own order, comments and non-ASCII text, self, weighted,
repeating decimals, critical fails, not scorable, an API amendment, and imported
revisions with their `source`. They must read and be written back byte for byte.
"""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from chalicelib import jsoncodec
from chalicelib.domain.evaluation import (
    CONTACT_FIELDS,
    Contact,
    Evaluation,
    SectionResult,
    Source,
    StoredScore,
)
from chalicelib.domain.evaluations import present
from tests.unit.strategies import PROPERTY

DATA = Path(__file__).parent / "data"
STORED = (DATA / "stored_evaluations.jsonl").read_text("utf-8").splitlines()
# What the API showed of each, from the dict-based `present` before the type.
PRESENTED = (DATA / "presented_evaluations.jsonl").read_text("utf-8").splitlines()


@pytest.mark.parametrize("line", STORED, ids=[f"document-{i}" for i in range(len(STORED))])
def test_a_stored_document_is_written_back_byte_for_byte(line: str) -> None:
    evaluation = Evaluation.from_dict(jsoncodec.loads(line))

    assert jsoncodec.dumps(evaluation.to_dict()) == line
    assert Evaluation.from_dict(evaluation.to_dict()) == evaluation


@pytest.mark.parametrize(
    ("line", "shown"),
    list(zip(STORED, PRESENTED, strict=True)),
    ids=[f"document-{i}" for i in range(len(STORED))],
)
def test_the_api_view_of_a_stored_document_is_what_it_was(line: str, shown: str) -> None:
    assert jsoncodec.dumps(present(Evaluation.from_dict(jsoncodec.loads(line)))) == shown


def test_the_table_covers_the_shapes_it_claims() -> None:
    evaluations = [Evaluation.from_dict(jsoncodec.loads(line)) for line in STORED]
    assert any(e.source is not None and e.revision > 1 for e in evaluations)
    assert any(e.source is None and e.revision > 1 for e in evaluations)
    assert any(e.contact.order != CONTACT_FIELDS[:3] for e in evaluations)
    assert any(e.contact.duration_s == 0 and e.contact.recording_url for e in evaluations)
    assert any(not e.score.scorable for e in evaluations)
    assert any(e.score.failed_critical for e in evaluations)
    assert any(e.comments for e in evaluations)


def test_the_score_reads_as_the_exact_stored_decimal() -> None:
    evaluation = Evaluation.from_dict(jsoncodec.loads(STORED[3]))
    assert evaluation.score.overall == Decimal("33.33333333333333333333")
    assert evaluation.score.sections[1].score is None


def test_an_older_exponent_zero_reads_as_zero_and_is_written_positionally() -> None:
    # The first days' documents wrote str(Decimal): a zero score as "0E-20".
    document = jsoncodec.loads(STORED[2])
    document["score"]["overall"] = "0E-20"
    document["score"]["sections"][0]["score"] = "0E-20"

    evaluation = Evaluation.from_dict(document)

    assert evaluation.score.overall == 0
    assert evaluation.score.scorable
    assert evaluation.to_dict()["score"]["overall"] == "0.00000000000000000000"
    assert evaluation.to_dict()["score"]["sections"][0]["score"] == "0.00000000000000000000"


def test_a_document_without_source_has_none() -> None:
    document = jsoncodec.loads(STORED[0])
    assert "source" not in document
    evaluation = Evaluation.from_dict(document)
    assert evaluation.source is None
    assert "source" not in evaluation.to_dict()


def _changed(line: str, path: tuple[str, ...], value: Any) -> dict[str, Any]:
    document: dict[str, Any] = jsoncodec.loads(line)
    target = document
    for key in path[:-1]:
        target = target[key]
    if value is _DELETE:
        del target[path[-1]]
    else:
        target[path[-1]] = value
    return document


_DELETE = object()


@pytest.mark.parametrize(
    ("path", "value", "error"),
    [
        (("revision",), _DELETE, KeyError),
        (("contact", "occurred_at_utc"), _DELETE, KeyError),
        (("revision",), "1", TypeError),
        (("revision",), True, TypeError),
        (("agent_id",), 7, TypeError),
        (("answers",), ["yes"], TypeError),
        (("answers", "kiitos"), 1, TypeError),
        (("score", "overall"), 80, TypeError),
        (("contact",), "phone", TypeError),
        (("contact", "colour"), "red", ValueError),
        (("extra",), 1, ValueError),
        (("source",), {"import_id": "i"}, KeyError),
    ],
)
def test_a_malformed_document_is_refused_not_misread(
    path: tuple[str, ...], value: Any, error: type[Exception]
) -> None:
    with pytest.raises(error):
        Evaluation.from_dict(_changed(STORED[1], path, value))


def test_decimal_errors_are_value_errors_for_the_stream() -> None:
    # The stream quarantines ValueError; decimal's InvalidOperation alone is not one.
    with pytest.raises(ValueError, match="a stored score is a number"):
        Evaluation.from_dict(_changed(STORED[1], ("score", "overall"), "eighty"))


# --- any evaluation ----------------------------------------------------------------------

_text = st.text(st.characters(exclude_categories=["Cs"]), max_size=12)
_ids = st.text("abcxyz019-_", min_size=1, max_size=8)
_points = st.integers(0, 500)
_stored = st.one_of(st.none(), st.integers(0, 100 * 10**20).map(lambda n: Decimal(n).scaleb(-20)))


@st.composite
def contacts(draw: st.DrawFn) -> Contact:
    optional = draw(st.sets(st.sampled_from(CONTACT_FIELDS[3:])))
    names = [name for name in CONTACT_FIELDS if name in optional or name in CONTACT_FIELDS[:3]]
    return Contact(
        channel=draw(st.sampled_from(["phone", "email", "chat", "social"])),
        id=draw(_text.filter(bool)),
        occurred_at=draw(_text),
        occurred_at_utc=draw(_text),
        duration_s=draw(st.integers(0, 86400)) if "duration_s" in optional else None,
        recording_url=draw(_text) if "recording_url" in optional else None,
        order=tuple(draw(st.permutations(names))),
    )


scores = st.builds(
    StoredScore,
    overall=_stored,
    failed_critical=st.lists(_ids, max_size=3).map(tuple),
    yes_points=_points,
    applicable_points=_points,
    sections=st.lists(
        st.builds(
            SectionResult, id=_ids, score=_stored, yes_points=_points, applicable_points=_points
        ),
        min_size=1,
        max_size=4,
    ).map(tuple),
)

evaluations = st.builds(
    Evaluation,
    evaluation_id=_ids,
    revision=st.integers(1, 10**6),
    form_id=_ids,
    form_version=st.integers(1, 10**6),
    agent_id=_ids,
    contact=contacts(),
    method=st.sampled_from(["live", "recording", "external", "self"]),
    answers=st.dictionaries(_ids, st.sampled_from(["yes", "no", "na"]), min_size=1),
    comments=st.dictionaries(_ids, _text),
    summary=_text,
    score=scores,
    evaluator=_text,
    created_at=_text,
    revised_by=_text,
    revised_at=_text,
    source=st.one_of(st.none(), st.builds(Source, import_id=_ids, external_id=_text)),
)


@PROPERTY
@given(evaluations)
def test_any_evaluation_survives_storage_unchanged(evaluation: Evaluation) -> None:
    stored = jsoncodec.dumps(evaluation.to_dict())

    back = Evaluation.from_dict(jsoncodec.loads(stored))

    assert back == evaluation
    assert back.contact.order == evaluation.contact.order
    assert jsoncodec.dumps(back.to_dict()) == stored
