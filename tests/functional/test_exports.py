"""Payroll exports on moto: due periods, exactly-once revisions, late data, downloads."""

from __future__ import annotations

import csv
import hashlib
import io
import json
from datetime import UTC, datetime
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

import boto3
import pytest
import requests
from chalice.test import Client

from chalicelib.adapters.export_files import ExportFiles
from chalicelib.services import exports
from tests.functional.api import Api
from tests.functional.conftest import Clock, StreamReader, deliver
from tests.support import all_answers, evaluation_body, load_app

# The composition root's stores, as the heartbeat Lambda uses them.
stores = load_app().root.export_stores

RULES = {
    "incentives": {
        "min_scored": 2,
        "tiers": [
            {"name": "silver", "min_average": "80", "amount": "100.00"},
            {"name": "gold", "min_average": "90", "amount": "200.00"},
        ],
    }
}
NOVEMBER_DUE = datetime(2026, 12, 3, 22, 0, tzinfo=UTC)  # 4 Dec 00:00 in Helsinki


def at(text: str) -> datetime:
    return datetime.fromisoformat(text)


def s3_text(key: str) -> str:
    body = boto3.client("s3").get_object(Bucket=ExportFiles().bucket, Key=key)["Body"].read()
    return str(body.decode("utf-8"))


def csv_rows(key: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(s3_text(key))))


class Scenario:
    """A tenant with rules, a roster and evaluations whose stream has been applied."""

    def __init__(self, api: Api, client: Client, stream: StreamReader) -> None:
        self.api, self.client, self.stream = api, client, stream
        self.form = api.publish()
        assert api.call("PUT", "/v1/settings", body=RULES).status == 200
        for agent, payroll_id in (("aino", "1001"), ("pekka", "=HYPERLINK(1)"), ("sari", "1003")):
            body = {"name": agent.title(), "payroll_id": payroll_id}
            assert api.call("PUT", f"/v1/agents/{agent}", body=body).status == 200

    def evaluate(self, agent: str, when: str, missed: tuple[str, ...] = ()) -> Any:
        answers = {**all_answers(self.form), **dict.fromkeys(missed, "no")}
        created = self.api.submit(
            evaluation_body(self.form, agent_id=agent, occurred_at=when, answers=answers)
        )
        assert created.status == 201, created.body
        return created.body

    def apply(self) -> None:
        assert deliver(self.client, self.stream.read()) == {"batchItemFailures": []}


@pytest.fixture
def scenario(api: Api, client: Client, stream: StreamReader, clock: Clock) -> Scenario:
    return Scenario(api, client, stream)


def expected_average(scores: list[str]) -> str:
    """Independent of the code under test: exact fractions of 17 points, rounded once."""
    total = sum((Decimal(s) for s in scores), Decimal(0))
    return str((total / len(scores)).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP))


