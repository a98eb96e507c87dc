// Coaching sessions (#/coaching?agent=…): the sessions the person may see, newest
// first, with how far the agreed actions are, the follow-up and whether the agent
// has acknowledged; a team leader or QA manager starts a new one from here, and sees
// the evaluations a team has not acknowledged (#/coaching?team_id=…, the inbox's link).

import { ApiError, enc } from "../api.js";
import { listUnacknowledged } from "../api/acknowledgements.js";
import { listAgents } from "../api/agents.js";
import { listSessions } from "../api/sessions.js";
import { listTeams } from "../api/teams.js";
import { field, h, replaceChildren } from "../dom.js";
import { formatDateTime, formatInteger, t } from "../i18n.js";
import { navigate } from "../router.js";
import { toWall } from "../timezone.js";
import { byAt, coachingError, dueLine, formatDay, pageHead, prepare, showFailure } from "./coaching/common.js";
import { ledAgents, ledTeams } from "./coaching/model.js";

async function quietly(promise, fallback) {
  try {
    return await promise;
  } catch (error) {
    if (!(error instanceof ApiError)) throw error;
    return fallback;
  }
}

function followUp(session, today) {
  if (!session.follow_up) return h("span", { class: "subtle" }, t("session.noFollowUp"));
  const late = session.follow_up < today;
  return h("span", { class: late ? "due overdue" : "due" },
    late ? h("strong", {}, t("coaching.overdue"), " ") : null, formatDay(session.follow_up));
}

function sessionTable(items, zone) {
  if (!items.length) return h("p", { class: "notice", dataset: { empty: "" } }, t("session.none"));
  const today = toWall(Date.now(), zone).slice(0, 10);
  return h("div", { class: "table-scroll" }, h("table", { class: "session-list" },
    h("caption", { class: "visually-hidden" }, t("session.listTitle")),
    h("thead", {}, h("tr", {},
      ["session.heldOn", "session.agent", "session.leader", "session.actionsDone", "session.followUp", "session.acknowledged"]
        .map((key) => h("th", { scope: "col" }, t(key))))),
    h("tbody", {}, items.map((s) => {
      const done = s.actions.filter((a) => a.done_at).length;
      return h("tr", { dataset: { session: s.session_id } },
        h("th", { scope: "row" }, h("a", { href: `#/coaching/${enc(s.session_id)}` }, formatDay(s.held_on))),
        h("td", {}, s.agent_id),
        h("td", {}, s.leader),
        h("td", { class: "num", dataset: { done: String(done), total: String(s.actions.length) } },
          t("session.doneOf", { done: formatInteger(done), total: formatInteger(s.actions.length) })),
        h("td", {}, followUp(s, today)),
        h("td", {}, s.acknowledged ? byAt(s.acknowledged.by, s.acknowledged.at, zone) : h("span", { class: "pending" }, t("session.notAcknowledged"))));
    }))));
}

/** A team's evaluations whose current revision is not acknowledged, overdue first. */
async function unacknowledgedCard(card, teams, teamId, app) {
  const select = h("select", { name: "team_id" }, teams.map((team) => h("option", { value: team.team_id, selected: team.team_id === teamId }, team.name ?? team.team_id)));
  select.addEventListener("change", () => navigate(`#/coaching?team_id=${enc(select.value)}`));
  const body = h("div", { "aria-busy": "true" }, h("p", { class: "subtle" }, t("coaching.loading")));
  replaceChildren(card, h("h2", { id: "unack-h" }, t("session.unacknowledged")),
    h("p", { class: "hint" }, t("session.unacknowledgedHelp")),
    h("div", { class: "toolbar" }, field({ label: t("session.team"), control: select, name: "team_id" })), body);
  let data;
  try {
    data = await listUnacknowledged({ team_id: select.value }, { signal: app.signal });
  } catch (error) {
    if (app.signal.aborted) return;
    if (!(error instanceof ApiError)) throw error;
    replaceChildren(body, h("p", { class: "subtle" }, coachingError(error)));
    body.removeAttribute("aria-busy");
    return;
  }
  if (app.signal.aborted) return;
  const zone = app.timeZone;
  const items = [...(data.items ?? [])].sort((a, b) => Number(Boolean(b.overdue)) - Number(Boolean(a.overdue)) || String(a.revised_at).localeCompare(String(b.revised_at)));
  replaceChildren(body,
    h("p", { dataset: { count: String(data.count ?? items.length), overdueCount: String(data.overdue_count ?? 0) } },
      t("session.unacknowledgedCount", { count: formatInteger(data.count ?? items.length), overdue: formatInteger(data.overdue_count ?? 0) })),
    items.length ? h("div", { class: "table-scroll" }, h("table", { class: "unack-table" },
      h("thead", {}, h("tr", {}, ["session.agent", "review.contact", "dispute.evaluator", "session.revisedAt", "session.ackDue"].map((k) => h("th", { scope: "col" }, t(k))))),
      h("tbody", {}, items.map((item) => h("tr", { dataset: { evaluation: item.evaluation_id, overdue: String(Boolean(item.overdue)) } },
        h("td", {}, item.agent_id),
        h("th", { scope: "row" }, h("a", { href: `#/evaluations/${enc(item.evaluation_id)}` },
          item.contact ? `${t(`channel.${item.contact.channel}`)} ${item.contact.id}` : item.evaluation_id)),
        h("td", {}, item.evaluator),
        h("td", {}, formatDateTime(item.revised_at, zone)),
        h("td", {}, dueLine(item.due, item.overdue, zone, { bare: true }))))))) : null);
  body.removeAttribute("aria-busy");
}

