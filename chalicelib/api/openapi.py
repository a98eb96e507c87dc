"""GET /v1/openapi.json: the API's OpenAPI 3.1 document, the one route without auth.

The document is hand-maintained in chalicelib/schemas/openapi.json; it is read and
re-serialised compactly once per process, so a broken file fails the first request
loudly instead of serving invalid JSON.
"""

from __future__ import annotations

import json
from functools import cache
from importlib import resources

from chalice.app import Blueprint, Response

blueprint = Blueprint(__name__)

DOCUMENT_PACKAGE = "chalicelib.schemas"
DOCUMENT_NAME = "openapi.json"


@cache
def document_body() -> str:
    """The document as compact JSON text, loaded on first use and then kept."""
    text = resources.files(DOCUMENT_PACKAGE).joinpath(DOCUMENT_NAME).read_text("utf-8")
    return json.dumps(json.loads(text), ensure_ascii=False, separators=(",", ":"))


@blueprint.route("/v1/openapi.json", methods=["GET"])
def openapi_document() -> Response:
    return Response(
        body=document_body(),
        status_code=200,
        headers={"Content-Type": "application/json"},
    )
