// Starts the site: language, sign-in, who is signed in, then the routed views.

import { forgetToken, isSignedIn, signInWithToken, signOut } from "./auth.js";
import { ApiError } from "./api.js";
import { whoAmI } from "./api/me.js";
import { getSettings } from "./api/settings.js";
import { h, replaceChildren } from "./dom.js";
import { preferredLanguage, setLanguage, t, currentLanguage } from "./i18n.js";
import { preloadView } from "./preload.js";
import { navigate, resolve } from "./router.js";
import { DEFAULT_TIME_ZONE } from "./rules.generated.js";
import { settings } from "./settings.js";
import { isValidZone } from "./timezone.js";

const RETURN_KEY = "laatu.returnTo";

const app = {
  me: null,
  timeZone: DEFAULT_TIME_ZONE,
  settings,
  hasRole: (...roles) => roles.some((role) => app.me?.roles.includes(role)),
};

let current = null; // {controller, view}

/** The tenant's time zone: its settings once they exist, Helsinki until then. */
async function loadTimeZone() {
  try {
    const data = await getSettings();
    if (data?.time_zone && isValidZone(data.time_zone)) return data.time_zone;
  } catch (error) {
    if (!(error instanceof ApiError)) throw error;
  }
  return DEFAULT_TIME_ZONE;
}

async function loadSession() {
  const [me, timeZone] = await Promise.all([whoAmI(), loadTimeZone()]);
  app.me = me;
  app.timeZone = timeZone;
}

function navItems() {
  const items = [];
  // The first item is where the role lands after signing in.
  if (app.hasRole("evaluator", "auditor")) items.push(["#/evaluate", "nav.evaluate"]);
  if (app.hasRole("admin")) items.push(["#/forms", "nav.forms"]);
  if (app.hasRole("agent")) items.push(["#/results", "nav.myResults"], ["#/self", "nav.selfEvaluation"]);
  else if (app.hasRole("admin", "evaluator", "auditor")) items.push(["#/results", "nav.results"]);
  if (app.hasRole("admin", "evaluator", "agent")) items.push(["#/reports", "nav.reports"]);
  if (app.hasRole("auditor", "admin")) items.push(["#/imports", "nav.imports"]);
  if (app.hasRole("admin")) items.push(["#/exports", "nav.exports"], ["#/settings", "nav.settings"]);
  if (app.hasRole("payroll")) items.push(["#/payroll", "nav.payroll"]);
  return items;
}
app.navItems = navItems;

function renderShell() {
  document.querySelector(".skip-link").textContent = t("shell.skip");
  document.getElementById("nav").setAttribute("aria-label", t("shell.nav"));
  document.getElementById("lang-label").textContent = t("shell.language");
  const select = document.getElementById("lang");
  select.value = currentLanguage();
  const signout = document.getElementById("signout");
  signout.textContent = t("shell.signOut");
  signout.hidden = !app.me;
  const who = document.getElementById("who");
  if (app.me) {
    const roles = app.me.roles.map((r) => t(`role.${r}`)).join(", ");
    replaceChildren(who,
      h("span", { class: "who-user" }, app.me.user),
      h("span", { class: "who-meta" }, `${t("shell.tenant")}: ${app.me.tenant} · ${roles}`));
  } else {
    who.replaceChildren();
  }
  const hash = location.hash || "#/";
  const inbox = document.getElementById("inbox-link");
  inbox.hidden = !app.me;
  document.getElementById("inbox-label").textContent = t("shell.inbox");
  inbox.setAttribute("aria-current", hash.startsWith("#/inbox") ? "page" : "false");
  replaceChildren(document.getElementById("nav"),
    app.me ? navItems().map(([href, key]) =>
      h("a", { href, "aria-current": hash.startsWith(href) ? "page" : null }, t(key))) : []);
}

