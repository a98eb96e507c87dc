"""Persistence for moto, which keeps state in memory only: a journal of its writes.

Every request that changed state (moto answered 2xx) is appended as one JSON
line, and replayed in order through the same WSGI app at the next start. Reads
are never written down, so the journal grows with the data, not with traffic.

Replaying the writes also regenerates the DynamoDB stream records. That is
harmless: the stream handler is idempotent and the aggregates it wrote are in
the journal too, so reprocessing the replayed records changes nothing.

Replay assumes moto answers the same requests the same way. One known
exception: an S3 multipart upload gets a new random UploadId on replay, so its
parts and completion fail (and are counted as failed). Single PUTs, which is
what presigned uploads and small files use, replay exactly.
"""

from __future__ import annotations

import base64
import io
import json
import logging
import threading
import time
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any
from wsgiref.types import StartResponse, WSGIApplication, WSGIEnvironment

from moto.core.request import (
    PRESERVED_HEADER_NAMES_ENVIRON_KEY,
    environ_key_for_header,
    should_preserve_original_header_name,
)
from werkzeug.test import EnvironBuilder, run_wsgi_app
from werkzeug.wsgi import get_input_stream

log = logging.getLogger("laatu.local.journal")

# Everything that can change a table. Beyond the obvious item writes this has
# DeleteTable and the PartiQL calls: leaving any out would resurrect or lose
# data on restart. Replaying a PartiQL read is harmless.
DYNAMODB_WRITES = frozenset(
    {
        "CreateTable",
        "UpdateTable",
        "DeleteTable",
        "UpdateTimeToLive",
        "TagResource",
        "UntagResource",
        "PutItem",
        "UpdateItem",
        "DeleteItem",
        "BatchWriteItem",
        "TransactWriteItems",
        "ExecuteStatement",
        "BatchExecuteStatement",
        "ExecuteTransaction",
    }
)
S3_WRITE_METHODS = frozenset({"PUT", "POST", "DELETE"})
DYNAMODB_TARGET_PREFIX = "DynamoDB_"  # "DynamoDBStreams_..." is the read-only Streams API
# The WSGI server already de-chunked the body; a replayed request carries Content-Length.
_HOP_BY_HOP = frozenset({"HTTP_CONNECTION", "HTTP_KEEP_ALIVE", "HTTP_TRANSFER_ENCODING"})


class JournalError(Exception):
    pass


@dataclass(frozen=True)
class JournalEntry:
    method: str
    path: str  # as sent, still percent-encoded, with the query string
    headers: list[tuple[str, str]]
    body: bytes

    def to_line(self) -> bytes:
        record = {
            "method": self.method,
            "path": self.path,
            "headers": [list(pair) for pair in self.headers],
            "body": base64.b64encode(self.body).decode("ascii"),
        }
        return json.dumps(record, separators=(",", ":")).encode() + b"\n"

    @classmethod
    def from_line(cls, line: bytes) -> JournalEntry:
        record = json.loads(line)
        return cls(
            method=str(record["method"]),
            path=str(record["path"]),
            headers=[(str(name), str(value)) for name, value in record["headers"]],
            body=base64.b64decode(record["body"]),
        )

    @classmethod
    def from_environ(cls, environ: WSGIEnvironment, body: bytes) -> JournalEntry:
        return cls(
            method=environ["REQUEST_METHOD"],
            path=_raw_path(environ),
            headers=list(_headers(environ)),
            body=body,
        )


def is_write(environ: WSGIEnvironment) -> bool:
    path = str(environ.get("PATH_INFO", ""))
    if path.startswith("/moto-api"):
        return False  # moto's own control API (reset, seed): not data
    target = environ.get("HTTP_X_AMZ_TARGET")
    if target:
        prefix, _, operation = str(target).partition(".")
        return prefix.startswith(DYNAMODB_TARGET_PREFIX) and operation in DYNAMODB_WRITES
    # Without a target it is S3 or SES (a verified sender and each mail sent are
    # kept like data, so `laatu mail` still lists them after a restart); presigned
    # uploads carry their signature in the query, so the method is what tells a write.
    return environ["REQUEST_METHOD"] in S3_WRITE_METHODS


