"""The API edge gives every domain error one HTTP status (chalicelib/api/http.py)."""

from __future__ import annotations

import inspect

from chalicelib.api.http import STATUSES, error_response, status_of
from chalicelib.domain import errors
from chalicelib.domain.errors import LaatuError


def domain_errors() -> list[type[LaatuError]]:
    return [
        kind
        for _, kind in inspect.getmembers(errors, inspect.isclass)
        if issubclass(kind, LaatuError)
    ]


def test_every_domain_error_has_its_status() -> None:
    expected = {
        "LaatuError": 400,
        "InvalidInput": 400,
        "Unauthenticated": 401,
        "Forbidden": 403,
        "NotFound": 404,
        "Conflict": 409,
        "PreconditionFailed": 412,
        "PayloadTooLarge": 413,
        "UnprocessableIdempotencyKey": 422,
        "PreconditionRequired": 428,
    }
    assert {kind.__name__: status_of(kind("m")) for kind in domain_errors()} == expected
    assert set(STATUSES) == set(domain_errors())


def test_an_error_derived_from_a_domain_error_answers_as_its_base() -> None:
    class StaleDraft(errors.PreconditionFailed):
        pass

    assert status_of(StaleDraft("m")) == 412


def test_the_error_response_carries_the_status_code_and_field() -> None:
    response = error_response(errors.PreconditionRequired("send If-Match", field="If-Match"))
    assert response.status_code == 428
    assert response.body == (
        '{"error":"precondition_required","message":"send If-Match","field":"If-Match"}'
    )
    assert "WWW-Authenticate" not in response.headers
    assert error_response(errors.Unauthenticated("m")).headers["WWW-Authenticate"] == "Bearer"
