"""The HTTP edge shared by every route: authenticate, parse, answer in one error shape.

Handlers stay thin: `@endpoint(bp)` gives a view the verified principal and the
request; whatever `LaatuError` a service raises becomes
`{"error": code, "message": ..., "field": ...}` with its status, and anything
unexpected becomes a plain 500 without a stack trace.
"""

from __future__ import annotations

import functools
import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from chalice.app import Blueprint, Response

from chalicelib import jsoncodec, schemas
from chalicelib.adapters.tokens import TokenVerifier, verifier_for
from chalicelib.bootstrap import Context
from chalicelib.domain.errors import (
    Conflict,
    Forbidden,
    InvalidInput,
    LaatuError,
    NotFound,
    PayloadTooLarge,
    PreconditionFailed,
    PreconditionRequired,
    Unauthenticated,
    UnprocessableIdempotencyKey,
)
from chalicelib.domain.principal import Principal
from chalicelib.domain.text import check_document, check_text, parse_whole

MAX_BODY_BYTES = 256 * 1024
JSON_HEADERS = {
    "Content-Type": "application/json; charset=utf-8",
    "Cache-Control": "no-store",
    "X-Content-Type-Options": "nosniff",
}

XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
# Bodies Chalice sends base64 (functions/app.py registers them as the API's binary
# media types); any other file body must be text, which goes out as UTF-8.
BINARY_TYPES = (XLSX_TYPE,)
FILE_HEADERS = {"Cache-Control": "no-store", "X-Content-Type-Options": "nosniff"}

log = logging.getLogger("laatu.api")


_context: Context | None = None


def use(context: Context) -> None:
    """The composition root's context for every route (functions/app.py calls this)."""
    global _context
    _context = context
    _verifier.cache_clear()


def current() -> Context:
    if _context is None:
        raise RuntimeError("no context: functions/app.py calls http.use(bootstrap())")
    return _context


@functools.cache
def _verifier() -> TokenVerifier:
    return verifier_for(current().config)


@dataclass(frozen=True)
class Reply:
    body: Any
    status: int = 200
    headers: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class Call:
    principal: Principal
    request: Any  # chalice.app.Request
    context: Context

    def now(self) -> datetime:
        return self.context.now()

    def header(self, name: str) -> str | None:
        value = self.request.headers.get(name.lower())
        if value is None:
            return None
        check_text(str(value), name)
        return str(value)

    def query(self) -> dict[str, str]:
        params = {str(k): str(v) for k, v in (self.request.query_params or {}).items()}
        for name, value in params.items():
            check_text(name, "query")
            check_text(value, name)
        return params

    def json_body(self) -> Any:
        raw: bytes = self.request.raw_body or b""
        if len(raw) > MAX_BODY_BYTES:
            raise PayloadTooLarge(f"the body is larger than {MAX_BODY_BYTES // 1024} KB")
        if not raw.strip():
            raise InvalidInput("a JSON body is required", code="body_required")
        try:
            document = jsoncodec.loads_request(raw)
        except (ValueError, UnicodeDecodeError) as exc:
            raise InvalidInput(
                f"the body is not valid JSON: {exc}", code="malformed_json"
            ) from None
        check_document(document)
        return document


def authenticate(request: Any) -> Principal:
    header = request.headers.get("authorization") or ""
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise Unauthenticated("send Authorization: Bearer <token>")
    return _verifier().verify(token.strip())


def json_response(body: Any, status: int = 200, headers: dict[str, str] | None = None) -> Response:
    text = jsoncodec.dumps(body)
    if not text.isascii():
        try:
            text.encode("utf-8")
        except UnicodeEncodeError:
            # Text that cannot be UTF-8 (an unpaired surrogate echoed in a message)
            # still answers, as \u escapes, rather than failing the response.
            text = jsoncodec.dumps(body, ascii_only=True)
    return Response(body=text, status_code=status, headers={**JSON_HEADERS, **(headers or {})})


def file_response(
    body: bytes, status: int = 200, headers: dict[str, str] | None = None
) -> Response:
    """A file (a Reply whose body is bytes): text types as str, binary types as bytes."""
    all_headers: dict[str, str | list[str]] = {**FILE_HEADERS, **(headers or {})}
    kind = next((str(v) for k, v in all_headers.items() if k.lower() == "content-type"), "")
    media_type = kind.split(";", 1)[0].strip().lower()
    if media_type.startswith("text/"):
        # A Lambda proxy answer is JSON, which cannot carry bytes.
        return Response(body=body.decode("utf-8"), status_code=status, headers=all_headers)
    if media_type not in BINARY_TYPES:
        raise ValueError(f"{kind or 'no Content-Type'} is neither text nor in BINARY_TYPES")
    return Response(body=body, status_code=status, headers=all_headers)


