// "Upload batch", for outside auditors (and QA managers): the CSV template of a
// published form version, the upload of a filled-in file straight to storage with a
// progress bar, and the person's imports. Each import's report is its own page
// (views/import.js), where the page goes once the file has arrived. This module
// wires the page: the limits and rules are imports/model.js, the DOM imports/view.js.

import { ApiError, enc } from "../api.js";
import { getTemplateCsv, listForms } from "../api/forms.js";
import { createImport, listImports } from "../api/imports.js";
import { announce } from "../dom.js";
import { errorMessage } from "../errors.js";
import { loadMessages, t } from "../i18n.js";
import { navigate } from "../router.js";
import { useStylesheet } from "../stylesheet.js";
import { UploadError, uploadFile } from "../upload.js";
import { ImportList, fileRefusal, formatSize, templateName, uploadFailure } from "./imports/model.js";
import {
  ImportsSection, TemplateSection, UploadSection, mount, renderRefusal, saveBlob,
} from "./imports/view.js";

function templateSection(forms) {
  const section = new TemplateSection(forms, {
    download: async (formId, version, delimiter) => {
      try {
        const { blob, fileName } = await getTemplateCsv(formId, version, delimiter);
        const name = fileName ?? templateName(formId, version);
        saveBlob(blob, name);
        section.showSaved(name);
      } catch (error) {
        if (!(error instanceof ApiError)) throw error;
        section.showError(error.field ?? "form_id", errorMessage(error));
      }
    },
  });
  return section;
}

function uploadSection(app) {
  let uploading = false;
  window.addEventListener("beforeunload", (event) => {
    if (uploading) event.preventDefault();
  }, { signal: app.signal });
  const busy = (on) => {
    uploading = on;
    section.busy(on);
  };

  const section = new UploadSection({
    upload: async (file) => {
      const refused = fileRefusal(file);
      if (refused) return section.showError("file", t(...refused));
      busy(true);
      let created;
      try {
        created = await createImport();
        section.startProgress(t("imports.uploading", { name: file.name, size: formatSize(file.size) }), file.size);
        announce(t("imports.uploadStarted", { name: file.name }));
        await uploadFile(created.upload, file, { onProgress: (sent, total) => section.showProgress(sent, total) });
      } catch (error) {
        busy(false); // first: a disabled control cannot take the focus the error gives it
        section.hideProgress();
        if (error instanceof ApiError) return section.showError(null, errorMessage(error));
        if (error instanceof UploadError) return section.showError("file", t(...uploadFailure(error)));
        throw error;
      }
      busy(false);
      announce(section.setStatus(t("imports.uploaded", { name: file.name })));
      navigate(`#/imports/${enc(created.import_id)}`);
    },
  });
  return section;
}

function importsSection(app) {
  const list = new ImportList();
  const load = async () => {
    const page = await listImports(list.query());
    return section.append(page.items, list.paged(page));
  };
  const section = new ImportsSection({
    admin: app.hasRole("admin"),
    timeZone: app.timeZone,
    on: { more: async () => section.focusRow(await load()) },
  });
  return { section, load };
}

export async function render(root, _params, app) {
  await Promise.all([loadMessages("imports"), useStylesheet("/css/office.css")]);
  document.title = `${t("imports.title")} – Laatu`;
  if (!app.hasRole("auditor", "admin")) {
    renderRefusal(root);
    return;
  }
  const list = importsSection(app);
  const [{ items }] = await Promise.all([listForms(), list.load()]);
  const published = items.filter((form) => form.latest_version >= 1);
  mount(root, [templateSection(published), uploadSection(app), list.section]);
}
