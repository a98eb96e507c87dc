// The settings page's DOM: the rules form with its tier table and the report
// settings (shift bands, rankings), the coaching settings, the revision history
// and where the roster goes. It shows what it is given, reads the form back as typed
// (values()) and reports what the person does through `on` (views/tenant-settings.js).

import { field, h, replaceChildren } from "../../dom.js";
import { clearFieldErrors, showFieldError } from "../../field-errors.js";
import { formatDateTime, formatDecimal, formatInteger, t } from "../../i18n.js";
import { GRACE_DAYS, MIN_SCORED } from "../../rules.generated.js";
import { COACHING_DAYS, DISPUTES_AT_EXPORT, SHIFT_BANDS, appliesFromStart, isPending, revisionInForce } from "./model.js";

const BAND_LABELS = { day: "rules.bandDay", evening: "rules.bandEvening", night: "rules.bandNight" };

/** When a revision applies, in words: "from the start" or the instant on the tenant's clock. */
export function appliesFrom(revision, zone) {
  return appliesFromStart(revision) ? t("rules.fromStart") : formatDateTime(revision.effective_from, zone);
}

function summary(s) {
  const period = s.pay_period.kind === "two_weeks" ? t("rules.twoWeeksFrom", { anchor: s.pay_period.anchor }) : t("rules.month");
  const tierText = s.incentives.tiers.map((tier) => `${tier.name} ≥ ${formatDecimal(tier.min_average)}: ${formatDecimal(tier.amount)} ${s.currency}`).join("; ");
  return `${s.time_zone} · ${period} · ${t("rules.graceShort", { days: s.grace_days })} · ${t("rules.minScoredShort", { n: s.incentives.min_scored })}${tierText ? ` · ${tierText}` : ""}`;
}

function zoneList(id) {
  const zones = typeof Intl.supportedValuesOf === "function" ? Intl.supportedValuesOf("timeZone") : [];
  return h("datalist", { id }, zones.map((zone) => h("option", { value: zone })));
}

/** The heading alone, for someone who may not see the settings. */
export function renderRefusal(root) {
  const heading = h("h1", { tabindex: "-1" }, t("rules.title"));
  replaceChildren(root, heading, h("p", {}, t("rules.adminOnly")));
  heading.focus();
}

