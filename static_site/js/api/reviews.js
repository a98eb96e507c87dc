// Coaching reviews: the agent's self-evaluation first, then the team leader's, read
// side by side once both are in (or when the self-evaluation's time runs out).

import { api, enc, get } from "../api.js";

// The query string of a list: empty values are left out.
const listQuery = (query) => new URLSearchParams(Object.entries(query).filter(([, v]) => v !== undefined && v !== null && v !== ""));

const path = (reviewId) => `/v1/reviews/${enc(reviewId)}`;

/** {items: [Review]}, newest first; query {agent_id?, state?}. */
export const listReviews = (query = {}, options) => get(`/v1/reviews?${listQuery(query)}`, options);

export const getReview = (reviewId, options) => get(path(reviewId), options);

/** {agent_id, form_id, form_version, contact, leader?} → the new Review. */
export const startReview = (body) => api("POST", "/v1/reviews", { body }).then((r) => r.data);

/** The agent's side: {answers, comments?, summary?}. */
export const saveSelfSide = (reviewId, body) => api("PUT", `${path(reviewId)}/self`, { body }).then((r) => r.data);

/** The team leader's side: {method, answers, comments?, summary?}. */
export const saveLeaderSide = (reviewId, body) => api("PUT", `${path(reviewId)}/leader`, { body }).then((r) => r.data);
