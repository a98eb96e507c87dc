"""Routes for monitoring forms."""

from __future__ import annotations

from typing import Any

from chalice.app import Blueprint

from chalicelib.adapters.form_store import FormRecord, VersionRecord
from chalicelib.api.http import Call, Reply, endpoint, path_int
from chalicelib.domain import permissions
from chalicelib.domain.periods import to_utc_iso
from chalicelib.services import forms

blueprint = Blueprint(__name__)


def _form(record: FormRecord, published: VersionRecord | None, show_draft: bool) -> dict[str, Any]:
    return {
        "form_id": record.form_id,
        "name": record.name,
        "latest_version": record.latest_version,
        "created_at": record.created_at,
        "updated_at": record.updated_at,
        "updated_by": record.updated_by,
        "etag": record.etag,
        "draft": record.definition if show_draft else None,
        "published": None if published is None else published.definition,
    }


def _version(record: VersionRecord) -> dict[str, Any]:
    return {
        "form_id": record.form_id,
        "version": record.version,
        "published_at": record.published_at,
        "published_by": record.published_by,
        "definition": record.definition,
    }


@blueprint.route("/v1/forms", methods=["POST"])
@endpoint(blueprint)
def create_form(call: Call) -> Reply:
    record = forms.create(
        call.context.forms,
        call.context.settings,
        call.principal,
        call.json_body(),
        to_utc_iso(call.now()),
    )
    return Reply(
        _form(record, None, True),
        201,
        {"ETag": record.etag, "Location": f"/v1/forms/{record.form_id}"},
    )


@blueprint.route("/v1/forms", methods=["GET"])
@endpoint(blueprint)
def list_forms(call: Call) -> Reply:
    items = [
        {
            "form_id": r.form_id,
            "name": r.name,
            "latest_version": r.latest_version,
            "updated_at": r.updated_at,
        }
        for r in forms.list_forms(call.context.forms, call.principal)
    ]
    return Reply({"items": items})


@blueprint.route("/v1/forms/{form_id}", methods=["GET"])
@endpoint(blueprint)
def get_form(call: Call, form_id: str) -> Reply:
    record, published = forms.get(call.context.forms, call.principal, form_id)
    show_draft = permissions.allows(call.principal, "form.read_draft")
    return Reply(_form(record, published, show_draft), headers={"ETag": record.etag})


@blueprint.route("/v1/forms/{form_id}", methods=["PUT"])
@endpoint(blueprint)
def update_form(call: Call, form_id: str) -> Reply:
    record, published = forms.update(
        call.context.forms,
        call.principal,
        form_id,
        call.json_body(),
        call.header("If-Match"),
        to_utc_iso(call.now()),
    )
    return Reply(_form(record, published, True), headers={"ETag": record.etag})


@blueprint.route("/v1/forms/{form_id}/publish", methods=["POST"])
@endpoint(blueprint)
def publish_form(call: Call, form_id: str) -> Reply:
    version, created = forms.publish(
        call.context.forms, call.principal, form_id, to_utc_iso(call.now())
    )
    location = f"/v1/forms/{form_id}/versions/{version.version}"
    return Reply(_version(version), 201 if created else 200, {"Location": location})


@blueprint.route("/v1/forms/{form_id}/versions", methods=["GET"])
@endpoint(blueprint)
def list_versions(call: Call, form_id: str) -> Reply:
    items = [
        {"version": v.version, "published_at": v.published_at, "published_by": v.published_by}
        for v in forms.list_versions(call.context.forms, call.principal, form_id)
    ]
    return Reply({"items": items})


@blueprint.route("/v1/forms/{form_id}/versions/{version}", methods=["GET"])
@endpoint(blueprint)
def get_version(call: Call, form_id: str, version: str) -> Reply:
    record = forms.get_version(
        call.context.forms, call.principal, form_id, path_int(version, "version")
    )
    return Reply(_version(record))
