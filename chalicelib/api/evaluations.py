"""Routes for evaluations: submit, amend, read, list, history."""

from __future__ import annotations

import uuid

from chalice.app import Blueprint

from chalicelib.api.http import Call, Reply, endpoint, path_int
from chalicelib.domain.evaluation import Evaluation
from chalicelib.domain.evaluations import present
from chalicelib.services import evaluations

blueprint = Blueprint(__name__)


def _headers(evaluation: Evaluation) -> dict[str, str]:
    return {
        "ETag": f'"{evaluation.revision}"',
        "Location": f"/v1/evaluations/{evaluation.evaluation_id}",
    }


@blueprint.route("/v1/evaluations", methods=["POST"])
@endpoint(blueprint)
def submit(call: Call) -> Reply:
    evaluation, created = evaluations.submit(
        call.context.evaluations,
        call.context.forms,
        call.context.roster(call.principal.tenant),
        call.principal,
        call.json_body(),
        idempotency_key=call.header("Idempotency-Key"),
        evaluation_id=str(uuid.uuid4()),
        now=call.now(),
    )
    headers = _headers(evaluation)
    if not created:
        headers["Idempotent-Replayed"] = "true"
    return Reply(present(evaluation), 201, headers)


@blueprint.route("/v1/evaluations", methods=["GET"])
@endpoint(blueprint)
def list_evaluations(call: Call) -> Reply:
    page = evaluations.list_evaluations(call.context.evaluations, call.principal, call.query())
    return Reply({"items": [present(e) for e in page.evaluations], "next_cursor": page.next_cursor})


@blueprint.route("/v1/evaluations/{evaluation_id}", methods=["GET"])
@endpoint(blueprint)
def get_evaluation(call: Call, evaluation_id: str) -> Reply:
    evaluation = evaluations.get(call.context.evaluations, call.principal, evaluation_id)
    return Reply(present(evaluation), headers=_headers(evaluation))


@blueprint.route("/v1/evaluations/{evaluation_id}", methods=["PUT"])
@endpoint(blueprint)
def amend_evaluation(call: Call, evaluation_id: str) -> Reply:
    evaluation = evaluations.amend(
        call.context.evaluations,
        call.context.forms,
        call.context.roster(call.principal.tenant),
        call.principal,
        evaluation_id,
        call.json_body(),
        if_match=call.header("If-Match"),
        now=call.now(),
    )
    return Reply(present(evaluation), headers=_headers(evaluation))


@blueprint.route("/v1/evaluations/{evaluation_id}/revisions", methods=["GET"])
@endpoint(blueprint)
def list_revisions(call: Call, evaluation_id: str) -> Reply:
    history = evaluations.revisions(call.context.evaluations, call.principal, evaluation_id)
    return Reply({"items": [present(e) for e in history]})


@blueprint.route("/v1/evaluations/{evaluation_id}/revisions/{revision}", methods=["GET"])
@endpoint(blueprint)
def get_revision(call: Call, evaluation_id: str, revision: str) -> Reply:
    found = evaluations.revision(
        call.context.evaluations, call.principal, evaluation_id, path_int(revision, "revision")
    )
    return Reply(present(found), headers={"ETag": f'"{found.revision}"'})
