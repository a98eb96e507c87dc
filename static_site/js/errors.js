// The words shown for an API error: a translated sentence for the codes a person
// can act on, the API's own message otherwise.

import { t } from "./i18n.js";

const KNOWN = new Set([
  "network", "missing_answer", "na_not_allowed", "unknown_form_version", "idempotency_key_reused",
  "precondition_failed", "conflict", "form_exists", "concurrent_publish", "forbidden", "not_found", "payload_too_large", "unauthenticated",
]);

export function errorMessage(error) {
  if (KNOWN.has(error.code)) return t(`apiError.${error.code}`, { message: error.message });
  if (error.status >= 500) return t("apiError.server", { status: error.status });
  return error.message || t("apiError.server", { status: error.status });
}
