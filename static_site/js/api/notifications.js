// The caller's email notifications: where to, in which language, on or off.

import { api, get } from "../api.js";

/** {email, language, enabled} */
export const getNotifications = (options) => get("/v1/me/notifications", options);

export const saveNotifications = (body) => api("PUT", "/v1/me/notifications", { body }).then((r) => r.data);
