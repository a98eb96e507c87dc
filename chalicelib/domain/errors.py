"""Errors a rule or a use case raises; the API maps each to one HTTP status.

They carry the machine-readable `code` and the offending `field` so a client can
show the message next to the input that caused it.
"""

from __future__ import annotations


class LaatuError(Exception):
    status = 400
    code = "bad_request"

    def __init__(self, message: str, *, field: str | None = None, code: str | None = None):
        super().__init__(message)
        self.message = message
        self.field = field
        if code is not None:
            self.code = code


class InvalidInput(LaatuError):
    status = 400
    code = "invalid"


class Unauthenticated(LaatuError):
    status = 401
    code = "unauthenticated"


class Forbidden(LaatuError):
    status = 403
    code = "forbidden"


class NotFound(LaatuError):
    status = 404
    code = "not_found"


class Conflict(LaatuError):
    status = 409
    code = "conflict"


class PreconditionFailed(LaatuError):
    status = 412
    code = "precondition_failed"


class PayloadTooLarge(LaatuError):
    status = 413
    code = "payload_too_large"


class UnprocessableIdempotencyKey(LaatuError):
    status = 422
    code = "idempotency_key_reused"


class PreconditionRequired(LaatuError):
    status = 428
    code = "precondition_required"
