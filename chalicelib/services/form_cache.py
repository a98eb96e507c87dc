"""The form versions one import run reads: each fetched and parsed once, not per row."""

from __future__ import annotations

from chalicelib.adapters.form_store import VersionRecord
from chalicelib.domain.errors import NotFound
from chalicelib.domain.forms import Form, parse_form
from chalicelib.services.ports import FormVersions


class FormCache:
    """The form versions one run reads: each fetched and parsed once, not per row."""

    def __init__(self, forms: FormVersions) -> None:
        self._forms = forms
        self._versions: dict[tuple[str, str, int], VersionRecord | None] = {}
        self._parsed: dict[tuple[str, str, int], Form | None] = {}

    def get_version(self, tenant: str, form_id: str, version: int) -> VersionRecord:
        key = (tenant, form_id, version)
        if key not in self._versions:
            try:
                self._versions[key] = self._forms.get_version(tenant, form_id, version)
            except NotFound:
                self._versions[key] = None
        found = self._versions[key]
        if found is None:
            raise NotFound(f"form '{form_id}' has no published version {version}")
        return found

    def form(self, tenant: str, form_id: str, version: int) -> Form | None:
        key = (tenant, form_id, version)
        if key not in self._parsed:
            try:
                self._parsed[key] = parse_form(self.get_version(*key).definition)
            except NotFound:
                self._parsed[key] = None
        return self._parsed[key]


class PublishedForms:
    """Published form versions parsed once per process: a version never changes
    once published, so a warm Lambda reads each at most once. Only versions found
    are kept (one may be published later), at most `limit`, oldest first out."""

    def __init__(self, forms: FormVersions, limit: int = 256) -> None:
        self._forms = forms
        self._limit = limit
        self._parsed: dict[tuple[str, str, int], Form] = {}

    def form(self, tenant: str, form_id: str, version: int) -> tuple[Form | None, bool]:
        """(the form, or None when there is no such version; whether it was read now)."""
        key = (tenant, form_id, version)
        found = self._parsed.get(key)
        if found is not None:
            return found, False
        try:
            record = self._forms.get_version(tenant, form_id, version)
        except NotFound:
            return None, True
        parsed = parse_form(record.definition)
        if len(self._parsed) >= self._limit:
            del self._parsed[next(iter(self._parsed))]
        self._parsed[key] = parsed
        return parsed, True
