// The coaching pages' rules, no DOM: how the inbox is ordered, whose turn a review
// is, what a session's effect figure means in words, when a dispute window ends, the
// agents a team leader leads, and the session form's request body with what is
// wrong before the server is asked. Figures come from the API as exact decimal
// strings; here they are only compared with 0, never recomputed.

import { toWall, wallToIso } from "../../timezone.js";

const DAY = /^\d{4}-(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])$/;
const DAY_MS = 86400000;

/** The kinds in the order their groups show when none is overdue. */
export const INBOX_KINDS = [
  "self_evaluate", "leader_evaluate", "acknowledge", "acknowledge_session", "action",
  "follow_up", "review_dispute", "team_unacknowledged",
];

export const isDay = (text) => DAY.test(text ?? "") && !Number.isNaN(Date.parse(`${text}T00:00:00Z`));

/** A due (a local day or an instant) as a sortable instant: a day lasts to its end. */
function dueKey(due) {
  if (!due) return Number.POSITIVE_INFINITY;
  return isDay(due) ? Date.parse(`${due}T23:59:59Z`) : Date.parse(due);
}

/** Overdue first, then the nearest due, then the oldest. */
export function byUrgency(a, b) {
  return (Number(Boolean(b.overdue)) - Number(Boolean(a.overdue)))
    || (dueKey(a.due) - dueKey(b.due))
    || String(a.created_at).localeCompare(String(b.created_at));
}

/** [{kind, items, overdue}]: a group per kind, the groups with anything overdue
 * first, each group's items by urgency. */
export function groupInbox(items) {
  const groups = new Map();
  for (const item of items) {
    if (!groups.has(item.kind)) groups.set(item.kind, []);
    groups.get(item.kind).push(item);
  }
  const rank = (kind) => (INBOX_KINDS.includes(kind) ? INBOX_KINDS.indexOf(kind) : INBOX_KINDS.length);
  return [...groups].map(([kind, list]) => ({
    kind, items: [...list].sort(byUrgency), overdue: list.filter((i) => i.overdue).length,
  })).sort((a, b) => (Number(b.overdue > 0) - Number(a.overdue > 0)) || (rank(a.kind) - rank(b.kind)));
}

/** Which side of a review the signed-in person scores: "self", "leader" or null. */
export function sideOf(review, me) {
  if (me.agent_id && review.agent_id === me.agent_id) return "self";
  if (review.leader === me.user) return "leader";
  return null;
}

/** Whose turn it is, as a message key and its values (who and until when), for a
 * review that has not opened yet; the other side stays hidden either way. */
export function turnOf(review, side) {
  const selfIn = Boolean(review.self?.submitted_at);
  const leaderIn = Boolean(review.leader_side?.submitted_at);
  const values = { agent: review.agent_id, leader: review.leader };
  if (review.state === "open") {
    return { key: review.opened_without_self || !review.self ? "review.turn.openWithoutSelf" : "review.turn.open", values };
  }
  if (side === "self") {
    if (!selfIn) return { key: leaderIn ? "review.turn.selfAfterLeader" : "review.turn.selfFirst", values, due: true };
    return { key: "review.turn.waitLeader", values };
  }
  if (side === "leader") {
    if (!leaderIn) return { key: selfIn ? "review.turn.leaderAfterSelf" : "review.turn.leaderFirst", values };
    return { key: "review.turn.waitSelf", values, due: true };
  }
  if (!selfIn && !leaderIn) return { key: "review.turn.watchBoth", values, due: true };
  return { key: selfIn ? "review.turn.watchLeader" : "review.turn.watchSelf", values, due: !selfIn };
}

/** The side the person still has to score, or null (theirs is in, or it opened). */
export function sideToScore(review, side) {
  if (review.state === "open" || !side) return null;
  const mine = side === "self" ? review.self : review.leader_side;
  return mine?.submitted_at ? null : side;
}

/** The per-criterion comparison of an open review, in the form's order, with the
 * section each criterion is in; null when there is none (opened without the self side). */
export function comparisonRows(comparison, definition) {
  if (!comparison) return null;
  const found = new Map(comparison.criteria.map((c) => [c.criterion_id, c]));
  const rows = [];
  for (const section of definition?.sections ?? []) {
    for (const criterion of section.criteria) {
      const row = found.get(criterion.id);
      if (row) rows.push({ ...row, section: section.title, text: row.text ?? criterion.text });
      found.delete(criterion.id);
    }
  }
  // Criteria the definition at hand does not name (it failed to load) keep the API's order.
  for (const row of found.values()) rows.push({ ...row, section: row.section_id });
  return rows;
}

/** What one effect row's difference means: a message key and its values. The
 * interval of the difference decides, not the point estimate. */
