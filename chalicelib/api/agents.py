"""Routes about agents: the period summary that scoring on write keeps current."""

from __future__ import annotations

from chalice.app import Blueprint

from chalicelib.api.http import Call, Reply, endpoint
from chalicelib.services.summaries import agent_summary

blueprint = Blueprint(__name__)


@blueprint.route("/v1/agents/{agent_id}/summary", methods=["GET"])
@endpoint(blueprint)
def summary(call: Call, agent_id: str) -> Reply:
    return Reply(
        agent_summary(call.context.aggregates, call.principal, agent_id, call.query().get("period"))
    )
