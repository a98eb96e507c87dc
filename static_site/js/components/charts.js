// Report charts as inline SVG, no library: bars with a 95 % interval whisker (a
// rate's compliance or an average's points); the line over periods with its interval
// as a band is components/line-chart.js and the heatmap of agents × criteria
// components/heatmap.js, each loaded only when its card is shown. Each chart is a <figure>: the SVG
// (role="img", an aria-label saying what it shows) and a <details> holding a real
// table with the same figures, which a screen reader or a person who wants numbers
// opens. The figures arrive as exact decimal strings and are only placed, never
// recomputed: a bar's length is the one place a string becomes a number.
//
// A figure that is not comparable (n < 5) is never drawn on the scale: its bar or
// cell is hatched and says "too few", in the picture and in the table alike. Colour
// never carries meaning alone: every bar and cell has its number written beside it.

import { h } from "../dom.js";
import { formatDecimal, formatInteger, t } from "../i18n.js";

const SVG = "http://www.w3.org/2000/svg";

/** An SVG element; attributes as in dom.js's h (no handlers but onclick). */
export function s(tag, attributes = {}, ...children) {
  const element = document.createElementNS(SVG, tag);
  for (const [name, value] of Object.entries(attributes)) {
    if (value === undefined || value === null || value === false) continue;
    if (name === "onclick") element.addEventListener("click", value);
    else if (name === "class") element.setAttribute("class", value);
    else if (name === "dataset") Object.assign(element.dataset, value);
    else element.setAttribute(name, String(value));
  }
  for (const child of children.flat(Infinity)) {
    if (child === null || child === undefined || child === false) continue;
    element.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return element;
}

let patterns = 0;

/** A hatch pattern for "too few", defined inside the SVG that uses it. */
export function hatch() {
  const id = `hatch-${++patterns}`;
  const defs = s("defs", {},
    s("pattern", { id, width: 6, height: 6, patternUnits: "userSpaceOnUse", patternTransform: "rotate(45)" },
      s("rect", { width: 6, height: 6, fill: "#ffffff" }),
      s("line", { x1: 0, y1: 0, x2: 0, y2: 6, stroke: "#4d5866", "stroke-width": 2 })));
  return { id, defs, fill: `url(#${id})` };
}

export const num = (text) => (text === null || text === undefined ? null : Number(text));

/** "80,00 %" for a per-cent string; "–" for null. */
export const percent = (text) => (text === null || text === undefined ? "–" : `${formatDecimal(text)} %`);

/** "54,81–92,95" (the unit added by the caller), or "–" when there is no interval. */
export function interval(low, high) {
  if (low === null || low === undefined || high === null || high === undefined) return "–";
  return `${formatDecimal(low)}–${formatDecimal(high)}`;
}

/** A rate ({k, n, rate, low, high, comparable}) or an average ({n, mean, low, high,
 * comparable}) as {value, low, high, n, comparable}. */
export function figureOf(figure) {
  if (!figure) return { value: null, low: null, high: null, n: 0, comparable: false };
  return {
    value: "rate" in figure ? figure.rate : figure.mean,
    low: figure.low ?? null,
    high: figure.high ?? null,
    n: figure.n ?? 0,
    k: figure.k ?? null,
    comparable: Boolean(figure.comparable),
  };
}

/** The words for a figure: "80,00 % (95 %: 54,81–92,95 %), n = 15", or too few. */
export function figureText(figure, unit = "%") {
  const f = figureOf(figure);
  if (f.n === 0 || f.value === null) return t("charts.noData");
  const value = `${formatDecimal(f.value)} ${unit}`;
  if (!f.comparable) return t("charts.tooFewValue", { value, n: formatInteger(f.n) });
  return t("charts.valueWithInterval", { value, low: formatDecimal(f.low), high: formatDecimal(f.high), unit, n: formatInteger(f.n) });
}

export function details(caption, table) {
  return h("details", { class: "chart-table" }, h("summary", {}, t("charts.showTable")), table(caption));
}

export function truncate(text, length) {
  const clean = String(text ?? "");
  return clean.length > length ? `${clean.slice(0, length - 1)}…` : clean;
}

// ---------------------------------------------------------------- bar chart

/** Horizontal bars, one per row, on 0–100 with the 95 % interval as a whisker and
 * n written beside. rows: [{key, label, figure (a rate or an average), counts?:
 * {yes, no, na}, href?}]; `unit` "%" (compliance) or "p" (points). */
export function barChart({ title, rows, unit = "%", kind = "compliance" }) {
  const width = 760;
  const left = 8;
  const scale = 520;
  const rowHeight = 44;
  const top = 24;
  const height = top + rows.length * rowHeight + 8;
  const x = (value) => left + (Math.max(0, Math.min(100, value)) / 100) * scale;
  const pattern = hatch();
  const grid = [0, 25, 50, 75, 100].map((tick) => s("g", { class: "tick" },
    s("line", { x1: x(tick), y1: top - 4, x2: x(tick), y2: height - 8, stroke: "#d5dae1" }),
    s("text", { x: x(tick), y: top - 8, "text-anchor": "middle", "font-size": 11, fill: "#4d5866" }, String(tick))));
  const bars = rows.map((row, index) => {
    const f = figureOf(row.figure);
    const y = top + index * rowHeight;
    const barY = y + 18;
    const label = s("text", { x: left, y: y + 13, "font-size": 13, fill: "#1c2430" }, truncate(row.label, 90));
    let shape;
    let note;
    if (f.n === 0 || f.value === null) {
      shape = null;
      note = t("charts.noData");
    } else if (!f.comparable) {
      // Off the scale: a hatched box the whole width says "not comparable", not "0".
      shape = s("rect", { x: x(0), y: barY, width: scale, height: 16, fill: pattern.fill, stroke: "#4d5866", "stroke-width": 1, class: "too-few" });
      note = t("charts.tooFewShort", { n: formatInteger(f.n) });
    } else {
      const value = num(f.value);
      shape = s("g", {},
        s("rect", { x: x(0), y: barY, width: Math.max(1, x(value) - x(0)), height: 16, fill: "#2f6b4f", class: "bar" }),
        f.low !== null && f.high !== null ? s("g", { class: "whisker", stroke: "#1c2430", "stroke-width": 2 },
          s("line", { x1: x(num(f.low)), y1: barY + 8, x2: x(num(f.high)), y2: barY + 8 }),
          s("line", { x1: x(num(f.low)), y1: barY + 2, x2: x(num(f.low)), y2: barY + 14 }),
          s("line", { x1: x(num(f.high)), y1: barY + 2, x2: x(num(f.high)), y2: barY + 14 })) : null);
      note = `${formatDecimal(f.value)} ${unit} · n = ${formatInteger(f.n)}`;
    }
    return s("g", { class: "row", dataset: { key: row.key } },
      label, shape,
      s("text", { x: left + scale + 10, y: barY + 13, "font-size": 13, fill: "#1c2430" }, note));
  });
  const svg = s("svg", {
    viewBox: `0 0 ${width} ${height}`, role: "img", class: "chart bar-chart",
    "aria-label": t("charts.barLabel", { title, count: rows.length }),
  }, pattern.defs, grid, bars);

  const table = (caption) => h("table", { class: "figures-table", dataset: { chart: kind } },
    h("caption", {}, caption),
    h("thead", {}, h("tr", {},
      h("th", { scope: "col" }, t(kind === "compliance" ? "charts.criterion" : "charts.group")),
      kind === "compliance" ? [
        h("th", { scope: "col", class: "num" }, t("charts.yes")),
        h("th", { scope: "col", class: "num" }, t("charts.no")),
        h("th", { scope: "col", class: "num" }, t("charts.na")),
      ] : null,
      h("th", { scope: "col", class: "num" }, t("charts.n")),
      h("th", { scope: "col", class: "num" }, t(kind === "compliance" ? "charts.compliance" : "charts.average")),
      h("th", { scope: "col", class: "num" }, t("charts.interval")),
      h("th", { scope: "col" }, t("charts.note")))),
    h("tbody", {}, rows.map((row) => {
      const f = figureOf(row.figure);
      const tooFew = f.n > 0 && !f.comparable;
      return h("tr", { dataset: { key: row.key, comparable: String(f.comparable), n: String(f.n) } },
        h("th", { scope: "row" }, row.href ? h("a", { href: row.href }, row.label) : row.label),
        kind === "compliance" ? [
          h("td", { class: "num" }, formatInteger(row.counts?.yes ?? 0)),
          h("td", { class: "num" }, formatInteger(row.counts?.no ?? 0)),
          h("td", { class: "num" }, formatInteger(row.counts?.na ?? 0)),
        ] : null,
        h("td", { class: "num", dataset: { n: String(f.n) } }, formatInteger(f.n)),
        h("td", { class: "num", dataset: { value: f.value ?? "" } }, f.value === null ? "–" : `${formatDecimal(f.value)} ${unit}`),
        h("td", { class: "num", dataset: { low: f.low ?? "", high: f.high ?? "" } }, f.comparable ? `${interval(f.low, f.high)} ${unit}` : "–"),
        h("td", { class: tooFew ? "too-few" : null }, f.n === 0 ? t("charts.noData") : tooFew ? t("charts.tooFew") : ""));
    })));
  return h("figure", { class: "chart-figure" }, h("figcaption", {}, title), svg, details(title, table));
}
