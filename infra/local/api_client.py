"""A small client of the local stack's HTTP API for the `laatu` subcommands."""

from __future__ import annotations

import json
import os
import urllib.error
import urllib.request
from typing import Any

from infra.local.settings import DEFAULT_PORT, HOST

TIMEOUT_S = 30


class CommandFailed(Exception):
    """What a subcommand prints before exiting 1."""


def base_url(given: str | None) -> str:
    return (given or f"http://{HOST}:{os.environ.get('LAATU_PORT') or DEFAULT_PORT}").rstrip("/")


class Api:
    def __init__(self, base_url: str, token: str) -> None:
        self._base = base_url
        self._token = token

    def expect(self, status: int, method: str, path: str) -> Any:
        request = urllib.request.Request(  # noqa: S310 - the local stack's address
            self._base + path,
            method=method,
            headers={"Authorization": f"Bearer {self._token}"},
        )
        try:
            with urllib.request.urlopen(request, timeout=TIMEOUT_S) as response:  # noqa: S310
                code, raw = int(response.status), response.read()
        except urllib.error.HTTPError as error:
            code, raw = int(error.code), error.read()
        except OSError as exc:
            raise CommandFailed(f"cannot reach the API at {self._base}: {exc}") from None
        try:
            body = json.loads(raw or b"null")
        except ValueError:
            body = raw.decode(errors="replace")
        if code != status:
            message = body.get("message") if isinstance(body, dict) else body
            raise CommandFailed(f"{method} {path} answered {code}: {message}")
        return body
