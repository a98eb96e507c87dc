// One dispute (#/disputes/{id}): the evaluation it is about, the reason and the
// criteria it names, the review deadline and its history. A reviewer (never the
// evaluation's own evaluator) takes it into review, then rejects it with a reason or
// upholds it: upholding opens the evaluation in the evaluation page's criteria,
// prefilled with the evaluation as it now reads and the named criteria marked, and
// the corrected evaluation goes with the decision (with the revision it corrects),
// stored as the evaluation's next revision in the same step.

import { ApiError, enc } from "../api.js";
import { decideDispute, getDispute, takeIntoReview, withdrawDispute } from "../api/disputes.js";
import { getEvaluation } from "../api/evaluations.js";
import { getVersion } from "../api/forms.js";
import { renderCriteria } from "../components/criteria.js";
import { createScorePanel } from "../components/score-panel.js";
import { announce, field, h, replaceChildren } from "../dom.js";
import { clearFieldErrors, showFieldError } from "../field-errors.js";
import { formatDateTime, formatScore, t } from "../i18n.js";
import { isSubmitShortcut } from "../keys.js";
import { actionButton, coachingError, inboxChanged, pageHead, prepare, showFailure, statusLine } from "./coaching/common.js";
import { UNDECIDED, criterionTexts, disputeSummary, historyTable } from "./coaching/dispute-parts.js";

const REASON_MAX = 2000;

/** The EvaluationInput of `evaluation` with `changes` (answers, comments, summary). */
export function correctedBody(evaluation, { answers, comments, summary }) {
  const c = evaluation.contact;
  const contact = { channel: c.channel, id: c.id, occurred_at: c.occurred_at };
  if (c.duration_s !== undefined && c.duration_s !== null) contact.duration_s = c.duration_s;
  if (c.recording_url) contact.recording_url = c.recording_url;
  return {
    form_id: evaluation.form_id,
    form_version: evaluation.form_version,
    agent_id: evaluation.agent_id,
    contact,
    method: evaluation.method,
    answers: { ...answers },
    comments: Object.fromEntries(Object.entries(comments).filter(([, text]) => text.trim()).map(([id, text]) => [id, text.trim()])),
    summary: summary.trim(),
  };
}

function evaluationFacts(evaluation, definition, zone) {
  const rows = [
    ["evaluation.agent", evaluation.agent_id],
    ["evaluation.evaluator", evaluation.evaluator],
    ["evaluation.form", `${definition.name} (v${evaluation.form_version})`],
    ["evaluation.method", t(`method.${evaluation.method}`)],
    ["evaluation.occurredAt", formatDateTime(evaluation.contact.occurred_at, zone)],
    ["dispute.currentRevision", String(evaluation.revision)],
    ["score.stored", formatScore(evaluation.score.overall)],
  ];
  return h("section", { class: "card", "aria-labelledby": "eval-h" },
    h("h2", { id: "eval-h" }, t("dispute.evaluation")),
    h("dl", { class: "facts" }, rows.map(([key, value]) => [h("dt", {}, t(key)), h("dd", {}, value)])),
    h("p", {}, h("a", { href: `#/evaluations/${enc(evaluation.evaluation_id)}` }, t("dispute.openEvaluation"))));
}

