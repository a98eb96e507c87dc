// Coaching sessions: what was agreed with an agent, the agent's development wish and
// acknowledgement, the actions and, on one session, their effect on the figures.

import { api, enc, get } from "../api.js";

// The query string of a list: empty values are left out.
const listQuery = (query) => new URLSearchParams(Object.entries(query).filter(([, v]) => v !== undefined && v !== null && v !== ""));

const path = (sessionId) => `/v1/coaching-sessions/${enc(sessionId)}`;
// A write names the version it was made on, so a change someone made meanwhile is a 412.
const ifMatch = (version) => (version ? { "If-Match": `"${version}"` } : {});

/** {items: [Session]}, newest held_on first; query {agent_id?}. */
export const listSessions = (query = {}, options) => get(`/v1/coaching-sessions?${listQuery(query)}`, options);

/** The session with its effect. */
export const getSession = (sessionId, options) => get(path(sessionId), options);

export const createSession = (body) => api("POST", "/v1/coaching-sessions", { body }).then((r) => r.data);

export const saveSession = (sessionId, body, version) =>
  api("PUT", path(sessionId), { body, headers: ifMatch(version) }).then((r) => r.data);

export const saveWish = (sessionId, developmentWish, version) =>
  api("PUT", `${path(sessionId)}/wish`, { body: { development_wish: developmentWish }, headers: ifMatch(version) }).then((r) => r.data);

export const acknowledgeSession = (sessionId) => api("POST", `${path(sessionId)}/acknowledgement`).then((r) => r.data);

export const markActionDone = (sessionId, actionId) =>
  api("POST", `${path(sessionId)}/actions/${enc(actionId)}/done`).then((r) => r.data);
