"""One Chalice app serving many requests at once, as many Lambda containers would.

Chalice keeps the request it is serving on the app object (`app.current_request`,
`app.lambda_context`), and every Blueprint reads it from there. In Lambda that is
safe, because one container runs one request at a time; in one local process with
several requests in flight, a second request would overwrite the first one's.
`per_thread` swaps the app's class for a subclass in which those two attributes
are per thread, so each request thread sees only its own. Chalice's own
`chalice local` does the same for `current_request` (chalice.local.LocalChalice),
but not for `lambda_context`, and only by rebinding a class shared by every app.

The subclass also counts the API calls inside the app, so the front can show
(and the tests can check) how many really ran at once.
"""

from __future__ import annotations

import threading
from typing import Any

from chalice.app import Chalice

IN_FLIGHT_HEADER = "X-Laatu-Local-In-Flight"  # local only: API Gateway sends no such header
_PER_THREAD = ("current_request", "lambda_context")


class InFlight:
    """How many calls are inside the app now, and the most there have been at once."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._now = 0
        self._peak = 0

    def enter(self) -> int:
        """Counts one more call in; returns how many are in, this one included."""
        with self._lock:
            self._now += 1
            self._peak = max(self._peak, self._now)
            return self._now

    def leave(self) -> None:
        with self._lock:
            self._now -= 1

    @property
    def peak(self) -> int:
        with self._lock:
            return self._peak


class _ThreadAttribute:
    """A data descriptor whose value is the calling thread's own (None until it sets one)."""

    def __set_name__(self, owner: type, name: str) -> None:
        self._name = name

    def __get__(self, app: Any, owner: type | None = None) -> Any:
        if app is None:
            return self
        return getattr(app.__dict__["_laatu_thread"], self._name, None)

    def __set__(self, app: Any, value: Any) -> None:
        setattr(app.__dict__["_laatu_thread"], self._name, value)


def _call_counted(app: Any, event: Any, context: Any) -> dict[str, Any]:
    gauge: InFlight = app.__dict__["_laatu_in_flight"]
    in_flight = gauge.enter()
    try:
        response: dict[str, Any] = super(type(app), app).__call__(event, context)
    finally:
        gauge.leave()
    response.setdefault("headers", {})[IN_FLIGHT_HEADER] = str(in_flight)
    return response


def per_thread(app: Chalice) -> InFlight:
    """Makes `app` safe to call from several threads at once; returns its call gauge.

    Only the local stack calls this: the deployed app keeps Chalice's own class.
    """
    base = type(app)
    namespace: dict[str, Any] = {name: _ThreadAttribute() for name in _PER_THREAD}
    namespace["__call__"] = _call_counted
    gauge = InFlight()
    # A data descriptor on the class wins over the instance's own attribute, but
    # the stale values are dropped so nothing can read them by another way.
    for name in _PER_THREAD:
        app.__dict__.pop(name, None)
    app.__dict__["_laatu_thread"] = threading.local()
    app.__dict__["_laatu_in_flight"] = gauge
    app.__class__ = type(f"PerThread{base.__name__}", (base,), namespace)
    return gauge
