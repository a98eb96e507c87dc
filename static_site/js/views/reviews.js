// Coaching reviews (#/reviews?state=…&agent=…): the reviews the person may see,
// newest first, each with whose turn it is; and "start a coaching review" of one
// contact. An agent starts one of their own contact (their team's leader scores it
// too); a team leader picks one of the agents in the teams they lead; a QA manager
// picks the agent and the team leader. The agent always scores first, blind.

import { ApiError, enc } from "../api.js";
import { listAgents } from "../api/agents.js";
import { listForms } from "../api/forms.js";
import { listReviews, startReview } from "../api/reviews.js";
import { listTeams } from "../api/teams.js";
import { announce, field, h, replaceChildren, uid } from "../dom.js";
import { clearFieldErrors, showFieldError } from "../field-errors.js";
import { currentLanguage, formatDateTime, t } from "../i18n.js";
import { navigate } from "../router.js";
import { CHANNELS } from "../rules.generated.js";
import { toWall, wallToIso } from "../timezone.js";
import { formatWallTime, parseWallTime } from "../wall-time.js";
import { coachingError, dueLine, inboxChanged, pageHead, prepare, showFailure, stateBadge } from "./coaching/common.js";
import { ledAgents, leadersOf } from "./coaching/model.js";

export const REVIEW_STATES = ["awaiting_both", "awaiting_self", "awaiting_leader", "open"];

async function quietly(promise, fallback) {
  try {
    return await promise;
  } catch (error) {
    if (!(error instanceof ApiError)) throw error;
    return fallback;
  }
}

/** The self-evaluation's deadline: overdue only while the agent's side is missing. */
function selfDue(review, zone) {
  if (review.state === "open" || review.self?.submitted_at) return h("span", { class: "subtle" }, t("review.selfIn"));
  return dueLine(review.self_due, Date.parse(review.self_due) < Date.now(), zone, { bare: true });
}

function reviewTable(items, zone) {
  if (!items.length) return h("p", { class: "notice", dataset: { empty: "" } }, t("review.none"));
  return h("div", { class: "table-scroll" }, h("table", { class: "review-list" },
    h("caption", { class: "visually-hidden" }, t("review.listTitle")),
    h("thead", {}, h("tr", {},
      ["review.contact", "review.agent", "review.leader", "review.stateHeader", "review.selfDue", "review.started"]
        .map((key) => h("th", { scope: "col" }, t(key))))),
    h("tbody", {}, items.map((r) => h("tr", { dataset: { review: r.review_id, state: r.state } },
      h("th", { scope: "row" }, h("a", { href: `#/reviews/${enc(r.review_id)}` },
        `${t(`channel.${r.contact.channel}`)} ${r.contact.id}`),
      h("span", { class: "hint block" }, formatDateTime(r.contact.occurred_at, zone))),
      h("td", {}, r.agent_id),
      h("td", {}, r.leader),
      h("td", {}, stateBadge("review", r.state)),
      h("td", {}, selfDue(r, zone)),
      h("td", {}, formatDateTime(r.created_at, zone)))))));
}

