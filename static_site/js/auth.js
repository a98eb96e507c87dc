// Who is signed in: keeps the bearer token (a Cognito ID token in AWS, a locally
// signed one with `make run`) and renews it in AWS before it runs out. Kept in
// localStorage so a reload or a second tab in a long shift stays signed in; signing
// out removes it. Drafts are kept apart, so signing out never loses typed work.

import { settings } from "./settings.js";

const STORAGE_KEY = "laatu.session";
const RENEW_MARGIN_S = 120;

function decodePart(part) {
  const base64 = part.replace(/-/g, "+").replace(/_/g, "/");
  const padded = base64 + "=".repeat((4 - (base64.length % 4)) % 4);
  const bytes = Uint8Array.from(atob(padded), (c) => c.charCodeAt(0));
  return JSON.parse(new TextDecoder().decode(bytes));
}

/** The claims of a JWT, unverified (the API verifies; this only reads expiry). */
export function claimsOf(token) {
  try {
    const parts = String(token).split(".");
    if (parts.length !== 3) return null;
    return decodePart(parts[1]);
  } catch {
    return null;
  }
}

function load() {
  try {
    return JSON.parse(localStorage.getItem(STORAGE_KEY) ?? "null");
  } catch {
    return null;
  }
}

function save(session) {
  localStorage.setItem(STORAGE_KEY, JSON.stringify(session));
}

const nowS = () => Math.floor(Date.now() / 1000);

/** Stores a token; returns an error key for i18n, or null when it was accepted. */
export function signInWithToken(token, refreshToken = null) {
  const clean = String(token).trim().replace(/^Bearer\s+/i, "");
  const claims = claimsOf(clean);
  if (!claims) return "signin.errorMalformed";
  if (typeof claims.exp === "number" && claims.exp <= nowS()) return "signin.errorExpired";
  save({ token: clean, refreshToken, expiresAt: claims.exp ?? null });
  return null;
}

export function isSignedIn() {
  const session = load();
  if (!session?.token) return false;
  if (session.expiresAt && session.expiresAt <= nowS() && !session.refreshToken) return false;
  return true;
}

let renewing = null; // one renewal at a time, however many requests wait for it

async function renewSession(session) {
  const { renew } = await import("./cognito.js");
  try {
    const tokens = await renew(settings.cognito, session.refreshToken);
    signInWithToken(tokens.id_token, tokens.refresh_token ?? session.refreshToken);
    return load().token;
  } catch {
    return session.token; // the API will answer 401 and the page asks to sign in
  }
}

/** The token to send, renewed first when it is about to expire (AWS only). */
export async function currentToken() {
  const session = load();
  if (!session?.token) return null;
  const expiring = session.expiresAt && session.expiresAt - RENEW_MARGIN_S <= nowS();
  if (expiring && session.refreshToken && settings.authMode === "cognito") {
    renewing ??= renewSession(session).finally(() => {
      renewing = null;
    });
    return renewing;
  }
  return session.token;
}

/** Forgets the token; in AWS also ends the hosted UI's session. */
export async function signOut() {
  localStorage.removeItem(STORAGE_KEY);
  if (settings.authMode === "cognito" && settings.cognito.domain) {
    const { logoutUrl } = await import("./cognito.js");
    location.assign(logoutUrl(settings.cognito));
  }
}

export function forgetToken() {
  localStorage.removeItem(STORAGE_KEY);
}
