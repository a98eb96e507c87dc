"""The one If-Match rule (chalicelib/domain/preconditions.py) that form drafts and
evaluations share."""

from __future__ import annotations

import pytest

from chalicelib.domain.errors import InvalidInput, PreconditionRequired
from chalicelib.domain.preconditions import required_version


def test_no_if_match_is_a_precondition_required() -> None:
    with pytest.raises(PreconditionRequired) as caught:
        required_version(None, "the draft you are changing")
    assert caught.value.field == "If-Match"
    assert "the draft you are changing" in caught.value.message


@pytest.mark.parametrize(
    ("value", "version"),
    [('"3"', 3), ('W/"3"', 3), (' "12" ', 12), ('"0"', 0), (f'"{"9" * 18}"', int("9" * 18))],
)
def test_one_etag_names_its_version(value: str, version: int) -> None:
    assert required_version(value, "it") == version


@pytest.mark.parametrize(
    "value",
    ["*", "3", '"3', "W/3", '"1", "2"', '"-1"', '"²"', '""', "", f'"{"9" * 19}"', 'w/"3"'],
)
def test_anything_but_one_etag_is_refused(value: str) -> None:
    with pytest.raises(InvalidInput) as caught:
        required_version(value, "it")
    assert caught.value.field == "If-Match"
