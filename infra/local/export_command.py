"""`laatu export --period 2026-11`: run a period's payroll export and fetch its files.

Uses only the HTTP API, as an admin and payroll would: POST
/v1/exports/{period}/run (the same guarantees as the heartbeat), then GET
/v1/exports/{period} for the presigned links, and downloads the newest
revision's files into a folder.
"""

from __future__ import annotations

import argparse
import os
import sys
import urllib.request
from pathlib import Path
from typing import Any, TextIO

from infra.local.api_client import TIMEOUT_S, Api, CommandFailed, base_url
from infra.local.import_command import TOKEN_ENV


def add_parser(commands: Any) -> None:
    command = commands.add_parser(
        "export",
        help="run a pay period's payroll export and download its files",
        description=(
            "Run the export of PERIOD now (as an admin's 'run now': written once, a new "
            "revision only when figures changed) and download the newest revision's files."
        ),
    )
    command.add_argument("--period", required=True, help="a pay period: 2026-11 or 2026-11-02")
    command.add_argument("--url", default=None, help="the API's address (default the local stack)")
    command.add_argument("--token", help=f"an admin's bearer token (default ${TOKEN_ENV})")
    command.add_argument(
        "--out", type=Path, default=Path("exports"), help="where to save the files (./exports)"
    )
    command.set_defaults(run=run, parser=command)


def run(args: argparse.Namespace) -> int:
    token: str = args.token or os.environ.get(TOKEN_ENV) or ""
    if not token:
        args.parser.error(f"give an admin's token with --token or ${TOKEN_ENV}")
    try:
        return export(Api(base_url(args.url), token), args.period, args.out)
    except CommandFailed as exc:
        print(f"laatu export: {exc}", file=sys.stderr)
        return 1


def export(api: Api, period: str, out: Path, stdout: TextIO = sys.stdout) -> int:
    ran = api.expect(200, "POST", f"/v1/exports/{period}/run")
    print(f"export {period}: {ran['outcome']}, revision {ran['revision']}", file=stdout)
    links = api.expect(200, "GET", f"/v1/exports/{period}")
    newest = links["revisions"][-1]
    folder = out / period / f"r{newest['revision']}"
    folder.mkdir(parents=True, exist_ok=True)
    for name, url in sorted(newest["files"].items()):
        target = folder / name
        with urllib.request.urlopen(url, timeout=TIMEOUT_S) as response:  # noqa: S310 - presigned
            target.write_bytes(response.read())
        print(f"  {target}", file=stdout)
    return 0
