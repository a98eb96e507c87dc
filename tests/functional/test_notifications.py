"""Notification preferences through the app, and the outbox drained into moto's SES:
what is mailed, to whom, in which language, and that a mail is a subject and a link."""

from __future__ import annotations

import json
import os
from datetime import datetime, timedelta
from importlib import resources
from typing import Any

import boto3
import pytest
from moto.core.models import DEFAULT_ACCOUNT_ID
from moto.ses.models import ses_backends
from pynamodb.transactions import TransactWrite

from chalicelib import schemas
from chalicelib.adapters.coaching_models import CoachingItemModel
from chalicelib.adapters.mailer import SesMailer
from chalicelib.adapters.models import connection
from chalicelib.adapters.notification_store import NotificationStore
from chalicelib.adapters.settings_store import SettingsStore
from chalicelib.adapters.todo_store import TodoStore, delete_todo, put_todo
from chalicelib.domain import inbox
from chalicelib.domain.inbox import Todo
from chalicelib.domain.notification_templates import SUBJECTS
from chalicelib.services import notifications
from chalicelib.services.notifications import DrainResult, DrainStores
from tests.functional.api import Api
from tests.functional.conftest import Clock

SENDER = "laatu@example.fi"
SITE = "https://laatu.example.fi"
REGION = os.environ["AWS_REGION"]
NOW = datetime.fromisoformat("2026-11-03T09:00:00+00:00")
OFF = {"email": None, "language": "fi", "enabled": False}
ROLES: list[tuple[str | list[str], dict[str, Any]]] = [
    ("admin", {}),
    ("evaluator", {}),
    ("auditor", {}),
    ("agent", {"agent_id": "aino"}),
    ("payroll", {}),
    (["agent", "payroll"], {"agent_id": "aino"}),
]


def sent() -> list[Any]:
    """What moto's SES holds: every message sent in this account and region."""
    return list(ses_backends[DEFAULT_ACCOUNT_ID][REGION].sent_messages)


def verify_sender() -> None:
    boto3.client("sesv2", region_name=REGION).create_email_identity(EmailIdentity=SENDER)


def put_preference(api: Api, body: Any, role: str | list[str] = "agent", **token: Any) -> Any:
    return api.call("PUT", "/v1/me/notifications", role, body=body, **token)


def turn_mail(api: Api, on: bool) -> None:
    body = {"coaching": {"email_notifications": on}}
    assert api.call("PUT", "/v1/settings", body=body).status == 200


def keep(*todos: Todo) -> None:
    with TransactWrite(connection=connection()) as transaction:
        for todo in todos:
            put_todo(transaction, "acme", todo)


def drain(mailer: SesMailer | None = None, now: datetime = NOW) -> DrainResult:
    stores = DrainStores(NotificationStore(), TodoStore(), SettingsStore())
    return notifications.drain(
        stores, mailer or SesMailer(SENDER, REGION), "acme", now, site_url=SITE
    )


def outbox() -> list[str]:
    return [m.key for m in NotificationStore().outbox("acme")]


AINO_REVIEW = Todo(
    "agent:aino",
    inbox.SELF_EVALUATE,
    "r-1",
    "2026-11-03T08:00:00Z",
    "2026-11-10T08:00:00Z",
    {"review_id": "r-1", "agent_id": "aino"},
)
LEAD_REVIEW = Todo("user:lead-1", inbox.LEADER_EVALUATE, "r-1", "2026-11-03T08:00:00Z")
NOBODY = Todo("user:nobody", inbox.FOLLOW_UP, "s-1", "2026-11-03T08:00:00Z", "2026-11-20")


@pytest.mark.parametrize(("role", "token"), ROLES)
def test_every_role_has_notifications_off_until_saved(
    api: Api, role: str | list[str], token: dict[str, Any]
) -> None:
    answer = api.call("GET", "/v1/me/notifications", role, **token)
    assert (answer.status, answer.body) == (200, OFF)
    body = {"email": "someone@example.fi", "language": "en", "enabled": True}
    saved = put_preference(api, body, role, **token)
    assert (saved.status, saved.body) == (200, body)
    assert api.call("GET", "/v1/me/notifications", role, **token).body == body


