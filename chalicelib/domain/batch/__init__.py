"""An auditor's batch file, read into evaluation bodies: pure rules, no I/O.

A file is CSV (as Finnish and Swedish spreadsheets write it: `;` or `,`, UTF-8
with or without a BOM, or Windows-1252, quoted fields with newlines) or JSON
Lines, one evaluation per row. `reading.read_file` turns the bytes into
`SourceRow`s or refuses the whole file (`FileRejected`) before any row is looked
at. `rows.parse_row` turns one row into the body `POST /v1/evaluations` takes, or
into every problem the row has, each with its column, so an auditor can fix a
rejected row in one go. The body then goes through the ordinary evaluation path
(schema, form version, scoring); nothing here scores or stores.

One job a module:

| module | job |
| --- | --- |
| `problems` | a row's problem, a refused file, a value quoted back in a message |
| `limits` | file limits, and row limits read from batch_row.schema.json |
| `columns` | the fixed column names and how a criterion's columns are spelled |
| `encoding` | bytes to text: UTF-8, UTF-16 with a BOM, Windows-1252 |
| `source_rows` | a row as read, the file as read, the text rule for a cell |
| `csv_reading`, `json_lines` | the two file formats |
| `reading` | one file: size and emptiness, encoding, format |
| `local_times` | a contact time, local times across clock changes |
| `fixed_cells`, `answers`, `rows` | one row's fixed columns, its answers, its body |
| `duplicates` | an external_id twice in one file |
| `templates`, `row_schema` | what an auditor downloads to fill a file |
| `upload_keys`, `evaluation_ids` | where an import's objects live; the id a row gets |
"""
