"""Bad input gets a 4xx naming the field; bad tokens get 401; roles are enforced."""

from __future__ import annotations

import json
import os
import time

import jwt
import pytest
from chalice.test import Client

from chalicelib.config import LOCAL_AUDIENCE, LOCAL_ISSUER
from tests.functional.api import Api
from tests.support import all_answers, demo_form, evaluation_body

SECRET = os.environ["LAATU_LOCAL_JWT_SECRET"]


def claims(**overrides: object) -> dict[str, object]:
    now = int(time.time())
    base: dict[str, object] = {
        "sub": "eva",
        "iss": LOCAL_ISSUER,
        "aud": LOCAL_AUDIENCE,
        "iat": now,
        "exp": now + 600,
        "custom:tenant": "acme",
        "cognito:groups": ["admin"],
    }
    return {**base, **overrides}


BAD_TOKENS = {
    "unsigned": jwt.encode(claims(), key="", algorithm="none"),
    "forged": jwt.encode(claims(), "another-secret-that-is-long-enough-x", algorithm="HS256"),
    "expired": jwt.encode(
        claims(iat=int(time.time()) - 7200, exp=int(time.time()) - 3600), SECRET, "HS256"
    ),
    "wrong audience": jwt.encode(claims(aud="someone-else"), SECRET, algorithm="HS256"),
    "no tenant": jwt.encode(claims(**{"custom:tenant": None}), SECRET, algorithm="HS256"),
    "garbage": "not.a.token",
}


@pytest.mark.parametrize("name", sorted(BAD_TOKENS))
def test_bad_tokens_get_401(client: Client, name: str) -> None:
    response = client.http.get("/v1/forms", headers={"Authorization": f"Bearer {BAD_TOKENS[name]}"})
    assert response.status_code == 401
    assert json.loads(response.body)["error"] == "unauthenticated"


def test_no_token_gets_401(client: Client) -> None:
    assert client.http.get("/v1/me").status_code == 401


