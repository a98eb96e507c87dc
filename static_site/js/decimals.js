// Money and averages as the API keeps them: exact decimal strings ("200.00", "90"),
// never floats. People type them their own way: "200,00", "1 000,50", "87.5", and in
// English "1,000.50". Shown back with the page's decimal separator (i18n.formatDecimal).

import { currentLanguage } from "./i18n.js";

const GROUPING = /[\s\u00a0\u202f']/g; // spaces (also the no-break ones fi/sv print) and '

/** Typed text → the API's decimal string with at most `places` decimals, or null.
 * `fixed` pads the decimals to exactly `places` ("200" → "200.00", for money). */
export function toApiDecimal(text, { places = 2, fixed = false } = {}) {
  let s = String(text ?? "").trim().replace(GROUPING, "");
  // English writes thousands with a comma (1,000.50); elsewhere the comma is the decimal.
  if (currentLanguage() === "en") s = s.replace(/,(?=\d{3}(?:\D|$))/g, "");
  s = s.replace(",", ".");
  const m = /^(\d{1,9})(?:\.(\d+))?$/.exec(s);
  if (!m || (m[2] ?? "").length > places) return null;
  const whole = m[1].replace(/^0+(?=\d)/, "");
  const fraction = fixed ? (m[2] ?? "").padEnd(places, "0") : (m[2] ?? "");
  return fraction ? `${whole}.${fraction}` : whole;
}
