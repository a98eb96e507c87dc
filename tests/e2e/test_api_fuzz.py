"""Schemathesis over every operation of the OpenAPI document, against the local stack.

One `st run` per role (and one two-role user), each over all operations with
schemathesis' examples, coverage and fuzzing phases, in its deterministic mode so CI
sends the same requests every time. A 5xx, an undocumented status or content type,
or a response whose body or headers break their documented schema fails the role's
test with the list schemathesis prints: operation, check, status, response and a
curl line.

The CLI runs in a subprocess rather than through schemathesis' pytest plugin: the
CLI's engine is the one that runs the coverage phase and orders operations, and its
failure list carries a curl line for each failure.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from chalicelib.adapters.tokens import issue_local_token
from tests.e2e.local_stack import StackProcess, call

pytestmark = pytest.mark.e2e

TENANT = "demo"  # seeded by the stack with form asiakaspalvelu v1 and a roster
FORM_ID = "asiakaspalvelu"
PERIOD = "2026-11"
AGENTS = ("aino", "pekka", "sari")
# role name -> (groups, agent id claim)
ROLES: dict[str, tuple[tuple[str, ...], str | None]] = {
    "admin": (("admin",), None),
    "evaluator": (("evaluator",), None),
    "auditor": (("auditor",), None),
    "agent": (("agent",), "aino"),
    "payroll": (("payroll",), None),
    "agent+payroll": (("agent", "payroll"), "aino"),
}
CHECKS = (
    "not_a_server_error",
    "response_schema_conformance",
    "status_code_conformance",
    "content_type_conformance",
    "response_headers_conformance",  # ETag, Location and Idempotent-Replayed as documented
)
# Bounds the whole module to about two minutes on a 2-core machine (printed by each
# test as requests and seconds; `make bench` is where speed figures are judged).
MAX_EXAMPLES = 8
# The coverage phase (each keyword's edges and violations, about a thousand requests
# a role) runs for the two roles that between them get past authorisation on every
# operation; the others would mostly hear 403 for it. Every role gets the examples
# and MAX_EXAMPLES fuzzed cases per operation.
COVERAGE_ROLES = frozenset({"admin", "evaluator"})
RUN_TIMEOUT_S = 300
# Drawn for a fifth of all generated strings: the inputs that have broken parsers
# here before (Unicode digits that pass str.isdigit() but not int(), numbers past
# Python's int-parsing limit, calendar edges with large offsets, invisible and
# control characters, formula starts, an If-Match of any shape).
HOSTILE_STRINGS = (
    "²",
    "١٢",
    "9" * 5000,
    '"²"',
    '"' + "9" * 5000 + '"',
    "*",
    'W/"1"',
    "0001-01-01T00:00:00+14:00",
    "9999-12-31T23:59:59-14:00",
    "0000-00-00",
    "2026-02-29",
    "9999-12",
    "0001-01",
    "\ufeffaino",
    "aino\u0000",
    "\u00a0aino",
    "\u200baino",
    "=1+1",
    "\t=cmd",
    "aino;=1",
)
ANSWERS = {
    "tervehdys": "yes",
    "tunnistus": "yes",
    "avoimet": "yes",
    "kuuntelu": "yes",
    "ratkaisu": "no",
    "lisamyynti": "na",
    "argumentointi": "yes",
    "ostopaatos": "yes",
    "yhteenveto": "yes",
    "kirjaus": "yes",
    "kiitos": "yes",
}


def token(role: str) -> str:
    groups, agent_id = ROLES[role]
    # The stack inherits this secret from the test environment (tests/conftest.py).
    return issue_local_token(
        os.environ["LAATU_LOCAL_JWT_SECRET"],
        tenant=TENANT,
        roles=list(groups),
        user=f"fuzz.{role.replace('+', '.')}",
        agent_id=agent_id,
    )


def token_arguments(role: str) -> str:
    groups, agent_id = ROLES[role]
    user = f"fuzz.{role.replace('+', '.')}"
    agent = f" --agent-id {agent_id}" if agent_id else ""
    return f"--tenant {TENANT} --role {','.join(groups)} --user {user}{agent}"


@dataclass
class Seeded:
    """The running stack and the real objects the fuzzer's path parameters may name."""

    stack: StackProcess
    values: dict[str, list[str | int]] = field(default_factory=dict)


def evaluation(agent_id: str, contact: str, ratkaisu: str = "no") -> dict[str, Any]:
    return {
        "form_id": FORM_ID,
        "form_version": 1,
        "agent_id": agent_id,
        "contact": {"channel": "phone", "id": contact, "occurred_at": "2026-11-02T10:15:00+02:00"},
        "method": "recording",
        "answers": {**ANSWERS, "ratkaisu": ratkaisu},
        "comments": {"ratkaisu": "Asia jäi auki."},
        "summary": "Ystävällinen, ratkaisu jäi kesken.",
    }


def expect(status: int, answer: tuple[int, dict[str, str], Any], what: str) -> Any:
    assert answer[0] == status, f"seeding: {what} answered {answer[0]}: {answer[2]}"
    return answer[2]


