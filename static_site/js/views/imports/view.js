// The upload page's DOM: the template form, the upload form with its progress bar,
// and the table of imports. It shows what it is given and reports what the person
// does through `on` (views/imports.js).

import { enc } from "../../api.js";
import { statusBadge } from "../../components/import-status.js";
import { field, h, replaceChildren } from "../../dom.js";
import { clearFieldErrors, showFieldError } from "../../field-errors.js";
import { formatDateTime, formatInteger, t } from "../../i18n.js";
import { MAX_UPLOAD_ROWS, maxSize, versionsOf } from "./model.js";

/** Saves a Blob under `name` through a short-lived object URL (no token in any address). */
export function saveBlob(blob, name) {
  const url = URL.createObjectURL(blob);
  const link = h("a", { href: url, download: name, hidden: true });
  document.body.append(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(url), 60000);
}

function heading() {
  return h("h1", { tabindex: "-1" }, t("imports.title"));
}

/** The heading alone, for someone who may not upload. */
export function renderRefusal(root) {
  const title = heading();
  replaceChildren(root, title, h("p", {}, t("imports.auditorOnly")));
  title.focus();
}

/** The CSV template of a published form version; `on.download(formId, version, delimiter)`. */
export class TemplateSection {
  constructor(forms, on) {
    const formSelect = h("select", {}, forms.map((form) => h("option", { value: form.form_id }, form.name)));
    const versionSelect = h("select");
    const delimiterSelect = h("select", {},
      h("option", { value: "semicolon" }, t("imports.semicolon")),
      h("option", { value: "comma" }, t("imports.comma")));
    this.status = h("p", { class: "editor-status", role: "status" });
    const button = h("button", { class: "button", type: "submit" }, t("imports.downloadTemplate"));
    const fillVersions = () => {
      replaceChildren(versionSelect, versionsOf(forms, formSelect.value)
        .map((v) => h("option", { value: String(v) }, t("imports.versionN", { version: v }))));
    };
    formSelect.addEventListener("change", fillVersions);
    fillVersions();
    this.element = h("form", { class: "card", novalidate: true, "aria-labelledby": "template-h" },
      h("h2", { id: "template-h" }, t("imports.templateTitle")),
      h("p", { class: "hint" }, t("imports.templateHelp")),
      forms.length
        ? h("div", { class: "toolbar" },
          field({ label: t("imports.form"), control: formSelect, name: "form_id" }),
          field({ label: t("imports.version"), control: versionSelect, name: "version" }),
          field({ label: t("imports.delimiter"), control: delimiterSelect, name: "delimiter" }),
          button, this.status)
        : h("p", {}, t("imports.noForms")));
    this.element.addEventListener("submit", (event) => {
      event.preventDefault();
      clearFieldErrors(this.element);
      this.status.textContent = "";
      on.download(formSelect.value, versionSelect.value, delimiterSelect.value);
    });
  }

  showSaved(name) {
    this.status.textContent = t("imports.templateSaved", { name });
  }

  showError(name, text) {
    showFieldError(this.element, name, text)?.focus();
  }
}

/** The upload of one file with its progress; `on.upload(file)` (the chosen file or undefined). */
export class UploadSection {
  constructor(on) {
    this.fileInput = h("input", { type: "file", accept: ".csv,.jsonl,.txt,text/csv,application/x-ndjson", required: true });
    this.button = h("button", { class: "button primary", type: "submit" }, t("imports.upload"));
    this.progress = h("progress", { id: "upload-progress", max: 100, value: 0 });
    this.progressText = h("span", { class: "num" });
    this.progressLabel = h("label", { for: "upload-progress" });
    this.progressBox = h("div", { class: "upload-progress", hidden: true }, this.progressLabel, this.progress, this.progressText);
    this.status = h("p", { class: "editor-status", role: "status" });
    const errorBox = h("div", { class: "error-box", role: "alert", tabindex: "-1", hidden: true });
    this.element = h("form", { class: "card", novalidate: true, "aria-labelledby": "upload-h" },
      h("h2", { id: "upload-h" }, t("imports.uploadTitle")),
      h("p", { class: "hint" }, t("imports.uploadHelp", { max: maxSize(), rows: formatInteger(MAX_UPLOAD_ROWS) })),
      errorBox,
      h("div", { class: "toolbar" },
        field({ label: t("imports.file"), control: this.fileInput, name: "file" }),
        this.button),
      this.progressBox,
      this.status);
    this.element.addEventListener("submit", (event) => {
      event.preventDefault();
      clearFieldErrors(this.element);
      this.status.textContent = "";
      on.upload(this.fileInput.files?.[0]);
    });
  }

