"""The EventBridge envelope the local stack wraps around what it delivers to handlers."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Any

ACCOUNT = "123456789012"  # moto's default account


def eventbridge_event(
    *,
    detail_type: str,
    source: str,
    at: datetime,
    region: str,
    resources: list[str],
    detail: dict[str, Any],
) -> dict[str, Any]:
    return {
        "version": "0",
        "id": str(uuid.uuid4()),
        "detail-type": detail_type,
        "source": source,
        "account": ACCOUNT,
        "time": at.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "region": region,
        "resources": resources,
        "detail": detail,
    }