export class SettingsView {
  /** `start`: the settings the form shows (`reports` with every default filled in);
   * `on`: the handlers. */
  constructor({ start, reports, coaching, timeZone, on }) {
    this.timeZone = timeZone;
    this.on = on;
    this.heading = h("h1", { tabindex: "-1" }, t("rules.title"));
    this.zoneInput = h("input", { value: start.time_zone, list: "zones", autocomplete: "off", spellcheck: "false", required: true });
    const kindName = "pay-period-kind";
    const monthRadio = h("input", { type: "radio", name: kindName, value: "month", checked: start.pay_period.kind !== "two_weeks" });
    this.twoWeeksRadio = h("input", { type: "radio", name: kindName, value: "two_weeks", checked: start.pay_period.kind === "two_weeks" });
    this.anchorInput = h("input", { type: "date", value: start.pay_period.anchor ?? "" });
    const anchorField = field({ label: t("rules.anchor"), control: this.anchorInput, name: "pay_period.anchor", hint: t("rules.anchorHint") });
    this.graceInput = h("input", { type: "number", min: GRACE_DAYS.min, max: GRACE_DAYS.max, step: 1, inputmode: "numeric", value: String(start.grace_days) });
    this.currencyInput = h("input", { value: start.currency, maxlength: 3, autocomplete: "off", spellcheck: "false", class: "short" });
    this.minScoredInput = h("input", { type: "number", min: MIN_SCORED.min, max: MIN_SCORED.max, step: 1, inputmode: "numeric", value: String(start.incentives.min_scored) });
    this.bandInputs = Object.fromEntries(SHIFT_BANDS.map((band) =>
      [band, h("input", { type: "time", step: 60, value: reports.shift_bands[band], required: true, class: "short" })]));
    this.leaderboardInput = h("input", { type: "checkbox", checked: reports.leaderboard });
    this.leaderboardMinInput = h("input", { type: "number", min: 1, max: 1000, step: 1, inputmode: "numeric", value: String(reports.leaderboard_min_evaluations) });
    this.coachingInputs = Object.fromEntries(Object.entries(COACHING_DAYS).map(([key, rule]) =>
      [key, h("input", { type: "number", min: rule.min, max: rule.max, step: 1, inputmode: "numeric", value: coaching[key] === null ? "" : String(coaching[key]) })]));
    this.disputeRadios = DISPUTES_AT_EXPORT.map((value) => h("input", { type: "radio", name: "disputes-at-export", value, checked: coaching.disputes_at_export === value }));
    this.emailInput = h("input", { type: "checkbox", checked: Boolean(coaching.email_notifications) });
    this.tiersBody = h("tbody");
    const amountHeader = h("th", { scope: "col" });
    this.addTierButton = h("button", { class: "button subtle", type: "button" }, t("rules.addTier"));
    this.status = h("p", { class: "editor-status", role: "status" });
    this.saved = h("div", { class: "saved-note" });
    const errorBox = h("div", { class: "error-box", role: "alert", tabindex: "-1", hidden: true });
    this.revisionsEl = h("section", { class: "card", "aria-labelledby": "revisions-h" });

    const showAnchor = () => {
      anchorField.hidden = !this.twoWeeksRadio.checked;
    };
    monthRadio.addEventListener("change", showAnchor);
    this.twoWeeksRadio.addEventListener("change", showAnchor);
    showAnchor();
    const showCurrency = () => {
      amountHeader.textContent = t("rules.amount", { currency: this.currencyInput.value.trim().toUpperCase() || "–" });
    };
    this.currencyInput.addEventListener("input", showCurrency);
    showCurrency();
    this.addTierButton.addEventListener("click", () => on.addTier());

    this.form = h("form", { class: "card rules-form", novalidate: true, "aria-labelledby": "rules-h" },
      h("h2", { id: "rules-h" }, t("rules.formTitle")),
      h("p", { class: "hint" }, t("rules.formHelp")),
      errorBox,
      h("div", { class: "grid" },
        field({ label: t("rules.timeZone"), control: this.zoneInput, name: "time_zone", hint: t("rules.timeZoneHint") }),
        h("fieldset", { class: "field", dataset: { field: "pay_period" } },
          h("legend", {}, t("rules.payPeriod")),
          h("div", { class: "radio-row" },
            h("label", {}, monthRadio, " ", t("rules.month")),
            h("label", {}, this.twoWeeksRadio, " ", t("rules.twoWeeks")))),
        anchorField,
        field({ label: t("rules.grace"), control: this.graceInput, name: "grace_days", hint: t("rules.graceHint") }),
        field({ label: t("rules.currency"), control: this.currencyInput, name: "currency", hint: t("rules.currencyHint") })),
      h("fieldset", { class: "tiers", dataset: { field: "incentives" } },
        h("legend", {}, t("rules.incentives")),
        h("p", { class: "hint" }, t("rules.incentivesHelp")),
        field({ label: t("rules.minScored"), control: this.minScoredInput, name: "incentives.min_scored", className: "field narrow-field" }),
        h("div", { class: "table-scroll" }, h("table", { class: "tier-table", dataset: { field: "incentives.tiers" } },
          h("caption", { class: "visually-hidden" }, t("rules.tiers")),
          h("thead", {}, h("tr", {},
            h("th", { scope: "col" }, t("rules.tier")),
            h("th", { scope: "col" }, t("rules.tierNameHeader")),
            h("th", { scope: "col" }, t("rules.minAverage")),
            amountHeader,
            h("th", { scope: "col" }, h("span", { class: "visually-hidden" }, t("rules.remove"))))),
          this.tiersBody)),
        this.addTierButton),
      h("fieldset", { class: "tiers report-rules", dataset: { field: "reports" } },
        h("legend", {}, t("rules.reports")),
        h("p", { class: "hint" }, t("rules.reportsHelp")),
        h("fieldset", { class: "field", dataset: { field: `reports.shift_bands` }, "aria-describedby": "shift-bands-hint" },
          h("legend", {}, t("rules.shiftBands")),
          h("p", { class: "hint", id: "shift-bands-hint" }, t("rules.shiftBandsHint")),
          h("div", { class: "grid" }, SHIFT_BANDS.map((band) =>
            field({ label: t(BAND_LABELS[band]), control: this.bandInputs[band], name: `reports.shift_bands.${band}` })))),
        h("div", { class: "check", dataset: { field: `reports.leaderboard` } },
          h("label", {}, this.leaderboardInput, " ", t("rules.leaderboard"))),
        field({
          label: t("rules.leaderboardMin"), control: this.leaderboardMinInput, name: `reports.leaderboard_min_evaluations`,
          hint: t("rules.leaderboardMinHint"), className: "field narrow-field",
        })),
      h("fieldset", { class: "tiers coaching-rules", dataset: { field: `coaching` } },
        h("legend", {}, t("rules.coaching")),
        h("p", { class: "hint" }, t("rules.coachingHelp")),
        h("div", { class: "grid" }, Object.keys(COACHING_DAYS).map((key) => field({
          label: t(`rules.coachingDays.${key}`), control: this.coachingInputs[key], name: `coaching.${key}`,
          hint: t(`rules.coachingDaysHint.${key}`, { min: COACHING_DAYS[key].min, max: COACHING_DAYS[key].max }),
        }))),
        h("fieldset", { class: "field", dataset: { field: `coaching.disputes_at_export` } },
          h("legend", {}, t("rules.disputesAtExport")),
          h("div", { class: "radio-column" }, this.disputeRadios.map((radio) =>
            h("label", {}, radio, " ", t(`rules.disputesAtExportIs.${radio.value}`))))),
        h("div", { class: "check", dataset: { field: `coaching.email_notifications` } },
          h("label", {}, this.emailInput, " ", t("rules.emailNotifications")))),
      h("div", { class: "actions" }, h("button", { class: "button primary", type: "submit" }, t("rules.save")), this.status),
      this.saved);
    this.form.addEventListener("submit", (event) => {
      event.preventDefault();
      on.save();
    });
  }

