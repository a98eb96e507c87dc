// Acknowledgements: an agent saying they have seen an evaluation's revision, and who
// has not (yet) for the team leaders.

import { api, enc, get } from "../api.js";

// The query string of a list: empty values are left out.
const listQuery = (query) => new URLSearchParams(Object.entries(query).filter(([, v]) => v !== undefined && v !== null && v !== ""));

const path = (evaluationId) => `/v1/evaluations/${enc(evaluationId)}`;

/** {evaluation_id, revision, by, at}; `revision` is the one the agent read. */
export const acknowledge = (evaluationId, revision) =>
  api("POST", `${path(evaluationId)}/acknowledgement`, { body: { revision } }).then((r) => r.data);

/** {items, current_revision, acknowledged, due, overdue} */
export const evaluationAcknowledgements = (evaluationId, options) => get(`${path(evaluationId)}/acknowledgements`, options);

/** {items, count, overdue_count}; query {agent_id | team_id, overdue?}. */
export const listUnacknowledged = (query, options) => get(`/v1/acknowledgements?${listQuery(query)}`, options);
