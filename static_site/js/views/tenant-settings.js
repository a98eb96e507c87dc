// The QA manager's settings: the rules pay is computed by (api/settings.js) and
// the agent roster. A save is a new revision that applies from the first pay period
// not yet exported, so an exported period keeps the rules it was paid with; the page
// says from when, and lists every revision.

import { ApiError } from "../api.js";
import { getSettings, saveSettings } from "../api/settings.js";
import { createRoster } from "../components/roster.js";
import { toApiDecimal } from "../decimals.js";
import { announce, field, h, replaceChildren } from "../dom.js";
import { errorMessage } from "../errors.js";
import { clearFieldErrors, showFieldError } from "../field-errors.js";
import { formatDateTime, formatDecimal, formatInteger, loadMessages, t } from "../i18n.js";
import { CURRENCY, GRACE_DAYS, MAX_TIERS, MIN_SCORED } from "../rules.generated.js";
import { useStylesheet } from "../stylesheet.js";
import { isValidZone } from "../timezone.js";

const BEGINNING = Date.UTC(1970, 0, 2); // a revision saved before any export applies from 1970

function wholeNumber(text, low, high) {
  const s = String(text).trim();
  return /^\d{1,6}$/.test(s) && Number(s) >= low && Number(s) <= high ? Number(s) : null;
}

/** When a revision applies, in words: "from the start" or the instant on the tenant's clock. */
function appliesFrom(revision, zone) {
  return Date.parse(revision.effective_from) < BEGINNING
    ? t("rules.fromStart")
    : formatDateTime(revision.effective_from, zone);
}

function zoneList(id) {
  const zones = typeof Intl.supportedValuesOf === "function" ? Intl.supportedValuesOf("timeZone") : [];
  return h("datalist", { id }, zones.map((zone) => h("option", { value: zone })));
}

