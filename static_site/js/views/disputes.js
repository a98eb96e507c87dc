// Disputes (#/disputes?state=undecided|all): for a reviewer the undecided disputes,
// the nearest review deadline first, overdue ones said so in words; for an agent or
// a team leader the disputes about their (team's) evaluations.

import { enc } from "../api.js";
import { listDisputes } from "../api/disputes.js";
import { field, h, replaceChildren } from "../dom.js";
import { formatDateTime, t } from "../i18n.js";
import { navigate } from "../router.js";
import { byAt, dueLine, pageHead, prepare, showFailure, stateBadge } from "./coaching/common.js";
import { UNDECIDED } from "./coaching/dispute-parts.js";

const SHOWN = ["undecided", "all"];

function disputeTable(items, zone) {
  if (!items.length) return h("p", { class: "notice", dataset: { empty: "" } }, t("dispute.none"));
  return h("div", { class: "table-scroll" }, h("table", { class: "dispute-table" },
    h("caption", { class: "visually-hidden" }, t("dispute.listPageTitle")),
    h("thead", {}, h("tr", {},
      ["dispute.evaluation", "dispute.agent", "dispute.evaluator", "dispute.openedBy", "dispute.reviewDue", "dispute.stateLabel", "dispute.reviewer"]
        .map((key) => h("th", { scope: "col" }, t(key))))),
    h("tbody", {}, items.map((d) => {
      const undecided = UNDECIDED.has(d.state);
      return h("tr", { dataset: { dispute: d.dispute_id, state: d.state } },
        h("th", { scope: "row" }, h("a", { href: `#/disputes/${enc(d.dispute_id)}` }, t("dispute.openOne", { when: formatDateTime(d.opened_at, zone) }))),
        h("td", {}, d.agent_id),
        h("td", {}, d.evaluator),
        h("td", {}, byAt(d.opened_by, d.opened_at, zone)),
        h("td", {}, undecided ? dueLine(d.review_due, Date.parse(d.review_due) < Date.now(), zone, { bare: true }) : formatDateTime(d.review_due, zone)),
        h("td", {}, stateBadge("dispute", d.state)),
        h("td", {}, d.reviewer ?? "–"));
    }))));
}

export async function render(root, params, app) {
  await prepare();
  const reviewer = app.hasRole("admin");
  const { head, heading } = pageHead(app, "#/disputes", t("dispute.listPageTitle"),
    t(reviewer ? "dispute.listHelpReviewer" : "dispute.listHelp"));
  if (!app.hasRole("admin", "evaluator", "agent")) {
    replaceChildren(root, head, h("p", {}, t("coaching.notForRole")));
    heading.focus();
    return;
  }
  const shown = SHOWN.includes(params.state) ? params.state : "undecided";
  const select = h("select", { name: "state" }, SHOWN.map((s) => h("option", { value: s, selected: s === shown }, t(`dispute.show.${s}`))));
  select.addEventListener("change", () => navigate(`#/disputes?state=${enc(select.value)}`));
  const listing = h("section", { class: "card", "aria-labelledby": "list-h", "aria-busy": "true" },
    h("h2", { id: "list-h" }, t(`dispute.show.${shown}`)), h("p", { class: "subtle" }, t("coaching.loading")));
  const tools = h("form", { class: "toolbar card", role: "search", "aria-label": t("dispute.filters") },
    field({ label: t("dispute.showLabel"), control: select, name: "state" }));
  replaceChildren(root, head, tools, listing);
  heading.focus();
  let data;
  try {
    data = await listDisputes({ state: shown }, { signal: app.signal });
  } catch (error) {
    if (app.signal.aborted) return;
    showFailure(root, head, error);
    return;
  }
  if (app.signal.aborted) return;
  // The nearest deadline first among the undecided; the newest first otherwise.
  const items = [...(data.items ?? [])].sort((a, b) => {
    const ua = UNDECIDED.has(a.state);
    const ub = UNDECIDED.has(b.state);
    if (ua !== ub) return ua ? -1 : 1;
    return ua ? Date.parse(a.review_due) - Date.parse(b.review_due) : Date.parse(b.opened_at) - Date.parse(a.opened_at);
  });
  replaceChildren(listing, h("h2", { id: "list-h" }, t(`dispute.show.${shown}`)), disputeTable(items, app.timeZone));
  listing.removeAttribute("aria-busy");
  root.dataset.ready = "true";
}
