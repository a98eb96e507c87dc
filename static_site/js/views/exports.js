// The QA manager's payroll exports: every exported pay period with its revisions,
// "run now" for any period that has ended (the same exactly-once run as the hourly
// one), and each revision's files as short-lived links fetched on request.

import { ApiError } from "../api.js";
import { listExports, runExport } from "../api/exports.js";
import { getSettings } from "../api/settings.js";
import { createExportFiles } from "../components/export-files.js";
import { announce, field, h, replaceChildren } from "../dom.js";
import { errorMessage } from "../errors.js";
import { clearFieldErrors, showFieldError } from "../field-errors.js";
import { formatDateTime, formatInteger, loadMessages, t } from "../i18n.js";
import { endedPeriods, formatDay, formatDays, periodLabel, periodTitle } from "../pay-periods.js";
import { useStylesheet } from "../stylesheet.js";

/** The words for a refused run: a period that has not ended names the day it can run. */
function runError(error) {
  if (error.code === "period_not_ended") {
    const day = /(\d{4}-\d{2}-\d{2})/.exec(error.message)?.[1];
    return day ? t("exports.notEnded", { day: formatDay(day) }) : t("exports.notEndedNoDay");
  }
  if (error.status === 400 && error.field === "period") return t("periods.invalid");
  return errorMessage(error);
}

const OUTCOME_KEYS = {
  written: "exports.written",
  unchanged: "exports.unchanged",
  busy: "exports.busy",
  failed: "exports.failed",
};

export async function render(root, _params, app) {
  await Promise.all([loadMessages("payroll"), useStylesheet("/css/office.css")]);
  document.title = `${t("exports.title")} – Laatu`;
  const heading = h("h1", { tabindex: "-1" }, t("exports.title"));
  if (!app.hasRole("admin")) {
    replaceChildren(root, heading, h("p", {}, t("exports.adminOnly")));
    heading.focus();
    return;
  }
  const [settings, first] = await Promise.all([getSettings(), listExports()]);
  let history = first;

  /** Runs the period's export; the outcome as a sentence, or throws the refusal's ApiError. */
  async function run(period) {
    const data = await runExport(period);
    history = await listExports();
    return t(OUTCOME_KEYS[data.outcome] ?? "exports.failed", { revision: data.revision, period });
  }

  // Run any period: one not in the history yet (the first export of a past month).
  const suggestions = endedPeriods(settings.pay_period, app.timeZone);
  const listId = "period-suggestions";
  const periodInput = h("input", {
    value: suggestions[0], list: listId, autocomplete: "off", spellcheck: "false", required: true,
  });
  const runStatus = h("p", { class: "editor-status", role: "status" });
  const runForm = h("form", { class: "card toolbar with-hints run-form", novalidate: true, "aria-labelledby": "run-h" },
    h("h2", { id: "run-h", class: "toolbar-title" }, t("exports.runTitle")),
    field({ label: t("exports.period"), control: periodInput, name: "period", hint: t("periods.hint") }),
    h("datalist", { id: listId }, suggestions.map((label) => h("option", { value: label }, periodTitle(label)))),
    h("button", { class: "button primary", type: "submit" }, t("exports.runNow")),
    runStatus);
  let running = false; // one run at a time; the button keeps focus (a disabled one loses it)
  runForm.addEventListener("submit", async (event) => {
    event.preventDefault();
    if (running) return;
    clearFieldErrors(runForm);
    runStatus.textContent = "";
    const label = periodLabel(periodInput.value);
    if (!label) {
      showFieldError(runForm, "period", t("periods.invalid"))?.focus();
      return;
    }
    periodInput.value = label;
    runStatus.textContent = t("exports.running", { period: label });
    running = true;
    try {
      const text = await run(label);
      runStatus.textContent = text;
      renderHistory();
    } catch (error) {
      if (!(error instanceof ApiError)) throw error;
      runStatus.textContent = "";
      showFieldError(runForm, "period", runError(error))?.focus();
    } finally {
      running = false;
    }
  });

  const list = h("section", { class: "export-history", "aria-labelledby": "history-h" });

  function periodCard(item) {
    const status = h("p", { class: "card-status" }); // read out through announce()
    const files = createExportFiles(app, { headingLevel: 4 });
    const runButton = h("button", { class: "button", type: "button", dataset: { action: "run" } }, t("exports.runNow"),
      h("span", { class: "visually-hidden" }, ` ${item.period}`));
    const filesButton = h("button", { class: "button", type: "button", dataset: { action: "files" } }, t("exports.showFiles"),
      h("span", { class: "visually-hidden" }, ` ${item.period}`));
    runButton.addEventListener("click", async () => {
      runButton.disabled = true;
      status.textContent = t("exports.running", { period: item.period });
      announce(status.textContent);
      let text;
      try {
        text = await run(item.period);
      } catch (error) {
        if (!(error instanceof ApiError)) throw error;
        runButton.disabled = false;
        status.textContent = runError(error);
        announce(status.textContent);
        return;
      }
      renderHistory();
      const card = list.querySelector(`[data-period="${CSS.escape(item.period)}"]`);
      card?.querySelector(".card-status")?.append(text);
      card?.querySelector("[data-action=run]")?.focus();
      announce(text);
    });
    filesButton.addEventListener("click", () => files.show(item.period));
    const titleId = `period-${item.period}`;
    return h("li", { class: "card export-period", dataset: { period: item.period } },
      h("div", { class: "row-head" },
        h("h3", { id: titleId }, periodTitle(item.period), " ", h("code", { class: "subtle" }, item.period)),
        h("span", { class: `badge status-${item.status}` }, t(`exportStatus.${item.status}`))),
      h("p", { class: "subtle" }, t("exports.periodFacts", {
        days: formatDays(item.start, item.end),
        revision: item.latest_revision,
        updated: formatDateTime(item.updated_at, app.timeZone),
      })),
      h("table", { class: "revisions" },
        h("caption", { class: "visually-hidden" }, t("exports.revisionsOf", { period: item.period })),
        h("thead", {}, h("tr", {},
          h("th", { scope: "col" }, t("exports.revision")),
          h("th", { scope: "col" }, t("exports.generated")),
          h("th", { scope: "col", class: "num" }, t("exports.rows")),
          h("th", { scope: "col", class: "num" }, t("exports.adjusted")),
          h("th", { scope: "col" }, t("exports.statusTitle")))),
        h("tbody", {}, [...item.revisions].reverse().map((r) => h("tr", { dataset: { revision: String(r.revision) } },
          h("th", { scope: "row" }, t("files.revision", { revision: r.revision })),
          h("td", {}, formatDateTime(r.generated_at, app.timeZone)),
          h("td", { class: "num" }, r.rows === null ? "–" : formatInteger(r.rows)),
          h("td", { class: "num" }, r.adjusted_agents === null ? "–" : formatInteger(r.adjusted_agents)),
          h("td", {}, t(`exportStatus.${r.status}`)))))),
      h("div", { class: "actions" }, runButton, filesButton),
      status,
      files.element);
  }

  function renderHistory() {
    replaceChildren(list,
      h("h2", { id: "history-h" }, t("exports.history")),
      history.length
        ? h("ol", { class: "plain-list" }, history.map(periodCard))
        : h("p", { class: "card" }, t("exports.none", { days: settings.grace_days })));
  }

  renderHistory();
  replaceChildren(root,
    h("div", { class: "page-head" }, heading,
      h("p", { class: "subtle" }, t("exports.help", { days: settings.grace_days, zone: settings.time_zone }))),
    runForm,
    list);
  heading.focus();
}
