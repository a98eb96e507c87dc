"""Batch import through the local stack as `make run` starts it: the template from the
API, `laatu import` (presigned POST to moto, the stack's S3 event, polling), the
report, the figures, and a restart that imports nothing twice."""

from __future__ import annotations

import csv
import io
import os
import subprocess
import urllib.request
from pathlib import Path
from typing import Any

import pytest

from chalicelib.adapters.tokens import issue_local_token
from tests.e2e.local_stack import StackProcess, call, laatu
from tests.e2e.test_local_stack import FORM, wait_for

pytestmark = pytest.mark.e2e

TENANT = "e2e-imports"
AUDITOR = "auditor.e2e"


def token(role: str, user: str) -> str:
    return issue_local_token(
        os.environ["LAATU_LOCAL_JWT_SECRET"], tenant=TENANT, roles=[role], user=user
    )


def laatu_import(stack: StackProcess, path: Path, *extra: str) -> subprocess.CompletedProcess[str]:
    return laatu("import", str(path), "--url", stack.base, *extra, token=token("auditor", AUDITOR))


def filled_template(stack: StackProcess, rows: list[dict[str, str]]) -> bytes:
    """The template as an auditor downloads it, filled in like a Finnish Excel saves it."""
    status, headers, text = call(
        "GET",
        f"{stack.base}/v1/forms/{FORM['form_id']}/versions/1/template.csv",
        token("auditor", AUDITOR),
    )
    assert status == 200, text
    assert headers["Content-Type"] == "text/csv; charset=utf-8"
    columns = text.lstrip("\ufeff").rstrip("\r\n").split(";")
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, columns, delimiter=";", lineterminator="\r\n")
    writer.writeheader()
    writer.writerows(rows)
    return buffer.getvalue().encode("windows-1252")


def a_row(external_id: str, ratkaisu: str = "kyllä", **cells: str) -> dict[str, str]:
    return {
        "external_id": external_id,
        "form_id": str(FORM["form_id"]),
        "form_version": "1",
        "agent_id": "agent-imp",
        "channel": "puhelin" if external_id == "bad" else "phone",
        "contact_id": f"call-{external_id}",
        "occurred_at": "2.11.2026 10.15",
        "tervehdys": "Kyllä",
        "ratkaisu": ratkaisu,
        **cells,
    }


def summary(stack: StackProcess) -> dict[str, Any]:
    status, _, body = call(
        "GET",
        f"{stack.base}/v1/agents/agent-imp/summary?period=2026-11",
        token("evaluator", "eval"),
    )
    assert status == 200, body
    figures: dict[str, Any] = body
    return figures


def imports_of(stack: StackProcess) -> list[dict[str, Any]]:
    status, _, body = call("GET", f"{stack.base}/v1/imports", token("auditor", AUDITOR))
    assert status == 200, body
    items: list[dict[str, Any]] = body["items"]
    return items


def test_an_auditor_imports_a_filled_template_with_laatu_import(
    stack: StackProcess, tmp_path: Path
) -> None:
    stack.start()
    admin = token("admin", "qa")
    assert call("POST", f"{stack.base}/v1/forms", admin, FORM)[0] == 201
    assert call("POST", f"{stack.base}/v1/forms/{FORM['form_id']}/publish", admin)[0] == 201

    batch = tmp_path / "lokakuu.csv"
    batch.write_bytes(
        filled_template(stack, [a_row("K-1"), a_row("K-2", ratkaisu="ei"), a_row("bad")])
    )
    result = laatu_import(stack, batch)
    assert result.returncode == 1, result.stderr  # one row was rejected
    out = result.stdout
    assert "done: 3 rows, 2 imported (2 created, 0 amended, 0 unchanged), 1 rejected" in out
    assert "row      4  bad: rejected" in out
    assert "problem: channel: 'puhelin' is not one of phone, email, chat, social" in out
    report_url = out.split("report CSV: ", 1)[1].strip()
    with urllib.request.urlopen(report_url, timeout=10) as response:  # noqa: S310 - moto on loopback
        report = response.read().decode("utf-8-sig")
    header = "row;external_id;outcome;evaluation_id;revision;problems;warnings"
    assert report.splitlines()[0] == header
    assert report.splitlines()[3].startswith("4;bad;rejected;")

    figures = wait_for(
        lambda: (summary(stack)["evaluations"] == 2, summary(stack)),
        what="the imported rows in the agent's figures",
    )
    assert figures["average_score"] == "62.50"  # 100 and 25 (1 of 4 points)

    # The same file again: nothing new, every row reported as already there.
    again = laatu_import(stack, batch, "--all")
    assert "2 imported (0 created, 0 amended, 2 unchanged), 1 rejected" in again.stdout
    assert again.stdout.count(": unchanged (evaluation ") == 2

    assert stack.stop() == 0
    stack.start()
    # The restarted stack delivers every upload again; finished imports ignore it.
    wait_for(
        lambda: ("already done" in stack.output(), stack.output()[-2000:]),
        what="the uploads redelivered after the restart",
    )
    listed = imports_of(stack)
    assert [i["status"] for i in listed] == ["done", "done"]
    assert sorted(i["rows"]["created"] for i in listed) == [0, 2]
    assert summary(stack)["evaluations"] == 2

    fixed = tmp_path / "korjattu.csv"
    fixed.write_bytes(filled_template(stack, [a_row("K-2", ratkaisu="kyllä"), a_row("K-3")]))
    result = laatu_import(stack, fixed)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "(1 created, 1 amended, 0 unchanged), 0 rejected" in result.stdout
    figures = wait_for(
        lambda: (summary(stack)["average_score"] == "100.00", summary(stack)),
        what="the amendment in the agent's figures",
    )
    assert figures["evaluations"] == 3
    assert not (stack.data_dir / "dead-letters").exists()


def test_laatu_import_needs_a_token(tmp_path: Path) -> None:
    batch = tmp_path / "x.csv"
    batch.write_text("external_id\r\n")
    result = laatu("import", str(batch))  # no token in the environment either
    assert result.returncode == 2
    assert "--token or $LAATU_TOKEN" in result.stderr
