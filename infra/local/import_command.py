"""`laatu import FILE`: upload a batch file the way the web site does, and show the report.

Only the HTTP API and the presigned upload are used: POST /v1/imports, a form
POST of the file to the URL it returns, then GET /v1/imports/{id} until the
import is done or failed, then the per-row report page by page.
"""

from __future__ import annotations

import argparse
import mimetypes
import os
import sys
import time
import urllib.error
import urllib.request
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any, TextIO

from infra.local.api_client import TIMEOUT_S, Api, CommandFailed, base_url

TOKEN_ENV = "LAATU_TOKEN"  # noqa: S105 - the variable's name, not a token
POLL_S = 0.5
PAGE = 1000


def add_parser(commands: Any) -> None:
    command = commands.add_parser(
        "import",
        help="upload a batch file (CSV or JSON Lines) and print its per-row report",
        description=(
            "Upload FILE through the API as an auditor does (POST /v1/imports, then the "
            "presigned upload), wait for the import and print which rows landed and why "
            "the others did not. Exits 0 when every row was imported, 1 otherwise."
        ),
    )
    command.add_argument("file", type=Path, metavar="FILE")
    command.add_argument(
        "--url",
        default=None,
        help="the API's address (default http://127.0.0.1:$LAATU_PORT, port 8000)",
    )
    command.add_argument("--token", help=f"an auditor's bearer token (default ${TOKEN_ENV})")
    command.add_argument(
        "--timeout", type=float, default=600.0, help="seconds to wait for the import (600)"
    )
    command.add_argument(
        "--all", action="store_true", help="list every row, not only those needing attention"
    )
    command.set_defaults(run=run, parser=command)


def run(args: argparse.Namespace) -> int:
    token: str = args.token or os.environ.get(TOKEN_ENV) or ""
    if not token:
        args.parser.error(f"give an auditor's token with --token or ${TOKEN_ENV}")
    if not args.file.is_file():
        args.parser.error(f"{args.file} is not a file")
    api = Api(base_url(args.url), token)
    try:
        return import_file(api, args.file, timeout_s=args.timeout, show_all=args.all)
    except CommandFailed as exc:
        print(f"laatu import: {exc}", file=sys.stderr)
        return 1


def import_file(
    api: Api,
    path: Path,
    *,
    timeout_s: float,
    show_all: bool = False,
    out: TextIO = sys.stdout,
    progress: TextIO = sys.stderr,
    clock: Callable[[], float] = time.monotonic,
) -> int:
    created = api.expect(201, "POST", "/v1/imports")
    import_id = created["import_id"]
    upload = created["upload"]
    print(
        f"import {import_id}: uploading {path.name} ({path.stat().st_size:,} bytes)", file=progress
    )
    upload_file(upload["url"], upload["fields"], upload.get("file_field", "file"), path)
    state = wait(api, import_id, timeout_s, progress, clock)
    if state["status"] == "failed":
        error = state.get("error") or {}
        print(f"import {import_id} FAILED: {error.get('message')} ({error.get('code')})", file=out)
        return 1
    rows = state["rows"]
    print(
        f"import {import_id} done: {rows['total']} rows, {rows['imported']} imported "
        f"({rows['created']} created, {rows['amended']} amended, {rows['unchanged']} unchanged), "
        f"{rows['rejected']} rejected",
        file=out,
    )
    for entry in report(api, import_id):
        if show_all or entry["outcome"] in ("rejected", "amended") or entry["warnings"]:
            print(_entry_text(entry), file=out)
    if state.get("report_csv_url"):
        print(f"report CSV: {state['report_csv_url']}", file=out)
    return 0 if rows["rejected"] == 0 else 1


def wait(
    api: Api, import_id: str, timeout_s: float, progress: TextIO, clock: Callable[[], float]
) -> dict[str, Any]:
    deadline = clock() + timeout_s
    shown = None
    while True:
        state: dict[str, Any] = api.expect(200, "GET", f"/v1/imports/{import_id}?limit=0")
        rows = state["rows"]
        line = f"  {state['status']}: {rows['processed']} of {rows['total'] or '?'} rows"
        if line != shown:
            print(line, file=progress)
            shown = line
        if state["status"] in ("done", "failed"):
            return state
        if clock() > deadline:
            raise CommandFailed(f"import {import_id} did not finish in {timeout_s:g} s")
        time.sleep(POLL_S)


def report(api: Api, import_id: str) -> list[dict[str, Any]]:
    entries: list[dict[str, Any]] = []
    cursor: str | None = "0"
    while cursor is not None:
        page = api.expect(200, "GET", f"/v1/imports/{import_id}?limit={PAGE}&cursor={cursor}")
        entries.extend(page["report"]["rows"])
        cursor = page["report"]["next_cursor"]
    return entries


def _entry_text(entry: dict[str, Any]) -> str:
    head = f"  row {entry['row']:>6}  {entry['external_id'] or '(no external_id)'}: "
    if entry["outcome"] == "rejected":
        lines = [head + "rejected"]
    else:
        lines = [
            head + f"{entry['outcome']} (evaluation {entry['evaluation_id']}, "
            f"revision {entry['revision']})"
        ]
    for kind, items in (("problem", entry["problems"]), ("warning", entry["warnings"])):
        for item in items:
            where = f"{item['column']}: " if item.get("column") else ""
            lines.append(f"      {kind}: {where}{item['message']}")
    return "\n".join(lines)


def upload_file(url: str, fields: dict[str, str], file_field: str, path: Path) -> None:
    """The browser's multipart/form-data POST: the policy fields first, the file last."""
    boundary = f"----laatu{uuid.uuid4().hex}"
    kind = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
    parts: list[bytes] = []
    for name, value in fields.items():
        head = f'Content-Disposition: form-data; name="{name}"'
        parts.append(f"--{boundary}\r\n{head}\r\n\r\n{value}\r\n".encode())
    head = f'Content-Disposition: form-data; name="{file_field}"; filename="{_quoted(path.name)}"'
    parts.append(f"--{boundary}\r\n{head}\r\nContent-Type: {kind}\r\n\r\n".encode())
    parts.append(path.read_bytes())
    parts.append(f"\r\n--{boundary}--\r\n".encode())
    request = urllib.request.Request(  # noqa: S310 - the URL the API returned
        url,
        data=b"".join(parts),
        method="POST",
        headers={"Content-Type": f"multipart/form-data; boundary={boundary}"},
    )
    try:
        with urllib.request.urlopen(request, timeout=TIMEOUT_S) as response:  # noqa: S310
            response.read()
    except urllib.error.HTTPError as error:
        raise CommandFailed(
            f"the upload was refused ({error.code}): {error.read()[:500].decode(errors='replace')}"
        ) from None
    except OSError as exc:
        raise CommandFailed(f"cannot upload to {url}: {exc}") from None


def _quoted(name: str) -> str:
    return name.replace("\\", "_").replace('"', "_").replace("\r", "_").replace("\n", "_")
