// Sign-in. Locally: paste one of the tokens `make run` prints. In AWS: Cognito's
// hosted UI (see cognito.js), which sends the person back here signed in.

import { forgetToken, isSignedIn, signInWithToken } from "../auth.js";
import { ApiError } from "../api.js";
import { field, h, replaceChildren } from "../dom.js";
import { clearFieldErrors, showFieldError } from "../field-errors.js";
import { t } from "../i18n.js";
import { navigate } from "../router.js";

export async function render(root, _params, app) {
  document.title = `${t("signin.title")} – Laatu`;
  if (isSignedIn() && app.me) {
    navigate("#/", { replace: true });
    return;
  }
  const heading = h("h1", { tabindex: "-1" }, t("signin.title"));
  const errorBox = h("div", { class: "error-box", role: "alert", tabindex: "-1", hidden: true });
  if (app.settings.authMode === "cognito") {
    const button = h("button", { class: "button primary", type: "button" }, t("signin.cognito"));
    button.addEventListener("click", async () => {
      button.disabled = true;
      const { beginSignIn } = await import("../cognito.js");
      await beginSignIn(app.settings.cognito, sessionStorage.getItem("laatu.returnTo") || "#/");
    });
    replaceChildren(root, h("section", { class: "card narrow" }, heading, errorBox,
      h("p", {}, t("signin.cognitoHelp")), button));
    heading.focus();
    return;
  }
  const input = h("textarea", { class: "token", rows: 4, spellcheck: "false", autocomplete: "off", required: true });
  const form = h("form", { class: "card narrow", novalidate: true },
    heading,
    errorBox,
    h("p", {}, t("signin.localHelp")),
    field({ label: t("signin.token"), control: input, name: "token" }),
    h("button", { class: "button primary", type: "submit" }, t("signin.submit")));
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    clearFieldErrors(form);
    app.showBanner("");
    const problem = signInWithToken(input.value);
    if (problem) {
      showFieldError(form, "token", t(problem));
      input.focus();
      return;
    }
    try {
      await app.signedIn();
    } catch (error) {
      forgetToken();
      const message = error instanceof ApiError && error.status === 401
        ? t("signin.errorRejected", { reason: error.message })
        : `${t("error.api")} ${error.message}`;
      showFieldError(form, "token", message);
      input.focus();
    }
  });
  replaceChildren(root, form);
  input.focus();
}
