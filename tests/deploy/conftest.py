"""One `make package` per test session; every test here reads what it built."""

from __future__ import annotations

import os
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from infra.aws.template import load
from tests.deploy.flow import Recorded, run
from tests.support import ROOT

PACKAGE_DIR = ROOT / "build" / "package"
PACKAGE_TIMEOUT_S = 600  # pip may download the Linux wheels on a fresh machine


@dataclass(frozen=True)
class Packaged:
    directory: Path
    template: dict[str, Any]
    output: str
    seconds: float

    @property
    def zip_path(self) -> Path:
        return self.directory / "deployment.zip"

    @property
    def template_path(self) -> Path:
        return self.directory / "sam.yaml"

    @property
    def resources(self) -> dict[str, dict[str, Any]]:
        resources: dict[str, dict[str, Any]] = self.template["Resources"]
        return resources


@pytest.fixture(scope="session")
def packaged() -> Packaged:
    # The real command, as CI and a developer run it. The suite's fake AWS settings
    # (tests/conftest.py) are harmless here: packaging makes no AWS call.
    started = time.perf_counter()
    done = subprocess.run(
        ["make", "--no-print-directory", "package"],  # noqa: S607 - make from PATH, as a developer runs it
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=PACKAGE_TIMEOUT_S,
        env={**os.environ, "STAGE": "prod"},
        check=False,
    )
    output = done.stdout + done.stderr
    if done.returncode != 0:
        pytest.fail(f"make package failed ({done.returncode}):\n{output}")
    return Packaged(
        PACKAGE_DIR, load(PACKAGE_DIR / "sam.yaml"), output, time.perf_counter() - started
    )


@pytest.fixture(scope="session")
def recorded() -> Recorded:
    return run()
