// Language and locale formatting. The language comes from the person's choice
// (remembered) or the browser's languages; only the chosen message file is loaded.
// Scores arrive as exact decimal strings ("87.50") and are never turned into
// floats: only the decimal separator changes with the locale.

export const LANGUAGES = ["fi", "sv", "en"];
const LOCALES = { fi: "fi-FI", sv: "sv-FI", en: "en-GB" };
const STORAGE_KEY = "laatu.language";

let language = "fi";
let messages = {};

export function preferredLanguage() {
  const stored = localStorage.getItem(STORAGE_KEY);
  if (LANGUAGES.includes(stored)) return stored;
  for (const tag of navigator.languages ?? [navigator.language]) {
    const base = String(tag).toLowerCase().split("-")[0];
    if (LANGUAGES.includes(base)) return base;
  }
  return "en";
}

export async function setLanguage(lang, remember = false) {
  const chosen = LANGUAGES.includes(lang) ? lang : "en";
  messages = (await import(`./messages/${chosen}.js`)).default;
  language = chosen;
  document.documentElement.lang = chosen;
  if (remember) localStorage.setItem(STORAGE_KEY, chosen);
}

/** Adds the messages only some pages use (messages/{bundle}.{language}.js). */
export async function loadMessages(bundle) {
  const chosen = language;
  const extra = (await import(`./messages/${bundle}.${chosen}.js`)).default;
  if (chosen === language) messages = { ...messages, ...extra };
}

export const currentLanguage = () => language;
export const locale = () => LOCALES[language];

/** The message for `key` with {name} placeholders filled; the key itself if missing,
 * so a forgotten translation shows up instead of an empty label. */
export function t(key, params = {}) {
  const text = messages[key] ?? key;
  return text.replace(/\{(\w+)\}/g, (whole, name) => (name in params ? String(params[name]) : whole));
}

function decimalSeparator() {
  const part = new Intl.NumberFormat(locale()).formatToParts(1.5).find((p) => p.type === "decimal");
  return part ? part.value : ".";
}

/** "87.50" → "87,50" in fi/sv; null → "–". */
export function formatDecimal(text) {
  if (text === null || text === undefined) return "–";
  return String(text).replace(".", decimalSeparator());
}

export const formatScore = (text) => (text === null || text === undefined ? "–" : `${formatDecimal(text)} %`);

export function formatInteger(value) {
  return new Intl.NumberFormat(locale()).format(value);
}

/** An instant shown on the tenant's clock, with the zone's short name. */
export function formatDateTime(iso, zone) {
  if (!iso) return "–";
  return new Intl.DateTimeFormat(locale(), {
    dateStyle: "medium",
    timeStyle: "short",
    timeZone: zone,
  }).format(new Date(iso));
}

export function formatMonth(month) {
  const [year, mon] = month.split("-").map(Number);
  return new Intl.DateTimeFormat(locale(), { year: "numeric", month: "long", timeZone: "UTC" }).format(
    new Date(Date.UTC(year, mon - 1, 1)),
  );
}

/** Parses a decimal typed in either convention ("0,5" or "0.5") to a number, or NaN. */
export function parseLocalDecimal(text) {
  const clean = String(text).trim().replace(/\s/g, "").replace(",", ".");
  return /^\d+(\.\d+)?$/.test(clean) ? Number(clean) : Number.NaN;
}
