"""The upload's event runs the import: an auditor's file becomes evaluations.

`Importer.run` may run more than once for one upload (at-least-once events,
retries after a cut-off) and is safe to:

- Each row's evaluation id is derived from (tenant, auditor, external_id), so
  one external_id can only ever be one evaluation: its HEAD item's
  `attribute_not_exists` condition is the uniqueness check, with no extra item.
- New rows are written 50 to a transaction (HEAD and REV#1 of each): a row is
  whole or absent, and a cut-off leaves no half row. A transaction that meets
  an existing id is cancelled as a whole; its rows are then sorted into new
  (written again), unchanged, and changed (amended through the ordinary amend
  path, one transaction each, the old revision kept).
- Progress is checkpointed every 250 rows: the report of those rows and the
  resume point move together in one transaction, under a lease, so a second
  invocation neither redoes finished rows nor interleaves with a live one.
- Every revision an import writes notes its source (import id and external_id),
  so a resumed run tells "written by this import before the cut-off" (reported
  as created/amended) from "already there" (unchanged). All of a run's writes
  carry its fixed start time, so a resumed run rebuilds identical documents.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime
from urllib.parse import unquote_plus

from chalicelib import jsoncodec
from chalicelib.adapters.import_store import ImportRecord, LeaseLost
from chalicelib.adapters.uploads import ObjectTooLarge
from chalicelib.domain import permissions
from chalicelib.domain.batch import upload_keys
from chalicelib.domain.batch.duplicates import duplicate_problem, first_rows
from chalicelib.domain.batch.evaluation_ids import evaluation_id_for
from chalicelib.domain.batch.limits import MAX_FILE_BYTES
from chalicelib.domain.batch.problems import FileRejected, Problem
from chalicelib.domain.batch.reading import read_file
from chalicelib.domain.batch.rows import ParsedRow, parse_row
from chalicelib.domain.batch.source_rows import BatchFile, SourceRow
from chalicelib.domain.batch.upload_keys import file_name, parse_key
from chalicelib.domain.errors import Forbidden, InvalidInput, NotFound, PreconditionFailed
from chalicelib.domain.evaluation import Evaluation, Source
from chalicelib.domain.evaluations import same_content
from chalicelib.domain.import_report import (
    AMENDED,
    CREATED,
    UNCHANGED,
    ReportEntry,
    failure_csv,
    rejected,
    report_csv,
)
from chalicelib.domain.periods import to_utc_iso
from chalicelib.domain.principal import Principal
from chalicelib.domain.roster import Roster, admits
from chalicelib.services import evaluations
from chalicelib.services.form_cache import FormCache
from chalicelib.services.ports import FormVersions, ImportedEvaluations, ImportRuns, UploadObjects

log = logging.getLogger("laatu.imports")

CHUNK_ROWS = 250  # rows per checkpoint: what a cut-off can cost to redo
TRANSACTION_ROWS = 50  # two items a row: DynamoDB's 100 items per transaction
MAX_TRANSACTION_BYTES = 3 * 1024 * 1024  # DynamoDB allows 4 MB per transaction
MAX_DOCUMENT_BYTES = 180 * 1024  # HEAD and REV each hold it, under 400 KB per item
LEASE_S = 60.0  # renewed at every checkpoint; a holder that died blocks a retry this long
SAFETY_S = 30.0  # stop and checkpoint this long before the Lambda's deadline
MAX_FAILURES = 3  # Lambda's async invoke tries three times; then the import fails
MAX_WRITE_ATTEMPTS = 5


class ImportBusy(Exception):
    """Another live invocation holds the import; the event should be retried later."""


class ImportInterrupted(Exception):
    """Stopped before the deadline with progress saved; a retry continues from there."""


class ConcurrentWrites(Exception):
    """Rows kept meeting concurrent writes; the invocation is retried."""


@dataclass
class _Run:
    """What one invocation knows about the import it holds."""

    record: ImportRecord
    key: str
    owner: str
    principal: Principal
    started: datetime
    time_zone: str
    forms: FormCache
    roster: Roster
    first_rows: dict[str, int] = field(default_factory=dict)

    @property
    def tenant(self) -> str:
        return self.record.tenant


@dataclass
class Importer:
    imports: ImportRuns
    uploads: UploadObjects
    evaluations: ImportedEvaluations
    forms: FormVersions
    time_zone_for: Callable[[str], str]
    clock: Callable[[], datetime]
    # The tenant's agent check, read fresh for each run (see tenant_settings.roster_check).
    roster_for: Callable[[str], Roster]

    def run(self, key: str, *, invocation: str, remaining_s: Callable[[], float]) -> str:
        """Import the upload at `key` (as an event names it); what happened, for the log.

        Raises ImportBusy or ImportInterrupted when a retry should come later.
        """
        found = self._object(key)
        if found is None:
            return f"ignored {key!r}: not an upload of an import"
        key, size = found
        tenant, import_id = parse_key(key) or ("", "")
        now = self.clock()
        record = self.imports.claim(
            tenant,
            import_id,
            key=key,
            size=size,
            owner=invocation,
            lease_until=self._lease(remaining_s),
            now=now.timestamp(),
            now_iso=to_utc_iso(now),
        )
        if record is None:
            return self._not_claimed(tenant, import_id, key)
        run = _Run(
            record=record,
            key=key,
            owner=invocation,
            principal=Principal(record.auditor, tenant, record.roles),
            started=datetime.fromisoformat(str(record.started_at)),
            time_zone=self.time_zone_for(tenant),
            forms=FormCache(self.forms),
            roster=self.roster_for(tenant),
        )
        try:
            return self._work(run, remaining_s)
        except LeaseLost:
            # A newer invocation took over (this one outlived its lease): it carries on.
            return f"import {import_id}: another invocation took over"
        except ImportInterrupted:
            self.imports.release(tenant, import_id, invocation, self._stamp())
            raise
        except Exception:
            failures = self.imports.record_failure(tenant, import_id, invocation, self._stamp())
            log.exception("import %s failed (attempt %d of %d)", import_id, failures, MAX_FAILURES)
            if failures < MAX_FAILURES:
                raise
            self._refuse(
                run,
                "internal_error",
                "the import stopped after repeated errors; upload the file again",
            )
            return f"import {import_id} failed after {failures} attempts"

    def _object(self, key: str) -> tuple[str, int] | None:
        """The object an event names: S3 notifications encode keys like a form
        (a space as +), so try the key as given and decoded."""
        for candidate in dict.fromkeys((key, unquote_plus(key))):
            if parse_key(candidate) is None:
                continue
            size = self.uploads.size(candidate)
            if size is not None:
                return candidate, size
        return None

    def _not_claimed(self, tenant: str, import_id: str, key: str) -> str:
        try:
            record = self.imports.get(tenant, import_id)
        except NotFound:
            return f"ignored {key!r}: no such import"
        if record.status in ("done", "failed"):
            return f"ignored {key!r}: import {import_id} is already {record.status}"
        if record.object_key not in (None, key):
            return f"ignored {key!r}: import {import_id} reads {record.object_key!r}"
        raise ImportBusy(f"import {import_id} is being imported by another invocation")

    def _stamp(self) -> str:
        return to_utc_iso(self.clock())

    def _lease(self, remaining_s: Callable[[], float]) -> float:
        return self.clock().timestamp() + min(LEASE_S, remaining_s())

    def _refuse(self, run: _Run, code: str, message: str) -> None:
        """The whole file is refused: its one-line report, then the import fails."""
        report_key = upload_keys.report_key(run.key)
        self.uploads.write(report_key, failure_csv(code, message), "text/csv; charset=utf-8")
        self.uploads.mark_processed(run.key)
        self.imports.finish(
            run.tenant,
            run.record.import_id,
            run.owner,
            status="failed",
            now_iso=self._stamp(),
            report_key=report_key,
            error=(code, message),
        )

    def _work(self, run: _Run, remaining_s: Callable[[], float]) -> str:
        import_id = run.record.import_id
        try:
            batch = self._read(run)
        except FileRejected as refused:
            self._refuse(run, refused.code, refused.message)
            return f"import {import_id} refused: {refused.code}"
        if run.record.rows_total is None:
            self.imports.describe_file(
                run.tenant,
                import_id,
                run.owner,
                file_format=batch.format,
                encoding=batch.encoding,
                delimiter=batch.delimiter,
                rows_total=len(batch.rows),
                now_iso=self._stamp(),
            )
        run.first_rows = first_rows(batch.rows)
        self._import_from(run, batch.rows, remaining_s)
        report_key = upload_keys.report_key(run.key)
        report = report_csv(self.imports.rows(run.tenant, import_id), batch.delimiter or ";")
        self.uploads.write(report_key, report, "text/csv; charset=utf-8")
        self.uploads.mark_processed(run.key)
        self.imports.finish(
            run.tenant,
            import_id,
            run.owner,
            status="done",
            now_iso=self._stamp(),
            report_key=report_key,
        )
        return f"import {import_id} done: {len(batch.rows)} rows"

    def _read(self, run: _Run) -> BatchFile:
        """The upload as rows; FileRejected for a file refused whole, too large included."""
        try:
            if (run.record.size or 0) > MAX_FILE_BYTES:
                raise ObjectTooLarge(run.record.size or 0)
            return read_file(self.uploads.read(run.key, MAX_FILE_BYTES), file_name(run.key))
        except ObjectTooLarge as too_large:
            raise FileRejected(
                "file_too_large",
                f"the file is {too_large.size:,} bytes; the limit is {MAX_FILE_BYTES:,} (20 MB)",
            ) from None

    def _import_from(
        self, run: _Run, rows: Sequence[SourceRow], remaining_s: Callable[[], float]
    ) -> None:
        """The rows from the resume point on, checkpointed a chunk at a time."""
        index = run.record.next_row
        while index < len(rows):
            if remaining_s() < SAFETY_S:
                raise ImportInterrupted(
                    f"import {run.record.import_id}: stopped at row index {index}"
                )
            chunk = rows[index : index + CHUNK_ROWS]
            entries = self._import_rows(run, chunk)
            self.imports.checkpoint(
                run.tenant,
                run.record.import_id,
                run.owner,
                first=index,
                entries=entries,
                now_iso=self._stamp(),
                lease_until=self._lease(remaining_s),
            )
            index += len(chunk)

    # Rows ---------------------------------------------------------------------------

    def _import_rows(self, run: _Run, chunk: Sequence[SourceRow]) -> list[ReportEntry]:
        entries: dict[int, ReportEntry] = {}
        ready: list[_Ready] = []
        for position, source in enumerate(chunk):
            outcome = self._prepare(run, source)
            if isinstance(outcome, ReportEntry):
                entries[position] = outcome
            else:
                ready.append(_Ready(position, *outcome))
        for batch in _transactions(ready):
            for position, entry in self._write(run, batch):
                entries[position] = entry
        return [entries[position] for position in range(len(chunk))]

    def _prepare(
        self, run: _Run, source: SourceRow
    ) -> ReportEntry | tuple[ParsedRow, Evaluation, int]:
        """The row's revision 1 and its stored size, or its rejection."""
        duplicate = duplicate_problem(source, run.first_rows)
        parsed = parse_row(
            source,
            time_zone=run.time_zone,
            form_for=lambda form_id, version: run.forms.form(run.tenant, form_id, version),
            agent_known=lambda agent_id: admits(run.roster, agent_id),
        )
        problems = ([duplicate] if duplicate else []) + list(parsed.problems)
        if problems or parsed.body is None:
            return rejected(source.row, parsed.external_id, problems)
        evaluation_id = evaluation_id_for(run.tenant, run.principal.user, parsed.external_id)
        try:
            # The ordinary path: schema, method, form version, answers and scoring.
            evaluation = evaluations.new_evaluation(
                run.forms,
                run.roster,
                run.principal,
                parsed.body,
                writes=permissions.scopes(run.principal, "import.create"),
                evaluation_id=evaluation_id,
                now=run.started,
            )
        except InvalidInput as exc:
            problem = Problem(parsed.column_of(exc.field), exc.code, exc.message)
            return rejected(source.row, parsed.external_id, [problem])
        except UNFORESEEN_ROW_ERRORS:
            return _unforeseen(run, source.row, parsed.external_id)
        evaluation = replace(evaluation, source=_source(run, parsed))
        size = len(jsoncodec.dumps(evaluation.to_dict()).encode("utf-8"))
        if size > MAX_DOCUMENT_BYTES:
            problem = Problem(
                None,
                "too_large",
                f"the evaluation would take {size:,} bytes; shorten the comments or summary",
            )
            return rejected(source.row, parsed.external_id, [problem])
        return parsed, evaluation, size

    def _write(self, run: _Run, batch: Sequence[_Ready]) -> list[tuple[int, ReportEntry]]:
        """Create the batch's evaluations in one transaction; if some ids exist, settle
        those one by one and create the rest again."""
        settled: list[tuple[int, ReportEntry]] = []
        pending = list(batch)
        for _attempt in range(MAX_WRITE_ATTEMPTS):
            existing = self.evaluations.create_many(run.tenant, [r.evaluation for r in pending])
            if not existing:
                return settled + [
                    (r.position, _entry(r.parsed, CREATED, r.evaluation)) for r in pending
                ]
            current = self.evaluations.get_many(run.tenant, [r.evaluation_id for r in pending])
            fresh = []
            for ready in pending:
                found = current.get(ready.evaluation_id)
                if found is None:
                    fresh.append(ready)
                else:
                    settled.append((ready.position, self._settle(run, ready, found)))
            if not fresh:
                return settled
            pending = fresh
        raise ConcurrentWrites(f"import {run.record.import_id}: rows kept meeting other writes")

    def _settle(self, run: _Run, ready: _Ready, current: Evaluation) -> ReportEntry:
        """An external_id that already has an evaluation: this run's own earlier write,
        unchanged, or an amendment."""
        body, source = ready.parsed.body or {}, ready.evaluation.source
        for _attempt in range(MAX_WRITE_ATTEMPTS):
            if same_content(current, body):
                if current.source != source:
                    return _entry(ready.parsed, UNCHANGED, current)
                # Written by this run before it was cut off: report it as it was then.
                return _entry(ready.parsed, CREATED if current.revision == 1 else AMENDED, current)
            try:
                amended = evaluations.amend(
                    self.evaluations,
                    run.forms,
                    run.roster,
                    run.principal,
                    ready.evaluation_id,
                    body,
                    if_match=f'"{current.revision}"',
                    now=run.started,
                    source=source,
                )
            except PreconditionFailed:
                current = self.evaluations.get(run.tenant, ready.evaluation_id)
                continue
            except (InvalidInput, Forbidden) as exc:
                problem = Problem(ready.parsed.column_of(exc.field), exc.code, exc.message)
                return rejected(ready.parsed.row, ready.parsed.external_id, [problem])
            except UNFORESEEN_ROW_ERRORS:
                return _unforeseen(run, ready.parsed.row, ready.parsed.external_id)
            return _entry(ready.parsed, AMENDED, amended)
        raise ConcurrentWrites(f"evaluation {ready.evaluation_id} kept changing under the import")


