"""The coaching pages (#/inbox, #/reviews, #/coaching, #/disputes and the coaching part
of a stored evaluation) in Chromium on the local stack, with the coaching API's answers
served from JSON fixtures that follow the contract (tests/browser/fixtures/coaching/;
"@now-2d" and "@today+7" in them are instants and local days relative to now): what the
page sends is what the contract asks (each body compared whole), what it shows is the
fixture's figures, placed, and every sum or sentence it makes of them is checked here
against a calculation of the test's own. Everything else (who is signed in, the forms,
the settings) is the real stack's. axe-core finds nothing on any coaching page; no key
is shown untranslated in Finnish, Swedish or English."""

from __future__ import annotations

import json
import re
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit
from zoneinfo import ZoneInfo

import pytest
from playwright.sync_api import Browser, BrowserContext, Page, Request, Route, expect

from tests.browser.conftest import PageFactory
from tests.browser.support import Site, Watched
from tests.support import ROOT, demo_form

FIXTURES = Path(__file__).parent / "fixtures" / "coaching"
SITE_JS = ROOT / "static_site" / "js"
HELSINKI = ZoneInfo("Europe/Helsinki")
CRITERIA = [
    "tervehdys",
    "tunnistus",
    "avoimet",
    "kuuntelu",
    "ratkaisu",
    "lisamyynti",
    "argumentointi",
    "ostopaatos",
    "yhteenveto",
    "kirjaus",
    "kiitos",
]
RAW_KEY = re.compile(r"\b(?:coaching|inbox|review|session|dispute|ack)\.[a-zA-Z_]+")
_RELATIVE = re.compile(r"^@(now|today)(?:([+-]\d+)([dhm]?))?$")


@dataclass(frozen=True)
class Clock:
    now: datetime  # UTC, whole seconds

    @property
    def today(self) -> date:
        return self.now.astimezone(HELSINKI).date()

    def resolve(self, text: str) -> str:
        found = _RELATIVE.match(text)
        if not found:
            return text
        kind, amount, unit = found.groups()
        n = int(amount or 0)
        if kind == "today":
            return (self.today + timedelta(days=n)).isoformat()
        step = {"d": timedelta(days=n), "h": timedelta(hours=n), "m": timedelta(minutes=n)}
        return (self.now + step.get(unit or "d", timedelta())).isoformat().replace("+00:00", "Z")


CLOCK = Clock(datetime.now(UTC).replace(microsecond=0))


def fixture(name: str) -> Any:
    def walk(value: Any) -> Any:
        if isinstance(value, str):
            return CLOCK.resolve(value)
        if isinstance(value, list):
            return [walk(v) for v in value]
        if isinstance(value, dict):
            return {k: walk(v) for k, v in value.items()}
        return value

    return walk(json.loads((FIXTURES / f"{name}.json").read_text("utf-8")))


def fi_time(iso: str) -> str:
    """An instant as the Finnish page writes it on the tenant's clock: 2.12.2026 klo 10.05."""
    local = datetime.fromisoformat(iso.replace("Z", "+00:00")).astimezone(HELSINKI)
    return f"{local.day}.{local.month}.{local.year} klo {local.hour}.{local.minute:02d}"


def fi_day(day: str) -> str:
    d = date.fromisoformat(day)
    return f"{d.day}.{d.month}.{d.year}"


def fi_decimal(text: str) -> str:
    return text.replace(".", ",")


Handler = Callable[[Request], tuple[int, Any]]


@dataclass
class FakeCoaching:
    """The coaching routes answered by handlers (method, path) → (status, body); every
    answered request kept; anything else goes on to the real stack."""

    handlers: dict[tuple[str, str], Handler | Any] = field(default_factory=dict)
    requests: list[Request] = field(default_factory=list)

    def on(self, method: str, path: str, answer: Handler | Any) -> FakeCoaching:
        self.handlers[(method, path)] = answer
        return self

    def install(self, page: Page) -> FakeCoaching:
        page.route("**/v1/**", self._handle)
        return self

    def sent(self, method: str, path: str) -> list[Any]:
        return [
            r.post_data_json
            for r in self.requests
            if r.method == method and urlsplit(r.url).path == path
        ]

    def asked(self, method: str, path: str) -> list[dict[str, str]]:
        out = []
        for r in self.requests:
            parts = urlsplit(r.url)
            if r.method == method and parts.path == path:
                out.append({k: v[0] for k, v in parse_qs(parts.query).items()})
        return out

    def _handle(self, route: Route) -> None:
        request = route.request
        key = (request.method, urlsplit(request.url).path)
        if key not in self.handlers:
            route.fallback()
            return
        self.requests.append(request)
        answer = self.handlers[key]
        status, body = answer(request) if callable(answer) else (200, answer)
        route.fulfill(status=status, json=body)


def sent_json(request: Request) -> Any:
    body = request.post_data_json
    assert body is not None, request.url
    return body


def no_raw_keys(page: Page) -> None:
    text = page.locator("main").inner_text()
    assert RAW_KEY.findall(text) == [], RAW_KEY.findall(text)


def clean_axe(watched: Watched, name: str) -> None:
    violations = watched.axe()
    for v in violations:
        print(f"[axe] {name}: {v['impact']} {v['id']}: {[n['target'] for n in v['nodes']][:3]}")
    assert [v["id"] for v in violations] == [], name


# ---- the site's own files ---------------------------------------------------------------

_LITERAL = re.compile(
    r"[\"']((?:coaching|inbox|review|session|dispute|ack|rules)\.[a-zA-Z_.]+)[\"']"
)
_DYNAMIC = re.compile(
    r"t\(`((?:coaching|inbox|review|session|dispute|ack|rules)\.[a-zA-Z_.]+)\.\$\{"
)
_KEY = re.compile(r'^\s+"([a-zA-Z_.]+)":', re.MULTILINE)


def _keys(name: str) -> set[str]:
    return set(_KEY.findall((SITE_JS / "messages" / name).read_text("utf-8")))


def test_every_coaching_message_exists_in_all_three_languages() -> None:
    """Every key the coaching code names, nested ones too (the shared site test reads
    only one-dot keys), is in each language; every family built from data is whole."""
    sources = [
        *(SITE_JS / "views").glob("inbox.js"),
        *(SITE_JS / "views").glob("reviews*.js"),
        *(SITE_JS / "views").glob("coaching*.js"),
        *(SITE_JS / "views").glob("disputes*.js"),
        *(SITE_JS / "views" / "coaching").glob("*.js"),
        *(SITE_JS / "views" / "tenant-settings").glob("*.js"),
    ]
    text = "\n".join(p.read_text("utf-8") for p in sources)
    wanted = set(_LITERAL.findall(text))
    prefixes = set(_DYNAMIC.findall(text))
    assert len(wanted) > 250
    for language in ("fi", "sv", "en"):
        known = (
            _keys(f"{language}.js")
            | _keys(f"coaching.{language}.js")
            | _keys(f"payroll.{language}.js")
        )
        assert sorted(k for k in wanted if k not in known and not k.endswith(".")) == [], language
        for prefix in prefixes:
            assert any(k.startswith(prefix + ".") for k in known), (language, prefix)
        families = {
            "inbox.kind": [
                "self_evaluate",
                "leader_evaluate",
                "acknowledge",
                "acknowledge_session",
                "action",
                "follow_up",
                "review_dispute",
                "team_unacknowledged",
            ],
            "review.state": ["awaiting_both", "awaiting_self", "awaiting_leader", "open"],
            "dispute.state": ["open", "in_review", "upheld", "rejected", "withdrawn"],
            "dispute.outcome": ["upheld", "rejected"],
            "session.suggestionKind": ["below_team", "dropped", "rarely_done"],
            "rules.coachingDays": [
                "acknowledge_within_days",
                "self_evaluation_days",
                "dispute_window_days",
                "dispute_review_days",
            ],
        }
        families["inbox.item"] = families["inbox.kind"]
        for family, members in families.items():
            assert {f"{family}.{m}" for m in members} <= known, (language, family)


