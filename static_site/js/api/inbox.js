// The caller's inbox: what needs their action, with a count per kind.

import { get } from "../api.js";

/** {items: [InboxItem], counts: {kind: n}, overdue: n} */
export const getInbox = (options) => get("/v1/inbox", options);

/** {total, counts: {kind: n}, overdue}: what the top bar's badge shows, without the entries. */
export const getInboxTotals = (options) => get("/v1/inbox?view=counts", options);
