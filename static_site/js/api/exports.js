// Payroll exports: the history, a run of one pay period, and a period's files as
// short-lived links.

import { api, enc, get } from "../api.js";

export const listExports = () => get("/v1/exports").then((page) => page.items);

/** {outcome, revision}: what the run did (written, unchanged, busy, failed). */
export const runExport = (period) => api("POST", `/v1/exports/${enc(period)}/run`).then((r) => r.data);

export const exportFiles = (period) => get(`/v1/exports/${enc(period)}`);