def test_an_agents_preference_is_kept_under_both_owners(api: Api) -> None:
    body = {"email": "aino@example.fi", "language": "sv", "enabled": True}
    assert put_preference(api, body, user="aino-user", agent_id="aino").status == 200
    stored = {item.sk for item in CoachingItemModel.query("acme#NOTIFY")}
    assert stored == {"user:aino-user", "agent:aino"}
    for owner in stored:
        found = NotificationStore().preference("acme", owner)
        assert found is not None
        assert found.to_dict() == body
    # Turned off again, both owners follow.
    off = {**body, "enabled": False}
    assert put_preference(api, off, user="aino-user", agent_id="aino").status == 200
    assert all(
        not p.enabled
        for p in (NotificationStore().preference("acme", o) for o in stored)
        if p is not None
    )


@pytest.mark.parametrize(
    ("body", "field", "code"),
    [
        ({"email": None, "language": "fi", "enabled": True}, "email", "email_required"),
        ({"email": "not an address", "language": "fi", "enabled": True}, "email", "invalid"),
        ({"email": "a@b.fi\r\nBcc: x@y.fi", "language": "fi", "enabled": True}, "email", "invalid"),
        ({"email": "a@b.fi", "language": "de", "enabled": True}, "language", "invalid"),
        ({"email": "a@b.fi", "language": "fi"}, "enabled", "invalid"),
        ({"email": "a@b.fi", "language": "fi", "enabled": True, "name": "x"}, None, "invalid"),
        ({"email": "a" * 250 + "@b.fi", "language": "fi", "enabled": True}, "email", "invalid"),
    ],
)
def test_a_bad_preference_is_refused_at_its_field(
    api: Api, body: dict[str, Any], field: str | None, code: str
) -> None:
    answer = put_preference(api, body, agent_id="aino")
    assert answer.status == 400, answer.body
    assert answer.body["error"] == code
    if field is not None:
        assert answer.body["field"] == field
    assert api.call("GET", "/v1/me/notifications", "agent", agent_id="aino").body == OFF


def test_preferences_are_per_tenant(api: Api) -> None:
    body = {"email": "aino@example.fi", "language": "sv", "enabled": True}
    assert put_preference(api, body, agent_id="aino").status == 200
    other = api.call("GET", "/v1/me/notifications", "agent", agent_id="aino", tenant="other")
    assert other.body == OFF


def test_a_new_entry_is_mailed_in_the_owners_language_with_only_a_subject_and_a_link(
    api: Api, clock: Clock
) -> None:
    verify_sender()
    turn_mail(api, True)
    aino = {"email": "aino@example.fi", "language": "sv", "enabled": True}
    assert put_preference(api, aino, user="aino-user", agent_id="aino").status == 200
    lead = {"email": "lead@example.fi", "language": "en", "enabled": False}
    assert put_preference(api, lead, "evaluator", user="lead-1").status == 200
    keep(AINO_REVIEW, LEAD_REVIEW, NOBODY)
    assert len(outbox()) == 3

    assert drain() == DrainResult("acme", sent=1, skipped=2)
    assert outbox() == []
    [message] = sent()
    assert message.source == SENDER
    assert message.destinations == {"ToAddresses": ["aino@example.fi"]}
    assert message.subject == SUBJECTS["sv"]["self_evaluate"]
    assert message.body == f"{SITE}/#/reviews/r-1\n"
    assert drain() == DrainResult("acme")  # nothing twice


def test_nothing_is_mailed_while_the_tenant_has_mail_off(api: Api) -> None:
    verify_sender()
    aino = {"email": "aino@example.fi", "language": "fi", "enabled": True}
    assert put_preference(api, aino, agent_id="aino").status == 200
    keep(AINO_REVIEW)
    assert drain() == DrainResult("acme", skipped=1)  # the default: off
    turn_mail(api, True)
    keep(AINO_REVIEW)
    turn_mail(api, False)
    assert drain() == DrainResult("acme", skipped=1)
    assert sent() == []
    assert outbox() == []


def test_an_entry_settled_before_the_drain_is_not_mailed(api: Api) -> None:
    verify_sender()
    turn_mail(api, True)
    assert (
        put_preference(
            api, {"email": "a@example.fi", "language": "fi", "enabled": True}, agent_id="aino"
        ).status
        == 200
    )
    keep(AINO_REVIEW)
    with TransactWrite(connection=connection()) as transaction:
        delete_todo(transaction, "acme", "agent:aino", inbox.SELF_EVALUATE, "r-1")
    assert drain() == DrainResult("acme", skipped=1)
    assert sent() == []


