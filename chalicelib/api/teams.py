"""Routes for teams: the list, one team, and an admin's create-or-replace."""

from __future__ import annotations

from chalice.app import Blueprint

from chalicelib.api.http import Call, Reply, endpoint
from chalicelib.services import teams

blueprint = Blueprint(__name__)


@blueprint.route("/v1/teams", methods=["GET"])
@endpoint(blueprint)
def list_teams(call: Call) -> Reply:
    found = teams.list_teams(call.context.settings, call.principal)
    return Reply({"items": [teams.team_view(team) for team in found]})


@blueprint.route("/v1/teams/{team_id}", methods=["GET"])
@endpoint(blueprint)
def get_team(call: Call, team_id: str) -> Reply:
    return Reply(teams.team_view(teams.get_team(call.context.settings, call.principal, team_id)))


@blueprint.route("/v1/teams/{team_id}", methods=["PUT"])
@endpoint(blueprint)
def put_team(call: Call, team_id: str) -> Reply:
    team = teams.put_team(
        call.context.settings, call.principal, team_id, call.json_body(), call.now()
    )
    return Reply(teams.team_view(team))
