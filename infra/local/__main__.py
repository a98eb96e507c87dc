"""`make run`: the whole Laatu stack on this machine, on 127.0.0.1 only."""

from __future__ import annotations

import logging
import signal
import sys
import threading
from types import FrameType

from infra.local.settings import LocalSettings
from infra.local.stack import running


def main() -> int:
    # The libraries' INFO lines (credentials found, endpoint chosen) are noise here.
    logging.basicConfig(
        level=logging.WARNING,
        format="%(asctime)s %(levelname)-7s %(name)s: %(message)s",
        datefmt="%H:%M:%S",
    )
    logging.getLogger("laatu").setLevel(logging.INFO)
    settings = LocalSettings.from_env()
    stop = threading.Event()

    def request_stop(signum: int, _frame: FrameType | None) -> None:
        logging.getLogger("laatu.local").info("%s received", signal.Signals(signum).name)
        stop.set()

    # While starting, SIGTERM unwinds like Ctrl-C so whatever started is stopped.
    signal.signal(signal.SIGTERM, signal.default_int_handler)
    try:
        with running(settings) as stack:
            # Imported late: it loads chalicelib, which must wait for the environment.
            from infra.local.banner import render

            signal.signal(signal.SIGINT, request_stop)
            signal.signal(signal.SIGTERM, request_stop)
            print(render(stack), flush=True)
            while not stop.wait(1.0):
                pass
    except KeyboardInterrupt:  # Ctrl-C while still starting
        return 130
    print("Laatu stopped.", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