def test_the_heartbeat_writes_a_due_month_once(scenario: Scenario) -> None:
    # aino: 17/17 and 14/17; pekka: one evaluation only (below the minimum of 2).
    scenario.evaluate("aino", "2026-11-02T10:00:00+02:00")
    scenario.evaluate("aino", "2026-11-30T23:59:59+02:00", missed=("ratkaisu",))
    scenario.evaluate("pekka", "2026-11-15T08:00:00+02:00")
    scenario.evaluate("aino", "2026-12-01T00:00:00+02:00")  # December: not in this export
    scenario.apply()

    early = exports.heartbeat(stores, at("2026-12-03T21:59:59+00:00"))
    assert early == []  # the tenant started in November, whose grace has not passed
    written = exports.heartbeat(stores, NOVEMBER_DUE)
    assert [(r.period, r.outcome, r.revision) for r in written] == [("2026-11", "written", 1)]

    rows = {row["agent_id"]: row for row in csv_rows("exports/acme/2026-11/r1/payroll.csv")}
    assert set(rows) == {"aino", "pekka", "sari"}
    aino_average = expected_average(["100", str(Decimal(1400) / 17)])
    assert aino_average == "91.18"
    assert rows["aino"]["average_score"] == aino_average
    assert (rows["aino"]["tier"], rows["aino"]["incentive_amount"]) == ("gold", "200.00")
    assert rows["aino"]["evaluations"] == rows["aino"]["scored_evaluations"] == "2"
    assert (rows["pekka"]["tier"], rows["pekka"]["incentive_amount"]) == ("", "0.00")
    assert rows["pekka"]["payroll_id"] == "'=HYPERLINK(1)"  # never a formula in a spreadsheet
    assert rows["sari"]["evaluations"] == "0"
    assert rows["sari"]["average_score"] == ""
    assert {row["period_start"] for row in rows.values()} == {"2026-11-01"}
    assert {row["period_end"] for row in rows.values()} == {"2026-11-30"}

    lines = s3_text("exports/acme/2026-11/r1/payroll.jsonl").splitlines()
    aino_json = json.loads(lines[0], parse_float=Decimal)
    assert aino_json["average_score"] == Decimal("91.18")
    assert aino_json["evaluations"] == 2

    manifest = json.loads(s3_text("exports/acme/2026-11/r1/manifest.json"))
    assert manifest["row_count"] == 3
    assert manifest["revision"] == 1
    for name, facts in manifest["files"].items():
        data = s3_text(f"exports/acme/2026-11/r1/{name}").encode()
        assert facts["sha256"] == hashlib.sha256(data).hexdigest()
    assert manifest["rules"]["incentives"]["min_scored"] == 2

    # Firing again, late, or twice changes nothing.
    for when in (
        "2026-12-03T22:00:00+00:00",
        "2026-12-04T05:00:00+00:00",
        "2026-12-06T01:00:00+00:00",
    ):
        assert [r for r in exports.heartbeat(stores, at(when)) if r.outcome == "written"] == []
    listed = boto3.client("s3").list_objects_v2(
        Bucket=ExportFiles().bucket, Prefix="exports/acme/2026-11/"
    )
    assert sorted(o["Key"].removeprefix("exports/acme/2026-11/") for o in listed["Contents"]) == [
        "r1/manifest.json",
        "r1/payroll.csv",
        "r1/payroll.jsonl",
    ]


def test_a_late_evaluation_makes_revision_two_with_adjustments(scenario: Scenario) -> None:
    scenario.evaluate("aino", "2026-11-02T10:00:00+02:00")
    scenario.evaluate("aino", "2026-11-03T10:00:00+02:00", missed=("kiitos",))
    scenario.apply()
    exports.heartbeat(stores, NOVEMBER_DUE)
    first = s3_text("exports/acme/2026-11/r1/payroll.csv")

    scenario.evaluate("sari", "2026-11-20T12:00:00+02:00")
    scenario.evaluate("sari", "2026-11-21T12:00:00+02:00")
    scenario.apply()
    results = exports.heartbeat(stores, at("2026-12-10T08:00:00+00:00"))
    assert [(r.period, r.outcome, r.revision) for r in results] == [("2026-11", "written", 2)]

    assert s3_text("exports/acme/2026-11/r1/payroll.csv") == first  # never rewritten
    adjustments = csv_rows("exports/acme/2026-11/r2/adjustments.csv")
    assert [a["agent_id"] for a in adjustments] == ["sari"]
    assert adjustments[0]["evaluations_before"] == "0"
    assert adjustments[0]["evaluations_after"] == "2"
    assert adjustments[0]["amount_difference"] == "200.00"
    revised = {row["agent_id"]: row for row in csv_rows("exports/acme/2026-11/r2/payroll.csv")}
    assert revised["sari"]["revision"] == "2"
    assert revised["aino"]["average_score"] == "97.06"  # (100 + 16/17) / 2


