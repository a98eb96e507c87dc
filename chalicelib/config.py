"""Settings read from the environment; the template or the local stack sets them."""

from __future__ import annotations

import os
from dataclasses import dataclass
from functools import cache

LOCAL_ISSUER = "laatu-local"
LOCAL_AUDIENCE = "laatu-local"
# Only ever accepted when LAATU_AUTH_MODE=local; a deployed stage uses Cognito.
DEV_ONLY_LOCAL_SECRET = "laatu-local-development-secret-not-for-production"  # noqa: S105


@dataclass(frozen=True)
class Settings:
    auth_mode: str
    local_jwt_secret: str
    cognito_region: str
    cognito_user_pool_id: str
    cognito_app_client_id: str
    main_table: str = "laatu-local"
    evaluations_table: str = "laatu-local-evaluations"
    region: str = "eu-north-1"
    # Inbox emails (SES): the verified sender address and the web site's address
    # for the links; without either, no mail is sent (the outbox is still drained).
    mail_from: str = ""
    site_url: str = ""

    @property
    def cognito_issuer(self) -> str:
        return (
            f"https://cognito-idp.{self.cognito_region}.amazonaws.com/{self.cognito_user_pool_id}"
        )


@cache
def settings() -> Settings:
    mode = os.environ.get("LAATU_AUTH_MODE", "cognito")
    if mode not in ("local", "cognito"):
        raise RuntimeError(f"LAATU_AUTH_MODE must be local or cognito, not {mode!r}")
    return Settings(
        auth_mode=mode,
        local_jwt_secret=os.environ.get("LAATU_LOCAL_JWT_SECRET", DEV_ONLY_LOCAL_SECRET),
        cognito_region=os.environ.get("AWS_REGION", os.environ.get("AWS_DEFAULT_REGION", "")),
        cognito_user_pool_id=os.environ.get("LAATU_USER_POOL_ID", ""),
        cognito_app_client_id=os.environ.get("LAATU_USER_POOL_CLIENT_ID", ""),
        main_table=os.environ.get("LAATU_TABLE", "laatu-local"),
        evaluations_table=os.environ.get("LAATU_EVALUATIONS_TABLE", "laatu-local-evaluations"),
        region=os.environ.get("AWS_REGION") or os.environ.get("AWS_DEFAULT_REGION") or "eu-north-1",
        mail_from=os.environ.get("LAATU_MAIL_FROM", "").strip(),
        site_url=os.environ.get("LAATU_SITE_URL", "").strip(),
    )
