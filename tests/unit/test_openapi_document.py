"""The OpenAPI document: valid OpenAPI 3.1, in step with the request-body schemas and
the domain's output shapes, and consistent about auth and error responses."""

from __future__ import annotations

import json
from importlib import resources
from typing import Any

import openapi_spec_validator
import pytest
from jsonschema import Draft202012Validator
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT202012

from chalicelib import schemas
from chalicelib.domain.evaluations import build_evaluation, present
from chalicelib.domain.forms import parse_form

DOCUMENT_URI = "urn:laatu:openapi.json"
METHODS = ("get", "put", "post", "delete", "patch", "head", "options", "trace")
# Where each request-body schema, and each of its $defs, lives in the document.
EMBEDDED = {
    "form": ("FormDefinition", {"slug": "Slug"}),
    "evaluation": ("EvaluationInput", {"agent_id": "AgentId"}),
    "settings": ("SettingsInput", {"decimal": "Decimal", "time_of_day": "TimeOfDay"}),
    "agent": ("AgentInput", {}),
}

FORM = {
    "form_id": "support",
    "name": "Support calls",
    "sections": [
        {
            "id": "opening",
            "title": "Opening",
            "criteria": [
                {"id": "greeting", "text": "Greets the customer"},
                {"id": "identity", "text": "Checks identity", "critical": True, "points": 2},
            ],
        },
        {
            "id": "closing",
            "title": "Closing",
            "criteria": [{"id": "summary", "text": "Summarises the call", "na_allowed": True}],
        },
    ],
}
EVALUATION = {
    "form_id": "support",
    "form_version": 1,
    "agent_id": "agent.7@example",
    "contact": {
        "channel": "phone",
        "id": "call-1",
        "occurred_at": "2026-11-02T14:05:00+02:00",
        "duration_s": 310,
    },
    "method": "recording",
    "answers": {"greeting": "yes", "identity": "no", "summary": "na"},
    "comments": {"identity": "Did not ask for the date of birth."},
    "summary": "Friendly but skipped the identity check.",
}


@pytest.fixture(scope="module")
def document() -> dict[str, Any]:
    text = resources.files("chalicelib.schemas").joinpath("openapi.json").read_text("utf-8")
    loaded: dict[str, Any] = json.loads(text)
    return loaded


def component_validator(document: dict[str, Any], name: str) -> Draft202012Validator:
    """A validator for one of the document's component schemas, refs resolved in it."""
    resource: Resource[Any] = Resource.from_contents(document, default_specification=DRAFT202012)
    registry: Registry[Any] = Registry().with_resource(DOCUMENT_URI, resource)
    return Draft202012Validator(
        {"$ref": f"{DOCUMENT_URI}#/components/schemas/{name}"}, registry=registry
    )


def operations(document: dict[str, Any]) -> list[tuple[str, str, dict[str, Any]]]:
    return [
        (path, method, item[method])
        for path, item in document["paths"].items()
        for method in METHODS
        if method in item
    ]


def resolve(document: dict[str, Any], node: dict[str, Any]) -> dict[str, Any]:
    while "$ref" in node:
        target: Any = document
        for part in node["$ref"].removeprefix("#/").split("/"):
            target = target[part]
        node = target
    return node


def test_document_is_valid_openapi_3_1(document: dict[str, Any]) -> None:
    assert document["openapi"].startswith("3.1.")
    openapi_spec_validator.validate(document)


@pytest.mark.parametrize("name", sorted(EMBEDDED))
def test_request_body_schemas_are_embedded_unchanged(document: dict[str, Any], name: str) -> None:
    component, defs = EMBEDDED[name]
    source = schemas.load(name)
    source_defs = source.pop("$defs", {})
    del source["$schema"], source["$id"]
    rewrites = {f"#/$defs/{d}": f"#/components/schemas/{c}" for d, c in defs.items()}

    def rewrite(node: Any) -> Any:
        if isinstance(node, dict):
            return {
                key: rewrites[value] if key == "$ref" else rewrite(value)
                for key, value in node.items()
            }
        if isinstance(node, list):
            return [rewrite(value) for value in node]
        return node

    embedded = document["components"]["schemas"]
    assert embedded[component] == rewrite(source)
    assert set(source_defs) == set(defs)
    for def_name, component_name in defs.items():
        assert embedded[component_name] == source_defs[def_name]


def test_every_route_but_the_document_needs_a_bearer_jwt(document: dict[str, Any]) -> None:
    assert document["components"]["securitySchemes"]["bearerAuth"] == {
        "type": "http",
        "scheme": "bearer",
        "bearerFormat": "JWT",
    }
    for path, method, operation in operations(document):
        security = operation.get("security", document.get("security"))
        if (path, method) == ("/v1/openapi.json", "get"):
            assert security == []
        else:
            assert security == [{"bearerAuth": []}], (path, method)
            assert {"401", "403"} <= set(operation["responses"]), (path, method)


def test_every_4xx_and_5xx_has_the_error_body(document: dict[str, Any]) -> None:
    error = document["components"]["schemas"]["Error"]
    assert error["required"] == ["error", "message", "field"]
    assert error["properties"]["field"] == {"type": ["string", "null"]}
    for path, method, operation in operations(document):
        for status, response in operation["responses"].items():
            if status[0] in "45":
                content = resolve(document, response)["content"]["application/json"]
                assert content["schema"] == {"$ref": "#/components/schemas/Error"}, (
                    path,
                    method,
                    status,
                )


def test_request_bodies_may_be_refused_as_invalid_or_too_large(
    document: dict[str, Any],
) -> None:
    for path, method, operation in operations(document):
        if "requestBody" in operation:
            assert {"400", "413"} <= set(operation["responses"]), (path, method)


def test_path_parameters_may_be_refused_as_invalid(document: dict[str, Any]) -> None:
    """An id in the path that no object could have is refused (400), never echoed."""
    for path, method, operation in operations(document):
        shared = document["paths"][path].get("parameters", [])
        parameters = [resolve(document, p) for p in [*shared, *operation.get("parameters", [])]]
        if any(parameter["in"] == "path" for parameter in parameters):
            assert "400" in operation["responses"], (path, method)


def test_every_operation_may_refuse_a_content_type_that_is_not_json(
    document: dict[str, Any],
) -> None:
    # Chalice checks Content-Type on every route, before authentication.
    for path, method, operation in operations(document):
        assert "415" in operation["responses"], (path, method)


def test_examples_of_the_request_bodies_validate(document: dict[str, Any]) -> None:
    component_validator(document, "FormDefinition").validate(FORM)
    component_validator(document, "EvaluationInput").validate(EVALUATION)
    bad = {**EVALUATION, "answers": {"greeting": "maybe"}}
    assert not component_validator(document, "EvaluationInput").is_valid(bad)


def test_a_presented_evaluation_matches_the_evaluation_schema(document: dict[str, Any]) -> None:
    stored = build_evaluation(
        body=EVALUATION,
        form=parse_form(FORM),
        evaluation_id="ev-1",
        revision=1,
        actor="qa.lead@example",
        now="2026-11-03T09:00:00Z",
    )
    shown = present(stored)
    component_validator(document, "Evaluation").validate(shown)
    assert shown["score"]["overall"] is not None
