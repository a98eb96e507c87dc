// The report page's rules, no DOM: which filters the address carries (so a view can
// be shared as a link), what each role may pick and sees first, and where a figure
// drills down to (the results page of an agent, for the days of the range).

import { AGENT_ID } from "../../rules.generated.js";
import { shiftMonth, toWall, wallToIso } from "../../timezone.js";

export const RANGE_KINDS = ["month", "week", "quarter", "day", "pay", "custom"];
export const BREAKDOWNS = ["channel", "method", "shift", "evaluator"];
export const TREND_PERIODS = ["month", "week", "quarter"];
// The id pattern of a team, as the API's contract gives it.
const TEAM_ID = /^[A-Za-z0-9][A-Za-z0-9._@-]{0,63}$/;

const RANGE_VALUE = {
  day: /^\d{4}-(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])$/,
  week: /^\d{4}-W(0[1-9]|[1-4]\d|5[0-3])$/,
  month: /^\d{4}-(0[1-9]|1[0-2])$/,
  quarter: /^\d{4}-Q[1-4]$/,
  pay: /^\d{4}-(0[1-9]|1[0-2])(-(0[1-9]|[12]\d|3[01]))?$/,
  custom: /^(\d{4}-\d{2}-\d{2})\.\.(\d{4}-\d{2}-\d{2})$/,
};
const DAY_MS = 86400000;

/** "team:t1" → {kind: "team", id: "t1"}; null when it is no scope. */
export function parseScope(text) {
  if (text === "tenant") return { kind: "tenant", id: null };
  const match = /^(team|agent):(.+)$/.exec(text ?? "");
  if (!match) return null;
  const [, kind, id] = match;
  return (kind === "team" ? TEAM_ID : AGENT_ID).test(id) ? { kind, id } : null;
}

export const scopeText = (scope) => (scope.kind === "tenant" ? "tenant" : `${scope.kind}:${scope.id}`);

const dayNumber = (iso) => {
  const [y, m, d] = iso.split("-").map(Number);
  const date = Date.UTC(y, m - 1, d);
  const back = new Date(date);
  return back.getUTCFullYear() === y && back.getUTCMonth() === m - 1 && back.getUTCDate() === d ? date / DAY_MS : null;
};
const isoOfDay = (n) => new Date(n * DAY_MS).toISOString().slice(0, 10);

/** "month:2026-11" → {kind, value}; null when the kind or the value is wrong (a
 * custom range runs forwards and spans at most 366 days). */
export function parseRange(text) {
  const match = /^([a-z]+):(.+)$/.exec(text ?? "");
  if (!match || !RANGE_KINDS.includes(match[1])) return null;
  const [, kind, value] = match;
  const found = RANGE_VALUE[kind].exec(value);
  if (!found) return null;
  if (kind === "day" && dayNumber(value) === null) return null;
  if (kind === "custom") {
    const [first, last] = [dayNumber(found[1]), dayNumber(found[2])];
    if (first === null || last === null || last < first || last - first + 1 > 366) return null;
  }
  return { kind, value };
}

export const rangeText = (range) => `${range.kind}:${range.value}`;

/** The ISO week ("2026-W45") a day is in. */
export function isoWeek(day) {
  const n = dayNumber(day);
  const weekday = (new Date(n * DAY_MS).getUTCDay() + 6) % 7; // Monday 0
  const thursday = new Date((n - weekday + 3) * DAY_MS);
  const year = thursday.getUTCFullYear();
  const week = 1 + Math.floor((thursday - Date.UTC(year, 0, 1)) / DAY_MS / 7);
  return `${year}-W${String(week).padStart(2, "0")}`;
}

/** The range of `kind` that holds `today` (a day, "YYYY-MM-DD"). */
export function rangeHolding(kind, today) {
  const month = today.slice(0, 7);
  switch (kind) {
    case "day": return { kind, value: today };
    case "week": return { kind, value: isoWeek(today) };
    case "quarter": return { kind, value: `${today.slice(0, 4)}-Q${Math.ceil(Number(today.slice(5, 7)) / 3)}` };
    case "pay": return { kind, value: month };
    case "custom": return { kind, value: `${month}-01..${today}` };
    default: return { kind: "month", value: month };
  }
}

/** The trend that fits a range: its own kind of period when that is one a trend has,
 * months otherwise; ending at the range. */
export function trendFor(range) {
  if (TREND_PERIODS.includes(range.kind)) return { period: range.kind, end: range.value };
  const last = range.kind === "custom" ? range.value.split("..")[1] : range.value;
  return { period: "month", end: last.slice(0, 7) };
}

/** What a role may pick: {tenant, teams (the teams offered), agents (may name any
 * agent the API lets them), ownAgent (an agent's own id)}. Teams come from
 * the teams list: a QA manager gets all, a team leader those listing them as a leader,
 * an agent the one they are in today. */