/** The "start a coaching review" form; `choices` says whom the person may name. */
function startForm(app, { forms, agents, teams, role }) {
  const zone = app.timeZone;
  const published = forms.filter((f) => f.latest_version >= 1);
  const formSelect = h("select", { required: true }, published.map((f) => h("option", { value: f.form_id }, `${f.name} (v${f.latest_version})`)));
  const agentSelect = role === "agent" ? null : h("select", { required: true },
    h("option", { value: "" }, t("review.pickAgent")),
    agents.map((a) => h("option", { value: a.agent_id }, a.name ? `${a.name} (${a.agent_id})` : a.agent_id)));
  const leaderSelect = role === "admin" ? h("select", { required: true }) : null;
  const showLeaders = () => {
    if (!leaderSelect) return;
    // An admin names one of the agent's team leaders, or themselves.
    const leaders = [...new Set([...leadersOf(agentSelect.value, agents, teams), app.me.user])];
    replaceChildren(leaderSelect, h("option", { value: "" }, leaders.length ? t("review.pickLeader") : t("review.noLeader")),
      leaders.map((l) => h("option", { value: l }, l)));
    leaderSelect.disabled = !leaders.length;
  };
  agentSelect?.addEventListener("change", showLeaders);
  showLeaders();
  const channel = h("select", {}, CHANNELS.map((c) => h("option", { value: c }, t(`channel.${c}`))));
  const contactId = h("input", { required: true, maxlength: 200, autocomplete: "off", spellcheck: "false" });
  const now = toWall(Date.now(), zone);
  const occurred = h("input", { value: formatWallTime(now, currentLanguage()), autocomplete: "off", spellcheck: "false" });
  const understood = h("span", { class: "iso" });
  const showOccurred = () => {
    const wall = parseWallTime(occurred.value, toWall(Date.now(), zone));
    const iso = wall ? wallToIso(wall, zone) : null;
    understood.textContent = iso ? `= ${formatDateTime(iso, zone)}` : t("evaluate.occurredUnclear");
    understood.classList.toggle("unclear", !iso);
    return iso;
  };
  occurred.addEventListener("input", showOccurred);
  showOccurred();
  const recording = h("input", { type: "url", inputmode: "url", placeholder: "https://", maxlength: 2000 });
  const status = h("p", { class: "action-status", role: "status" });
  const submit = h("button", { class: "button primary", type: "submit" }, t("review.start"));
  const occurredId = uid("occ");
  occurred.id = occurredId;
  occurred.setAttribute("aria-describedby", `${occurredId}-hint`);
  const form = h("form", { class: "card start-review", novalidate: true, "aria-labelledby": "start-h" },
    h("h2", { id: "start-h" }, t("review.startTitle")),
    h("p", { class: "hint" }, t(role === "agent" ? "review.startHelpAgent" : "review.startHelpLeader")),
    h("div", { class: "error-box", role: "alert", tabindex: "-1", hidden: true }),
    h("div", { class: "grid" },
      agentSelect ? field({ label: t("review.agent"), control: agentSelect, name: "agent_id" }) : null,
      leaderSelect ? field({ label: t("review.leader"), control: leaderSelect, name: "leader" }) : null,
      field({ label: t("review.form"), control: formSelect, name: "form_id" }),
      field({ label: t("evaluate.channel"), control: channel, name: "contact.channel" }),
      field({ label: t("evaluate.contactId"), control: contactId, name: "contact.id" }),
      h("div", { class: "field", dataset: { field: "contact.occurred_at" } },
        h("label", { for: occurredId }, t("evaluate.occurredAt")), occurred,
        h("p", { class: "hint", id: `${occurredId}-hint` }, t("evaluate.occurredHint", { zone }), " ", understood)),
      field({ label: t("evaluate.recording"), control: recording, name: "contact.recording_url" })),
    h("div", { class: "actions" }, submit, status));

  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    clearFieldErrors(form);
    const problems = [];
    const agentId = role === "agent" ? app.me.agent_id : agentSelect.value;
    const iso = showOccurred();
    if (!agentId) problems.push(["agent_id", t("review.errorAgent")]);
    if (leaderSelect && !leaderSelect.value) problems.push(["leader", t("review.errorLeader")]);
    if (!formSelect.value) problems.push(["form_id", t("review.errorForm")]);
    if (!contactId.value.trim()) problems.push(["contact.id", t("evaluate.errorContactId")]);
    if (!iso) problems.push(["contact.occurred_at", t("evaluate.errorOccurredAt")]);
    if (problems.length) {
      problems.map(([name, text]) => showFieldError(form, name, text)).find(Boolean)?.focus();
      announce(t("coaching.fixProblems", { count: problems.length }));
      return;
    }
    const chosen = published.find((f) => f.form_id === formSelect.value);
    const contact = { channel: channel.value, id: contactId.value.trim(), occurred_at: iso };
    if (recording.value.trim()) contact.recording_url = recording.value.trim();
    const body = { agent_id: agentId, form_id: chosen.form_id, form_version: chosen.latest_version, contact };
    if (leaderSelect) body.leader = leaderSelect.value;
    submit.disabled = true;
    status.textContent = t("coaching.sending");
    try {
      const review = await startReview(body);
      inboxChanged();
      navigate(`#/reviews/${enc(review.review_id)}`);
    } catch (error) {
      if (!(error instanceof ApiError)) throw error;
      status.textContent = "";
      submit.disabled = false;
      showFieldError(form, error.field, coachingError(error))?.focus();
    }
  });
  return form;
}