def test_a_settings_change_applies_from_the_next_unexported_period(scenario: Scenario) -> None:
    scenario.evaluate("aino", "2026-11-02T10:00:00+02:00")
    scenario.evaluate("aino", "2026-11-03T10:00:00+02:00")
    scenario.apply()
    exports.heartbeat(stores, NOVEMBER_DUE)
    richer = {
        "incentives": {
            "min_scored": 1,
            "tiers": [{"name": "top", "min_average": "50", "amount": "999.00"}],
        }
    }
    saved = scenario.api.call("PUT", "/v1/settings", body=richer)
    assert saved.body["effective_from"] == "2026-11-30T22:00:00Z"  # 1 Dec 00:00 in Helsinki

    scenario.evaluate("aino", "2026-11-04T10:00:00+02:00")  # late, into exported November
    scenario.evaluate("aino", "2026-12-04T10:00:00+02:00")
    scenario.apply()
    exports.heartbeat(stores, at("2027-01-04T00:00:00+00:00"))
    november = csv_rows("exports/acme/2026-11/r2/payroll.csv")
    december = csv_rows("exports/acme/2026-12/r1/payroll.csv")
    first = november[0]
    assert (first["agent_id"], first["tier"], first["incentive_amount"]) == (
        "aino",
        "gold",
        "200.00",
    )
    assert (december[0]["tier"], december[0]["incentive_amount"]) == ("top", "999.00")


def test_a_two_week_period_across_a_month_end(scenario: Scenario) -> None:
    body = {**RULES, "pay_period": {"kind": "two_weeks", "anchor": "2026-11-23"}}
    assert scenario.api.call("PUT", "/v1/settings", body=body).status == 200
    scenario.evaluate("aino", "2026-11-22T23:59:59+02:00")  # the period before
    scenario.evaluate("aino", "2026-11-23T00:00:00+02:00")
    scenario.evaluate("aino", "2026-12-06T23:59:59+02:00", missed=("kiitos",))
    scenario.evaluate("aino", "2026-12-07T00:00:00+02:00")  # the period after
    scenario.apply()
    results = exports.heartbeat(stores, at("2026-12-09T22:00:00+00:00"))
    written = {r.period for r in results if r.outcome == "written"}
    assert "2026-11-23" in written
    assert "2026-12-07" not in written
    rows = csv_rows("exports/acme/2026-11-23/r1/payroll.csv")
    aino = next(r for r in rows if r["agent_id"] == "aino")
    assert (aino["period_start"], aino["period_end"]) == ("2026-11-23", "2026-12-06")
    assert aino["evaluations"] == "2"
    assert aino["average_score"] == expected_average(["100", str(Decimal(1600) / 17)])


def test_payroll_downloads_only_its_own_tenants_files(scenario: Scenario) -> None:
    scenario.evaluate("aino", "2026-11-02T10:00:00+02:00")
    scenario.apply()
    exports.heartbeat(stores, NOVEMBER_DUE)
    links = scenario.api.call("GET", "/v1/exports/2026-11", "payroll")
    assert links.status == 200, links.body
    assert links.body["links_expire_in_s"] <= 900
    files = links.body["revisions"][0]["files"]
    assert set(files) == {"payroll.csv", "payroll.jsonl", "manifest.json"}
    downloaded = requests.get(files["payroll.csv"], timeout=10)
    assert downloaded.status_code == 200
    assert downloaded.content.decode().startswith("tenant,period,period_start")
    assert "X-Amz-Expires=900" in files["payroll.csv"]

    other = scenario.api.call("GET", "/v1/exports/2026-11", "payroll", tenant="globex")
    assert other.status == 404
    assert scenario.api.call("GET", "/v1/exports/2026-11", "evaluator").status == 403
    assert scenario.api.call("GET", "/v1/exports", "payroll").status == 403
    history = scenario.api.call("GET", "/v1/exports")
    assert [(i["period"], i["latest_revision"]) for i in history.body["items"]][:1] == [
        ("2026-11", 1)
    ]


