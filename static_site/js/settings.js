// What this deployment is: read once from the generated /config.js
// (window.LAATU_CONFIG). `make run` serves {apiBaseUrl, authMode: "local"};
// `make deploy` writes {apiBaseUrl, authMode: "cognito", cognito: {...}}. The flat
// keys cognitoDomain / clientId / redirectUri are accepted too.

function withScheme(domain) {
  if (!domain) return "";
  const text = String(domain).replace(/\/+$/, "");
  return /^https?:\/\//.test(text) ? text : `https://${text}`;
}

export function readSettings(raw = window.LAATU_CONFIG ?? {}) {
  const cognito = raw.cognito ?? {};
  const siteRoot = `${location.origin}/`;
  return Object.freeze({
    apiBaseUrl: String(raw.apiBaseUrl || location.origin).replace(/\/+$/, ""),
    authMode: raw.authMode === "cognito" ? "cognito" : "local",
    cognito: Object.freeze({
      domain: withScheme(cognito.domain ?? raw.cognitoDomain),
      clientId: cognito.clientId ?? raw.clientId ?? "",
      redirectUri: cognito.redirectUri ?? raw.redirectUri ?? siteRoot,
      logoutUri: cognito.logoutUri ?? raw.logoutUri ?? cognito.redirectUri ?? raw.redirectUri ?? siteRoot,
      scopes: cognito.scopes ?? raw.scopes ?? ["openid", "email", "profile"],
    }),
  });
}

export const settings = readSettings();
