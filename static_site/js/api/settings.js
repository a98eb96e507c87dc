// The tenant's settings: the rules in force with every revision, and a new revision.

import { api, get } from "../api.js";

export const getSettings = () => get("/v1/settings");

/** Saves `body` as a new revision; answers the revision (number, effective_from). */
export const saveSettings = (body) => api("PUT", "/v1/settings", { body }).then((r) => r.data);
