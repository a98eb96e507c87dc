"""The end-to-end tests' one fixture: a local stack started as `make run` starts it."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.e2e.local_stack import StackProcess


@pytest.fixture
def stack(tmp_path: Path) -> Iterator[StackProcess]:
    """Not yet started: a test may start, stop and restart it on the same data."""
    process = StackProcess(tmp_path / "data", tmp_path / "stack.log")
    try:
        yield process
    finally:
        process.kill()
