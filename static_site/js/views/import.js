// One batch import: its status while the file is read (polled with limit=0 for
// progress only), the counts, and once it is done the report row by
// row: the auditor's external_id, what became of it, and for a rejected row every
// problem with its column. Amendments (a re-upload that changed an evaluation) are
// marked as such.

import { ApiError, enc } from "../api.js";
import { getImport } from "../api/imports.js";
import { announce, h, replaceChildren } from "../dom.js";
import { formatDateTime, formatInteger, loadMessages, t } from "../i18n.js";
import { useStylesheet } from "../stylesheet.js";

const POLL_MS = [300, 500, 700, 1000, 1500, 2000]; // then every 2 s
const REPORT_PAGE = 200;
const FINISHED = new Set(["done", "failed"]);
// The problem codes of ImportProblem and the file errors of Import.error in openapi.json
// that have their own words; any other shows the server's message alone.
const PROBLEMS = new Set([
  "required", "invalid", "invalid_answer", "missing_answer", "na_not_allowed", "unknown_criterion",
  "unknown_form_version", "unknown_agent", "nonexistent_local_time", "ambiguous_local_time",
  "duplicate_external_id", "malformed_json", "too_large",
]);
const FILE_ERRORS = new Set([
  "empty_file", "file_too_large", "too_many_rows", "unreadable_encoding", "unreadable_file",
  "missing_columns", "duplicate_column", "internal_error",
]);

const sleep = (ms, signal) => new Promise((resolve) => {
  const timer = setTimeout(resolve, ms);
  signal.addEventListener("abort", () => {
    clearTimeout(timer);
    resolve();
  }, { once: true });
});

export function statusBadge(status) {
  return h("span", { class: `badge status-${status}`, dataset: { status } }, t(`importStatus.${status}`));
}

function problemItem(problem) {
  return h("li", { dataset: { column: problem.column ?? "", code: problem.code } },
    problem.column ? h("code", { class: "column" }, problem.column) : h("span", { class: "column" }, t("report.wholeRow")),
    ": ",
    PROBLEMS.has(problem.code) ? h("strong", {}, `${t(`problem.${problem.code}`)}. `) : null,
    problem.message);
}

function outcomeCell(row) {
  const link = row.evaluation_id
    ? h("a", { href: `#/evaluations/${enc(row.evaluation_id)}` }, t("report.openEvaluation"),
      h("span", { class: "visually-hidden" }, ` ${row.external_id}`))
    : null;
  return h("td", {},
    h("span", { class: `badge outcome-${row.outcome}` },
      row.outcome === "amended" ? t("report.amendedRevision", { revision: row.revision }) : t(`outcome.${row.outcome}`)),
    link ? [" ", link] : null);
}

function reportRow(row) {
  const details = [];
  if (row.problems.length) details.push(h("ul", { class: "problems" }, row.problems.map(problemItem)));
  if (row.warnings.length) {
    details.push(h("p", { class: "hint" }, t("report.warnings")),
      h("ul", { class: "problems warnings" }, row.warnings.map(problemItem)));
  }
  if (row.outcome === "amended") details.push(h("p", { class: "hint" }, t("report.amendedHelp")));
  return h("tr", { dataset: { row: String(row.row), outcome: row.outcome }, class: `outcome-row-${row.outcome}` },
    h("th", { scope: "row", class: "num" }, formatInteger(row.row)),
    h("td", {}, h("code", {}, row.external_id || "–")),
    outcomeCell(row),
    h("td", {}, details.length ? details : "–"));
}

