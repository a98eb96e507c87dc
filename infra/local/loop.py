"""The one background loop the local stack's pollers share."""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable

from botocore.exceptions import BotoCoreError, ClientError


class BackgroundLoop:
    """A daemon thread that calls `step` until stopped.

    `step` returns how many seconds to wait before its next call. A failure is
    logged and retried after `retry_s`: a local stand-in keeps going, like the
    AWS service it replaces, rather than dying on one bad poll.
    """

    def __init__(
        self,
        name: str,
        step: Callable[[], float],
        *,
        retry_s: float,
        log: logging.Logger,
        first_wait_s: float = 0.0,
    ) -> None:
        self._step = step
        self._retry_s = retry_s
        self._log = log
        self._first_wait_s = first_wait_s
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name=name, daemon=True)

    @property
    def stopping(self) -> threading.Event:
        """Set once `stop` is called, for work that must notice it mid-step."""
        return self._stop

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        if self._thread.is_alive():
            self._thread.join()

    def _run(self) -> None:
        wait = self._first_wait_s
        while not self._stop.wait(wait):
            try:
                wait = self._step()
            except (BotoCoreError, ClientError) as exc:
                self._log.warning(
                    "%s: cannot reach moto (%s); trying again", self._thread.name, exc
                )
                wait = self._retry_s
            except Exception:
                self._log.exception("%s failed; trying again", self._thread.name)
                wait = self._retry_s
