"""Routes for payroll exports: history and 'run now' for admins, links for payroll."""

from __future__ import annotations

from chalice.app import Blueprint

from chalicelib.api.http import Call, Reply, endpoint
from chalicelib.services import exports

blueprint = Blueprint(__name__)


@blueprint.route("/v1/exports", methods=["GET"])
@endpoint(blueprint)
def list_exports(call: Call) -> Reply:
    return Reply({"items": exports.list_exports(call.context.export_stores, call.principal)})


@blueprint.route("/v1/exports/{period}", methods=["GET"])
@endpoint(blueprint)
def get_export(call: Call, period: str) -> Reply:
    return Reply(exports.download_links(call.context.export_stores, call.principal, period))


@blueprint.route("/v1/exports/{period}/run", methods=["POST"])
@endpoint(blueprint)
def run_export(call: Call, period: str) -> Reply:
    result = exports.run_now(call.context.export_stores, call.principal, period, call.now())
    return Reply(
        {"period": result.period, "outcome": result.outcome, "revision": result.revision},
        202 if result.outcome == "busy" else 200,
    )
