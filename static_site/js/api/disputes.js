// Disputes: an agent (or their team leader) contesting an evaluation, and a reviewer
// taking it into review and deciding it; an upheld one carries the corrected evaluation.

import { api, enc, get } from "../api.js";

// The query string of a list: empty values are left out.
const listQuery = (query) => new URLSearchParams(Object.entries(query).filter(([, v]) => v !== undefined && v !== null && v !== ""));

const path = (disputeId) => `/v1/disputes/${enc(disputeId)}`;
const post = (url, body) => api("POST", url, { body }).then((r) => r.data);

/** {reason, criteria?} → the new Dispute. */
export const openDispute = (evaluationId, body) => post(`/v1/evaluations/${enc(evaluationId)}/disputes`, body);

/** {items: [Dispute]} of one evaluation. */
export const evaluationDisputes = (evaluationId, options) => get(`/v1/evaluations/${enc(evaluationId)}/disputes`, options);

/** {items: [Dispute]}; query {state: "undecided" | "all", agent_id?}. */
export const listDisputes = (query = {}, options) => get(`/v1/disputes?${listQuery(query)}`, options);

export const getDispute = (disputeId, options) => get(path(disputeId), options);

export const takeIntoReview = (disputeId) => post(`${path(disputeId)}/review`);

/** {outcome, reason, evaluation?, evaluation_revision?} */
export const decideDispute = (disputeId, body) => post(`${path(disputeId)}/decision`, body);

export const withdrawDispute = (disputeId) => post(`${path(disputeId)}/withdrawal`);
