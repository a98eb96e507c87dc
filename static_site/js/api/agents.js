// The agent roster and an agent's figures for a month.

import { api, enc, get } from "../api.js";

export const listAgents = () => get("/v1/agents").then((page) => page.items ?? []);

export const saveAgent = (agentId, body) => api("PUT", `/v1/agents/${enc(agentId)}`, { body }).then((r) => r.data);

export const agentSummary = (agentId, period) => get(`/v1/agents/${enc(agentId)}/summary?${new URLSearchParams({ period })}`);