def test_the_settings_pages_coaching_limits_are_the_schemas() -> None:
    schema = json.loads(
        (ROOT / "chalicelib" / "schemas" / "settings.schema.json").read_text("utf-8")
    )
    coaching = schema["properties"]["coaching"]["properties"]
    model = (SITE_JS / "views" / "tenant-settings" / "model.js").read_text("utf-8")
    found = re.search(r"export const COACHING_DAYS = (\{.*\});", model)
    assert found is not None
    days = json.loads(found.group(1))
    assert days == {
        key: {"min": rule["minimum"], "max": rule["maximum"], "default": rule["default"]}
        for key, rule in coaching.items()
        if key.endswith("_days")
    }
    listed = re.search(r"export const DISPUTES_AT_EXPORT = (\[.*\]);", model)
    assert listed is not None
    assert json.loads(listed.group(1)) == coaching["disputes_at_export"]["enum"]


# ---- the inbox ----------------------------------------------------------------------------

INBOX_ORDER = [
    "self_evaluate",
    "leader_evaluate",
    "acknowledge",
    "acknowledge_session",
    "action",
    "follow_up",
    "review_dispute",
    "team_unacknowledged",
]


def test_the_inbox_groups_by_kind_with_the_overdue_first_and_counts_in_the_top_bar(
    open_page: PageFactory,
) -> None:
    watched = open_page("agent", locale="fi-FI")
    page = watched.page
    data = fixture("inbox")
    FakeCoaching().on("GET", "/v1/inbox", data).on(
        "GET",
        "/v1/me/notifications",
        {
            "email": None,
            "language": "fi",
            "enabled": False,
        },
    ).install(page)
    page.goto("/#/inbox")
    page.locator(".view-inbox[data-ready=true]").wait_for()

    # Groups: any overdue first, then the page's order of kinds; items: overdue, then due.
    kinds = {item["kind"] for item in data["items"]}
    late = {item["kind"] for item in data["items"] if item["overdue"]}
    expected = sorted(kinds, key=lambda k: (k not in late, INBOX_ORDER.index(k)))
    assert page.eval_on_selector_all(".inbox-group", "g => g.map(e => e.dataset.kind)") == expected
    acknowledge = page.locator('.inbox-group[data-kind="acknowledge"] .inbox-item')
    expect(acknowledge).to_have_count(2)
    assert acknowledge.nth(0).get_attribute("data-ref") == "ev-2"
    expect(acknowledge.nth(0)).to_contain_text("Myöhässä:")
    ev1 = next(i for i in data["items"] if i["ref"] == "ev-1")
    expect(acknowledge.nth(1)).to_contain_text(f"määräpäivä {fi_time(ev1['due'])}")
    expect(acknowledge.nth(1)).not_to_contain_text("Myöhässä")
    # A local day stays a day: no clock time, no zone shift.
    action = next(i for i in data["items"] if i["kind"] == "action")
    expect(page.locator('.inbox-item[data-kind="action"]')).to_contain_text(
        f"määräpäivä {fi_day(action['due'])}"
    )
    expect(page.locator('.inbox-item[data-kind="acknowledge_session"]')).to_contain_text(
        "ei määräpäivää"
    )
    for item in data["items"]:
        link = page.locator(f'.inbox-item[data-ref="{item["ref"]}"] a')
        assert link.get_attribute("href") == item["link"]
    expect(page.locator(".inbox-summary")).to_contain_text("5 odottaa sinua. 2 myöhässä.")
    expect(page.locator('.inbox-group[data-kind="acknowledge"] h2')).to_contain_text(
        "Kuitattavat arvioinnit"
    )

    # The top bar: the count, the overdue in words for a screen reader, the page current.
    badge = page.locator("#inbox-count")
    expect(badge).to_have_text(str(len(data["items"])))
    expect(badge).to_have_class(re.compile("has-overdue"))
    expect(page.locator("#inbox-count-text")).to_have_text(", 5 odottaa, 2 myöhässä")
    expect(page.locator("#inbox-link")).to_have_attribute("aria-current", "page")
    expect(page.locator("#nav a")).not_to_have_count(0)
    no_raw_keys(page)
    clean_axe(watched, "agent: inbox")


def test_the_inbox_count_waits_for_the_page_and_moves_nothing(
    open_page: PageFactory, site: Site
) -> None:
    """The count is asked for only after the page is in, as totals (not the entries),
    and its arrival moves nothing in the top bar (its room is kept from the start)."""
    watched = open_page("evaluator", locale="en-GB", sign_in=False)
    page = watched.page
    held: list[Route] = []
    page.route("**/v1/inbox?view=counts", lambda route: held.append(route))
    page.goto(f"/#token={site.token('evaluator')}")
    page.locator(".link-card").first.wait_for()
    expect(page.locator("#inbox-link")).to_be_visible()
    expect(page.locator("#inbox-link")).to_contain_text("Inbox")
    before = page.locator("#who").bounding_box()
    link_before = page.locator("#inbox-link").bounding_box()
    for _ in range(100):
        if held:
            break
        page.wait_for_timeout(100)
    assert held, "the count was never asked for"
    # Asked for once the page had loaded, never while it was loading.
    assert page.evaluate("document.readyState") == "complete"
    load_end = page.evaluate("performance.getEntriesByType('navigation')[0].loadEventEnd")
    asked_at = page.evaluate(
        "performance.getEntriesByType('resource')"
        ".filter(e => e.name.includes('/v1/inbox?view=counts'))"
        ".map(e => e.startTime)[0] ?? null"
    )
    assert asked_at is None or asked_at >= load_end
    items = fixture("inbox")
    totals = {"total": len(items["items"]), "counts": items["counts"], "overdue": items["overdue"]}
    held[0].fulfill(json=totals)
    expect(page.locator("#inbox-count")).to_have_text("5")
    assert page.locator("#who").bounding_box() == before
    assert page.locator("#inbox-link").bounding_box() == link_before


# ---- coaching reviews ---------------------------------------------------------------------


def answer_with_keys(page: Page, keys: str) -> None:
    page.locator(".criterion input[type=radio]").first.focus()
    for key in keys:
        page.keyboard.press(key)