def test_run_now_and_crash_recovery_give_identical_bytes(
    scenario: Scenario, monkeypatch: pytest.MonkeyPatch, clock: Clock
) -> None:
    scenario.evaluate("aino", "2026-11-02T10:00:00+02:00")
    scenario.apply()
    original = ExportFiles.put_once
    crashed = {"done": False}

    def crash_after_data(self: ExportFiles, key: str, data: bytes, content_type: str) -> None:
        if key.endswith("payroll.csv") and not crashed["done"]:
            crashed["done"] = True
            raise ConnectionError("the Lambda was cut off")
        original(self, key, data, content_type)

    monkeypatch.setattr(ExportFiles, "put_once", crash_after_data)
    with pytest.raises(ConnectionError):
        exports.run_period(
            stores,
            "acme",
            exports.calendar_of(stores, "acme").period_labelled("2026-11"),
            NOVEMBER_DUE,
        )
    # A late change lands while the revision is half-written: it must not leak into r1.
    scenario.evaluate("sari", "2026-11-05T10:00:00+02:00")
    scenario.apply()
    clock.now = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)  # ended; grace not needed for 'run now'
    ran = scenario.api.call("POST", "/v1/exports/2026-11/run")
    assert ran.body == {"period": "2026-11", "outcome": "written", "revision": 1}
    rows = csv_rows("exports/acme/2026-11/r1/payroll.csv")
    assert [r["agent_id"] for r in rows if r["evaluations"] != "0"] == ["aino"]
    manifest = json.loads(s3_text("exports/acme/2026-11/r1/manifest.json"))
    csv_bytes = s3_text("exports/acme/2026-11/r1/payroll.csv").encode()
    assert manifest["files"]["payroll.csv"]["sha256"] == hashlib.sha256(csv_bytes).hexdigest()
    # The change it did not include makes revision 2 on the next run.
    again = scenario.api.call("POST", "/v1/exports/2026-11/run")
    assert again.body["revision"] == 2
    assert scenario.api.call("POST", "/v1/exports/2099-01/run").status == 409
    assert scenario.api.call("POST", "/v1/exports/nonsense/run").status == 400


@pytest.mark.parametrize(
    ("start", "contacts", "period", "due"),
    [
        # Clocks go back at 04:00 on 25 Oct 2026: 03:30 happens twice, both in October.
        (
            datetime(2026, 10, 1, tzinfo=UTC),
            ("2026-10-25T03:30:00+03:00", "2026-10-25T03:30:00+02:00"),
            "2026-10",
            "2026-11-03T22:00:00+00:00",
        ),
        # Clocks go forward at 03:00 on 28 Mar 2027; the month ends in summer time.
        (
            datetime(2027, 3, 1, tzinfo=UTC),
            ("2027-03-28T02:59:59+02:00", "2027-03-31T23:59:59+03:00"),
            "2027-03",
            "2027-04-03T21:00:00+00:00",
        ),
    ],
)
def test_dst_nights_and_the_exact_due_instant(
    api: Api,
    client: Client,
    stream: StreamReader,
    clock: Clock,
    start: datetime,
    contacts: tuple[str, str],
    period: str,
    due: str,
) -> None:
    clock.now = start
    scenario = Scenario(api, client, stream)
    for when in contacts:
        scenario.evaluate("aino", when)
    scenario.evaluate(
        "aino", "2027-04-01T00:00:00+03:00" if period == "2027-03" else "2026-11-01T00:00:00+02:00"
    )
    scenario.apply()
    one_second_early = at(due).timestamp() - 1
    assert exports.heartbeat(stores, datetime.fromtimestamp(one_second_early, UTC)) == []
    results = exports.heartbeat(stores, at(due))
    assert [(r.period, r.outcome) for r in results] == [(period, "written")]
    aino = next(
        r for r in csv_rows(f"exports/acme/{period}/r1/payroll.csv") if r["agent_id"] == "aino"
    )
    assert aino["evaluations"] == "2"