export function effectMeaning(row) {
  const d = row.difference;
  if (!d || d.value === null || d.value === undefined || d.low === null || d.high === null) {
    return { key: "session.effect.noComparison", values: {} };
  }
  const low = Number(d.low);
  const high = Number(d.high);
  if (low <= 0 && high >= 0) return { key: "session.effect.includesZero", values: d };
  return { key: low > 0 ? "session.effect.rose" : "session.effect.fell", values: d };
}

/** The instant a dispute window ends, as the API counts it: at the end of the local
 * day `days` days after the day the evaluation was stored (midnight after it, in the
 * tenant's zone). */
export function disputeWindowEnd(createdAt, days, zone) {
  if (Number.isNaN(Date.parse(createdAt)) || !Number.isInteger(days)) return null;
  const stored = toWall(createdAt, zone).slice(0, 10);
  return wallToIso(`${addDays(stored, days + 1)}T00:00`, zone);
}

/** The ids of the teams `user` leads. */
export const ledTeams = (teams, user) => teams.filter((team) => (team.leaders ?? []).includes(user)).map((team) => team.team_id);

/** The agents now in a team `user` leads (the roster's `team` is today's). */
export function ledAgents(agents, teams, user) {
  const led = new Set(ledTeams(teams, user));
  return agents.filter((agent) => agent.active !== false && led.has(agent.team));
}

/** The leaders of `agentId`'s team today, for a QA manager starting a review. */
export function leadersOf(agentId, agents, teams) {
  const team = agents.find((a) => a.agent_id === agentId)?.team;
  return teams.find((t) => t.team_id === team)?.leaders ?? [];
}

/** "YYYY-MM-DD" `n` days after `day`. */
export function addDays(day, n) {
  return new Date(Date.parse(`${day}T00:00:00Z`) + n * DAY_MS).toISOString().slice(0, 10);
}

export const LIMITS = { evaluations: 20, suggestions: 20, actions: 20, actionCriteria: 10, notes: 5000, text: 2000, wish: 5000 };

/** An action as the form edits it. */
export const newAction = () => ({ action_id: null, text: "", owner: "agent", due: "", criteria: [] });

/** The session form's state from a stored session (or an empty one for `agentId`). */
export function sessionState(session, { agentId = "", today }) {
  if (!session) {
    return { agent_id: agentId, held_on: today, evaluation_ids: [], suggestions: [], notes: "", actions: [], follow_up: "" };
  }
  return {
    agent_id: session.agent_id,
    held_on: session.held_on,
    evaluation_ids: [...session.evaluation_ids],
    suggestions: session.suggestions.map((s) => ({ kind: s.kind, form_id: s.form_id, criterion_id: s.criterion_id, text: s.text })),
    notes: session.notes ?? "",
    actions: session.actions.map((a) => ({
      action_id: a.action_id, text: a.text, owner: a.owner, due: a.due ?? "",
      criteria: a.criteria.map((c) => ({ form_id: c.form_id, criterion_id: c.criterion_id })), done_at: a.done_at ?? null,
    })),
    follow_up: session.follow_up ?? "",
  };
}

/** The SessionInput body a form state stands for, and what is wrong with it before
 * the server is asked: [field, message key]. */
export function sessionBody(state) {
  const problems = [];
  if (!state.agent_id) problems.push(["agent_id", "session.errorAgent"]);
  if (!isDay(state.held_on)) problems.push(["held_on", "session.errorDay"]);
  if (state.follow_up && !isDay(state.follow_up)) problems.push(["follow_up", "session.errorDay"]);
  if (state.notes.length > LIMITS.notes) problems.push(["notes", "session.errorTooLong"]);
  const actions = state.actions.map((action, index) => {
    const text = action.text.trim();
    if (!text) problems.push([`actions[${index}].text`, "session.errorActionText"]);
    else if (text.length > LIMITS.text) problems.push([`actions[${index}].text`, "session.errorTooLong"]);
    if (!isDay(action.due)) problems.push([`actions[${index}].due`, "session.errorDay"]);
    if (action.criteria.length > LIMITS.actionCriteria) problems.push([`actions[${index}].criteria`, "session.errorTooManyCriteria"]);
    const out = { text, owner: action.owner, due: action.due, criteria: action.criteria.map((c) => ({ form_id: c.form_id, criterion_id: c.criterion_id })) };
    if (action.action_id) out.action_id = action.action_id;
    return out;
  });
  return {
    problems,
    body: {
      agent_id: state.agent_id,
      held_on: state.held_on,
      evaluation_ids: state.evaluation_ids.slice(0, LIMITS.evaluations),
      suggestions: state.suggestions.slice(0, LIMITS.suggestions),
      notes: state.notes.trim(),
      actions,
      follow_up: state.follow_up || null,
    },
  };
}