def test_the_agent_scores_first_blind_and_then_waits_for_the_team_leader(
    open_page: PageFactory,
) -> None:
    watched = open_page("agent", locale="fi-FI")
    page = watched.page
    fake = FakeCoaching()
    state = {"review": fixture("review-awaiting-both")}
    fake.on("GET", "/v1/reviews/rev-1", lambda r: (200, state["review"]))

    def store(request: Request) -> tuple[int, Any]:
        state["review"] = fixture("review-awaiting-leader")
        return 200, state["review"]

    fake.on("PUT", "/v1/reviews/rev-1/self", store).install(page)
    page.goto("/#/reviews/rev-1")
    page.locator(".view-reviews-item[data-ready=true]").wait_for()
    turn = page.locator("[data-turn]")
    expect(turn).to_contain_text("Sinun vuorosi: arvioi kontakti ensin itse")
    expect(turn).to_contain_text(fi_time(state["review"]["self_due"]))
    expect(turn).to_contain_text("Tiiminvetäjän arviointi pysyy sinulta piilossa")
    expect(page.locator('[data-side="leader"]')).to_contain_text("ei vielä tehty")
    expect(page.locator("[data-comparison]")).to_have_count(0)
    # The evaluation page's criteria: one key per criterion, focus moving on.
    expect(page.locator(".criterion input[type=radio]").first).to_be_focused()
    answer_with_keys(page, "kkkkekkkkkk")
    expect(page.locator(".review-scoring textarea").last).to_be_focused()
    page.keyboard.type("Hyvä puhelu muuten.")
    page.keyboard.press("Control+Enter")
    expect(page.locator("[data-turn]")).to_contain_text(
        "Omasi on tehty. Nyt on tiiminvetäjän (eero.evaluator) vuoro."
    )
    answers = {c: "yes" for c in CRITERIA} | {"ratkaisu": "no"}
    assert fake.sent("PUT", "/v1/reviews/rev-1/self") == [
        {"answers": answers, "comments": {}, "summary": "Hyvä puhelu muuten."}
    ]
    own = page.locator("[data-own-side]")
    expect(own.locator(".answer-row")).to_have_count(len(CRITERIA))
    expect(own).to_contain_text("82,35 %")
    expect(page.locator('[data-side="self"]')).to_contain_text("omasi on tehty")
    expect(page.locator('[data-side="leader"]')).to_contain_text("ei vielä tehty")
    expect(page.locator(".review-scoring")).to_have_count(0)
    no_raw_keys(page)
    clean_axe(watched, "agent: review, waiting for the team leader")


def test_the_team_leader_scores_and_both_open_side_by_side(open_page: PageFactory) -> None:
    watched = open_page("evaluator", locale="sv-FI")
    page = watched.page
    fake = FakeCoaching()
    state = {"review": fixture("review-awaiting-leader-for-leader")}
    fake.on("GET", "/v1/reviews/rev-1", lambda r: (200, state["review"]))

    def store(request: Request) -> tuple[int, Any]:
        state["review"] = fixture("review-open")
        return 200, state["review"]

    fake.on("PUT", "/v1/reviews/rev-1/leader", store).install(page)
    page.goto("/#/reviews/rev-1")
    page.locator(".view-reviews-item[data-ready=true]").wait_for()
    expect(page.locator("[data-turn]")).to_contain_text(
        "Kundtjänstmedarbetaren (aino) har gjort sin självbedömning; "
        "hens svar är dolda tills dina är klara."
    )
    expect(page.locator('[data-side="self"]')).to_contain_text("(dold tills bedömningen öppnas)")
    # Sealed: nothing of the agent's answers is on the page.
    expect(page.locator("[data-own-side], [data-comparison]")).to_have_count(0)
    page.get_by_label("Sätt").select_option("live")
    answer_with_keys(page, "jjnjjhjjjjj")
    page.keyboard.press("Control+Enter")
    page.locator('[data-comparison="both"]').wait_for()
    body = fake.sent("PUT", "/v1/reviews/rev-1/leader")
    assert body == [
        {
            "method": "live",
            "answers": {c: "yes" for c in CRITERIA} | {"avoimet": "no", "lisamyynti": "na"},
            "comments": {},
            "summary": "",
        }
    ]

    opened = state["review"]
    rows = page.locator(".compare-table tbody tr[data-criterion]")
    expect(rows).to_have_count(len(CRITERIA))
    # The count of differing criteria, counted here from the two sides' answers.
    own_count = sum(
        1 for c in CRITERIA if opened["self"]["answers"][c] != opened["leader_side"]["answers"][c]
    )
    assert own_count == 3
    expect(page.locator("[data-differing]")).to_have_attribute("data-differing", str(own_count))
    expect(page.locator("[data-differing]")).to_have_text(f"{own_count} av {len(CRITERIA)}")
    for criterion in CRITERIA:
        row = page.locator(f'.compare-table tr[data-criterion="{criterion}"]')
        mine, theirs = (
            opened["self"]["answers"][criterion],
            opened["leader_side"]["answers"][criterion],
        )
        assert row.locator("[data-self]").get_attribute("data-self") == mine
        assert row.locator("[data-leader]").get_attribute("data-leader") == theirs
        # Not by colour alone: the words and the sign say it.
        expect(row.locator(".difference")).to_have_text(
            "≠ Skiljer sig" if mine != theirs else "= Lika"
        )
    expect(page.locator("[data-self-score]")).to_have_text("82,35 %")
    expect(page.locator("[data-leader-score]")).to_have_text("86,67 %")
    expect(page.locator('.compare-table tr[data-criterion="avoimet"]')).to_contain_text(
        "Kysymykset olivat suljettuja."
    )
    expect(page.get_by_role("link", name="Öppna självbedömningen")).to_have_attribute(
        "href", "#/evaluations/ev-self-1"
    )
    no_raw_keys(page)
    clean_axe(watched, "team leader: review open side by side")


def test_a_team_leader_starts_a_review_of_an_agent_they_lead(open_page: PageFactory) -> None:
    watched = open_page("evaluator", locale="en-GB")
    page = watched.page
    fake = FakeCoaching()
    fake.on("GET", "/v1/reviews", {"items": fixture("reviews")["items"], "next_cursor": None})
    fake.on(
        "GET",
        "/v1/teams",
        {
            "items": [
                {"team_id": "tiimi-1", "name": "Tiimi 1", "leaders": ["eero.evaluator"]},
                {"team_id": "tiimi-2", "name": "Tiimi 2", "leaders": []},
            ]
        },
    )
    fake.on(
        "GET",
        "/v1/agents",
        {
            "items": [
                {"agent_id": "aino", "name": "Aino", "team": "tiimi-1", "active": True},
                {"agent_id": "sari", "name": "Sari", "team": "tiimi-2", "active": True},
            ]
        },
    )
    fake.on("POST", "/v1/reviews", lambda r: (201, fixture("review-awaiting-both")))
    fake.on("GET", "/v1/reviews/rev-1", fixture("review-awaiting-both"))
    fake.install(page)
    page.goto("/#/reviews")
    page.locator(".view-reviews[data-ready=true]").wait_for()
    # The list: each review's state in words and a link.
    expect(page.locator(".review-list tbody tr")).to_have_count(2)
    expect(page.locator('.review-list tr[data-state="open"]')).to_contain_text("Open: side by side")
    # Only the agents of the teams this person leads.
    agent = page.get_by_label("Agent", exact=True).first
    expect(agent.locator("option")).to_have_text(["Choose the agent", "Aino (aino)"])
    page.get_by_role("button", name="Start the review").click()
    expect(page.locator('[data-field="agent_id"] .field-error')).to_have_text("Choose the agent.")
    expect(page.locator('[data-field="contact.id"] .field-error')).to_have_text(
        "Enter the contact's id."
    )
    assert fake.sent("POST", "/v1/reviews") == []
    agent.select_option("aino")
    page.get_by_label("Contact id").fill("puhelu-4711")
    page.get_by_label("When the contact happened").fill("2026-11-02 10:15")
    page.get_by_role("button", name="Start the review").click()
    page.locator(".view-reviews-item[data-ready=true]").wait_for()
    [body] = fake.sent("POST", "/v1/reviews")
    version = body["form_version"]
    assert body == {
        "agent_id": "aino",
        "form_id": "asiakaspalvelu",
        "form_version": version,
        "contact": {
            "channel": "phone",
            "id": "puhelu-4711",
            "occurred_at": "2026-11-02T10:15:00+02:00",
        },
    }
    assert version >= 1
    clean_axe(watched, "team leader: a review waiting for both")


