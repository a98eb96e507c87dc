// The payroll exports page's state and rules, no DOM: the settings and export history
// as last read, the periods that may be run, and what a run's outcome or refusal
// means (as message keys).

import { endedPeriods, periodLabel } from "../../pay-periods.js";

const OUTCOME_KEYS = {
  written: "exports.written",
  unchanged: "exports.unchanged",
  busy: "exports.busy",
  failed: "exports.failed",
};

export const outcomeKey = (outcome) => OUTCOME_KEYS[outcome] ?? "exports.failed";

/** A refused run in words of its own, as {key, day}, or null for the server's words:
 * a period that has not ended names the day it can run. */
export function runRefusal(error) {
  if (error.code === "period_not_ended") {
    const day = /(\d{4}-\d{2}-\d{2})/.exec(error.message)?.[1];
    return day ? { key: "exports.notEnded", day } : { key: "exports.notEndedNoDay" };
  }
  if (error.status === 400 && error.field === "period") return { key: "periods.invalid" };
  return null;
}

export class ExportsModel {
  constructor(settings, history, timeZone) {
    this.settings = settings;
    this.history = history;
    // Run any period: one not in the history yet (the first export of a past month).
    this.suggestions = endedPeriods(settings.pay_period, timeZone);
    this.running = false; // one run from the form at a time
  }

  /** The period label typed text names (`11/2026` → `2026-11`), or null. */
  periodOf(text) {
    return periodLabel(text);
  }

  /** After a run: the history as read again. */
  reloaded(history) {
    this.history = history;
  }
}
