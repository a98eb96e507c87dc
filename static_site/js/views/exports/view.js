// The payroll exports page's DOM: the "run now" form, and every exported period as a
// card with its revisions, its own run button and its files. It shows what it is
// given and reports what the person does through `on` (views/exports.js).

import { announce, field, h, replaceChildren } from "../../dom.js";
import { errorMessage } from "../../errors.js";
import { clearFieldErrors, showFieldError } from "../../field-errors.js";
import { formatDateTime, formatInteger, t } from "../../i18n.js";
import { formatDay, formatDays, periodTitle } from "../../pay-periods.js";
import { runRefusal } from "./model.js";

/** The words for a refused run (an ApiError). */
export function runErrorText(error) {
  const refusal = runRefusal(error);
  if (!refusal) return errorMessage(error);
  return t(refusal.key, refusal.day ? { day: formatDay(refusal.day) } : {});
}

function heading() {
  return h("h1", { tabindex: "-1" }, t("exports.title"));
}

/** The heading alone, for someone who may not see exports. */
export function renderRefusal(root) {
  const title = heading();
  replaceChildren(root, title, h("p", {}, t("exports.adminOnly")));
  title.focus();
}

export class ExportsView {
  /** `on.run(text)` from the form, `on.runPeriod(period)` from a card (answers the
   * outcome's words, or null when refused), `on.files()` makes a card's file list. */
  constructor({ suggestions, timeZone, on }) {
    this.timeZone = timeZone;
    this.on = on;
    this.heading = heading();
    const listId = "period-suggestions";
    this.periodInput = h("input", {
      value: suggestions[0], list: listId, autocomplete: "off", spellcheck: "false", required: true,
    });
    this.runStatus = h("p", { class: "editor-status", role: "status" });
    // The button keeps focus while a run goes (a disabled one would lose it).
    this.runForm = h("form", { class: "card toolbar with-hints run-form", novalidate: true, "aria-labelledby": "run-h" },
      h("h2", { id: "run-h", class: "toolbar-title" }, t("exports.runTitle")),
      field({ label: t("exports.period"), control: this.periodInput, name: "period", hint: t("periods.hint") }),
      h("datalist", { id: listId }, suggestions.map((label) => h("option", { value: label }, periodTitle(label)))),
      h("button", { class: "button primary", type: "submit" }, t("exports.runNow")),
      this.runStatus);
    this.runForm.addEventListener("submit", (event) => {
      event.preventDefault();
      on.run(this.periodInput.value);
    });
    this.list = h("section", { class: "export-history", "aria-labelledby": "history-h" });
  }

  mount(root, settings) {
    replaceChildren(root,
      h("div", { class: "page-head" }, this.heading,
        h("p", { class: "subtle" }, t("exports.help", { days: settings.grace_days, zone: settings.time_zone }))),
      this.runForm,
      this.list);
    this.heading.focus();
  }

  clearRunForm() {
    clearFieldErrors(this.runForm);
    this.runStatus.textContent = "";
  }

  /** The form's field shows the period as understood. */
  setPeriod(label) {
    this.periodInput.value = label;
  }

  setRunStatus(text) {
    this.runStatus.textContent = text;
  }

  showRunError(text) {
    showFieldError(this.runForm, "period", text)?.focus();
  }

  renderHistory(history, graceDays) {
    replaceChildren(this.list,
      h("h2", { id: "history-h" }, t("exports.history")),
      history.length
        ? h("ol", { class: "plain-list" }, history.map((item) => this.#periodCard(item)))
        : h("p", { class: "card" }, t("exports.none", { days: graceDays })));
  }

  /** After a card's run re-rendered the history: its words on the period's new card. */
  showCardOutcome(period, text) {
    const card = this.list.querySelector(`[data-period="${CSS.escape(period)}"]`);
    card?.querySelector(".card-status")?.append(text);
    card?.querySelector("[data-action=run]")?.focus();
    announce(text);
  }

  #periodCard(item) {
    const status = h("p", { class: "card-status" }); // read out through announce()
    const files = this.on.files();
    const runButton = h("button", { class: "button", type: "button", dataset: { action: "run" } }, t("exports.runNow"),
      h("span", { class: "visually-hidden" }, ` ${item.period}`));
    const filesButton = h("button", { class: "button", type: "button", dataset: { action: "files" } }, t("exports.showFiles"),
      h("span", { class: "visually-hidden" }, ` ${item.period}`));
    const say = (text) => {
      status.textContent = text;
      announce(status.textContent);
    };
    runButton.addEventListener("click", async () => {
      runButton.disabled = true;
      say(t("exports.running", { period: item.period }));
      const refusal = await this.on.runPeriod(item.period);
      if (refusal !== null) {
        runButton.disabled = false;
        say(refusal);
      }
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
        updated: formatDateTime(item.updated_at, this.timeZone),
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
          h("td", {}, formatDateTime(r.generated_at, this.timeZone)),
          h("td", { class: "num" }, r.rows === null ? "–" : formatInteger(r.rows)),
          h("td", { class: "num" }, r.adjusted_agents === null ? "–" : formatInteger(r.adjusted_agents)),
          h("td", {}, t(`exportStatus.${r.status}`)))))),
      h("div", { class: "actions" }, runButton, filesButton),
      status,
      files.element);
  }
}
