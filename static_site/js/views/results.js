// "My results": an agent's own month (average score, pass rate per criterion) and
// own evaluations with every answer and comment. Evaluators, auditors and QA
// managers see the same page for any agent they name.

import { ApiError, enc } from "../api.js";
import { agentSummary } from "../api/agents.js";
import { listEvaluations } from "../api/evaluations.js";
import { getForm } from "../api/forms.js";
import { field, h, replaceChildren } from "../dom.js";
import { formatDateTime, formatInteger, formatMonth, formatScore, t } from "../i18n.js";
import { navigate } from "../router.js";
import { currentMonth, monthRange, shiftMonth } from "../timezone.js";
import { answersList, definitionOf } from "./evaluation.js";

const MONTH = /^\d{4}-(0[1-9]|1[0-2])$/;
// A report's drill-down narrows the list to its days (from/to, ISO instants) and to
// the evaluations that answered one criterion ("form/criterion"); the figures stay the month's.
const instant = (text) => (text && !Number.isNaN(Date.parse(text)) ? text : null);

/** Criterion texts and their order in the forms named in a summary, from the
 * forms' latest versions: "form/criterion" → {text, rank}. */
async function criterionTexts(formIds) {
  const texts = new Map();
  await Promise.all(formIds.map(async (formId) => {
    try {
      const form = await getForm(formId);
      for (const s of form.published?.sections ?? []) {
        for (const c of s.criteria) texts.set(`${formId}/${c.id}`, { text: c.text, rank: texts.size });
      }
    } catch {
      // a form that cannot be read shows its criterion ids instead
    }
  }));
  return texts;
}

export async function render(root, params, app) {
  const onlyAgent = app.hasRole("agent") && !app.hasRole("admin", "evaluator", "auditor");
  const agentId = onlyAgent ? app.me.agent_id : (params.agent ?? (app.hasRole("agent") ? app.me.agent_id : "")) || "";
  const month = MONTH.test(params.month ?? "") ? params.month : currentMonth(app.timeZone);
  const own = agentId && agentId === app.me.agent_id;
  const title = own ? t("results.myTitle") : t("results.title");
  document.title = `${title} – Laatu`;
  const go = (agent, m) => navigate(`#/results?${new URLSearchParams({ ...(agent ? { agent } : {}), month: m })}`);

  const heading = h("h1", { tabindex: "-1" }, title);
  const monthInput = h("input", { type: "month", value: month, required: true });
  monthInput.addEventListener("change", () => MONTH.test(monthInput.value) && go(agentId, monthInput.value));
  const agentInput = onlyAgent ? null : h("input", { value: agentId, autocomplete: "off", spellcheck: "false" });
  const controls = h("form", { class: "toolbar card", role: "search" },
    agentInput ? field({ label: t("results.agent"), control: agentInput, name: "agent_id" }) : null,
    h("button", { class: "button subtle", type: "button", "aria-label": t("results.previous") }, "‹"),
    field({ label: t("results.month"), control: monthInput, name: "period" }),
    h("button", { class: "button subtle", type: "button", "aria-label": t("results.next") }, "›"),
    agentInput ? h("button", { class: "button", type: "submit" }, t("results.show")) : null,
    app.hasRole("agent") ? h("a", { class: "button primary", href: "#/self" }, t("results.startSelf")) : null);
  const [prev, next] = controls.querySelectorAll("button[type=button]");
  prev.addEventListener("click", () => go(agentId, shiftMonth(month, -1)));
  next.addEventListener("click", () => go(agentId, shiftMonth(month, 1)));
  controls.addEventListener("submit", (event) => {
    event.preventDefault();
    go(agentInput.value.trim(), monthInput.value || month);
  });
  const body = h("div", { class: "results" });
  replaceChildren(root, h("div", { class: "page-head" }, heading,
    h("p", { class: "subtle" }, agentId ? t("results.subtitle", { agent: agentId, month: formatMonth(month), zone: app.timeZone }) : t("results.pickAgent"))),
  controls, body);
  heading.focus();
  if (!agentId) return;

  const narrowed = instant(params.from) && instant(params.to) ? { from: params.from, to: params.to } : null;
  const [criterionForm, criterionId] = /^[^/]+\/[^/]+$/.test(params.criterion ?? "") ? params.criterion.split("/") : [null, null];
  const range = narrowed ?? monthRange(month, app.timeZone);
  let summary;
  let page;
  try {
    [summary, page] = await Promise.all([
      agentSummary(agentId, month),
      listEvaluations({ agent_id: agentId, from: range.from, to: range.to, limit: "200" }),
    ]);
  } catch (error) {
    if (!(error instanceof ApiError)) throw error;
    replaceChildren(body, h("p", { class: "error-box", role: "alert" }, error.message));
    return;
  }
  const texts = await criterionTexts([...new Set(summary.criteria.map((c) => c.form_id))]);
  const rank = (c) => texts.get(`${c.form_id}/${c.criterion_id}`)?.rank ?? Number.MAX_SAFE_INTEGER;
  const criteriaRows = [...summary.criteria].sort((a, b) => rank(a) - rank(b));

  const figures = h("section", { class: "card figures", "aria-labelledby": "fig-h" },
    h("h2", { id: "fig-h" }, t("results.figuresFor", { month: formatMonth(month) })),
    h("dl", { class: "big-figures" },
      h("div", {}, h("dt", {}, t("results.average")), h("dd", { dataset: { average: summary.average_score ?? "" } }, formatScore(summary.average_score))),
      h("div", {}, h("dt", {}, t("results.evaluations")), h("dd", { dataset: { count: String(summary.evaluations) } }, formatInteger(summary.evaluations))),
      h("div", {}, h("dt", {}, t("results.scored")), h("dd", {}, formatInteger(summary.scored)))),
    h("p", { class: "hint" }, t("results.selfNotCounted")));

  const rates = h("section", { class: "card", "aria-labelledby": "rates-h" },
    h("h2", { id: "rates-h" }, t("results.passRates")),
    summary.criteria.length
      ? h("table", { class: "rates" },
        h("thead", {}, h("tr", {},
          h("th", { scope: "col" }, t("results.criterion")),
          h("th", { scope: "col", class: "num" }, t("answer.yes")),
          h("th", { scope: "col", class: "num" }, t("answer.no")),
          h("th", { scope: "col", class: "num" }, t("results.passRate")))),
        h("tbody", {}, criteriaRows.map((c) => h("tr", { dataset: { criterion: c.criterion_id } },
          h("th", { scope: "row" }, texts.get(`${c.form_id}/${c.criterion_id}`)?.text ?? c.criterion_id),
          h("td", { class: "num" }, formatInteger(c.yes)),
          h("td", { class: "num" }, formatInteger(c.no)),
          h("td", { class: "num" }, h("span", { class: "bar", dataset: { rate: c.pass_rate ?? "" } }, formatScore(c.pass_rate)))))))
      : h("p", {}, t("results.noFigures")));

  const items = criterionId
    ? page.items.filter((e) => e.form_id === criterionForm && e.answers?.[criterionId] !== undefined)
    : page.items;
  const criterionText = criterionId ? (texts.get(`${criterionForm}/${criterionId}`)?.text ?? criterionId) : null;
  const filterNote = narrowed || criterionId ? h("p", { class: "notice", dataset: { filtered: params.criterion ?? "" } },
    t(criterionId ? "results.filteredCriterion" : "results.filtered", {
      from: formatDateTime(range.from, app.timeZone), to: formatDateTime(range.to, app.timeZone), criterion: criterionText,
    }), " ",
    h("a", { href: `#/results?${new URLSearchParams({ agent: agentId, month })}` }, t("results.wholeMonth"))) : null;
  const list = h("section", { class: "card", "aria-labelledby": "evals-h" },
    h("h2", { id: "evals-h" }, t("results.evaluationsList")),
    filterNote,
    items.length
      ? h("ul", { class: "evaluation-list" }, items.map((evaluation) => evaluationItem(evaluation, app, criterionId)))
      : h("p", {}, t("results.noEvaluations")));

  replaceChildren(body, figures, rates, list);
}

