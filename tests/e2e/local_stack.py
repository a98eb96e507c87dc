"""The local stack as `make run` starts it, in a subprocess, and a small HTTP client for it."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path
from typing import IO, Any

import pytest

from tests.support import ROOT

READY_LINE = "Press Ctrl-C to stop."


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


class StackProcess:
    """`python -m infra.local` with its own port and data dir; output goes to a file
    (a pipe nobody reads could fill up and stall the stack)."""

    def __init__(
        self,
        data_dir: Path,
        log_path: Path,
        port: int | None = None,
        *,
        demo_history: bool = False,
    ) -> None:
        self.data_dir = data_dir
        # Off unless asked for: other tests count what they wrote into an empty tenant.
        self.demo_history = demo_history
        self.log_path = log_path
        self.port = port or free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self._process: subprocess.Popen[bytes] | None = None
        self._log: IO[bytes] | None = None
        self._log_start = 0

    def start(self) -> float:
        """Starts it and waits until it is ready; returns how long that took."""
        env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_ENDPOINT_URL")}
        env.update(
            LAATU_PORT=str(self.port),
            LAATU_DATA_DIR=str(self.data_dir),
            LAATU_DEMO_HISTORY="1" if self.demo_history else "0",
            PYTHONUNBUFFERED="1",
        )
        self._log = self.log_path.open("ab")
        self._log_start = self._log.tell()
        started = time.perf_counter()
        self._process = subprocess.Popen(
            [sys.executable, "-m", "infra.local"],
            cwd=ROOT,
            env=env,
            stdout=self._log,
            stderr=subprocess.STDOUT,
        )
        self._wait_ready(timeout_s=60)
        return time.perf_counter() - started

    def output(self) -> str:
        """What this run (since the last start) printed."""
        with self.log_path.open("rb") as log:
            log.seek(self._log_start)
            return log.read().decode("utf-8", "replace")

    def stop(self, timeout_s: float = 15) -> int:
        """Ctrl-C, as a developer stops it; returns the exit code."""
        process = self._require()
        process.send_signal(signal.SIGINT)
        try:
            code = process.wait(timeout=timeout_s)
        except subprocess.TimeoutExpired:
            pytest.fail(f"the stack did not stop on SIGINT:\n{self.output()}")
        self._close_log()
        return code

    def kill(self) -> None:
        if self._process is not None and self._process.poll() is None:
            self._process.kill()
            self._process.wait(timeout=10)
        self._close_log()

    def _wait_ready(self, timeout_s: float) -> None:
        process = self._require()
        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline:
            if process.poll() is not None:
                pytest.fail(f"the stack exited with {process.returncode}:\n{self.output()}")
            if READY_LINE in self.output() and self._answers():
                return
            time.sleep(0.05)
        pytest.fail(f"the stack was not ready in {timeout_s} s:\n{self.output()}")

    def _answers(self) -> bool:
        try:
            with urllib.request.urlopen(f"{self.base}/config.js", timeout=2) as response:  # noqa: S310
                return int(response.status) == 200
        except OSError:
            return False

    def _require(self) -> subprocess.Popen[bytes]:
        assert self._process is not None, "start() first"
        return self._process

    def _close_log(self) -> None:
        if self._log is not None:
            self._log.close()
            self._log = None


def call(
    method: str,
    url: str,
    token: str | None = None,
    body: Any = None,
    headers: dict[str, str] | None = None,
) -> tuple[int, dict[str, str], Any]:
    """One request over real HTTP: (status, headers, JSON body or text)."""
    all_headers = {"Content-Type": "application/json", **(headers or {})}
    if token:
        all_headers["Authorization"] = f"Bearer {token}"
    request = urllib.request.Request(  # noqa: S310 - the stack's loopback URL
        url,
        method=method,
        data=None if body is None else json.dumps(body).encode(),
        headers=all_headers,
    )
    try:
        with urllib.request.urlopen(request, timeout=10) as response:  # noqa: S310
            status, answer, raw = int(response.status), dict(response.headers), response.read()
    except urllib.error.HTTPError as error:
        status, answer, raw = int(error.code), dict(error.headers), error.read()
    kind = answer.get("Content-Type", "")
    return status, answer, json.loads(raw) if "json" in kind and raw else raw.decode()


def laatu(*args: str, token: str | None = None) -> subprocess.CompletedProcess[str]:
    """The `laatu` command as a developer runs it, with LAATU_TOKEN set when given."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_ENDPOINT_URL")}
    env.pop("LAATU_TOKEN", None)
    if token is not None:
        env["LAATU_TOKEN"] = token
    return subprocess.run(  # noqa: S603 - our own CLI
        [sys.executable, "-m", "infra.local.cli", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
