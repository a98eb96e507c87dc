"""Routes for acknowledgements: an agent acknowledges an evaluation's revision; who
has not, and who is overdue, for their team leaders and QA managers."""

from __future__ import annotations

from chalice.app import Blueprint

from chalicelib.api.http import Call, Reply, endpoint
from chalicelib.services import acknowledgements

blueprint = Blueprint(__name__)


@blueprint.route("/v1/evaluations/{evaluation_id}/acknowledgement", methods=["POST"])
@endpoint(blueprint)
def acknowledge_evaluation(call: Call, evaluation_id: str) -> Reply:
    ack = acknowledgements.acknowledge(
        call.context.evaluations, call.principal, evaluation_id, call.json_body(), call.now()
    )
    return Reply(acknowledgements.ack_view(ack))


@blueprint.route("/v1/evaluations/{evaluation_id}/acknowledgements", methods=["GET"])
@endpoint(blueprint)
def evaluation_acknowledgements(call: Call, evaluation_id: str) -> Reply:
    return Reply(
        acknowledgements.status(
            call.context.evaluations,
            call.context.settings,
            call.principal,
            evaluation_id,
            call.now(),
        )
    )


@blueprint.route("/v1/acknowledgements", methods=["GET"])
@endpoint(blueprint)
def list_acknowledgements(call: Call) -> Reply:
    return Reply(
        acknowledgements.listing(
            call.context.evaluations,
            call.context.settings,
            call.principal,
            call.query(),
            call.now(),
        )
    )
