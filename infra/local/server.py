"""The one local origin: /v1/* goes to the Chalice app as API Gateway would send
it, everything else is the static web site, plus a generated /config.js.

One origin for both means the web site needs no CORS locally, as behind
CloudFront in AWS.
"""

from __future__ import annotations

import base64
import json
import logging
import mimetypes
import re
import threading
import time
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any, Protocol
from urllib.parse import unquote, urlsplit

from chalice.local import LocalGatewayException

from infra.local.loopback import is_loopback_host

log = logging.getLogger("laatu.local.http")
_PLAIN_HOST = re.compile(r"[A-Za-z0-9.\-]+(:[0-9]{1,5})?|\[[0-9A-Fa-f:]+\](:[0-9]{1,5})?")

API_PREFIX = "/v1"
API_WORKERS = 8
SHUTDOWN_POLL_S = 0.05  # how long stop() may wait for the serving loop to notice
MAX_BODY_BYTES = 10 * 1024 * 1024  # API Gateway's payload limit
CONTENT_TYPES = {
    ".html": "text/html; charset=utf-8",
    ".js": "text/javascript; charset=utf-8",
    ".mjs": "text/javascript; charset=utf-8",
    ".css": "text/css; charset=utf-8",
    ".json": "application/json; charset=utf-8",
    ".map": "application/json; charset=utf-8",
    ".svg": "image/svg+xml",
    ".png": "image/png",
    ".ico": "image/x-icon",
    ".webmanifest": "application/manifest+json",
    ".txt": "text/plain; charset=utf-8",
    ".csv": "text/csv; charset=utf-8",
    ".woff2": "font/woff2",
}
NOT_BUILT_PAGE = b"""<!doctype html>
<html lang="en"><meta charset="utf-8"><title>Laatu (local)</title>
<body><h1>Laatu is running</h1>
<p>The web site is not built yet: static_site/index.html does not exist.</p>
<p>The API is up; its description is at <a href="/v1/openapi.json">/v1/openapi.json</a>.</p>
</body></html>
"""


class Gateway(Protocol):
    """What chalice.local.LocalGateway offers."""

    def handle_request(
        self, method: str, path: str, headers: dict[str, str], body: bytes | None
    ) -> dict[str, Any]: ...


def content_type(path: Path) -> str:
    suffix = path.suffix.lower()
    if suffix in CONTENT_TYPES:
        return CONTENT_TYPES[suffix]
    guessed, _ = mimetypes.guess_type(path.name)
    return guessed or "application/octet-stream"


def static_file(root: Path, url_path: str) -> Path | None:
    """The file under `root` a URL path names, or None. Never a directory, never
    outside `root` (.. or a symlink out), never a dotfile (.git, .env)."""
    path = unquote(urlsplit(url_path).path)
    if "\x00" in path or "\\" in path:
        return None
    parts = [part for part in path.split("/") if part]
    if any(part.startswith(".") for part in parts):
        return None
    base = root.resolve()
    candidate = base.joinpath(*parts).resolve() if parts else base
    if not candidate.is_relative_to(base):
        return None
    if candidate.is_dir():
        candidate = candidate / "index.html"
    return candidate if candidate.is_file() else None


class FrontServer(ThreadingHTTPServer):
    daemon_threads = True
    request_queue_size = 64  # a browser opens several connections at once

    def __init__(self, host: str, port: int, static_root: Path) -> None:
        # Binds now, so a taken port fails before the slow part of start-up.
        super().__init__((host, port), _Handler)
        self.static_root = static_root
        self.gateway: Gateway | None = None
        # API calls run at once, up to what Lambda's reserved concurrency would
        # give one user's burst (the app must be made safe for that first, see
        # infra.local.app_threads). Beyond it a call waits for a free worker
        # instead of answering 429: locally the point is to run every call.
        self.api_workers = threading.BoundedSemaphore(API_WORKERS)
        self._thread: threading.Thread | None = None

    @property
    def port(self) -> int:
        return int(self.server_address[1])

    @property
    def origin(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self, gateway: Gateway) -> None:
        self.gateway = gateway
        self._thread = threading.Thread(
            target=self.serve_forever, args=(SHUTDOWN_POLL_S,), name="http", daemon=True
        )
        self._thread.start()

    def stop(self) -> None:
        """Idempotent: the stack calls it once to stop serving and once more to clean up."""
        if self._thread is not None:
            self.shutdown()
            self._thread.join()
            self._thread = None
        self.server_close()


def gateway_path(raw: str) -> str:
    """The request path with each segment percent-decoded, as API Gateway hands path
    parameters to the Lambda; a segment whose decoding would add a separator
    (/, ?, #) stays as sent, so routing sees the segments the client meant."""
    path, question, query = raw.partition("?")
    segments = []
    for segment in path.split("/"):
        decoded = unquote(segment)
        segments.append(segment if any(c in decoded for c in "/?#") else decoded)
    return "/".join(segments) + question + query


