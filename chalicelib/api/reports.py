"""Report routes: each answers JSON, or the same table as CSV or XLSX (`format=`)."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from chalice.app import Blueprint

from chalicelib.api.downloads import download_format, table_reply
from chalicelib.api.http import Call, Reply, endpoint
from chalicelib.domain import report_tables
from chalicelib.domain.table_files import Table
from chalicelib.services import reports
from chalicelib.services.reports import ReportRequest

blueprint = Blueprint(__name__)

Report = Callable[[ReportRequest, Mapping[str, str]], dict[str, Any]]


def _answer(call: Call, name: str, report: Report, as_table: Callable[[Any], Table]) -> Reply:
    query = call.query()
    fmt, lang = download_format(query)
    context = call.context
    request = ReportRequest(
        call.principal, context.settings, context.report_cells(), context.report_forms(), call.now()
    )
    view = report(request, query)
    if fmt == "json":
        return Reply(view)
    scope = view["scope"]
    label = view["range"]["label"] if "range" in view else view["points"][-1]["label"]
    stem = f"{name} {scope['id'] or scope['kind']} {label}"
    return table_reply(as_table(view), fmt, lang, stem)


@blueprint.route("/v1/reports/compliance", methods=["GET"])
@endpoint(blueprint)
def compliance(call: Call) -> Reply:
    return _answer(call, "compliance", reports.compliance_report, report_tables.compliance_table)


@blueprint.route("/v1/reports/heatmap", methods=["GET"])
@endpoint(blueprint)
def heatmap(call: Call) -> Reply:
    return _answer(call, "heatmap", reports.heatmap_report, report_tables.heatmap_table)


@blueprint.route("/v1/reports/trend", methods=["GET"])
@endpoint(blueprint)
def trend(call: Call) -> Reply:
    return _answer(call, "trend", reports.trend_report, report_tables.trend_table)


@blueprint.route("/v1/reports/breakdown", methods=["GET"])
@endpoint(blueprint)
def breakdown(call: Call) -> Reply:
    return _answer(call, "breakdown", reports.breakdown_report, report_tables.breakdown_table)


@blueprint.route("/v1/reports/suggestions", methods=["GET"])
@endpoint(blueprint)
def suggestions(call: Call) -> Reply:
    return _answer(call, "suggestions", reports.suggestions_report, report_tables.suggestions_table)


@blueprint.route("/v1/reports/leaderboard", methods=["GET"])
@endpoint(blueprint)
def leaderboard(call: Call) -> Reply:
    return _answer(call, "leaderboard", reports.leaderboard_report, report_tables.leaderboard_table)
