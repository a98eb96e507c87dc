// The form editor: sections and criteria added, reordered and edited (points,
// weights, critical, N/A allowed), previewed with the live score, saved as the
// draft (If-Match with the ETag, so two managers cannot overwrite each other) and
// published as a new version.

import { ApiError, enc } from "../api.js";
import { createForm, getFormForEdit, listVersions, publishForm, saveForm } from "../api/forms.js";
import { createScorePanel } from "../components/score-panel.js";
import { renderCriteria } from "../components/criteria.js";
import { announce, field, h, replaceChildren } from "../dom.js";
import { errorMessage } from "../errors.js";
import { clearFieldErrors, showFieldError } from "../field-errors.js";
import { formatDateTime, t } from "../i18n.js";
import {
  emptyForm, fromDefinition, move, newCriterion, newSection, titleChanged, toDefinition,
} from "../form-model.js";

export async function render(root, params, app) {
  const heading = h("h1", { tabindex: "-1" });
  if (!app.hasRole("admin")) {
    heading.textContent = t("forms.title");
    replaceChildren(root, heading, h("p", {}, t("forms.adminOnly")));
    return;
  }
  let isNew = Boolean(params.isNew);
  let state;
  let etag = null;
  let latestVersion = 0;
  if (isNew) {
    state = emptyForm();
  } else {
    const { form: data, etag: loadedEtag } = await getFormForEdit(params.formId);
    etag = loadedEtag;
    latestVersion = data.latest_version;
    state = fromDefinition(data.draft ?? data.published);
  }
  let dirty = false;
  let previewOpen = false;
  document.title = `${t("editor.title")} – Laatu`;

  const status = h("p", { class: "editor-status", role: "status" });
  const errorBox = h("div", { class: "error-box", role: "alert", tabindex: "-1", hidden: true });
  const sectionsEl = h("div", { class: "editor-sections", dataset: { field: "sections" } });
  const previewEl = h("section", { class: "card preview", "aria-labelledby": "preview-h", hidden: true });
  const versionsEl = h("section", { class: "card versions", "aria-labelledby": "versions-h" });
  const saveButton = h("button", { class: "button", type: "button" }, t("editor.save"));
  const publishButton = h("button", { class: "button primary", type: "button" }, t("editor.publish"));
  const previewButton = h("button", { class: "button subtle", type: "button", "aria-expanded": "false" }, t("editor.preview"));

  const changed = () => {
    dirty = true;
    status.textContent = t("editor.unsaved");
    if (previewOpen) renderPreview();
  };
  window.addEventListener("beforeunload", (event) => {
    if (dirty) event.preventDefault();
  }, { signal: app.signal });

  /** A text input bound to obj[key]; `after` runs on every change. */
  function bound(obj, key, attrs = {}, after = null) {
    const control = h(attrs.multiline ? "textarea" : "input", { ...attrs, multiline: null, value: obj[key] });
    control.addEventListener("input", () => {
      obj[key] = control.value;
      after?.(control.value);
      changed();
    });
    return control;
  }
  function checkbox(obj, key, label, name) {
    const control = h("input", { type: "checkbox", checked: obj[key] });
    control.addEventListener("change", () => {
      obj[key] = control.checked;
      changed();
    });
    return h("div", { class: "check", dataset: { field: name } }, h("label", {}, control, " ", label));
  }
  function toolButton(label, text, onClick, disabled = false) {
    const button = h("button", { class: "button icon", type: "button", "aria-label": label, title: label, disabled }, text);
    button.addEventListener("click", onClick);
    return button;
  }
  /** Re-renders after a structural change and puts focus back on `focusKey`. */
  function restructure(focusKey) {
    changed();
    renderSections();
    const target = focusKey && root.querySelector(`[data-focus-key="${CSS.escape(focusKey)}"]`);
    target?.focus();
  }

  function renderSections() {
    replaceChildren(sectionsEl, state.sections.map((section, si) => {
      const path = `sections[${si}]`;
      const sectionLabel = t("editor.sectionN", { n: si + 1 });
      const idInput = bound(section, "id", { autocomplete: "off", spellcheck: "false", maxlength: 64 }, () => {
        section.autoId = false;
      });
      const titleInput = bound(section, "title", { maxlength: 200 }, (text) => {
        titleChanged(state, section, text, "section");
        idInput.value = section.id;
      });
      const criteria = section.criteria.map((criterion, ci) => {
        const cpath = `${path}.criteria[${ci}]`;
        const cLabel = t("editor.criterionN", { n: ci + 1, section: si + 1 });
        const cid = bound(criterion, "id", { autocomplete: "off", spellcheck: "false", maxlength: 64 }, () => {
          criterion.autoId = false;
        });
        const text = bound(criterion, "text", { multiline: true, rows: 2, maxlength: 1000 }, (value) => {
          titleChanged(state, criterion, value, "criterion");
          cid.value = criterion.id;
        });
        const points = bound(criterion, "points", { type: "number", min: 1, max: 100, step: 1, inputmode: "numeric" });
        return h("li", { class: "editor-criterion", dataset: { field: cpath } },
          h("div", { class: "row-head" },
            h("h3", {}, cLabel),
            h("div", { class: "tools" },
              toolButton(t("editor.moveUp", { what: cLabel }), "↑", () => move(section.criteria, ci, -1) && restructure(`c-${si}-${ci - 1}-up`), ci === 0),
              toolButton(t("editor.moveDown", { what: cLabel }), "↓", () => move(section.criteria, ci, 1) && restructure(`c-${si}-${ci + 1}-down`), ci === section.criteria.length - 1),
              toolButton(t("editor.remove", { what: cLabel }), "✕", () => {
                section.criteria.splice(ci, 1);
                restructure(`add-c-${si}`);
              }, section.criteria.length === 1))),
          h("div", { class: "grid criterion-grid" },
            field({ label: t("editor.criterionText"), control: text, name: `${cpath}.text`, className: "field wide" }),
            field({ label: t("editor.id"), control: cid, name: `${cpath}.id` }),
            field({ label: t("editor.points"), control: points, name: `${cpath}.points` }),
            checkbox(criterion, "critical", t("editor.critical"), `${cpath}.critical`),
            checkbox(criterion, "na_allowed", t("editor.naAllowed"), `${cpath}.na_allowed`)));
      });
      for (const [i, li] of criteria.entries()) {
        const [up, down] = li.querySelectorAll(".tools button");
        up.dataset.focusKey = `c-${si}-${i}-up`;
        down.dataset.focusKey = `c-${si}-${i}-down`;
      }
      const addCriterion = h("button", { class: "button subtle", type: "button", dataset: { focusKey: `add-c-${si}` } },
        t("editor.addCriterion"));
      addCriterion.addEventListener("click", () => {
        section.criteria.push(newCriterion(state));
        restructure(`text-${si}-${section.criteria.length - 1}`);
      });
      const sectionEl = h("section", { class: "card editor-section", dataset: { field: path }, "aria-label": sectionLabel },
        h("div", { class: "row-head" },
          h("h2", {}, sectionLabel),
          h("div", { class: "tools" },
            toolButton(t("editor.moveUp", { what: sectionLabel }), "↑", () => move(state.sections, si, -1) && restructure(`s-${si - 1}-up`), si === 0),
            toolButton(t("editor.moveDown", { what: sectionLabel }), "↓", () => move(state.sections, si, 1) && restructure(`s-${si + 1}-down`), si === state.sections.length - 1),
            toolButton(t("editor.remove", { what: sectionLabel }), "✕", () => {
              state.sections.splice(si, 1);
              restructure("add-section");
            }, state.sections.length === 1))),
        h("div", { class: "grid" },
          field({ label: t("editor.sectionTitle"), control: titleInput, name: `${path}.title`, className: "field wide" }),
          field({ label: t("editor.id"), control: idInput, name: `${path}.id` }),
          state.weighted
            ? field({ label: t("editor.weight"), control: bound(section, "weight", { inputmode: "decimal", autocomplete: "off" }), name: `${path}.weight` })
            : null),
        h("ol", { class: "editor-criteria" }, criteria),
        addCriterion);
      const [up, down] = sectionEl.querySelector(".row-head .tools").querySelectorAll("button");
      up.dataset.focusKey = `s-${si}-up`;
      down.dataset.focusKey = `s-${si}-down`;
      titleInput.dataset.focusKey = `title-${si}`;
      sectionEl.querySelectorAll(".editor-criterion textarea").forEach((area, ci) => {
        area.dataset.focusKey = `text-${si}-${ci}`;
      });
      return sectionEl;
    }));
  }

  function renderPreview() {
    const definition = toDefinition(state);
    const answers = {};
    const panel = createScorePanel(definition);
    const criteria = renderCriteria({
      definition,
      answers,
      onAnswer: (id, answer) => {
        answers[id] = answer;
        panel.update(answers);
      },
    });
    panel.update(answers);
    replaceChildren(previewEl,
      h("h2", { id: "preview-h" }, t("editor.previewTitle")),
      h("p", { class: "hint" }, t("editor.previewHelp")),
      h("div", { class: "evaluate-layout" }, h("div", {}, h("h3", {}, definition.name || "–"), criteria.element), panel.element));
  }

  async function renderVersions() {
    if (isNew || !state.form_id) {
      replaceChildren(versionsEl, h("h2", { id: "versions-h" }, t("editor.versions")), h("p", {}, t("editor.noVersions")));
      return;
    }
    const { items } = await listVersions(state.form_id);
    replaceChildren(versionsEl,
      h("h2", { id: "versions-h" }, t("editor.versions")),
      items.length
        ? h("ol", { class: "versions-list", reversed: true }, [...items].reverse().map((v) => h("li", { dataset: { version: String(v.version) } },
          h("strong", {}, t("forms.versionN", { version: v.version })), " ",
          h("span", { class: "subtle" }, t("editor.publishedBy", { when: formatDateTime(v.published_at, app.timeZone), who: v.published_by })))))
        : h("p", {}, t("editor.noVersions")));
  }

  function showError(error) {
    const message = errorMessage(error);
    const target = showFieldError(root, error.field, message);
    target?.focus();
    status.textContent = "";
  }

  async function save() {
    clearFieldErrors(root);
    const definition = toDefinition(state);
    try {
      const creating = !etag;
      const saved = creating ? await createForm(definition) : await saveForm(state.form_id, definition, etag);
      const data = saved.form;
      etag = saved.etag;
      latestVersion = data.latest_version;
      dirty = false;
      status.textContent = t("editor.saved");
      announce(t("editor.saved"));
      if (creating) {
        // The address follows without re-rendering, so nothing typed meanwhile is lost.
        history.replaceState(null, "", `#/forms/${enc(data.form_id)}`);
        isNew = false;
        formIdInput.readOnly = true;
        renderHead();
        await renderVersions();
      }
      return true;
    } catch (error) {
      if (!(error instanceof ApiError)) throw error;
      showError(error);
      return false;
    }
  }

  async function publish() {
    if ((dirty || !etag) && !(await save())) return;
    try {
      const { created, version } = await publishForm(state.form_id);
      latestVersion = version;
      const text = created ? t("editor.published", { version }) : t("editor.unchanged", { version });
      status.textContent = text;
      announce(text);
      renderHead();
      await renderVersions();
    } catch (error) {
      if (!(error instanceof ApiError)) throw error;
      showError(error);
    }
  }

  saveButton.addEventListener("click", save);
  publishButton.addEventListener("click", publish);
  previewButton.addEventListener("click", () => {
    previewOpen = !previewOpen;
    previewButton.setAttribute("aria-expanded", String(previewOpen));
    previewEl.hidden = !previewOpen;
    if (previewOpen) {
      renderPreview();
      previewEl.querySelector("h2")?.setAttribute("tabindex", "-1");
      previewEl.querySelector("h2")?.focus();
    }
  });
  document.addEventListener("keydown", (event) => {
    if ((event.ctrlKey || event.metaKey) && event.key.toLowerCase() === "s") {
      event.preventDefault();
      save();
    }
  }, { signal: app.signal });

  const subtitle = h("p", { class: "subtle" });
  function renderHead() {
    heading.textContent = isNew ? t("editor.newTitle") : t("editor.title");
    subtitle.textContent = latestVersion ? t("editor.latest", { version: latestVersion }) : t("forms.notPublished");
  }
  renderHead();

  const formIdInput = isNew
    ? bound(state, "form_id", { autocomplete: "off", spellcheck: "false", maxlength: 64, required: true, pattern: "[a-z0-9][a-z0-9_-]*" })
    : h("input", { value: state.form_id, readonly: true });
  const nameInput = bound(state, "name", { maxlength: 200, required: true });
  const weighted = h("input", { type: "checkbox", checked: state.weighted });
  weighted.addEventListener("change", () => {
    state.weighted = weighted.checked;
    restructure();
  });
  const addSection = h("button", { class: "button", type: "button", dataset: { focusKey: "add-section" } }, t("editor.addSection"));
  addSection.addEventListener("click", () => {
    state.sections.push(newSection(state));
    restructure(`title-${state.sections.length - 1}`);
  });

  renderSections();
  replaceChildren(root,
    h("div", { class: "page-head" }, heading, subtitle),
    h("div", { class: "toolbar sticky" }, saveButton, publishButton, previewButton, status),
    errorBox,
    h("section", { class: "card", "aria-label": t("editor.basics") },
      h("div", { class: "grid" },
        field({ label: t("editor.formId"), control: formIdInput, name: "form_id", hint: isNew ? t("editor.formIdHint") : null }),
        field({ label: t("editor.name"), control: nameInput, name: "name", className: "field wide" }),
        h("div", { class: "check" }, h("label", {}, weighted, " ", t("editor.weighted"))))),
    sectionsEl,
    addSection,
    previewEl,
    versionsEl);
  await renderVersions();
  (isNew ? formIdInput : heading).focus();
}