class JournalingApp:
    """WSGI middleware that journals moto's successful writes."""

    def __init__(self, app: WSGIApplication, path: Path) -> None:
        self._app = app
        self._file: IO[bytes] = path.open("ab")
        # Writes run one at a time so the journal's order is the order moto
        # applied them in; otherwise a conditional write could replay before
        # the write it depended on and fail. The stream pump holds it too.
        self.write_lock = threading.Lock()

    def __call__(self, environ: WSGIEnvironment, start_response: StartResponse) -> Iterable[bytes]:
        if not is_write(environ):
            return self._app(environ, start_response)
        body = get_input_stream(environ).read()
        environ["wsgi.input"] = io.BytesIO(body)
        environ["CONTENT_LENGTH"] = str(len(body))
        environ.pop("wsgi.input_terminated", None)
        environ.pop("HTTP_TRANSFER_ENCODING", None)
        entry = JournalEntry.from_environ(environ, body)  # before moto can touch environ
        statuses: list[str] = []

        def capture(status: str, headers: list[tuple[str, str]], exc_info: Any = None) -> Any:
            statuses.append(status)
            return start_response(status, headers, exc_info)

        with self.write_lock:
            content = _drain(self._app(environ, capture))
            if statuses and statuses[-1].startswith("2"):
                self._file.write(entry.to_line())
                self._file.flush()
        return [content]

    def close(self) -> None:
        with self.write_lock:
            self._file.close()


@dataclass(frozen=True)
class ReplayResult:
    requests: int
    failed: int
    seconds: float


def replay(app: WSGIApplication, path: Path) -> ReplayResult:
    """Run every journaled write through `app`, in order, without HTTP."""
    started = time.perf_counter()
    requests = failed = 0
    for entry in read_entries(path):
        requests += 1
        status = replay_one(app, entry)
        if not status.startswith("2"):
            failed += 1
            log.warning("replayed %s %s answered %s", entry.method, entry.path, status)
    return ReplayResult(requests, failed, time.perf_counter() - started)


def replay_one(app: WSGIApplication, entry: JournalEntry) -> str:
    environ = EnvironBuilder(
        method=entry.method, path=entry.path, headers=entry.headers, data=entry.body
    ).get_environ()
    environ[PRESERVED_HEADER_NAMES_ENVIRON_KEY] = {
        environ_key_for_header(name): name
        for name, _ in entry.headers
        if should_preserve_original_header_name(name)
    }
    app_iter, status, _headers = run_wsgi_app(app, environ, buffered=True)
    _drain(app_iter)
    return str(status)


def read_entries(path: Path) -> Iterator[JournalEntry]:
    """The journal's entries; a torn last line (the process died mid-write) is cut off."""
    if not path.exists():
        return
    good_bytes = 0
    with path.open("rb") as journal:
        for number, line in enumerate(journal, start=1):
            if not line.endswith(b"\n"):
                log.warning("dropping a torn last entry (line %d) from %s", number, path)
                break
            try:
                entry = JournalEntry.from_line(line)
            except (ValueError, KeyError, TypeError) as exc:
                raise JournalError(
                    f"{path} line {number} is not a journal entry ({exc}); "
                    "move the file away or run `make clean-data`"
                ) from None
            good_bytes += len(line)
            yield entry
    if path.stat().st_size != good_bytes:
        # New entries must start on a line of their own.
        with path.open("r+b") as journal:
            journal.truncate(good_bytes)


def _drain(app_iter: Iterable[bytes]) -> bytes:
    try:
        return b"".join(app_iter)
    finally:
        close = getattr(app_iter, "close", None)
        if close is not None:
            close()


def _raw_path(environ: WSGIEnvironment) -> str:
    # The raw URI keeps S3 keys exactly as sent (an encoded slash stays encoded).
    raw = str(environ.get("RAW_URI") or environ.get("REQUEST_URI") or "")
    if raw:
        return raw
    query = environ.get("QUERY_STRING")
    path = str(environ.get("PATH_INFO", "/"))
    return f"{path}?{query}" if query else path


def _headers(environ: WSGIEnvironment) -> Iterator[tuple[str, str]]:
    preserved: dict[str, str] = environ.get(PRESERVED_HEADER_NAMES_ENVIRON_KEY) or {}
    if environ.get("CONTENT_TYPE"):
        yield "Content-Type", str(environ["CONTENT_TYPE"])
    for key, value in environ.items():
        if not key.startswith("HTTP_") or key in _HOP_BY_HOP:
            continue
        name = preserved.get(key) or key[5:].replace("_", "-").title()
        yield name, str(value)
