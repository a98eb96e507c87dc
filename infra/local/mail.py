"""Inbox mail in the local stack, with moto's SES as the mail service.

- At start the sender address is verified in moto's SES, as an operator verifies
  it in SES once per account and region (moto refuses mail from anything else).
- A background loop drains every tenant's outbox every `DRAIN_INTERVAL_S`, with
  the same `services.notifications.drain` the heartbeat runs in AWS (hourly
  there), so a mail arrives seconds after the entry locally.
- Sent mail stays in moto. `laatu mail` reads it back through moto's own
  `/moto-api/data.json`, which lists every model moto holds; the SES `Message`s
  are the sent mail. SES itself has no API to list sent mail. SES requests are
  journaled like every other write (infra/local/journal.py), so the verified
  sender and the mail sent survive a restart like the data.

Nothing here imports chalicelib at module level: the stack loads it only once
the environment points at moto.
"""

from __future__ import annotations

import json
import logging
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from botocore.exceptions import ClientError

from infra.local.loop import BackgroundLoop

log = logging.getLogger("laatu.local.mail")

DRAIN_INTERVAL_S = 2.0
ENDPOINT_FILE = "moto-endpoint"  # in the data dir while the stack runs
_TIMEOUT_S = 30


def verify_sender(ses: Any, address: str) -> bool:
    """Verify `address` in (moto's) SES unless it is already; True when it was new.

    Looked up first, so a restart does not journal another identical write."""
    try:
        ses.get_email_identity(EmailIdentity=address)
        return False
    except ClientError as error:
        if error.response.get("Error", {}).get("Code") != "NotFoundException":
            raise
    ses.create_email_identity(EmailIdentity=address)
    return True


class OutboxDrain:
    """Drains every tenant's outbox on a timer, as the heartbeat does in AWS."""

    def __init__(self, drain_all: Callable[[], int], interval_s: float = DRAIN_INTERVAL_S):
        self._drain_all = drain_all
        self._interval_s = interval_s
        self._loop = BackgroundLoop(
            "outbox-drain", self._step, retry_s=interval_s, log=log, first_wait_s=interval_s
        )

    def start(self) -> None:
        self._loop.start()

    def stop(self) -> None:
        self._loop.stop()

    def _step(self) -> float:
        self._drain_all()
        return self._interval_s


def drainer(root: Any) -> Callable[[], int]:
    """`drain_all` for the app's composition root (functions/app.py `root`): every
    registered tenant's outbox; returns how many mails went."""
    from chalicelib.adapters import mailer
    from chalicelib.services import notifications

    stores = notifications.DrainStores(root.notifications, root.todos, root.settings)

    def drain_all() -> int:
        sent = 0
        for tenant, _created in root.settings.tenants():
            result = notifications.drain(
                stores,
                mailer.from_config(root.config),
                tenant,
                root.now(),
                site_url=root.config.site_url,
            )
            sent += result.sent
        return sent

    return drain_all


def endpoint_path(data_dir: Path) -> Path:
    return data_dir / ENDPOINT_FILE


@dataclass(frozen=True)
class SentMail:
    message_id: str
    sender: str
    to: tuple[str, ...]
    subject: str
    body: str

    def to_dict(self) -> dict[str, Any]:
        return {
            "message_id": self.message_id,
            "from": self.sender,
            "to": list(self.to),
            "subject": self.subject,
            "body": self.body,
        }


def sent_mail(moto_endpoint: str) -> list[SentMail]:
    """Every mail moto's SES holds, oldest first, from moto's model listing."""
    url = moto_endpoint.rstrip("/") + "/moto-api/data.json"
    with urllib.request.urlopen(url, timeout=_TIMEOUT_S) as response:  # noqa: S310 - loopback moto
        data = json.loads(response.read())
    out = []
    for message in data.get("ses", {}).get("Message", []):
        destinations = message.get("destinations") or {}
        to = tuple(
            address
            for field in ("ToAddresses", "CcAddresses", "BccAddresses")
            for address in destinations.get(field, [])
        )
        out.append(
            SentMail(
                message_id=str(message.get("id", "")),
                sender=str(message.get("source", "")),
                to=to,
                subject=str(message.get("subject", "")),
                body=str(message.get("body", "")),
            )
        )
    return out