# ---- coaching sessions ----------------------------------------------------------------------


def effect_sentence(row: dict[str, Any]) -> str:
    """What the page must say of one criterion, decided here from the interval alone."""
    d = row["difference"]
    if d is None:
        return "Not enough answers before or after to compare yet."
    low, high = float(d["low"]), float(d["high"])

    def signed(text: str) -> str:
        return ("+" if float(text) > 0 else "") + text

    if low <= 0 <= high:
        return "The interval of the difference includes 0: no change can be claimed yet."
    word, where = ("rose", "above") if low > 0 else ("fell", "below")
    return (
        f"Compliance {word} by {d['value'].lstrip('-')} points: the whole interval of the "
        f"difference ({signed(d['low'])} … {signed(d['high'])}) is {where} 0."
    )


def test_the_agent_reads_the_session_acknowledges_it_wishes_and_marks_an_action_done(
    open_page: PageFactory,
) -> None:
    watched = open_page("agent", locale="en-GB")
    page = watched.page
    state = {"session": fixture("session")}
    fake = FakeCoaching()
    fake.on("GET", "/v1/coaching-sessions/ses-1", lambda r: (200, state["session"]))

    def acknowledge(request: Request) -> tuple[int, Any]:
        state["session"] = state["session"] | {
            "acknowledged": {"by": "aino.agent", "at": CLOCK.resolve("@now")},
            "version": 3,
        }
        return 200, state["session"]

    def wish(request: Request) -> tuple[int, Any]:
        state["session"] = state["session"] | {
            "development_wish": sent_json(request)["development_wish"],
            "version": 4,
        }
        return 200, state["session"]

    def done(request: Request) -> tuple[int, Any]:
        actions = [
            a | {"done_at": CLOCK.resolve("@now")} if a["action_id"] == "act-1" else a
            for a in state["session"]["actions"]
        ]
        state["session"] = state["session"] | {"actions": actions, "version": 5}
        return 200, state["session"]

    fake.on("POST", "/v1/coaching-sessions/ses-1/acknowledgement", acknowledge)
    fake.on("PUT", "/v1/coaching-sessions/ses-1/wish", wish)
    fake.on("POST", "/v1/coaching-sessions/ses-1/actions/act-1/done", done).install(page)
    page.goto("/#/coaching/ses-1")
    page.locator(".view-coaching-session[data-ready=true]").wait_for()

    # The effect: each figure the fixture's, n = Yes + No counted here, one sentence each.
    effect = state["session"]["effect"]
    table = page.locator(".effect-table tbody tr")
    expect(table).to_have_count(len(effect["criteria"]))
    for row in effect["criteria"]:
        line = page.locator(f'.effect-table tr[data-key="asiakaspalvelu/{row["criterion_id"]}"]')
        for side in ("before", "after"):
            figures = row[side]
            n = figures["yes"] + figures["no"]
            assert line.get_attribute(f"data-n-{side}") == str(n)
            cell = line.locator("td").nth(0 if side == "before" else 1)
            if n == 0:
                expect(cell).to_have_text("no answers")
            else:
                expect(cell).to_have_text(
                    f"{figures['rate']} % (95 %: {figures['low']}–{figures['high']} %), n = {n}"
                )
        expect(line.locator(".meaning-cell")).to_have_text(effect_sentence(row))
    expect(page.locator(".effect-table")).to_contain_text("+40.00 points (95 %: +9.96 … +62.06)")
    expect(page.locator("#effect .meaning")).to_contain_text("Compliance = Yes / (Yes + No)")
    chart = page.locator("svg.effect-chart[role=img]")
    expect(chart).to_have_attribute("aria-label", re.compile("for 3 criteria"))
    expect(chart.locator("g.effect-row")).to_have_count(3)
    expect(chart.locator("g.effect-row.crosses")).to_have_count(1)

    # The agent's own part.
    expect(page.locator('.action-table tr[data-action="act-2"] button')).to_have_count(0)
    page.get_by_role("button", name="Acknowledge the session").click()
    expect(page.locator("[data-acknowledged]")).to_contain_text("Acknowledged by aino.agent")
    page.get_by_label("Where do you want to develop?").fill("Avoimet kysymykset ja rauhallisuus.")
    page.get_by_role("button", name="Save my wish").click()
    expect(page.locator("#wish")).to_contain_text("Your wish is saved.")
    wish_request = next(r for r in fake.requests if r.method == "PUT")
    assert wish_request.post_data_json == {
        "development_wish": "Avoimet kysymykset ja rauhallisuus."
    }
    assert wish_request.headers["if-match"] == '"3"'
    page.locator('.action-table tr[data-action="act-1"]').get_by_role(
        "button", name="Mark done"
    ).click()
    expect(page.locator('.action-table tr[data-action="act-1"]')).to_contain_text("✓ Done")
    assert len(fake.sent("POST", "/v1/coaching-sessions/ses-1/actions/act-1/done")) == 1
    no_raw_keys(page)
    clean_axe(watched, "agent: coaching session")


