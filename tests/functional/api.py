"""A small typed facade over chalice.test.Client for the functional tests."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from chalice.test import Client

from tests.support import auth, demo_form


@dataclass
class Answer:
    status: int
    body: Any
    headers: dict[str, str]


class Api:
    def __init__(self, client: Client) -> None:
        self.client = client

    def call(
        self,
        method: str,
        path: str,
        role: str | list[str] = "admin",
        body: Any = None,
        headers: dict[str, str] | None = None,
        **token: Any,
    ) -> Answer:
        all_headers = {**auth(role, **token), **(headers or {})}
        raw = body if isinstance(body, (str, bytes)) or body is None else json.dumps(body)
        response = getattr(self.client.http, method.lower())(path, headers=all_headers, body=raw)
        text = response.body.decode() if isinstance(response.body, bytes) else response.body
        headers = {k.lower(): v for k, v in response.headers.items()}
        is_json = "json" in headers.get("content-type", "application/json")
        return Answer(
            response.status_code,
            (json.loads(text) if is_json else text) if text else None,
            headers,
        )

    def publish(self, form: dict[str, Any] | None = None, **token: Any) -> dict[str, Any]:
        form = form or demo_form()
        created = self.call("POST", "/v1/forms", body=form, **token)
        assert created.status == 201, created.body
        published = self.call("POST", f"/v1/forms/{form['form_id']}/publish", **token)
        assert published.status == 201, published.body
        return form

    def submit(self, body: dict[str, Any], role: str = "evaluator", **kwargs: Any) -> Answer:
        return self.call("POST", "/v1/evaluations", role, body=body, **kwargs)
