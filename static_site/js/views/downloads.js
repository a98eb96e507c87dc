// Payroll's page, its only one: choose a pay period and get its files. Payroll cannot
// list the exports (that is the QA manager's), so the period is typed or picked from
// the last periods that have ended; the links are fetched on each request.

import { getSettings } from "../api/settings.js";
import { createExportFiles } from "../components/export-files.js";
import { field, h, replaceChildren } from "../dom.js";
import { clearFieldErrors, showFieldError } from "../field-errors.js";
import { loadMessages, t } from "../i18n.js";
import { endedPeriods, periodLabel, periodTitle } from "../pay-periods.js";
import { useStylesheet } from "../stylesheet.js";

export async function render(root, _params, app) {
  await Promise.all([loadMessages("payroll"), useStylesheet("/css/office.css")]);
  document.title = `${t("downloads.title")} – Laatu`;
  const heading = h("h1", { tabindex: "-1" }, t("downloads.title"));
  if (!app.hasRole("payroll", "admin")) {
    replaceChildren(root, heading, h("p", {}, t("downloads.payrollOnly")));
    heading.focus();
    return;
  }
  const settings = await getSettings();
  const suggestions = endedPeriods(settings.pay_period, app.timeZone);
  const input = h("input", { value: suggestions[0], list: "download-periods", autocomplete: "off", spellcheck: "false", required: true });
  const files = createExportFiles(app, { headingLevel: 3 });
  const result = h("section", { class: "card", "aria-labelledby": "files-h", hidden: true });
  const resultHeading = h("h2", { id: "files-h", tabindex: "-1" });
  result.append(resultHeading, files.element);

  const form = h("form", { class: "card toolbar with-hints", novalidate: true, role: "search" },
    field({ label: t("downloads.period"), control: input, name: "period", hint: t("periods.hint") }),
    h("datalist", { id: "download-periods" }, suggestions.map((label) => h("option", { value: label }, periodTitle(label)))),
    h("button", { class: "button primary", type: "submit" }, t("downloads.show")));
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    clearFieldErrors(form);
    const label = periodLabel(input.value);
    if (!label) {
      showFieldError(form, "period", t("periods.invalid"))?.focus();
      return;
    }
    input.value = label;
    resultHeading.textContent = `${periodTitle(label)} (${label})`;
    result.hidden = false;
    await files.show(label);
  });

  replaceChildren(root,
    h("div", { class: "page-head" }, heading,
      h("p", { class: "subtle" }, t("downloads.help", { days: settings.grace_days, zone: settings.time_zone }))),
    form,
    result);
  heading.focus();
}
