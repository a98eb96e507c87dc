// The landing page: straight to the person's main task when there is one.

import { h, replaceChildren } from "../dom.js";
import { t } from "../i18n.js";
import { navigate } from "../router.js";

export async function render(root, _params, app) {
  const items = app.navItems();
  if (items.length) {
    navigate(items[0][0], { replace: true });
    return;
  }
  document.title = "Laatu";
  const heading = h("h1", { tabindex: "-1" }, "Laatu");
  replaceChildren(root, h("section", { class: "card narrow" }, heading, h("p", {}, t("home.nothing"))));
  heading.focus();
}
