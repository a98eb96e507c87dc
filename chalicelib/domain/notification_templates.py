"""The email a new inbox entry sends: a subject per kind and language, and a link.

Pure. A message holds nothing but its subject and the link to the site's page for
the entry: no names, scores, comments or other content of the record, so a mail
read by the wrong person, forwarded, or kept by a mail provider tells nothing but
that something waits in Laatu. The page itself asks for sign-in and shows only
what the reader may see. The subject is fixed text per kind; the link is the
site's address and the hash route of the entry (ids only).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from chalicelib.domain import inbox

LANGUAGES = ("fi", "sv", "en")
DEFAULT_LANGUAGE = "fi"

SUBJECTS: Mapping[str, Mapping[str, str]] = {
    "fi": {
        inbox.SELF_EVALUATE: "Laatu: itsearviointisi odottaa",
        inbox.LEADER_EVALUATE: "Laatu: valmennusarviointi odottaa arviotasi",
        inbox.ACKNOWLEDGE: "Laatu: arviointi odottaa kuittaustasi",
        inbox.ACKNOWLEDGE_SESSION: "Laatu: valmennuskeskustelu odottaa kuittaustasi",
        inbox.ACTION: "Laatu: sovittu toimenpide odottaa",
        inbox.FOLLOW_UP: "Laatu: valmennuksen seuranta lähestyy",
        inbox.REVIEW_DISPUTE: "Laatu: oikaisupyyntö odottaa ratkaisua",
        inbox.TEAM_UNACKNOWLEDGED: "Laatu: tiimisi arviointeja on kuittaamatta",
    },
    "sv": {
        inbox.SELF_EVALUATE: "Laatu: din självutvärdering väntar",
        inbox.LEADER_EVALUATE: "Laatu: en coachningsgranskning väntar på din bedömning",
        inbox.ACKNOWLEDGE: "Laatu: en bedömning väntar på din kvittering",
        inbox.ACKNOWLEDGE_SESSION: "Laatu: ett coachningssamtal väntar på din kvittering",
        inbox.ACTION: "Laatu: en överenskommen åtgärd väntar",
        inbox.FOLLOW_UP: "Laatu: uppföljningen av coachningen närmar sig",
        inbox.REVIEW_DISPUTE: "Laatu: en begäran om omprövning väntar på beslut",
        inbox.TEAM_UNACKNOWLEDGED: "Laatu: bedömningar i ditt team är okvitterade",
    },
    "en": {
        inbox.SELF_EVALUATE: "Laatu: your self-evaluation is waiting",
        inbox.LEADER_EVALUATE: "Laatu: a coaching review is waiting for your evaluation",
        inbox.ACKNOWLEDGE: "Laatu: an evaluation is waiting for your acknowledgement",
        inbox.ACKNOWLEDGE_SESSION: "Laatu: a coaching session is waiting for your acknowledgement",
        inbox.ACTION: "Laatu: an agreed action is waiting",
        inbox.FOLLOW_UP: "Laatu: a coaching follow-up is coming up",
        inbox.REVIEW_DISPUTE: "Laatu: a dispute is waiting for a decision",
        inbox.TEAM_UNACKNOWLEDGED: "Laatu: evaluations in your team are unacknowledged",
    },
}
# For a kind added later and not yet worded: still only a subject and a link.
GENERIC = {
    "fi": "Laatu: sinulle on uusi tehtävä",
    "sv": "Laatu: en ny uppgift väntar på dig",
    "en": "Laatu: something is waiting for you",
}


@dataclass(frozen=True)
class Preference:
    """Where and in which language a person is notified, and whether at all."""

    email: str | None
    language: str = DEFAULT_LANGUAGE
    enabled: bool = False

    @property
    def mailable(self) -> bool:
        return self.enabled and bool(self.email)

    def to_dict(self) -> dict[str, Any]:
        return {"email": self.email, "language": self.language, "enabled": self.enabled}

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Preference:
        email = data.get("email")
        language = str(data.get("language") or DEFAULT_LANGUAGE)
        return cls(
            email=None if not email else str(email),
            language=language if language in LANGUAGES else DEFAULT_LANGUAGE,
            enabled=bool(data.get("enabled", False)),
        )


@dataclass(frozen=True)
class Message:
    subject: str
    body: str  # plain text: the link and nothing else


def site_link(site_url: str, route: str) -> str:
    """`https://laatu.example` + `#/reviews/r-1` -> `https://laatu.example/#/reviews/r-1`."""
    return f"{site_url.rstrip('/')}/{route}"


def render(kind: str, language: str, link: str) -> Message:
    words = language if language in SUBJECTS else DEFAULT_LANGUAGE
    subject = SUBJECTS[words].get(kind, GENERIC[words])
    return Message(subject=subject, body=f"{link}\n")