def _reference_interval(scores: list[Decimal]) -> tuple[str, str]:
    """mean ± t(0.975, n-1)·s/√n from Python's statistics and scipy, not the code under test."""
    import statistics as stats

    from scipy.stats import t as student_t  # type: ignore[import-untyped]

    mean = stats.mean(float(s) for s in scores)
    margin = student_t.ppf(0.975, len(scores) - 1) * stats.stdev(float(s) for s in scores)
    margin /= len(scores) ** 0.5

    def shown(value: float) -> str:
        return str(Decimal(repr(float(value))).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP))

    return shown(mean - margin), shown(mean + margin)


def test_each_row_carries_the_interval_and_flags_a_tier_luck_may_have_decided(
    scenario: Scenario,
) -> None:
    # aino: five scores around 91, her interval reaches below the gold line of 90;
    # sari: six full scores, an interval of zero width far from any boundary;
    # pekka: two scores, too few to say.
    aino_missed: list[tuple[str, ...]] = [(), (), ("ratkaisu",), ("kiitos",), ()]
    for day, missed in enumerate(aino_missed, start=2):
        scenario.evaluate("aino", f"2026-11-{day:02d}T10:00:00+02:00", missed)
    for day in range(2, 8):
        scenario.evaluate("sari", f"2026-11-{day:02d}T12:00:00+02:00")
    scenario.evaluate("pekka", "2026-11-10T08:00:00+02:00")
    scenario.evaluate("pekka", "2026-11-11T08:00:00+02:00", ("ratkaisu",))
    scenario.apply()
    exports.heartbeat(stores, NOVEMBER_DUE)
    rows = {row["agent_id"]: row for row in csv_rows("exports/acme/2026-11/r1/payroll.csv")}

    sections = scenario.form["sections"]
    weights: dict[str, int] = {
        c["id"]: int(c.get("points", 1)) for s in sections for c in s["criteria"]
    }
    total = sum(weights.values())

    def score(missed: tuple[str, ...]) -> Decimal:
        return Decimal(100 * (total - sum(weights[m] for m in missed))) / total

    low, high = _reference_interval([score(m) for m in aino_missed])
    assert (rows["aino"]["average_low"], rows["aino"]["average_high"]) == (low, high)
    assert Decimal(low) < 90 <= Decimal(high)
    assert rows["aino"]["tier_uncertain"] == "true"
    assert (rows["sari"]["average_low"], rows["sari"]["average_high"]) == ("100.00", "100.00")
    assert rows["sari"]["tier_uncertain"] == "false"
    assert rows["pekka"]["tier_uncertain"] == "true"  # two scores: too few to compare
    # Nothing to decide for an agent without evaluations.
    assert (rows["sari"]["tier"], rows["aino"]["tier"]) == ("gold", "gold")


def test_the_agents_report_says_what_the_payroll_row_says_about_the_tier(
    scenario: Scenario,
) -> None:
    for day, missed in enumerate([(), (), ("ratkaisu",), ("kiitos",), ()], start=2):
        scenario.evaluate("aino", f"2026-11-{day:02d}T10:00:00+02:00", missed)
    for day in range(2, 8):
        scenario.evaluate("sari", f"2026-11-{day:02d}T12:00:00+02:00")
    scenario.apply()
    exports.heartbeat(stores, NOVEMBER_DUE)
    rows = {row["agent_id"]: row for row in csv_rows("exports/acme/2026-11/r1/payroll.csv")}
    for agent in ("aino", "sari"):
        answer = scenario.api.call(
            "GET", f"/v1/reports/compliance?scope=agent:{agent}&range=pay:2026-11"
        )
        assert answer.status == 200, answer.body
        tier, average = answer.body["tier"], answer.body["average"]
        assert tier["name"] == rows[agent]["tier"]
        assert str(tier["uncertain"]).lower() == rows[agent]["tier_uncertain"]
        assert (average["low"], average["high"]) == (
            rows[agent]["average_low"],
            rows[agent]["average_high"],
        )
        assert average["mean"] == rows[agent]["average_score"]


