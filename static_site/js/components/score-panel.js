// The live score beside the criteria: what the server will store, recomputed on
// every answer (scoring.js), with the sections and a failed critical criterion
// spelled out, so the number never surprises anyone after submitting.

import { h, replaceChildren } from "../dom.js";
import { formatScore, t } from "../i18n.js";
import { isWeighted, report, score } from "../scoring.js";

export function createScorePanel(definition) {
  const overall = h("p", { class: "score-value", dataset: { liveScore: "" } }, "–");
  const state = h("p", { class: "score-state" });
  const points = h("p", { class: "score-points" });
  const critical = h("p", { class: "score-critical", hidden: true });
  const list = h("ul", { class: "section-scores" });
  const sectionTitles = new Map(definition.sections.map((s) => [s.id, s.title]));
  const element = h("aside", { class: "score-panel", "aria-label": t("score.title") },
    h("h2", {}, t("score.title")),
    h("div", { role: "status", "aria-live": "polite", "aria-atomic": "true" }, overall, state),
    points,
    critical,
    isWeighted(definition) ? h("p", { class: "hint" }, t("score.weighted")) : null,
    list);

  function update(answers) {
    const total = definition.sections.reduce((n, s) => n + s.criteria.length, 0);
    const answered = Object.values(answers).filter(Boolean).length;
    const result = report(score(definition, answers));
    overall.textContent = formatScore(result.overall);
    overall.dataset.liveScore = result.overall ?? "";
    state.textContent = answered === total
      ? (result.scorable ? t("score.complete") : t("score.notScorable"))
      : t("score.provisional", { answered, total });
    points.textContent = t("score.points", { yes: result.yes_points, applicable: result.applicable_points });
    critical.hidden = result.failed_critical.length === 0;
    critical.textContent = t("score.failedCritical", { count: result.failed_critical.length });
    replaceChildren(list, result.sections.map((s) => h("li", {},
      h("span", {}, sectionTitles.get(s.id)), h("span", { class: "num" }, formatScore(s.score)))));
    return result;
  }

  return { element, update };
}
