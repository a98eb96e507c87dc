"""Bearer tokens: only a properly signed, current token for Laatu becomes a Principal."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import time
from typing import Any

import jwt
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

from chalicelib.adapters.tokens import (
    TokenVerifier,
    issue_local_token,
    local_verifier,
    principal_from_claims,
)
from chalicelib.api.http import status_of
from chalicelib.config import LOCAL_AUDIENCE, LOCAL_ISSUER
from chalicelib.domain.errors import Unauthenticated
from chalicelib.domain.principal import Principal

SECRET = "unit-test-secret-0123456789abcdef0123456789"
OTHER_SECRET = "another-secret-0123456789abcdef0123456789ab"


def claims(**overrides: Any) -> dict[str, Any]:
    now = int(time.time())
    base: dict[str, Any] = {
        "sub": "user-1",
        "iss": LOCAL_ISSUER,
        "aud": LOCAL_AUDIENCE,
        "iat": now,
        "exp": now + 3600,
        "token_use": "id",
        "custom:tenant": "acme",
        "cognito:groups": ["evaluator"],
    }
    base.update(overrides)
    return {k: v for k, v in base.items() if v is not None}


def hs256(payload: dict[str, Any], secret: str = SECRET) -> str:
    return jwt.encode(payload, secret, algorithm="HS256")


def rejected(verifier: TokenVerifier, token: str) -> Unauthenticated:
    with pytest.raises(Unauthenticated) as caught:
        verifier.verify(token)
    assert status_of(caught.value) == 401
    return caught.value


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def hand_signed_hs256(payload: dict[str, Any], secret: bytes) -> str:
    """HS256 signed by hand, for keys PyJWT itself refuses to use as HMAC secrets."""
    header = b64url(json.dumps({"alg": "HS256", "typ": "JWT"}).encode())
    body = b64url(json.dumps(payload).encode())
    signature = hmac.new(secret, f"{header}.{body}".encode(), hashlib.sha256).digest()
    return f"{header}.{body}.{b64url(signature)}"


def unsigned(payload: dict[str, Any]) -> str:
    """A token with alg "none" and an empty signature."""
    header = b64url(json.dumps({"alg": "none", "typ": "JWT"}).encode())
    return f"{header}.{b64url(json.dumps(payload).encode())}."


@pytest.fixture
def verifier() -> TokenVerifier:
    return local_verifier(SECRET)


# --- HS256 (local stack) --------------------------------------------------------------------


def test_a_valid_local_token_gives_the_principal(verifier: TokenVerifier) -> None:
    token = issue_local_token(SECRET, tenant="acme", roles=["evaluator", "admin"], user="eva")
    assert verifier.verify(token) == Principal(
        user="eva", tenant="acme", roles=frozenset({"evaluator", "admin"}), agent_id=None
    )


def test_an_agent_token_carries_the_agent_id(verifier: TokenVerifier) -> None:
    token = issue_local_token(SECRET, tenant="acme", roles=["agent"], user="u7", agent_id="agent-7")
    principal = verifier.verify(token)
    assert principal.agent_id == "agent-7"
    assert principal.roles == frozenset({"agent"})


def test_an_unsigned_token_is_rejected(verifier: TokenVerifier) -> None:
    token = unsigned(claims())
    assert token.endswith(".")
    rejected(verifier, token)


def test_a_token_with_tampered_claims_is_rejected(verifier: TokenVerifier) -> None:
    # A valid signature pasted onto other claims must not verify either.
    good = hs256(claims())
    forged_body = b64url(json.dumps(claims(**{"custom:tenant": "victim"})).encode())
    header, _, signature = good.split(".")
    rejected(verifier, f"{header}.{forged_body}.{signature}")


def test_a_token_signed_with_another_secret_is_rejected(verifier: TokenVerifier) -> None:
    rejected(verifier, hs256(claims(), OTHER_SECRET))


def test_an_expired_token_is_rejected(verifier: TokenVerifier) -> None:
    issued = time.time() - 13 * 3600
    token = issue_local_token(SECRET, tenant="acme", roles=["admin"], user="u", now=issued)
    error = rejected(verifier, token)
    assert "expired" in error.message.lower()


def test_expiry_allows_only_a_small_clock_skew(verifier: TokenVerifier) -> None:
    now = int(time.time())
    assert verifier.verify(hs256(claims(iat=now - 100, exp=now - 5))).user == "user-1"
    rejected(verifier, hs256(claims(iat=now - 100, exp=now - 120)))


def test_a_token_for_another_audience_is_rejected(verifier: TokenVerifier) -> None:
    rejected(verifier, hs256(claims(aud="some-other-app")))


def test_a_token_from_another_issuer_is_rejected(verifier: TokenVerifier) -> None:
    rejected(verifier, hs256(claims(iss="https://evil.example")))


@pytest.mark.parametrize("claim", ["exp", "iat", "sub", "iss", "aud"])
def test_a_token_missing_a_required_claim_is_rejected(verifier: TokenVerifier, claim: str) -> None:
    payload = claims()
    del payload[claim]
    rejected(verifier, hs256(payload))


@pytest.mark.parametrize("token", ["", "not-a-jwt", "a.b.c", "eyJhbGciOiJIUzI1NiJ9.e30."])
def test_a_malformed_token_is_rejected(verifier: TokenVerifier, token: str) -> None:
    rejected(verifier, token)


def test_a_key_the_resolver_cannot_find_is_unauthenticated() -> None:
    def unknown_kid(_token: str) -> Any:
        raise jwt.PyJWKClientError('Unable to find a signing key that matches: "kid-1"')

    lost = TokenVerifier(
        issuer=LOCAL_ISSUER, audience=LOCAL_AUDIENCE, algorithms=["RS256"], key_for=unknown_kid
    )
    rejected(lost, hs256(claims()))


def test_required_token_use_is_enforced() -> None:
    strict = TokenVerifier(
        issuer=LOCAL_ISSUER,
        audience=LOCAL_AUDIENCE,
        algorithms=["HS256"],
        key_for=lambda _token: SECRET,
        required_token_use="id",
    )
    assert strict.verify(hs256(claims())).tenant == "acme"
    rejected(strict, hs256(claims(token_use="access")))


# --- claims ---------------------------------------------------------------------------------


def test_groups_as_a_list_and_as_a_comma_joined_string_both_work(
    verifier: TokenVerifier,
) -> None:
    as_list = verifier.verify(hs256(claims(**{"cognito:groups": ["admin", "payroll"]})))
    as_string = verifier.verify(hs256(claims(**{"cognito:groups": "admin, payroll"})))
    assert as_list.roles == as_string.roles == frozenset({"admin", "payroll"})


def test_unknown_groups_are_ignored_but_one_role_is_needed(verifier: TokenVerifier) -> None:
    principal = verifier.verify(hs256(claims(**{"cognito:groups": ["admin", "superuser"]})))
    assert principal.roles == frozenset({"admin"})
    rejected(verifier, hs256(claims(**{"cognito:groups": ["superuser"]})))
    rejected(verifier, hs256(claims(**{"cognito:groups": []})))


def test_groups_of_another_type_are_rejected(verifier: TokenVerifier) -> None:
    rejected(verifier, hs256(claims(**{"cognito:groups": {"admin": True}})))


def test_an_agent_without_agent_id_is_rejected(verifier: TokenVerifier) -> None:
    token = issue_local_token(SECRET, tenant="acme", roles=["agent"], user="u7")
    error = rejected(verifier, token)
    assert "agent_id" in error.message
    rejected(verifier, hs256(claims(**{"cognito:groups": ["agent"], "custom:agent_id": ""})))


@pytest.mark.parametrize("tenant", [None, "", "Acme", "-acme", "acme/other", "acme\n", 42])
def test_a_missing_or_malformed_tenant_is_rejected(verifier: TokenVerifier, tenant: object) -> None:
    payload = claims()
    if tenant is None:
        del payload["custom:tenant"]
    else:
        payload["custom:tenant"] = tenant
    rejected(verifier, hs256(payload))


def test_principal_from_claims_reads_sub_tenant_roles_and_agent() -> None:
    principal = principal_from_claims(
        {
            "sub": "u7",
            "custom:tenant": "acme",
            "cognito:groups": ["agent"],
            "custom:agent_id": "agent-7",
        }
    )
    assert principal == Principal("u7", "acme", frozenset({"agent"}), "agent-7")


# --- RS256 (Cognito) ------------------------------------------------------------------------


@pytest.fixture(scope="module")
def rsa_keys() -> tuple[rsa.RSAPrivateKey, rsa.RSAPrivateKey]:
    return (
        rsa.generate_private_key(public_exponent=65537, key_size=2048),
        rsa.generate_private_key(public_exponent=65537, key_size=2048),
    )


def rs256_verifier(public_key: rsa.RSAPublicKey) -> TokenVerifier:
    return TokenVerifier(
        issuer=LOCAL_ISSUER,
        audience=LOCAL_AUDIENCE,
        algorithms=["RS256"],
        key_for=lambda _token: public_key,
        required_token_use="id",
    )


def test_rs256_token_signed_with_the_pool_key_is_accepted(
    rsa_keys: tuple[rsa.RSAPrivateKey, rsa.RSAPrivateKey],
) -> None:
    pool_key, _ = rsa_keys
    token = jwt.encode(claims(), pool_key, algorithm="RS256")
    principal = rs256_verifier(pool_key.public_key()).verify(token)
    assert principal == Principal("user-1", "acme", frozenset({"evaluator"}))


def test_rs256_token_signed_with_another_key_is_rejected(
    rsa_keys: tuple[rsa.RSAPrivateKey, rsa.RSAPrivateKey],
) -> None:
    pool_key, attacker_key = rsa_keys
    token = jwt.encode(claims(), attacker_key, algorithm="RS256")
    rejected(rs256_verifier(pool_key.public_key()), token)


def test_hs256_token_using_the_public_key_as_secret_is_rejected(
    rsa_keys: tuple[rsa.RSAPrivateKey, rsa.RSAPrivateKey],
) -> None:
    # Algorithm confusion: the public key is public, so an HMAC keyed with it is forgeable.
    pool_key, _ = rsa_keys
    public_pem = pool_key.public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    token = hand_signed_hs256(claims(), public_pem)
    assert jwt.get_unverified_header(token)["alg"] == "HS256"

    rejected(rs256_verifier(pool_key.public_key()), token)

    # Even a resolver that hands out the PEM text must not let HS256 through.
    pem_resolver = TokenVerifier(
        issuer=LOCAL_ISSUER,
        audience=LOCAL_AUDIENCE,
        algorithms=["RS256"],
        key_for=lambda _token: public_pem,
    )
    assert pem_resolver.verify(jwt.encode(claims(), pool_key, algorithm="RS256")).user == "user-1"
    rejected(pem_resolver, token)


def test_unsigned_token_is_rejected_by_the_rs256_verifier(
    rsa_keys: tuple[rsa.RSAPrivateKey, rsa.RSAPrivateKey],
) -> None:
    pool_key, _ = rsa_keys
    rejected(rs256_verifier(pool_key.public_key()), unsigned(claims()))


@pytest.mark.parametrize(
    "overrides",
    [
        {"exp": str(int(time.time()) + 3600)},  # PyJWT alone reads a string as a number
        {"exp": True},
        {"iat": "0"},
        {"nbf": [1]},
        {"sub": ""},
        {"sub": "   "},
        {"sub": 7},
        {"sub": "user\x00"},
        {"custom:agent_id": 7, "cognito:groups": ["agent"]},
        {"cognito:groups": [["admin"]]},
    ],
)
def test_claims_of_the_wrong_type_are_rejected(
    verifier: TokenVerifier, overrides: dict[str, Any]
) -> None:
    rejected(verifier, hand_signed_hs256(claims(**overrides), SECRET.encode()))