def test_a_team_leader_records_a_session_with_an_action(open_page: PageFactory) -> None:
    watched = open_page("evaluator", locale="fi-FI")
    page = watched.page
    fake = FakeCoaching()
    fake.on(
        "GET",
        "/v1/teams",
        {"items": [{"team_id": "tiimi-1", "name": "Tiimi 1", "leaders": ["eero.evaluator"]}]},
    )
    fake.on(
        "GET",
        "/v1/agents",
        {"items": [{"agent_id": "aino", "name": "Aino", "team": "tiimi-1", "active": True}]},
    )
    fake.on("GET", "/v1/evaluations", {"items": [fixture("evaluation")], "next_cursor": None})
    fake.on("GET", "/v1/reports/suggestions", fixture("suggestions"))
    fake.on("POST", "/v1/coaching-sessions", lambda r: (201, fixture("session")))
    fake.on("GET", "/v1/coaching-sessions/ses-1", fixture("session"))
    fake.on("PUT", "/v1/coaching-sessions/ses-1", lambda r: (200, fixture("session"))).install(page)
    page.goto("/#/coaching/new?agent=aino")
    page.locator(".view-coaching-session[data-ready=true]").wait_for()
    expect(page.get_by_label("Asiakaspalvelija", exact=True)).to_have_value("aino")
    page.locator('[data-field="evaluation_ids"] input[type=checkbox]').first.wait_for()
    # The suggestions were asked for the agent over the 90 days ending the session's day.
    today = CLOCK.today
    [query] = fake.asked("GET", "/v1/reports/suggestions")
    assert query["scope"] == "agent:aino"
    assert (
        query["range"] == f"custom:{(today - timedelta(days=89)).isoformat()}..{today.isoformat()}"
    )
    page.locator('[data-field="evaluation_ids"] input[type=checkbox]').first.check()
    page.locator('[data-field="suggestions"] input[type=checkbox]').first.check()
    page.get_by_label("Keskustelun muistiinpanot").fill("Käytiin läpi kaksi puhelua.")
    page.get_by_role("button", name="Lisää toimenpide").click()
    expect(page.get_by_label("Mitä tehdään (toimenpide 1)")).to_be_focused()
    # An empty action is caught before the API is asked.
    page.get_by_role("button", name="Tallenna keskustelu").click()
    expect(page.locator('[data-field="actions[0].text"] .field-error')).to_have_text(
        "Kirjoita, mitä tehdään."
    )
    expect(page.locator('[data-field="actions[0].due"] .field-error')).to_have_text(
        "Valitse päivä."
    )
    assert fake.sent("POST", "/v1/coaching-sessions") == []
    due = (today + timedelta(days=14)).isoformat()
    page.get_by_label("Mitä tehdään (toimenpide 1)").fill("Kysy kolme avointa kysymystä")
    page.get_by_label("Kenen toimenpide 1 on").select_option("agent")
    page.get_by_label("Toimenpiteen 1 määräpäivä").fill(due)
    page.locator(".criteria-picker summary").click()
    page.locator(".criteria-picker").get_by_label(
        "Asiakaspalvelija kartoittaa asiakkaan kokonaistilanteen avoimin kysymyksin"
    ).check()
    expect(page.locator(".criteria-picker summary")).to_contain_text("1 valittu")
    page.get_by_label("Seuranta").fill((today + timedelta(days=30)).isoformat())
    page.get_by_role("button", name="Tallenna keskustelu").click()
    page.locator(".view-coaching-session #effect").wait_for()
    assert fake.sent("POST", "/v1/coaching-sessions") == [
        {
            "agent_id": "aino",
            "held_on": today.isoformat(),
            "evaluation_ids": ["ev-1"],
            "suggestions": [
                {
                    "kind": "below_team",
                    "form_id": "asiakaspalvelu",
                    "criterion_id": "avoimet",
                    "text": "Kysy avoimia kysymyksiä ennen ratkaisua.",
                }
            ],
            "notes": "Käytiin läpi kaksi puhelua.",
            "actions": [
                {
                    "text": "Kysy kolme avointa kysymystä",
                    "owner": "agent",
                    "due": due,
                    "criteria": [{"form_id": "asiakaspalvelu", "criterion_id": "avoimet"}],
                }
            ],
            "follow_up": (today + timedelta(days=30)).isoformat(),
        }
    ]
    no_raw_keys(page)
    clean_axe(watched, "team leader: a recorded session")

    # A change goes with the version it was made on, each action with its id (done
    # actions stay done); the agent cannot be changed.
    page.get_by_role("button", name="Muokkaa keskustelua").click()
    expect(page.get_by_label("Asiakaspalvelija", exact=True)).to_have_attribute("readonly", "")
    page.get_by_label("Keskustelun muistiinpanot").fill("Lisätty muistiinpano.")
    page.get_by_role("button", name="Poista toimenpide 2").click()
    page.get_by_role("button", name="Tallenna muutokset").click()
    page.locator(".view-coaching-session #effect").wait_for()
    [change] = [r for r in fake.requests if r.method == "PUT"]
    assert change.headers["if-match"] == '"2"'
    stored = fixture("session")
    kept = stored["actions"][0]
    assert sent_json(change) == {
        "agent_id": "aino",
        "held_on": stored["held_on"],
        "evaluation_ids": stored["evaluation_ids"],
        "suggestions": stored["suggestions"],
        "notes": "Lisätty muistiinpano.",
        "actions": [
            {
                "action_id": kept["action_id"],
                "text": kept["text"],
                "owner": kept["owner"],
                "due": kept["due"],
                "criteria": kept["criteria"],
            }
        ],
        "follow_up": stored["follow_up"],
    }


# ---- a stored evaluation: acknowledgement and disputes ----------------------------------------


def test_the_agent_acknowledges_and_disputes_a_stored_evaluation(
    open_page: PageFactory, site: Site
) -> None:
    watched = open_page("agent", locale="fi-FI")
    page = watched.page
    evaluation = fixture("evaluation")
    state: dict[str, Any] = {"ack": fixture("acknowledgements"), "disputes": [], "tries": 0}
    fake = FakeCoaching()
    fake.on("GET", "/v1/evaluations/ev-1", evaluation)
    fake.on("GET", "/v1/evaluations/ev-1/acknowledgements", lambda r: (200, state["ack"]))

    def acknowledge(request: Request) -> tuple[int, Any]:
        state["ack"] = fixture("acknowledgements-done")
        return 200, {
            "evaluation_id": "ev-1",
            "revision": 2,
            "by": "aino.agent",
            "at": CLOCK.resolve("@now"),
        }

    def dispute(request: Request) -> tuple[int, Any]:
        state["tries"] += 1
        if state["tries"] == 1:
            return 409, {"error": "dispute_window_closed", "message": "closed", "field": None}
        state["disputes"] = [fixture("dispute")]
        return 201, state["disputes"][0]

    fake.on("POST", "/v1/evaluations/ev-1/acknowledgement", acknowledge)
    fake.on("GET", "/v1/evaluations/ev-1/disputes", lambda r: (200, {"items": state["disputes"]}))
    fake.on("POST", "/v1/evaluations/ev-1/disputes", dispute).install(page)
    page.goto("/#/evaluations/ev-1")
    page.locator(".coaching-part[data-ready=true]").wait_for()

    ack = page.locator("[data-acknowledgement]")
    expect(ack).to_contain_text("Ei vielä kuitattu.")
    expect(ack).to_contain_text(f"Myöhässä: määräaika oli {fi_time(state['ack']['due'])}.")
    page.get_by_role("button", name="Kuittaa", exact=True).click()
    expect(ack).to_contain_text("Kuitannut aino.agent")
    expect(ack).to_contain_text("(versio 2)")
    assert fake.sent("POST", "/v1/evaluations/ev-1/acknowledgement") == [{"revision": 2}]

    # The window, counted here as the API's rule says: it ends at local midnight after
    # the day `days` days after the day the evaluation was stored.
    days = site.expect(200, "GET", "/v1/settings", "agent")["coaching"]["dispute_window_days"]
    created = datetime.fromisoformat(evaluation["created_at"].replace("Z", "+00:00"))
    last_day = created.astimezone(HELSINKI).date() + timedelta(days=days)
    end = datetime.combine(last_day + timedelta(days=1), datetime.min.time(), HELSINKI)
    disputes = page.locator("[data-disputes]")
    shown = disputes.locator("[data-window-end]").get_attribute("data-window-end") or ""
    assert datetime.fromisoformat(shown) == end
    expect(disputes).to_contain_text(f"oikaisua {fi_time(end.isoformat())} asti ({days} päivää")
    page.get_by_role("button", name="Pyydä oikaisua").click()
    expect(page.get_by_label("Miksi pyydät oikaisua?")).to_be_focused()
    page.get_by_role("button", name="Lähetä oikaisupyyntö").click()
    expect(page.locator('[data-field="reason"] .field-error')).to_have_text("Kirjoita perustelu.")
    assert fake.sent("POST", "/v1/evaluations/ev-1/disputes") == []
    page.get_by_label("Miksi pyydät oikaisua?").fill(
        "Asia ratkaistiin seuraavana päivänä sovitusti."
    )
    page.locator(".dispute-form").get_by_label(
        "Asiakkaan asia ratkaistaan ensimmäisessä kontaktissa"
    ).check()
    page.get_by_role("button", name="Lähetä oikaisupyyntö").click()
    # The API's refusal, in the page's words, next to the field.
    expect(page.locator('[data-field="reason"] .field-error')).to_have_text(
        "Tämän arvioinnin oikaisuaika on päättynyt."
    )
    page.get_by_role("button", name="Lähetä oikaisupyyntö").click()
    listed = disputes.locator('.dispute[data-dispute="dis-1"]')
    expect(listed).to_contain_text("Avoin")
    expect(listed).to_contain_text("Asiakkaan asia ratkaistaan ensimmäisessä kontaktissa")
    expect(listed).to_contain_text(
        f"Ratkaistava viimeistään{fi_time(fixture('dispute')['review_due'])}"
    )
    expect(disputes).to_contain_text("odottamassa ratkaisua")
    expect(page.get_by_role("button", name="Pyydä oikaisua")).to_have_count(0)
    sent = fake.sent("POST", "/v1/evaluations/ev-1/disputes")
    assert (
        sent
        == [{"reason": "Asia ratkaistiin seuraavana päivänä sovitusti.", "criteria": ["ratkaisu"]}]
        * 2
    )
    item = disputes.locator(".dispute-list > li").first
    item.locator("details.history summary").click()
    expect(item.locator(".history-table tbody tr")).to_have_count(1)
    no_raw_keys(page)
    clean_axe(watched, "agent: stored evaluation with a dispute")


