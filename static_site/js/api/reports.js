// Reports (/v1/reports/*): one function per route, each taking the query the route
// documents ({scope, range, ...}); and any of them as a CSV or XLSX file. A file is
// fetched with the bearer token like every other call and handed back as a Blob, so
// no token ever sits in an address a browser could keep.

import { api, get } from "../api.js";

const ROUTES = ["compliance", "heatmap", "trend", "breakdown", "suggestions", "leaderboard"];

/** The query string of a report: empty values are left out. */
export function reportQuery(query) {
  const clean = Object.entries(query).filter(([, value]) => value !== undefined && value !== null && value !== "");
  return new URLSearchParams(clean.map(([key, value]) => [key, String(value)]));
}

const path = (route, query) => {
  if (!ROUTES.includes(route)) throw new Error(`unknown report ${route}`);
  return `/v1/reports/${route}?${reportQuery(query)}`;
};

/** {scope, range[, form][, by_version]} */
export const compliance = (query, options) => get(path("compliance", query), options);
/** {scope: "team:<id>", range} */
export const heatmap = (query, options) => get(path("heatmap", query), options);
/** {scope, period, count[, end]} */
export const trend = (query, options) => get(path("trend", query), options);
/** {scope, range, by} */
export const breakdown = (query, options) => get(path("breakdown", query), options);
/** {scope: "agent:<id>", range, lang} */
export const suggestions = (query, options) => get(path("suggestions", query), options);
/** {scope: "team:<id>", range} */
export const leaderboard = (query, options) => get(path("leaderboard", query), options);

const ACCEPT = {
  csv: "text/csv",
  xlsx: "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
};

/** The address of a report's file (the API path, for a test or a log; it is
 * fetched through downloadReport, never opened as a link). */
export const reportFilePath = (route, query, format, lang) => path(route, { ...query, format, lang });

/** {blob, fileName}: a report as a file, `format` csv or xlsx, column titles and
 * CSV dialect in `lang`. fileName is the server's (Content-Disposition) or null. */
export async function downloadReport(route, query, format, lang) {
  if (!(format in ACCEPT)) throw new Error(`unknown format ${format}`);
  const { headers, data } = await api("GET", reportFilePath(route, query, format, lang),
    { as: "blob", headers: { Accept: ACCEPT[format] } });
  const fileName = /filename="([^"]+)"/.exec(headers.get("Content-Disposition") ?? "")?.[1] ?? null;
  return { blob: data, fileName };
}
