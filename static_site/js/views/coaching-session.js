// One coaching session (#/coaching/{id}, a new one #/coaching/new?agent=…). The team
// leader (or a QA manager) records it: the evaluations and report suggestions it
// was about, notes, the actions agreed with an owner, a due date and the criteria
// each is about, and a follow-up date. The agent writes their own development wish,
// acknowledges the session and marks their actions done. Below, the effect: the
// agent's compliance on the actions' criteria before and after, with the intervals
// and a sentence of what the difference means.

import { ApiError, enc } from "../api.js";
import { listAgents } from "../api/agents.js";
import { listEvaluations } from "../api/evaluations.js";
import { getForm, listForms } from "../api/forms.js";
import { suggestions as suggestionsReport } from "../api/reports.js";
import {
  acknowledgeSession, createSession, getSession, markActionDone, saveSession, saveWish,
} from "../api/sessions.js";
import { listTeams } from "../api/teams.js";
import { announce, field, h, replaceChildren, uid } from "../dom.js";
import { clearFieldErrors, showFieldError } from "../field-errors.js";
import { currentLanguage, formatDateTime, formatInteger, formatScore, t } from "../i18n.js";
import { navigate } from "../router.js";
import { toWall, wallToIso } from "../timezone.js";
import {
  actionButton, byAt, coachingError, dueLine, formatDay, inboxChanged, pageHead, prepare, showFailure, statusLine,
} from "./coaching/common.js";
import { effectBody } from "./coaching/effect.js";
import { LIMITS, addDays, isDay, ledAgents, newAction, sessionBody, sessionState } from "./coaching/model.js";

const BEFORE_DAYS = 90;
const OWNERS = ["agent", "leader"];

async function quietly(promise, fallback) {
  try {
    return await promise;
  } catch (error) {
    if (!(error instanceof ApiError)) throw error;
    return fallback;
  }
}

/** The criteria of the tenant's published forms: [{form_id, form, criterion_id, text}]. */
async function criteriaChoices() {
  const forms = (await quietly(listForms().then((page) => page.items ?? []), [])).filter((f) => f.latest_version >= 1).slice(0, 10);
  const loaded = await Promise.all(forms.map((f) => quietly(getForm(f.form_id), null)));
  return loaded.filter(Boolean).flatMap((form) => (form.published?.sections ?? []).flatMap((section) =>
    section.criteria.map((c) => ({ form_id: form.form_id, form: form.name, criterion_id: c.id, text: c.text }))));
}

const criterionName = (choices, c) => choices.find((x) => x.form_id === c.form_id && x.criterion_id === c.criterion_id)?.text ?? `${c.form_id}/${c.criterion_id}`;

function card(id, title, ...children) {
  return h("section", { class: "card", "aria-labelledby": `${id}-h`, id },
    h("h2", { id: `${id}-h` }, title), children);
}

// ---- reading a session

function factsCard(session, zone) {
  const rows = [
    ["session.agent", session.agent_id],
    ["session.leader", session.leader],
    ["session.heldOn", formatDay(session.held_on)],
    ["session.followUp", session.follow_up ? formatDay(session.follow_up) : t("session.noFollowUp")],
    ["session.acknowledged", session.acknowledged ? byAt(session.acknowledged.by, session.acknowledged.at, zone) : t("session.notAcknowledged")],
    ["session.updated", formatDateTime(session.updated_at, zone)],
  ];
  return card("facts", t("session.facts"),
    h("dl", { class: "facts" }, rows.map(([key, value]) => [h("dt", {}, t(key)), h("dd", { dataset: { fact: key } }, value)])));
}