export async function render(root, _params, app) {
  await Promise.all([loadMessages("payroll"), useStylesheet("/css/office.css")]);
  document.title = `${t("rules.title")} – Laatu`;
  const heading = h("h1", { tabindex: "-1" }, t("rules.title"));
  if (!app.hasRole("admin")) {
    replaceChildren(root, heading, h("p", {}, t("rules.adminOnly")));
    heading.focus();
    return;
  }
  let view = await getSettings();
  const roster = await createRoster(app);
  // The form starts from the newest revision, pending or not: saving it again must not
  // undo a change that waits for its period.
  const start = view.revisions?.at(-1)?.settings ?? view;

  const zoneInput = h("input", { value: start.time_zone, list: "zones", autocomplete: "off", spellcheck: "false", required: true });
  const kindName = "pay-period-kind";
  const monthRadio = h("input", { type: "radio", name: kindName, value: "month", checked: start.pay_period.kind !== "two_weeks" });
  const twoWeeksRadio = h("input", { type: "radio", name: kindName, value: "two_weeks", checked: start.pay_period.kind === "two_weeks" });
  const anchorInput = h("input", { type: "date", value: start.pay_period.anchor ?? "" });
  const anchorField = field({ label: t("rules.anchor"), control: anchorInput, name: "pay_period.anchor", hint: t("rules.anchorHint") });
  const graceInput = h("input", { type: "number", min: GRACE_DAYS.min, max: GRACE_DAYS.max, step: 1, inputmode: "numeric", value: String(start.grace_days) });
  const currencyInput = h("input", { value: start.currency, maxlength: 3, autocomplete: "off", spellcheck: "false", class: "short" });
  const minScoredInput = h("input", { type: "number", min: MIN_SCORED.min, max: MIN_SCORED.max, step: 1, inputmode: "numeric", value: String(start.incentives.min_scored) });
  // Decimals are shown and typed the page's way ("200,00") and sent as "200.00".
  const tiers = start.incentives.tiers.map((tier) => ({
    name: tier.name, min_average: formatDecimal(tier.min_average), amount: formatDecimal(tier.amount),
  }));
  const tiersBody = h("tbody");
  const amountHeader = h("th", { scope: "col" });
  const addTier = h("button", { class: "button subtle", type: "button" }, t("rules.addTier"));
  const status = h("p", { class: "editor-status", role: "status" });
  const saved = h("div", { class: "saved-note" });
  const errorBox = h("div", { class: "error-box", role: "alert", tabindex: "-1", hidden: true });
  const revisionsEl = h("section", { class: "card", "aria-labelledby": "revisions-h" });

  const showAnchor = () => {
    anchorField.hidden = !twoWeeksRadio.checked;
  };
  monthRadio.addEventListener("change", showAnchor);
  twoWeeksRadio.addEventListener("change", showAnchor);
  showAnchor();
  const showCurrency = () => {
    amountHeader.textContent = t("rules.amount", { currency: currencyInput.value.trim().toUpperCase() || "–" });
  };
  currencyInput.addEventListener("input", showCurrency);
  showCurrency();

  function renderTiers(focus = null) {
    const empty = h("tr", {}, h("td", { colspan: 5 }, t("rules.noTiers")));
    replaceChildren(tiersBody, tiers.length ? tiers.map((tier, index) => {
      const path = `incentives.tiers[${index}]`;
      const n = index + 1;
      const input = (key, attrs) => {
        const control = h("input", { ...attrs, value: tier[key], autocomplete: "off" });
        control.addEventListener("input", () => {
          tier[key] = control.value;
        });
        return h("td", { dataset: { field: `${path}.${key}` } }, control);
      };
      const remove = h("button", { class: "button icon", type: "button", "aria-label": t("rules.removeTier", { n }), title: t("rules.removeTier", { n }) }, "✕");
      remove.addEventListener("click", () => {
        tiers.splice(index, 1);
        renderTiers(tiers.length ? `name-${Math.min(index, tiers.length - 1)}` : "add");
      });
      const row = h("tr", { dataset: { tier: String(index) } },
        h("th", { scope: "row" }, t("rules.tierN", { n })),
        input("name", { maxlength: 40, "aria-label": t("rules.tierName", { n }) }),
        input("min_average", { inputmode: "decimal", class: "short", "aria-label": t("rules.tierMinAverage", { n }) }),
        input("amount", { inputmode: "decimal", class: "short", "aria-label": t("rules.tierAmount", { n }) }),
        h("td", {}, remove));
      row.querySelector("input").dataset.focusKey = `name-${index}`;
      return row;
    }) : empty);
    addTier.disabled = tiers.length >= MAX_TIERS;
    if (focus === "add") addTier.focus();
    else if (focus) tiersBody.querySelector(`[data-focus-key="${focus}"]`)?.focus();
  }
  addTier.addEventListener("click", () => {
    tiers.push({ name: "", min_average: "", amount: "" });
    renderTiers(`name-${tiers.length - 1}`);
  });

  /** The PUT body, and what is wrong with it before the server is asked: [field, key]. */
  function collect() {
    const problems = [];
    const timeZone = zoneInput.value.trim();
    if (!isValidZone(timeZone)) problems.push(["time_zone", "rules.errorZone"]);
    const payPeriod = { kind: twoWeeksRadio.checked ? "two_weeks" : "month" };
    if (payPeriod.kind === "two_weeks") {
      if (/^\d{4}-\d{2}-\d{2}$/.test(anchorInput.value)) payPeriod.anchor = anchorInput.value;
      else problems.push(["pay_period.anchor", "rules.errorAnchor"]);
    }
    const grace = wholeNumber(graceInput.value, GRACE_DAYS.min, GRACE_DAYS.max);
    if (grace === null) problems.push(["grace_days", "rules.errorGrace"]);
    const currency = currencyInput.value.trim().toUpperCase();
    if (!CURRENCY.test(currency)) problems.push(["currency", "rules.errorCurrency"]);
    const minScored = wholeNumber(minScoredInput.value, MIN_SCORED.min, MIN_SCORED.max);
    if (minScored === null) problems.push(["incentives.min_scored", "rules.errorMinScored"]);
    const body = tiers.map((tier, index) => {
      const path = `incentives.tiers[${index}]`;
      const name = tier.name.trim();
      const minAverage = toApiDecimal(tier.min_average);
      const amount = toApiDecimal(tier.amount, { fixed: true });
      if (!name) problems.push([`${path}.name`, "rules.errorTierName"]);
      if (minAverage === null || Number(minAverage) > 100) problems.push([`${path}.min_average`, "rules.errorAverage"]);
      if (amount === null) problems.push([`${path}.amount`, "rules.errorAmount"]);
      return { name, min_average: minAverage, amount };
    });
    return {
      problems,
      body: {
        time_zone: timeZone,
        pay_period: payPeriod,
        grace_days: grace,
        currency,
        incentives: { min_scored: minScored, tiers: body },
      },
    };
  }

  function renderRevisions() {
    const revisions = view.revisions ?? [];
    const now = Date.now();
    const inForce = revisions.filter((r) => Date.parse(r.effective_from) <= now).at(-1)?.revision;
    replaceChildren(revisionsEl,
      h("h2", { id: "revisions-h" }, t("rules.revisions")),
      revisions.length
        ? h("div", { class: "table-scroll" }, h("table", {},
          h("thead", {}, h("tr", {},
            h("th", { scope: "col" }, t("rules.revision")),
            h("th", { scope: "col" }, t("rules.appliesFrom")),
            h("th", { scope: "col" }, t("rules.savedAt")),
            h("th", { scope: "col" }, t("rules.rules")))),
          h("tbody", {}, [...revisions].reverse().map((r) => h("tr", { dataset: { revision: String(r.revision) } },
            h("th", { scope: "row" }, formatInteger(r.revision), " ",
              r.revision === inForce ? h("span", { class: "badge status-done" }, t("rules.inForce")) : null,
              Date.parse(r.effective_from) > now ? h("span", { class: "badge draft" }, t("rules.pending")) : null),
            h("td", {}, appliesFrom(r, app.timeZone)),
            h("td", {}, t("rules.savedBy", { when: formatDateTime(r.saved_at, app.timeZone), who: r.saved_by })),
            h("td", {}, summary(r.settings)))))))
        : h("p", {}, t("rules.noRevisions")));
  }

  function summary(s) {
    const period = s.pay_period.kind === "two_weeks" ? t("rules.twoWeeksFrom", { anchor: s.pay_period.anchor }) : t("rules.month");
    const tierText = s.incentives.tiers.map((tier) => `${tier.name} ≥ ${formatDecimal(tier.min_average)}: ${formatDecimal(tier.amount)} ${s.currency}`).join("; ");
    return `${s.time_zone} · ${period} · ${t("rules.graceShort", { days: s.grace_days })} · ${t("rules.minScoredShort", { n: s.incentives.min_scored })}${tierText ? ` · ${tierText}` : ""}`;
  }

  const form = h("form", { class: "card rules-form", novalidate: true, "aria-labelledby": "rules-h" },
    h("h2", { id: "rules-h" }, t("rules.formTitle")),
    h("p", { class: "hint" }, t("rules.formHelp")),
    errorBox,
    h("div", { class: "grid" },
      field({ label: t("rules.timeZone"), control: zoneInput, name: "time_zone", hint: t("rules.timeZoneHint") }),
      h("fieldset", { class: "field", dataset: { field: "pay_period" } },
        h("legend", {}, t("rules.payPeriod")),
        h("div", { class: "radio-row" },
          h("label", {}, monthRadio, " ", t("rules.month")),
          h("label", {}, twoWeeksRadio, " ", t("rules.twoWeeks")))),
      anchorField,
      field({ label: t("rules.grace"), control: graceInput, name: "grace_days", hint: t("rules.graceHint") }),
      field({ label: t("rules.currency"), control: currencyInput, name: "currency", hint: t("rules.currencyHint") })),
    h("fieldset", { class: "tiers", dataset: { field: "incentives" } },
      h("legend", {}, t("rules.incentives")),
      h("p", { class: "hint" }, t("rules.incentivesHelp")),
      field({ label: t("rules.minScored"), control: minScoredInput, name: "incentives.min_scored", className: "field narrow-field" }),
      h("div", { class: "table-scroll" }, h("table", { class: "tier-table", dataset: { field: "incentives.tiers" } },
        h("caption", { class: "visually-hidden" }, t("rules.tiers")),
        h("thead", {}, h("tr", {},
          h("th", { scope: "col" }, t("rules.tier")),
          h("th", { scope: "col" }, t("rules.tierNameHeader")),
          h("th", { scope: "col" }, t("rules.minAverage")),
          amountHeader,
          h("th", { scope: "col" }, h("span", { class: "visually-hidden" }, t("rules.remove"))))),
        tiersBody)),
      addTier),
    h("div", { class: "actions" }, h("button", { class: "button primary", type: "submit" }, t("rules.save")), status),
    saved);

  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    clearFieldErrors(form);
    status.textContent = "";
    saved.replaceChildren();
    const { body, problems } = collect();
    if (problems.length) {
      const targets = problems.map(([name, key]) => showFieldError(form, name, t(key)));
      targets.find(Boolean)?.focus();
      status.textContent = t("rules.fixProblems", { count: problems.length });
      return;
    }
    status.textContent = t("rules.saving");
    let revision;
    try {
      revision = await saveSettings(body);
    } catch (error) {
      if (!(error instanceof ApiError)) throw error;
      status.textContent = "";
      const message = error.code === "concurrent_settings_change" ? t("rules.concurrent") : errorMessage(error);
      showFieldError(form, error.field, message)?.focus();
      return;
    }
    view = await getSettings();
    renderRevisions();
    const beginning = Date.parse(revision.effective_from) < BEGINNING;
    const zoneChanged = body.time_zone !== view.time_zone;
    status.textContent = "";
    replaceChildren(saved,
      h("p", { class: "success" }, t("rules.savedRevision", { revision: revision.revision })),
      h("p", { dataset: { effectiveFrom: revision.effective_from } }, beginning
        ? t("rules.appliesToAll")
        : t("rules.appliesFromFirstUnexported", { from: appliesFrom(revision, app.timeZone) })),
      zoneChanged ? h("p", {}, t("rules.zoneWaits")) : null);
    announce(saved.textContent);
  });

  renderTiers();
  renderRevisions();
  replaceChildren(root,
    h("div", { class: "page-head" }, heading, h("p", { class: "subtle" }, t("rules.subtitle"))),
    zoneList("zones"),
    form,
    revisionsEl,
    roster.element);
  heading.focus();
}
