"""An outside auditor's batch upload through the page: the demo form's CSV template
downloaded, filled in with three rows of which one is wrong, sent straight to the
uploads bucket (moto locally: another origin, so CORS) with the progress bar moving,
then the report row by row with every problem at its column. The same file again
with one row changed reports that row as an amendment and the others as already
imported. axe-core on the upload page and on the report."""

from __future__ import annotations

import csv
import io
import re
import uuid
from pathlib import Path
from typing import Any

from playwright.sync_api import FilePayload, Page, expect

from tests.browser.conftest import PageFactory
from tests.browser.support import Site, blocking_violations

FORM_ID = "asiakaspalvelu"
LONG = "Asiakas kysyi laskusta ja sai selkeän vastauksen. " * 38  # about 1,900 characters

# Every value the progress bar shows, and what its label said (the bar is gone once
# the page moves on to the report).
RECORD_PROGRESS = """() => {
  const bar = document.getElementById('upload-progress');
  window.__progress = {values: [], label: null};
  new MutationObserver(() => {
    window.__progress.values.push(Number(bar.value));
    window.__progress.label ??= bar.labels[0]?.textContent ?? null;
  }).observe(bar, {attributes: true, attributeFilter: ['value']});
}"""


def fill_in(template: str, external_ids: list[str], first_answer: str = "kyllä") -> bytes:
    """Three rows in the template's columns: a good one in Finnish words (with long
    comments, so the upload takes a moment), a bad one, a good one in English."""
    header = next(csv.reader(io.StringIO(template.lstrip("\ufeff")), delimiter=";"))
    criteria = [c for c in header[header.index("summary") + 1 :] if not c.startswith("comment:")]
    contact = {"form_id": FORM_ID, "form_version": "1", "agent_id": "aino", "channel": "chat"}

    def row(external_id: str, answers: dict[str, str], **extra: str) -> dict[str, str]:
        return {
            "external_id": external_id,
            **contact,
            "contact_id": f"c-{external_id}",
            **extra,
            **answers,
        }

    good = {c: "kyllä" for c in criteria} | {criteria[0]: first_answer}
    bad = {c: "yes" for c in criteria[:-1]} | {criteria[0]: "maybe"}  # and the last one missing
    rows = [
        row(external_ids[0], good, occurred_at="2.11.2026 10.15", summary=LONG[:1500])
        | {f"comment:{c}": LONG for c in criteria},
        row(external_ids[1], bad, occurred_at="2026-11-02 11:00"),
        row(external_ids[2], {c: "yes" for c in criteria}, occurred_at="2026-11-02T12:00:00+02:00"),
    ]
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=header, delimiter=";", lineterminator="\r\n")
    writer.writeheader()
    writer.writerows(rows)
    return out.getvalue().encode("utf-8")


def upload(page: Page, name: str, data: bytes) -> list[float]:
    """Chooses the file and uploads it with the upload slowed down, as over a real
    line; returns the values the progress bar showed."""
    chooser = page.get_by_label("Batch file (CSV or JSON Lines)")
    chooser.wait_for()
    page.evaluate(RECORD_PROGRESS)
    chooser.set_input_files(files=FilePayload(name=name, mimeType="text/csv", buffer=data))
    cdp = page.context.new_cdp_session(page)
    cdp.send("Network.enable")
    cdp.send(
        "Network.emulateNetworkConditions",
        {"offline": False, "latency": 0, "downloadThroughput": -1, "uploadThroughput": 64 * 1024},
    )
    page.get_by_role("button", name="Upload", exact=True).click()
    expect(page).to_have_url(re.compile(r"#/imports/[0-9a-f-]+$"))
    cdp.send(
        "Network.emulateNetworkConditions",
        {"offline": False, "latency": 0, "downloadThroughput": -1, "uploadThroughput": -1},
    )
    cdp.detach()
    progress: dict[str, Any] = page.evaluate("() => window.__progress")
    assert progress["label"].startswith(f"Uploading {name} ("), progress
    values: list[float] = progress["values"]
    print(f"[upload] {name}: {len(data)} bytes, the bar showed {values}")
    return values