# --- evaluations under an undecided dispute ---------------------------------------------


def dispute_ratkaisu(scenario: Scenario, evaluation_id: str) -> str:
    opened = scenario.api.call(
        "POST",
        f"/v1/evaluations/{evaluation_id}/disputes",
        "agent",
        body={"reason": "Varmistin ratkaisun.", "criteria": ["ratkaisu"]},
        user="aino.user",
        agent_id="aino",
    )
    assert opened.status == 201, opened.body
    return str(opened.body["dispute_id"])


def manifest_of(revision: int) -> Any:
    return json.loads(s3_text(f"exports/acme/2026-11/r{revision}/manifest.json"))


def test_held_a_disputed_evaluation_leaves_the_figures_until_upheld(
    scenario: Scenario, clock: Clock
) -> None:
    held = {**RULES, "coaching": {"disputes_at_export": "held"}}
    assert scenario.api.call("PUT", "/v1/settings", body=held).status == 200
    # Evaluated on 1 December, for November's contacts: aino 17, 14 and 16 of 17 points.
    clock.now = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)
    scenario.evaluate("aino", "2026-11-02T10:00:00+02:00")
    disputed = scenario.evaluate("aino", "2026-11-03T10:00:00+02:00", missed=("ratkaisu",))
    scenario.evaluate("aino", "2026-11-04T10:00:00+02:00", missed=("kiitos",))
    scenario.apply()
    exports.heartbeat(stores, NOVEMBER_DUE)
    first = {row["agent_id"]: row for row in csv_rows("exports/acme/2026-11/r1/payroll.csv")}
    all_three = ["100", str(Decimal(1400) / 17), str(Decimal(1600) / 17)]
    assert (first["aino"]["evaluations"], first["aino"]["average_score"]) == (
        "3",
        expected_average(all_three),
    )
    assert (first["aino"]["tier"], first["aino"]["open_disputes"]) == ("gold", "0")
    assert manifest_of(1)["disputes_at_export"] == "held"

    # Disputed after the export: the next beat holds it back in revision 2.
    clock.now = datetime(2026, 12, 4, 8, 0, tzinfo=UTC)
    dispute_id = dispute_ratkaisu(scenario, disputed["evaluation_id"])
    results = exports.heartbeat(stores, at("2026-12-04T09:00:00+00:00"))
    assert [(r.period, r.outcome, r.revision) for r in results] == [("2026-11", "written", 2)]
    second = {row["agent_id"]: row for row in csv_rows("exports/acme/2026-11/r2/payroll.csv")}
    aino = second["aino"]
    kept = ["100", str(Decimal(1600) / 17)]
    assert (aino["evaluations"], aino["scored_evaluations"], aino["average_score"]) == (
        "2",
        "2",
        expected_average(kept),
    )
    assert (aino["tier"], aino["open_disputes"]) == ("gold", "1")
    # The interval is of the scores still counted, from the report cells less the held one.
    assert (aino["average_low"], aino["average_high"]) == _reference_interval(
        [Decimal(k) for k in kept]
    )
    (adjustment,) = csv_rows("exports/acme/2026-11/r2/adjustments.csv")
    assert (adjustment["agent_id"], adjustment["evaluations_before"]) == ("aino", "3")
    assert (adjustment["evaluations_after"], adjustment["average_after"]) == (
        "2",
        expected_average(kept),
    )
    assert adjustment["amount_difference"] == "0.00"
    assert manifest_of(2)["disputes_at_export"] == "held"
    assert manifest_of(2)["rules"]["disputes_at_export"] == "held"

    # Upheld with the answer corrected; once the stream has applied it, revision 3.
    path = f"/v1/disputes/{dispute_id}"
    assert scenario.api.call("POST", f"{path}/review", user="maija").status == 200
    current = scenario.api.call("GET", f"/v1/evaluations/{disputed['evaluation_id']}").body
    corrected = {
        key: current[key]
        for key in ("form_id", "form_version", "agent_id", "contact", "method", "answers")
    }
    corrected["answers"] = {**current["answers"], "ratkaisu": "yes"}
    decision = {"outcome": "upheld", "reason": "Varmistettu.", "evaluation": corrected}
    decided = scenario.api.call("POST", f"{path}/decision", body=decision, user="maija")
    assert decided.status == 200, decided.body
    scenario.apply()
    corrected_three = ["100", "100", str(Decimal(1600) / 17)]
    summary = scenario.api.call("GET", "/v1/agents/aino/summary?period=2026-11").body
    assert (summary["evaluations"], summary["average_score"]) == (
        3,
        expected_average(corrected_three),
    )
    results = exports.heartbeat(stores, at("2026-12-04T10:00:00+00:00"))
    assert [(r.period, r.outcome, r.revision) for r in results] == [("2026-11", "written", 3)]
    third = {row["agent_id"]: row for row in csv_rows("exports/acme/2026-11/r3/payroll.csv")}
    aino = third["aino"]
    assert (aino["evaluations"], aino["average_score"], aino["tier"]) == (
        "3",
        expected_average(corrected_three),
        "gold",
    )
    assert aino["open_disputes"] == "0"
    (adjustment,) = csv_rows("exports/acme/2026-11/r3/adjustments.csv")
    assert (adjustment["revision_before"], adjustment["evaluations_after"]) == ("2", "3")
    # Nothing moved since: the next beat writes nothing.
    assert exports.heartbeat(stores, at("2026-12-04T11:00:00+00:00")) == []