function actionsCard(session, { choices, zone, canMark, onDone }) {
  const today = toWall(Date.now(), zone).slice(0, 10);
  if (!session.actions.length) return card("actions", t("session.actions"), h("p", {}, t("session.noActions")));
  const status = statusLine();
  return card("actions", t("session.actions"),
    h("div", { class: "table-scroll" }, h("table", { class: "action-table" },
      h("thead", {}, h("tr", {},
        ["session.action", "session.ownerHeader", "session.due", "session.criteria", "session.actionState"].map((k) => h("th", { scope: "col" }, t(k))))),
      h("tbody", {}, session.actions.map((action, index) => h("tr", { dataset: { action: action.action_id, done: String(Boolean(action.done_at)) } },
        h("th", { scope: "row" }, h("span", { class: "number" }, `${index + 1}.`), " ", action.text),
        h("td", {}, t(`session.ownerIs.${action.owner}`, { who: action.owner_id ?? "" })),
        h("td", {}, action.done_at ? formatDay(action.due) : dueLine(action.due, action.due < today, zone, { bare: true })),
        h("td", {}, action.criteria.length
          ? h("ul", { class: "plain-list" }, action.criteria.map((c) => h("li", {}, criterionName(choices, c))))
          : h("span", { class: "subtle" }, "–")),
        h("td", {}, action.done_at
          ? h("span", { class: "done-mark" }, h("span", { "aria-hidden": "true" }, "✓ "), t("session.doneAt", { when: formatDateTime(action.done_at, zone) }))
          : [h("span", { class: "pending" }, t("session.open")), " ",
            canMark(action) ? actionButton(t("session.markDone"), async () => {
              try {
                await onDone(action);
                announce(t("session.markedDone"));
              } catch (error) {
                if (!(error instanceof ApiError)) throw error;
                status.textContent = coachingError(error);
              }
            }, "button subtle") : null])))))),
    status);
}

function wishCard(session, isAgent, onSave) {
  if (!isAgent) {
    return card("wish", t("session.wish"),
      session.development_wish ? h("p", { class: "prewrap", dataset: { wish: "" } }, session.development_wish) : h("p", { class: "subtle" }, t("session.noWish")));
  }
  const text = h("textarea", { rows: 4, maxlength: LIMITS.wish, value: session.development_wish ?? "" });
  const status = statusLine();
  const form = h("form", { novalidate: true },
    field({ label: t("session.wishLabel"), control: text, name: "development_wish", hint: t("session.wishHint") }),
    h("div", { class: "actions" }, h("button", { class: "button", type: "submit" }, t("session.saveWish")), status));
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    clearFieldErrors(form);
    status.textContent = t("coaching.sending");
    try {
      await onSave(text.value.trim());
      status.textContent = t("session.wishSaved");
    } catch (error) {
      if (!(error instanceof ApiError)) throw error;
      status.textContent = "";
      showFieldError(form, error.field ?? "development_wish", coachingError(error))?.focus();
    }
  });
  return card("wish", t("session.wish"), form);
}

function acknowledgeCard(session, zone, onAcknowledge) {
  if (session.acknowledged) {
    return h("p", { class: "success ack-done", role: "status", dataset: { acknowledged: "" } },
      t("session.acknowledgedBy", { who: session.acknowledged.by, when: formatDateTime(session.acknowledged.at, zone) }));
  }
  const status = statusLine();
  return h("div", { class: "card ack-box" },
    h("p", {}, t("session.acknowledgeHelp")),
    actionButton(t("session.acknowledge"), async () => {
      try {
        await onAcknowledge();
      } catch (error) {
        if (!(error instanceof ApiError)) throw error;
        status.textContent = coachingError(error);
      }
    }, "button primary"),
    status);
}

function linkedCard(session, zone) {
  return card("linked", t("session.linked"),
    h("h3", {}, t("session.evaluations")),
    session.evaluation_ids.length
      ? h("ul", { class: "plain-list" }, session.evaluation_ids.map((id) => h("li", {}, h("a", { href: `#/evaluations/${enc(id)}` }, t("session.openEvaluation", { id })))))
      : h("p", { class: "subtle" }, t("session.noEvaluations")),
    h("h3", {}, t("session.suggestions")),
    session.suggestions.length
      ? h("ul", { class: "plain-list suggestion-list" }, session.suggestions.map((s) => h("li", { dataset: { criterion: `${s.form_id}/${s.criterion_id}` } },
        h("span", { class: "badge" }, t(`session.suggestionKind.${s.kind}`)), " ", s.text)))
      : h("p", { class: "subtle" }, t("session.noSuggestions")),
    h("h3", {}, t("session.notes")),
    session.notes ? h("p", { class: "prewrap" }, session.notes) : h("p", { class: "subtle" }, t("session.noNotes")),
    h("p", { class: "hint" }, t("session.timesIn", { zone })));
}

