// What the coaching pages share (inbox, reviews, sessions, disputes and the coaching
// part of a stored evaluation): their messages and stylesheet, the links between
// them, dates and deadlines on the tenant's clock, states written as words, and the
// words for the API's refusals.

import { ApiError } from "../../api.js";
import { h, replaceChildren } from "../../dom.js";
import { errorMessage } from "../../errors.js";
import { formatDateTime, loadMessages, locale, t } from "../../i18n.js";
import { useStylesheet } from "../../stylesheet.js";
import { isDay } from "./model.js";

/** The coaching messages and stylesheet, before a page shows anything. */
export async function prepare() {
  await Promise.all([loadMessages("coaching"), useStylesheet("/css/coaching.css")]);
}

/** The coaching pages each role has, for the links at the top of each. */
export function coachingLinks(app) {
  const links = [["#/inbox", "coaching.nav.inbox"]];
  if (app.hasRole("admin", "evaluator", "agent")) {
    links.push(["#/reviews", "coaching.nav.reviews"], ["#/coaching", "coaching.nav.sessions"], ["#/disputes", "coaching.nav.disputes"]);
  }
  return links;
}

/** The page's heading with the coaching links above it; answers {head, heading}. */
export function pageHead(app, current, title, subtitle = null) {
  const heading = h("h1", { tabindex: "-1" }, title);
  const links = coachingLinks(app);
  const nav = links.length > 1 ? h("nav", { class: "coaching-links", "aria-label": t("coaching.nav.label") },
    h("ul", {}, links.map(([href, key]) => h("li", {},
      h("a", { href, "aria-current": href === current ? "page" : null }, t(key)))))) : null;
  document.title = `${title} – Laatu`;
  return {
    heading,
    head: [nav, h("div", { class: "page-head" }, heading, subtitle ? h("p", { class: "subtle" }, subtitle) : null)],
  };
}

/** A local day ("2026-11-02") in the page's language. */
export function formatDay(day) {
  if (!isDay(day)) return "–";
  return new Intl.DateTimeFormat(locale(), { dateStyle: "medium", timeZone: "UTC" }).format(new Date(`${day}T00:00:00Z`));
}

/** A due that is a local day or an instant, on the tenant's clock. */
export const formatDue = (due, zone) => (isDay(due) ? formatDay(due) : formatDateTime(due, zone));

/** The deadline in words, marked overdue in text as well as in colour; `bare` for
 * where a label already says it is a deadline. */
export function dueLine(due, overdue, zone, { bare = false } = {}) {
  if (!due) return h("span", { class: "due none" }, t("coaching.noDue"));
  return h("span", { class: overdue ? "due overdue" : "due", dataset: { due, overdue: String(Boolean(overdue)) } },
    overdue ? h("strong", {}, t("coaching.overdue"), " ") : null,
    bare ? formatDue(due, zone) : t("coaching.dueOn", { due: formatDue(due, zone) }));
}

/** A state as a badge whose words carry it (the colour only repeats them). */
export const stateBadge = (family, state) =>
  h("span", { class: `badge state state-${state}`, dataset: { state } }, t(`${family}.state.${state}`));

// The refusals a person can act on, in the page's words; the API's message otherwise.
const KNOWN = new Set([
  "stale_revision", "dispute_open", "dispute_window_closed", "own_evaluation", "own_dispute", "already_decided",
  "in_review", "not_in_review", "self_evaluation", "unchanged", "busy", "nothing_to_acknowledge",
  "review_open", "side_submitted", "concurrent_change", "no_leader", "not_a_leader",
  "precondition_failed", "forbidden", "not_found", "conflict",
]);

export function coachingError(error) {
  if (error instanceof ApiError && KNOWN.has(error.code)) return t(`coaching.error.${error.code}`);
  return errorMessage(error);
}

/** A page that cannot load says why, under its heading. */
export function showFailure(root, head, error) {
  if (!(error instanceof ApiError)) throw error;
  replaceChildren(root, head, h("p", { class: "error-box", role: "alert" },
    error.status === 404 ? t("coaching.notFound") : coachingError(error)));
}

/** Tells the top bar's inbox link that something was done, so its count is fresh
 * (`inbox`: the inbox as just read, so the link need not fetch it again). */
export const inboxChanged = (inbox = null) => window.dispatchEvent(new CustomEvent("laatu:inbox-changed", { detail: inbox }));

/** A button that runs `action` once at a time: disabled while it runs. */
export function actionButton(label, action, className = "button") {
  const button = h("button", { class: className, type: "button" }, label);
  button.addEventListener("click", async () => {
    if (button.disabled) return;
    button.disabled = true;
    try {
      await action(button);
    } finally {
      if (button.isConnected) button.disabled = false;
    }
  });
  return button;
}

/** A status line (role=status) for what a button did. */
export const statusLine = () => h("p", { class: "action-status", role: "status" });

/** Who and when, "maija.admin, 2.11.2026 klo 10.15". */
export const byAt = (by, at, zone) => t("coaching.byAt", { by, at: formatDateTime(at, zone) });
