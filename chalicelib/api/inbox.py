"""The caller's inbox: what needs their action, with deadlines and links."""

from __future__ import annotations

from chalice.app import Blueprint

from chalicelib.adapters.inbox_reads import OpenDisputes
from chalicelib.api.http import Call, Reply, endpoint
from chalicelib.domain.errors import InvalidInput
from chalicelib.services import inbox

blueprint = Blueprint(__name__)


@blueprint.route("/v1/inbox", methods=["GET"])
@endpoint(blueprint)
def get_inbox(call: Call) -> Reply:
    context = call.context
    sources = inbox.InboxSources(
        todos=context.todos,
        evaluations=context.evaluations,
        disputes=OpenDisputes(),
        teams=context.settings,
    )
    view = call.query().get("view", "items")
    if view not in ("items", "counts"):
        raise InvalidInput("view is items or counts", field="view")
    found = inbox.read(sources, call.principal, call.now())
    return Reply(found.totals() if view == "counts" else found.to_dict())