/** Reject: a reason, then the decision. */
function rejectForm(dispute, onDecided) {
  const reason = h("textarea", { rows: 3, maxlength: REASON_MAX, required: true });
  const status = statusLine();
  const form = h("form", { class: "card reject-form", novalidate: true, "aria-labelledby": "reject-h" },
    h("h2", { id: "reject-h" }, t("dispute.rejectTitle")),
    h("div", { class: "error-box", role: "alert", tabindex: "-1", hidden: true }),
    field({ label: t("dispute.rejectReason"), control: reason, name: "reason", hint: t("dispute.rejectHint") }),
    h("div", { class: "actions" }, h("button", { class: "button", type: "submit" }, t("dispute.reject")), status));
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    clearFieldErrors(form);
    if (!reason.value.trim()) {
      showFieldError(form, "reason", t("dispute.errorDecisionReason"))?.focus();
      return;
    }
    status.textContent = t("coaching.sending");
    try {
      const decided = await decideDispute(dispute.dispute_id, { outcome: "rejected", reason: reason.value.trim() });
      inboxChanged();
      onDecided(decided, "dispute.rejected");
    } catch (error) {
      if (!(error instanceof ApiError)) throw error;
      status.textContent = "";
      showFieldError(form, error.field ?? "reason", coachingError(error))?.focus();
    }
  });
  return form;
}

/** Uphold: the evaluation editor prefilled with the evaluation as it reads now, the
 * criteria the dispute names marked, the live score, and the decision's reason. */
function upholdEditor(dispute, evaluation, definition, app, onDecided) {
  const named = new Set(dispute.criteria ?? []);
  const state = {
    answers: { ...evaluation.answers },
    comments: { ...(evaluation.comments ?? {}) },
    summary: evaluation.summary ?? "",
  };
  const total = definition.sections.reduce((n, s) => n + s.criteria.length, 0);
  const panel = createScorePanel(definition);
  const summary = h("textarea", { rows: 3, maxlength: 5000, value: state.summary });
  summary.addEventListener("input", () => {
    state.summary = summary.value;
  });
  const progress = h("p", { class: "progress" });
  const criteria = renderCriteria({
    definition,
    answers: state.answers,
    comments: state.comments,
    onAnswer: (id, answer) => {
      state.answers[id] = answer;
      showScore();
    },
    onComment: (id, text) => {
      state.comments[id] = text;
    },
    onLast: () => summary.focus(),
  });
  for (const id of named) {
    const block = criteria.element.querySelector(`[data-criterion-block="${CSS.escape(id)}"]`);
    block?.classList.add("disputed");
    block?.querySelector(".badges")?.prepend(h("span", { class: "badge disputed-badge" }, t("dispute.namedBadge")));
  }
  function showScore() {
    const result = panel.update(state.answers);
    for (const s of result.sections) {
      const badge = criteria.element.querySelector(`[data-section-score="${CSS.escape(s.id)}"]`);
      if (badge) badge.textContent = s.score === null ? "" : formatScore(s.score);
    }
    progress.textContent = t("evaluate.progress", { answered: Object.keys(state.answers).length, total });
  }
  const reason = h("textarea", { rows: 3, maxlength: REASON_MAX, required: true });
  const submit = h("button", { class: "button primary", type: "submit", id: "uphold-submit" },
    t("dispute.upholdSubmit"), " ", h("kbd", { "aria-hidden": "true" }, "Ctrl+Enter"));
  const cancel = h("button", { class: "button subtle", type: "button" }, t("dispute.cancel"));
  const status = h("p", { class: "sending", role: "status" });
  const heading = h("h2", { id: "uphold-h", tabindex: "-1" }, t("dispute.upholdTitle"));
  const stale = evaluation.revision !== dispute.evaluation_revision
    ? h("p", { class: "notice" }, t("dispute.revisedSince", { disputed: dispute.evaluation_revision, current: evaluation.revision }))
    : null;
  const form = h("form", { class: "uphold-editor", novalidate: true, "aria-labelledby": "uphold-h" },
    heading,
    h("p", {}, t(named.size ? "dispute.upholdHelpNamed" : "dispute.upholdHelpWhole", { revision: evaluation.revision })),
    stale,
    h("p", { class: "keys-help" }, t("evaluate.keysHelp")),
    h("div", { class: "error-box", role: "alert", tabindex: "-1", hidden: true }),
    h("div", { class: "evaluate-layout" },
      h("div", { class: "evaluate-main" },
        criteria.element,
        field({ label: t("evaluate.summary"), control: summary, name: `evaluation.summary`, className: "field card summary" }),
        field({ label: t("dispute.upholdReason"), control: reason, name: "reason", className: "field card", hint: t("dispute.upholdReasonHint") }),
        h("div", { class: "submit-bar" }, submit, cancel, progress, status)),
      panel.element));
  let busy = false;
  async function send() {
    if (busy) return;
    clearFieldErrors(form);
    const problems = [];
    for (const id of criteria.order) if (!state.answers[id]) problems.push([`evaluation.answers.${id}`, t("evaluate.errorUnanswered")]);
    if (!reason.value.trim()) problems.push(["reason", t("dispute.errorDecisionReason")]);
    if (problems.length) {
      problems.map(([name, text]) => showFieldError(form, name, text)).find(Boolean)?.focus();
      announce(t("coaching.fixProblems", { count: problems.length }));
      return;
    }
    busy = true;
    submit.disabled = true;
    status.textContent = t("coaching.sending");
    try {
      const decided = await decideDispute(dispute.dispute_id, {
        outcome: "upheld",
        reason: reason.value.trim(),
        evaluation: correctedBody(evaluation, state),
        evaluation_revision: evaluation.revision,
      });
      inboxChanged();
      onDecided(decided, "dispute.upheld");
    } catch (error) {
      if (!(error instanceof ApiError)) throw error;
      status.textContent = "";
      // The API names a corrected evaluation's field under "evaluation." (or bare).
      const name = error.field && !error.field.startsWith("evaluation.") && error.field !== "reason" ? `evaluation.${error.field}` : error.field;
      showFieldError(form, name, coachingError(error))?.focus();
    } finally {
      busy = false;
      if (submit.isConnected) submit.disabled = false;
    }
  }
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    send();
  });
  document.addEventListener("keydown", (event) => {
    if (form.isConnected && isSubmitShortcut(event)) {
      event.preventDefault();
      send();
    }
  }, { signal: app.signal });
  // The criteria component names its fields answers.{id}: the API's are evaluation.answers.{id}.
  for (const el of criteria.element.querySelectorAll("[data-field]")) el.dataset.field = `evaluation.${el.dataset.field}`;
  showScore();
  return {
    element: form,
    cancel,
    focus: () => {
      const first = criteria.order.find((id) => named.has(id)) ?? criteria.order[0];
      criteria.focusCriterion(first);
    },
  };
}

