"""The process environment the Lambda code reads, pointed at the in-process moto.

It must be applied before anything imports chalicelib: the PynamoDB models read
their table names and region when their module is imported.
"""

from __future__ import annotations

import os

REGION = "eu-north-1"
MAIN_TABLE = "laatu-local"
EVALUATIONS_TABLE = "laatu-local-evaluations"
UPLOADS_BUCKET = "laatu-local-uploads"
EXPORTS_BUCKET = "laatu-local-exports"
SECRET_ENV = "LAATU_LOCAL_JWT_SECRET"  # noqa: S105 - the variable name, not a secret
# The inbox mail's sender, verified in moto's SES at start (infra.local.mail).
MAIL_FROM = "laatu@laatu.localhost"

# A developer's own AWS settings must never send a local call to a real account:
# a service-specific endpoint would beat AWS_ENDPOINT_URL, and a profile could
# bring credentials, SSO or an endpoint_url of its own.
_CLEARED_PREFIXES = ("AWS_ENDPOINT_URL_",)
_CLEARED = ("AWS_PROFILE", "AWS_DEFAULT_PROFILE", "AWS_SESSION_TOKEN", "AWS_SECURITY_TOKEN")


def aws_environment(moto_endpoint: str, site_url: str = "") -> dict[str, str]:
    return {
        "AWS_ENDPOINT_URL": moto_endpoint,
        "AWS_DEFAULT_REGION": REGION,
        "AWS_REGION": REGION,
        "AWS_ACCESS_KEY_ID": "local",
        "AWS_SECRET_ACCESS_KEY": "local",  # moto accepts any credentials
        "AWS_CONFIG_FILE": os.devnull,
        "AWS_SHARED_CREDENTIALS_FILE": os.devnull,
        # moto 5.2 with botocore 1.44 needs this for DynamoDB Streams calls.
        "AWS_ACCOUNT_ID_ENDPOINT_MODE": "disabled",
        "LAATU_AUTH_MODE": "local",
        "LAATU_TABLE": MAIN_TABLE,
        "LAATU_EVALUATIONS_TABLE": EVALUATIONS_TABLE,
        "LAATU_UPLOADS_BUCKET": UPLOADS_BUCKET,
        "LAATU_EXPORTS_BUCKET": EXPORTS_BUCKET,
        "LAATU_MAIL_FROM": MAIL_FROM,
        # The links in the inbox mail: the front server's origin.
        "LAATU_SITE_URL": site_url,
    }


def apply(moto_endpoint: str, site_url: str = "") -> str:
    """Point this process at moto; returns the token secret the API will accept."""
    for name in list(os.environ):
        if name.startswith(_CLEARED_PREFIXES) or name in _CLEARED:
            del os.environ[name]
    os.environ.update(aws_environment(moto_endpoint, site_url))
    return local_secret()


def local_secret() -> str:
    # Imported late: chalicelib must not load before the environment above is set.
    from chalicelib.config import DEV_ONLY_LOCAL_SECRET

    secret = os.environ.get(SECRET_ENV) or DEV_ONLY_LOCAL_SECRET
    os.environ[SECRET_ENV] = secret
    return secret
