// Evaluating one contact: contact details, every criterion answered, a live score,
// submit. Everything typed goes into the draft at once (drafts.js), so a reload or
// a dropped connection loses nothing; the draft's Idempotency-Key goes with every
// try of the submission (submit.js).

import { ApiError, enc } from "../api.js";
import { listAgents } from "../api/agents.js";
import { getForm } from "../api/forms.js";
import { createScorePanel } from "../components/score-panel.js";
import { renderCriteria } from "../components/criteria.js";
import { announce, field, h, replaceChildren, uid } from "../dom.js";
import { loadDraft, newIdempotencyKey, recentAgents, rememberAgent, removeDraft, saveDraft } from "../drafts.js";
import { errorMessage } from "../errors.js";
import { clearFieldErrors, showFieldError } from "../field-errors.js";
import { currentLanguage, formatDateTime, formatScore, t } from "../i18n.js";
import { isSubmitShortcut } from "../keys.js";
import { navigate } from "../router.js";
import { AGENT_ID, CHANNELS, METHODS } from "../rules.generated.js";
import { handOver, submitEvaluation } from "../submit.js";
import { toWall, wallToIso } from "../timezone.js";
import { formatWallTime, parseWallTime } from "../wall-time.js";

// The channel and method an evaluator last used: most work in one of each all shift.
const METHOD_KEY = "laatu.method";
const CHANNEL_KEY = "laatu.channel";

function methodsFor(app, self) {
  if (self) return ["self"];
  // "external" is the auditors' method; "self" has its own page.
  return METHODS.filter((m) => m !== "self" && (m !== "external" || app.hasRole("auditor")));
}

async function newDraft(app, formId, self) {
  const form = await getForm(formId);
  if (!form.published) throw new Error(t("evaluate.notPublished"));
  const methods = methodsFor(app, self);
  const remembered = localStorage.getItem(METHOD_KEY);
  const now = toWall(Date.now(), app.timeZone);
  return {
    formId,
    self,
    formVersion: form.latest_version,
    definition: form.published,
    agentId: self ? app.me.agent_id ?? "" : "",
    channel: CHANNELS.includes(localStorage.getItem(CHANNEL_KEY)) ? localStorage.getItem(CHANNEL_KEY) : "phone",
    contactId: "",
    occurredAt: now,
    occurredText: formatWallTime(now, currentLanguage()),
    method: methods.includes(remembered) ? remembered : methods[0],
    recordingUrl: "",
    answers: {},
    comments: {},
    summary: "",
    // Made once per draft and kept with it: every try of this submission reuses it.
    idempotencyKey: newIdempotencyKey(),
  };
}

/** The agent field's suggestions: agents this person evaluated lately at once, then
 * the tenant's active roster when it arrives; no wait either way. */
function agentSuggestions(app, id) {
  const recent = recentAgents(app.me);
  const list = h("datalist", { id }, recent.map((a) => h("option", { value: a })));
  if (app.hasRole("admin", "evaluator", "auditor")) {
    listAgents().then((items) => {
      const known = new Set(recent);
      for (const agent of items) {
        if (!agent.active || known.has(agent.agent_id)) continue;
        list.append(h("option", { value: agent.agent_id }, agent.name || agent.agent_id));
      }
    }).catch(() => {}); // suggestions only: the field works without them
  }
  return list;
}

/** The request body (EvaluationInput in openapi.json) a draft stands for. */
export function bodyOf(draft, timeZone) {
  const contact = {
    channel: draft.channel,
    id: draft.contactId.trim(),
    occurred_at: wallToIso(draft.occurredAt, timeZone) ?? draft.occurredText ?? "",
  };
  if (draft.recordingUrl.trim()) contact.recording_url = draft.recordingUrl.trim();
  const comments = Object.fromEntries(
    Object.entries(draft.comments).filter(([, text]) => text.trim()).map(([id, text]) => [id, text.trim()]));
  return {
    form_id: draft.formId,
    form_version: draft.formVersion,
    agent_id: draft.agentId.trim(),
    contact,
    method: draft.method,
    answers: { ...draft.answers },
    comments,
    summary: draft.summary,
  };
}

/** What is missing before the server is even asked: [field, message key]. */
function checkDraft(draft, order) {
  const problems = [];
  if (!AGENT_ID.test(draft.agentId.trim())) problems.push(["agent_id", "evaluate.errorAgent"]);
  if (!draft.contactId.trim()) problems.push(["contact.id", "evaluate.errorContactId"]);
  if (!draft.occurredAt) problems.push(["contact.occurred_at", "evaluate.errorOccurredAt"]);
  for (const id of order) if (!draft.answers[id]) problems.push([`answers.${id}`, "evaluate.errorUnanswered"]);
  return problems;
}

