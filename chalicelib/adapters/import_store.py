"""Batch imports in DynamoDB: state, lease, resume point and the per-row report.

Every change after creation is conditioned on the caller holding the lease, so
an invocation that lost it (a duplicate event, or one that outlived its
deadline) cannot move anything. A checkpoint writes a run of rows' report and
moves `next_row` past them in one transaction: the report and the resume point
never disagree.
"""

from __future__ import annotations

import json
import zlib
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field

from pynamodb.expressions.condition import Condition
from pynamodb.expressions.update import Action
from pynamodb.transactions import TransactWrite

from chalicelib.adapters import cursors
from chalicelib.adapters.conditions import on_failed_condition
from chalicelib.adapters.import_models import ImportIndexModel, ImportModel, ImportRowsModel
from chalicelib.adapters.models import connection
from chalicelib.domain.errors import NotFound
from chalicelib.domain.import_report import OUTCOMES, ReportEntry

# Defined with the other storage errors; also importable from here, its store.
from chalicelib.domain.storage_errors import ConditionFailed
from chalicelib.domain.storage_errors import LeaseLost as LeaseLost

HEAD = "HEAD"
ROWS_PREFIX = "ROWS#"
# A report item stays well under DynamoDB's 400 KB; bigger runs are split in parts.
MAX_ROWS_ITEM_BYTES = 300 * 1024


def _pk(tenant: str, import_id: str) -> str:
    return f"{tenant}#IMPORT#{import_id}"


def _index_pk(tenant: str, user: str | None) -> str:
    return f"{tenant}#IMPORTS" if user is None else f"{tenant}#IMPORTS#BY#{user}"


def _rows_sk(first: int, part: int) -> str:
    return f"{ROWS_PREFIX}{first:06d}#{part:02d}"


@dataclass(frozen=True)
class Counts:
    created: int = 0
    amended: int = 0
    unchanged: int = 0
    rejected: int = 0

    @classmethod
    def of(cls, entries: Sequence[ReportEntry]) -> Counts:
        tally = dict.fromkeys(OUTCOMES, 0)
        for entry in entries:
            tally[entry.outcome] += 1
        return cls(**tally)


@dataclass(frozen=True)
class ImportRecord:
    tenant: str
    import_id: str
    auditor: str
    roles: frozenset[str]
    status: str
    created_at: str
    updated_at: str
    upload_expires_at: str
    object_key: str | None = None
    size: int | None = None
    file_format: str | None = None
    encoding: str | None = None
    delimiter: str | None = None
    started_at: str | None = None
    finished_at: str | None = None
    rows_total: int | None = None
    next_row: int = 0
    counts: Counts = field(default_factory=Counts)
    lease_owner: str | None = None
    lease_until: float | None = None
    failures: int = 0
    error_code: str | None = None
    error_message: str | None = None
    report_key: str | None = None


def _optional_int(value: float | None) -> int | None:
    return None if value is None else int(value)


def _record(tenant: str, item: ImportModel) -> ImportRecord:
    return ImportRecord(
        tenant=tenant,
        import_id=item.import_id,
        auditor=item.auditor,
        roles=frozenset(r for r in item.roles.split(",") if r),
        status=item.status,
        created_at=item.created_at,
        updated_at=item.updated_at,
        upload_expires_at=item.upload_expires_at,
        object_key=item.object_key,
        size=_optional_int(item.size),
        file_format=item.file_format,
        encoding=item.encoding,
        delimiter=item.delimiter,
        started_at=item.started_at,
        finished_at=item.finished_at,
        rows_total=_optional_int(item.rows_total),
        next_row=int(item.next_row),
        counts=Counts(
            int(item.created), int(item.amended), int(item.unchanged), int(item.rejected)
        ),
        lease_owner=item.lease_owner,
        lease_until=item.lease_until,
        failures=int(item.failures),
        error_code=item.error_code,
        error_message=item.error_message,
        report_key=item.report_key,
    )


def _encode_rows(entries: Sequence[ReportEntry]) -> list[bytes]:
    """The entries as zlib-compressed JSON, in as many parts as the item size needs."""
    blob = zlib.compress(json.dumps([e.to_dict() for e in entries]).encode("utf-8"))
    if len(blob) <= MAX_ROWS_ITEM_BYTES or len(entries) == 1:
        return [blob]
    half = len(entries) // 2
    return _encode_rows(entries[:half]) + _encode_rows(entries[half:])