def seed(stack: StackProcess) -> dict[str, list[str | int]]:
    """Evaluations (one amended), a pending import and a period export, so that ids
    in paths can hit real objects and not only 404s."""
    base = stack.base
    evaluator, auditor, admin = token("evaluator"), token("auditor"), token("admin")
    ids: list[str | int] = []
    for number, agent_id in enumerate(("aino", "aino", "pekka", "sari")):
        created = expect(
            201,
            call("POST", f"{base}/v1/evaluations", evaluator, evaluation(agent_id, f"c-{number}")),
            "submitting an evaluation",
        )
        ids.append(created["evaluation_id"])
    amended = evaluation("aino", "c-0", ratkaisu="yes")
    expect(
        200,
        call("PUT", f"{base}/v1/evaluations/{ids[0]}", evaluator, amended, {"If-Match": '"1"'}),
        "amending an evaluation",
    )
    started = expect(201, call("POST", f"{base}/v1/imports", auditor), "starting an import")
    status, _, body = call("POST", f"{base}/v1/exports/2026-10/run", admin)
    assert status in (200, 202), f"seeding: running the October export answered {status}: {body}"
    return {
        "form_id": [FORM_ID],
        "version": [1],
        "evaluation_id": ids,
        "revision": [1, 2],
        "agent_id": list(AGENTS),
        "import_id": [started["import_id"]],
        "period": [PERIOD, "2026-10"],
    }


@pytest.fixture(scope="module")
def seeded(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Seeded]:
    root = tmp_path_factory.mktemp("fuzz-stack")
    stack = StackProcess(root / "data", root / "stack.log")
    try:
        stack.start()
        yield Seeded(stack, seed(stack))
    finally:
        stack.kill()


def toml_value(value: Any) -> str:
    """TOML for the few shapes the config needs; JSON's string escapes are TOML's."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float | str):
        return json.dumps(value)
    if isinstance(value, list | tuple):
        return "[" + ", ".join(toml_value(item) for item in value) + "]"
    if isinstance(value, dict):
        pairs = (f"{json.dumps(key)} = {toml_value(item)}" for key, item in value.items())
        return "{" + ", ".join(pairs) + "}"
    raise TypeError(f"no TOML for {value!r}")


def config(seeded: Seeded, role: str, report: Path) -> str:
    """schemathesis.toml for one role: its token, the checks, the bounds, and the
    seeded ids as dictionaries drawn for half of each path parameter's values."""
    settings: dict[str, Any] = {
        "base-url": seeded.stack.base,
        "headers": {"Authorization": f"Bearer {token(role)}"},
        "generation.max-examples": MAX_EXAMPLES,
        "generation.deterministic": True,
        "generation.database": "none",
        "phases.examples.fill-missing": True,
        "phases.coverage.enabled": role in COVERAGE_ROLES,
        "phases.stateful.enabled": False,
        "checks.enabled": False,
        **{f"checks.{check}.enabled": True for check in CHECKS},
        "dictionaries.hostile.values": list(HOSTILE_STRINGS),
        "generation.dictionaries.string": {"dictionary": "hostile", "probability": 0.2},
        "reports.json.path": str(report),
        "cache.enabled": False,
    }
    for name, values in seeded.values.items():
        settings[f"dictionaries.{name}.values"] = values
        settings[f"parameters.{name}"] = {"dictionary": name, "probability": 0.5}
    lines = []
    for dotted, value in settings.items():
        key = ".".join(json.dumps(part) for part in dotted.split("."))
        lines.append(f"{key} = {toml_value(value)}")
    return "\n".join(lines) + "\n"


def failures_section(output: str) -> str:
    """The part of schemathesis' output that lists each failure, or all of it."""
    match = re.search(r"^=+ FAILURES =+$(.*?)(?=^=+ (?:WARNINGS|SUMMARY) =+$)", output, re.M | re.S)
    return match.group(1).strip() if match else output


@pytest.mark.parametrize("role", list(ROLES))
def test_every_operation_keeps_to_the_document(seeded: Seeded, role: str, tmp_path: Path) -> None:
    settings = tmp_path / "schemathesis.toml"
    report = tmp_path / "report.json"
    settings.write_text(config(seeded, role, report), "utf-8")
    command = [
        sys.executable,
        "-m",
        "schemathesis.cli",
        "--config-file",
        str(settings),
        "--no-color",
        "run",
        f"{seeded.stack.base}/v1/openapi.json",
    ]
    env = {k: v for k, v in os.environ.items() if not k.startswith("SCHEMATHESIS_")}
    env["COLUMNS"] = "120"
    done = subprocess.run(  # noqa: S603 - schemathesis from this venv
        command,
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=RUN_TIMEOUT_S,
        check=False,
    )
    assert report.is_file(), f"schemathesis wrote no report:\n{done.stdout}\n{done.stderr}"
    summary = json.loads(report.read_text("utf-8"))
    print(
        f"{role}: {summary['test_cases']['generated']} requests over "
        f"{summary['operations']['tested']} operations in {summary['running_time']:.1f} s"
    )
    if done.returncode != 0:
        pytest.fail(
            f"schemathesis as {role} found {summary['test_cases']['unique_failures']} "
            f"failure(s); the token for a curl line below is "
            f"`laatu token {token_arguments(role)}` (the stack's secret from tests/conftest.py):"
            f"\n\n{failures_section(done.stdout)}\n{done.stderr}",
            pytrace=False,
        )
    operations = summary["operations"]
    assert operations["tested"] == operations["total"] > 0, operations
    assert summary["complete"], summary
