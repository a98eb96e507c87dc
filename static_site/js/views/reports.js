// Reports (#/reports?scope=…&range=…&by=…&form=…&criterion=…): compliance per
// criterion, the trend, the heatmap of a team's agents, the breakdown by channel,
// method, shift or evaluator, the leaderboard and an agent's suggestions. A QA
// manager sees the tenant and any team or agent, a team leader the teams they lead
// and those teams' agents, an agent their own figures beside their team's totals
// (no one else's rows). Every filter lives in the address, so a view is a link.
// This module wires the page: the rules are reports/model.js, the DOM reports/view.js
// (the cards below the first screen reports/below.js, loaded when scrolled to).

import { ApiError } from "../api.js";
import { listAgents } from "../api/agents.js";
import { listForms } from "../api/forms.js";
import { breakdown, compliance, downloadReport, heatmap, leaderboard, suggestions, trend } from "../api/reports.js";
import { listTeams } from "../api/teams.js";
import { h, replaceChildren } from "../dom.js";
import { currentLanguage, loadMessages, t } from "../i18n.js";
import { navigate } from "../router.js";
import { useStylesheet } from "../stylesheet.js";
import { toWall } from "../timezone.js";
import { choices, filtersHash, readFilters, resultsHref, scopeText, trendFor } from "./reports/model.js";
import { card, complianceCharts, filterForm, headline, rangeLine, saveBlob, suggestionsBody } from "./reports/view.js";

const TREND_COUNT = 6;

async function quietly(promise, fallback) {
  try {
    return await promise;
  } catch (error) {
    if (!(error instanceof ApiError)) throw error;
    return fallback;
  }
}

// Besides coming into view, what makes a waiting card load.
const WANTED_BY = ["beforeprint", "laatu:print-requested"];

/** A promise that resolves when `element` comes near the screen or the page is about
 * to print, whichever is first: the cards below the first screen load then. */
function whenWanted(element, signal) {
  return new Promise((resolve) => {
    const observer = new IntersectionObserver((entries) => {
      if (entries.some((entry) => entry.isIntersecting)) done();
    }, { rootMargin: "200px 0px" });
    const done = () => {
      observer.disconnect();
      for (const name of WANTED_BY) window.removeEventListener(name, done);
      resolve();
    };
    observer.observe(element);
    for (const name of WANTED_BY) window.addEventListener(name, done, { signal });
    signal.addEventListener("abort", () => observer.disconnect(), { once: true });
  });
}

/** Ctrl+P (or ⌘P) while cards still wait: they load first, then the print dialog opens,
 * so a printout is never missing one. (A print from the browser's menu starts them too.) */
function printWhenLoaded(pending, signal) {
  window.addEventListener("keydown", (event) => {
    if (event.key.toLowerCase() !== "p" || !(event.ctrlKey || event.metaKey) || event.altKey) return;
    if (!pending.size) return;
    event.preventDefault();
    window.dispatchEvent(new Event("laatu:print-requested"));
    Promise.all(pending).then(() => {
      if (!signal.aborted) window.print();
    });
  }, { signal });
}

/** Opens every figure table for printing (a closed <details> prints closed), and
 * closes again the ones the person had closed. */
function printOpensTables(signal) {
  let opened = [];
  window.addEventListener("beforeprint", () => {
    opened = [...document.querySelectorAll(".view-reports details:not([open])")];
    for (const d of opened) d.open = true;
  }, { signal });
  window.addEventListener("afterprint", () => {
    for (const d of opened) d.open = false;
    opened = [];
  }, { signal });
}

