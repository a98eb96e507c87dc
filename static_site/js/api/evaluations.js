// Evaluations: one sent (with the Idempotency-Key that makes a retry store it once),
// one read back, and an agent's evaluations between two instants.

import { api, enc, get } from "../api.js";

export const postEvaluation = (body, idempotencyKey) =>
  api("POST", "/v1/evaluations", { body, headers: { "Idempotency-Key": idempotencyKey } }).then((r) => r.data);

export const getEvaluation = (evaluationId) => get(`/v1/evaluations/${enc(evaluationId)}`);

/** {items, next_cursor} for a query such as {agent_id, from, to, limit}. */
export const listEvaluations = (query) => get(`/v1/evaluations?${new URLSearchParams(query)}`);