# The HTTP status of each domain error; a subclass answers as its nearest listed base.
STATUSES: dict[type[LaatuError], int] = {
    LaatuError: 400,
    InvalidInput: 400,
    Unauthenticated: 401,
    Forbidden: 403,
    NotFound: 404,
    Conflict: 409,
    PreconditionFailed: 412,
    PayloadTooLarge: 413,
    UnprocessableIdempotencyKey: 422,
    PreconditionRequired: 428,
}


def status_of(error: LaatuError) -> int:
    return next(STATUSES[kind] for kind in type(error).__mro__ if kind in STATUSES)


def error_response(error: LaatuError) -> Response:
    headers = {"WWW-Authenticate": "Bearer"} if isinstance(error, Unauthenticated) else {}
    return json_response(
        {"error": error.code, "message": error.message, "field": error.field},
        status_of(error),
        headers,
    )


View = Callable[..., Reply]
RawView = Callable[..., Response]


def endpoint(blueprint: Blueprint) -> Callable[[View], Callable[..., Response]]:
    def decorate(view: View) -> Callable[..., Response]:
        def answer(call: Call, **path: str) -> Response:
            reply = view(call, **path)
            if isinstance(reply.body, bytes):
                return file_response(reply.body, reply.status, reply.headers)
            return json_response(reply.body, reply.status, reply.headers)

        return functools.wraps(view)(_guarded(blueprint, answer))

    return decorate


def raw_endpoint(blueprint: Blueprint) -> Callable[[RawView], RawView]:
    """Like `endpoint`, for a view that answers something other than JSON (a CSV file)."""

    def decorate(view: RawView) -> RawView:
        return functools.wraps(view)(_guarded(blueprint, view))

    return decorate


def _guarded(blueprint: Blueprint, view: RawView) -> RawView:
    """Authenticate, call, and turn any error into Laatu's error shape (never a trace)."""

    def handle(**path: str) -> Response:
        request = blueprint.current_request
        try:
            principal = authenticate(request)
            for name, value in path.items():
                check_path_parameter(name, value)
            return view(Call(principal, request, current()), **path)
        except LaatuError as error:
            return error_response(error)
        except Exception:
            log.exception("unhandled error on %s %s", request.method, request.path)
            return json_response(
                {"error": "internal", "message": "an internal error occurred", "field": None},
                500,
            )

    return handle


# Versions and revisions are numbered from 1 and stored as zero-padded six digits.
MAX_NUMBER = 999_999


# Ids in a path are held to the pattern of the schema that defines them, so an id
# that could never exist is refused rather than looked up or echoed back.
PATH_IDS = {
    "agent_id": ("evaluation", "#/$defs/agent_id"),
    "form_id": ("form", "#/$defs/slug"),
    "team_id": ("team", "#/$defs/team_id"),
}


def check_path_parameter(name: str, value: str) -> None:
    check_text(value, name)
    if name in PATH_IDS and not schemas.matches(*PATH_IDS[name], value):
        raise InvalidInput(f"'{value}' is not a valid {name}", field=name)


def path_int(value: str, field: str) -> int:
    return parse_whole(value, field, 1, MAX_NUMBER)


def chalice_error_code(name: str) -> str:
    """`UnsupportedMediaType` -> `unsupported_media_type`."""
    return "".join(f"_{c.lower()}" if c.isupper() else c for c in name).lstrip("_")


def uniform_errors(event: Any, get_response: Callable[[Any], Response]) -> Response:
    """Middleware: Chalice's own refusals (405, 415, ...) answer in Laatu's error shape too."""
    response = get_response(event)
    body = response.body
    if response.status_code >= 400 and isinstance(body, dict) and {"Code", "Message"} <= set(body):
        return json_response(
            {
                "error": chalice_error_code(str(body["Code"])),
                "message": body["Message"],
                "field": None,
            },
            response.status_code,
            {k: str(v) for k, v in response.headers.items() if k.lower() == "allow"},
        )
    return response
