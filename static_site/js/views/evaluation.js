// One stored evaluation as the server keeps it: its score (the server's, not the
// page's), contact, answers with comments and summary. Right after a submit the
// page already holds both the evaluation and its form, so it shows them at once.

import { enc } from "../api.js";
import { getEvaluation } from "../api/evaluations.js";
import { getVersion } from "../api/forms.js";
import { h, replaceChildren } from "../dom.js";
import { formatDateTime, formatScore, t } from "../i18n.js";
import { takeOver } from "../submit.js";

const definitions = new Map(); // "form@version" → definition, for this page's life

export async function definitionOf(formId, version) {
  const key = `${formId}@${version}`;
  if (!definitions.has(key)) {
    definitions.set(key, getVersion(formId, version).then((v) => v.definition));
  }
  return definitions.get(key);
}

/** Sections with each criterion's answer and comment, for this page and My results. */
export function answersList(evaluation, definition) {
  return definition.sections.map((section) => h("section", { class: "answers-section" },
    h("h3", {}, section.title),
    h("ul", { class: "answers" }, section.criteria.map((criterion) => {
      const answer = evaluation.answers[criterion.id];
      const comment = evaluation.comments?.[criterion.id];
      return h("li", { class: `answer-row answer-${answer}` },
        h("span", { class: "answer-text" }, criterion.text),
        h("span", { class: `answer-value answer-${answer}` }, t(`answer.${answer}`)),
        comment ? h("p", { class: "answer-comment" }, comment) : null);
    }))));
}

export function scoreSummary(evaluation, definition) {
  const score = evaluation.score;
  const titles = new Map(definition.sections.map((s) => [s.id, s.title]));
  return h("div", { class: "stored-score" },
    h("p", { class: "score-value", dataset: { score: score.overall ?? "" } }, formatScore(score.overall)),
    h("p", { class: "subtle" }, score.scorable
      ? t("score.points", { yes: score.yes_points, applicable: score.applicable_points })
      : t("score.notScorable")),
    score.failed_critical.length
      ? h("p", { class: "score-critical" }, t("score.failedCritical", { count: score.failed_critical.length }))
      : null,
    h("ul", { class: "section-scores" }, score.sections.map((s) => h("li", {},
      h("span", {}, titles.get(s.id) ?? s.id), h("span", { class: "num" }, formatScore(s.score))))));
}

export async function render(root, params, app) {
  const handed = takeOver(params.evaluationId);
  const evaluation = handed?.evaluation ?? (await getEvaluation(params.evaluationId));
  const definition = handed?.definition ?? (await definitionOf(evaluation.form_id, evaluation.form_version));
  document.title = `${t("evaluation.title")} – Laatu`;
  const contact = evaluation.contact;
  const rows = [
    ["evaluation.agent", evaluation.agent_id],
    ["evaluation.channel", t(`channel.${contact.channel}`)],
    ["evaluation.contactId", contact.id],
    ["evaluation.occurredAt", formatDateTime(contact.occurred_at, app.timeZone)],
    ["evaluation.method", t(`method.${evaluation.method}`)],
    ["evaluation.form", `${definition.name} (v${evaluation.form_version})`],
    ["evaluation.evaluator", evaluation.evaluator],
    ["evaluation.storedAt", formatDateTime(evaluation.created_at, app.timeZone)],
  ];
  const again = evaluation.method === "self" ? "#/self/" : "#/evaluate/";
  const heading = h("h1", { tabindex: "-1" }, t(handed ? "evaluation.storedTitle" : "evaluation.title"));
  const next = h("a", { class: "button primary", href: `${again}${enc(evaluation.form_id)}` }, t("evaluation.another"));
  // Acknowledgement and disputes (not for a self-evaluation) load after the evaluation
  // shows, at the end of the column so nothing above them moves.
  const coaching = evaluation.method === "self" ? null : h("div", { class: "coaching-part" });
  replaceChildren(root,
    h("article", { class: "stored", dataset: { storedEvaluation: "", evaluationId: evaluation.evaluation_id } },
      h("div", { class: "page-head" }, heading,
        handed ? h("p", { class: "success", role: "status" }, t("evaluation.storedNote")) : null),
      h("div", { class: "evaluate-layout" },
        h("div", { class: "evaluate-main" },
          h("section", { class: "card" },
            h("h2", {}, t("evaluate.contact")),
            h("dl", { class: "facts" }, rows.map(([key, value]) => [h("dt", {}, t(key)), h("dd", {}, value)])),
            contact.recording_url
              ? h("p", {}, h("a", { href: contact.recording_url, rel: "noopener noreferrer", target: "_blank" }, t("evaluation.recording")))
              : null),
          h("section", { class: "card" }, h("h2", {}, t("evaluation.answers")), answersList(evaluation, definition)),
          evaluation.summary ? h("section", { class: "card" }, h("h2", {}, t("evaluate.summary")), h("p", { class: "prewrap" }, evaluation.summary)) : null,
          h("div", { class: "submit-bar" }, next),
          coaching),
        h("aside", { class: "score-panel", "aria-label": t("score.stored") },
          h("h2", {}, t("score.stored")), scoreSummary(evaluation, definition)))));
  (handed ? next : heading).focus();
  if (coaching) {
    import("./coaching/evaluation-part.js")
      .then((part) => (app.signal.aborted ? null : part.mount(coaching, evaluation, definition, app)))
      .catch((error) => console.error(error)); // the evaluation itself is shown either way
  }
}
