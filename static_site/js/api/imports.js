// Batch imports: a new one with its presigned upload, the list, and one import with
// its status and a page of its report.

import { api, enc, get } from "../api.js";

/** {import_id, upload}: where the file goes (a presigned POST). */
export const createImport = () => api("POST", "/v1/imports").then((r) => r.data);

/** {items, next_cursor}, newest first. */
export const listImports = ({ limit, cursor = null }) =>
  get(`/v1/imports?${new URLSearchParams({ limit: String(limit), ...(cursor ? { cursor } : {}) })}`);

/** The import with a page of its report: {limit: 0} for the status alone, or
 * {limit, cursor, outcome} for the rows. */
export function getImport(importId, { limit, cursor = null, outcome = null }) {
  const query = new URLSearchParams({ limit: String(limit) });
  if (cursor) query.set("cursor", cursor);
  if (outcome) query.set("outcome", outcome);
  return get(`/v1/imports/${enc(importId)}?${query}`);
}