export async function render(root, params, app) {
  await Promise.all([loadMessages("reports"), useStylesheet("/css/reports.css")]);
  const onlyAgent = app.hasRole("agent") && !app.hasRole("admin", "evaluator");
  const title = onlyAgent ? t("reports.myTitle") : t("reports.title");
  document.title = `${title} – Laatu`;
  const heading = h("h1", { tabindex: "-1" }, title);
  if (!app.hasRole("admin", "evaluator", "agent")) {
    replaceChildren(root, heading, h("p", {}, t("reports.notForRole")));
    heading.focus();
    return;
  }

  const [teams, forms, roster] = await Promise.all([
    quietly(listTeams(), []),
    quietly(listForms().then((page) => page.items ?? []), []),
    app.hasRole("agent") && app.me.agent_id ? quietly(listAgents(), []) : [],
  ]);
  const ownTeam = roster.find((a) => a.agent_id === app.me.agent_id)?.team ?? null;
  const choice = choices(app, teams, ownTeam);
  const today = toWall(Date.now(), app.timeZone).slice(0, 10);
  const filters = readFilters(params, { choice, today });
  if (!filters.scope) {
    replaceChildren(root, heading, h("p", { class: "notice" }, t("reports.noTeams")));
    heading.focus();
    return;
  }
  const go = (next) => navigate(filtersHash({ ...filters, ...next }));

  const scopes = [];
  if (choice.tenant) scopes.push({ value: "tenant", label: t("reports.scope.tenant") });
  for (const team of choice.teams) scopes.push({ value: `team:${team.team_id}`, label: t("reports.scope.team", { name: team.name ?? team.team_id }) });
  if (choice.ownAgent) scopes.push({ value: `agent:${choice.ownAgent}`, label: t("reports.scope.me") });
  const current = scopeText(filters.scope);
  if (!scopes.some((s) => s.value === current) && !(filters.scope.kind === "agent" && choice.agents)) {
    scopes.push({ value: current, label: current });
  }

  const form = filterForm({
    filters, scopes, agentField: choice.agents, forms,
    onChange: ({ scope, range, by, form: formId }) => {
      const next = readFilters({ scope, range, by, form: formId, criterion: filters.criterion }, { choice, today });
      go(next);
    },
  });
  const subtitle = h("p", { class: "subtle range-line" }, "…");
  const cards = h("div", { class: "report-cards" });
  replaceChildren(root,
    h("div", { class: "page-head" }, heading, subtitle,
      h("p", { class: "hint" }, t("reports.printHint"))),
    form, cards);
  heading.focus();
  printOpensTables(app.signal);

  const base = { scope: current, range: `${filters.range.kind}:${filters.range.value}` };
  const lang = currentLanguage();
  const saver = (route, query) => async (format) => {
    const { blob, fileName } = await downloadReport(route, query, format, lang);
    const name = fileName ?? `laatu-${route}-${current.replace(":", "-")}-${filters.range.value}.${format}`;
    saveBlob(blob, name);
    return name;
  };
  const signal = app.signal;
  const scopeKind = filters.scope.kind;
  const seesRows = scopeKind === "team" && (app.hasRole("admin") || choice.teams.some((team) => team.team_id === filters.scope.id));
  const complianceQuery = { ...base, form: filters.form };
  const trendQuery = { scope: current, period: trendFor(filters.range).period, count: TREND_COUNT, end: trendFor(filters.range).end };
  const breakdownQuery = { ...base, by: filters.by };

  const complianceCard = card({
    id: "compliance", title: t("reports.compliance.title"), meaning: t("reports.compliance.meaning"),
    download: saver("compliance", complianceQuery),
  });
  const trendCard = card({
    id: "trend", title: t("reports.trend.title", { period: t(`reports.rangeKind.${trendQuery.period}`) }),
    meaning: t("reports.trend.meaning"), download: saver("trend", trendQuery),
  });
  const breakdownCard = card({
    id: "breakdown", title: t("reports.breakdown.title", { by: t(`reports.by.${filters.by}`) }),
    meaning: t("reports.breakdown.meaning"), download: saver("breakdown", breakdownQuery),
  });
  const heatmapCard = seesRows ? card({
    id: "heatmap", title: t("reports.heatmap.title"), meaning: t("reports.heatmap.meaning"), download: saver("heatmap", base),
  }) : null;
  const leaderboardCard = seesRows ? card({ id: "leaderboard", title: t("reports.leaderboard.title"), meaning: null }) : null;
  const suggestionsCard = scopeKind === "agent" ? card({ id: "suggestions", title: t("reports.suggestions.title"), meaning: t("reports.suggestions.meaning") }) : null;
  const ownTeamCard = scopeKind === "agent" && filters.scope.id === choice.ownAgent && choice.ownTeam ? card({
    id: "team", title: t("reports.team.title", { name: choice.ownTeam.name ?? choice.ownTeam.team_id }),
    meaning: t("reports.team.meaning"),
    download: saver("compliance", { ...complianceQuery, scope: `team:${choice.ownTeam.team_id}` }),
  }) : null;
  replaceChildren(cards, [complianceCard, suggestionsCard, ownTeamCard, trendCard, heatmapCard, breakdownCard, leaderboardCard]
    .filter(Boolean).map((c) => c.element));

  // Each card loads on its own: one refused report (403) leaves the others.
  const load = async (target, fetch, show) => {
    try {
      const data = await fetch();
      if (signal.aborted) return null;
      target.show(...[show(data)].flat());
      return data;
    } catch (error) {
      if (signal.aborted) return null;
      // A card that cannot show says so; the others stay.
      if (!(error instanceof ApiError)) console.error(error);
      target.fail(error);
      return null;
    }
  };

  const titles = new Map();
  const drill = (agentId, range) => (formId, criterionId) => (agentId && range ? resultsHref(agentId, range, app.timeZone, `${formId}/${criterionId}`) : null);
  const complianceData = load(complianceCard, () => compliance(complianceQuery, { signal }), (data) => {
    subtitle.textContent = rangeLine(data);
    for (const f of data.forms) for (const s of f.sections) for (const c of s.criteria) titles.set(`${f.form_id}/${c.criterion_id}`, c.title);
    return [headline(data), complianceCharts(data, { drill: drill(scopeKind === "agent" ? filters.scope.id : null, data.range) })];
  });
  const loads = [complianceData];
  if (suggestionsCard) {
    loads.push(load(suggestionsCard, () => suggestions({ ...base, lang }, { signal }), (data) => suggestionsBody(data, app.timeZone)));
  }
  await complianceData;
  if (heatmapCard) {
    loads.push(load(heatmapCard,
      () => Promise.all([heatmap(base, { signal }), import("../components/heatmap.js")]),
      ([data, chart]) => chart.heatmap({
        title: t("reports.heatmap.title"), data,
        href: (agent, c) => drill(agent.agent_id, data.range)(c.form_id, c.criterion_id),
      })));
  }
  await Promise.all(loads);
  if (signal.aborted) return;
  root.dataset.ready = "true"; // the first screen's cards are in

  // The cards below load when scrolled to, their code too (reports/below.js); watched
  // from now, when the cards above have their height. Trend and breakdown name criteria
  // by id: the titles are the compliance answer's.
  const pending = new Set();
  const later = (target, fetch, show) => {
    const loaded = whenWanted(target.element, signal)
      .then(() => load(target, () => Promise.all([fetch(), import("./reports/below.js")]), ([data, bodies]) => show(data, bodies)));
    pending.add(loaded);
    loaded.finally(() => pending.delete(loaded));
    return loaded;
  };
  printWhenLoaded(pending, signal);
  const lazy = [
    later(trendCard, () => trend(trendQuery, { signal }), (data, bodies) => bodies.trendBody(data, {
      criterion: filters.criterion, titles, onCriterion: (criterion) => go({ criterion }),
    })),
    later(breakdownCard, () => breakdown(breakdownQuery, { signal }), (data, bodies) => bodies.breakdownBody(data, titles)),
  ];
  if (leaderboardCard) lazy.push(later(leaderboardCard, () => leaderboard(base, { signal }), (data, bodies) => bodies.leaderboardBody(data)));
  if (ownTeamCard) {
    // The team's totals beside an agent's own: below the agent's figures, so fetched
    // when scrolled to (its charts are the compliance card's, already loaded).
    const team = whenWanted(ownTeamCard.element, signal).then(() => load(ownTeamCard,
      () => compliance({ ...complianceQuery, scope: `team:${choice.ownTeam.team_id}` }, { signal }),
      (data) => [headline(data), complianceCharts(data, { drill: () => null })]));
    pending.add(team);
    team.finally(() => pending.delete(team));
    lazy.push(team);
  }
  // render does not wait for them (they may never be scrolled to): complete says when all are in.
  Promise.all(lazy).then(() => {
    if (!signal.aborted) root.dataset.complete = "true";
  });
}
