// Pay-period labels as the API names them: "2026-11" for a calendar month,
// "2026-11-02" (its first day) for a two-week period. People may also type the
// Finnish way ("11/2026", "11.2026", "2.11.2026"); this turns that into the label,
// and suggests the last periods that have ended, from the tenant's settings.

import { formatMonth, locale, t } from "./i18n.js";
import { TWO_WEEK_DAYS } from "./rules.generated.js";
import { shiftMonth, toWall } from "./timezone.js";

const DAY_MS = 86400000;
const pad = (n) => String(n).padStart(2, "0");

function validDay(y, m, d) {
  const date = new Date(Date.UTC(y, m - 1, d));
  return date.getUTCFullYear() === y && date.getUTCMonth() === m - 1 && date.getUTCDate() === d;
}

/** Typed text → "YYYY-MM" or "YYYY-MM-DD", or null when it is not a period label. */
export function periodLabel(text) {
  const s = String(text ?? "").trim();
  let m;
  let year;
  let month;
  let day = null;
  if ((m = /^(\d{4})-(\d{1,2})$/.exec(s))) [year, month] = [m[1], m[2]];
  else if ((m = /^(\d{1,2}) ?[./] ?(\d{4})$/.exec(s))) [month, year] = [m[1], m[2]];
  else if ((m = /^(\d{4})-(\d{1,2})-(\d{1,2})$/.exec(s))) [year, month, day] = [m[1], m[2], m[3]];
  else if ((m = /^(\d{1,2})\. ?(\d{1,2})\. ?(\d{4})$/.exec(s))) [day, month, year] = [m[1], m[2], m[3]];
  else return null;
  const [y, mo] = [Number(year), Number(month)];
  if (day === null) return mo >= 1 && mo <= 12 ? `${y}-${pad(mo)}` : null;
  return validDay(y, mo, Number(day)) ? `${y}-${pad(mo)}-${pad(Number(day))}` : null;
}

const dayNumber = (iso) => Date.UTC(...iso.split("-").map((v, i) => Number(v) - (i === 1 ? 1 : 0))) / DAY_MS;
const isoOfDay = (n) => new Date(n * DAY_MS).toISOString().slice(0, 10);

/** The labels of the `count` periods that ended last, newest first, by the settings in
 * force (`pay_period` of the tenant's settings) on the tenant's clock. */
export function endedPeriods(payPeriod, zone, count = 12, now = Date.now()) {
  const today = toWall(now, zone).slice(0, 10);
  if (payPeriod?.kind === "two_weeks" && payPeriod.anchor) {
    const anchor = dayNumber(payPeriod.anchor);
    const current = anchor + Math.floor((dayNumber(today) - anchor) / TWO_WEEK_DAYS) * TWO_WEEK_DAYS;
    return Array.from({ length: count }, (_, i) => isoOfDay(current - TWO_WEEK_DAYS * (i + 1)));
  }
  return Array.from({ length: count }, (_, i) => shiftMonth(today.slice(0, 7), -(i + 1)));
}

/** "2026-10-01", "2026-10-31" → "1.–31.10.2026" in the page's language. */
export function formatDays(start, end) {
  if (!start || !end) return "–";
  const format = new Intl.DateTimeFormat(locale(), { dateStyle: "medium", timeZone: "UTC" });
  return format.formatRange(new Date(`${start}T00:00:00Z`), new Date(`${end}T00:00:00Z`));
}

/** A date such as "2026-12-01" in the page's language. */
export function formatDay(iso) {
  return new Intl.DateTimeFormat(locale(), { dateStyle: "medium", timeZone: "UTC" }).format(new Date(`${iso}T00:00:00Z`));
}

/** "lokakuu 2026" for a month label, "two weeks from 2.11.2026" for a two-week one. */
export function periodTitle(label) {
  return label.length === 7 ? formatMonth(label) : t("periods.twoWeeks", { start: formatDay(label) });
}