def test_an_auditor_uploads_a_batch_and_reads_the_report(
    open_page: PageFactory, site: Site, tmp_path: Path
) -> None:
    # Once a tenant keeps a roster, an import takes only its agents (the pay tests add some).
    agent = {"name": "Aino Asiakas", "team": "tiimi-1", "payroll_id": "", "active": True}
    site.expect(200, "PUT", "/v1/agents/aino", "admin", agent)
    watched = open_page("auditor", locale="en-GB")
    page = watched.page
    expect(page.locator("#nav a")).to_have_text(["Evaluate", "Results", "Upload batch"])
    page.get_by_role("link", name="Upload batch").click()
    expect(page.get_by_role("heading", name="1. The template")).to_be_visible()
    blocking = {"upload page": blocking_violations(watched, "auditor: upload page")}

    page.get_by_label("Form").select_option(FORM_ID)
    page.get_by_label("Version").select_option("1")
    with page.expect_download() as download:
        page.get_by_role("button", name="Download the template").click()
    assert download.value.suggested_filename == f"{FORM_ID}-v1.csv"
    template = Path(download.value.path()).read_text("utf-8")
    expect(page.locator("[role=status]", has_text="downloaded")).to_have_text(
        f"{FORM_ID}-v1.csv downloaded."
    )
    assert template.startswith("\ufeffexternal_id;form_id;form_version;agent_id;")
    assert "comment:kiitos" in template

    ids = [f"{uuid.uuid4().hex[:8]}-{n}" for n in (1, 2, 3)]
    data = fill_in(template, ids)
    assert len(data) > 20_000

    # The storage cannot be reached: said at the file, which keeps the focus.
    page.route("**/laatu-local-uploads", lambda route: route.abort())
    chooser = page.get_by_label("Batch file (CSV or JSON Lines)")
    chooser.set_input_files(files=FilePayload(name="lost.csv", mimeType="text/csv", buffer=data))
    page.get_by_role("button", name="Upload", exact=True).click()
    expect(page.locator('[data-field="file"] .field-error')).to_have_text(
        "The file could not be sent: the connection to the storage failed. Try again."
    )
    expect(chooser).to_be_focused()
    page.unroute("**/laatu-local-uploads")
    values = upload(page, "tarkastukset.csv", data)
    assert values[0] == 0, values
    assert values[-1] == 100, values
    assert any(0 < v < 100 for v in values), f"no progress between 0 and 100: {values}"

    expect(page.get_by_role("heading", level=1)).to_have_text("Import")
    status = page.locator(".import-status .status-line .badge")
    expect(status).to_have_text("Done", timeout=20_000)
    counts = page.locator(".import-status dd")
    expect(counts).to_have_text(["3", "2", "1"])
    rows = page.locator(".report-table tbody tr")
    expect(rows).to_have_count(3)
    expect(rows.nth(0)).to_have_attribute("data-outcome", "created")
    expect(rows.nth(0).locator("td").first).to_have_text(ids[0])
    rejected = page.locator('.report-table tr[data-row="3"]')
    expect(rejected).to_have_attribute("data-outcome", "rejected")
    expect(rejected.locator(".problems li")).to_have_count(2)
    expect(rejected.locator('.problems li[data-column="tervehdys"]')).to_contain_text(
        "tervehdys: Not an answer. 'maybe' is not an answer"
    )
    expect(rejected.locator('.problems li[data-column="kiitos"]')).to_contain_text("No answer.")
    page.get_by_label("Only rejected rows").check()
    expect(rows).to_have_count(1)
    expect(page.locator(".report-csv")).to_be_visible()
    blocking["report"] = blocking_violations(watched, "auditor: import report")

    # Again, with the first row's first answer changed: an amendment.
    page.get_by_role("link", name="Back to uploads").click()
    values = upload(page, "tarkastukset-2.csv", fill_in(template, ids, first_answer="ei"))
    assert values[-1] == 100, values
    expect(status).to_have_text("Done", timeout=20_000)
    first = page.locator('.report-table tr[data-row="2"]')
    expect(first).to_have_attribute("data-outcome", "amended")
    expect(first.locator(".badge")).to_have_text("Amended (revision 2)")
    expect(page.locator('.report-table tr[data-row="4"] .badge')).to_have_text("Already imported")
    evaluation_id = first.get_by_role("link").get_attribute("href")
    assert evaluation_id is not None
    stored = site.expect(200, "GET", f"/v1/evaluations/{evaluation_id.rsplit('/', 1)[1]}", "admin")
    assert stored["revision"] == 2
    assert stored["method"] == "external"

    page.get_by_role("link", name="Back to uploads").click()
    listed = page.locator(".imports-table tbody tr")
    expect(listed).to_have_count(3)
    # Newest first, by the second they started: imports in the same second come in any order.
    shown = {
        (row.locator("th").inner_text(), row.locator(".badge").inner_text()) for row in listed.all()
    }
    assert shown == {
        ("tarkastukset-2.csv", "Done"),
        ("tarkastukset.csv", "Done"),
        ("No file yet", "Waiting for the file"),  # the one that never arrived
    }
    assert blocking == {"upload page": [], "report": []}
