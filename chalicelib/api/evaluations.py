"""Routes for evaluations: submit, amend, read, list, history."""

from __future__ import annotations

import uuid

from chalice.app import Blueprint

from chalicelib.adapters.evaluation_store import EvaluationStore
from chalicelib.api.forms import store as form_store
from chalicelib.api.http import Call, Reply, endpoint, path_int, utcnow
from chalicelib.api.settings import store as settings_store
from chalicelib.domain.evaluations import present
from chalicelib.services import evaluations
from chalicelib.services.tenant_settings import StoredRoster

blueprint = Blueprint(__name__)
store = EvaluationStore()


def _headers(document: dict[str, object]) -> dict[str, str]:
    return {
        "ETag": f'"{document["revision"]}"',
        "Location": f"/v1/evaluations/{document['evaluation_id']}",
    }


@blueprint.route("/v1/evaluations", methods=["POST"])
@endpoint(blueprint)
def submit(call: Call) -> Reply:
    document, created = evaluations.submit(
        store,
        form_store,
        StoredRoster(settings_store, call.principal.tenant),
        call.principal,
        call.json_body(),
        idempotency_key=call.header("Idempotency-Key"),
        evaluation_id=str(uuid.uuid4()),
        now=utcnow(),
    )
    headers = _headers(document)
    if not created:
        headers["Idempotent-Replayed"] = "true"
    return Reply(present(document), 201, headers)


@blueprint.route("/v1/evaluations", methods=["GET"])
@endpoint(blueprint)
def list_evaluations(call: Call) -> Reply:
    page = evaluations.list_evaluations(store, call.principal, call.query())
    return Reply({"items": [present(d) for d in page.documents], "next_cursor": page.next_cursor})


@blueprint.route("/v1/evaluations/{evaluation_id}", methods=["GET"])
@endpoint(blueprint)
def get_evaluation(call: Call, evaluation_id: str) -> Reply:
    document = evaluations.get(store, call.principal, evaluation_id)
    return Reply(present(document), headers=_headers(document))


@blueprint.route("/v1/evaluations/{evaluation_id}", methods=["PUT"])
@endpoint(blueprint)
def amend_evaluation(call: Call, evaluation_id: str) -> Reply:
    document = evaluations.amend(
        store,
        form_store,
        StoredRoster(settings_store, call.principal.tenant),
        call.principal,
        evaluation_id,
        call.json_body(),
        if_match=call.header("If-Match"),
        now=utcnow(),
    )
    return Reply(present(document), headers=_headers(document))


@blueprint.route("/v1/evaluations/{evaluation_id}/revisions", methods=["GET"])
@endpoint(blueprint)
def list_revisions(call: Call, evaluation_id: str) -> Reply:
    documents = evaluations.revisions(store, call.principal, evaluation_id)
    return Reply({"items": [present(d) for d in documents]})


@blueprint.route("/v1/evaluations/{evaluation_id}/revisions/{revision}", methods=["GET"])
@endpoint(blueprint)
def get_revision(call: Call, evaluation_id: str, revision: str) -> Reply:
    document = evaluations.revision(
        store, call.principal, evaluation_id, path_int(revision, "revision")
    )
    return Reply(present(document), headers={"ETag": f'"{document["revision"]}"'})
