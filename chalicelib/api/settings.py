"""Routes for tenant settings and the agent roster."""

from __future__ import annotations

from chalice.app import Blueprint

from chalicelib.api.http import Call, Reply, endpoint
from chalicelib.services import tenant_settings

blueprint = Blueprint(__name__)


@blueprint.route("/v1/settings", methods=["GET"])
@endpoint(blueprint)
def get_settings(call: Call) -> Reply:
    return Reply(tenant_settings.view(call.context.settings, call.principal, call.now()))


@blueprint.route("/v1/settings", methods=["PUT"])
@endpoint(blueprint)
def put_settings(call: Call) -> Reply:
    context = call.context
    revision = tenant_settings.update(
        context.settings, context.exports, call.principal, call.json_body(), call.now()
    )
    return Reply(revision)


@blueprint.route("/v1/agents", methods=["GET"])
@endpoint(blueprint)
def list_agents(call: Call) -> Reply:
    agents = tenant_settings.list_agents(call.context.settings, call.principal, call.now())
    return Reply({"items": [tenant_settings.agent_view(agent) for agent in agents]})


@blueprint.route("/v1/agents/{agent_id}", methods=["GET"])
@endpoint(blueprint)
def get_agent(call: Call, agent_id: str) -> Reply:
    agent = tenant_settings.get_agent(call.context.settings, call.principal, agent_id, call.now())
    return Reply(tenant_settings.agent_view(agent))


@blueprint.route("/v1/agents/{agent_id}", methods=["PUT"])
@endpoint(blueprint)
def put_agent(call: Call, agent_id: str) -> Reply:
    agent = tenant_settings.put_agent(
        call.context.settings, call.principal, agent_id, call.json_body(), call.now()
    )
    return Reply(tenant_settings.agent_view(agent))
