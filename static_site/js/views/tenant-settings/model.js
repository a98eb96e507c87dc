// The settings form's state and rules, no DOM: the values it starts from, the
// incentive tiers being edited, the PUT body (SettingsInput in openapi.json, the
// report settings included) with what is wrong before the server is asked, and when
// a revision applies. The coaching settings (deadlines, disputes at export, email) too.

import { toApiDecimal } from "../../decimals.js";
import { formatDecimal } from "../../i18n.js";
import { CURRENCY, GRACE_DAYS, MAX_TIERS, MIN_SCORED } from "../../rules.generated.js";
import { isValidZone } from "../../timezone.js";

const BEGINNING = Date.UTC(1970, 0, 2); // a revision saved before any export applies from 1970

/** The shift bands, in the order they follow each other through the day. */
export const SHIFT_BANDS = ["day", "evening", "night"];
// settings.schema.json's `reports` (the API answers it with every settings; these are
// its defaults, for a revision saved before reports had settings).
const REPORT_DEFAULTS = { shift_bands: { day: "07:00", evening: "15:00", night: "23:00" }, leaderboard: false, leaderboard_min_evaluations: 10 };
const LEADERBOARD_MIN = { min: 1, max: 1000 };
// settings.schema.json's `coaching`: each day count's range and default (null: no
// deadline), and what a disputed evaluation counts for at export. Only this page
// needs them, so they are not in the shell's rules.generated.js; a test compares
// them with the schema (tests/browser/test_coaching_pages.py).
export const COACHING_DAYS = {"acknowledge_within_days": {"min": 1, "max": 90, "default": null}, "self_evaluation_days": {"min": 1, "max": 60, "default": 7}, "dispute_window_days": {"min": 1, "max": 90, "default": 7}, "dispute_review_days": {"min": 1, "max": 60, "default": 5}};
export const DISPUTES_AT_EXPORT = ["counted", "held"];
const COACHING_DEFAULTS = { disputes_at_export: "counted", email_notifications: false };
const TIME_OF_DAY = /^([01][0-9]|2[0-3]):[0-5][0-9]$/;
// The report fields' paths are written in backticks here and in the view: a quoted
// "reports.…" would read as a message key to tests/browser/test_site_static.py.

function wholeNumber(text, low, high) {
  const s = String(text).trim();
  return /^\d{1,6}$/.test(s) && Number(s) >= low && Number(s) <= high ? Number(s) : null;
}

/** True when `revision` applies to every period (saved before anything was exported). */
export function appliesFromStart(revision) {
  return Date.parse(revision.effective_from) < BEGINNING;
}

export function isPending(revision, now) {
  return Date.parse(revision.effective_from) > now;
}

/** The revision number in force at `now`, if any has started. */
export function revisionInForce(revisions, now) {
  return revisions.filter((r) => Date.parse(r.effective_from) <= now).at(-1)?.revision;
}

export class SettingsModel {
  /** `current`: the settings as getSettings() answers them, with every revision. */
  constructor(current) {
    this.current = current;
    // The form starts from the newest revision, pending or not: saving it again must not
    // undo a change that waits for its period.
    this.start = current.revisions?.at(-1)?.settings ?? current;
    // Decimals are shown and typed the page's way ("200,00") and sent as "200.00".
    this.tiers = this.start.incentives.tiers.map((tier) => ({
      name: tier.name, min_average: formatDecimal(tier.min_average), amount: formatDecimal(tier.amount),
    }));
    const coaching = this.start.coaching ?? {};
    this.coaching = {
      ...Object.fromEntries(Object.entries(COACHING_DAYS).map(([key, rule]) => [key, rule.default])), ...COACHING_DEFAULTS, ...coaching,
    };
    const reports = this.start.reports ?? {};
    this.reports = {
      ...REPORT_DEFAULTS, ...reports, shift_bands: { ...REPORT_DEFAULTS.shift_bands, ...reports.shift_bands },
    };
  }

  get revisions() {
    return this.current.revisions ?? [];
  }

  get canAddTier() {
    return this.tiers.length < MAX_TIERS;
  }

  setTier(index, key, value) {
    this.tiers[index][key] = value;
  }

