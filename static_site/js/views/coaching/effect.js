// A coaching session's effect: the agent's compliance on each criterion the actions
// were about, in the 90 days before the session and since, each with its 95 %
// Wilson interval, and the difference with its Newcombe interval. A chart of the
// differences (the interval against 0, which is what decides) and a table of every
// figure, and beside each criterion one plain sentence of what it means. The
// figures are the API's decimal strings, only placed here; n = Yes + No is the one
// sum the page makes (N/A is no answer to a rate).

import { h } from "../../dom.js";
import { formatDecimal, formatInteger, t } from "../../i18n.js";
import { formatDay } from "./common.js";
import { effectMeaning } from "./model.js";

/** An SVG element (the report charts' module is more than this page needs). */
function s(tag, attributes = {}, ...children) {
  const element = document.createElementNS("http://www.w3.org/2000/svg", tag);
  for (const [name, value] of Object.entries(attributes)) {
    if (name === "dataset") Object.assign(element.dataset, value);
    else element.setAttribute(name, String(value));
  }
  for (const child of children.flat(Infinity)) {
    if (child !== null && child !== undefined && child !== false) element.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return element;
}

const pct = (text) => (text === null || text === undefined ? null : `${formatDecimal(text)} %`);
const interval = (low, high) => (low === null || low === undefined || high === null || high === undefined
  ? "–" : t("session.effect.interval", { low: formatDecimal(low), high: formatDecimal(high) }));
const signed = (text) => (text === null || text === undefined ? "–" : `${Number(text) > 0 ? "+" : ""}${formatDecimal(text)}`);
const answered = (side) => (side?.yes ?? 0) + (side?.no ?? 0);

/** One window's figure in words: "80,00 % (95 %: 54,81–92,95 %), n = 15". */
function sideText(side) {
  const n = answered(side);
  if (!n || side.rate === null || side.rate === undefined) return t("session.effect.noAnswers");
  return t("session.effect.rate", { rate: pct(side.rate), interval: interval(side.low, side.high), n: formatInteger(n) });
}

/** The sentence of what one criterion's difference means. */
export function meaningText(row) {
  const { key, values } = effectMeaning(row);
  // "rose by 40,00 points": the direction is in the words, the size without a sign.
  const size = values.value === undefined ? null : formatDecimal(String(values.value).replace(/^-/, ""));
  return t(key, { value: size, low: signed(values.low), high: signed(values.high) });
}

/** The differences as whiskers on a scale around 0, with their numbers written. */
function differenceChart(rows) {
  const drawn = rows.filter((r) => r.difference && r.difference.low !== null && r.difference.high !== null);
  if (!drawn.length) return null;
  const reach = Math.max(10, ...drawn.flatMap((r) => [Math.abs(Number(r.difference.low)), Math.abs(Number(r.difference.high))]));
  const limit = Math.min(100, Math.ceil(reach / 10) * 10);
  const width = 640;
  const labelWidth = 220;
  const valueWidth = 150;
  const plot = width - labelWidth - valueWidth;
  const rowHeight = 30;
  const height = rows.length * rowHeight + 30;
  const x = (value) => labelWidth + ((Number(value) + limit) / (2 * limit)) * plot;
  const label = t("session.effect.chartLabel", { count: formatInteger(rows.length) });
  const svg = s("svg", { viewBox: `0 0 ${width} ${height}`, role: "img", "aria-label": label, class: "effect-chart", preserveAspectRatio: "xMinYMin meet" },
    s("line", { x1: x(0), x2: x(0), y1: 0, y2: height - 22, class: "zero-line" }),
    s("text", { x: x(0), y: height - 6, "text-anchor": "middle", class: "axis" }, "0"),
    s("text", { x: x(-limit), y: height - 6, "text-anchor": "start", class: "axis" }, `−${formatInteger(limit)}`),
    s("text", { x: x(limit), y: height - 6, "text-anchor": "end", class: "axis" }, `+${formatInteger(limit)}`),
    rows.map((row, index) => {
      const y = index * rowHeight + 16;
      const d = row.difference;
      const key = `${row.form_id}/${row.criterion_id}`;
      const text = row.text.length > 34 ? `${row.text.slice(0, 33)}…` : row.text;
      if (!d || d.low === null || d.high === null) {
        return s("g", { class: "effect-row", dataset: { key } },
          s("text", { x: 0, y: y + 4, class: "label" }, s("title", {}, row.text), text),
          s("text", { x: labelWidth, y: y + 4, class: "value" }, t("session.effect.noComparisonShort")));
      }
      const crosses = Number(d.low) <= 0 && Number(d.high) >= 0;
      return s("g", { class: `effect-row ${crosses ? "crosses" : Number(d.low) > 0 ? "rose" : "fell"}`, dataset: { key } },
        s("text", { x: 0, y: y + 4, class: "label" }, s("title", {}, row.text), text),
        s("line", { x1: x(d.low), x2: x(d.high), y1: y, y2: y, class: "whisker" }),
        s("line", { x1: x(d.low), x2: x(d.low), y1: y - 6, y2: y + 6, class: "whisker" }),
        s("line", { x1: x(d.high), x2: x(d.high), y1: y - 6, y2: y + 6, class: "whisker" }),
        s("circle", { cx: x(d.value), cy: y, r: 5, class: "point" }),
        s("text", { x: width, y: y + 4, "text-anchor": "end", class: "value" }, `${signed(d.value)} (${signed(d.low)}…${signed(d.high)})`));
    }));
  return h("figure", { class: "chart-figure" },
    h("figcaption", {}, t("session.effect.chartTitle")), svg,
    h("p", { class: "hint" }, t("session.effect.chartMeaning")));
}

/** The effect card's body for `effect` (null: the API gave none yet). */
export function effectBody(effect) {
  if (!effect) return [h("p", {}, t("session.effect.none"))];
  const rows = effect.criteria ?? [];
  const windows = h("p", { class: "effect-windows" }, t("session.effect.windows", {
    before: `${formatDay(effect.before.first)}–${formatDay(effect.before.last)}`,
    after: effect.after.last ? `${formatDay(effect.after.first)}–${formatDay(effect.after.last)}` : t("session.effect.afterNotYet"),
  }));
  if (!rows.length) return [windows, h("p", {}, t("session.effect.noCriteria"))];
  const table = h("div", { class: "table-scroll" }, h("table", { class: "effect-table" },
    h("caption", { class: "visually-hidden" }, t("session.effect.title")),
    h("thead", {}, h("tr", {},
      h("th", { scope: "col" }, t("review.criterion")),
      h("th", { scope: "col" }, t("session.effect.before")),
      h("th", { scope: "col" }, t("session.effect.after")),
      h("th", { scope: "col" }, t("session.effect.difference")),
      h("th", { scope: "col" }, t("session.effect.meaning")))),
    h("tbody", {}, rows.map((row) => {
      const d = row.difference;
      return h("tr", { dataset: { key: `${row.form_id}/${row.criterion_id}`, nBefore: String(answered(row.before)), nAfter: String(answered(row.after)) } },
        h("th", { scope: "row" }, row.text),
        h("td", { dataset: { rate: row.before?.rate ?? "" } }, sideText(row.before)),
        h("td", { dataset: { rate: row.after?.rate ?? "" } }, sideText(row.after)),
        h("td", { class: "num", dataset: { value: d?.value ?? "", low: d?.low ?? "", high: d?.high ?? "" } },
          d && d.value !== null ? t("session.effect.differenceText", { value: signed(d.value), low: signed(d.low), high: signed(d.high) }) : "–"),
        h("td", { class: "meaning-cell" }, meaningText(row)));
    }))));
  return [windows, differenceChart(rows), table];
}
