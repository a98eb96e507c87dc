// The count on the top bar's inbox link, once main.js has loaded this (after the
// first page is in): asked again at most once a minute as pages change, and at once
// when a coaching page did something (with the inbox when it has just read it).
// The badge keeps its room from the start (css .count-badge): nothing moves.

import { getInboxTotals } from "./api/inbox.js";
import { t } from "./i18n.js";

const FRESH_MS = 60000;
let who = null; // whose count this is: another person signing in starts afresh
let shown = null;
let readAt = 0;
let ticket = 0; // an answer older than what is shown is dropped

function show(data) {
  const badge = document.getElementById("inbox-count");
  // A coaching page hands over the inbox it read (items); the badge's own read is the totals.
  const count = data?.total ?? data?.items?.length ?? 0;
  const overdue = data?.overdue ?? 0;
  badge.textContent = data ? (count > 99 ? "99+" : String(count)) : "";
  badge.classList.toggle("has-items", count > 0);
  badge.classList.toggle("has-overdue", overdue > 0);
  badge.dataset.count = data ? String(count) : "";
  document.getElementById("inbox-count-text").textContent = data ? `, ${t("shell.inboxCount", { count, overdue })}` : "";
}

/** After a page is in: the count shown again (its words in the page's language),
 * asked for when stale. `fresh`: the inbox as a coaching page just read it, or
 * "stale" when that page changed something. */
export async function refresh(app, fresh = null) {
  const person = app.me ? `${app.me.tenant}/${app.me.user}` : null;
  if (person !== who) {
    who = person;
    shown = null;
    readAt = 0;
    ticket += 1;
  }
  if (!who) return show(null);
  if (fresh && fresh !== "stale") {
    ticket += 1;
    readAt = Date.now();
    shown = fresh;
    return show(fresh);
  }
  show(shown);
  if (fresh !== "stale" && Date.now() - readAt < FRESH_MS) return undefined;
  const mine = ++ticket;
  readAt = Date.now();
  try {
    const data = await getInboxTotals();
    if (mine !== ticket) return undefined;
    shown = data;
    return show(data);
  } catch {
    readAt = 0; // the link works without its count; it is asked again on the next page
    return undefined;
  }
}
