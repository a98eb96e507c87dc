"""Sign-in through Cognito's hosted UI, as deployed to AWS (config.js authMode
"cognito"). Cognito cannot be reached here, so the browser's requests to the
hosted UI are answered by this test the way Cognito answers them; the ID token it
hands out is one the local stack accepts, so the whole round trip is exercised:
PKCE authorize, code exchange, the API with the token, renewal, sign-out."""

from __future__ import annotations

import base64
import hashlib
import json
from urllib.parse import parse_qs, urlencode, urlsplit

from playwright.sync_api import Request, Route, expect

from chalicelib.adapters.tokens import issue_local_token
from tests.browser.conftest import PageFactory
from tests.browser.support import PEOPLE, TENANT, Site

DOMAIN = "https://laatu-test-000000000000.auth.eu-north-1.amazoncognito.com"
CLIENT_ID = "4example0client0id"


def test_hosted_ui_sign_in_renewal_and_sign_out(open_page: PageFactory, site: Site) -> None:
    watched = open_page(None, locale="en-GB")
    page = watched.page
    config = {
        "apiBaseUrl": site.base,
        "authMode": "cognito",
        "cognito": {
            "region": "eu-north-1",
            "userPoolId": "eu-north-1_example",
            "clientId": CLIENT_ID,
            "domain": DOMAIN,
            "redirectUri": f"{site.base}/",
            "logoutUri": f"{site.base}/",
            "scopes": ["openid", "email", "profile"],
        },
    }
    page.route(
        "**/config.js",
        lambda route: route.fulfill(
            body=f"window.LAATU_CONFIG = {json.dumps(config)};",
            content_type="text/javascript",
        ),
    )
    authorize: dict[str, str] = {}
    token_calls: list[dict[str, str]] = []
    user, _ = PEOPLE["evaluator"]

    def hosted_ui(route: Route, request: Request) -> None:
        url = urlsplit(request.url)
        query = {k: v[0] for k, v in parse_qs(url.query).items()}
        if url.path == "/oauth2/authorize":
            authorize.update(query)
            back = f"{query['redirect_uri']}?{urlencode({'code': 'c0de', 'state': query['state']})}"
            route.fulfill(status=302, headers={"Location": back})
        elif url.path == "/oauth2/token":
            form = {k: v[0] for k, v in parse_qs(request.post_data or "").items()}
            token_calls.append(form)
            # The first ID token is about to expire, so the site must renew it.
            lifetime = 60 if len(token_calls) == 1 else 3600
            id_token = issue_local_token(
                site.secret, tenant=TENANT, roles=["evaluator"], user=user, lifetime_s=lifetime
            )
            route.fulfill(
                status=200,
                content_type="application/json",
                headers={"Access-Control-Allow-Origin": site.base},
                body=json.dumps(
                    {
                        "id_token": id_token,
                        "access_token": "not-used",
                        "refresh_token": "refresh-1",
                        "expires_in": lifetime,
                        "token_type": "Bearer",
                    }
                ),
            )
        elif url.path == "/logout":
            authorize.update({f"logout_{k}": v for k, v in query.items()})
            route.fulfill(status=200, content_type="text/html", body="<title>Signed out</title>")
        else:
            route.abort()

    page.route(f"{DOMAIN}/**", hosted_ui)

    page.goto("/#/evaluate")
    expect(page).to_have_url("/#/signin")
    page.get_by_role("button", name="Sign in with your organisation account").click()
    expect(page.locator("#who")).to_contain_text(user)
    expect(page).to_have_url("/#/evaluate")  # back where the person was going, no code in it

    assert authorize["response_type"] == "code"
    assert authorize["client_id"] == CLIENT_ID
    assert authorize["redirect_uri"] == f"{site.base}/"
    assert authorize["scope"] == "openid email profile"
    assert authorize["code_challenge_method"] == "S256"
    exchange = token_calls[0]
    assert exchange["grant_type"] == "authorization_code"
    assert exchange["code"] == "c0de"
    assert exchange["client_id"] == CLIENT_ID
    assert exchange["redirect_uri"] == f"{site.base}/"
    digest = hashlib.sha256(exchange["code_verifier"].encode()).digest()
    assert base64.urlsafe_b64encode(digest).rstrip(b"=").decode() == authorize["code_challenge"]

    # The first ID token was about to expire: the API calls waited for one renewal
    # (not one each), and the renewed token serves the next pages without another.
    page.goto("/#/results")
    expect(page.get_by_role("heading", name="Results")).to_be_visible()
    assert [c["grant_type"] for c in token_calls] == ["authorization_code", "refresh_token"]
    assert token_calls[1]["refresh_token"] == "refresh-1"
    assert token_calls[1]["client_id"] == CLIENT_ID

    page.get_by_role("button", name="Sign out").click()
    page.wait_for_url(f"{DOMAIN}/logout**")
    assert authorize["logout_client_id"] == CLIENT_ID
    assert authorize["logout_logout_uri"] == f"{site.base}/"
