// The contact time as a person types it. A single text field, not a
// datetime-local picker: the picker's six segments each take a Tab, which a
// keyboard-only evaluator pays on every contact, and its layout follows the
// browser's locale rather than the page's language. This accepts what people in
// Finland actually write and shows back how it was understood.
//
//   2.11.2026 10.15   2.11.2026 klo 10.15   2.11.2026 kl. 10:15   (day first)
//   2026-11-02 10:15  2026-11-02T10:15                              (ISO)
//   2.11. 10.15       (this year)           10.15 / 10:15           (today)

const pad = (n) => String(n).padStart(2, "0");

function valid(y, mo, d, h, mi) {
  const date = new Date(Date.UTC(y, mo - 1, d, h, mi));
  return date.getUTCFullYear() === y && date.getUTCMonth() === mo - 1 && date.getUTCDate() === d &&
    h < 24 && mi < 60;
}

/** Typed text → canonical "YYYY-MM-DDTHH:MM", or null. `today` is the canonical
 * wall time now in the tenant's zone, for the parts left out. */
export function parseWallTime(text, today) {
  const s = String(text).trim().toLowerCase().replace(/\s+/g, " ");
  const [ty, tmo, td] = today.slice(0, 10).split("-").map(Number);
  let m = /^(\d{4})-(\d{1,2})-(\d{1,2})[ t](\d{1,2})[:.](\d{2})$/.exec(s);
  let parts = null;
  if (m) parts = [m[1], m[2], m[3], m[4], m[5]];
  m = m ? null : /^(\d{1,2})\.(\d{1,2})\.(\d{4})? ?(?:klo |kl\.? |at )?(\d{1,2})[:.](\d{2})$/.exec(s);
  if (m) parts = [m[3] ?? ty, m[2], m[1], m[4], m[5]];
  m = parts ? null : /^(?:klo |kl\.? )?(\d{1,2})[:.](\d{2})$/.exec(s);
  if (m) parts = [ty, tmo, td, m[1], m[2]];
  if (!parts) return null;
  const [y, mo, d, h, mi] = parts.map(Number);
  if (!valid(y, mo, d, h, mi)) return null;
  return `${y}-${pad(mo)}-${pad(d)}T${pad(h)}:${pad(mi)}`;
}

/** Canonical wall time → how it is written in the language ("2.11.2026 10.15"). */
export function formatWallTime(wall, language) {
  const [date, time] = wall.split("T");
  const [y, mo, d] = date.split("-").map(Number);
  const [h, mi] = time.split(":");
  if (language === "en") return `${date} ${h}:${mi}`;
  return `${d}.${mo}.${y} ${Number(h)}.${mi}`;
}