  /** While a file goes, neither it nor the button can change. */
  busy(on) {
    this.button.disabled = on;
    this.fileInput.disabled = on;
  }

  /** Shows `text` at `name` (the file, or the top when null) and focuses it. */
  showError(name, text) {
    showFieldError(this.element, name, text)?.focus();
  }

  startProgress(label, total) {
    this.progressLabel.textContent = label;
    this.progressBox.hidden = false;
    this.showProgress(0, total);
  }

  showProgress(sent, total) {
    const percent = total ? Math.floor((sent / total) * 100) : 0;
    this.progress.value = percent;
    this.progressText.textContent = `${percent} %`;
  }

  hideProgress() {
    this.progressBox.hidden = true;
  }

  /** Answers the text, for announcing it. */
  setStatus(text) {
    this.status.textContent = text;
    return this.status.textContent;
  }
}

/** The person's imports (everyone's for an admin), a page at a time; `on.more()`. */
export class ImportsSection {
  constructor({ admin, timeZone, on }) {
    this.admin = admin;
    this.timeZone = timeZone;
    this.body = h("tbody");
    this.more = h("button", { class: "button subtle", type: "button", hidden: true }, t("imports.more"));
    this.element = h("section", { class: "card", "aria-labelledby": "imports-h" },
      h("h2", { id: "imports-h" }, t(admin ? "imports.allTitle" : "imports.mineTitle")),
      h("div", { class: "table-scroll" }, h("table", { class: "imports-table" },
        h("thead", {}, h("tr", {},
          h("th", { scope: "col" }, t("imports.fileColumn")),
          h("th", { scope: "col" }, t("imports.started")),
          admin ? h("th", { scope: "col" }, t("imports.auditor")) : null,
          h("th", { scope: "col" }, t("imports.status")),
          h("th", { scope: "col", class: "num" }, t("imports.imported")),
          h("th", { scope: "col", class: "num" }, t("imports.rejected")))),
        this.body)),
      this.more);
    this.more.addEventListener("click", () => on.more());
  }

  /** Adds a page of imports; answers the index of its first row. */
  append(items, more) {
    const first = this.body.children.length;
    const admin = this.admin;
    this.body.append(...items.map((item) => h("tr", { dataset: { importId: item.import_id } },
      h("th", { scope: "row" }, h("a", { href: `#/imports/${enc(item.import_id)}` }, item.file?.name ?? t("imports.noFile"))),
      h("td", {}, formatDateTime(item.created_at, this.timeZone)),
      admin ? h("td", {}, item.auditor) : null,
      h("td", {}, statusBadge(item.status)),
      h("td", { class: "num" }, formatInteger(item.rows.imported)),
      h("td", { class: "num" }, formatInteger(item.rows.rejected)))));
    if (!this.body.children.length) this.body.append(h("tr", {}, h("td", { colspan: admin ? 6 : 5 }, t("imports.none"))));
    this.more.hidden = !more;
    return first;
  }

  focusRow(index) {
    this.body.children[index]?.querySelector("a")?.focus();
  }
}

/** Puts the page together. */
export function mount(root, sections) {
  const title = heading();
  replaceChildren(root,
    h("div", { class: "page-head" }, title, h("p", { class: "subtle" }, t("imports.help"))),
    ...sections.map((s) => s.element));
  title.focus();
}
