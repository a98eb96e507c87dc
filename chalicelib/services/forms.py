"""Form use cases: admins write drafts and publish versions; the whole tenant reads."""

from __future__ import annotations

from typing import Any

from chalicelib import schemas
from chalicelib.adapters.form_store import FormRecord, VersionRecord
from chalicelib.domain import permissions
from chalicelib.domain.errors import (
    Conflict,
    InvalidInput,
    NotFound,
    PreconditionFailed,
    PreconditionRequired,
)
from chalicelib.domain.forms import form_to_dict, parse_form
from chalicelib.domain.preconditions import required_version
from chalicelib.domain.principal import Principal
from chalicelib.domain.storage_errors import AlreadyExists, StaleVersion
from chalicelib.services.ports import (
    FormCreates,
    FormDrafts,
    FormEdits,
    FormListing,
    FormPublishing,
    FormVersionListing,
    FormVersions,
    TenantRegistry,
)


def _definition(body: Any) -> dict[str, Any]:
    schemas.validate("form", body)
    return form_to_dict(parse_form(body))


def create(
    store: FormCreates, tenants: TenantRegistry, principal: Principal, body: Any, now: str
) -> FormRecord:
    permissions.require(principal, "form.write")
    definition = _definition(body)
    try:
        record = store.create(principal.tenant, definition, principal.user, now)
    except AlreadyExists:
        raise Conflict(
            f"form '{definition['form_id']}' already exists; PUT it to change the draft",
            field="form_id",
            code="form_exists",
        ) from None
    # A tenant's first form starts its life: the export heartbeat looks after it from here.
    tenants.register_tenant(principal.tenant, now)
    return record


def update(
    store: FormEdits,
    principal: Principal,
    form_id: str,
    body: Any,
    if_match: str | None,
    now: str,
) -> tuple[FormRecord, VersionRecord | None]:
    permissions.require(principal, "form.write")
    definition = _definition(body)
    if definition["form_id"] != form_id:
        raise InvalidInput("form_id in the body must match the address", field="form_id")
    try:
        expected = required_version(if_match, "the draft you are changing")
    except (PreconditionRequired, InvalidInput):
        store.get(principal.tenant, form_id)  # a form that is not there is 404 first
        raise
    try:
        record = store.update(principal.tenant, definition, principal.user, now, expected)
    except StaleVersion:
        raise PreconditionFailed(
            "the draft was changed by someone else; reload it", field="If-Match"
        ) from None
    return record, _latest(store, principal.tenant, record)


def _latest(store: FormVersions, tenant: str, form: FormRecord) -> VersionRecord | None:
    if not form.latest_version:
        return None
    return store.get_version(tenant, form.form_id, form.latest_version)


def publish(
    store: FormPublishing, principal: Principal, form_id: str, now: str
) -> tuple[VersionRecord, bool]:
    permissions.require(principal, "form.write")
    try:
        return store.publish(principal.tenant, form_id, principal.user, now)
    except StaleVersion:
        raise Conflict(
            "the form was published or changed at the same moment; try again",
            code="concurrent_publish",
        ) from None


def list_forms(store: FormListing, principal: Principal) -> list[FormRecord]:
    permissions.require(principal, "form.read")
    forms = store.list_forms(principal.tenant)
    if permissions.allows(principal, "form.read_draft"):
        return forms
    # Drafts are the QA manager's work in progress; others see published forms only.
    return [form for form in forms if form.latest_version > 0]


def get(
    store: FormDrafts, principal: Principal, form_id: str
) -> tuple[FormRecord, VersionRecord | None]:
    permissions.require(principal, "form.read")
    form = store.get(principal.tenant, form_id)
    published = _latest(store, principal.tenant, form)
    if published is None and not permissions.allows(principal, "form.read_draft"):
        raise NotFound(f"form '{form_id}' does not exist", field="form_id")
    return form, published


def get_version(
    store: FormVersions, principal: Principal, form_id: str, version: int
) -> VersionRecord:
    permissions.require(principal, "form.read")
    return store.get_version(principal.tenant, form_id, version)


def list_versions(
    store: FormVersionListing, principal: Principal, form_id: str
) -> list[VersionRecord]:
    permissions.require(principal, "form.read")
    return store.list_versions(principal.tenant, form_id)
