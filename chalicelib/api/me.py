"""Who the caller is, as the verified token says: the web site shows it."""

from __future__ import annotations

from chalice.app import Blueprint

from chalicelib.api.http import Call, Reply, endpoint

blueprint = Blueprint(__name__)


@blueprint.route("/v1/me", methods=["GET"])
@endpoint(blueprint)
def me(call: Call) -> Reply:
    principal = call.principal
    return Reply(
        {
            "user": principal.user,
            "tenant": principal.tenant,
            "roles": sorted(principal.roles),
            "agent_id": principal.agent_id,
        }
    )
