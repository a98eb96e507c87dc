"""Routes for disputes: open one on an evaluation, list and read them, take one into
review, decide it (an upheld one amends the evaluation), withdraw it."""

from __future__ import annotations

import uuid

from chalice.app import Blueprint

from chalicelib.api.http import Call, Reply, endpoint
from chalicelib.domain.disputes import Dispute
from chalicelib.domain.errors import InvalidInput
from chalicelib.services import disputes
from chalicelib.services.disputes import DisputeStores

blueprint = Blueprint(__name__)


def _stores(call: Call) -> DisputeStores:
    context = call.context
    return DisputeStores(
        disputes=context.disputes,
        evaluations=context.evaluations,
        forms=context.forms,
        teams=context.settings,
        ledger=context.aggregates,
    )


def _dispute_id(value: str) -> str:
    """Dispute ids are the API's own UUIDs: anything else could never exist (400)."""
    try:
        canonical = str(uuid.UUID(value))
    except ValueError:
        canonical = ""
    if canonical != value:
        raise InvalidInput("this is not a dispute id", field="dispute_id")
    return value


def _reply(dispute: Dispute, status: int = 200) -> Reply:
    headers = {"ETag": f'"{dispute.version}"'}
    if status == 201:
        headers["Location"] = f"/v1/disputes/{dispute.dispute_id}"
    return Reply(disputes.present(dispute), status, headers)


@blueprint.route("/v1/evaluations/{evaluation_id}/disputes", methods=["POST"])
@endpoint(blueprint)
def open_dispute(call: Call, evaluation_id: str) -> Reply:
    dispute = disputes.open_dispute(
        _stores(call),
        call.principal,
        evaluation_id,
        call.json_body(),
        dispute_id=str(uuid.uuid4()),
        now=call.now(),
    )
    return _reply(dispute, 201)


@blueprint.route("/v1/evaluations/{evaluation_id}/disputes", methods=["GET"])
@endpoint(blueprint)
def list_evaluation_disputes(call: Call, evaluation_id: str) -> Reply:
    found = disputes.of_evaluation(_stores(call), call.principal, evaluation_id, call.now())
    return Reply({"items": [disputes.present(d) for d in found]})


@blueprint.route("/v1/disputes", methods=["GET"])
@endpoint(blueprint)
def list_disputes(call: Call) -> Reply:
    found = disputes.list_disputes(_stores(call), call.principal, call.query(), call.now())
    return Reply({"items": [disputes.present(d) for d in found]})


@blueprint.route("/v1/disputes/{dispute_id}", methods=["GET"])
@endpoint(blueprint)
def get_dispute(call: Call, dispute_id: str) -> Reply:
    return _reply(disputes.get(_stores(call), call.principal, _dispute_id(dispute_id), call.now()))


@blueprint.route("/v1/disputes/{dispute_id}/review", methods=["POST"])
@endpoint(blueprint)
def review_dispute(call: Call, dispute_id: str) -> Reply:
    dispute = disputes.take_into_review(
        _stores(call),
        call.principal,
        _dispute_id(dispute_id),
        if_match=call.header("If-Match"),
        now=call.now(),
    )
    return _reply(dispute)


@blueprint.route("/v1/disputes/{dispute_id}/decision", methods=["POST"])
@endpoint(blueprint)
def decide_dispute(call: Call, dispute_id: str) -> Reply:
    dispute = disputes.decide(
        _stores(call),
        call.context.roster(call.principal.tenant),
        call.principal,
        _dispute_id(dispute_id),
        call.json_body(),
        if_match=call.header("If-Match"),
        now=call.now(),
    )
    return _reply(dispute)


@blueprint.route("/v1/disputes/{dispute_id}/withdrawal", methods=["POST"])
@endpoint(blueprint)
def withdraw_dispute(call: Call, dispute_id: str) -> Reply:
    dispute = disputes.withdraw(
        _stores(call),
        call.principal,
        _dispute_id(dispute_id),
        if_match=call.header("If-Match"),
        now=call.now(),
    )
    return _reply(dispute)
