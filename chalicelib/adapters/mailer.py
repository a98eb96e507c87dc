"""Mail through Amazon SES (the v2 API's SendEmail), from the configured sender.

A plain-text message with a subject, UTF-8 both. The sender (`LAATU_MAIL_FROM`)
must be an identity verified in SES in the function's region (an address, or an
address at a verified domain); the function's role needs `ses:SendEmail` on that
identity. Locally the stack verifies it in moto's SES at start, and the sent
messages stay in moto, where `laatu mail` reads them back.
"""

from __future__ import annotations

import logging
from functools import cache
from typing import Any

import boto3
from botocore.exceptions import BotoCoreError, ClientError

from chalicelib.config import Settings

log = logging.getLogger("laatu.mailer")


class SesMailer:
    def __init__(self, sender: str, region: str, client: Any = None) -> None:
        self.sender = sender
        self._region = region
        self._client = client

    def _ses(self) -> Any:
        # Made on first use: most invocations of a warm function send nothing.
        if self._client is None:
            self._client = boto3.client("sesv2", region_name=self._region)
        return self._client

    def send(self, to: str, subject: str, body: str) -> bool:
        try:
            self._ses().send_email(
                FromEmailAddress=self.sender,
                Destination={"ToAddresses": [to]},
                Content={
                    "Simple": {
                        "Subject": {"Data": subject, "Charset": "UTF-8"},
                        "Body": {"Text": {"Data": body, "Charset": "UTF-8"}},
                    }
                },
            )
        except (ClientError, BotoCoreError) as exc:
            # Not the address: it is the person's, and a log is no place for it.
            log.warning("SES did not take a message: %s", _reason(exc))
            return False
        return True


def _reason(exc: Exception) -> str:
    if isinstance(exc, ClientError):
        return str(exc.response.get("Error", {}).get("Code", "ClientError"))
    return type(exc).__name__


@cache
def from_config(config: Settings) -> SesMailer | None:
    """The deployment's mailer, one per process; None without a sender or a site
    address for the links (then no mail is sent)."""
    if not config.mail_from or not config.site_url:
        return None
    return SesMailer(config.mail_from, config.region)
