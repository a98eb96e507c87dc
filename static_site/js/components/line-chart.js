// The trend's line over periods with its interval as a band, as inline SVG (what every
// chart shares is charts.js). Loaded only when the trend card is shown.

import { h } from "../dom.js";
import { formatDecimal, formatInteger, t } from "../i18n.js";
import { details, figureOf, interval, num, s } from "./charts.js";

/** A line over periods with the 95 % interval as a band. points: [{label, title,
 * figure}]; a period with nothing is a gap, a period with too few a hollow ring
 * (and "too few" in the table), never a point on the line. */
export function lineChart({ title, points, unit = "p" }) {
  const width = 760;
  const height = 260;
  const pad = { left: 44, right: 32, top: 16, bottom: 40 };
  const figures = points.map((p) => figureOf(p.figure));
  const shown = figures.filter((f) => f.value !== null && f.comparable);
  const lows = shown.map((f) => num(f.low ?? f.value));
  const floor = lows.length ? Math.max(0, Math.floor((Math.min(...lows) - 5) / 10) * 10) : 0;
  // An average's t interval can pass 100 points; the band stops at the scale's end.
  const y = (value) => pad.top + (1 - (Math.min(100, value) - floor) / (100 - floor)) * (height - pad.top - pad.bottom);
  const step = points.length > 1 ? (width - pad.left - pad.right) / (points.length - 1) : 0;
  const x = (index) => pad.left + (points.length > 1 ? index * step : (width - pad.left - pad.right) / 2);
  const ticks = [];
  for (let tick = floor; tick <= 100; tick += floor >= 60 ? 10 : 20) ticks.push(tick);
  const grid = ticks.map((tick) => s("g", { class: "tick" },
    s("line", { x1: pad.left, y1: y(tick), x2: width - pad.right, y2: y(tick), stroke: "#d5dae1" }),
    s("text", { x: pad.left - 6, y: y(tick) + 4, "text-anchor": "end", "font-size": 11, fill: "#4d5866" }, String(tick))));
  // The band and the line run through comparable periods only; a gap breaks them.
  const runs = [];
  let run = [];
  figures.forEach((f, index) => {
    if (f.value !== null && f.comparable) run.push(index);
    else if (run.length) {
      runs.push(run);
      run = [];
    }
  });
  if (run.length) runs.push(run);
  const bands = runs.filter((r) => r.every((i) => figures[i].low !== null)).map((r) => s("polygon", {
    class: "band", fill: "#c7dfd1", stroke: "none",
    points: [...r.map((i) => `${x(i)},${y(num(figures[i].high))}`), ...[...r].reverse().map((i) => `${x(i)},${y(num(figures[i].low))}`)].join(" "),
  }));
  const lines = runs.map((r) => s("polyline", {
    class: "line", fill: "none", stroke: "#14532d", "stroke-width": 2.5,
    points: r.map((i) => `${x(i)},${y(num(figures[i].value))}`).join(" "),
  }));
  const marks = figures.map((f, index) => {
    if (f.value === null) return null;
    if (!f.comparable) {
      return s("g", { class: "too-few-mark" },
        s("circle", { cx: x(index), cy: pad.top + 10, r: 5, fill: "#ffffff", stroke: "#4d5866", "stroke-width": 2 }),
        s("text", { x: x(index), y: pad.top + 28, "text-anchor": "middle", "font-size": 10, fill: "#4d5866" }, `n=${f.n}`));
    }
    return s("circle", { cx: x(index), cy: y(num(f.value)), r: 4, fill: "#14532d" });
  });
  const labels = points.map((p, index) => s("text", {
    x: x(index), y: height - pad.bottom + 18, "text-anchor": "middle", "font-size": 11, fill: "#1c2430",
  }, p.label));
  const svg = s("svg", {
    viewBox: `0 0 ${width} ${height}`, role: "img", class: "chart line-chart",
    "aria-label": t("charts.lineLabel", { title, count: points.length }),
  }, grid, bands, lines, marks, labels);

  const table = (caption) => h("table", { class: "figures-table", dataset: { chart: "trend" } },
    h("caption", {}, caption),
    h("thead", {}, h("tr", {},
      h("th", { scope: "col" }, t("charts.period")),
      h("th", { scope: "col", class: "num" }, t("charts.n")),
      h("th", { scope: "col", class: "num" }, t("charts.value")),
      h("th", { scope: "col", class: "num" }, t("charts.interval")),
      h("th", { scope: "col" }, t("charts.note")))),
    h("tbody", {}, points.map((p, index) => {
      const f = figures[index];
      const tooFew = f.n > 0 && !f.comparable;
      return h("tr", { dataset: { key: p.label, comparable: String(f.comparable), n: String(f.n) } },
        h("th", { scope: "row" }, p.title ?? p.label),
        h("td", { class: "num" }, formatInteger(f.n)),
        h("td", { class: "num", dataset: { value: f.value ?? "" } }, f.value === null ? "–" : `${formatDecimal(f.value)} ${unit}`),
        h("td", { class: "num" }, f.comparable ? `${interval(f.low, f.high)} ${unit}` : "–"),
        h("td", { class: tooFew ? "too-few" : null }, f.n === 0 ? t("charts.noData") : tooFew ? t("charts.tooFew") : ""));
    })));
  return h("figure", { class: "chart-figure" }, h("figcaption", {}, title), svg,
    h("p", { class: "hint chart-legend" }, t("charts.lineLegend")), details(title, table));
}
