"""`laatu token`: tokens the local stack's verifier accepts."""

from __future__ import annotations

import os

import pytest

from chalicelib.adapters.tokens import local_verifier
from infra.local.cli import main


def test_a_token_carries_tenant_roles_and_agent(capsys: pytest.CaptureFixture[str]) -> None:
    argv = ["token", "--tenant", "demo", "--role", "agent,evaluator", "--role", "agent"]
    assert main([*argv, "--user", "aino.agent", "--agent-id", "aino", "--hours", "1"]) == 0
    token = capsys.readouterr().out.strip()

    principal = local_verifier(os.environ["LAATU_LOCAL_JWT_SECRET"]).verify(token)

    assert principal.tenant == "demo"
    assert principal.user == "aino.agent"
    assert principal.roles == frozenset({"agent", "evaluator"})
    assert principal.agent_id == "aino"


@pytest.mark.parametrize(
    "argv",
    [
        ["token", "--tenant", "demo", "--role", "boss", "--user", "u"],
        ["token", "--tenant", "Demo!", "--role", "admin", "--user", "u"],
        ["token", "--tenant", "demo", "--role", "agent", "--user", "u"],  # no --agent-id
        ["token", "--tenant", "demo", "--role", "admin", "--user", "u", "--hours", "0"],
        [],
    ],
)
def test_bad_requests_are_refused(argv: list[str], capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_:
        main(argv)
    assert exit_.value.code == 2
    assert capsys.readouterr().out == ""