# ---- disputes -----------------------------------------------------------------------------------


def test_a_reviewer_takes_a_dispute_into_review_and_upholds_it_with_the_correction(
    open_page: PageFactory,
) -> None:
    watched = open_page("admin", locale="en-GB")
    page = watched.page
    evaluation = fixture("evaluation")
    state = {"dispute": fixture("dispute"), "evaluation": evaluation}
    fake = FakeCoaching()
    fake.on("GET", "/v1/disputes", fixture("disputes"))
    fake.on("GET", "/v1/disputes/dis-1", lambda r: (200, state["dispute"]))
    fake.on("GET", "/v1/evaluations/ev-1", lambda r: (200, state["evaluation"]))

    def take(request: Request) -> tuple[int, Any]:
        step = {"state": "in_review", "by": "maija.admin", "at": CLOCK.resolve("@now")}
        state["dispute"] = state["dispute"] | {
            "state": "in_review",
            "reviewer": "maija.admin",
            "history": [*state["dispute"]["history"], step],
            "version": 2,
        }
        return 200, state["dispute"]

    def decide(request: Request) -> tuple[int, Any]:
        body = sent_json(request)
        state["evaluation"] = evaluation | {
            "revision": 3,
            "answers": body["evaluation"]["answers"],
            "dispute_id": "dis-1",
        }
        decision = {
            "outcome": "upheld",
            "reason": body["reason"],
            "by": "maija.admin",
            "at": CLOCK.resolve("@now"),
            "revision": 3,
        }
        step = {
            "state": "upheld",
            "by": "maija.admin",
            "at": CLOCK.resolve("@now"),
            "reason": body["reason"],
        }
        state["dispute"] = state["dispute"] | {
            "state": "upheld",
            "decision": decision,
            "history": [*state["dispute"]["history"], step],
            "version": 3,
        }
        return 200, state["dispute"]

    fake.on("POST", "/v1/disputes/dis-1/review", take)
    fake.on("POST", "/v1/disputes/dis-1/decision", decide).install(page)

    page.goto("/#/disputes")
    page.locator(".view-disputes[data-ready=true]").wait_for()
    assert fake.asked("GET", "/v1/disputes") == [{"state": "undecided"}]
    # The nearest review deadline first; the overdue one says so.
    listed = fixture("disputes")["items"]
    nearest = [d["dispute_id"] for d in sorted(listed, key=lambda d: d["review_due"])]
    assert (
        page.eval_on_selector_all(".dispute-table tbody tr", "r => r.map(e => e.dataset.dispute)")
        == nearest
    )
    expect(page.locator('.dispute-table tr[data-dispute="dis-2"]')).to_contain_text("Overdue:")
    expect(page.locator('.dispute-table tr[data-dispute="dis-3"]')).to_contain_text("In review")
    clean_axe(watched, "admin: disputes to decide")

    page.goto("/#/disputes/dis-1")
    page.locator(".view-disputes-item[data-ready=true]").wait_for()
    expect(page.locator(".dispute")).to_contain_text(
        "Asia ratkaistiin seuraavana päivänä sovitusti."
    )
    page.get_by_role("button", name="Take into review").click()
    expect(page.locator(".view-disputes-item")).to_have_attribute("data-state", "in_review")
    page.get_by_role("button", name="Uphold and correct the evaluation").click()
    editor = page.locator(".uphold-editor")
    # Prefilled with the evaluation as it reads: every answer checked as stored.
    for criterion, answer in evaluation["answers"].items():
        expect(
            editor.locator(f'input[data-criterion="{criterion}"][value="{answer}"]')
        ).to_be_checked()
    expect(editor.locator(".criterion.disputed")).to_have_count(1)
    disputed = editor.locator('.criterion[data-criterion-block="ratkaisu"]')
    expect(disputed).to_contain_text("disputed")
    expect(disputed.locator('input[value="no"]')).to_be_focused()
    expect(editor.get_by_label("Comment on criterion 5")).to_have_value("Asia jäi auki.")
    page.keyboard.press("y")
    expect(editor.locator(".score-panel [data-live-score]")).not_to_have_text("76.47 %")
    editor.get_by_label("Why is it upheld?").fill("The call log shows it was solved as agreed.")
    page.keyboard.press("Control+Enter")
    expect(page.locator("[data-outcome]")).to_have_text(
        "The dispute is upheld and the corrected evaluation is stored."
    )
    [body] = fake.sent("POST", "/v1/disputes/dis-1/decision")
    assert body == {
        "outcome": "upheld",
        "reason": "The call log shows it was solved as agreed.",
        "evaluation": {
            "form_id": "asiakaspalvelu",
            "form_version": 1,
            "agent_id": "aino",
            "contact": evaluation["contact"],
            "method": "recording",
            "answers": evaluation["answers"] | {"ratkaisu": "yes"},
            "comments": {"ratkaisu": "Asia jäi auki."},
            "summary": "Ystävällinen vastaus.",
        },
        "evaluation_revision": 2,
    }
    expect(page.locator(".dispute")).to_contain_text("Upheld: the evaluation was corrected")
    expect(page.locator(".dispute")).to_contain_text("revision 3")
    expect(page.locator(".history-table tbody tr")).to_have_count(3)
    no_raw_keys(page)
    clean_axe(watched, "admin: an upheld dispute")


def test_a_reviewer_rejects_a_dispute_with_a_reason(open_page: PageFactory) -> None:
    watched = open_page("admin", locale="sv-FI")
    page = watched.page
    in_review = next(d for d in fixture("disputes")["items"] if d["dispute_id"] == "dis-3")
    fake = FakeCoaching()
    fake.on("GET", "/v1/disputes/dis-3", in_review)
    fake.on(
        "GET",
        "/v1/evaluations/ev-8",
        fixture("evaluation") | {"evaluation_id": "ev-8", "agent_id": "sari"},
    )
    rejected = in_review | {
        "state": "rejected",
        "decision": {
            "outcome": "rejected",
            "reason": "Kriteriet stämmer.",
            "by": "maija.admin",
            "at": CLOCK.resolve("@now"),
            "revision": None,
        },
    }
    fake.on("POST", "/v1/disputes/dis-3/decision", rejected).install(page)
    page.goto("/#/disputes/dis-3")
    page.locator(".view-disputes-item[data-ready=true]").wait_for()
    page.get_by_role("button", name="Avslå", exact=True).click()
    expect(page.get_by_label("Varför avslås den?")).to_be_focused()
    page.get_by_role("button", name="Avslå invändningen").click()
    expect(page.locator('[data-field="reason"] .field-error')).to_have_text(
        "Skriv beslutets motivering."
    )
    assert fake.sent("POST", "/v1/disputes/dis-3/decision") == []
    page.get_by_label("Varför avslås den?").fill("Kriteriet stämmer.")
    page.get_by_role("button", name="Avslå invändningen").click()
    expect(page.locator("[data-outcome]")).to_have_text("Invändningen är avslagen.")
    assert fake.sent("POST", "/v1/disputes/dis-3/decision") == [
        {"outcome": "rejected", "reason": "Kriteriet stämmer."}
    ]
    no_raw_keys(page)
    clean_axe(watched, "admin: a rejected dispute")


