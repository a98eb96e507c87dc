// The form editor's DOM: the basics, every section and criterion with its tools, the
// preview that scores like the real page, and the published versions. It renders what
// it is given and reports what the person does through `on` (controller.js).

import { createScorePanel } from "../../components/score-panel.js";
import { renderCriteria } from "../../components/criteria.js";
import { field, h, replaceChildren } from "../../dom.js";
import { clearFieldErrors, showFieldError } from "../../field-errors.js";
import { formatDateTime, t } from "../../i18n.js";

/** A text input showing `value`; `onInput` gets every change. */
function textInput(value, attrs, onInput) {
  const control = h(attrs.multiline ? "textarea" : "input", { ...attrs, multiline: null, value });
  control.addEventListener("input", () => onInput(control.value));
  return control;
}

function checkbox(checked, label, name, onChange) {
  const control = h("input", { type: "checkbox", checked });
  control.addEventListener("change", () => onChange(control.checked));
  return h("div", { class: "check", dataset: { field: name } }, h("label", {}, control, " ", label));
}

function toolButton(label, text, onClick, disabled, focusKey) {
  const button = h("button", { class: "button icon", type: "button", "aria-label": label, title: label, disabled, dataset: focusKey ? { focusKey } : null }, text);
  button.addEventListener("click", onClick);
  return button;
}

const ID_ATTRS = { autocomplete: "off", spellcheck: "false", maxlength: 64 };

function criterionItem(criterion, si, ci, count, on) {
  const cpath = `sections[${si}].criteria[${ci}]`;
  const cLabel = t("editor.criterionN", { n: ci + 1, section: si + 1 });
  const cid = textInput(criterion.id, ID_ATTRS, (value) => on.set(criterion, "id", value));
  const text = textInput(criterion.text, { multiline: true, rows: 2, maxlength: 1000 }, (value) => {
    cid.value = on.retitle(criterion, "criterion", value);
  });
  text.dataset.focusKey = `text-${si}-${ci}`;
  const points = textInput(criterion.points, { type: "number", min: 1, max: 100, step: 1, inputmode: "numeric" },
    (value) => on.set(criterion, "points", value));
  return h("li", { class: "editor-criterion", dataset: { field: cpath } },
    h("div", { class: "row-head" },
      h("h3", {}, cLabel),
      h("div", { class: "tools" },
        toolButton(t("editor.moveUp", { what: cLabel }), "↑", () => on.moveCriterion(si, ci, -1), ci === 0, `c-${si}-${ci}-up`),
        toolButton(t("editor.moveDown", { what: cLabel }), "↓", () => on.moveCriterion(si, ci, 1), ci === count - 1, `c-${si}-${ci}-down`),
        toolButton(t("editor.remove", { what: cLabel }), "✕", () => on.removeCriterion(si, ci), count === 1))),
    h("div", { class: "grid criterion-grid" },
      field({ label: t("editor.criterionText"), control: text, name: `${cpath}.text`, className: "field wide" }),
      field({ label: t("editor.id"), control: cid, name: `${cpath}.id` }),
      field({ label: t("editor.points"), control: points, name: `${cpath}.points` }),
      checkbox(criterion.critical, t("editor.critical"), `${cpath}.critical`, (checked) => on.set(criterion, "critical", checked)),
      checkbox(criterion.na_allowed, t("editor.naAllowed"), `${cpath}.na_allowed`, (checked) => on.set(criterion, "na_allowed", checked))));
}

function sectionCard(state, section, si, on) {
  const path = `sections[${si}]`;
  const sectionLabel = t("editor.sectionN", { n: si + 1 });
  const count = state.sections.length;
  const idInput = textInput(section.id, ID_ATTRS, (value) => on.set(section, "id", value));
  const titleInput = textInput(section.title, { maxlength: 200 }, (text) => {
    idInput.value = on.retitle(section, "section", text);
  });
  titleInput.dataset.focusKey = `title-${si}`;
  const addCriterion = h("button", { class: "button subtle", type: "button", dataset: { focusKey: `add-c-${si}` } },
    t("editor.addCriterion"));
  addCriterion.addEventListener("click", () => on.addCriterion(si));
  return h("section", { class: "card editor-section", dataset: { field: path }, "aria-label": sectionLabel },
    h("div", { class: "row-head" },
      h("h2", {}, sectionLabel),
      h("div", { class: "tools" },
        toolButton(t("editor.moveUp", { what: sectionLabel }), "↑", () => on.moveSection(si, -1), si === 0, `s-${si}-up`),
        toolButton(t("editor.moveDown", { what: sectionLabel }), "↓", () => on.moveSection(si, 1), si === count - 1, `s-${si}-down`),
        toolButton(t("editor.remove", { what: sectionLabel }), "✕", () => on.removeSection(si), count === 1))),
    h("div", { class: "grid" },
      field({ label: t("editor.sectionTitle"), control: titleInput, name: `${path}.title`, className: "field wide" }),
      field({ label: t("editor.id"), control: idInput, name: `${path}.id` }),
      state.weighted
        ? field({
          label: t("editor.weight"),
          control: textInput(section.weight, { inputmode: "decimal", autocomplete: "off" }, (value) => on.set(section, "weight", value)),
          name: `${path}.weight`,
        })
        : null),
    h("ol", { class: "editor-criteria" }, section.criteria.map((c, ci) => criterionItem(c, si, ci, section.criteria.length, on))),
    addCriterion);
}