export async function render(root, params, app) {
  const self = Boolean(params.self);
  const { me, timeZone, signal } = app;
  let draft = loadDraft(me, params.formId, self);
  const resumed = Boolean(draft);
  if (!draft) {
    draft = await newDraft(app, params.formId, self);
    saveDraft(me, draft);
  }
  const definition = draft.definition;
  document.title = `${definition.name} – Laatu`;

  const savedNote = h("p", { class: "draft-state" });
  const persist = () => {
    const ok = saveDraft(me, draft);
    savedNote.textContent = ok
      ? t("evaluate.draftSaved", { time: formatDateTime(draft.updatedAt, timeZone) })
      : t("evaluate.draftNotSaved");
  };

  // ---- contact details
  const input = (attrs, key) => {
    const control = h("input", { ...attrs, value: draft[key] ?? "" });
    control.addEventListener("input", () => {
      draft[key] = control.value;
      persist();
    });
    return control;
  };
  const select = (options, key, labelOf) => {
    const control = h("select", {}, options.map((o) => h("option", { value: o, selected: draft[key] === o }, labelOf(o))));
    control.addEventListener("change", () => {
      draft[key] = control.value;
      if (key === "method") localStorage.setItem(METHOD_KEY, control.value);
      if (key === "channel") localStorage.setItem(CHANNEL_KEY, control.value);
      persist();
    });
    return control;
  };

  const agentListId = uid("agents");
  const agent = self
    ? h("input", { value: draft.agentId, readonly: true })
    : input({ autocomplete: "off", spellcheck: "false", list: agentListId, required: true, maxlength: 128 }, "agentId");

  // The contact time: typed as text (wall-time.js), understood in the tenant's zone.
  const occurred = h("input", { value: draft.occurredText ?? "", autocomplete: "off", spellcheck: "false", id: uid("occ") });
  const understood = h("span", { class: "iso" });
  const showOccurred = () => {
    const iso = draft.occurredAt ? wallToIso(draft.occurredAt, timeZone) : null;
    understood.textContent = iso
      ? `= ${formatDateTime(iso, timeZone)} (UTC${iso.slice(-6)})`
      : t("evaluate.occurredUnclear");
    understood.classList.toggle("unclear", !iso);
  };
  occurred.addEventListener("input", () => {
    draft.occurredText = occurred.value;
    draft.occurredAt = parseWallTime(occurred.value, toWall(Date.now(), timeZone)) ?? "";
    showOccurred();
    persist();
  });
  showOccurred();
  const methods = methodsFor(app, self);
  const contact = h("fieldset", { class: "contact card" },
    h("legend", {}, t("evaluate.contact")),
    h("div", { class: "grid" },
      field({ label: t("evaluate.agent"), control: agent, name: "agent_id" }),
      self ? null : agentSuggestions(app, agentListId),
      field({ label: t("evaluate.contactId"), control: input({ autocomplete: "off", required: true, maxlength: 200 }, "contactId"), name: "contact.id" }),
      h("div", { class: "field", dataset: { field: "contact.occurred_at" } },
        h("label", { for: occurred.id }, t("evaluate.occurredAt")),
        occurred,
        h("p", { class: "hint", id: `${occurred.id}-hint` }, t("evaluate.occurredHint", { zone: timeZone }), " ", understood)),
      field({ label: t("evaluate.channel"), control: select(CHANNELS, "channel", (c) => t(`channel.${c}`)), name: "contact.channel" }),
      methods.length > 1
        ? field({ label: t("evaluate.method"), control: select(methods, "method", (m) => t(`method.${m}`)), name: "method" })
        : field({ label: t("evaluate.method"), control: h("input", { value: t(`method.${methods[0]}`), readonly: true }), name: "method" }),
      field({ label: t("evaluate.recording"), control: input({ type: "url", inputmode: "url", placeholder: "https://", maxlength: 2000 }, "recordingUrl"), name: "contact.recording_url" })));
  occurred.setAttribute("aria-describedby", `${occurred.id}-hint`);

  // ---- criteria and the live score
  const panel = createScorePanel(definition);
  const summary = h("textarea", { rows: 3, maxlength: 5000, value: draft.summary });
  summary.addEventListener("input", () => {
    draft.summary = summary.value;
    persist();
  });
  const progress = h("p", { class: "progress" });
  const total = definition.sections.reduce((n, s) => n + s.criteria.length, 0);
  const refreshScore = () => {
    const result = panel.update(draft.answers);
    for (const s of result.sections) {
      const badge = root.querySelector(`[data-section-score="${CSS.escape(s.id)}"]`);
      if (badge) badge.textContent = s.score === null ? "" : formatScore(s.score);
    }
    progress.textContent = t("evaluate.progress", { answered: Object.keys(draft.answers).length, total });
  };
  const criteria = renderCriteria({
    definition,
    answers: draft.answers,
    comments: draft.comments,
    onAnswer: (id, answer) => {
      draft.answers[id] = answer;
      persist();
      refreshScore();
    },
    onComment: (id, text) => {
      draft.comments[id] = text;
      persist();
    },
    onLast: () => summary.focus(),
  });

  // ---- submitting
  const submitButton = h("button", { class: "button primary", type: "button", id: "submit-evaluation" },
    t("evaluate.submit"), " ", h("kbd", { "aria-hidden": "true" }, "Ctrl+Enter"));
  const discardButton = h("button", { class: "button subtle", type: "button" }, t("evaluate.discard"));
  const errorBox = h("div", { class: "error-box", role: "alert", tabindex: "-1", hidden: true });
  const sending = h("p", { class: "sending", role: "status" });
  let busy = false;

  async function submit() {
    if (busy) return;
    clearFieldErrors(root);
    const problems = checkDraft(draft, criteria.order);
    if (problems.length) {
      let focusTarget = null;
      for (const [name, key] of problems) {
        const target = showFieldError(root, name, t(key));
        focusTarget ??= target;
      }
      focusTarget?.focus();
      announce(t("evaluate.fixProblems", { count: problems.length }));
      return;
    }
    busy = true;
    submitButton.disabled = true;
    sending.textContent = t("evaluate.sending");
    const body = bodyOf(draft, timeZone);
    const nextView = import("./evaluation.js"); // fetched while the API works
    try {
      const stored = await submitEvaluation(body, draft.idempotencyKey, {
        onRetry: (n) => {
          sending.textContent = t("evaluate.retrying", { attempt: n });
        },
      });
      removeDraft(me, draft.formId, self);
      if (!self) rememberAgent(me, body.agent_id);
      handOver(stored, definition);
      await nextView;
      navigate(`#/evaluations/${enc(stored.evaluation_id)}`);
    } catch (error) {
      if (!(error instanceof ApiError)) throw error;
      sending.textContent = "";
      const message = error.transient ? t("evaluate.offline") : errorMessage(error);
      const target = showFieldError(root, error.transient ? null : error.field, message);
      target?.focus();
      if (error.transient) submitButton.textContent = t("evaluate.retry");
    } finally {
      busy = false;
      submitButton.disabled = false;
    }
  }
  submitButton.addEventListener("click", submit);
  discardButton.addEventListener("click", () => {
    if (!window.confirm(t("evaluate.discardConfirm"))) return;
    removeDraft(me, draft.formId, self);
    navigate(self ? "#/self" : "#/evaluate");
  });
  document.addEventListener("keydown", (event) => {
    if (isSubmitShortcut(event)) {
      event.preventDefault();
      submit();
    }
  }, { signal });

  const heading = h("h1", { tabindex: "-1" }, definition.name);
  replaceChildren(root,
    h("div", { class: "page-head" },
      heading,
      h("p", { class: "subtle" },
        t(self ? "evaluate.selfSubtitle" : "evaluate.subtitle", { version: draft.formVersion }),
        resumed ? ` · ${t("evaluate.resumed")}` : "")),
    h("p", { class: "keys-help", id: uid("keys") }, t("evaluate.keysHelp")),
    errorBox,
    h("div", { class: "evaluate-layout" },
      h("div", { class: "evaluate-main" },
        contact,
        criteria.element,
        field({ label: t("evaluate.summary"), control: summary, name: "summary", className: "field card summary" }),
        h("div", { class: "submit-bar" }, submitButton, discardButton, progress, sending, savedNote)),
      panel.element));
  refreshScore();
  persist();

  // Pick up where the person was: the first empty contact field, else the first
  // unanswered criterion.
  const firstEmpty = [!self && !draft.agentId && agent, !draft.contactId && root.querySelector('[data-field="contact.id"] input')].find(Boolean);
  const unanswered = criteria.firstUnanswered(draft.answers);
  if (firstEmpty) firstEmpty.focus();
  else if (unanswered) criteria.focusCriterion(unanswered);
  else heading.focus();
}
