// Teams: the list (each with the user ids of its leaders), which the report pages
// offer as scopes.

import { get } from "../api.js";

export const listTeams = () => get("/v1/teams").then((page) => page.items ?? page ?? []);
