// The report page's DOM: the filters, and one card per report (figures, compliance,
// trend, heatmap, breakdown, leaderboard, suggestions), each saying what its figures
// mean and offering its CSV and XLSX; the bodies of the cards below the first screen
// are reports/below.js. It shows what it is given and reports what the
// person does through callbacks (views/reports.js).

import { barChart, figureOf, figureText, interval, percent } from "../../components/charts.js";
import { field, h, replaceChildren } from "../../dom.js";
import { errorMessage } from "../../errors.js";
import { formatDecimal, formatInteger, locale, t } from "../../i18n.js";
import { BREAKDOWNS, RANGE_KINDS, parseRange, rangeText, resultsHref, resultsHrefOfApiUrl, scopeText, shiftRange } from "./model.js";

/** "2026-10-01", "2026-10-31" → "1.–31.10.2026" in the page's language. */
export function formatDays(first, last) {
  const format = new Intl.DateTimeFormat(locale(), { dateStyle: "medium", timeZone: "UTC" });
  return format.formatRange(new Date(`${first}T00:00:00Z`), new Date(`${last}T00:00:00Z`));
}

/** Saves a Blob under `name` through a short-lived object URL (no token in any
 * address), as the upload page saves its templates. */
export function saveBlob(blob, name) {
  const url = URL.createObjectURL(blob);
  const link = h("a", { href: url, download: name, hidden: true });
  document.body.append(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(url), 60000);
}

/** A report's card: heading, what it means, its CSV/XLSX buttons, then its body. */
export function card({ id, title, meaning, download }) {
  const headingId = `${id}-h`;
  const status = h("p", { class: "hint download-status", role: "status" });
  const buttons = download ? h("div", { class: "download-buttons" },
    ["csv", "xlsx"].map((format) => h("button", {
      class: "button subtle", type: "button", dataset: { format, report: id },
      "aria-label": t(`reports.download.${format}Of`, { title }),
      onclick: async (event) => {
        const button = event.currentTarget;
        button.disabled = true;
        status.textContent = t("reports.download.fetching");
        try {
          status.textContent = t("reports.download.saved", { name: await download(format) });
        } catch (error) {
          status.textContent = errorMessage(error);
        } finally {
          button.disabled = false;
        }
      },
    }, t(`reports.download.${format}`))), status) : null;
  const body = h("div", { class: "report-body" }, h("p", { class: "subtle" }, t("reports.loading")));
  const element = h("section", { class: "card report-card", id, "aria-labelledby": headingId, "aria-busy": "true" },
    h("div", { class: "report-head" }, h("h2", { id: headingId }, title), buttons),
    meaning ? h("p", { class: "hint meaning" }, meaning) : null,
    body);
  return {
    element,
    show(...children) {
      replaceChildren(body, children);
      element.removeAttribute("aria-busy");
    },
    fail(error) {
      const refused = error?.status === 403 || error?.status === 404;
      replaceChildren(body, h("p", { class: refused ? "notice" : "error-box", role: refused ? null : "alert" },
        refused ? t("reports.notForYou") : errorMessage(error)));
      element.removeAttribute("aria-busy");
    },
  };
}

export function option(value, label, selected) {
  return h("option", { value, selected: value === selected }, label);
}

const INPUT_TYPE = { month: "month", week: "week", day: "date" };

/** The filter form. `scopes` [{value, label}]; `agentField` whether an agent id may be
 * typed; `forms` [{form_id, name}]. `onChange(filters)` when the person shows a view. */
