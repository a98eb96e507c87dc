// The upload page's rules, no DOM: the API's upload limits (from the generated rules,
// so they are the server's), what makes a file refused before any upload is asked
// for, the words for a failed upload, the versions a template can be of, and the
// list's paging.

import { locale } from "../../i18n.js";
import { MAX_UPLOAD_BYTES, MAX_UPLOAD_ROWS } from "../../rules.generated.js";

export { MAX_UPLOAD_ROWS };
export const LIST_LIMIT = 20;

export function formatSize(bytes) {
  const units = [["MB", 1024 * 1024], ["kB", 1024]];
  const [unit, size] = units.find(([, s]) => bytes >= s) ?? ["B", 1];
  return `${new Intl.NumberFormat(locale(), { maximumFractionDigits: size === 1 ? 0 : 1 }).format(bytes / size)} ${unit}`;
}

export const maxSize = () => formatSize(MAX_UPLOAD_BYTES);

/** Why `file` cannot go, as [message key, params], or null. Checked before asking for
 * an upload, so that a file that cannot go leaves no pending import behind. */
export function fileRefusal(file) {
  if (!file) return ["imports.chooseFile", {}];
  if (file.size === 0) return ["imports.emptyFile", {}];
  if (file.size > MAX_UPLOAD_BYTES) return ["imports.tooLarge", { max: maxSize() }];
  return null;
}

/** The words for an upload that storage refused (an UploadError), as [key, params]. */
export function uploadFailure(error) {
  if (error.status === 0) return ["imports.uploadNetwork", {}];
  if (error.code === "EntityTooLarge") return ["imports.tooLarge", { max: maxSize() }];
  if (error.status === 403) return ["imports.uploadRefused", { detail: error.message || error.code }];
  return ["imports.uploadFailed", { detail: error.message || error.code }];
}

/** A form's published versions, newest first. */
export function versionsOf(forms, formId) {
  const form = forms.find((f) => f.form_id === formId);
  return Array.from({ length: form?.latest_version ?? 0 }, (_, i) => form.latest_version - i);
}

export const templateName = (formId, version) => `${formId}-v${version}.csv`;

/** The person's imports, a page at a time. */
export class ImportList {
  constructor() {
    this.cursor = null;
  }

  query() {
    return { limit: LIST_LIMIT, cursor: this.cursor };
  }

  /** After a page arrived; true when there are more. */
  paged(page) {
    this.cursor = page.next_cursor;
    return Boolean(this.cursor);
  }
}
