"""Inbox emails: a subject per kind and language, and a link; never any content."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from chalicelib.domain import inbox_view
from chalicelib.domain.notification_templates import (
    GENERIC,
    LANGUAGES,
    SUBJECTS,
    Preference,
    render,
    site_link,
)
from tests.unit.strategies import PROPERTY

SITE = "https://laatu.example.fi"


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_kind_has_a_subject_in_every_language(language: str) -> None:
    assert set(SUBJECTS[language]) == set(inbox_view.KINDS)
    for subject in SUBJECTS[language].values():
        assert subject.startswith("Laatu: ")
        assert subject.isprintable()
        assert len(subject) <= 100


def test_the_languages_are_worded_apart() -> None:
    for kind in inbox_view.KINDS:
        words = {SUBJECTS[language][kind] for language in LANGUAGES}
        assert len(words) == len(LANGUAGES), kind
    assert SUBJECTS["fi"]["self_evaluate"] == "Laatu: itsearviointisi odottaa"


def test_a_message_is_the_subject_and_the_link() -> None:
    message = render("self_evaluate", "sv", site_link(SITE + "/", "#/reviews/r-1"))
    assert message.subject == "Laatu: din självutvärdering väntar"
    assert message.body == "https://laatu.example.fi/#/reviews/r-1\n"


def test_an_unknown_language_or_kind_still_gives_a_subject_and_a_link() -> None:
    assert render("acknowledge", "de", "L").subject == SUBJECTS["fi"]["acknowledge"]
    assert render("brand_new_kind", "en", "L").subject == GENERIC["en"]
    assert render("brand_new_kind", "en", "L").body == "L\n"


WORDING = " ".join([*GENERIC.values(), *(s for words in SUBJECTS.values() for s in words.values())])
# What a record may hold that a mail must never carry (text a fixed subject or the
# site's address happens to contain would be found there for no fault).
content = st.text(
    alphabet=st.characters(codec="utf-8", categories=("L", "N", "P", "Zs")), min_size=4
).filter(lambda t: bool(t.strip()) and t not in WORDING and t not in SITE)


@PROPERTY
@given(
    kind=st.sampled_from(inbox_view.KINDS),
    language=st.sampled_from(LANGUAGES),
    name=content,
    comment=content,
    score=st.decimals(min_value=0, max_value=100, places=2).map(lambda d: f"{d} %"),
)
def test_no_name_score_or_comment_reaches_the_message(
    kind: str, language: str, name: str, comment: str, score: str
) -> None:
    ref = "0b9e7c1e-52a8-4c39-9d0e-6a1b3f2d9c10"
    detail = {"agent_name": name, "comment": comment, "score": score, "session_id": ref}
    link = site_link(SITE, inbox_view.link_for(kind, ref, detail))
    message = render(kind, language, link)
    assert message.subject in {*SUBJECTS[language].values(), GENERIC[language]}
    assert message.body == f"{link}\n"
    assert message.body.startswith(f"{SITE}/#/")
    text = message.subject + message.body
    for secret in (name, comment, score):
        assert secret not in text


def test_a_preference_reads_back_with_defaults() -> None:
    assert Preference.from_dict({}) == Preference(email=None, language="fi", enabled=False)
    stored = {"email": "aino@example.fi", "language": "sv", "enabled": True, "updated_at": "x"}
    preference = Preference.from_dict(stored)
    assert preference.mailable
    assert preference.to_dict() == {"email": "aino@example.fi", "language": "sv", "enabled": True}
    assert not Preference(email=None, enabled=True).mailable
    assert Preference.from_dict({"language": "de"}).language == "fi"
