"""Email notifications of new inbox entries: the person's preference, and the drain
that mails the outbox.

Every new kept inbox entry puts an outbox message in the transaction that made it
(adapters/todo_store.put_todo). `drain` reads a tenant's outbox oldest first and,
for each message:

- mails it when the tenant's settings in force have `coaching.email_notifications`,
  the deployment has a sender (a `Mailer`), the owner's preference is enabled with
  an address, and the entry is still in the owner's inbox (one settled before the
  mail went is not worth a mail); the subject in the owner's language and a link to
  the entry's page are all the message holds (domain/notification_templates.py);
- then deletes the message, on the condition that it is still the one read;
- when sending fails, leaves it for the next drain, until it is older than
  `MAX_AGE`: then it is dropped (the entry is in the inbox regardless).

Delivery is at least once: a drain that sent a mail and then failed to delete its
message (a crash, a timeout, two drains at once) sends it again next time. Never
zero times while the settings and preference say mail: the message exists from
the moment the entry does.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Protocol

from chalicelib import schemas
from chalicelib.adapters.notification_store import OutboxMessage
from chalicelib.domain import inbox_view
from chalicelib.domain.errors import InvalidInput
from chalicelib.domain.inbox import Todo, owners_of
from chalicelib.domain.notification_templates import DEFAULT_LANGUAGE, Preference, render, site_link
from chalicelib.domain.pay_periods import Calendar
from chalicelib.domain.periods import to_utc_iso
from chalicelib.domain.principal import Principal
from chalicelib.services.ports import SettingsHistory

log = logging.getLogger("laatu.notifications")

# A message that could not be sent for this long is dropped: the mail would come
# too late to matter, and the entry waits in the inbox anyway.
MAX_AGE = timedelta(days=3)
# Pages of the outbox one drain works through (each one Query and a delete per message).
MAX_PAGES = 10


class Preferences(Protocol):
    def preference(self, tenant: str, owner: str) -> Preference | None: ...

    def put_preference(
        self, tenant: str, owners: Sequence[str], preference: Preference, user: str, now: str
    ) -> None: ...


class Outbox(Preferences, Protocol):
    def outbox(self, tenant: str, limit: int = ...) -> list[OutboxMessage]: ...

    def remove(self, tenant: str, message: OutboxMessage) -> bool:
        """False when the message was deleted or replaced meanwhile."""
        ...


class KeptEntries(Protocol):
    def of(self, tenant: str, owner: str) -> list[Todo]: ...


class Mailer(Protocol):
    def send(self, to: str, subject: str, body: str) -> bool:
        """True when the mail service took the message; False when it did not (worth
        trying again later)."""
        ...


@dataclass(frozen=True)
class DrainStores:
    notifications: Outbox  # the NotificationStore
    todos: KeptEntries  # the TodoStore
    settings: SettingsHistory  # the SettingsStore


@dataclass(frozen=True)
class DrainResult:
    tenant: str
    sent: int = 0  # mailed and deleted
    skipped: int = 0  # deleted without a mail (off, no address, entry settled)
    failed: int = 0  # not sent, left for the next drain
    dropped: int = 0  # not sent for MAX_AGE, deleted
    lost: int = 0  # deleted (or replaced) by another drain meanwhile


def get_preference(store: Preferences, principal: Principal) -> dict[str, Any]:
    """The caller's own preference (under their user owner); off by default."""
    found = store.preference(principal.tenant, owners_of(principal)[0])
    return (found or Preference(email=None, language=DEFAULT_LANGUAGE)).to_dict()


def put_preference(
    store: Preferences, principal: Principal, body: Any, now: datetime
) -> dict[str, Any]:
    """Replace the caller's preference, under every owner they answer to."""
    schemas.validate("notification_preferences", body)
    preference = Preference(email=body["email"], language=body["language"], enabled=body["enabled"])
    if preference.enabled and not preference.email:
        raise InvalidInput(
            "give an email address to turn notifications on", field="email", code="email_required"
        )
    store.put_preference(
        principal.tenant, owners_of(principal), preference, principal.user, to_utc_iso(now)
    )
    return preference.to_dict()


def drain(
    stores: DrainStores,
    mailer: Mailer | None,
    tenant: str,
    now: datetime,
    *,
    site_url: str,
    keep_going: Callable[[], bool] = lambda: True,
) -> DrainResult:
    """Work through the tenant's outbox a page at a time (one Query of up to 100), at most
    `MAX_PAGES` pages, while `keep_going()` (checked before each message: the
    heartbeat's time budget). `mailer` None: the deployment sends no mail, and the
    outbox is emptied without any."""
    settings = Calendar(stores.settings.revisions(tenant)).settings_at(now)
    mailing = mailer is not None and bool(site_url) and settings.coaching.email_notifications
    counts = dict.fromkeys(("sent", "skipped", "failed", "dropped", "lost"), 0)
    preferences: dict[str, Preference | None] = {}
    kept: dict[str, set[tuple[str, str]]] = {}
    for _page in range(MAX_PAGES):
        messages = stores.notifications.outbox(tenant)
        if not messages:
            break
        for message in messages:
            if not keep_going():
                break
            outcome = "skipped"
            todo = message.todo
            if mailing and mailer is not None:
                if todo.owner not in preferences:
                    preferences[todo.owner] = stores.notifications.preference(tenant, todo.owner)
                preference = preferences[todo.owner]
                if preference is not None and preference.mailable and preference.email:
                    if todo.owner not in kept:
                        kept[todo.owner] = {
                            (t.kind, t.ref) for t in stores.todos.of(tenant, todo.owner)
                        }
                    if (todo.kind, todo.ref) in kept[todo.owner]:
                        outcome = _send(mailer, preference, todo, site_url, now)
            if outcome == "failed":
                counts["failed"] += 1
                continue
            if stores.notifications.remove(tenant, message):
                counts[outcome] += 1
            else:
                counts["lost"] += 1
        if counts["failed"] or counts["lost"] or not keep_going():
            break  # what is left waits for the next drain, not for this one again
    result = DrainResult(tenant=tenant, **counts)
    if any(counts.values()):
        log.info("outbox drained: %s", result)
    return result


def _send(mailer: Mailer, preference: Preference, todo: Todo, site_url: str, now: datetime) -> str:
    assert preference.email is not None
    route = inbox_view.link_for(todo.kind, todo.ref, todo.detail)
    message = render(todo.kind, preference.language, site_link(site_url, route))
    if mailer.send(preference.email, message.subject, message.body):
        return "sent"
    if now - datetime.fromisoformat(todo.created_at) > MAX_AGE:
        log.warning("dropping the mail of %s %s after %s", todo.kind, todo.ref, MAX_AGE)
        return "dropped"
    return "failed"
