// Hash routes (#/evaluate/asiakaspalvelu): the site is static files on S3 behind
// CloudFront and on the local server, neither of which knows the app's paths, and
// the hash never reaches a server. Each view is a module loaded on first use, so
// the evaluation page does not pay for the form editor.

const ROUTES = [
  { pattern: /^\/?$/, view: "home" },
  { pattern: /^\/signin$/, view: "signin" },
  { pattern: /^\/evaluate$/, view: "pick-form" },
  { pattern: /^\/evaluate\/([^/]+)$/, view: "evaluate", names: ["formId"] },
  { pattern: /^\/self$/, view: "pick-form", fixed: { self: true } },
  { pattern: /^\/self\/([^/]+)$/, view: "evaluate", names: ["formId"], fixed: { self: true } },
  { pattern: /^\/evaluations\/([^/]+)$/, view: "evaluation", names: ["evaluationId"] },
  { pattern: /^\/results$/, view: "results" },
  { pattern: /^\/reports$/, view: "reports" },
  { pattern: /^\/forms$/, view: "forms" },
  { pattern: /^\/forms\/new$/, view: "form-editor", fixed: { isNew: true } },
  { pattern: /^\/forms\/([^/]+)$/, view: "form-editor", names: ["formId"] },
  { pattern: /^\/imports$/, view: "imports" },
  { pattern: /^\/imports\/([^/]+)$/, view: "import", names: ["importId"] },
  { pattern: /^\/exports$/, view: "exports" },
  { pattern: /^\/payroll$/, view: "downloads" },
  { pattern: /^\/settings$/, view: "tenant-settings" },
  { pattern: /^\/inbox$/, view: "inbox" },
  { pattern: /^\/reviews$/, view: "reviews" },
  { pattern: /^\/reviews\/([^/]+)$/, view: "reviews-item", names: ["reviewId"] },
  { pattern: /^\/coaching$/, view: "coaching" },
  { pattern: /^\/coaching\/new$/, view: "coaching-session", fixed: { isNew: true } },
  { pattern: /^\/coaching\/([^/]+)$/, view: "coaching-session", names: ["sessionId"] },
  { pattern: /^\/disputes$/, view: "disputes" },
  { pattern: /^\/disputes\/([^/]+)$/, view: "disputes-item", names: ["disputeId"] },
];

/** {view, params} for a location hash such as "#/evaluate/x?agent=aino". */
export function resolve(hash) {
  const [path, query = ""] = hash.replace(/^#/, "").split("?");
  for (const route of ROUTES) {
    const match = route.pattern.exec(path || "/");
    if (!match) continue;
    const params = { ...Object.fromEntries(new URLSearchParams(query)), ...(route.fixed ?? {}) };
    (route.names ?? []).forEach((name, index) => {
      params[name] = decodeURIComponent(match[index + 1]);
    });
    return { view: route.view, params };
  }
  return { view: "not-found", params: {} };
}

export function navigate(hash, { replace = false } = {}) {
  if (replace) {
    history.replaceState(null, "", hash);
    window.dispatchEvent(new HashChangeEvent("hashchange"));
  } else if (location.hash === hash) {
    window.dispatchEvent(new HashChangeEvent("hashchange"));
  } else {
    location.hash = hash;
  }
}
