"""What a developer can change about the local stack, read once from the environment."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
DEFAULT_PORT = 8000
HOST = "127.0.0.1"  # loopback only: the stack has no real auth in front of its data


@dataclass(frozen=True)
class LocalSettings:
    port: int
    data_dir: Path

    @property
    def journal_path(self) -> Path:
        return self.data_dir / "journal.jsonl"

    @property
    def dead_letter_dir(self) -> Path:
        return self.data_dir / "dead-letters"

    @property
    def lock_path(self) -> Path:
        return self.data_dir / "lock"

    @classmethod
    def from_env(cls, environ: dict[str, str] | None = None) -> LocalSettings:
        env = dict(os.environ if environ is None else environ)
        raw_port = env.get("LAATU_PORT", "").strip() or str(DEFAULT_PORT)
        if not raw_port.isdigit() or not 0 < int(raw_port) < 65536:
            raise SystemExit(f"LAATU_PORT must be a port number from 1 to 65535, not {raw_port!r}")
        raw_dir = env.get("LAATU_DATA_DIR", "").strip()
        data_dir = Path(raw_dir).expanduser() if raw_dir else ROOT / ".data"
        return cls(port=int(raw_port), data_dir=data_dir.resolve())
