// "Upload batch", for outside auditors (and QA managers): the CSV template of a
// published form version, the upload of a filled-in file straight to storage with a
// progress bar, and the person's imports. Each import's report is its own page
// (views/import.js), where the page goes once the file has arrived.

import { ApiError, enc } from "../api.js";
import { getTemplateCsv, listForms } from "../api/forms.js";
import { createImport, listImports } from "../api/imports.js";
import { announce, field, h, replaceChildren } from "../dom.js";
import { errorMessage } from "../errors.js";
import { clearFieldErrors, showFieldError } from "../field-errors.js";
import { formatDateTime, formatInteger, loadMessages, locale, t } from "../i18n.js";
import { navigate } from "../router.js";
import { useStylesheet } from "../stylesheet.js";
import { UploadError, uploadFile } from "../upload.js";
import { statusBadge } from "./import.js";

// The API's limit (upload.max_bytes of a new import), checked before asking for an
// upload so that a file that cannot go leaves no pending import behind.
const MAX_BYTES = 20 * 1024 * 1024;
const LIST_LIMIT = 20;

function formatSize(bytes) {
  const units = [["MB", 1024 * 1024], ["kB", 1024]];
  const [unit, size] = units.find(([, s]) => bytes >= s) ?? ["B", 1];
  return `${new Intl.NumberFormat(locale(), { maximumFractionDigits: size === 1 ? 0 : 1 }).format(bytes / size)} ${unit}`;
}

/** Saves a Blob under `name` through a short-lived object URL (no token in any address). */
function save(blob, name) {
  const url = URL.createObjectURL(blob);
  const link = h("a", { href: url, download: name, hidden: true });
  document.body.append(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(url), 60000);
}

function uploadErrorMessage(error) {
  if (error.status === 0) return t("imports.uploadNetwork");
  if (error.code === "EntityTooLarge") return t("imports.tooLarge", { max: formatSize(MAX_BYTES) });
  if (error.status === 403) return t("imports.uploadRefused", { detail: error.message || error.code });
  return t("imports.uploadFailed", { detail: error.message || error.code });
}

function templateSection(forms) {
  const formSelect = h("select", {}, forms.map((form) => h("option", { value: form.form_id }, form.name)));
  const versionSelect = h("select");
  const delimiterSelect = h("select", {},
    h("option", { value: "semicolon" }, t("imports.semicolon")),
    h("option", { value: "comma" }, t("imports.comma")));
  const status = h("p", { class: "editor-status", role: "status" });
  const button = h("button", { class: "button", type: "submit" }, t("imports.downloadTemplate"));
  const fillVersions = () => {
    const form = forms.find((f) => f.form_id === formSelect.value);
    replaceChildren(versionSelect, Array.from({ length: form?.latest_version ?? 0 }, (_, i) => form.latest_version - i)
      .map((v) => h("option", { value: String(v) }, t("imports.versionN", { version: v }))));
  };
  formSelect.addEventListener("change", fillVersions);
  fillVersions();
  const form = h("form", { class: "card", novalidate: true, "aria-labelledby": "template-h" },
    h("h2", { id: "template-h" }, t("imports.templateTitle")),
    h("p", { class: "hint" }, t("imports.templateHelp")),
    forms.length
      ? h("div", { class: "toolbar" },
        field({ label: t("imports.form"), control: formSelect, name: "form_id" }),
        field({ label: t("imports.version"), control: versionSelect, name: "version" }),
        field({ label: t("imports.delimiter"), control: delimiterSelect, name: "delimiter" }),
        button, status)
      : h("p", {}, t("imports.noForms")));
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    clearFieldErrors(form);
    status.textContent = "";
    try {
      const { blob, fileName } = await getTemplateCsv(formSelect.value, versionSelect.value, delimiterSelect.value);
      const name = fileName ?? `${formSelect.value}-v${versionSelect.value}.csv`;
      save(blob, name);
      status.textContent = t("imports.templateSaved", { name });
    } catch (error) {
      if (!(error instanceof ApiError)) throw error;
      showFieldError(form, error.field ?? "form_id", errorMessage(error))?.focus();
    }
  });
  return form;
}

