"""`laatu mail`: the inbox mail the local stack sent, read back from moto's SES.

The stack writes moto's address (its port changes at each start) into its data
dir while it runs; `--moto` names it instead. Each mail is printed as it went:
from, to, subject and body (a link and nothing else).
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path
from typing import Any, TextIO

from infra.local.mail import SentMail, endpoint_path, sent_mail
from infra.local.settings import ROOT


def add_parser(commands: Any) -> None:
    command = commands.add_parser(
        "mail",
        help="list the inbox mail the local stack sent (moto's SES)",
        description=(
            "Print every mail the running local stack sent through moto's SES, oldest "
            "first: from, to, subject and the link."
        ),
    )
    command.add_argument("--to", help="only mail to this address")
    command.add_argument("--last", type=int, default=None, help="only the last N mails")
    command.add_argument("--json", action="store_true", help="one JSON object per line")
    command.add_argument("--moto", help="moto's address (default: the running stack's)")
    command.add_argument(
        "--data-dir",
        type=Path,
        default=None,
        help="the stack's data dir (default $LAATU_DATA_DIR or .data)",
    )
    command.set_defaults(run=run, parser=command)


def moto_endpoint(given: str | None, data_dir: Path | None) -> str | None:
    if given:
        return given
    raw = os.environ.get("LAATU_DATA_DIR", "").strip()
    folder = data_dir or (Path(raw).expanduser() if raw else ROOT / ".data")
    try:
        return endpoint_path(folder.resolve()).read_text("utf-8").strip() or None
    except FileNotFoundError:
        return None


def run(args: argparse.Namespace) -> int:
    endpoint = moto_endpoint(args.moto, args.data_dir)
    if endpoint is None:
        print(
            "laatu mail: the local stack is not running (start it with make run)", file=sys.stderr
        )
        return 1
    try:
        mails = sent_mail(endpoint)
    except OSError as exc:
        print(f"laatu mail: cannot reach moto at {endpoint}: {exc}", file=sys.stderr)
        return 1
    if args.to:
        mails = [m for m in mails if args.to in m.to]
    if args.last is not None:
        mails = mails[-args.last :] if args.last > 0 else []
    show(mails, as_json=args.json)
    return 0


def show(mails: list[SentMail], *, as_json: bool, stdout: TextIO = sys.stdout) -> None:
    if as_json:
        for mail in mails:
            print(json.dumps(mail.to_dict(), ensure_ascii=False), file=stdout)
        return
    if not mails:
        print("no mail sent yet", file=stdout)
        return
    for mail in mails:
        print(f"From:    {mail.sender}", file=stdout)
        print(f"To:      {', '.join(mail.to)}", file=stdout)
        print(f"Subject: {mail.subject}", file=stdout)
        print("", file=stdout)
        print(mail.body.rstrip("\n"), file=stdout)
        print("", file=stdout)