function evaluationItem(evaluation, app, criterionId = null) {
  const content = h("div", { class: "details-body" }, h("p", { class: "subtle" }, "…"));
  const details = h("details", { dataset: { evaluationId: evaluation.evaluation_id } },
    h("summary", {},
      h("span", {}, formatDateTime(evaluation.contact.occurred_at, app.timeZone)),
      h("span", {}, t(`method.${evaluation.method}`)),
      h("span", {}, `${t(`channel.${evaluation.contact.channel}`)} ${evaluation.contact.id}`,
        criterionId ? h("span", { class: `answer-value answer-${evaluation.answers[criterionId]}`, dataset: { answer: evaluation.answers[criterionId] } },
          ` · ${t(`answer.${evaluation.answers[criterionId]}`)}`) : null),
      h("span", { class: "num", dataset: { score: evaluation.score.overall ?? "" } }, formatScore(evaluation.score.overall))),
    content);
  details.addEventListener("toggle", async () => {
    if (!details.open || details.dataset.loaded) return;
    details.dataset.loaded = "1";
    try {
      const definition = await definitionOf(evaluation.form_id, evaluation.form_version);
      replaceChildren(content,
        answersList(evaluation, definition),
        evaluation.summary ? h("p", { class: "prewrap" }, h("strong", {}, `${t("evaluate.summary")}: `), evaluation.summary) : null,
        h("p", {}, h("a", { href: `#/evaluations/${enc(evaluation.evaluation_id)}` }, t("results.open"))));
    } catch (error) {
      replaceChildren(content, h("p", { class: "error-box", role: "alert" }, error.message));
    }
  });
  return h("li", {}, details);
}