function filters(app, params, agents) {
  const state = h("select", { name: "state" },
    h("option", { value: "" }, t("review.allStates")),
    REVIEW_STATES.map((s) => h("option", { value: s, selected: params.state === s }, t(`review.state.${s}`))));
  const agent = agents.length ? h("select", { name: "agent" },
    h("option", { value: "" }, t("review.allAgents")),
    agents.map((a) => h("option", { value: a.agent_id, selected: params.agent === a.agent_id }, a.name ? `${a.name} (${a.agent_id})` : a.agent_id))) : null;
  const go = () => navigate(`#/reviews?${new URLSearchParams(Object.entries({ state: state.value, agent: agent?.value ?? "" }).filter(([, v]) => v))}`);
  state.addEventListener("change", go);
  agent?.addEventListener("change", go);
  return h("form", { class: "toolbar card", role: "search", "aria-label": t("review.filters") },
    field({ label: t("review.stateHeader"), control: state, name: "state" }),
    agent ? field({ label: t("review.agent"), control: agent, name: "agent" }) : null);
}

export async function render(root, params, app) {
  await prepare();
  const { head, heading } = pageHead(app, "#/reviews", t("review.listTitle"), t("review.listHelp"));
  if (!app.hasRole("admin", "evaluator", "agent")) {
    replaceChildren(root, head, h("p", {}, t("coaching.notForRole")));
    heading.focus();
    return;
  }
  const role = app.hasRole("admin") ? "admin" : app.hasRole("evaluator") ? "evaluator" : "agent";
  const query = { state: REVIEW_STATES.includes(params.state) ? params.state : "", agent_id: role === "agent" ? "" : params.agent ?? "" };
  const listing = h("section", { class: "card", "aria-labelledby": "list-h", "aria-busy": "true" },
    h("h2", { id: "list-h" }, t("review.listTitle")), h("p", { class: "subtle" }, t("coaching.loading")));
  replaceChildren(root, head, listing);
  heading.focus();
  let reviews;
  let forms;
  let agents;
  let teams;
  try {
    [reviews, forms, agents, teams] = await Promise.all([
      listReviews(query, { signal: app.signal }),
      quietly(listForms().then((page) => page.items ?? []), []),
      role === "agent" ? [] : quietly(listAgents(), []),
      role === "agent" ? [] : quietly(listTeams(), []),
    ]);
  } catch (error) {
    if (app.signal.aborted) return;
    showFailure(root, head, error);
    return;
  }
  if (app.signal.aborted) return;
  const reachable = role === "evaluator" ? ledAgents(agents, teams, app.me.user) : agents.filter((a) => a.active !== false);
  const canStart = role === "agent" ? Boolean(app.me.agent_id) : reachable.length > 0;
  replaceChildren(listing, h("h2", { id: "list-h" }, t("review.listTitle")), reviewTable(reviews.items ?? [], app.timeZone));
  listing.removeAttribute("aria-busy");
  replaceChildren(root, head,
    canStart ? startForm(app, { forms, agents: reachable, teams, role }) : h("p", { class: "notice" }, t("review.cannotStart")),
    role === "agent" ? null : filters(app, params, reachable),
    listing);
  root.dataset.ready = "true";
  heading.focus();
}
