"""Errors a rule or a use case raises, in the client's terms.

They carry the machine-readable `code` and the offending `field` so a client can
show the message next to the input that caused it. Which HTTP status each one
answers with is the API edge's business (`chalicelib/api/http.py`), not theirs.
"""

from __future__ import annotations


class LaatuError(Exception):
    code = "bad_request"

    def __init__(self, message: str, *, field: str | None = None, code: str | None = None):
        super().__init__(message)
        self.message = message
        self.field = field
        if code is not None:
            self.code = code


class InvalidInput(LaatuError):
    code = "invalid"


class Unauthenticated(LaatuError):
    code = "unauthenticated"


class Forbidden(LaatuError):
    code = "forbidden"


class NotFound(LaatuError):
    code = "not_found"


class Conflict(LaatuError):
    code = "conflict"


class PreconditionFailed(LaatuError):
    code = "precondition_failed"


class PayloadTooLarge(LaatuError):
    code = "payload_too_large"


class UnprocessableIdempotencyKey(LaatuError):
    code = "idempotency_key_reused"


class PreconditionRequired(LaatuError):
    code = "precondition_required"