function uploadSection(app) {
  const fileInput = h("input", { type: "file", accept: ".csv,.jsonl,.txt,text/csv,application/x-ndjson", required: true });
  const button = h("button", { class: "button primary", type: "submit" }, t("imports.upload"));
  const progress = h("progress", { id: "upload-progress", max: 100, value: 0 });
  const progressText = h("span", { class: "num" });
  const progressLabel = h("label", { for: "upload-progress" });
  const progressBox = h("div", { class: "upload-progress", hidden: true }, progressLabel, progress, progressText);
  const status = h("p", { class: "editor-status", role: "status" });
  const errorBox = h("div", { class: "error-box", role: "alert", tabindex: "-1", hidden: true });
  let uploading = false;
  window.addEventListener("beforeunload", (event) => {
    if (uploading) event.preventDefault();
  }, { signal: app.signal });

  const form = h("form", { class: "card", novalidate: true, "aria-labelledby": "upload-h" },
    h("h2", { id: "upload-h" }, t("imports.uploadTitle")),
    h("p", { class: "hint" }, t("imports.uploadHelp", { max: formatSize(MAX_BYTES), rows: formatInteger(50000) })),
    errorBox,
    h("div", { class: "toolbar" },
      field({ label: t("imports.file"), control: fileInput, name: "file" }),
      button),
    progressBox,
    status);

  const showProgress = (sent, total) => {
    const percent = total ? Math.floor((sent / total) * 100) : 0;
    progress.value = percent;
    progressText.textContent = `${percent} %`;
  };

  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    clearFieldErrors(form);
    status.textContent = "";
    const file = fileInput.files?.[0];
    const refuse = (key, params = {}) => showFieldError(form, "file", t(key, params))?.focus();
    if (!file) return refuse("imports.chooseFile");
    if (file.size === 0) return refuse("imports.emptyFile");
    if (file.size > MAX_BYTES) return refuse("imports.tooLarge", { max: formatSize(MAX_BYTES) });

    const busy = (on) => {
      uploading = on;
      button.disabled = on;
      fileInput.disabled = on;
    };
    busy(true);
    let created;
    try {
      created = await createImport();
      progressLabel.textContent = t("imports.uploading", { name: file.name, size: formatSize(file.size) });
      progressBox.hidden = false;
      showProgress(0, file.size);
      announce(t("imports.uploadStarted", { name: file.name }));
      await uploadFile(created.upload, file, { onProgress: showProgress });
    } catch (error) {
      busy(false); // first: a disabled control cannot take the focus the error gives it
      progressBox.hidden = true;
      if (error instanceof ApiError) return showFieldError(form, null, errorMessage(error))?.focus();
      if (error instanceof UploadError) return showFieldError(form, "file", uploadErrorMessage(error))?.focus();
      throw error;
    }
    busy(false);
    status.textContent = t("imports.uploaded", { name: file.name });
    announce(status.textContent);
    navigate(`#/imports/${enc(created.import_id)}`);
  });
  return form;
}

function importsSection(app) {
  const admin = app.hasRole("admin");
  const body = h("tbody");
  const more = h("button", { class: "button subtle", type: "button", hidden: true }, t("imports.more"));
  const section = h("section", { class: "card", "aria-labelledby": "imports-h" },
    h("h2", { id: "imports-h" }, t(admin ? "imports.allTitle" : "imports.mineTitle")),
    h("div", { class: "table-scroll" }, h("table", { class: "imports-table" },
      h("thead", {}, h("tr", {},
        h("th", { scope: "col" }, t("imports.fileColumn")),
        h("th", { scope: "col" }, t("imports.started")),
        admin ? h("th", { scope: "col" }, t("imports.auditor")) : null,
        h("th", { scope: "col" }, t("imports.status")),
        h("th", { scope: "col", class: "num" }, t("imports.imported")),
        h("th", { scope: "col", class: "num" }, t("imports.rejected")))),
      body)),
    more);
  let cursor = null;
  async function load() {
    const page = await listImports({ limit: LIST_LIMIT, cursor });
    body.append(...page.items.map((item) => h("tr", { dataset: { importId: item.import_id } },
      h("th", { scope: "row" }, h("a", { href: `#/imports/${enc(item.import_id)}` }, item.file?.name ?? t("imports.noFile"))),
      h("td", {}, formatDateTime(item.created_at, app.timeZone)),
      admin ? h("td", {}, item.auditor) : null,
      h("td", {}, statusBadge(item.status)),
      h("td", { class: "num" }, formatInteger(item.rows.imported)),
      h("td", { class: "num" }, formatInteger(item.rows.rejected)))));
    if (!body.children.length) body.append(h("tr", {}, h("td", { colspan: admin ? 6 : 5 }, t("imports.none"))));
    cursor = page.next_cursor;
    more.hidden = !cursor;
  }
  more.addEventListener("click", async () => {
    const first = body.children.length;
    await load();
    body.children[first]?.querySelector("a")?.focus();
  });
  return { section, load };
}

export async function render(root, _params, app) {
  await Promise.all([loadMessages("imports"), useStylesheet("/css/office.css")]);
  document.title = `${t("imports.title")} – Laatu`;
  const heading = h("h1", { tabindex: "-1" }, t("imports.title"));
  if (!app.hasRole("auditor", "admin")) {
    replaceChildren(root, heading, h("p", {}, t("imports.auditorOnly")));
    heading.focus();
    return;
  }
  const list = importsSection(app);
  const [{ items }] = await Promise.all([listForms(), list.load()]);
  const published = items.filter((form) => form.latest_version >= 1);
  replaceChildren(root,
    h("div", { class: "page-head" }, heading, h("p", { class: "subtle" }, t("imports.help"))),
    templateSection(published),
    uploadSection(app),
    list.section);
  heading.focus();
}
