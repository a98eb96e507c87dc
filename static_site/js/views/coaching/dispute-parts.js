// A dispute as the stored-evaluation page and the dispute page show it: its state in
// words, who opened it and why, the criteria it names, the review deadline, the
// decision, and every state change with who and when.

import { enc } from "../../api.js";
import { h } from "../../dom.js";
import { formatDateTime, t } from "../../i18n.js";
import { byAt, dueLine, stateBadge } from "./common.js";

export const UNDECIDED = new Set(["open", "in_review"]);

/** criterion id → its text, from a form definition (null: ids only). */
export function criterionTexts(definition) {
  return new Map((definition?.sections ?? []).flatMap((s) => s.criteria.map((c) => [c.id, c.text])));
}

export function historyTable(dispute, zone) {
  return h("div", { class: "table-scroll" }, h("table", { class: "history-table" },
    h("caption", {}, t("dispute.history")),
    h("thead", {}, h("tr", {},
      ["dispute.historyState", "dispute.historyBy", "dispute.historyAt", "dispute.historyReason"].map((k) => h("th", { scope: "col" }, t(k))))),
    h("tbody", {}, (dispute.history ?? []).map((step) => h("tr", { dataset: { state: step.state } },
      h("td", {}, stateBadge("dispute", step.state)),
      h("td", {}, step.by),
      h("td", {}, formatDateTime(step.at, zone)),
      h("td", { class: "prewrap" }, step.reason ?? "–"))))));
}

/** The dispute's facts and reason; `link` adds a link to its own page. */
export function disputeSummary(dispute, { texts, zone, link = false, headingLevel = "h3" }) {
  const undecided = UNDECIDED.has(dispute.state);
  const decision = dispute.decision;
  const rows = [
    ["dispute.stateLabel", stateBadge("dispute", dispute.state)],
    ["dispute.openedBy", byAt(dispute.opened_by, dispute.opened_at, zone)],
    ["dispute.revision", String(dispute.evaluation_revision)],
    ["dispute.reviewDue", undecided ? dueLine(dispute.review_due, Date.parse(dispute.review_due) < Date.now(), zone, { bare: true }) : formatDateTime(dispute.review_due, zone)],
    ["dispute.reviewer", dispute.reviewer ?? t("dispute.noReviewer")],
    decision ? ["dispute.decision", t(`dispute.outcome.${decision.outcome}`)] : null,
    decision ? ["dispute.decidedBy", byAt(decision.by, decision.at, zone)] : null,
    decision?.revision ? ["dispute.newRevision", h("a", { href: `#/evaluations/${enc(dispute.evaluation_id)}` }, t("dispute.revisionN", { revision: decision.revision }))] : null,
  ].filter(Boolean);
  return h("article", { class: `dispute dispute-${dispute.state}`, dataset: { dispute: dispute.dispute_id, state: dispute.state } },
    h(headingLevel, {}, link
      ? h("a", { href: `#/disputes/${enc(dispute.dispute_id)}` }, t("dispute.titleOf", { when: formatDateTime(dispute.opened_at, zone) }))
      : t("dispute.titleOf", { when: formatDateTime(dispute.opened_at, zone) })),
    h("dl", { class: "facts" }, rows.map(([key, value]) => [h("dt", {}, t(key)), h("dd", {}, value)])),
    h("p", { class: "prewrap dispute-reason" }, h("strong", {}, `${t("dispute.reason")}: `), dispute.reason),
    dispute.criteria?.length
      ? h("div", { class: "disputed-criteria" }, h("strong", {}, t("dispute.criteria")),
        h("ul", {}, dispute.criteria.map((id) => h("li", { dataset: { criterion: id } }, texts.get(id) ?? id))))
      : h("p", { class: "subtle" }, t("dispute.wholeEvaluation")),
    decision?.reason ? h("p", { class: "prewrap" }, h("strong", {}, `${t("dispute.decisionReason")}: `), decision.reason) : null);
}
