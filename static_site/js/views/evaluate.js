// Evaluating one contact: contact details, every criterion answered, a live score,
// submit. Everything typed goes into the draft at once (drafts.js), so a reload or
// a dropped connection loses nothing; the draft's Idempotency-Key goes with every
// try of the submission (submit.js). This module wires the page: the draft's rules
// are evaluate/model.js, the DOM evaluate/view.js.

import { ApiError, enc } from "../api.js";
import { listAgents } from "../api/agents.js";
import { getForm } from "../api/forms.js";
import { announce } from "../dom.js";
import { loadDraft, recentAgents, rememberAgent, removeDraft, saveDraft } from "../drafts.js";
import { errorMessage } from "../errors.js";
import { currentLanguage, t } from "../i18n.js";
import { isSubmitShortcut } from "../keys.js";
import { navigate } from "../router.js";
import { handOver, submitEvaluation } from "../submit.js";
import {
  bodyOf, checkDraft, criteriaCount, methodsFor, newDraft, occurredIso, rememberChoice, setOccurred,
} from "./evaluate/model.js";
import { EvaluateView } from "./evaluate/view.js";

/** The agent field's suggestions: agents this person evaluated lately at once, then
 * the tenant's active roster when it arrives; no wait either way. */
function suggestAgents(app, view) {
  const recent = recentAgents(app.me);
  view.addAgentSuggestions(recent.map((a) => [a]));
  if (!app.hasRole("admin", "evaluator", "auditor")) return;
  listAgents().then((items) => {
    const known = new Set(recent);
    view.addAgentSuggestions(items.filter((a) => a.active && !known.has(a.agent_id)).map((a) => [a.agent_id, a.name || a.agent_id]));
  }).catch(() => {}); // suggestions only: the field works without them
}

export async function render(root, params, app) {
  const self = Boolean(params.self);
  const { me, timeZone, signal } = app;
  let draft = loadDraft(me, params.formId, self);
  const resumed = Boolean(draft);
  if (!draft) {
    draft = newDraft(app, params.formId, await getForm(params.formId), self, currentLanguage());
    if (!draft) throw new Error(t("evaluate.notPublished"));
    saveDraft(me, draft);
  }
  const definition = draft.definition;
  const total = criteriaCount(definition);
  document.title = `${definition.name} – Laatu`;

  const persist = () => view.showSaved(saveDraft(me, draft) ? draft.updatedAt : null);
  let busy = false;

  async function submit() {
    if (busy) return;
    view.clearProblems();
    const problems = checkDraft(draft, view.criteria.order);
    if (problems.length) {
      view.showProblems(problems.map(([name, key]) => [name, t(key)]));
      announce(t("evaluate.fixProblems", { count: problems.length }));
      return;
    }
    busy = true;
    view.sendingState(true, t("evaluate.sending"));
    const body = bodyOf(draft, timeZone);
    const nextView = import("./evaluation.js"); // fetched while the API works
    try {
      const stored = await submitEvaluation(body, draft.idempotencyKey, {
        onRetry: (n) => view.sendingState(true, t("evaluate.retrying", { attempt: n })),
      });
      removeDraft(me, draft.formId, self);
      if (!self) rememberAgent(me, body.agent_id);
      handOver(stored, definition);
      await nextView;
      navigate(`#/evaluations/${enc(stored.evaluation_id)}`);
    } catch (error) {
      if (!(error instanceof ApiError)) throw error;
      view.sendingState(false, "");
      const message = error.transient ? t("evaluate.offline") : errorMessage(error);
      view.showProblems([[error.transient ? null : error.field, message]]);
      if (error.transient) view.offerRetry();
    } finally {
      busy = false;
      view.submitButton.disabled = false;
    }
  }

  const view = new EvaluateView(root, {
    draft,
    self,
    resumed,
    methods: methodsFor(app, self),
    timeZone,
    on: {
      input: (key, value) => {
        draft[key] = value;
        persist();
      },
      choose: (key, value) => {
        draft[key] = value;
        rememberChoice(key, value);
        persist();
      },
      occurred: (text) => {
        setOccurred(draft, text, timeZone);
        view.showOccurred(occurredIso(draft, timeZone));
        persist();
      },
      answer: (id, answer) => {
        draft.answers[id] = answer;
        persist();
        view.showScore(draft.answers, total);
      },
      comment: (id, text) => {
        draft.comments[id] = text;
        persist();
      },
      submit,
      discard: () => {
        if (!window.confirm(t("evaluate.discardConfirm"))) return;
        removeDraft(me, draft.formId, self);
        navigate(self ? "#/self" : "#/evaluate");
      },
    },
  });
  if (!self) suggestAgents(app, view);
  document.addEventListener("keydown", (event) => {
    if (isSubmitShortcut(event)) {
      event.preventDefault();
      submit();
    }
  }, { signal });

  view.showOccurred(occurredIso(draft, timeZone));
  view.showScore(draft.answers, total);
  persist();
  view.focusStart(draft, self);
}
