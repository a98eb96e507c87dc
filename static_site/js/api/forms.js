// Monitoring forms: the list, one form's draft and published version with its ETag,
// saving, publishing, the versions and a version's batch template.

import { api, enc, get } from "../api.js";

const path = (formId) => `/v1/forms/${enc(formId)}`;
// The ETag header is what If-Match wants; the body carries it too for when a proxy drops it.
const withEtag = ({ headers, data }) => ({ form: data, etag: headers.get("ETag") ?? data.etag });

export const listForms = () => get("/v1/forms");

export const getForm = (formId) => get(path(formId));

/** {form, etag}: the form and the ETag a save of its draft must send back. */
export const getFormForEdit = (formId) => api("GET", path(formId)).then(withEtag);

/** A new form's first draft; {form, etag}. */
export const createForm = (definition) => api("POST", "/v1/forms", { body: definition }).then(withEtag);

/** The draft saved over the one `etag` names (a 412 when someone saved meanwhile). */
export const saveForm = (formId, definition, etag) =>
  api("PUT", path(formId), { body: definition, headers: { "If-Match": etag } }).then(withEtag);

/** {created, version}: created is false when the draft equals the latest version. */
export const publishForm = (formId) =>
  api("POST", `${path(formId)}/publish`).then(({ status, data }) => ({ created: status === 201, version: data.version }));

export const listVersions = (formId) => get(`${path(formId)}/versions`);

export const getVersion = (formId, version) => get(`${path(formId)}/versions/${enc(version)}`);

/** {blob, fileName}: the CSV an auditor fills in for one form version. */
export async function getTemplateCsv(formId, version, delimiter) {
  const { headers, data } = await api("GET", `${path(formId)}/versions/${enc(version)}/template.csv?delimiter=${enc(delimiter)}`,
    { as: "blob", headers: { Accept: "text/csv" } });
  const fileName = /filename="([^"]+)"/.exec(headers.get("Content-Disposition") ?? "")?.[1] ?? null;
  return { blob: data, fileName };
}
