"""One batch file, bytes to rows, or refused whole before any row is looked at:
empty, over 20 MB, over 50,000 rows, unreadable, a required column missing."""

from __future__ import annotations

from chalicelib.domain.batch.csv_reading import read_csv
from chalicelib.domain.batch.encoding import decode
from chalicelib.domain.batch.json_lines import read_json_lines
from chalicelib.domain.batch.limits import MAX_FILE_BYTES
from chalicelib.domain.batch.problems import FileRejected
from chalicelib.domain.batch.source_rows import BatchFile


def read_file(data: bytes, name: str = "") -> BatchFile:
    """Decode and split a batch file into rows; raises FileRejected for a bad file."""
    if not data.strip():
        raise FileRejected("empty_file", "the file is empty")
    if len(data) > MAX_FILE_BYTES:
        raise FileRejected(
            "file_too_large",
            f"the file is {len(data):,} bytes; the limit is {MAX_FILE_BYTES:,} (20 MB)",
        )
    text, encoding = decode(data)
    if _is_json_lines(text, name):
        return read_json_lines(text, encoding)
    return read_csv(text, encoding)


def _is_json_lines(text: str, name: str) -> bool:
    suffix = name.rsplit(".", 1)[-1].lower() if "." in name else ""
    if suffix in ("jsonl", "ndjson"):
        return True
    if suffix in ("csv", "txt"):
        return False
    return text.lstrip().startswith("{")