export async function render(root, params, app) {
  await Promise.all([loadMessages("imports"), useStylesheet("/css/office.css")]);
  document.title = `${t("report.title")} – Laatu`;
  const heading = h("h1", { tabindex: "-1" }, t("report.title"));
  if (!app.hasRole("auditor", "admin")) {
    replaceChildren(root, heading, h("p", {}, t("imports.auditorOnly")));
    heading.focus();
    return;
  }
  let item;
  try {
    item = await getImport(params.importId, { limit: 0 });
  } catch (error) {
    if (!(error instanceof ApiError) || error.status !== 404) throw error;
    replaceChildren(root, heading, h("p", { class: "error-box", role: "alert" }, t("report.notFound")),
      h("p", {}, h("a", { href: "#/imports" }, t("report.back"))));
    heading.focus();
    return;
  }

  const subtitle = h("p", { class: "subtle" });
  const statusEl = h("section", { class: "card import-status", "aria-labelledby": "status-h" });
  const reportEl = h("section", { class: "card import-report", "aria-labelledby": "report-h", hidden: true });

  function renderStatus() {
    subtitle.textContent = t("report.subtitle", {
      name: item.file?.name ?? "–",
      when: formatDateTime(item.created_at, app.timeZone),
      who: item.auditor,
    });
    const rows = item.rows;
    const total = rows.total;
    const expired = item.status === "pending" && Date.parse(item.upload_expires_at) < Date.now();
    const running = item.status === "running" && total;
    replaceChildren(statusEl,
      h("h2", { id: "status-h" }, t("report.statusTitle")),
      h("p", { class: "status-line" }, statusBadge(item.status), " ",
        expired ? t("report.expired") : t(`importState.${item.status}`)),
      running
        ? h("div", { class: "upload-progress" },
          h("label", { for: "rows-progress" }, t("report.processed", { processed: formatInteger(rows.processed), total: formatInteger(total) })),
          h("progress", { id: "rows-progress", max: total, value: rows.processed }))
        : null,
      h("dl", { class: "big-figures counts" },
        h("div", {}, h("dt", {}, t("report.total")), h("dd", { dataset: { count: "total" } }, total === null ? "–" : formatInteger(total))),
        h("div", {}, h("dt", {}, t("report.imported")), h("dd", { dataset: { count: "imported" } }, formatInteger(rows.imported))),
        h("div", {}, h("dt", {}, t("report.rejected")), h("dd", { dataset: { count: "rejected" } }, formatInteger(rows.rejected)))),
      rows.imported
        ? h("p", { class: "hint" }, t("report.importedParts", {
          created: formatInteger(rows.created), amended: formatInteger(rows.amended), unchanged: formatInteger(rows.unchanged),
        }))
        : null,
      item.error
        ? h("div", { class: "error-box", dataset: { error: item.error.code } },
          FILE_ERRORS.has(item.error.code) ? h("p", {}, h("strong", {}, t(`fileError.${item.error.code}`))) : null,
          h("p", {}, item.error.message))
        : null,
      item.report_csv_url
        ? h("p", {}, h("a", { href: item.report_csv_url, class: "report-csv" }, t("report.csv")),
          h("span", { class: "hint" }, ` ${t("report.csvHelp")}`))
        : null);
  }

  const onlyRejected = h("input", { type: "checkbox" });
  const reportBody = h("tbody");
  const more = h("button", { class: "button subtle", type: "button", hidden: true }, t("report.more"));
  let cursor = null;

  async function loadReport(reset) {
    if (reset) {
      cursor = null;
      reportBody.replaceChildren();
    }
    const page = await getImport(params.importId, {
      limit: REPORT_PAGE, cursor, outcome: onlyRejected.checked ? "rejected" : null,
    });
    reportBody.append(...page.report.rows.map(reportRow));
    if (!reportBody.children.length) reportBody.append(h("tr", {}, h("td", { colspan: 4 }, t("report.noRows"))));
    cursor = page.report.next_cursor;
    more.hidden = !cursor;
  }
  onlyRejected.addEventListener("change", () => loadReport(true));
  more.addEventListener("click", () => loadReport(false));

  replaceChildren(reportEl,
    h("div", { class: "row-head" },
      h("h2", { id: "report-h" }, t("report.rowsTitle")),
      h("div", { class: "check" }, h("label", {}, onlyRejected, " ", t("report.onlyRejected")))),
    h("div", { class: "table-scroll" }, h("table", { class: "report-table" },
      h("thead", {}, h("tr", {},
        h("th", { scope: "col", class: "num" }, t("report.row")),
        h("th", { scope: "col" }, t("report.externalId")),
        h("th", { scope: "col" }, t("report.outcome")),
        h("th", { scope: "col" }, t("report.details")))),
      reportBody)),
    more);

  async function finish() {
    if (item.status === "done") {
      await loadReport(true);
      reportEl.hidden = false;
    }
    announce(item.status === "done"
      ? t("report.doneAnnounce", { imported: item.rows.imported, rejected: item.rows.rejected })
      : t("report.failedAnnounce"));
  }

  renderStatus();
  replaceChildren(root,
    h("div", { class: "page-head" }, heading, subtitle,
      h("p", {}, h("a", { href: "#/imports" }, t("report.back")))),
    statusEl,
    reportEl);
  heading.focus();

  // Until the import has finished: its progress, ever less often.
  for (let attempt = 0; !FINISHED.has(item.status); attempt += 1) {
    if (item.status === "pending" && Date.parse(item.upload_expires_at) < Date.now()) return;
    await sleep(POLL_MS[Math.min(attempt, POLL_MS.length - 1)], app.signal);
    if (app.signal.aborted) return;
    const before = item.status;
    try {
      item = await getImport(params.importId, { limit: 0 });
    } catch (error) {
      if (!(error instanceof ApiError) || !error.transient) throw error;
      continue; // the connection dropped for a moment: ask again
    }
    if (app.signal.aborted) return;
    renderStatus();
    if (item.status !== before && !FINISHED.has(item.status)) announce(t(`importState.${item.status}`));
  }
  await finish();
}