export class EditorView {
  /** `state` is the working copy to show; `on` the controller's handlers. */
  constructor(root, state, { isNew, on }) {
    this.root = root;
    this.on = on;
    this.heading = h("h1", { tabindex: "-1" });
    this.subtitle = h("p", { class: "subtle" });
    this.status = h("p", { class: "editor-status", role: "status" });
    this.sectionsEl = h("div", { class: "editor-sections", dataset: { field: "sections" } });
    this.previewEl = h("section", { class: "card preview", "aria-labelledby": "preview-h", hidden: true });
    this.versionsEl = h("section", { class: "card versions", "aria-labelledby": "versions-h" });
    this.previewButton = h("button", { class: "button subtle", type: "button", "aria-expanded": "false" }, t("editor.preview"));
    const saveButton = h("button", { class: "button", type: "button" }, t("editor.save"));
    const publishButton = h("button", { class: "button primary", type: "button" }, t("editor.publish"));
    saveButton.addEventListener("click", on.save);
    publishButton.addEventListener("click", on.publish);
    this.previewButton.addEventListener("click", on.togglePreview);

    this.formIdInput = isNew
      ? textInput(state.form_id, { ...ID_ATTRS, required: true, pattern: "[a-z0-9][a-z0-9_-]*" }, (value) => on.set(state, "form_id", value))
      : h("input", { value: state.form_id, readonly: true });
    const nameInput = textInput(state.name, { maxlength: 200, required: true }, (value) => on.set(state, "name", value));
    const weighted = h("input", { type: "checkbox", checked: state.weighted });
    weighted.addEventListener("change", () => on.setWeighted(weighted.checked));
    const addSection = h("button", { class: "button", type: "button", dataset: { focusKey: "add-section" } }, t("editor.addSection"));
    addSection.addEventListener("click", on.addSection);

    this.renderSections(state);
    replaceChildren(root,
      h("div", { class: "page-head" }, this.heading, this.subtitle),
      h("div", { class: "toolbar sticky" }, saveButton, publishButton, this.previewButton, this.status),
      h("div", { class: "error-box", role: "alert", tabindex: "-1", hidden: true }),
      h("section", { class: "card", "aria-label": t("editor.basics") },
        h("div", { class: "grid" },
          field({ label: t("editor.formId"), control: this.formIdInput, name: "form_id", hint: isNew ? t("editor.formIdHint") : null }),
          field({ label: t("editor.name"), control: nameInput, name: "name", className: "field wide" }),
          h("div", { class: "check" }, h("label", {}, weighted, " ", t("editor.weighted"))))),
      this.sectionsEl,
      addSection,
      this.previewEl,
      this.versionsEl);
  }

  renderHead(isNew, latestVersion) {
    this.heading.textContent = isNew ? t("editor.newTitle") : t("editor.title");
    this.subtitle.textContent = latestVersion ? t("editor.latest", { version: latestVersion }) : t("forms.notPublished");
  }

  renderSections(state) {
    replaceChildren(this.sectionsEl, state.sections.map((section, si) => sectionCard(state, section, si, this.on)));
  }

  /** Puts focus back where a structural change left it (buttons are re-made). */
  focus(focusKey) {
    const target = focusKey && this.root.querySelector(`[data-focus-key="${CSS.escape(focusKey)}"]`);
    target?.focus();
  }

  renderPreview(definition) {
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
    replaceChildren(this.previewEl,
      h("h2", { id: "preview-h" }, t("editor.previewTitle")),
      h("p", { class: "hint" }, t("editor.previewHelp")),
      h("div", { class: "evaluate-layout" }, h("div", {}, h("h3", {}, definition.name || "–"), criteria.element), panel.element));
  }

  showPreview(open, definition) {
    this.previewButton.setAttribute("aria-expanded", String(open));
    this.previewEl.hidden = !open;
    if (!open) return;
    this.renderPreview(definition);
    const title = this.previewEl.querySelector("h2");
    title?.setAttribute("tabindex", "-1");
    title?.focus();
  }

  /** `items`: the published versions, or null when the form is not stored yet. */
  renderVersions(items, timeZone) {
    const title = h("h2", { id: "versions-h" }, t("editor.versions"));
    if (!items?.length) {
      replaceChildren(this.versionsEl, title, h("p", {}, t("editor.noVersions")));
      return;
    }
    replaceChildren(this.versionsEl, title,
      h("ol", { class: "versions-list", reversed: true }, [...items].reverse().map((v) => h("li", { dataset: { version: String(v.version) } },
        h("strong", {}, t("forms.versionN", { version: v.version })), " ",
        h("span", { class: "subtle" }, t("editor.publishedBy", { when: formatDateTime(v.published_at, timeZone), who: v.published_by }))))));
  }

  setStatus(text) {
    this.status.textContent = text;
  }

  clearErrors() {
    clearFieldErrors(this.root);
  }

  /** The message under the field the API named (or at the top), with the focus there. */
  showError(field, message) {
    showFieldError(this.root, field, message)?.focus();
    this.status.textContent = "";
  }

  lockFormId() {
    this.formIdInput.readOnly = true;
  }

  focusStart(isNew) {
    (isNew ? this.formIdInput : this.heading).focus();
  }
}
