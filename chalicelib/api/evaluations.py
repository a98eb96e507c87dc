"""Routes for evaluations: submit, amend, read, list, history."""

from __future__ import annotations

import uuid

from chalice.app import Blueprint

from chalicelib.api.http import Call, Reply, endpoint, path_int
from chalicelib.domain.evaluations import present
from chalicelib.services import evaluations

blueprint = Blueprint(__name__)


def _headers(document: dict[str, object]) -> dict[str, str]:
    return {
        "ETag": f'"{document["revision"]}"',
        "Location": f"/v1/evaluations/{document['evaluation_id']}",
    }


@blueprint.route("/v1/evaluations", methods=["POST"])
@endpoint(blueprint)
def submit(call: Call) -> Reply:
    document, created = evaluations.submit(
        call.context.evaluations,
        call.context.forms,
        call.context.roster(call.principal.tenant),
        call.principal,
        call.json_body(),
        idempotency_key=call.header("Idempotency-Key"),
        evaluation_id=str(uuid.uuid4()),
        now=call.now(),
    )
    headers = _headers(document)
    if not created:
        headers["Idempotent-Replayed"] = "true"
    return Reply(present(document), 201, headers)


@blueprint.route("/v1/evaluations", methods=["GET"])
@endpoint(blueprint)
def list_evaluations(call: Call) -> Reply:
    page = evaluations.list_evaluations(call.context.evaluations, call.principal, call.query())
    return Reply({"items": [present(d) for d in page.documents], "next_cursor": page.next_cursor})


@blueprint.route("/v1/evaluations/{evaluation_id}", methods=["GET"])
@endpoint(blueprint)
def get_evaluation(call: Call, evaluation_id: str) -> Reply:
    document = evaluations.get(call.context.evaluations, call.principal, evaluation_id)
    return Reply(present(document), headers=_headers(document))


@blueprint.route("/v1/evaluations/{evaluation_id}", methods=["PUT"])
@endpoint(blueprint)
def amend_evaluation(call: Call, evaluation_id: str) -> Reply:
    document = evaluations.amend(
        call.context.evaluations,
        call.context.forms,
        call.context.roster(call.principal.tenant),
        call.principal,
        evaluation_id,
        call.json_body(),
        if_match=call.header("If-Match"),
        now=call.now(),
    )
    return Reply(present(document), headers=_headers(document))


@blueprint.route("/v1/evaluations/{evaluation_id}/revisions", methods=["GET"])
@endpoint(blueprint)
def list_revisions(call: Call, evaluation_id: str) -> Reply:
    documents = evaluations.revisions(call.context.evaluations, call.principal, evaluation_id)
    return Reply({"items": [present(d) for d in documents]})


@blueprint.route("/v1/evaluations/{evaluation_id}/revisions/{revision}", methods=["GET"])
@endpoint(blueprint)
def get_revision(call: Call, evaluation_id: str, revision: str) -> Reply:
    document = evaluations.revision(
        call.context.evaluations, call.principal, evaluation_id, path_int(revision, "revision")
    )
    return Reply(present(document), headers={"ETag": f'"{document["revision"]}"'})
