// Choosing the form to evaluate with: the tenant's published forms, with any draft
// this person left open marked, so unfinished work is one Enter away.

import { listForms } from "../api/forms.js";
import { h, replaceChildren } from "../dom.js";
import { listDrafts } from "../drafts.js";
import { formatDateTime, t } from "../i18n.js";

export async function render(root, params, app) {
  const self = Boolean(params.self);
  const base = self ? "#/self/" : "#/evaluate/";
  document.title = `${t(self ? "pick.selfTitle" : "pick.title")} – Laatu`;
  const { items } = await listForms();
  const published = items.filter((f) => f.latest_version >= 1);
  const drafts = listDrafts(app.me).filter((d) => Boolean(d.self) === self);
  const heading = h("h1", { tabindex: "-1" }, t(self ? "pick.selfTitle" : "pick.title"));
  const list = published.length
    ? h("ul", { class: "link-list" }, published.map((form) => {
      const draft = drafts.find((d) => d.formId === form.form_id);
      return h("li", {},
        h("a", { href: `${base}${encodeURIComponent(form.form_id)}`, class: "link-card" },
          h("span", { class: "link-title" }, form.name),
          h("span", { class: "subtle" }, t("pick.version", { version: form.latest_version })),
          draft ? h("span", { class: "badge draft" }, t("pick.draft", { time: formatDateTime(draft.updatedAt, app.timeZone) })) : null));
    }))
    : h("p", {}, t("pick.none"));
  replaceChildren(root,
    h("div", { class: "page-head" }, heading,
      h("p", { class: "subtle" }, t(self ? "pick.selfHelp" : "pick.help"))),
    list);
  (root.querySelector(".link-card") ?? heading).focus();
}