# What a rule that did not foresee a row's content raises (a date past the calendar's
# end, a nesting too deep): that row's problem, never the file's. Storage errors are
# not among them, so those still retry the run.
UNFORESEEN_ROW_ERRORS = (ValueError, OverflowError, RecursionError, ArithmeticError)


def _unforeseen(run: _Run, row: int, external_id: str) -> ReportEntry:
    log.exception("import %s row %d: an unforeseen error", run.record.import_id, row)
    problem = Problem(None, "invalid", "the row could not be read as an evaluation")
    return rejected(row, external_id, [problem])


@dataclass(frozen=True)
class _Ready:
    position: int
    parsed: ParsedRow
    evaluation: Evaluation
    size: int

    @property
    def evaluation_id(self) -> str:
        return self.evaluation.evaluation_id


def _transactions(ready: Sequence[_Ready]) -> Iterator[list[_Ready]]:
    """Up to 50 rows and 3 MB per transaction (each row writes its document twice)."""
    batch: list[_Ready] = []
    size = 0
    for row in ready:
        if batch and (
            len(batch) == TRANSACTION_ROWS or size + 2 * row.size > MAX_TRANSACTION_BYTES
        ):
            yield batch
            batch, size = [], 0
        batch.append(row)
        size += 2 * row.size
    if batch:
        yield batch


def _source(run: _Run, parsed: ParsedRow) -> Source:
    """Where an imported revision came from; shown on the evaluation."""
    return Source(import_id=run.record.import_id, external_id=parsed.external_id)


def _entry(parsed: ParsedRow, outcome: str, evaluation: Evaluation) -> ReportEntry:
    return ReportEntry(
        row=parsed.row,
        external_id=parsed.external_id,
        outcome=outcome,
        evaluation_id=evaluation.evaluation_id,
        revision=evaluation.revision,
        warnings=parsed.warnings,
    )
