// The report cards below the first screen (the trend, the breakdown, the leaderboard):
// loaded when one of them is scrolled to or the page is printed (views/reports.js), so
// a first visit carries only what its first screen shows.

import { barChart, figureOf, figureText, interval } from "../../components/charts.js";
import { lineChart } from "../../components/line-chart.js";
import { field, h } from "../../dom.js";
import { formatDecimal, formatInteger, t } from "../../i18n.js";
import { formatDays, option } from "./view.js";

/** The trend: a line of the average (or of one criterion's compliance) and the change. */
export function trendBody(data, { criterion, titles, onCriterion }) {
  for (const c of data.criteria ?? []) if (c.title) titles.set(`${c.form_id}/${c.criterion_id}`, c.title);
  const keys = [];
  for (const point of data.points) {
    for (const c of point.criteria ?? []) {
      const key = `${c.form_id}/${c.criterion_id}`;
      if (!keys.includes(key)) keys.push(key);
    }
  }
  const select = h("select", {},
    option("", t("reports.trend.average"), criterion),
    keys.map((key) => option(key, titles.get(key) ?? key, criterion)));
  select.addEventListener("change", () => onCriterion(select.value));
  const chosen = keys.includes(criterion) ? criterion : "";
  const points = data.points.map((p) => ({
    label: p.label,
    title: `${p.label} (${formatDays(p.first_day, p.last_day)})`,
    figure: chosen
      ? (p.criteria ?? []).find((c) => `${c.form_id}/${c.criterion_id}` === chosen)?.compliance ?? null
      : p.average,
  }));
  const change = data.change;
  const changeLine = change ? h("p", { class: "change", dataset: { clear: String(change.clear) } },
    h("strong", {}, t(change.clear ? "reports.trend.clear" : "reports.trend.notClear")), " ",
    t("reports.trend.change", {
      from: change.from, to: change.to, difference: formatDecimal(change.difference),
      interval: interval(change.low, change.high),
    })) : null;
  return [
    field({ label: t("reports.trend.show"), control: select, name: "trend-criterion", className: "field narrow-field" }),
    lineChart({ title: chosen ? titles.get(chosen) ?? chosen : t("reports.trend.average"), points, unit: chosen ? "%" : "p" }),
    changeLine,
    change?.method ? h("p", { class: "hint method" }, t("reports.trend.method"), " ", change.method) : null,
  ];
}

/** A group's name: the API's label, else the site's word for a channel or method. */
function groupLabel(by, group) {
  if (group.label) return group.label;
  const key = by === "channel" || by === "method" ? `${by}.${group.value}` : null;
  return key && t(key) !== key ? t(key) : group.value;
}

export function breakdownBody(data, titles) {
  const body = [
    barChart({
      title: t("reports.breakdown.chart", { by: t(`reports.by.${data.by}`) }),
      kind: "average",
      unit: "p",
      rows: data.groups.map((g) => ({ key: g.value, label: `${groupLabel(data.by, g)} (${t("reports.breakdown.evaluations", { n: formatInteger(g.evaluations) })})`, figure: g.average })),
    }),
  ];
  const keys = [];
  for (const g of data.groups) for (const c of g.criteria ?? []) if (!keys.includes(`${c.form_id}/${c.criterion_id}`)) keys.push(`${c.form_id}/${c.criterion_id}`);
  if (keys.length) {
    body.push(h("div", { class: "table-scroll" }, h("table", { class: "figures-table breakdown-table" },
      h("caption", {}, t("reports.breakdown.criteria")),
      h("thead", {}, h("tr", {}, h("th", { scope: "col" }, t("charts.criterion")),
        data.groups.map((g) => h("th", { scope: "col", class: "num" }, groupLabel(data.by, g))))),
      h("tbody", {}, keys.map((key) => h("tr", { dataset: { key } },
        h("th", { scope: "row" }, titles.get(key) ?? key),
        data.groups.map((g) => {
          const rate = (g.criteria ?? []).find((c) => `${c.form_id}/${c.criterion_id}` === key)?.compliance;
          const f = figureOf(rate);
          return h("td", { class: `num${f.n > 0 && !f.comparable ? " too-few" : ""}`, dataset: { comparable: String(f.comparable) } }, figureText(rate));
        })))))));
  }
  return body;
}

// A badge the site has no words for yet shows its code rather than a message key.
const badgeName = (code) => (t(`reports.badge.${code}`) === `reports.badge.${code}` ? code : t(`reports.badge.${code}`));

export function leaderboardBody(data) {
  if (!data.enabled) return [h("p", { class: "notice" }, t("reports.leaderboard.off"))];
  return [
    h("p", { class: "hint" }, t("reports.leaderboard.rule", { min: data.min_evaluations })),
    data.ranked.length ? h("table", { class: "figures-table leaderboard" },
      h("caption", { class: "visually-hidden" }, t("reports.leaderboard.title")),
      h("thead", {}, h("tr", {},
        h("th", { scope: "col", class: "num" }, t("reports.leaderboard.rank")),
        h("th", { scope: "col" }, t("charts.agent")),
        h("th", { scope: "col", class: "num" }, t("charts.average")),
        h("th", { scope: "col" }, t("reports.leaderboard.badges")))),
      h("tbody", {}, data.ranked.map((r) => h("tr", { dataset: { agent: r.agent_id } },
        h("td", { class: "num" }, formatInteger(r.rank)),
        h("th", { scope: "row" }, r.name ?? r.agent_id),
        h("td", { class: "num" }, figureText(r.average, "p")),
        h("td", {}, (r.badges ?? []).map((b) => h("span", { class: "badge", dataset: { badge: b } }, badgeName(b)))))))) : h("p", {}, t("reports.leaderboard.none")),
    data.unranked.length ? h("p", { class: "hint" }, t("reports.leaderboard.unranked", {
      names: data.unranked.map((u) => `${u.name ?? u.agent_id} (n = ${u.n})`).join(", "),
    })) : null,
  ];
}
