// The inbox (#/inbox): what needs the signed-in person's action, a group per kind
// (self-evaluations, evaluations to acknowledge, disputes to decide, follow-ups...),
// the groups with anything overdue first and the overdue items first in each; every
// deadline on the tenant's clock, every item a link to where it is done. Below, the
// person's email notifications (a subject and a link, never the content).

import { ApiError } from "../api.js";
import { getInbox } from "../api/inbox.js";
import { getNotifications, saveNotifications } from "../api/notifications.js";
import { announce, field, h, replaceChildren } from "../dom.js";
import { clearFieldErrors, showFieldError } from "../field-errors.js";
import { LANGUAGES, currentLanguage, formatDateTime, formatInteger, t } from "../i18n.js";
import { coachingError, dueLine, inboxChanged, pageHead, prepare } from "./coaching/common.js";
import { groupInbox } from "./coaching/model.js";

const LANGUAGE_NAMES = { fi: "Suomi", sv: "Svenska", en: "English" };

/** The item's words, from its kind and detail (the API gives no text of its own). */
function itemTitle(item) {
  const d = item.detail ?? {};
  const values = {
    agent: d.agent_id ?? "–",
    team: d.team_id ?? "–",
    count: formatInteger(d.count ?? 0),
    overdue: formatInteger(d.overdue_count ?? 0),
  };
  return t(`inbox.item.${item.kind}`, values);
}

function itemRow(item, zone) {
  return h("li", { class: `inbox-item${item.overdue ? " is-overdue" : ""}`, dataset: { kind: item.kind, ref: item.ref, overdue: String(Boolean(item.overdue)) } },
    h("a", { href: item.link, class: "inbox-link-title" }, itemTitle(item)),
    h("p", { class: "inbox-meta" },
      dueLine(item.due, item.overdue, zone), " · ",
      h("span", {}, t("inbox.since", { when: formatDateTime(item.created_at, zone) }))));
}

function inboxBody(data, zone) {
  const groups = groupInbox(data.items ?? []);
  if (!groups.length) return [h("p", { class: "notice", dataset: { empty: "" } }, t("inbox.empty"))];
  const total = data.items.length;
  const overdue = data.overdue ?? data.items.filter((i) => i.overdue).length;
  return [
    h("p", { class: "inbox-summary", dataset: { total: String(total), overdue: String(overdue) } },
      t("inbox.summary", { count: formatInteger(total) }), " ",
      overdue ? h("strong", { class: "overdue" }, t("inbox.summaryOverdue", { count: formatInteger(overdue) })) : null),
    groups.map((group) => {
      const id = `inbox-${group.kind}`;
      return h("section", { class: "card inbox-group", "aria-labelledby": id, dataset: { kind: group.kind } },
        h("h2", { id }, t(`inbox.kind.${group.kind}`), " ",
          h("span", { class: "badge" }, t("inbox.groupCount", { count: formatInteger(group.items.length) })),
          group.overdue ? h("span", { class: "badge overdue-badge" }, t("inbox.groupOverdue", { count: formatInteger(group.overdue) })) : null),
        h("ul", { class: "plain-list inbox-list" }, group.items.map((item) => itemRow(item, zone))));
    }),
  ];
}

/** Email notifications: on or off, where to, in which language. */
async function notificationsCard(card, signal) {
  let current;
  try {
    current = await getNotifications({ signal });
  } catch (error) {
    if (signal.aborted) return;
    if (!(error instanceof ApiError)) throw error;
    replaceChildren(card, h("h2", { id: "notify-h" }, t("inbox.notify.title")), h("p", { class: "subtle" }, coachingError(error)));
    return;
  }
  if (signal.aborted) return;
  const enabled = h("input", { type: "checkbox", checked: Boolean(current.enabled) });
  const email = h("input", { type: "email", value: current.email ?? "", autocomplete: "email", maxlength: 254, spellcheck: "false" });
  const language = h("select", {}, LANGUAGES.map((l) => h("option", {
    value: l, lang: l, selected: (current.language ?? currentLanguage()) === l,
  }, LANGUAGE_NAMES[l])));
  const status = h("p", { class: "action-status", role: "status" });
  const form = h("form", { class: "notify-form", novalidate: true },
    h("div", { class: "check", dataset: { field: "enabled" } }, h("label", {}, enabled, " ", t("inbox.notify.enabled"))),
    h("div", { class: "grid" },
      field({ label: t("inbox.notify.email"), control: email, name: "email", hint: t("inbox.notify.emailHint") }),
      field({ label: t("inbox.notify.language"), control: language, name: "language" })),
    h("div", { class: "error-box", role: "alert", tabindex: "-1", hidden: true }),
    h("div", { class: "actions" }, h("button", { class: "button", type: "submit" }, t("inbox.notify.save")), status));
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    clearFieldErrors(form);
    status.textContent = "";
    const address = email.value.trim();
    if (enabled.checked && !/^[^\s@]+@[^\s@]+$/.test(address)) {
      showFieldError(form, "email", t("inbox.notify.errorEmail"))?.focus();
      return;
    }
    try {
      await saveNotifications({ email: address || null, language: language.value, enabled: enabled.checked });
      status.textContent = t("inbox.notify.saved");
    } catch (error) {
      if (!(error instanceof ApiError)) throw error;
      showFieldError(form, error.field, coachingError(error))?.focus();
    }
  });
  replaceChildren(card, h("h2", { id: "notify-h" }, t("inbox.notify.title")),
    h("p", { class: "hint" }, t("inbox.notify.help")), form);
}

export async function render(root, _params, app) {
  await prepare();
  const { head, heading } = pageHead(app, "#/inbox", t("inbox.title"), t("inbox.subtitle", { zone: app.timeZone }));
  const body = h("div", { class: "inbox", "aria-busy": "true" }, h("p", { class: "subtle" }, t("coaching.loading")));
  const notify = h("section", { class: "card notify", "aria-labelledby": "notify-h" }, h("h2", { id: "notify-h" }, t("inbox.notify.title")));
  replaceChildren(root, head, body, notify);
  heading.focus();
  let data;
  try {
    data = await getInbox({ signal: app.signal });
  } catch (error) {
    if (app.signal.aborted) return;
    if (!(error instanceof ApiError)) throw error;
    replaceChildren(body, h("p", { class: "error-box", role: "alert" }, coachingError(error)));
    body.removeAttribute("aria-busy");
    return;
  }
  if (app.signal.aborted) return;
  replaceChildren(body, inboxBody(data, app.timeZone));
  body.removeAttribute("aria-busy");
  root.dataset.ready = "true";
  announce(t("inbox.summary", { count: formatInteger(data.items?.length ?? 0) }));
  inboxChanged(data); // the top bar's count follows what this page shows
  notificationsCard(notify, app.signal);
}