  /** The form's fields as typed (the tiers are the model's). */
  values() {
    return {
      timeZone: this.zoneInput.value,
      twoWeeks: this.twoWeeksRadio.checked,
      anchor: this.anchorInput.value,
      graceDays: this.graceInput.value,
      currency: this.currencyInput.value,
      minScored: this.minScoredInput.value,
      shiftBands: Object.fromEntries(SHIFT_BANDS.map((band) => [band, this.bandInputs[band].value])),
      leaderboard: this.leaderboardInput.checked,
      leaderboardMin: this.leaderboardMinInput.value,
      coaching: {
        ...Object.fromEntries(Object.entries(this.coachingInputs).map(([key, input]) => [key, input.value])),
        disputes_at_export: this.disputeRadios.find((r) => r.checked)?.value ?? "counted",
        email_notifications: this.emailInput.checked,
      },
    };
  }

  /** The tier rows; focus goes to tier `focusIndex`'s name, or to "add" when it is "add". */
  renderTiers(tiers, canAdd, focusIndex = null) {
    const empty = h("tr", {}, h("td", { colspan: 5 }, t("rules.noTiers")));
    replaceChildren(this.tiersBody, tiers.length ? tiers.map((tier, index) => this.#tierRow(tier, index)) : empty);
    this.addTierButton.disabled = !canAdd;
    if (focusIndex === "add") this.addTierButton.focus();
    else if (focusIndex !== null) this.tiersBody.querySelector(`[data-focus-key="name-${focusIndex}"]`)?.focus();
  }

  renderRevisions(revisions) {
    const now = Date.now();
    const inForce = revisionInForce(revisions, now);
    replaceChildren(this.revisionsEl,
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
              isPending(r, now) ? h("span", { class: "badge draft" }, t("rules.pending")) : null),
            h("td", {}, appliesFrom(r, this.timeZone)),
            h("td", {}, t("rules.savedBy", { when: formatDateTime(r.saved_at, this.timeZone), who: r.saved_by })),
            h("td", {}, summary(r.settings)))))))
        : h("p", {}, t("rules.noRevisions")));
  }

  /** Puts the page together: the form, the revisions and the roster's element. */
  mount(root, rosterElement) {
    replaceChildren(root,
      h("div", { class: "page-head" }, this.heading, h("p", { class: "subtle" }, t("rules.subtitle"))),
      zoneList("zones"),
      this.form,
      this.revisionsEl,
      rosterElement);
    this.heading.focus();
  }

  clear() {
    clearFieldErrors(this.form);
    this.status.textContent = "";
    this.saved.replaceChildren();
  }

  setStatus(text) {
    this.status.textContent = text;
  }

  /** Every problem at its field ([field, text]); focus on the first shown. */
  showProblems(problems) {
    const targets = problems.map(([name, text]) => showFieldError(this.form, name, text));
    targets.find(Boolean)?.focus();
  }

  showError(name, text) {
    showFieldError(this.form, name, text)?.focus();
  }

  /** The stored revision and from when it applies; answers the note's text. */
  showSaved(revision, zoneChanged) {
    replaceChildren(this.saved,
      h("p", { class: "success" }, t("rules.savedRevision", { revision: revision.revision })),
      h("p", { dataset: { effectiveFrom: revision.effective_from } }, appliesFromStart(revision)
        ? t("rules.appliesToAll")
        : t("rules.appliesFromFirstUnexported", { from: appliesFrom(revision, this.timeZone) })),
      zoneChanged ? h("p", {}, t("rules.zoneWaits")) : null);
    return this.saved.textContent;
  }

  #tierRow(tier, index) {
    const path = `incentives.tiers[${index}]`;
    const n = index + 1;
    const input = (key, attrs) => {
      const control = h("input", { ...attrs, value: tier[key], autocomplete: "off" });
      control.addEventListener("input", () => this.on.setTier(index, key, control.value));
      return h("td", { dataset: { field: `${path}.${key}` } }, control);
    };
    const remove = h("button", { class: "button icon", type: "button", "aria-label": t("rules.removeTier", { n }), title: t("rules.removeTier", { n }) }, "✕");
    remove.addEventListener("click", () => this.on.removeTier(index));
    const row = h("tr", { dataset: { tier: String(index) } },
      h("th", { scope: "row" }, t("rules.tierN", { n })),
      input("name", { maxlength: 40, "aria-label": t("rules.tierName", { n }) }),
      input("min_average", { inputmode: "decimal", class: "short", "aria-label": t("rules.tierMinAverage", { n }) }),
      input("amount", { inputmode: "decimal", class: "short", "aria-label": t("rules.tierAmount", { n }) }),
      h("td", {}, remove));
    row.querySelector("input").dataset.focusKey = `name-${index}`;
    return row;
  }
}