def _decode_rows(blob: bytes) -> list[ReportEntry]:
    return [ReportEntry.from_dict(d) for d in json.loads(zlib.decompress(blob))]


class ImportStore:
    def create(self, record: ImportRecord) -> None:
        """The import and its two list entries, together."""
        head = ImportModel(
            _pk(record.tenant, record.import_id),
            HEAD,
            import_id=record.import_id,
            auditor=record.auditor,
            roles=",".join(sorted(record.roles)),
            status=record.status,
            created_at=record.created_at,
            updated_at=record.updated_at,
            upload_expires_at=record.upload_expires_at,
        )
        sk = f"{record.created_at}#{record.import_id}"
        with TransactWrite(connection=connection()) as transaction:
            transaction.save(head, condition=ImportModel.pk.does_not_exist())
            for user in (None, record.auditor):
                transaction.save(
                    ImportIndexModel(_index_pk(record.tenant, user), sk, import_id=record.import_id)
                )

    def get(self, tenant: str, import_id: str) -> ImportRecord:
        try:
            item = ImportModel.get(_pk(tenant, import_id), HEAD, consistent_read=True)
        except ImportModel.DoesNotExist:
            raise NotFound(f"import '{import_id}' does not exist") from None
        return _record(tenant, item)

    def list(
        self, tenant: str, user: str | None, limit: int, cursor: str | None
    ) -> tuple[list[ImportRecord], str | None]:
        """Newest first: one auditor's imports, or (user None) the whole tenant's."""
        partition = _index_pk(tenant, user)
        start = None
        if cursor:
            start = cursors.decode(cursor, partition)
        page = ImportIndexModel.query(
            partition, limit=limit, scan_index_forward=False, last_evaluated_key=start
        )
        ids = [entry.import_id for entry in page]
        last = page.last_evaluated_key
        heads = {
            item.import_id: _record(tenant, item)
            for item in ImportModel.batch_get(
                [(_pk(tenant, i), HEAD) for i in ids], consistent_read=True
            )
        }
        next_cursor = cursors.encode(last) if last else None
        return [heads[i] for i in ids if i in heads], next_cursor

    def claim(
        self,
        tenant: str,
        import_id: str,
        *,
        key: str,
        size: int,
        owner: str,
        lease_until: float,
        now: float,
        now_iso: str,
    ) -> ImportRecord | None:
        """Take the lease for reading `key`; None when the import is finished, reads
        another upload, or another live invocation holds it."""
        item = ImportModel(_pk(tenant, import_id), HEAD)
        condition = (
            ImportModel.pk.exists()
            & ImportModel.status.is_in("pending", "running")
            & (ImportModel.object_key.does_not_exist() | (ImportModel.object_key == key))
            & (
                ImportModel.lease_until.does_not_exist()
                | (ImportModel.lease_until < now)
                | (ImportModel.lease_owner == owner)
            )
        )
        try:
            with on_failed_condition():
                item.update(
                    actions=[
                        ImportModel.object_key.set(key),
                        ImportModel.size.set(size),
                        ImportModel.status.set("running"),
                        ImportModel.started_at.set(ImportModel.started_at | now_iso),
                        ImportModel.lease_owner.set(owner),
                        ImportModel.lease_until.set(lease_until),
                        ImportModel.updated_at.set(now_iso),
                    ],
                    condition=condition,
                )
        except ConditionFailed:
            return None
        return _record(tenant, item)

    def describe_file(
        self,
        tenant: str,
        import_id: str,
        owner: str,
        *,
        file_format: str,
        encoding: str,
        delimiter: str | None,
        rows_total: int,
        now_iso: str,
    ) -> None:
        actions = [
            ImportModel.file_format.set(file_format),
            ImportModel.encoding.set(encoding),
            ImportModel.rows_total.set(rows_total),
            ImportModel.updated_at.set(now_iso),
        ]
        if delimiter is not None:
            actions.append(ImportModel.delimiter.set(delimiter))
        self._update(tenant, import_id, actions, ImportModel.lease_owner == owner)

    def checkpoint(
        self,
        tenant: str,
        import_id: str,
        owner: str,
        *,
        first: int,
        entries: Sequence[ReportEntry],
        now_iso: str,
        lease_until: float,
    ) -> None:
        """Store the report of rows [first, first + len(entries)) and move the resume
        point past them, atomically, if this invocation still holds the lease and
        nobody checkpointed these rows before."""
        counts = Counts.of(entries)
        head = ImportModel(_pk(tenant, import_id), HEAD)
        lost = f"import {import_id}: another invocation took over"
        with (
            on_failed_condition(LeaseLost, lost),
            TransactWrite(connection=connection()) as transaction,
        ):
            for part, blob in enumerate(_encode_rows(entries)):
                transaction.save(
                    ImportRowsModel(
                        _pk(tenant, import_id),
                        _rows_sk(first, part),
                        first=first,
                        row_count=len(entries),
                        entries=blob,
                    )
                )
            transaction.update(
                head,
                actions=[
                    ImportModel.next_row.set(first + len(entries)),
                    ImportModel.created.add(counts.created),
                    ImportModel.amended.add(counts.amended),
                    ImportModel.unchanged.add(counts.unchanged),
                    ImportModel.rejected.add(counts.rejected),
                    ImportModel.updated_at.set(now_iso),
                    ImportModel.lease_until.set(lease_until),
                ],
                condition=(ImportModel.lease_owner == owner) & (ImportModel.next_row == first),
            )

    def finish(
        self,
        tenant: str,
        import_id: str,
        owner: str,
        *,
        status: str,
        now_iso: str,
        report_key: str | None,
        error: tuple[str, str] | None = None,
    ) -> None:
        actions = [
            ImportModel.status.set(status),
            ImportModel.finished_at.set(now_iso),
            ImportModel.updated_at.set(now_iso),
            ImportModel.lease_owner.remove(),
            ImportModel.lease_until.remove(),
        ]
        if report_key is not None:
            actions.append(ImportModel.report_key.set(report_key))
        if error is not None:
            actions += [
                ImportModel.error_code.set(error[0]),
                ImportModel.error_message.set(error[1]),
            ]
        self._update(tenant, import_id, actions, ImportModel.lease_owner == owner)

    def release(self, tenant: str, import_id: str, owner: str, now_iso: str) -> None:
        """Give the lease up (progress is saved), so a retry need not wait for it."""
        self._update(
            tenant,
            import_id,
            [ImportModel.lease_until.set(0), ImportModel.updated_at.set(now_iso)],
            ImportModel.lease_owner == owner,
        )

    def record_failure(self, tenant: str, import_id: str, owner: str, now_iso: str) -> int:
        """Count a failed attempt and free the lease for the retry; the new count."""
        item = self._update(
            tenant,
            import_id,
            [
                ImportModel.failures.add(1),
                ImportModel.lease_until.set(0),
                ImportModel.updated_at.set(now_iso),
            ],
            ImportModel.lease_owner == owner,
        )
        return int(item.failures)

    def _update(
        self, tenant: str, import_id: str, actions: Sequence[Action], condition: Condition
    ) -> ImportModel:
        item = ImportModel(_pk(tenant, import_id), HEAD)
        with on_failed_condition(LeaseLost, f"import {import_id}: another invocation took over"):
            item.update(actions=list(actions), condition=condition)
        return item

    def rows(self, tenant: str, import_id: str, start: int = 0) -> Iterator[ReportEntry]:
        """The report from row index `start` (0 is the file's first row) on, in file
        order. Reads from the run that holds `start`, not from the beginning."""
        pk = _pk(tenant, import_id)
        holding = list(
            ImportRowsModel.query(
                pk,
                ImportRowsModel.sk.between(_rows_sk(0, 0), _rows_sk(start, 99)),
                scan_index_forward=False,
                limit=1,
                consistent_read=True,
            )
        )
        lower = _rows_sk(int(holding[0].first), 0) if holding else _rows_sk(0, 0)
        items = ImportRowsModel.query(
            pk,
            ImportRowsModel.sk.between(lower, _rows_sk(999_999, 99)),
            consistent_read=True,
        )
        index = -1
        for item in items:
            # A run's parts follow each other; positions continue across them.
            index = max(index, int(item.first))
            for entry in _decode_rows(item.entries):
                if index >= start:
                    yield entry
                index += 1
