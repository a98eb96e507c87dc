"""Forms in DynamoDB: the editable draft per form and its immutable versions."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from pynamodb.transactions import TransactWrite

from chalicelib import jsoncodec
from chalicelib.adapters.conditions import on_failed_condition
from chalicelib.adapters.models import FormDraftModel, FormVersionModel, connection
from chalicelib.domain.errors import NotFound
from chalicelib.domain.storage_errors import AlreadyExists, StaleVersion


@dataclass(frozen=True)
class FormRecord:
    form_id: str
    name: str
    definition: dict[str, Any]
    latest_version: int
    created_at: str
    updated_at: str
    updated_by: str
    etag: str


@dataclass(frozen=True)
class VersionRecord:
    form_id: str
    version: int
    definition: dict[str, Any]
    published_at: str
    published_by: str


def _drafts_pk(tenant: str) -> str:
    return f"{tenant}#FORMS"


def _versions_pk(tenant: str, form_id: str) -> str:
    return f"{tenant}#FORM#{form_id}"


def _version_sk(version: int) -> str:
    return f"V#{version:06d}"


def _record(item: FormDraftModel) -> FormRecord:
    return FormRecord(
        form_id=item.sk,
        name=item.name,
        definition=jsoncodec.loads(item.definition),
        latest_version=int(item.latest_version),
        created_at=item.created_at,
        updated_at=item.updated_at,
        updated_by=item.updated_by,
        etag=f'"{item.version}"',
    )


def _version_record(form_id: str, item: FormVersionModel) -> VersionRecord:
    return VersionRecord(
        form_id=form_id,
        version=int(item.form_version),
        definition=jsoncodec.loads(item.definition),
        published_at=item.published_at,
        published_by=item.published_by,
    )


class FormStore:
    def _draft_item(self, tenant: str, form_id: str) -> FormDraftModel:
        try:
            return FormDraftModel.get(_drafts_pk(tenant), form_id, consistent_read=True)
        except FormDraftModel.DoesNotExist:
            raise NotFound(f"form '{form_id}' does not exist", field="form_id") from None

    def get(self, tenant: str, form_id: str) -> FormRecord:
        return _record(self._draft_item(tenant, form_id))

    def list_forms(self, tenant: str) -> list[FormRecord]:
        return [_record(item) for item in FormDraftModel.query(_drafts_pk(tenant))]

    def create(self, tenant: str, definition: dict[str, Any], user: str, now: str) -> FormRecord:
        """The form's first draft; AlreadyExists when the form id is taken."""
        item = FormDraftModel(
            _drafts_pk(tenant),
            definition["form_id"],
            name=definition["name"],
            definition=jsoncodec.dumps(definition),
            latest_version=0,
            created_at=now,
            updated_at=now,
            updated_by=user,
        )
        with on_failed_condition(AlreadyExists, f"form {definition['form_id']}"):
            item.save()  # the version attribute makes this conditional on absence
        return _record(item)

    def update(
        self,
        tenant: str,
        definition: dict[str, Any],
        user: str,
        now: str,
        expected_version: int,
    ) -> FormRecord:
        """Replace the draft if it is still at `expected_version` (StaleVersion if not)."""
        item = self._draft_item(tenant, definition["form_id"])
        stale = f"form {definition['form_id']} is not at version {expected_version}"
        if int(item.version) != expected_version:
            raise StaleVersion(stale)
        item.name = definition["name"]
        item.definition = jsoncodec.dumps(definition)
        item.updated_at = now
        item.updated_by = user
        with on_failed_condition(StaleVersion, stale):
            item.save()  # conditioned on the version read, by PynamoDB
        return _record(item)

    def publish(self, tenant: str, form_id: str, user: str, now: str) -> tuple[VersionRecord, bool]:
        """Freeze the draft as the next version; (version, created). Publishing a draft
        equal to the latest version returns that version instead of a duplicate.
        StaleVersion when the draft moved or the version appeared meanwhile."""
        item = self._draft_item(tenant, form_id)
        latest = int(item.latest_version)
        if latest:
            current = self.get_version(tenant, form_id, latest)
            if current.definition == jsoncodec.loads(item.definition):
                return current, False
        version = FormVersionModel(
            _versions_pk(tenant, form_id),
            _version_sk(latest + 1),
            form_version=latest + 1,
            definition=item.definition,
            published_at=now,
            published_by=user,
        )
        with (
            on_failed_condition(StaleVersion, f"form {form_id} changed while publishing"),
            TransactWrite(connection=connection()) as transaction,
        ):
            transaction.update(item, actions=[FormDraftModel.latest_version.set(latest + 1)])
            transaction.save(version, condition=FormVersionModel.sk.does_not_exist())
        return _version_record(form_id, version), True

    def get_version(self, tenant: str, form_id: str, version: int) -> VersionRecord:
        try:
            item = FormVersionModel.get(_versions_pk(tenant, form_id), _version_sk(version))
        except FormVersionModel.DoesNotExist:
            raise NotFound(
                f"form '{form_id}' has no published version {version}", field="form_version"
            ) from None
        return _version_record(form_id, item)

    def list_versions(self, tenant: str, form_id: str) -> list[VersionRecord]:
        self._draft_item(tenant, form_id)
        return [
            _version_record(form_id, item)
            for item in FormVersionModel.query(_versions_pk(tenant, form_id))
        ]