def test_a_valid_token_names_the_caller(client: Client) -> None:
    token = jwt.encode(claims(**{"cognito:groups": "admin, evaluator"}), SECRET, algorithm="HS256")
    response = client.http.get("/v1/me", headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 200
    assert json.loads(response.body) == {
        "user": "eva",
        "tenant": "acme",
        "roles": ["admin", "evaluator"],
        "agent_id": None,
    }


def test_roles_are_enforced(api: Api) -> None:
    form = demo_form()
    assert api.call("POST", "/v1/forms", "evaluator", body=form).status == 403
    api.publish(form)
    body = evaluation_body(form)
    for role in ("payroll", "admin"):
        assert api.submit(body, role).status == 403
    assert api.call("GET", "/v1/evaluations", "payroll").status == 403
    assert api.call("GET", "/v1/forms", "payroll").status == 200


@pytest.mark.parametrize(
    ("mutate", "field", "code"),
    [
        (lambda b: b.pop("agent_id"), "agent_id", "invalid"),
        (lambda b: b.update(surprise=1), "surprise", "invalid"),
        (lambda b: b["contact"].update(channel="fax"), "contact.channel", "invalid"),
        (
            lambda b: b["contact"].update(occurred_at="2026-11-02T10:15:00"),
            "contact.occurred_at",
            "invalid",
        ),
        (lambda b: b["answers"].pop("kiitos"), "answers.kiitos", "missing_answer"),
        (lambda b: b["answers"].update(kiitos="na"), "answers.kiitos", "na_not_allowed"),
        (lambda b: b["answers"].update(extra="yes"), "answers.extra", "unknown_criterion"),
        (lambda b: b["answers"].update(kiitos="maybe"), "answers.kiitos", "invalid"),
        (lambda b: b.update(comments={"nope": "x"}), "comments.nope", "unknown_criterion"),
        (lambda b: b.update(form_version=9), "form_version", "unknown_form_version"),
    ],
)
def test_bad_evaluations_name_the_field(api: Api, mutate: object, field: str, code: str) -> None:
    form = api.publish()
    body = evaluation_body(form, answers=all_answers(form))
    mutate(body)  # type: ignore[operator]
    answer = api.submit(body)
    assert answer.status == 400, answer.body
    assert answer.body["field"] == field
    assert answer.body["error"] == code
    assert answer.body["message"]


def test_bad_forms_name_the_field(api: Api) -> None:
    form = demo_form()
    form["sections"][1]["criteria"][0]["id"] = "tervehdys"
    duplicate = api.call("POST", "/v1/forms", body=form)
    assert duplicate.status == 400
    assert duplicate.body["field"] == "sections[1].criteria[0].id"
    form = demo_form()
    form["sections"][0]["weight"] = 2
    partial = api.call("POST", "/v1/forms", body=form)
    assert partial.body["field"] == "sections[1].weight"
    form = demo_form()
    form["sections"][0]["criteria"][0]["points"] = 101
    assert (
        api.call("POST", "/v1/forms", body=form).body["field"] == "sections[0].criteria[0].points"
    )
    api.publish()
    again = api.call("POST", "/v1/forms", body=demo_form())
    assert again.status == 409
    mismatch = api.call("PUT", "/v1/forms/other", body=demo_form())
    assert mismatch.status == 400


def test_form_drafts_and_evaluations_follow_one_if_match_rule(api: Api) -> None:
    form = api.publish()
    created = api.submit(evaluation_body(form, agent_id="aino"))
    assert created.status == 201, created.body
    missing_form = {**demo_form(), "form_id": "ei-ole"}
    resources = [
        ("/v1/forms/asiakaspalvelu", {**form, "name": "Uusi nimi"}, "/v1/forms/ei-ole"),
        (
            f"/v1/evaluations/{created.body['evaluation_id']}",
            evaluation_body(form, agent_id="aino", answers={**all_answers(form), "kiitos": "no"}),
            "/v1/evaluations/00000000-0000-4000-8000-000000000000",
        ),
    ]
    for path, body, absent in resources:
        etag = api.call("GET", path).headers["etag"]
        missing = api.call("PUT", path, body=body)
        assert (missing.status, missing.body["field"]) == (428, "If-Match"), path
        for value in ("*", etag.strip('"'), f"{etag}, {etag}"):
            refused = api.call("PUT", path, body=body, headers={"If-Match": value})
            assert (refused.status, refused.body["field"]) == (400, "If-Match"), (path, value)
        stale = api.call("PUT", path, body=body, headers={"If-Match": '"99"'})
        assert (stale.status, stale.body["field"]) == (412, "If-Match"), path
        weak = api.call("PUT", path, body=body, headers={"If-Match": f"W/{etag}"})
        assert weak.status == 200, (path, weak.body)
        assert weak.headers["etag"] != etag, path
        # A precondition is about a resource that exists: an absent one is 404 first.
        absent_body = missing_form if absent.startswith("/v1/forms/") else body
        assert api.call("PUT", absent, body=absent_body).status == 404, absent


def test_malformed_empty_and_huge_bodies(api: Api) -> None:
    malformed = api.call("POST", "/v1/forms", body="{nope")
    assert (malformed.status, malformed.body["error"]) == (400, "malformed_json")
    assert api.call("POST", "/v1/forms", body="").body["error"] == "body_required"
    huge = demo_form()
    huge["name"] = "x" * (300 * 1024)
    too_big = api.call("POST", "/v1/forms", body=huge)
    assert (too_big.status, too_big.body["error"]) == (413, "payload_too_large")
    assert api.call("GET", "/v1/forms/asiakaspalvelu/versions/abc").status == 400


def test_drafts_edit_with_etags_and_publish_is_idempotent(api: Api) -> None:
    form = demo_form()
    created = api.call("POST", "/v1/forms", body=form)
    etag = created.headers["etag"]
    form["name"] = "Uusi nimi"
    ok = api.call("PUT", "/v1/forms/asiakaspalvelu", body=form, headers={"If-Match": etag})
    assert ok.status == 200
    stale = api.call("PUT", "/v1/forms/asiakaspalvelu", body=form, headers={"If-Match": etag})
    assert stale.status == 412
    # Drafts are the QA manager's: an evaluator sees only published forms.
    assert api.call("GET", "/v1/forms", "evaluator").body["items"] == []
    assert api.call("GET", "/v1/forms/asiakaspalvelu", "evaluator").status == 404
    first = api.call("POST", "/v1/forms/asiakaspalvelu/publish")
    again = api.call("POST", "/v1/forms/asiakaspalvelu/publish")
    assert (first.status, again.status) == (201, 200)
    assert again.body["version"] == first.body["version"] == 1
    seen = api.call("GET", "/v1/forms/asiakaspalvelu", "evaluator")
    assert seen.body["draft"] is None
    assert seen.body["published"]["name"] == "Uusi nimi"
    assert [
        v["version"] for v in api.call("GET", "/v1/forms/asiakaspalvelu/versions").body["items"]
    ] == [1]


def test_chalice_refusals_use_the_same_error_shape(client: Client) -> None:
    headers = {"Authorization": "Bearer x", "Content-Type": "text/plain"}
    unsupported = client.http.post("/v1/forms", headers=headers, body="hello")
    assert unsupported.status_code == 415
    assert json.loads(unsupported.body)["error"] == "unsupported_media_type"
    not_allowed = client.http.delete("/v1/forms", headers=headers)
    assert not_allowed.status_code == 405
    assert set(json.loads(not_allowed.body)) == {"error", "message", "field"}