export async function render(root, params, app) {
  await prepare();
  const { head, heading } = pageHead(app, "#/disputes", t("dispute.pageTitle"));
  let dispute;
  let evaluation;
  let definition;
  try {
    dispute = await getDispute(params.disputeId, { signal: app.signal });
    evaluation = await getEvaluation(dispute.evaluation_id);
    definition = (await getVersion(evaluation.form_id, evaluation.form_version)).definition;
  } catch (error) {
    if (app.signal.aborted) return;
    showFailure(root, head, error);
    heading.focus();
    return;
  }
  if (app.signal.aborted) return;
  const texts = criterionTexts(definition);
  const zone = app.timeZone;

  async function reloadAndShow(focus, message) {
    dispute = await getDispute(dispute.dispute_id);
    evaluation = await getEvaluation(dispute.evaluation_id);
    // An upheld dispute stores the evaluation on the form version it had: the definition stays.
    show(focus, message);
  }

  function show(focus = null, message = null) {
    const undecided = UNDECIDED.has(dispute.state);
    const reviewer = app.hasRole("admin");
    const own = evaluation.evaluator === app.me.user;
    const status = statusLine();
    const decisionSlot = h("div", {});
    const parts = [];
    if (message) parts.push(h("p", { class: "success", role: "status", tabindex: "-1", dataset: { outcome: message } }, t(message)));
    if (undecided && reviewer && own) parts.push(h("p", { class: "notice" }, t("dispute.ownEvaluation")));
    if (undecided && reviewer && !own && dispute.state === "open") {
      parts.push(h("div", { class: "card" }, h("p", {}, t("dispute.takeHelp")),
        actionButton(t("dispute.take"), async () => {
          try {
            dispute = await takeIntoReview(dispute.dispute_id);
            inboxChanged();
            show("decide");
          } catch (error) {
            if (!(error instanceof ApiError)) throw error;
            status.textContent = coachingError(error);
          }
        }, "button primary"), status));
    }
    if (undecided && dispute.state === "in_review" && dispute.reviewer && dispute.reviewer !== app.me.user) {
      parts.push(h("p", { class: "notice" }, t("dispute.inReviewBy", { who: dispute.reviewer })));
    }
    const decides = undecided && dispute.state === "in_review" && dispute.reviewer === app.me.user;
    if (decides) {
      const uphold = h("button", { class: "button primary", type: "button", "aria-controls": "decision-slot", "aria-expanded": "false" }, t("dispute.uphold"));
      const reject = h("button", { class: "button", type: "button", "aria-controls": "decision-slot", "aria-expanded": "false" }, t("dispute.rejectOpen"));
      const reset = () => {
        replaceChildren(decisionSlot);
        uphold.setAttribute("aria-expanded", "false");
        reject.setAttribute("aria-expanded", "false");
      };
      uphold.addEventListener("click", () => {
        const editorPart = upholdEditor(dispute, evaluation, definition, app, (decided, key) => {
          dispute = decided;
          reloadAndShow("message", key);
        });
        editorPart.cancel.addEventListener("click", () => {
          reset();
          uphold.focus();
        });
        replaceChildren(decisionSlot, editorPart.element);
        uphold.setAttribute("aria-expanded", "true");
        reject.setAttribute("aria-expanded", "false");
        editorPart.focus();
      });
      reject.addEventListener("click", () => {
        const form = rejectForm(dispute, (decided, key) => {
          dispute = decided;
          show("message", key);
        });
        replaceChildren(decisionSlot, form);
        reject.setAttribute("aria-expanded", "true");
        uphold.setAttribute("aria-expanded", "false");
        form.querySelector("textarea").focus();
      });
      parts.push(h("div", { class: "card decide-box", id: "decide" },
        h("h2", { tabindex: "-1" }, t("dispute.decideTitle")),
        h("p", {}, t("dispute.decideHelp")),
        h("div", { class: "actions" }, uphold, reject)));
    }
    const withdrawable = undecided && ((app.me.agent_id && app.me.agent_id === dispute.agent_id) || dispute.opened_by === app.me.user);
    decisionSlot.id = "decision-slot";
    replaceChildren(root, head,
      parts,
      h("section", { class: "card", "aria-labelledby": "dispute-h" },
        h("h2", { id: "dispute-h" }, t("dispute.about")),
        disputeSummary(dispute, { texts, zone, headingLevel: "h3" }),
        withdrawable ? actionButton(t("dispute.withdraw"), async () => {
          if (!window.confirm(t("dispute.withdrawConfirm"))) return;
          try {
            dispute = await withdrawDispute(dispute.dispute_id);
            inboxChanged();
            show("message", "dispute.withdrawn");
          } catch (error) {
            if (!(error instanceof ApiError)) throw error;
            status.textContent = coachingError(error);
          }
        }, "button subtle") : null,
        withdrawable ? status : null),
      decisionSlot,
      evaluationFacts(evaluation, definition, zone),
      h("section", { class: "card", "aria-labelledby": "history-h" }, h("h2", { id: "history-h" }, t("dispute.history")), historyTable(dispute, zone)));
    root.dataset.ready = "true";
    root.dataset.state = dispute.state;
    const target = focus === "message" ? root.querySelector("[data-outcome]") : focus === "decide" ? root.querySelector("#decide h2") : null;
    (target ?? heading).focus();
  }
  show();
}
