// The caller's inbox: what needs their action, with a count per kind.

import { get } from "../api.js";

/** {items: [InboxItem], counts: {kind: n}, overdue: n} */
export const getInbox = (options) => get("/v1/inbox", options);