export function filterForm({ filters, scopes, agentField, forms, onChange }) {
  const current = scopeText(filters.scope);
  const typedAgent = filters.scope.kind === "agent" && !scopes.some((s) => s.value === current);
  const scopeSelect = h("select", { name: "scope" },
    scopes.map((s) => option(s.value, s.label, typedAgent ? "" : current)),
    agentField ? option("agent", t("reports.scope.agentTyped"), typedAgent ? "agent" : "") : null);
  const agentInput = h("input", {
    name: "agent", value: typedAgent ? filters.scope.id : "", autocomplete: "off", spellcheck: "false",
  });
  const agentBox = agentField ? field({ label: t("reports.filter.agent"), control: agentInput, name: "agent" }) : null;
  const syncAgent = () => {
    if (agentBox) agentBox.hidden = scopeSelect.value !== "agent";
  };
  scopeSelect.addEventListener("change", syncAgent);
  syncAgent();

  const kindSelect = h("select", { name: "kind" }, RANGE_KINDS.map((k) => option(k, t(`reports.rangeKind.${k}`), filters.range.kind)));
  const valueBox = h("div", { class: "range-value" });
  let valueInputs = [];
  const renderValue = (kind, value) => {
    if (kind === "custom") {
      const [first = "", last = ""] = (value ?? "").split("..");
      valueInputs = [h("input", { type: "date", name: "first", value: first, required: true }), h("input", { type: "date", name: "last", value: last, required: true })];
      replaceChildren(valueBox,
        field({ label: t("reports.filter.first"), control: valueInputs[0], name: "first" }),
        field({ label: t("reports.filter.last"), control: valueInputs[1], name: "last" }));
    } else {
      valueInputs = [h("input", {
        type: INPUT_TYPE[kind] ?? "text", name: "value", value: value ?? "", required: true,
        autocomplete: "off", spellcheck: "false", placeholder: t(`reports.rangeExample.${kind}`),
      })];
      replaceChildren(valueBox, field({ label: t("reports.filter.value"), control: valueInputs[0], name: "value", hint: t(`reports.rangeExample.${kind}`) }));
    }
  };
  renderValue(filters.range.kind, filters.range.value);
  kindSelect.addEventListener("change", () => renderValue(kindSelect.value, ""));

  const bySelect = h("select", { name: "by" }, BREAKDOWNS.map((b) => option(b, t(`reports.by.${b}`), filters.by)));
  const formSelect = h("select", { name: "form" },
    option("", t("reports.filter.allForms"), filters.form),
    forms.map((f) => option(f.form_id, f.name ?? f.form_id, filters.form)));
  const error = h("p", { class: "field-error", role: "alert", hidden: true });

  const read = () => {
    const kind = kindSelect.value;
    const value = kind === "custom" ? `${valueInputs[0].value}..${valueInputs[1].value}` : valueInputs[0].value.trim();
    const range = parseRange(`${kind}:${value}`);
    const scopeValue = scopeSelect.value === "agent" ? `agent:${agentInput.value.trim()}` : scopeSelect.value;
    return { range, scopeValue };
  };
  const form = h("form", { class: "card toolbar report-filters", role: "search", novalidate: true, "aria-label": t("reports.filter.title") },
    field({ label: t("reports.filter.scope"), control: scopeSelect, name: "scope" }),
    agentBox,
    field({ label: t("reports.filter.kind"), control: kindSelect, name: "kind" }),
    valueBox,
    field({ label: t("reports.filter.by"), control: bySelect, name: "by" }),
    field({ label: t("reports.filter.form"), control: formSelect, name: "form" }),
    h("div", { class: "filter-buttons" },
      h("button", { class: "button subtle", type: "button", dataset: { shift: "-1" }, "aria-label": t("reports.filter.previous") }, "‹"),
      h("button", { class: "button subtle", type: "button", dataset: { shift: "1" }, "aria-label": t("reports.filter.next") }, "›"),
      h("button", { class: "button primary", type: "submit" }, t("reports.filter.show"))),
    error);
  const submit = (shift = 0) => {
    error.hidden = true;
    const { range, scopeValue } = read();
    if (!range) {
      error.textContent = t("reports.filter.badRange");
      error.hidden = false;
      valueInputs[0].focus();
      return;
    }
    onChange({ scope: scopeValue, range: rangeText(shift ? shiftRange(range, shift) ?? range : range), by: bySelect.value, form: formSelect.value });
  };
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    submit();
  });
  for (const button of form.querySelectorAll("[data-shift]")) button.addEventListener("click", () => submit(Number(button.dataset.shift)));
  return form;
}