  /** Adds an empty tier; answers its index. */
  addTier() {
    this.tiers.push({ name: "", min_average: "", amount: "" });
    return this.tiers.length - 1;
  }

  /** Removes a tier; answers the index of the tier that takes its place, or null. */
  removeTier(index) {
    this.tiers.splice(index, 1);
    return this.tiers.length ? Math.min(index, this.tiers.length - 1) : null;
  }

  /** The PUT body from the form's `values` (as typed) and the tiers, and what is
   * wrong with it before the server is asked: [field, message key]. */
  collect(values) {
    const problems = [];
    const timeZone = values.timeZone.trim();
    if (!isValidZone(timeZone)) problems.push(["time_zone", "rules.errorZone"]);
    const payPeriod = { kind: values.twoWeeks ? "two_weeks" : "month" };
    if (payPeriod.kind === "two_weeks") {
      if (/^\d{4}-\d{2}-\d{2}$/.test(values.anchor)) payPeriod.anchor = values.anchor;
      else problems.push(["pay_period.anchor", "rules.errorAnchor"]);
    }
    const grace = wholeNumber(values.graceDays, GRACE_DAYS.min, GRACE_DAYS.max);
    if (grace === null) problems.push(["grace_days", "rules.errorGrace"]);
    const currency = values.currency.trim().toUpperCase();
    if (!CURRENCY.test(currency)) problems.push(["currency", "rules.errorCurrency"]);
    const minScored = wholeNumber(values.minScored, MIN_SCORED.min, MIN_SCORED.max);
    if (minScored === null) problems.push(["incentives.min_scored", "rules.errorMinScored"]);
    const tiers = this.tiers.map((tier, index) => {
      const path = `incentives.tiers[${index}]`;
      const name = tier.name.trim();
      const minAverage = toApiDecimal(tier.min_average);
      const amount = toApiDecimal(tier.amount, { fixed: true });
      if (!name) problems.push([`${path}.name`, "rules.errorTierName"]);
      if (minAverage === null || Number(minAverage) > 100) problems.push([`${path}.min_average`, "rules.errorAverage"]);
      if (amount === null) problems.push([`${path}.amount`, "rules.errorAmount"]);
      return { name, min_average: minAverage, amount };
    });
    // Whether two bands start at the same time is the API's to say (reports.shift_bands).
    const shiftBands = {};
    for (const band of SHIFT_BANDS) {
      const start = values.shiftBands[band].trim().slice(0, 5); // a time input may add ":00" seconds
      if (!TIME_OF_DAY.test(start)) problems.push([`reports.shift_bands.${band}`, "rules.errorBandTime"]);
      shiftBands[band] = start;
    }
    // Coaching: an empty acknowledgement deadline is "none" (null); the rest are required.
    const coaching = {};
    for (const [key, rule] of Object.entries(COACHING_DAYS)) {
      const typed = String(values.coaching[key] ?? "").trim();
      if (key === "acknowledge_within_days" && typed === "") {
        coaching[key] = null;
        continue;
      }
      coaching[key] = wholeNumber(typed, rule.min, rule.max);
      if (coaching[key] === null) problems.push([`coaching.${key}`, "rules.errorCoachingDays"]);
    }
    coaching.disputes_at_export = DISPUTES_AT_EXPORT.includes(values.coaching.disputes_at_export) ? values.coaching.disputes_at_export : "counted";
    coaching.email_notifications = Boolean(values.coaching.email_notifications);
    const leaderboardMin = wholeNumber(values.leaderboardMin, LEADERBOARD_MIN.min, LEADERBOARD_MIN.max);
    if (leaderboardMin === null) problems.push([`reports.leaderboard_min_evaluations`, "rules.errorLeaderboardMin"]);
    return {
      problems,
      body: {
        time_zone: timeZone,
        pay_period: payPeriod,
        grace_days: grace,
        currency,
        incentives: { min_scored: minScored, tiers },
        reports: { shift_bands: shiftBands, leaderboard: values.leaderboard, leaderboard_min_evaluations: leaderboardMin },
        coaching,
      },
    };
  }

  /** After a save: the settings as answered again. */
  reloaded(current) {
    this.current = current;
  }
}
