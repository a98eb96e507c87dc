// Sign-in through Cognito's hosted UI: the OAuth 2.0 authorization code flow with
// PKCE, the flow a public browser client should use (no client secret, no tokens in
// the URL). Only loaded when config.js says authMode "cognito".
//
//   1. beginSignIn: a random verifier and state are kept in sessionStorage and the
//      browser goes to {domain}/oauth2/authorize with the verifier's SHA-256.
//   2. Cognito sends the browser back to redirectUri?code=...&state=...
//   3. completeSignIn: the code and verifier are exchanged at {domain}/oauth2/token
//      for an ID token (what the API verifies) and a refresh token.
//   4. renew: the refresh token gives a new ID token before the old one expires.

const PENDING_KEY = "laatu.cognito.pending";

function base64url(bytes) {
  let text = "";
  for (const byte of bytes) text += String.fromCharCode(byte);
  return btoa(text).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
}

const randomText = (size) => base64url(crypto.getRandomValues(new Uint8Array(size)));

async function challengeOf(verifier) {
  const digest = await crypto.subtle.digest("SHA-256", new TextEncoder().encode(verifier));
  return base64url(new Uint8Array(digest));
}

export async function beginSignIn(cognito, returnTo = location.hash) {
  const verifier = randomText(48);
  const state = randomText(24);
  sessionStorage.setItem(PENDING_KEY, JSON.stringify({ verifier, state, returnTo }));
  const query = new URLSearchParams({
    response_type: "code",
    client_id: cognito.clientId,
    redirect_uri: cognito.redirectUri,
    scope: cognito.scopes.join(" "),
    state,
    code_challenge_method: "S256",
    code_challenge: await challengeOf(verifier),
  });
  location.assign(`${cognito.domain}/oauth2/authorize?${query}`);
}

async function tokenRequest(cognito, fields) {
  const response = await fetch(`${cognito.domain}/oauth2/token`, {
    method: "POST",
    headers: { "Content-Type": "application/x-www-form-urlencoded" },
    body: new URLSearchParams({ client_id: cognito.clientId, ...fields }),
  });
  const body = await response.json().catch(() => ({}));
  if (!response.ok || !body.id_token) {
    throw new Error(body.error_description || body.error || `token endpoint answered ${response.status}`);
  }
  return body;
}

/** When the URL carries ?code=&state= back from the hosted UI, trades them for
 * tokens and cleans the URL. Returns {tokens, returnTo} or null if not a callback. */
export async function completeSignIn(cognito, url = new URL(location.href)) {
  const code = url.searchParams.get("code");
  const error = url.searchParams.get("error");
  if (!code && !error) return null;
  const pending = JSON.parse(sessionStorage.getItem(PENDING_KEY) ?? "null");
  sessionStorage.removeItem(PENDING_KEY);
  history.replaceState(null, "", `${url.pathname}${pending?.returnTo || "#/"}`);
  if (error) throw new Error(url.searchParams.get("error_description") || error);
  if (!pending || pending.state !== url.searchParams.get("state")) {
    throw new Error("the sign-in answer does not belong to this browser tab (state mismatch)");
  }
  const tokens = await tokenRequest(cognito, {
    grant_type: "authorization_code",
    code,
    redirect_uri: cognito.redirectUri,
    code_verifier: pending.verifier,
  });
  return { tokens, returnTo: pending.returnTo };
}

export const renew = (cognito, refreshToken) =>
  tokenRequest(cognito, { grant_type: "refresh_token", refresh_token: refreshToken });

export function logoutUrl(cognito) {
  const query = new URLSearchParams({ client_id: cognito.clientId, logout_uri: cognito.logoutUri });
  return `${cognito.domain}/logout?${query}`;
}
