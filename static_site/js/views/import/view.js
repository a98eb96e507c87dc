// One import's DOM: the status card (progress, counts, a file error) and the report
// table row by row. It shows what it is given and reports what the person does
// through `on` (views/import.js).

import { enc } from "../../api.js";
import { statusBadge } from "../../components/import-status.js";
import { h, replaceChildren } from "../../dom.js";
import { formatDateTime, formatInteger, t } from "../../i18n.js";
import { hasFileErrorWords, hasProblemWords } from "./model.js";

function problemItem(problem) {
  return h("li", { dataset: { column: problem.column ?? "", code: problem.code } },
    problem.column ? h("code", { class: "column" }, problem.column) : h("span", { class: "column" }, t("report.wholeRow")),
    ": ",
    hasProblemWords(problem.code) ? h("strong", {}, `${t(`problem.${problem.code}`)}. `) : null,
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

function heading() {
  return h("h1", { tabindex: "-1" }, t("report.title"));
}

/** The heading alone, for someone who may not see imports. */
export function renderRefusal(root) {
  const title = heading();
  replaceChildren(root, title, h("p", {}, t("imports.auditorOnly")));
  title.focus();
}

export function renderNotFound(root) {
  const title = heading();
  replaceChildren(root, title, h("p", { class: "error-box", role: "alert" }, t("report.notFound")),
    h("p", {}, h("a", { href: "#/imports" }, t("report.back"))));
  title.focus();
}

export class ImportView {
  constructor({ timeZone, on }) {
    this.timeZone = timeZone;
    this.heading = heading();
    this.subtitle = h("p", { class: "subtle" });
    this.statusEl = h("section", { class: "card import-status", "aria-labelledby": "status-h" });
    this.reportEl = h("section", { class: "card import-report", "aria-labelledby": "report-h", hidden: true });
    const onlyRejected = h("input", { type: "checkbox" });
    this.reportBody = h("tbody");
    this.more = h("button", { class: "button subtle", type: "button", hidden: true }, t("report.more"));
    onlyRejected.addEventListener("change", () => on.onlyRejected(onlyRejected.checked));
    this.more.addEventListener("click", () => on.more());
    replaceChildren(this.reportEl,
      h("div", { class: "row-head" },
        h("h2", { id: "report-h" }, t("report.rowsTitle")),
        h("div", { class: "check" }, h("label", {}, onlyRejected, " ", t("report.onlyRejected")))),
      h("div", { class: "table-scroll" }, h("table", { class: "report-table" },
        h("thead", {}, h("tr", {},
          h("th", { scope: "col", class: "num" }, t("report.row")),
          h("th", { scope: "col" }, t("report.externalId")),
          h("th", { scope: "col" }, t("report.outcome")),
          h("th", { scope: "col" }, t("report.details")))),
        this.reportBody)),
      this.more);
  }

  mount(root) {
    replaceChildren(root,
      h("div", { class: "page-head" }, this.heading, this.subtitle,
        h("p", {}, h("a", { href: "#/imports" }, t("report.back")))),
      this.statusEl,
      this.reportEl);
    this.heading.focus();
  }

  renderStatus(item, expired) {
    this.subtitle.textContent = t("report.subtitle", {
      name: item.file?.name ?? "–",
      when: formatDateTime(item.created_at, this.timeZone),
      who: item.auditor,
    });
    const rows = item.rows;
    const total = rows.total;
    const running = item.status === "running" && total;
    replaceChildren(this.statusEl,
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
          hasFileErrorWords(item.error.code) ? h("p", {}, h("strong", {}, t(`fileError.${item.error.code}`))) : null,
          h("p", {}, item.error.message))
        : null,
      item.report_csv_url
        ? h("p", {}, h("a", { href: item.report_csv_url, class: "report-csv" }, t("report.csv")),
          h("span", { class: "hint" }, ` ${t("report.csvHelp")}`))
        : null);
  }

  clearReport() {
    this.reportBody.replaceChildren();
  }

  /** Adds a page of report rows; `more` shows the button for the next page. */
  appendReport(rows, more) {
    this.reportBody.append(...rows.map(reportRow));
    if (!this.reportBody.children.length) this.reportBody.append(h("tr", {}, h("td", { colspan: 4 }, t("report.noRows"))));
    this.more.hidden = !more;
  }

  showReport() {
    this.reportEl.hidden = false;
  }
}
