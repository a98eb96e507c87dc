"""Routes for coaching reviews (self-evaluation first): start, list, read, and each side."""

from __future__ import annotations

import re
import uuid
from typing import Any

from chalice.app import Blueprint

from chalicelib.api.http import Call, Reply, endpoint
from chalicelib.domain.errors import InvalidInput
from chalicelib.services import reviews
from chalicelib.services.reviews import ReviewStores

blueprint = Blueprint(__name__)

# Review ids are made here as UUIDs: any other id could never exist and is refused.
REVIEW_ID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")


def _stores(call: Call) -> ReviewStores:
    context = call.context
    return ReviewStores(context.reviews, context.evaluations, context.forms, context.settings)


def _review_id(value: str) -> str:
    if REVIEW_ID.fullmatch(value) is None:
        raise InvalidInput(f"'{value}' is not a valid review_id", field="review_id")
    return value


def _headers(review: dict[str, Any]) -> dict[str, str]:
    return {"ETag": f'"{review["version"]}"', "Location": f"/v1/reviews/{review['review_id']}"}


@blueprint.route("/v1/reviews", methods=["POST"])
@endpoint(blueprint)
def start_review(call: Call) -> Reply:
    review = reviews.start(
        _stores(call),
        call.principal,
        call.json_body(),
        review_id=str(uuid.uuid4()),
        now=call.now(),
    )
    return Reply(review, 201, _headers(review))


@blueprint.route("/v1/reviews", methods=["GET"])
@endpoint(blueprint)
def list_reviews(call: Call) -> Reply:
    return Reply(reviews.list_reviews(_stores(call), call.principal, call.query(), call.now()))


@blueprint.route("/v1/reviews/{review_id}", methods=["GET"])
@endpoint(blueprint)
def get_review(call: Call, review_id: str) -> Reply:
    review = reviews.get(_stores(call), call.principal, _review_id(review_id), call.now())
    return Reply(review, headers=_headers(review))


@blueprint.route("/v1/reviews/{review_id}/self", methods=["PUT"])
@endpoint(blueprint)
def submit_self(call: Call, review_id: str) -> Reply:
    review = reviews.submit_self(
        _stores(call),
        call.principal,
        _review_id(review_id),
        call.json_body(),
        if_match=call.header("If-Match"),
        now=call.now(),
    )
    return Reply(review, headers=_headers(review))


@blueprint.route("/v1/reviews/{review_id}/leader", methods=["PUT"])
@endpoint(blueprint)
def submit_leader(call: Call, review_id: str) -> Reply:
    review = reviews.submit_leader(
        _stores(call),
        call.principal,
        _review_id(review_id),
        call.json_body(),
        if_match=call.header("If-Match"),
        now=call.now(),
    )
    return Reply(review, headers=_headers(review))
