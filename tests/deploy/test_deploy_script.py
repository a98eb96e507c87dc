"""`make deploy`, offline: clear refusals, and the calls it makes against a fake AWS CLI."""

from __future__ import annotations

import json
import os
import shutil
import stat
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from infra.aws import deploy
from tests.deploy import fake_aws
from tests.support import ROOT


@pytest.fixture
def fake_cli(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """An `aws` on PATH that is tests/deploy/fake_aws.py; returns its state file."""
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    shim = bin_dir / "aws"
    shim.write_text(f'#!/bin/sh\nexec {sys.executable} -m tests.deploy.fake_aws "$@"\n')
    shim.chmod(shim.stat().st_mode | stat.S_IXUSR)
    state = tmp_path / "state.json"
    state.write_text(json.dumps({"buckets": [], "stacks": {}, "calls": []}))
    monkeypatch.setenv("PATH", f"{bin_dir}:/usr/bin:/bin")
    monkeypatch.setenv("FAKE_AWS_STATE", str(state))
    monkeypatch.setenv("PYTHONPATH", str(ROOT))
    for name in ("ARTIFACT_BUCKET", *deploy.PARAMETERS_FROM_ENV):
        monkeypatch.delenv(name, raising=False)
    return state


def _state(path: Path) -> dict[str, Any]:
    loaded: dict[str, Any] = json.loads(path.read_text())
    return loaded


def _set(path: Path, **changes: Any) -> None:
    path.write_text(json.dumps({**_state(path), **changes}))


def test_no_cli_is_a_clear_error(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("PATH", str(tmp_path))
    with pytest.raises(deploy.DeployError, match="the AWS CLI is not installed"):
        deploy.preflight()


def test_no_credentials_is_a_clear_error(fake_cli: Path) -> None:
    _set(fake_cli, credentials=False)
    with pytest.raises(deploy.DeployError, match="no working AWS credentials") as raised:
        deploy.preflight()
    assert "Unable to locate credentials" in str(raised.value)


def test_no_region_is_a_clear_error(fake_cli: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("AWS_REGION")
    monkeypatch.delenv("AWS_DEFAULT_REGION")
    with pytest.raises(deploy.DeployError, match="no AWS region"):
        deploy.preflight()
    _set(fake_cli, configured_region="eu-west-1")
    assert deploy.preflight().region == "eu-west-1"


def test_make_deploy_without_the_cli_stops_before_building() -> None:
    # The real command line: preflight is the first step, so nothing gets built.
    done = subprocess.run(
        ["make", "--no-print-directory", "deploy", "STAGE=prod"],  # noqa: S607 - make from PATH
        cwd=ROOT,
        env={**os.environ, "PATH": f"{Path(sys.executable).parent}:/usr/bin:/bin"},
        capture_output=True,
        text=True,
        check=False,
        timeout=120,
    )
    assert done.returncode != 0
    assert "make deploy: the AWS CLI is not installed" in done.stderr
    assert "chalice" not in done.stdout


def _commands(state: dict[str, Any]) -> list[str]:
    return [" ".join(call[:2]) for call in state["calls"]]


def test_first_deploy_feeds_the_site_address_back_in_a_second_pass(
    fake_cli: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    package_dir = tmp_path / "package"
    package_dir.mkdir()
    (package_dir / "sam.yaml").write_text("Resources: {}\n")
    site = tmp_path / "site"
    shutil.copytree(ROOT / "static_site", site)
    config = tmp_path / "out" / "config.js"
    monkeypatch.setenv("PAYROLL_TENANT", "acme")

    outputs = deploy.deploy("prod", package_dir, site_dir=site, config_path=config)

    state = _state(fake_cli)
    deploys = [c for c in state["calls"] if c[:2] == ["cloudformation", "deploy"]]
    assert len(deploys) == 2
    first, second = (
        dict(v.split("=", 1) for v in d[d.index("--parameter-overrides") + 1 :] if "=" in v)
        for d in deploys
    )
    assert first["SiteUrl"] == ""
    assert second["SiteUrl"] == fake_aws.DISTRIBUTION
    assert first["PayrollTenant"] == "acme"
    for call in deploys:
        capabilities = call[call.index("--capabilities") + 1 : call.index("--capabilities") + 3]
        assert capabilities == ["CAPABILITY_IAM", "CAPABILITY_AUTO_EXPAND"]
        assert call[call.index("--stack-name") + 1] == "laatu-prod"
    assert state["buckets"] == ["laatu-artifacts-123456789012-eu-north-1"]
    assert _commands(state)[-3:] == ["s3 sync", "s3 cp", "cloudfront create-invalidation"]
    # The site's files keep their names from release to release: browsers must revalidate.
    sync, copy = state["calls"][-3], state["calls"][-2]
    for call in (sync, copy):
        assert call[call.index("--cache-control") + 1] == "no-cache", call
    assert sync[sync.index("--exclude") + 1] == "config.js"
    assert outputs["ConfiguredSiteUrl"] == outputs["SiteUrl"]
    # What is synced is a copy whose CSP names the stack's own origins, nothing wider.
    synced = Path(sync[2]) / "index.html"
    csp = synced.read_text().split('content="', 2)[2].split('"', 1)[0]
    connect = next(d for d in csp.split("; ") if d.startswith("connect-src"))
    assert connect == (
        "connect-src 'self' https://laatu-prod-123456789012.auth.eu-north-1.amazoncognito.com "
        "https://laatu-prod-uploadsbucket-def.s3.eu-north-1.amazonaws.com"
    )

    text = config.read_text()
    assert text.startswith("window.LAATU_CONFIG = ")
    settings = json.loads(text.removeprefix("window.LAATU_CONFIG = ").rstrip().rstrip(";"))
    # The shape static_site/js/settings.js reads.
    assert set(settings) == {"apiBaseUrl", "authMode", "cognito"}
    assert set(settings["cognito"]) >= {"domain", "clientId", "redirectUri", "logoutUri", "scopes"}
    assert settings["apiBaseUrl"] == fake_aws.DISTRIBUTION
    assert settings["authMode"] == "cognito"
    assert settings["cognito"]["clientId"] == "exampleclientid"
    assert settings["cognito"]["redirectUri"] == f"{fake_aws.DISTRIBUTION}/"

    # The next deploy already knows the address: one pass, the bucket reused.
    _set(fake_cli, calls=[])
    deploy.deploy("prod", package_dir, site_dir=site, config_path=config)
    again = _state(fake_cli)
    assert _commands(again).count("cloudformation deploy") == 1
    assert "s3api create-bucket" not in _commands(again)


def test_the_next_steps_name_the_pool_and_the_admin_group() -> None:
    text = deploy.next_steps(fake_aws.STATIC_OUTPUTS, "eu-north-1")
    assert "admin-create-user" in text
    assert "Name=custom:tenant,Value=" in text
    assert "--group-name admin" in text
