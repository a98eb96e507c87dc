import { h, replaceChildren } from "../dom.js";
import { t } from "../i18n.js";

export async function render(root) {
  document.title = `${t("notFound.title")} – Laatu`;
  const heading = h("h1", { tabindex: "-1" }, t("notFound.title"));
  replaceChildren(root, h("section", { class: "card narrow" }, heading,
    h("p", {}, h("a", { href: "#/" }, t("notFound.home")))));
  heading.focus();
}