# ---- settings ------------------------------------------------------------------------------------


def test_the_coaching_settings_are_sent_with_the_rest(open_page: PageFactory) -> None:
    watched = open_page("admin", locale="en-GB")
    page = watched.page
    fake = FakeCoaching()
    fake.on(
        "PUT", "/v1/settings", {"revision": 99, "effective_from": "1970-01-01T00:00:00Z"}
    ).install(page)
    page.goto("/#/settings")
    fieldset = page.locator("fieldset.coaching-rules")
    expect(fieldset.locator("legend").first).to_have_text("Coaching")
    ack = page.get_by_label("Days to acknowledge an evaluation")
    ack.fill("0")
    page.get_by_role("button", name="Save the rules").click()
    expect(
        page.locator('[data-field="coaching.acknowledge_within_days"] .field-error')
    ).to_have_text("Write a whole number in the range shown.")
    assert fake.sent("PUT", "/v1/settings") == []
    ack.fill("5")
    page.get_by_label("Days for the self-evaluation of a coaching review").fill("3")
    page.get_by_label("Days to dispute an evaluation").fill("10")
    page.get_by_label("Days to decide a dispute").fill("4")
    page.get_by_role("radio", name=re.compile("Held back until the dispute is decided")).check()
    page.get_by_role("checkbox", name=re.compile("Email notifications of new inbox items")).check()
    page.get_by_role("button", name="Save the rules").click()
    expect(page.locator(".saved-note")).to_contain_text("Saved as revision 99.")
    [body] = fake.sent("PUT", "/v1/settings")
    assert body["coaching"] == {
        "acknowledge_within_days": 5,
        "self_evaluation_days": 3,
        "dispute_window_days": 10,
        "dispute_review_days": 4,
        "disputes_at_export": "held",
        "email_notifications": True,
    }
    assert {"time_zone", "pay_period", "incentives", "reports"} <= set(body)
    # An empty acknowledgement deadline is "none".
    ack.fill("")
    page.get_by_role("button", name="Save the rules").click()
    expect(page.locator(".saved-note")).to_contain_text("Saved as revision 99.")
    assert fake.sent("PUT", "/v1/settings")[-1]["coaching"]["acknowledge_within_days"] is None
    clean_axe(watched, "admin: settings with the coaching fieldset")


# ---- every page in every language -------------------------------------------------------------

LIST_PAGES = [
    ("agent", "/#/reviews", ".view-reviews[data-ready=true]", "fi-FI"),
    ("evaluator", "/#/coaching", ".view-coaching[data-ready=true]", "sv-FI"),
    ("agent", "/#/coaching", ".view-coaching[data-ready=true]", "en-GB"),
    ("admin", "/#/disputes?state=all", ".view-disputes[data-ready=true]", "sv-FI"),
    ("agent", "/#/inbox", ".view-inbox[data-ready=true]", "en-GB"),
]


@pytest.mark.parametrize(("role", "path", "ready", "locale"), LIST_PAGES)
def test_the_coaching_lists_in_each_language_have_no_violations(
    open_page: PageFactory, role: str, path: str, ready: str, locale: str
) -> None:
    watched = open_page(role, locale=locale)
    page = watched.page
    FakeCoaching().on("GET", "/v1/reviews", fixture("reviews")).on(
        "GET", "/v1/coaching-sessions", fixture("sessions")
    ).on("GET", "/v1/disputes", fixture("disputes")).on(
        "GET", "/v1/inbox", {"items": [], "counts": {}, "overdue": 0}
    ).on(
        "GET",
        "/v1/me/notifications",
        {"email": "aino@example.com", "language": "en", "enabled": True},
    ).on("GET", "/v1/acknowledgements", {"items": [], "count": 0, "overdue_count": 0}).install(page)
    page.goto(path)
    page.locator(ready).wait_for()
    page.wait_for_load_state("networkidle")
    no_raw_keys(page)
    clean_axe(watched, f"{role}: {path} ({locale})")


# ---- the loop on the real local stack ---------------------------------------------------------

LIVE_TENANT = "coaching-live"


@pytest.fixture
def live(browser: Browser, site: Site) -> Iterator[Callable[[str, str], Watched]]:
    """open(role, locale) → a page signed in to a tenant of its own (the demo form, a
    team led by the demo evaluator, aino in it), so the demo tenant stays as the other
    tests expect it."""
    tenant = replace(site, tenant=LIVE_TENANT)
    if tenant.api("GET", "/v1/forms/asiakaspalvelu", "admin")[0] == 404:
        tenant.expect(201, "POST", "/v1/forms", "admin", demo_form())
        tenant.expect(201, "POST", "/v1/forms/asiakaspalvelu/publish", "admin")
    team = {"name": "Tiimi 1", "leaders": ["eero.evaluator"]}
    tenant.expect(200, "PUT", "/v1/teams/tiimi-1", "admin", team)
    tenant.expect(200, "PUT", "/v1/agents/aino", "admin", {"name": "Aino", "team": "tiimi-1"})
    contexts: list[BrowserContext] = []
    pages: list[Watched] = []

    def open_as(role: str, locale: str) -> Watched:
        context = browser.new_context(
            base_url=site.base,
            locale=locale,
            viewport={"width": 1280, "height": 900},
            timezone_id="Europe/Helsinki",
        )
        context.set_default_timeout(15_000)
        contexts.append(context)
        watched = Watched(context.new_page())
        pages.append(watched)
        watched.page.goto(f"/#token={tenant.token(role)}")
        watched.page.wait_for_selector("#who .who-user")
        return watched

    yield open_as
    for context in contexts:
        context.close()
    for watched in pages:
        watched.assert_clean()


def wait_for(what: str, check: Callable[[], Any], seconds: float = 20) -> Any:
    deadline = time.monotonic() + seconds
    while True:
        found = check()
        if found:
            return found
        assert time.monotonic() < deadline, what
        time.sleep(0.2)


