// The heatmap of a team's agents × criteria, inline SVG with its table (see
// charts.js for what every chart shares). Loaded only by views that show a team's
// rows, so an agent's own page never fetches it.

import { h } from "../dom.js";
import { formatDecimal, formatInteger, t } from "../i18n.js";
import { details, figureOf, figureText, hatch, interval, percent, s, truncate } from "./charts.js";

// Compliance bins, lowest first: the darker, the more "No". A cell always shows its
// number, so the colour only helps the eye find the low ones.
export const HEAT_BINS = [
  { below: 60, fill: "#7c2d12", text: "#ffffff" },
  { below: 75, fill: "#c2410c", text: "#ffffff" },
  { below: 85, fill: "#fb923c", text: "#1c2430" },
  { below: 95, fill: "#fed7aa", text: "#1c2430" },
  { below: Infinity, fill: "#fff7ed", text: "#1c2430" },
];

export const heatBin = (rate) => HEAT_BINS.find((bin) => Number(rate) < bin.below);

/** Agents × criteria. data: the heatmap route's body; `href(agent, criterion)` the
 * drill-down to the evaluations behind a cell (null: none). */
export function heatmap({ title, data, href = () => null, criterionTitle = (c) => c.title }) {
  const criteria = data.criteria;
  const agents = data.agents;
  const cell = { w: 58, h: 30 };
  const left = 170;
  const top = 150;
  const width = left + criteria.length * cell.w + 70;
  const height = top + agents.length * cell.h + 56;
  const pattern = hatch();
  const heads = criteria.map((c, column) => {
    const cx = left + column * cell.w + cell.w / 2;
    return s("text", {
      x: cx, y: top - 8, "font-size": 11, fill: "#1c2430", transform: `rotate(-50 ${cx} ${top - 8})`,
    }, truncate(criterionTitle(c), 26));
  });
  const averageX = left + criteria.length * cell.w + 8;
  const rows = agents.map((agent, row) => {
    const y = top + row * cell.h;
    const cells = criteria.map((c, column) => {
      const rate = agent.cells[column] ?? null;
      const f = figureOf(rate);
      const x = left + column * cell.w;
      const link = href(agent, c);
      let fill = "#ffffff";
      let text = "–";
      let colour = "#4d5866";
      let state = "empty";
      if (rate && f.n > 0 && !f.comparable) {
        fill = pattern.fill;
        text = `n=${f.n}`;
        state = "too-few";
      } else if (rate && f.value !== null) {
        const bin = heatBin(f.value);
        fill = bin.fill;
        colour = bin.text;
        text = formatDecimal(f.value);
        state = "rate";
      }
      return s("g", {
        class: `heat-cell ${state}${link ? " drill" : ""}`,
        dataset: { agent: agent.agent_id, criterion: `${c.form_id}/${c.criterion_id}`, state },
        onclick: link ? () => { location.hash = link; } : null,
      },
      s("rect", { x, y, width: cell.w - 2, height: cell.h - 2, fill, stroke: "#8a94a3", "stroke-width": 1 }),
      state === "too-few"
        ? s("rect", { x: x + 6, y: y + 7, width: cell.w - 14, height: 14, fill: "#ffffff" })
        : null,
      s("text", { x: x + (cell.w - 2) / 2, y: y + 19, "text-anchor": "middle", "font-size": 11, fill: colour }, text));
    });
    const average = figureOf(agent.average);
    return s("g", { class: "heat-row", dataset: { agent: agent.agent_id } },
      s("text", { x: left - 8, y: y + 19, "text-anchor": "end", "font-size": 12, fill: "#1c2430" }, truncate(agent.name ?? agent.agent_id, 24)),
      cells,
      s("text", { x: averageX, y: y + 19, "font-size": 11, fill: "#1c2430" },
        average.value === null ? "–" : average.comparable ? formatDecimal(average.value) : `n=${average.n}`));
  });
  const legendY = top + agents.length * cell.h + 16;
  const legend = [
    ...HEAT_BINS.map((bin, index) => {
      const lower = index === 0 ? 0 : HEAT_BINS[index - 1].below;
      const upper = bin.below === Infinity ? 100 : bin.below;
      const lx = left + index * 96;
      return s("g", {},
        s("rect", { x: lx, y: legendY, width: 18, height: 14, fill: bin.fill, stroke: "#8a94a3" }),
        s("text", { x: lx + 22, y: legendY + 11, "font-size": 11, fill: "#1c2430" }, `${lower}–${upper} %`));
    }),
    s("g", {},
      s("rect", { x: left + HEAT_BINS.length * 96, y: legendY, width: 18, height: 14, fill: pattern.fill, stroke: "#4d5866" }),
      s("text", { x: left + HEAT_BINS.length * 96 + 22, y: legendY + 11, "font-size": 11, fill: "#1c2430" }, t("charts.tooFew"))),
  ];
  const svg = s("svg", {
    viewBox: `0 0 ${Math.max(width, left + (HEAT_BINS.length + 2) * 96)} ${height}`, role: "img", class: "chart heatmap",
    "aria-label": t("charts.heatmapLabel", { title, agents: agents.length, criteria: criteria.length }),
  }, pattern.defs,
  s("text", { x: averageX, y: top - 8, "font-size": 11, fill: "#1c2430", transform: `rotate(-50 ${averageX} ${top - 8})` }, t("charts.average")),
  heads, rows, legend);

  const table = (caption) => h("div", { class: "table-scroll" }, h("table", { class: "figures-table heat-table", dataset: { chart: "heatmap" } },
    h("caption", {}, caption),
    h("thead", {}, h("tr", {},
      h("th", { scope: "col" }, t("charts.agent")),
      h("th", { scope: "col", class: "num" }, t("charts.average")),
      criteria.map((c) => h("th", { scope: "col", dataset: { criterion: `${c.form_id}/${c.criterion_id}` } }, criterionTitle(c))))),
    h("tbody", {}, agents.map((agent) => h("tr", { dataset: { agent: agent.agent_id } },
      h("th", { scope: "row" }, agent.name ?? agent.agent_id),
      h("td", { class: "num" }, figureText(agent.average, "p")),
      criteria.map((c, column) => {
        const rate = agent.cells[column] ?? null;
        const f = figureOf(rate);
        const tooFew = Boolean(rate) && f.n > 0 && !f.comparable;
        const link = href(agent, c);
        const words = !rate || f.n === 0 ? t("charts.noData")
          : tooFew ? t("charts.tooFewValue", { value: percent(f.value), n: formatInteger(f.n) })
            : `${percent(f.value)} (${interval(f.low, f.high)} %, n = ${formatInteger(f.n)})`;
        return h("td", {
          class: tooFew ? "too-few" : null,
          dataset: { criterion: `${c.form_id}/${c.criterion_id}`, comparable: String(f.comparable), n: String(f.n), value: f.value ?? "" },
        }, link && rate && f.n > 0 ? h("a", { href: link }, words) : words);
      }))))));
  return h("figure", { class: "chart-figure" }, h("figcaption", {}, title),
    h("div", { class: "chart-scroll" }, svg), details(title, table));
}
