"""PynamoDB models of batch imports, on the main table (`LAATU_TABLE`).

Keys start with the tenant like every other item there, so no query crosses
tenants, and each access is a GetItem or a Query:

- `{tenant}#IMPORT#{import_id}` / `HEAD`: the import's state, counters and the
  resume point (`next_row`), and the lease of the invocation working on it;
- `{tenant}#IMPORT#{import_id}` / `ROWS#{first:06d}#{part:02d}`: the per-row
  report of the rows from `first` on, written in the same transaction that
  moves `next_row` past them;
- `{tenant}#IMPORTS` and `{tenant}#IMPORTS#BY#{user}` / `{created_at}#{import_id}`:
  the tenant's and one auditor's list, newest last.
"""

from __future__ import annotations

from pynamodb.attributes import BinaryAttribute, NumberAttribute, UnicodeAttribute

from chalicelib.adapters.models import _MainTable


class ImportModel(_MainTable):
    import_id = UnicodeAttribute()
    auditor = UnicodeAttribute()
    roles = UnicodeAttribute()  # comma-separated: the uploader's roles when they asked
    status = UnicodeAttribute()  # pending | running | done | failed
    created_at = UnicodeAttribute()
    updated_at = UnicodeAttribute()
    upload_expires_at = UnicodeAttribute()
    object_key = UnicodeAttribute(null=True)  # the upload this import reads: the first to arrive
    size = NumberAttribute(null=True)
    file_format = UnicodeAttribute(null=True)
    encoding = UnicodeAttribute(null=True)
    delimiter = UnicodeAttribute(null=True)
    # Fixed at the first claim and used as every row's write time, so a resumed
    # run rebuilds byte-identical documents and recognises its own earlier writes.
    started_at = UnicodeAttribute(null=True)
    finished_at = UnicodeAttribute(null=True)
    rows_total = NumberAttribute(null=True)
    next_row = NumberAttribute(default=0)
    created = NumberAttribute(default=0)
    amended = NumberAttribute(default=0)
    unchanged = NumberAttribute(default=0)
    rejected = NumberAttribute(default=0)
    lease_owner = UnicodeAttribute(null=True)
    lease_until = NumberAttribute(null=True)  # epoch seconds
    failures = NumberAttribute(default=0)
    error_code = UnicodeAttribute(null=True)
    error_message = UnicodeAttribute(null=True)
    report_key = UnicodeAttribute(null=True)


class ImportIndexModel(_MainTable):
    import_id = UnicodeAttribute()


class ImportRowsModel(_MainTable):
    first = NumberAttribute()
    row_count = NumberAttribute()
    entries = BinaryAttribute(legacy_encoding=False)  # zlib-compressed JSON list
