"""The local HTTP front: API routing, static files without traversal, /config.js."""

from __future__ import annotations

import http.client
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from chalice.local import ForbiddenError

from infra.local.server import FrontServer


class FakeGateway:
    def __init__(self) -> None:
        self.calls: list[tuple[str, str, bytes | None]] = []

    def handle_request(
        self, method: str, path: str, headers: dict[str, str], body: bytes | None
    ) -> dict[str, Any]:
        self.calls.append((method, path, body))
        if path.startswith("/v1/forbidden"):
            raise ForbiddenError({"x-amzn-ErrorType": "AccessDeniedException"}, b'{"m": 1}')
        if path.startswith("/v1/crash"):
            raise RuntimeError("boom")
        return {
            "statusCode": 201,
            "headers": {"Content-Type": "application/json", "ETag": '"1"'},
            "multiValueHeaders": {},
            "body": '{"ok": true}',
        }


@pytest.fixture
def site(tmp_path: Path) -> Path:
    root = tmp_path / "site"
    (root / "js").mkdir(parents=True)
    (root / "empty").mkdir()
    (root / "index.html").write_text("<!doctype html><title>Laatu</title>")
    (root / "js" / "app.js").write_text("console.log(1)")
    (root / ".env").write_text("SECRET=1")
    (tmp_path / "outside.txt").write_text("not yours")
    (root / "link.txt").symlink_to(tmp_path / "outside.txt")
    return root


@pytest.fixture
def front(site: Path) -> Iterator[tuple[FrontServer, FakeGateway]]:
    server = FrontServer("127.0.0.1", 0, site)
    gateway = FakeGateway()
    server.start(gateway)
    yield server, gateway
    server.stop()


def request(
    server: FrontServer,
    method: str,
    path: str,
    body: bytes | None = None,
    host: str | None = None,
) -> tuple[int, dict[str, str], bytes]:
    connection = http.client.HTTPConnection("127.0.0.1", server.port, timeout=5)
    try:
        connection.putrequest(method, path, skip_host=host is not None)
        if host is not None:
            connection.putheader("Host", host)
        connection.putheader("Content-Length", str(len(body or b"")))
        connection.endheaders(body)
        response = connection.getresponse()
        return response.status, dict(response.getheaders()), response.read()
    finally:
        connection.close()


def test_api_paths_go_to_the_gateway_with_query_and_body(
    front: tuple[FrontServer, FakeGateway],
) -> None:
    server, gateway = front
    status, headers, body = request(server, "POST", "/v1/forms?x=1", b'{"a": 1}')
    assert (status, body) == (201, b'{"ok": true}')
    assert headers["Content-Type"] == "application/json"
    assert headers["ETag"] == '"1"'
    assert gateway.calls == [("POST", "/v1/forms?x=1", b'{"a": 1}')]


def test_gateway_refusals_and_crashes_answer_like_api_gateway(
    front: tuple[FrontServer, FakeGateway],
) -> None:
    server, _ = front
    assert request(server, "GET", "/v1/forbidden")[0] == 403
    status, _, body = request(server, "GET", "/v1/crash")
    assert (status, body) == (502, b'{"message": "Internal server error"}')


def test_static_files_with_their_content_types(front: tuple[FrontServer, FakeGateway]) -> None:
    server, _ = front
    status, headers, body = request(server, "GET", "/")
    assert (status, headers["Content-Type"]) == (200, "text/html; charset=utf-8")
    assert b"<title>Laatu</title>" in body
    status, headers, _ = request(server, "GET", "/js/app.js")
    assert (status, headers["Content-Type"]) == (200, "text/javascript; charset=utf-8")
    status, headers, body = request(server, "HEAD", "/js/app.js")
    assert (status, headers["Content-Length"], body) == (200, "14", b"")


@pytest.mark.parametrize(
    "path",
    [
        "/../outside.txt",
        "/js/../../outside.txt",
        "/%2e%2e/outside.txt",
        "/js/..%2f..%2foutside.txt",
        "/link.txt",  # a symlink out of the site
        "/.env",
        "/empty/",  # a directory: no listing
        "/js",
        "/nope.html",
        "/js/app.js%00.html",
    ],
)
def test_nothing_outside_the_site_and_no_listings(
    front: tuple[FrontServer, FakeGateway], path: str
) -> None:
    server, _ = front
    status, _, body = request(server, "GET", path)
    assert status == 404
    assert b"not yours" not in body


def test_a_bad_content_length_is_refused(front: tuple[FrontServer, FakeGateway]) -> None:
    server, gateway = front
    connection = http.client.HTTPConnection("127.0.0.1", server.port, timeout=5)
    try:
        connection.putrequest("POST", "/v1/forms")
        connection.putheader("Content-Length", "-5")
        connection.endheaders()
        assert connection.getresponse().status == 400
    finally:
        connection.close()
    assert gateway.calls == []


def test_only_get_and_head_for_the_site(front: tuple[FrontServer, FakeGateway]) -> None:
    server, _ = front
    assert request(server, "POST", "/index.html", b"x")[0] == 405


def test_config_js_names_the_origin_the_browser_used(
    front: tuple[FrontServer, FakeGateway],
) -> None:
    server, _ = front
    status, headers, body = request(server, "GET", "/config.js")
    assert (status, headers["Content-Type"]) == (200, "text/javascript; charset=utf-8")
    assert body.decode() == (
        f'window.LAATU_CONFIG = {{"apiBaseUrl": "http://127.0.0.1:{server.port}", '
        '"authMode": "local"};\n'
    )
    _, _, body = request(server, "GET", "/config.js", host=f"localhost:{server.port}")
    assert f'"apiBaseUrl": "http://localhost:{server.port}"' in body.decode()


def test_foreign_host_names_are_refused(front: tuple[FrontServer, FakeGateway]) -> None:
    """A page on another name rebound to 127.0.0.1 must not reach the stack."""
    server, gateway = front
    assert request(server, "GET", "/v1/me", host="evil.example")[0] == 421
    assert request(server, "GET", "/", host=f"evil.example:{server.port}")[0] == 421
    assert gateway.calls == []


def test_without_a_built_site_the_root_says_so(tmp_path: Path) -> None:
    server = FrontServer("127.0.0.1", 0, tmp_path / "missing")
    server.start(FakeGateway())
    try:
        status, headers, body = request(server, "GET", "/")
    finally:
        server.stop()
    assert (status, headers["Content-Type"]) == (200, "text/html; charset=utf-8")
    assert b"not built yet" in body
    assert b"/v1/openapi.json" in body


def test_path_segments_reach_the_app_decoded_as_from_api_gateway(
    front: tuple[FrontServer, FakeGateway],
) -> None:
    server, gateway = front
    request(server, "GET", "/v1/agents/a%40b/summary?period=2026-11&q=%20")
    request(server, "GET", "/v1/agents/a%2Fb")  # decoding would make two segments
    request(server, "GET", "/v1/agents/%C3%A4")
    assert [path for _, path, _ in gateway.calls] == [
        "/v1/agents/a@b/summary?period=2026-11&q=%20",
        "/v1/agents/a%2Fb",
        "/v1/agents/ä",
    ]


def test_a_method_nobody_handles_is_a_client_error(front: tuple[FrontServer, FakeGateway]) -> None:
    server, gateway = front
    for method in ("TRACE", "BREW"):
        status, _, _ = request(server, method, "/v1/settings")
        assert status == 405
    assert gateway.calls == []