/** "Tiimi 1, 2026-11 (1.–30.11.2026, <the tenant's zone>)". */
export function rangeLine(data) {
  const range = data.range;
  return t("reports.rangeLine", {
    scope: data.scope?.name ?? data.scope?.id ?? t("reports.scope.tenant"),
    label: range.label, days: formatDays(range.first_day, range.last_day), zone: range.time_zone,
  });
}

/** The big numbers of a compliance answer: evaluations, the average with its interval, full points. */
export function headline(data) {
  const average = figureOf(data.average);
  return h("dl", { class: "big-figures report-figures" },
    h("div", {}, h("dt", {}, t("reports.evaluations")), h("dd", { dataset: { evaluations: String(data.evaluations) } }, formatInteger(data.evaluations))),
    h("div", {}, h("dt", {}, t("reports.average")),
      h("dd", { dataset: { mean: average.value ?? "" } }, average.value === null ? "–" : `${formatDecimal(average.value)} p`),
      h("dd", { class: "hint" }, figureText(data.average, "p"))),
    h("div", {}, h("dt", {}, t("reports.fullPoints")), h("dd", { dataset: { fullPoints: String(data.full_points) } }, formatInteger(data.full_points))));
}

/** Every form and section of a compliance answer as bar charts, with the points. */
export function complianceCharts(data, { drill }) {
  return data.forms.map((form) => h("div", { class: "report-form", dataset: { form: form.form_id } },
    h("h3", {}, form.title ?? form.form_id, form.version ? ` · ${t("reports.version", { version: form.version })}` : ""),
    form.sections.map((section) => h("div", { class: "report-section", dataset: { section: section.section_id } },
      barChart({
        title: `${section.title} – ${figureText(section.compliance)}`,
        kind: "compliance",
        rows: section.criteria.map((c) => ({
          key: `${form.form_id}/${c.criterion_id}`,
          label: c.title,
          figure: c.compliance,
          counts: { yes: c.yes, no: c.no, na: c.na },
          href: drill(form.form_id, c.criterion_id),
        })),
      }),
      h("p", { class: "hint" }, t("reports.sectionPoints", {
        earned: formatDecimal(section.points_earned), available: formatDecimal(section.points_available),
      }),
      " · ",
      t("reports.naShares", {
        shares: section.criteria.map((c) => `${c.title}: ${percent(c.na_share?.rate)}`).join("; "),
      }))))));
}

export function suggestionsBody(data, zone) {
  if (!data.suggestions.length) return [h("p", {}, t("reports.suggestions.none"))];
  return [h("ul", { class: "suggestions plain-list" }, data.suggestions.map((s) => {
    const href = resultsHrefOfApiUrl(s.evaluations_url, zone, `${s.form_id}/${s.criterion_id}`);
    return h("li", { class: `suggestion suggestion-${s.kind}`, dataset: { kind: s.kind, criterion: `${s.form_id}/${s.criterion_id}` } },
      h("h3", {}, h("span", { class: "badge" }, t(`reports.suggestionKind.${s.kind}`)), " ", s.title),
      h("p", {}, s.text),
      h("p", { class: "hint" }, s.why),
      href ? h("p", {}, h("a", { href }, t("reports.suggestions.evaluations"))) : null);
  }))];
}

/** The drill-down from a criterion of an agent to the evaluations behind it. */
export const drillTo = (zone, range) => (agentId, formId, criterionId) =>
  (agentId && range ? resultsHref(agentId, range, zone, `${formId}/${criterionId}`) : null);
