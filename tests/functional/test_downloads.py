"""Table downloads through the HTTP edge: `@endpoint` with a file Reply, Chalice's
binary handling as the deployed app configures it, and the local HTTP server, byte
for byte. The route is a test's own (the report routes come with their issue)."""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from chalice.app import Blueprint, Chalice
from chalice.config import Config
from chalice.local import LocalGateway
from chalice.test import Client

from chalicelib.api.downloads import CSV_TYPE, download_format, table_reply
from chalicelib.api.http import BINARY_TYPES, XLSX_TYPE, Call, Reply, endpoint
from chalicelib.domain.table_files import Column, Table
from infra.local.server import FrontServer
from tests.support import auth

TABLE = Table(
    {"fi": "Toteuma", "sv": "Uppfyllelse", "en": "Compliance"},
    [
        Column("name", {"fi": "Nimi", "sv": "Namn", "en": "Name"}),
        Column("n", {"fi": "Arviointeja", "sv": "Bedömningar", "en": "Evaluations"}, "integer"),
        Column("rate", {"fi": "Toteuma %", "sv": "Uppfyllt %", "en": "Compliance %"}, "percent"),
    ],
    [["Aino Ääninen", 12, Decimal("81.25")], ['=HYPERLINK("http://x")', 0, None]],
)
STEM = 'Toteuma – Äänekoski "2026-11"'
ASCII_NAME = 'filename="Toteuma-Aanekoski-2026-11'
EXACT_NAME = "filename*=UTF-8''Toteuma%20%E2%80%93%20%C3%84%C3%A4nekoski%202026-11"


@dataclass
class Downloads:
    app: Chalice
    produced: list[bytes] = field(default_factory=list)


@pytest.fixture
def downloads(app: Any) -> Downloads:
    """A Chalice app with the deployed app's binary types and one table route."""
    test_app = Chalice(app_name="downloads")
    test_app.api.binary_types = list(app.api.binary_types)
    blueprint = Blueprint(__name__)
    made = Downloads(test_app)

    @blueprint.route("/v1/test-table", methods=["GET"])
    @endpoint(blueprint)
    def table(call: Call) -> Reply:
        fmt, lang = download_format(call.query())
        if fmt == "json":
            return Reply({"rows": len(TABLE.rows)})
        reply = table_reply(TABLE, fmt, lang, STEM)
        made.produced.append(reply.body)
        return reply

    test_app.register_blueprint(blueprint)
    return made


def get(client: Client, query: str, accept: str | None = "*/*") -> Any:
    headers = {**auth("admin"), **({"Accept": accept} if accept else {})}
    return client.http.get(f"/v1/test-table{query}", headers=headers)


def test_the_deployed_app_sends_xlsx_as_binary(app: Any) -> None:
    assert set(BINARY_TYPES) <= set(app.api.binary_types)
    assert XLSX_TYPE in BINARY_TYPES


def test_xlsx_comes_through_the_chalice_client_byte_for_byte(downloads: Downloads) -> None:
    with Client(downloads.app) as client:
        response = get(client, "?format=xlsx&lang=sv", accept=XLSX_TYPE)
    assert response.status_code == 200
    assert response.headers["Content-Type"] == XLSX_TYPE
    assert response.body == downloads.produced[-1]
    assert response.body.startswith(b"PK\x03\x04")
    disposition = response.headers["Content-Disposition"]
    assert disposition.startswith(f'attachment; {ASCII_NAME}.xlsx"; ')
    assert disposition.endswith(f"{EXACT_NAME}.xlsx")
    assert disposition.isascii()
    assert response.headers["Cache-Control"] == "no-store"


@pytest.mark.parametrize(
    ("lang", "line"),
    [
        ("fi", b"Aino \xc3\x84\xc3\xa4ninen;12;81,25"),
        ("en", b"Aino \xc3\x84\xc3\xa4ninen,12,81.25"),
    ],
)
def test_csv_comes_through_byte_for_byte(downloads: Downloads, lang: str, line: bytes) -> None:
    with Client(downloads.app) as client:
        response = get(client, f"?format=csv&lang={lang}")
    assert response.status_code == 200
    assert response.headers["Content-Type"] == CSV_TYPE
    assert response.body == downloads.produced[-1]
    assert response.body.startswith(b"\xef\xbb\xbf")
    assert line + b"\r\n" in response.body


def test_json_stays_the_default_and_lang_defaults_to_finnish(downloads: Downloads) -> None:
    with Client(downloads.app) as client:
        assert json.loads(get(client, "").body) == {"rows": 2}
        csv_fi = get(client, "?format=csv").body
    assert csv_fi.split(b"\r\n")[0] == "\ufeffNimi;Arviointeja;Toteuma %".encode()


@pytest.mark.parametrize(
    ("query", "field_name"),
    [("?format=pdf", "format"), ("?format=XLSX", "format"), ("?format=csv&lang=de", "lang")],
)
def test_an_unknown_format_or_language_is_refused(
    downloads: Downloads, query: str, field_name: str
) -> None:
    with Client(downloads.app) as client:
        response = get(client, query)
    assert response.status_code == 400
    body = json.loads(response.body)
    assert (body["error"], body["field"]) == ("invalid", field_name)


def test_xlsx_without_an_accept_header_that_allows_it_is_refused(downloads: Downloads) -> None:
    # Chalice's own rule (API Gateway would otherwise answer base64 text).
    with Client(downloads.app) as client:
        response = get(client, "?format=xlsx", accept="text/csv")
    assert response.status_code == 400


@pytest.fixture
def front(downloads: Downloads, tmp_path: Path) -> Iterator[FrontServer]:
    server = FrontServer("127.0.0.1", 0, tmp_path)
    gateway = LocalGateway(downloads.app, Config.create(chalice_stage="local", app_name="t"))
    server.start(gateway)
    try:
        yield server
    finally:
        server.stop()


def fetch(server: FrontServer, query: str, accept: str) -> tuple[int, dict[str, str], bytes]:
    request = urllib.request.Request(  # noqa: S310 - a loopback URL built here
        f"{server.origin}/v1/test-table{query}",
        headers={**auth("admin"), "Accept": accept},
    )
    with urllib.request.urlopen(request, timeout=10) as answer:  # noqa: S310
        return answer.status, dict(answer.headers.items()), answer.read()


def test_xlsx_and_csv_come_through_the_local_http_server_byte_for_byte(
    downloads: Downloads, front: FrontServer
) -> None:
    status, headers, body = fetch(front, "?format=xlsx&lang=fi", XLSX_TYPE)
    assert status == 200
    assert headers["Content-Type"] == XLSX_TYPE
    assert body == downloads.produced[-1]
    assert int(headers["Content-Length"]) == len(body)
    assert headers["Content-Disposition"].endswith(f"{EXACT_NAME}.xlsx")

    status, headers, body = fetch(front, "?format=csv&lang=sv", "text/csv, */*")
    assert status == 200
    assert headers["Content-Type"] == CSV_TYPE
    assert body == downloads.produced[-1]
