// The form editor: sections and criteria added, reordered and edited (points,
// weights, critical, N/A allowed), previewed with the live score, saved as the
// draft (If-Match with the ETag, so two managers cannot overwrite each other) and
// published as a new version. This module wires the page: the session and its
// rules are form-editor/model.js, the DOM form-editor/view.js.

import { ApiError, enc } from "../api.js";
import { createForm, getFormForEdit, listVersions, publishForm, saveForm } from "../api/forms.js";
import { announce, h, replaceChildren } from "../dom.js";
import { errorMessage } from "../errors.js";
import { loadMessages, t } from "../i18n.js";
import { EditorModel } from "./form-editor/model.js";
import { EditorView } from "./form-editor/view.js";

export async function render(root, params, app) {
  await loadMessages("forms");
  if (!app.hasRole("admin")) {
    replaceChildren(root, h("h1", { tabindex: "-1" }, t("forms.title")), h("p", {}, t("forms.adminOnly")));
    return;
  }
  const model = new EditorModel(params.isNew ? null : await getFormForEdit(params.formId));
  let previewOpen = false;
  document.title = `${t("editor.title")} – Laatu`;

  const changed = () => {
    view.setStatus(t("editor.unsaved"));
    if (previewOpen) view.renderPreview(model.definition());
  };
  /** Re-renders after a structural change and puts focus back on `focusKey`. */
  const restructure = (focusKey) => {
    changed();
    view.renderSections(model.state);
    view.focus(focusKey);
  };

  async function showVersions() {
    const stored = !model.isNew && model.state.form_id;
    view.renderVersions(stored ? (await listVersions(model.state.form_id)).items : null, app.timeZone);
  }

  async function save() {
    view.clearErrors();
    try {
      const creating = model.creating;
      const answer = creating
        ? await createForm(model.definition())
        : await saveForm(model.state.form_id, model.definition(), model.etag);
      model.saved(answer);
      view.setStatus(t("editor.saved"));
      announce(t("editor.saved"));
      if (creating) {
        // The address follows without re-rendering, so nothing typed meanwhile is lost.
        history.replaceState(null, "", `#/forms/${enc(answer.form.form_id)}`);
        view.lockFormId();
        view.renderHead(model.isNew, model.latestVersion);
        await showVersions();
      }
      return true;
    } catch (error) {
      if (!(error instanceof ApiError)) throw error;
      view.showError(error.field, errorMessage(error));
      return false;
    }
  }

  async function publish() {
    if (model.needsSave && !(await save())) return;
    try {
      const { created, version } = await publishForm(model.state.form_id);
      // Publishing moves the stored form on (its latest version), so its ETag changes:
      // without the new one the next save would be refused as someone else's change.
      const { etag } = await getFormForEdit(model.state.form_id);
      model.published(version, etag);
      const text = created ? t("editor.published", { version }) : t("editor.unchanged", { version });
      view.setStatus(text);
      announce(text);
      view.renderHead(model.isNew, model.latestVersion);
      await showVersions();
    } catch (error) {
      if (!(error instanceof ApiError)) throw error;
      view.showError(error.field, errorMessage(error));
    }
  }

  const view = new EditorView(root, model.state, {
    isNew: model.isNew,
    on: {
      set: (item, key, value) => {
        model.set(item, key, value);
        changed();
      },
      retitle: (item, kind, text) => {
        const id = model.retitle(item, kind, text);
        changed();
        return id;
      },
      setWeighted: (on) => {
        model.setWeighted(on);
        restructure();
      },
      addSection: () => restructure(`title-${model.addSection()}`),
      addCriterion: (si) => restructure(`text-${si}-${model.addCriterion(si)}`),
      moveSection: (si, delta) => model.moveSection(si, delta) && restructure(`s-${si + delta}-${delta < 0 ? "up" : "down"}`),
      moveCriterion: (si, ci, delta) =>
        model.moveCriterion(si, ci, delta) && restructure(`c-${si}-${ci + delta}-${delta < 0 ? "up" : "down"}`),
      removeSection: (si) => {
        model.removeSection(si);
        restructure("add-section");
      },
      removeCriterion: (si, ci) => {
        model.removeCriterion(si, ci);
        restructure(`add-c-${si}`);
      },
      save,
      publish,
      togglePreview: () => {
        previewOpen = !previewOpen;
        view.showPreview(previewOpen, model.definition());
      },
    },
  });
  view.renderHead(model.isNew, model.latestVersion);

  window.addEventListener("beforeunload", (event) => {
    if (model.dirty) event.preventDefault();
  }, { signal: app.signal });
  document.addEventListener("keydown", (event) => {
    if ((event.ctrlKey || event.metaKey) && event.key.toLowerCase() === "s") {
      event.preventDefault();
      save();
    }
  }, { signal: app.signal });

  await showVersions();
  view.focusStart(model.isNew);
}
