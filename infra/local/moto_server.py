"""moto's server, in this process, on a free loopback port.

Built like moto's ThreadedMotoServer, which would bind 0.0.0.0 by default.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Iterable
from typing import Any
from wsgiref.types import StartResponse, WSGIApplication, WSGIEnvironment

from moto.moto_server.werkzeug_app import (
    DomainDispatcherApplication,
    MotoRequestHandler,
    create_backend_app,
)
from werkzeug.serving import BaseWSGIServer, make_server

from infra.local.loop import BackgroundLoop
from infra.local.loopback import is_loopback_host
from infra.local.settings import HOST

log = logging.getLogger("laatu.local.moto")
# X-Amz-Target of DynamoDB ("DynamoDB_20120810.PutItem") and of its Streams API
# ("DynamoDBStreams_20120810.GetRecords"); S3 sends none.
DYNAMODB_TARGETS = "DynamoDB"


def moto_app() -> WSGIApplication:
    app: WSGIApplication = DomainDispatcherApplication(create_backend_app)
    return app


class _QuietRequestHandler(MotoRequestHandler):
    # The stream pump polls several times a second; a line per request would bury the log.
    def log_request(self, *args: Any, **kwargs: Any) -> None:
        pass


class LoopbackOnly:
    """Refuses requests whose Host is not a loopback name (see infra.local.loopback)."""

    def __init__(self, app: WSGIApplication) -> None:
        self._app = app

    def __call__(self, environ: WSGIEnvironment, start_response: StartResponse) -> Iterable[bytes]:
        if is_loopback_host(environ.get("HTTP_HOST")):
            return self._app(environ, start_response)
        start_response("421 Misdirected Request", [("Content-Type", "text/plain")])
        return [b"this server answers only loopback names\n"]


class OneDynamoDBRequestAtATime:
    """Runs moto's DynamoDB and DynamoDB Streams requests one at a time; S3 freely.

    DynamoDB makes each request atomic: a TransactWriteItems is all or nothing
    and serialisable with every other request, and a GetItem, Query or
    GetRecords never sees half of one. moto's backend has no lock: it applies a
    transaction item by item and undoes it on cancellation, so a read in between
    would see items (and stream records) DynamoDB never had, and a Query over an
    index iterates the table's dicts while a write may grow them ("dictionary
    changed size during iteration"). One lock per DynamoDB request restores
    those semantics. It costs little: moto is pure Python, so under the GIL
    its requests never ran in parallel anyway; the HTTP work around them does.

    Writes are also serialised by the journal's lock (for its order), which is
    taken before this one (see infra.local.journal), as the stream pump takes
    it before its Streams calls, so the two locks are always taken in one order.
    moto's S3 copies its key store before iterating and replaces an object's
    versions in one step, so S3 requests need no lock here.
    """

    def __init__(self, app: WSGIApplication) -> None:
        self._app = app
        self._lock = threading.Lock()

    def __call__(self, environ: WSGIEnvironment, start_response: StartResponse) -> Iterable[bytes]:
        if not str(environ.get("HTTP_X_AMZ_TARGET", "")).startswith(DYNAMODB_TARGETS):
            return self._app(environ, start_response)
        with self._lock:
            # Drained inside the lock, so the whole request is, whatever the app returns.
            app_iter = self._app(environ, start_response)
            try:
                return [b"".join(app_iter)]
            finally:
                close = getattr(app_iter, "close", None)
                if close is not None:
                    close()


class MotoServer:
    def __init__(self, app: WSGIApplication) -> None:
        self._server: BaseWSGIServer = make_server(
            HOST, 0, app, threaded=True, request_handler=_QuietRequestHandler
        )
        self._thread = threading.Thread(
            target=self._server.serve_forever, args=(0.05,), name="moto-server", daemon=True
        )

    @property
    def endpoint(self) -> str:
        return f"http://{HOST}:{self._server.server_port}"

    def start(self) -> None:
        self._thread.start()
        log.info("moto serves DynamoDB, DynamoDB Streams, S3 and SES at %s", self.endpoint)

    def stop(self) -> None:
        if self._thread.is_alive():
            self._server.shutdown()
            self._thread.join()
        self._server.server_close()


class ShardIteratorExpiry:
    """Forgets moto's old DynamoDB Streams shard iterators, as AWS expires them.

    moto stores every iterator it hands out and never drops one; the stream
    pump gets a new one several times a second, so a stack left running would
    grow by tens of MB an hour. Each sweep drops the iterators the previous
    sweep saw, so one lives between one and two sweeps (AWS: 15 minutes).
    """

    def __init__(self, sweep_s: float = 450.0) -> None:
        self._sweep_s = sweep_s
        self._seen: set[str] = set()
        self._loop = BackgroundLoop(
            "iterator-expiry", self._step, retry_s=sweep_s, log=log, first_wait_s=sweep_s
        )

    def start(self) -> None:
        self._loop.start()

    def stop(self) -> None:
        self._loop.stop()

    def sweep(self) -> int:
        """Drops what the last sweep saw; returns how many went."""
        # Imported here: the backends module is heavy and only this needs it.
        from moto.dynamodbstreams.models import dynamodbstreams_backends

        dropped = 0
        now_seen: set[str] = set()
        for regions in list(dynamodbstreams_backends.values()):
            for backend in list(regions.values()):
                iterators = backend.shard_iterators
                for key in list(iterators):
                    if key in self._seen:
                        iterators.pop(key, None)
                        dropped += 1
                    else:
                        now_seen.add(key)
        self._seen = now_seen
        return dropped

    def _step(self) -> float:
        self.sweep()
        return self._sweep_s