def test_the_coaching_loop_in_the_browser_on_the_local_stack(
    live: Callable[[str, str], Watched], site: Site
) -> None:
    """Self-evaluation first, the team leader's, side by side; a session with an
    action, acknowledged; the leader's evaluation acknowledged and disputed; upheld
    with a corrected answer by the QA manager: each step in the page, each figure
    compared with what the API answers (or counts here)."""
    tenant = replace(site, tenant=LIVE_TENANT)
    contact = f"live-{int(time.time())}"

    # 1. The agent starts a review of their own contact and scores it first.
    agent = live("agent", "fi-FI")
    page = agent.page
    page.goto("/#/reviews")
    page.locator(".view-reviews[data-ready=true]").wait_for()
    page.get_by_label("Kontaktin tunnus").fill(contact)
    page.get_by_role("button", name="Aloita arviointi").click()
    page.locator(".view-reviews-item[data-ready=true]").wait_for()
    review_id = page.url.rsplit("/", 1)[-1]
    expect(page.locator("[data-turn]")).to_contain_text("Sinun vuorosi")
    answer_with_keys(page, "kkkkekkkkkk")
    page.keyboard.press("Control+Enter")
    expect(page.locator("[data-turn]")).to_contain_text("Omasi on tehty")
    stored = tenant.expect(200, "GET", f"/v1/reviews/{review_id}", "agent")
    assert stored["state"] == "awaiting_leader"
    assert stored["self"]["answers"]["ratkaisu"] == "no"
    clean_axe(agent, "live: agent waiting")

    # 2. The team leader finds it in the inbox; the agent's answers stay sealed.
    leader = live("evaluator", "fi-FI")
    lpage = leader.page
    lpage.goto("/#/inbox")
    lpage.locator(".view-inbox[data-ready=true]").wait_for()
    lpage.locator(f'.inbox-item[data-kind="leader_evaluate"][data-ref="{review_id}"] a').click()
    lpage.locator(".view-reviews-item[data-ready=true]").wait_for()
    expect(lpage.locator("[data-own-side], [data-comparison]")).to_have_count(0)
    lpage.get_by_label("Tapa", exact=True).select_option("recording")
    answer_with_keys(lpage, "kkekkkkkkkk")
    lpage.keyboard.press("Control+Enter")
    lpage.locator('[data-comparison="both"]').wait_for()
    opened = tenant.expect(200, "GET", f"/v1/reviews/{review_id}", "evaluator")
    assert opened["state"] == "open"
    differing = sum(
        1 for c in CRITERIA if opened["self"]["answers"][c] != opened["leader_side"]["answers"][c]
    )
    assert differing == 2  # ratkaisu and avoimet, as typed above
    assert opened["comparison"]["differing"] == differing
    expect(lpage.locator("[data-differing]")).to_have_text(f"{differing} / {len(CRITERIA)}")
    expect(lpage.locator("[data-self-score]")).to_have_text(
        f"{fi_decimal(opened['comparison']['self_score'])} %"
    )
    expect(lpage.locator("[data-leader-score]")).to_have_text(
        f"{fi_decimal(opened['comparison']['leader_score'])} %"
    )
    leader_evaluation = opened["leader_side"]["evaluation_id"]
    page.reload()
    page.locator('[data-comparison="both"]').wait_for()
    expect(page.locator("tr.differs")).to_have_count(differing)

    # 3. A coaching session with an action on avoimet; the agent acknowledges it.
    lpage.goto("/#/coaching/new?agent=aino")
    lpage.locator(".view-coaching-session[data-ready=true]").wait_for()
    lpage.get_by_role("button", name="Lisää toimenpide").click()
    lpage.get_by_label("Mitä tehdään (toimenpide 1)").fill("Kysy avoimia kysymyksiä")
    due = (CLOCK.today + timedelta(days=14)).isoformat()
    lpage.get_by_label("Toimenpiteen 1 määräpäivä").fill(due)
    lpage.locator(".criteria-picker summary").click()
    lpage.locator(".criteria-picker").get_by_label(
        "Asiakaspalvelija kartoittaa asiakkaan kokonaistilanteen avoimin kysymyksin"
    ).check()
    lpage.get_by_role("button", name="Tallenna keskustelu").click()
    lpage.locator("#effect").wait_for()
    session_id = lpage.url.rsplit("/", 1)[-1]
    # The leader's evaluation of today counts after the session once the stream has it.
    session = wait_for(
        "the stream did not fold the leader's evaluation into the session's effect",
        lambda: (
            s
            if (s := tenant.expect(200, "GET", f"/v1/coaching-sessions/{session_id}", "agent"))[
                "effect"
            ]["criteria"][0]["after"]["no"]
            else None
        ),
    )
    row = session["effect"]["criteria"][0]
    page.goto(f"/#/coaching/{session_id}")
    page.locator(".view-coaching-session[data-ready=true]").wait_for()
    line = page.locator('.effect-table tr[data-key="asiakaspalvelu/avoimet"]')
    assert line.get_attribute("data-n-after") == str(row["after"]["yes"] + row["after"]["no"])
    assert line.get_attribute("data-n-before") == str(row["before"]["yes"] + row["before"]["no"])
    page.get_by_role("button", name="Kuittaa keskustelu").click()
    expect(page.locator("[data-acknowledged]")).to_contain_text("Kuitannut aino.agent")
    assert tenant.expect(200, "GET", f"/v1/coaching-sessions/{session_id}", "agent")["acknowledged"]
    clean_axe(agent, "live: agent's session")

    # 4. The agent acknowledges the leader's evaluation and disputes avoimet.
    page.goto(f"/#/evaluations/{leader_evaluation}")
    page.locator(".coaching-part[data-ready=true]").wait_for()
    page.get_by_role("button", name="Kuittaa", exact=True).click()
    expect(page.locator("[data-acknowledgement]")).to_contain_text("Kuitannut aino.agent")
    acks = tenant.expect(
        200, "GET", f"/v1/evaluations/{leader_evaluation}/acknowledgements", "agent"
    )
    assert acks["acknowledged"] is True
    page.get_by_role("button", name="Pyydä oikaisua").click()
    page.get_by_label("Miksi pyydät oikaisua?").fill("Kysyin avoimia kysymyksiä alussa.")
    page.locator(".dispute-form").get_by_label(
        "Asiakaspalvelija kartoittaa asiakkaan kokonaistilanteen avoimin kysymyksin"
    ).check()
    page.get_by_role("button", name="Lähetä oikaisupyyntö").click()
    expect(page.locator(".dispute-list .dispute")).to_have_count(1)
    [dispute] = tenant.expect(200, "GET", f"/v1/evaluations/{leader_evaluation}/disputes", "agent")[
        "items"
    ]
    assert dispute["criteria"] == ["avoimet"]
    assert dispute["state"] == "open"
    expect(page.locator(".dispute-list .dispute")).to_contain_text("Avoin")

    # 5. The QA manager takes it into review and upholds it with avoimet corrected.
    admin = live("admin", "fi-FI")
    apage = admin.page
    apage.goto("/#/disputes")
    apage.locator(".view-disputes[data-ready=true]").wait_for()
    apage.locator(f'.dispute-table tr[data-dispute="{dispute["dispute_id"]}"] a').click()
    apage.locator(".view-disputes-item[data-ready=true]").wait_for()
    apage.get_by_role("button", name="Ota käsittelyyn").click()
    apage.get_by_role("button", name="Hyväksy ja korjaa arviointi").click()
    expect(
        apage.locator('.uphold-editor .criterion[data-criterion-block="avoimet"] input[value="no"]')
    ).to_be_focused()
    apage.keyboard.press("k")
    apage.get_by_label("Miksi pyyntö hyväksytään?").fill("Tallenteella kysymykset kuuluvat.")
    apage.keyboard.press("Control+Enter")
    expect(apage.locator("[data-outcome]")).to_contain_text("Oikaisupyyntö on hyväksytty")
    decided = tenant.expect(200, "GET", f"/v1/disputes/{dispute['dispute_id']}", "admin")
    assert decided["state"] == "upheld"
    assert decided["decision"]["revision"] == 2
    corrected = tenant.expect(200, "GET", f"/v1/evaluations/{leader_evaluation}", "admin")
    assert corrected["revision"] == 2
    assert corrected["dispute_id"] == dispute["dispute_id"]
    assert corrected["answers"]["avoimet"] == "yes"
    assert corrected["revised_by"] == "maija.admin"
    expect(apage.locator(".dispute")).to_contain_text("versio 2")
    clean_axe(admin, "live: an upheld dispute")

    # 6. The agent sees the decision, and the new revision waits for acknowledgement.
    page.reload()
    page.locator(".coaching-part[data-ready=true]").wait_for()
    expect(page.locator(".dispute-list .dispute")).to_contain_text("Hyväksytty")
    expect(page.locator("[data-acknowledgement]")).to_contain_text("Ei vielä kuitattu.")