class _Handler(BaseHTTPRequestHandler):
    server: FrontServer
    protocol_version = "HTTP/1.1"
    # Headers and body go out in separate writes; with Nagle's algorithm a kept-alive
    # connection would wait for the client's delayed ACK (~40 ms) on every answer.
    disable_nagle_algorithm = True

    def send_error(self, code: int, message: str | None = None, explain: str | None = None) -> None:
        # A method no do_X handles is the client's mistake (API Gateway answers 4xx), not
        # a 501 from the server.
        if code == HTTPStatus.NOT_IMPLEMENTED:
            code, message = HTTPStatus.METHOD_NOT_ALLOWED, f"method {self.command} is not allowed"
        super().send_error(code, message, explain)

    def do_GET(self) -> None:
        self._dispatch()

    def do_HEAD(self) -> None:
        self._dispatch()

    def do_POST(self) -> None:
        self._dispatch()

    def do_PUT(self) -> None:
        self._dispatch()

    def do_PATCH(self) -> None:
        self._dispatch()

    def do_DELETE(self) -> None:
        self._dispatch()

    def do_OPTIONS(self) -> None:
        self._dispatch()

    def log_message(self, format: str, *args: Any) -> None:
        log.debug("%s %s", self.address_string(), format % args)

    def _dispatch(self) -> None:
        if not is_loopback_host(self.headers.get("Host")):
            self._send(HTTPStatus.MISDIRECTED_REQUEST, b"loopback names only\n", "text/plain")
            return
        path = urlsplit(self.path).path
        if path == API_PREFIX or path.startswith(API_PREFIX + "/"):
            self._api()
        elif self.command not in ("GET", "HEAD"):
            self._send(HTTPStatus.METHOD_NOT_ALLOWED, b"", "text/plain", {"Allow": "GET, HEAD"})
        elif path == "/config.js":
            self._config_js()
        else:
            self._static(path)

    def _api(self) -> None:
        started = time.perf_counter()
        body = self._read_body()
        if body is None:
            return
        status, headers, payload = self._call_gateway(body)
        kind = next((v for k, v in headers.items() if k.lower() == "content-type"), None)
        headers = {k: v for k, v in headers.items() if k.lower() != "content-type"}
        self._send(status, payload, kind or "application/json", headers)
        log.info(
            "%s %s %d %.0f ms",
            self.command,
            self.path,
            status,
            (time.perf_counter() - started) * 1000,
        )

    def _read_body(self) -> bytes | None:
        if "chunked" in self.headers.get("Transfer-Encoding", "").lower():
            self.close_connection = True
            self._send(HTTPStatus.LENGTH_REQUIRED, b"send Content-Length\n", "text/plain")
            return None
        raw_length = (self.headers.get("Content-Length") or "0").strip()
        if not raw_length.isdigit():
            self.close_connection = True
            self._send(HTTPStatus.BAD_REQUEST, b"bad Content-Length\n", "text/plain")
            return None
        length = int(raw_length)
        if length > MAX_BODY_BYTES:
            self.close_connection = True  # the unread body must not be taken for a request
            self._send(HTTPStatus.REQUEST_ENTITY_TOO_LARGE, b"", "text/plain")
            return None
        return self.rfile.read(length) if length > 0 else b""

    def _call_gateway(self, body: bytes) -> tuple[int, dict[str, str], bytes]:
        gateway = self.server.gateway
        assert gateway is not None, "started without a gateway"
        try:
            with self.server.api_workers:
                response = gateway.handle_request(
                    self.command, gateway_path(self.path), dict(self.headers.items()), body or None
                )
        except LocalGatewayException as error:
            return error.CODE, dict(error.headers), error.body or b""
        except Exception:
            # What API Gateway answers when the Lambda itself fails.
            log.exception("the API handler failed on %s %s", self.command, self.path)
            return 502, {}, b'{"message": "Internal server error"}'
        headers = {str(k): str(v) for k, v in (response.get("headers") or {}).items()}
        for name, values in (response.get("multiValueHeaders") or {}).items():
            headers[str(name)] = ", ".join(str(v) for v in values)
        raw = response.get("body") or b""
        if response.get("isBase64Encoded"):
            payload = base64.b64decode(raw)
        else:
            payload = raw.encode("utf-8") if isinstance(raw, str) else bytes(raw)
        return int(response["statusCode"]), headers, payload

    def _config_js(self) -> None:
        # The origin the browser used, so http://localhost:PORT works as well as
        # 127.0.0.1; the Host was checked to be a loopback name.
        host = self.headers.get("Host") or ""
        origin = f"http://{host}" if _PLAIN_HOST.fullmatch(host) else self.server.origin
        config = {"apiBaseUrl": origin, "authMode": "local"}
        body = f"window.LAATU_CONFIG = {json.dumps(config)};\n".encode()
        self._send(HTTPStatus.OK, body, "text/javascript; charset=utf-8")

    def _static(self, path: str) -> None:
        root = self.server.static_root
        found = static_file(root, path)
        if found is None and path == "/":
            self._send(HTTPStatus.OK, NOT_BUILT_PAGE, "text/html; charset=utf-8")
        elif found is None:
            self._send(HTTPStatus.NOT_FOUND, b"not found\n", "text/plain; charset=utf-8")
        else:
            self._send(HTTPStatus.OK, found.read_bytes(), content_type(found))

    def _send(
        self,
        status: int,
        body: bytes,
        kind: str,
        headers: dict[str, str] | None = None,
    ) -> None:
        self.send_response(status)
        self.send_header("Content-Type", kind)
        self.send_header("Content-Length", str(len(body)))
        self.send_header("X-Content-Type-Options", "nosniff")
        extra = {k: v for k, v in (headers or {}).items() if k.lower() != "content-length"}
        extra.setdefault("Cache-Control", "no-cache")
        for name, value in extra.items():
            self.send_header(name, value)
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)