// ---- editing a session

function checkboxList({ legend, name, items, isChecked, onToggle, limit, empty }) {
  const box = h("fieldset", { class: "field check-list", dataset: { field: name } }, h("legend", {}, legend));
  if (!items.length) {
    box.append(h("p", { class: "subtle" }, empty));
    return box;
  }
  box.append(h("p", { class: "hint" }, t("session.pickUpTo", { count: formatInteger(limit) })),
    h("ul", { class: "plain-list" }, items.map((item) => {
      const input = h("input", { type: "checkbox", checked: isChecked(item.value), value: item.key });
      input.addEventListener("change", () => {
        if (!onToggle(item.value, input.checked)) {
          input.checked = false;
          announce(t("session.limitReached", { count: formatInteger(limit) }));
        }
      });
      return h("li", {}, h("label", { class: "check-item" }, input, " ", item.label));
    })));
  return box;
}

function editor(root, { app, session, state, agents, choices, head, onSaved }) {
  const zone = app.timeZone;
  const agentSelect = session ? null : h("select", { required: true },
    h("option", { value: "" }, t("review.pickAgent")),
    agents.map((a) => h("option", { value: a.agent_id, selected: state.agent_id === a.agent_id }, a.name ? `${a.name} (${a.agent_id})` : a.agent_id)));
  const heldOn = h("input", { type: "date", value: state.held_on, required: true });
  const followUp = h("input", { type: "date", value: state.follow_up });
  const notes = h("textarea", { rows: 5, maxlength: LIMITS.notes, value: state.notes });
  const evaluationsBox = h("div", {});
  const suggestionsBox = h("div", {});
  const actionsList = h("ol", { class: "action-editor plain-list" });
  const addButton = h("button", { class: "button subtle", type: "button" }, t("session.addAction"));
  const status = h("p", { class: "editor-status", role: "status" });
  agentSelect?.addEventListener("change", () => {
    state.agent_id = agentSelect.value;
    state.evaluation_ids = [];
    state.suggestions = [];
    loadLinked();
  });
  heldOn.addEventListener("change", () => {
    state.held_on = heldOn.value;
    loadLinked();
  });
  followUp.addEventListener("change", () => {
    state.follow_up = followUp.value;
  });
  notes.addEventListener("input", () => {
    state.notes = notes.value;
  });

  let loading = 0;
  async function loadLinked() {
    const ticket = ++loading;
    if (!state.agent_id || !isDay(state.held_on)) {
      replaceChildren(evaluationsBox, h("p", { class: "subtle" }, t("session.pickAgentFirst")));
      replaceChildren(suggestionsBox);
      return;
    }
    replaceChildren(evaluationsBox, h("p", { class: "subtle" }, t("coaching.loading")));
    replaceChildren(suggestionsBox, h("p", { class: "subtle" }, t("coaching.loading")));
    const first = addDays(state.held_on, -(BEFORE_DAYS - 1));
    const [evaluations, suggested] = await Promise.all([
      quietly(listEvaluations({
        agent_id: state.agent_id, from: wallToIso(`${first}T00:00`, zone), to: wallToIso(`${addDays(state.held_on, 1)}T00:00`, zone), limit: "50",
      }).then((page) => page.items ?? []), []),
      quietly(suggestionsReport({ scope: `agent:${state.agent_id}`, range: `custom:${first}..${state.held_on}`, lang: currentLanguage() })
        .then((data) => data.suggestions ?? []), []),
    ]);
    if (ticket !== loading) return;
    const evaluationItems = evaluations.map((e) => ({
      key: e.evaluation_id, value: e.evaluation_id,
      label: `${formatDateTime(e.contact.occurred_at, zone)} · ${t(`method.${e.method}`)} · ${t(`channel.${e.contact.channel}`)} ${e.contact.id} · ${formatScore(e.score.overall)}`,
    }));
    for (const id of state.evaluation_ids) {
      if (!evaluationItems.some((i) => i.value === id)) evaluationItems.push({ key: id, value: id, label: t("session.openEvaluation", { id }) });
    }
    replaceChildren(evaluationsBox, checkboxList({
      legend: t("session.evaluations"), name: "evaluation_ids", items: evaluationItems, limit: LIMITS.evaluations,
      empty: t("session.noEvaluationsToLink"),
      isChecked: (id) => state.evaluation_ids.includes(id),
      onToggle: (id, on) => {
        state.evaluation_ids = state.evaluation_ids.filter((x) => x !== id);
        if (!on) return true;
        if (state.evaluation_ids.length >= LIMITS.evaluations) return false;
        state.evaluation_ids.push(id);
        return true;
      },
    }));
    const sameSuggestion = (a, b) => a.kind === b.kind && a.form_id === b.form_id && a.criterion_id === b.criterion_id;
    const suggestionItems = suggested.map((s) => ({
      key: `${s.kind}/${s.form_id}/${s.criterion_id}`,
      value: { kind: s.kind, form_id: s.form_id, criterion_id: s.criterion_id, text: s.text },
      label: [h("span", { class: "badge" }, t(`session.suggestionKind.${s.kind}`)), " ", h("strong", {}, s.title ?? s.criterion_id), ": ", s.text,
        s.why ? h("span", { class: "hint block" }, s.why) : null],
    }));
    for (const s of state.suggestions) {
      if (!suggestionItems.some((i) => sameSuggestion(i.value, s))) {
        suggestionItems.push({ key: `${s.kind}/${s.form_id}/${s.criterion_id}`, value: s, label: [h("span", { class: "badge" }, t(`session.suggestionKind.${s.kind}`)), " ", s.text] });
      }
    }
    replaceChildren(suggestionsBox, checkboxList({
      legend: t("session.suggestions"), name: "suggestions", items: suggestionItems, limit: LIMITS.suggestions,
      empty: t("session.noSuggestionsToPick"),
      isChecked: (value) => state.suggestions.some((s) => sameSuggestion(s, value)),
      onToggle: (value, on) => {
        state.suggestions = state.suggestions.filter((s) => !sameSuggestion(s, value));
        if (!on) return true;
        if (state.suggestions.length >= LIMITS.suggestions) return false;
        state.suggestions.push(value);
        return true;
      },
    }));
  }

  function actionItem(action, index) {
    const n = index + 1;
    const text = h("textarea", { rows: 2, maxlength: LIMITS.text, value: action.text, required: true });
    text.addEventListener("input", () => {
      action.text = text.value;
    });
    const owner = h("select", {}, OWNERS.map((o) => h("option", { value: o, selected: action.owner === o }, t(`session.owner.${o}`))));
    owner.addEventListener("change", () => {
      action.owner = owner.value;
    });
    const due = h("input", { type: "date", value: action.due, required: true });
    due.addEventListener("change", () => {
      action.due = due.value;
    });
    const chosenCount = h("span", { class: "badge" });
    const showCount = () => {
      chosenCount.textContent = t("session.criteriaChosen", { count: formatInteger(action.criteria.length) });
    };
    showCount();
    const byForm = new Map();
    for (const c of choices) {
      if (!byForm.has(c.form_id)) byForm.set(c.form_id, { name: c.form, items: [] });
      byForm.get(c.form_id).items.push(c);
    }
    const criteria = h("details", { class: "criteria-picker", dataset: { field: `actions[${index}].criteria` } },
      h("summary", {}, t("session.actionCriteria"), " ", chosenCount),
      h("p", { class: "hint" }, t("session.actionCriteriaHint", { count: formatInteger(LIMITS.actionCriteria) })),
      [...byForm.values()].map((form) => h("fieldset", {},
        h("legend", {}, t("session.actionCriteriaOf", { form: form.name, n })),
        h("ul", { class: "plain-list" }, form.items.map((c) => {
          const on = action.criteria.some((x) => x.form_id === c.form_id && x.criterion_id === c.criterion_id);
          const input = h("input", { type: "checkbox", checked: on });
          input.addEventListener("change", () => {
            action.criteria = action.criteria.filter((x) => !(x.form_id === c.form_id && x.criterion_id === c.criterion_id));
            if (input.checked) {
              if (action.criteria.length >= LIMITS.actionCriteria) {
                input.checked = false;
                announce(t("session.limitReached", { count: formatInteger(LIMITS.actionCriteria) }));
              } else {
                action.criteria.push({ form_id: c.form_id, criterion_id: c.criterion_id });
              }
            }
            showCount();
          });
          return h("li", {}, h("label", { class: "check-item" }, input, " ", c.text));
        })))));
    const remove = h("button", { class: "button subtle", type: "button" }, t("session.removeAction", { n }));
    remove.addEventListener("click", () => {
      state.actions.splice(index, 1);
      renderActions(Math.min(index, state.actions.length - 1));
    });
    const legendId = uid("act");
    return h("li", { class: "action-item", dataset: { field: `actions[${index}]` } },
      h("fieldset", { "aria-labelledby": legendId },
        h("legend", { id: legendId, class: "action-legend" }, t("session.actionN", { n })),
        field({ label: t("session.actionText", { n }), control: text, name: `actions[${index}].text`, className: "field wide" }),
        h("div", { class: "grid" },
          field({ label: t("session.actionOwner", { n }), control: owner, name: `actions[${index}].owner` }),
          field({ label: t("session.actionDue", { n }), control: due, name: `actions[${index}].due` })),
        criteria,
        action.done_at ? h("p", { class: "hint" }, t("session.doneAt", { when: formatDateTime(action.done_at, zone) })) : null,
        remove));
  }

  function renderActions(focusIndex = null) {
    replaceChildren(actionsList, state.actions.map(actionItem));
    addButton.disabled = state.actions.length >= LIMITS.actions;
    if (focusIndex === null) return;
    const target = focusIndex >= 0 ? actionsList.children[focusIndex]?.querySelector("textarea") : addButton;
    target?.focus();
  }
  addButton.addEventListener("click", () => {
    state.actions.push(newAction());
    renderActions(state.actions.length - 1);
  });

  const save = h("button", { class: "button primary", type: "submit" }, t(session ? "session.save" : "session.create"));
  const cancel = session ? h("a", { class: "button subtle", href: `#/coaching/${enc(session.session_id)}` }, t("session.cancel")) : null;
  const form = h("form", { class: "session-editor", novalidate: true },
    h("div", { class: "error-box", role: "alert", tabindex: "-1", hidden: true }),
    card("basics", t("session.basics"),
      h("div", { class: "grid" },
        agentSelect ? field({ label: t("session.agent"), control: agentSelect, name: "agent_id" })
          : field({ label: t("session.agent"), control: h("input", { value: state.agent_id, readonly: true }), name: "agent_id" }),
        field({ label: t("session.heldOn"), control: heldOn, name: "held_on" }),
        field({ label: t("session.followUp"), control: followUp, name: "follow_up", hint: t("session.followUpHint") }))),
    card("linked-edit", t("session.linked"),
      h("p", { class: "hint" }, t("session.linkedHint", { days: formatInteger(BEFORE_DAYS) })),
      evaluationsBox, suggestionsBox),
    card("notes-edit", t("session.notes"), field({ label: t("session.notesLabel"), control: notes, name: "notes" })),
    card("actions-edit", t("session.actions"),
      h("p", { class: "hint" }, t("session.actionsHint")),
      h("div", { dataset: { field: "actions" } }, actionsList), addButton),
    h("div", { class: "submit-bar" }, save, cancel, status));

  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    clearFieldErrors(form);
    const { body, problems } = sessionBody(state);
    if (problems.length) {
      problems.map(([name, key]) => showFieldError(form, name, t(key))).find(Boolean)?.focus();
      announce(t("coaching.fixProblems", { count: problems.length }));
      return;
    }
    save.disabled = true;
    status.textContent = t("coaching.sending");
    try {
      const stored = session ? await saveSession(session.session_id, body, session.version) : await createSession(body);
      inboxChanged();
      onSaved(stored);
    } catch (error) {
      if (!(error instanceof ApiError)) throw error;
      status.textContent = "";
      const text = error.status === 412 ? t("session.changedMeanwhile") : coachingError(error);
      showFieldError(form, error.field, text)?.focus();
    } finally {
      if (save.isConnected) save.disabled = false;
    }
  });

  renderActions();
  loadLinked();
  replaceChildren(root, head, form);
  return form;
}

