// The one way the site talks to /v1: the bearer token, JSON both ways, and every
// failure turned into an ApiError carrying the API's {error, message, field} so a
// view can put the message next to the field it names.

import { currentToken } from "./auth.js";
import { settings } from "./settings.js";

const TIMEOUT_MS = 20000;

export class ApiError extends Error {
  constructor({ status, code, message, field = null }) {
    super(message);
    this.status = status;
    this.code = code;
    this.field = field;
  }

  /** True when trying the same request again may work (nothing was refused). */
  get transient() {
    return this.status === 0 || this.status === 408 || this.status === 429 || this.status >= 500;
  }
}

/** `as: "blob"` answers a file (template.csv) as a Blob instead of parsed JSON. */
export async function api(method, path, { body, headers = {}, signal, as = "json" } = {}) {
  const token = await currentToken();
  const allHeaders = { Accept: "application/json", ...headers };
  if (token) allHeaders.Authorization = `Bearer ${token}`;
  if (body !== undefined) allHeaders["Content-Type"] = "application/json";
  let response;
  try {
    response = await fetch(`${settings.apiBaseUrl}${path}`, {
      method,
      headers: allHeaders,
      body: body === undefined ? undefined : JSON.stringify(body),
      signal: signal ?? AbortSignal.timeout(TIMEOUT_MS),
      cache: "no-store",
    });
  } catch (error) {
    throw new ApiError({ status: 0, code: "network", message: String(error?.message ?? error) });
  }
  if (response.ok && as === "blob") return { status: response.status, headers: response.headers, data: await response.blob() };
  const text = await response.text();
  let data = null;
  try {
    data = text ? JSON.parse(text) : null;
  } catch {
    data = null;
  }
  if (!response.ok) {
    const error = new ApiError({
      status: response.status,
      code: data?.error ?? `http_${response.status}`,
      message: data?.message ?? (text.slice(0, 200) || response.statusText),
      field: data?.field ?? null,
    });
    if (response.status === 401) window.dispatchEvent(new CustomEvent("laatu:unauthenticated"));
    throw error;
  }
  return { status: response.status, headers: response.headers, data };
}

export const get = (path, options) => api("GET", path, options).then((r) => r.data);

export const enc = encodeURIComponent;