export function choices(app, teams, ownTeam) {
  const admin = app.hasRole("admin");
  const leader = app.hasRole("evaluator");
  const led = teams.filter((team) => (team.leaders ?? []).includes(app.me.user));
  const offered = admin ? teams : leader ? led : [];
  const own = app.hasRole("agent") && app.me.agent_id ? app.me.agent_id : null;
  const ownTeamEntry = own && ownTeam ? (teams.find((team) => team.team_id === ownTeam) ?? { team_id: ownTeam, name: ownTeam }) : null;
  return {
    tenant: admin,
    teams: offered,
    agents: admin || (leader && led.length > 0),
    ownAgent: own,
    ownTeam: ownTeamEntry,
  };
}

/** The scope shown when the address names none. */
export function defaultScope(choice) {
  if (choice.tenant) return { kind: "tenant", id: null };
  if (choice.teams.length) return { kind: "team", id: choice.teams[0].team_id };
  if (choice.ownAgent) return { kind: "agent", id: choice.ownAgent };
  return null;
}

/** The filters the address carries, each checked; what is missing or wrong takes
 * its default. {scope, range, by, form, trendCriterion}. */
export function readFilters(params, { choice, today }) {
  const scope = parseScope(params.scope) ?? defaultScope(choice);
  const range = parseRange(params.range) ?? rangeHolding("month", today);
  return {
    scope,
    range,
    by: BREAKDOWNS.includes(params.by) ? params.by : "channel",
    form: /^[a-z0-9][a-z0-9_-]{0,63}$/.test(params.form ?? "") ? params.form : "",
    criterion: /^[^/]+\/[^/]+$/.test(params.criterion ?? "") ? params.criterion : "",
  };
}

/** The address of a view with these filters (defaults written too: a shared link
 * must not change meaning when someone's defaults differ). */
export function filtersHash(filters) {
  const query = new URLSearchParams({ scope: scopeText(filters.scope), range: rangeText(filters.range), by: filters.by });
  if (filters.form) query.set("form", filters.form);
  if (filters.criterion) query.set("criterion", filters.criterion);
  return `#/reports?${query}`;
}

/** The results page of `agentId` for the range's days (the API's first_day and
 * last_day, local days in `zone`), optionally for one criterion "form/criterion". */
export function resultsHref(agentId, range, zone, criterion = null) {
  const after = isoOfDay(dayNumber(range.last_day) + 1);
  const query = new URLSearchParams({
    agent: agentId,
    month: range.first_day.slice(0, 7),
    from: wallToIso(`${range.first_day}T00:00`, zone),
    to: wallToIso(`${after}T00:00`, zone),
  });
  if (criterion) query.set("criterion", criterion);
  return `#/results?${query}`;
}

/** An evaluations_url of the API (the evaluations list with agent_id, from, to) as the
 * results page showing those evaluations. */
export function resultsHrefOfApiUrl(url, zone, criterion = null) {
  const query = new URLSearchParams(String(url ?? "").split("?")[1] ?? "");
  const agent = query.get("agent_id");
  const from = query.get("from");
  if (!agent || !from || Number.isNaN(Date.parse(from))) return null;
  const out = new URLSearchParams({ agent, month: toWall(from, zone).slice(0, 7), from });
  if (query.get("to")) out.set("to", query.get("to"));
  if (criterion) out.set("criterion", criterion);
  return `#/results?${out}`;
}

/** The range before or after, of the same kind (a custom range keeps its length). */
export function shiftRange(range, delta) {
  const { kind, value } = range;
  if (kind === "month" || (kind === "pay" && value.length === 7)) return { kind, value: shiftMonth(value, delta) };
  if (kind === "quarter") {
    const index = Number(value.slice(0, 4)) * 4 + Number(value.slice(6)) - 1 + delta;
    return { kind, value: `${Math.floor(index / 4)}-Q${(index % 4) + 1}` };
  }
  if (kind === "day") return { kind, value: isoOfDay(dayNumber(value) + delta) };
  // A two-week pay period is named by its first day.
  if (kind === "pay") return { kind, value: isoOfDay(dayNumber(value) + delta * 14) };
  if (kind === "week") {
    const [year, week] = [Number(value.slice(0, 4)), Number(value.slice(6))];
    // The Monday of week 1 is the Monday of the week holding 4 January.
    const jan4 = Date.UTC(year, 0, 4) / DAY_MS;
    const monday = jan4 - ((new Date(jan4 * DAY_MS).getUTCDay() + 6) % 7) + (week - 1) * 7;
    return { kind, value: isoWeek(isoOfDay(monday + delta * 7)) };
  }
  if (kind === "custom") {
    const [first, last] = value.split("..").map(dayNumber);
    const length = last - first + 1;
    return { kind, value: `${isoOfDay(first + delta * length)}..${isoOfDay(last + delta * length)}` };
  }
  return null;
}
