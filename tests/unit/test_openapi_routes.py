"""The OpenAPI document lists exactly the routes of the Chalice app, and the
blueprint serves it without auth."""

from __future__ import annotations

import json
from importlib import resources
from typing import Any

import pytest
from chalice.app import Chalice
from chalice.test import Client

from tests.support import load_app

IGNORED_METHODS = frozenset({"OPTIONS"})
OPENAPI_METHODS = frozenset({"GET", "PUT", "POST", "DELETE", "PATCH", "HEAD", "TRACE"})


def routes_of(app: Chalice) -> set[tuple[str, str]]:
    """(path, METHOD) of every route of a Chalice app, OPTIONS left out.

    `app.routes` maps each path to {METHOD: RouteEntry}.
    """
    return {
        (path, method.upper())
        for path, methods in app.routes.items()
        for method in methods
        if method.upper() not in IGNORED_METHODS
    }


def document_routes(document: dict[str, Any]) -> set[tuple[str, str]]:
    return {
        (path, method.upper())
        for path, item in document["paths"].items()
        for method in item
        if method.upper() in OPENAPI_METHODS
    }


@pytest.fixture(scope="module")
def document() -> dict[str, Any]:
    text = resources.files("chalicelib.schemas").joinpath("openapi.json").read_text("utf-8")
    loaded: dict[str, Any] = json.loads(text)
    return loaded


@pytest.fixture(scope="module")
def app() -> Chalice:
    """The real app from functions/app.py. Loaded once per process: a Chalice
    blueprint cannot be registered on a second app (it consumes its route options)."""
    loaded = load_app().app
    assert isinstance(loaded, Chalice)
    return loaded


def test_every_app_route_is_documented(app: Chalice, document: dict[str, Any]) -> None:
    missing = routes_of(app) - document_routes(document)
    assert not missing, f"routes missing from openapi.json: {sorted(missing)}"


def test_every_documented_route_exists(app: Chalice, document: dict[str, Any]) -> None:
    extra = document_routes(document) - routes_of(app)
    assert not extra, f"openapi.json documents routes the app lacks: {sorted(extra)}"


def test_the_document_is_served_without_auth(app: Chalice, document: dict[str, Any]) -> None:
    with Client(app) as client:
        response = client.http.get("/v1/openapi.json")
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "application/json"
    assert json.loads(response.body) == document
