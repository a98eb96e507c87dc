// Sending an evaluation over a connection that may drop. Every try carries the
// draft's Idempotency-Key and the same body, so however many tries reach the
// server, one evaluation is stored (the API answers a repeat with the first result).

import { ApiError } from "./api.js";
import { postEvaluation } from "./api/evaluations.js";

const BACKOFF_MS = [400, 1200, 3000];

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

export async function submitEvaluation(body, idempotencyKey, { onRetry } = {}) {
  for (let attempt = 0; ; attempt += 1) {
    try {
      return await postEvaluation(body, idempotencyKey);
    } catch (error) {
      const retry = error instanceof ApiError && error.transient && attempt < BACKOFF_MS.length;
      if (!retry) throw error;
      onRetry?.(attempt + 1);
      await sleep(BACKOFF_MS[attempt]);
    }
  }
}

/** A just-stored evaluation and its form, handed to the evaluation page so it shows
 * at once, without fetching what this page already has. */
let handoff = null;
export const handOver = (evaluation, definition) => {
  handoff = { evaluation, definition };
};
export function takeOver(evaluationId) {
  const found = handoff?.evaluation.evaluation_id === evaluationId ? handoff : null;
  handoff = null;
  return found;
}
