// Who is signed in: user, tenant, roles and agent id, from the verified token.

import { get } from "../api.js";

export const whoAmI = () => get("/v1/me");
