// Preloads the opened page's own modules (index.html preloads the shell's), so each
// route's first load carries its page's and no other's. An async module (the CSP allows
// no inline script): it runs while main.js's imports load; main.js asks on each route.
// A list: the view's static imports beyond the shell's (test_site_structure.py checks).

import { preferredLanguage } from "./i18n.js";
import { resolve } from "./router.js";

const EVALUATE = [
  "views/evaluate.js", "views/evaluate/model.js", "views/evaluate/view.js",
  "components/criteria.js", "components/score-panel.js",
  "api/agents.js", "api/evaluations.js", "api/forms.js",
  "drafts.js", "errors.js", "field-errors.js", "fraction.js", "keys.js", "scoring.js", "submit.js", "wall-time.js",
];

/** view → its modules and the message bundles it loads (messages/{bundle}.{language}.js). */
export const VIEW_PRELOADS = {
  // Evaluators open the evaluation page all shift; the form list leads straight to it.
  "evaluate": { modules: EVALUATE },
  "pick-form": { modules: ["views/pick-form.js", ...EVALUATE] },
  "reports": {
    modules: [
      "views/reports.js", "views/reports/model.js", "views/reports/view.js", "components/charts.js",
      "api/agents.js", "api/forms.js", "api/reports.js", "api/teams.js", "errors.js", "stylesheet.js",
    ],
    bundles: ["reports"],
  },
};

const added = new Set();

function preload(path) {
  if (added.has(path)) return;
  added.add(path);
  const link = document.createElement("link");
  link.rel = "modulepreload";
  link.href = `/js/${path}`;
  document.head.append(link);
}

/** Preloads what `view` needs beyond the shell, once. */
export function preloadView(view) {
  const { modules = [], bundles = [] } = VIEW_PRELOADS[view] ?? {};
  const language = preferredLanguage();
  for (const bundle of bundles) preload(`messages/${bundle}.${language}.js`);
  for (const path of modules) preload(path);
}

// The messages every page waits for (i18n.js picks the same language), then the view's.
preload(`messages/${preferredLanguage()}.js`);
preloadView(resolve(location.hash || "#/").view);
