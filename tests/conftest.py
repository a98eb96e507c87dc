"""Shared test set-up: a clean, offline AWS environment before anything imports boto3."""

from __future__ import annotations

import os

for name in list(os.environ):
    # An endpoint override would send calls past moto to a real or local server.
    if name.startswith("AWS_ENDPOINT_URL") or name in ("AWS_PROFILE", "AWS_SESSION_TOKEN"):
        del os.environ[name]

os.environ.update(
    {
        "AWS_DEFAULT_REGION": "eu-north-1",
        "AWS_REGION": "eu-north-1",
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        # moto 5.2 with botocore 1.44 needs this for DynamoDB Streams calls.
        "AWS_ACCOUNT_ID_ENDPOINT_MODE": "disabled",
        "LAATU_AUTH_MODE": "local",
        "LAATU_LOCAL_JWT_SECRET": "test-secret-for-the-suite-only-0123456789",
        "LAATU_TABLE": "laatu-test",
        "LAATU_EVALUATIONS_TABLE": "laatu-test-evaluations",
        "LAATU_EXPORTS_BUCKET": "laatu-test-exports",
        "LAATU_UPLOADS_BUCKET": "laatu-test-uploads",
    }
)

# Hypothesis's per-example deadline is a timed assertion: on a loaded two-core CI
# machine a 200 ms example fails as "flaky" though nothing is wrong. Speed lives in
# `make bench`; every property here runs without a deadline.
from hypothesis import settings  # noqa: E402

settings.register_profile("laatu", deadline=None)
settings.load_profile("laatu")
