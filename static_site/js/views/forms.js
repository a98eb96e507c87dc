// The QA manager's list of forms: drafts and published ones, and a new form.

import { listForms } from "../api/forms.js";
import { h, replaceChildren } from "../dom.js";
import { formatDateTime, loadMessages, t } from "../i18n.js";

export async function render(root, _params, app) {
  await loadMessages("forms");
  document.title = `${t("forms.title")} – Laatu`;
  const heading = h("h1", { tabindex: "-1" }, t("forms.title"));
  if (!app.hasRole("admin")) {
    replaceChildren(root, heading, h("p", {}, t("forms.adminOnly")));
    heading.focus();
    return;
  }
  const { items } = await listForms();
  replaceChildren(root,
    h("div", { class: "page-head" }, heading,
      h("a", { class: "button primary", href: "#/forms/new" }, t("forms.new"))),
    items.length
      ? h("table", { class: "card table" },
        h("thead", {}, h("tr", {},
          h("th", { scope: "col" }, t("forms.name")),
          h("th", { scope: "col" }, t("forms.id")),
          h("th", { scope: "col" }, t("forms.published")),
          h("th", { scope: "col" }, t("forms.updated")))),
        h("tbody", {}, items.map((form) => h("tr", {},
          h("th", { scope: "row" }, h("a", { href: `#/forms/${encodeURIComponent(form.form_id)}` }, form.name)),
          h("td", {}, h("code", {}, form.form_id)),
          h("td", {}, form.latest_version ? t("forms.versionN", { version: form.latest_version }) : t("forms.notPublished")),
          h("td", {}, formatDateTime(form.updated_at, app.timeZone))))))
      : h("p", {}, t("forms.none")));
  heading.focus();
}