export async function render(root, params, app) {
  await prepare();
  const writer = app.hasRole("admin", "evaluator");
  const title = t(params.isNew ? "session.newTitle" : "session.title");
  const { head, heading } = pageHead(app, "#/coaching", title);
  const today = toWall(Date.now(), app.timeZone).slice(0, 10);
  const choicesLoad = criteriaChoices();

  if (params.isNew) {
    if (!writer) {
      replaceChildren(root, head, h("p", {}, t("session.leadersOnly")));
      heading.focus();
      return;
    }
    const [agents, teams, choices] = await Promise.all([quietly(listAgents(), []), quietly(listTeams(), []), choicesLoad]);
    if (app.signal.aborted) return;
    const reachable = app.hasRole("admin") ? agents.filter((a) => a.active !== false) : ledAgents(agents, teams, app.me.user);
    const agentId = reachable.some((a) => a.agent_id === params.agent) ? params.agent : "";
    editor(root, {
      app, session: null, state: sessionState(null, { agentId, today }), agents: reachable, choices, head,
      onSaved: (stored) => navigate(`#/coaching/${enc(stored.session_id)}`),
    });
    root.dataset.ready = "true";
    heading.focus();
    return;
  }

  let session;
  let choices;
  try {
    [session, choices] = await Promise.all([getSession(params.sessionId, { signal: app.signal }), choicesLoad]);
  } catch (error) {
    if (app.signal.aborted) return;
    showFailure(root, head, error);
    heading.focus();
    return;
  }
  if (app.signal.aborted) return;
  const isAgent = Boolean(app.me.agent_id) && app.me.agent_id === session.agent_id;
  const canEdit = app.hasRole("admin") || (app.hasRole("evaluator") && session.leader === app.me.user);

  const reload = async (focus) => {
    const fresh = await getSession(session.session_id);
    show(fresh, focus);
  };

  function show(current, focus = null) {
    session = current;
    const effect = h("section", { class: "card effect", id: "effect", "aria-labelledby": "effect-h" },
      h("h2", { id: "effect-h" }, t("session.effect.title")),
      h("p", { class: "hint meaning" }, t("session.effect.help", { days: formatInteger(BEFORE_DAYS) })),
      effectBody(current.effect ?? null));
    const edit = canEdit ? h("button", { class: "button", type: "button" }, t("session.edit")) : null;
    edit?.addEventListener("click", () => {
      editor(root, {
        app, session, state: sessionState(session, { today }), agents: [], choices, head,
        onSaved: () => reload("heading"),
      });
      root.querySelector("textarea, input:not([readonly])")?.focus();
    });
    const canMark = (action) => !action.done_at && (canEdit || (isAgent && action.owner === "agent"));
    replaceChildren(root,
      head,
      isAgent ? acknowledgeCard(current, app.timeZone, async () => {
        await acknowledgeSession(current.session_id);
        inboxChanged();
        await reload("ack");
        announce(t("session.acknowledgedNow"));
      }) : null,
      factsCard(current, app.timeZone),
      wishCard(current, isAgent, async (wish) => {
        session = await saveWish(current.session_id, wish, session.version);
        inboxChanged();
      }),
      actionsCard(current, {
        choices, zone: app.timeZone, canMark,
        onDone: async (action) => {
          await markActionDone(current.session_id, action.action_id);
          inboxChanged();
          await reload("actions");
        },
      }),
      linkedCard(current, app.timeZone),
      effect,
      edit ? h("div", { class: "submit-bar" }, edit) : null);
    root.dataset.ready = "true";
    const target = { ack: root.querySelector(".ack-done"), actions: root.querySelector("#actions-h") }[focus];
    if (target) {
      target.setAttribute("tabindex", "-1");
      target.focus();
    } else {
      heading.focus();
    }
  }
  show(session);
}
