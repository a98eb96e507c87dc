"""Bearer-token verification: one code path for tests, the local stack and AWS.

Only the key source differs: locally an HS256 secret, in AWS the Cognito user
pool's RS256 keys from its JWKS. Issuer, audience, expiry and claims are
checked the same way in both.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import jwt

from chalicelib.config import LOCAL_AUDIENCE, LOCAL_ISSUER, Settings
from chalicelib.domain.errors import Unauthenticated
from chalicelib.domain.principal import ROLES, TENANT_PATTERN, Principal
from chalicelib.domain.text import refused_character

KeyResolver = Callable[[str], Any]


@dataclass(frozen=True)
class TokenVerifier:
    issuer: str
    audience: str
    algorithms: Sequence[str]
    key_for: KeyResolver
    # Cognito ID tokens say token_use=id; access tokens lack the custom claims.
    required_token_use: str | None = None
    leeway_s: int = 30

    def verify(self, token: str) -> Principal:
        try:
            claims = jwt.decode(
                token,
                key=self.key_for(token),
                algorithms=list(self.algorithms),
                audience=self.audience,
                issuer=self.issuer,
                leeway=self.leeway_s,
                options={"require": ["exp", "iat", "sub", "iss", "aud"]},
            )
        except jwt.PyJWTError as exc:
            raise Unauthenticated(f"token rejected: {exc}") from None
        _check_claim_types(claims)
        if self.required_token_use and claims.get("token_use") != self.required_token_use:
            raise Unauthenticated(f"token rejected: token_use must be {self.required_token_use}")
        return principal_from_claims(claims)


def _is_number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def _check_claim_types(claims: dict[str, Any]) -> None:
    """PyJWT reads `"exp": "9999999999"` as a number and `"sub": ""` as a subject;
    RFC 7519 says NumericDate is a number and a subject names someone."""
    for name in ("exp", "iat", "nbf"):
        if name in claims and not _is_number(claims[name]):
            raise Unauthenticated(f"token rejected: {name} must be a number")
    for name in ("sub", "iss"):
        value = claims.get(name)
        if not isinstance(value, str) or not value.strip() or refused_character(value):
            raise Unauthenticated(f"token rejected: {name} must be a non-empty string")
    agent_id = claims.get("custom:agent_id")
    if agent_id is not None and (not isinstance(agent_id, str) or refused_character(agent_id)):
        raise Unauthenticated("token rejected: custom:agent_id must be a string")


def principal_from_claims(claims: dict[str, Any]) -> Principal:
    tenant = claims.get("custom:tenant")
    if not isinstance(tenant, str) or not TENANT_PATTERN.fullmatch(tenant):
        raise Unauthenticated("token rejected: custom:tenant is missing or malformed")
    groups = claims.get("cognito:groups", [])
    if isinstance(groups, str):
        groups = [g.strip() for g in groups.split(",")]
    if not isinstance(groups, list):
        raise Unauthenticated("token rejected: cognito:groups must be a list")
    roles = frozenset(g for g in groups if isinstance(g, str) and g in ROLES)
    if not roles:
        raise Unauthenticated("token rejected: no Laatu role in cognito:groups")
    agent_id = claims.get("custom:agent_id") or None
    if "agent" in roles and not agent_id:
        raise Unauthenticated("token rejected: an agent token needs custom:agent_id")
    return Principal(user=str(claims["sub"]), tenant=tenant, roles=roles, agent_id=agent_id)


def local_verifier(secret: str) -> TokenVerifier:
    return TokenVerifier(
        issuer=LOCAL_ISSUER,
        audience=LOCAL_AUDIENCE,
        algorithms=["HS256"],
        key_for=lambda _token: secret,
    )


def cognito_verifier(settings: Settings) -> TokenVerifier:
    if not (settings.cognito_region and settings.cognito_user_pool_id):
        raise RuntimeError("Cognito mode needs AWS_REGION and LAATU_USER_POOL_ID")
    # PyJWKClient caches the key set for the life of the Lambda container.
    jwks = jwt.PyJWKClient(f"{settings.cognito_issuer}/.well-known/jwks.json", lifespan=3600)
    return TokenVerifier(
        issuer=settings.cognito_issuer,
        audience=settings.cognito_app_client_id,
        algorithms=["RS256"],
        key_for=lambda token: jwks.get_signing_key_from_jwt(token).key,
        required_token_use="id",  # noqa: S106 - a claim value, not a secret
    )


def verifier_for(settings: Settings) -> TokenVerifier:
    if settings.auth_mode == "local":
        return local_verifier(settings.local_jwt_secret)
    return cognito_verifier(settings)


def issue_local_token(
    secret: str,
    *,
    tenant: str,
    roles: Sequence[str],
    user: str,
    agent_id: str | None = None,
    lifetime_s: int = 12 * 3600,
    now: float | None = None,
) -> str:
    """A token shaped like a Cognito ID token, signed for the local stack."""
    issued = int(time.time() if now is None else now)
    claims: dict[str, Any] = {
        "sub": user,
        "iss": LOCAL_ISSUER,
        "aud": LOCAL_AUDIENCE,
        "iat": issued,
        "exp": issued + lifetime_s,
        "token_use": "id",
        "custom:tenant": tenant,
        "cognito:groups": list(roles),
    }
    if agent_id:
        claims["custom:agent_id"] = agent_id
    return jwt.encode(claims, secret, algorithm="HS256")