// The inbox link's count (inbox-count.js): a hint, asked for as totals only (a few
// hundred bytes) 2 s after the page has loaded, at once when a coaching page hands
// it over. Its module and request then stay out of a page's first load (the report
// page's is 150 KB at most; asked for at load it measured 157 KB in CI).
let inboxCount = null;
function countInbox(fresh) {
  inboxCount ??= new Promise((done) => {
    const later = () => setTimeout(done, fresh ? 0 : 2000);
    if (document.readyState === "complete") later();
    else addEventListener("load", later, { once: true });
  }).then(() => import("./inbox-count.js"));
  inboxCount.then((m) => m.refresh(app, fresh)).catch(() => {});
}

async function route() {
  const { view, params } = resolve(location.hash || "#/");
  if (view !== "signin" && !app.me) {
    sessionStorage.setItem(RETURN_KEY, location.hash || "#/");
    navigate("#/signin", { replace: true });
    return;
  }
  current?.controller.abort();
  const controller = new AbortController();
  current = { controller, view };
  renderShell();
  const main = document.getElementById("main");
  const root = h("div", { class: `view view-${view}` });
  try {
    preloadView(view); // a page reached from another (the landing page's next) side by side too
    const module = await import(`./views/${view}.js`);
    if (controller.signal.aborted) return;
    replaceChildren(main, root);
    await module.render(root, params, { ...app, signal: controller.signal });
    countInbox();
  } catch (error) {
    if (controller.signal.aborted) return;
    console.error(error);
    replaceChildren(main, h("div", { class: "view" },
      h("h1", { tabindex: "-1" }, t("error.title")),
      h("p", { class: "error-box", role: "alert" }, error instanceof ApiError ? error.message : String(error))));
  }
}

/** After a sign-in: who this is, then back to where the person was going. */
app.signedIn = async () => {
  await loadSession();
  const back = sessionStorage.getItem(RETURN_KEY);
  sessionStorage.removeItem(RETURN_KEY);
  navigate(back && back !== "#/signin" ? back : "#/", { replace: true });
};

function showBanner(text) {
  const banner = document.getElementById("banner");
  banner.textContent = text;
  banner.hidden = !text;
}
app.showBanner = showBanner;

async function start() {
  // The messages, who is signed in and the first view's code load side by side.
  const languageReady = setLanguage(preferredLanguage());
  import(`./views/${resolve(location.hash || "#/").view}.js`).catch(() => {});
  document.getElementById("lang").addEventListener("change", async (event) => {
    await setLanguage(event.target.value, true);
    route();
  });
  document.getElementById("signout").addEventListener("click", async () => {
    app.me = null;
    await signOut();
    navigate("#/signin");
  });
  window.addEventListener("hashchange", () => route());
  window.addEventListener("laatu:inbox-changed", (event) => countInbox(event.detail ?? "stale"));
  window.addEventListener("laatu:unauthenticated", () => {
    // The token expired or was revoked mid-shift: ask again, keep the draft. (Before
    // anyone is signed in, the sign-in page itself reports a refused token.)
    if (!app.me) return;
    forgetToken();
    app.me = null;
    showBanner(t("signin.expired"));
    sessionStorage.setItem(RETURN_KEY, location.hash);
    navigate("#/signin");
  });

  // `make run` can print links that carry a token in the fragment (never sent to a server).
  const fragment = /^#token=([\w.-]+)/.exec(location.hash);
  if (fragment) {
    signInWithToken(fragment[1]);
    history.replaceState(null, "", `${location.pathname}#/`);
  }
  if (settings.authMode === "cognito") {
    try {
      const { completeSignIn } = await import("./cognito.js");
      const done = await completeSignIn(settings.cognito);
      if (done) signInWithToken(done.tokens.id_token, done.tokens.refresh_token ?? null);
    } catch (error) {
      await languageReady;
      showBanner(`${t("signin.failed")} ${error.message}`);
    }
  }
  if (isSignedIn()) {
    try {
      await Promise.all([loadSession(), languageReady]);
    } catch (error) {
      await languageReady;
      if (error instanceof ApiError && error.status === 401) forgetToken();
      else showBanner(`${t("error.api")} ${error.message}`);
    }
  }
  await languageReady;
  await route();
}

start();
