"""The caller's email notifications: where to, in which language, on or off."""

from __future__ import annotations

from chalice.app import Blueprint

from chalicelib.api.http import Call, Reply, endpoint
from chalicelib.services import notifications

blueprint = Blueprint(__name__)


@blueprint.route("/v1/me/notifications", methods=["GET"])
@endpoint(blueprint)
def get_notifications(call: Call) -> Reply:
    return Reply(notifications.get_preference(call.context.notifications, call.principal))


@blueprint.route("/v1/me/notifications", methods=["PUT"])
@endpoint(blueprint)
def put_notifications(call: Call) -> Reply:
    saved = notifications.put_preference(
        call.context.notifications, call.principal, call.json_body(), call.now()
    )
    return Reply(saved)