def test_a_failed_send_waits_for_the_next_drain_and_is_dropped_when_too_old(api: Api) -> None:
    turn_mail(api, True)
    body = {"email": "aino@example.fi", "language": "fi", "enabled": True}
    assert put_preference(api, body, agent_id="aino").status == 200
    keep(AINO_REVIEW)
    # The sender is not verified yet: SES refuses, the message stays.
    assert drain() == DrainResult("acme", failed=1)
    assert len(outbox()) == 1
    verify_sender()
    assert drain() == DrainResult("acme", sent=1)
    assert len(sent()) == 1

    keep(AINO_REVIEW)
    unverified = SesMailer("someone-else@example.org", REGION)
    late = NOW + notifications.MAX_AGE + timedelta(hours=2)
    assert drain(unverified, now=late) == DrainResult("acme", dropped=1)
    assert outbox() == []


def test_without_a_mailer_the_outbox_is_emptied_without_mail(api: Api) -> None:
    verify_sender()
    turn_mail(api, True)
    assert (
        put_preference(
            api, {"email": "a@example.fi", "language": "fi", "enabled": True}, agent_id="aino"
        ).status
        == 200
    )
    keep(AINO_REVIEW)
    stores = DrainStores(NotificationStore(), TodoStore(), SettingsStore())
    assert notifications.drain(stores, None, "acme", NOW, site_url=SITE) == DrainResult(
        "acme", skipped=1
    )
    assert sent() == []


def test_a_message_replaced_meanwhile_is_not_deleted(api: Api) -> None:
    keep(AINO_REVIEW)
    [message] = NotificationStore().outbox("acme")
    changed = Todo(**{**AINO_REVIEW.__dict__, "due": "2026-11-12T08:00:00Z"})
    keep(changed)  # same key, another entry: its own mail is still owed
    assert NotificationStore().remove("acme", message) is False
    assert len(outbox()) == 1
    [again] = NotificationStore().outbox("acme")
    assert NotificationStore().remove("acme", again) is True
    assert NotificationStore().remove("acme", again) is False  # another drain got it first


def test_many_messages_are_drained_page_by_page(api: Api) -> None:
    verify_sender()
    turn_mail(api, True)
    assert (
        put_preference(
            api, {"email": "a@example.fi", "language": "en", "enabled": True}, agent_id="aino"
        ).status
        == 200
    )
    todos = [
        Todo("agent:aino", inbox.ACTION, f"s-1/a-{n}", f"2026-11-03T08:{n // 60:02d}:{n % 60:02d}Z")
        for n in range(130)
    ]
    for start in range(0, len(todos), 40):
        keep(*todos[start : start + 40])
    assert drain() == DrainResult("acme", sent=130)
    assert len(sent()) == 130
    assert {m.body for m in sent()} == {f"{SITE}/#/coaching/s-1\n"}


def test_the_openapi_document_embeds_the_request_schema_unchanged() -> None:
    text = resources.files("chalicelib.schemas").joinpath("openapi.json").read_text("utf-8")
    document = json.loads(text)["components"]["schemas"]
    source = schemas.load("notification_preferences")
    del source["$schema"], source["$id"]
    assert document["NotificationPreferencesInput"] == source


def test_a_drain_stops_when_its_time_is_up_and_the_next_one_goes_on(api: Api) -> None:
    verify_sender()
    turn_mail(api, True)
    preference = {"email": "a@example.fi", "language": "en", "enabled": True}
    assert put_preference(api, preference, agent_id="aino").status == 200
    keep(
        *(
            Todo("agent:aino", inbox.ACTION, f"s-1/a-{n}", f"2026-11-03T08:00:0{n}Z")
            for n in range(3)
        )
    )
    budget = iter([True, False])
    stores = DrainStores(NotificationStore(), TodoStore(), SettingsStore())
    first = notifications.drain(
        stores,
        SesMailer(SENDER, REGION),
        "acme",
        NOW,
        site_url=SITE,
        keep_going=lambda: next(budget, False),
    )
    assert first == DrainResult("acme", sent=1)
    assert len(outbox()) == 2
    assert drain() == DrainResult("acme", sent=2)
    assert len(sent()) == 3