export async function render(root, params, app) {
  await prepare();
  const { head, heading } = pageHead(app, "#/coaching", t("session.listTitle"), t("session.listHelp"));
  if (!app.hasRole("admin", "evaluator", "agent")) {
    replaceChildren(root, head, h("p", {}, t("coaching.notForRole")));
    heading.focus();
    return;
  }
  const writer = app.hasRole("admin", "evaluator");
  const listing = h("section", { class: "card", "aria-labelledby": "list-h", "aria-busy": "true" },
    h("h2", { id: "list-h" }, t("session.listTitle")), h("p", { class: "subtle" }, t("coaching.loading")));
  replaceChildren(root, head, listing);
  heading.focus();
  const onlyAgent = !writer;
  let sessions;
  let agents;
  let teams;
  try {
    [sessions, agents, teams] = await Promise.all([
      listSessions(onlyAgent ? {} : { agent_id: params.agent ?? "" }, { signal: app.signal }),
      onlyAgent ? [] : quietly(listAgents(), []),
      onlyAgent ? [] : quietly(listTeams(), []),
    ]);
  } catch (error) {
    if (app.signal.aborted) return;
    showFailure(root, head, error);
    return;
  }
  if (app.signal.aborted) return;
  const reachable = app.hasRole("admin") ? agents.filter((a) => a.active !== false) : ledAgents(agents, teams, app.me.user);
  let tools = null;
  if (writer) {
    const agent = h("select", { name: "agent" },
      h("option", { value: "" }, t("review.allAgents")),
      reachable.map((a) => h("option", { value: a.agent_id, selected: params.agent === a.agent_id }, a.name ? `${a.name} (${a.agent_id})` : a.agent_id)));
    agent.addEventListener("change", () => navigate(agent.value ? `#/coaching?agent=${enc(agent.value)}` : "#/coaching"));
    const start = params.agent ? `#/coaching/new?agent=${enc(params.agent)}` : "#/coaching/new";
    tools = h("div", { class: "toolbar card" },
      field({ label: t("session.agent"), control: agent, name: "agent" }),
      reachable.length ? h("a", { class: "button primary", href: start }, t("session.new")) : h("p", { class: "subtle" }, t("session.leadNoTeam")));
  }
  replaceChildren(listing, h("h2", { id: "list-h" }, t("session.listTitle")), sessionTable(sessions.items ?? [], app.timeZone));
  listing.removeAttribute("aria-busy");
  // Team leaders (and QA managers) see what their teams have not acknowledged.
  const ownTeams = app.hasRole("admin") ? teams : teams.filter((team) => ledTeams(teams, app.me.user).includes(team.team_id));
  const unack = writer && ownTeams.length ? h("section", { class: "card", id: "unacknowledged", "aria-labelledby": "unack-h" }) : null;
  replaceChildren(root, head, tools, params.team_id ? unack : null, listing, params.team_id ? null : unack);
  root.dataset.ready = "true";
  heading.focus();
  if (unack) {
    const teamId = ownTeams.some((team) => team.team_id === params.team_id) ? params.team_id : ownTeams[0].team_id;
    await unacknowledgedCard(unack, ownTeams, teamId, app);
  }
}