def test_counted_a_disputed_evaluation_counts_and_is_flagged(
    scenario: Scenario, clock: Clock
) -> None:
    clock.now = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)
    scenario.evaluate("aino", "2026-11-02T10:00:00+02:00")
    disputed = scenario.evaluate("aino", "2026-11-03T10:00:00+02:00", missed=("ratkaisu",))
    scenario.evaluate("sari", "2026-11-04T10:00:00+02:00")
    scenario.apply()
    clock.now = datetime(2026, 12, 2, 9, 0, tzinfo=UTC)
    dispute_id = dispute_ratkaisu(scenario, disputed["evaluation_id"])
    exports.heartbeat(stores, NOVEMBER_DUE)
    rows = {row["agent_id"]: row for row in csv_rows("exports/acme/2026-11/r1/payroll.csv")}
    assert list(rows["aino"])[-1] == "open_disputes"  # the last column
    assert (rows["aino"]["evaluations"], rows["aino"]["open_disputes"]) == ("2", "1")
    assert rows["aino"]["average_score"] == expected_average(["100", str(Decimal(1400) / 17)])
    assert (rows["sari"]["open_disputes"], rows["pekka"]["open_disputes"]) == ("0", "0")
    line = s3_text("exports/acme/2026-11/r1/payroll.jsonl").splitlines()[0]
    assert json.loads(line)["open_disputes"] == 1
    assert manifest_of(1)["disputes_at_export"] == "counted"
    # Rejected: the flag would change, the figures do not, so no new revision.
    path = f"/v1/disputes/{dispute_id}"
    assert scenario.api.call("POST", f"{path}/review", user="maija").status == 200
    rejected = scenario.api.call(
        "POST", f"{path}/decision", body={"outcome": "rejected", "reason": "Ei."}, user="maija"
    )
    assert rejected.status == 200, rejected.body
    results = exports.heartbeat(stores, at("2026-12-05T09:00:00+00:00"))
    assert [(r.period, r.outcome, r.revision) for r in results] == [("2026-11", "unchanged", 1)]
