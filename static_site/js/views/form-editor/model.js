// The form editor's session: the working copy (form-model.js), the ETag a save must
// send back, the latest published version, and whether anything is unsaved. No DOM.

import {
  emptyForm, fromDefinition, move, newCriterion, newSection, titleChanged, toDefinition,
} from "../../form-model.js";

export class EditorModel {
  /** `loaded`: {form, etag} of a stored form, or null for a new one. */
  constructor(loaded) {
    this.isNew = !loaded;
    this.etag = loaded?.etag ?? null;
    this.latestVersion = loaded?.form.latest_version ?? 0;
    this.state = loaded ? fromDefinition(loaded.form.draft ?? loaded.form.published) : emptyForm();
    this.dirty = false;
  }

  get sections() {
    return this.state.sections;
  }

  /** A save creates the form when none is stored yet (no ETag to send back). */
  get creating() {
    return !this.etag;
  }

  /** Publishing saves first when something is unsaved or nothing is stored. */
  get needsSave() {
    return this.dirty || !this.etag;
  }

  definition() {
    return toDefinition(this.state);
  }

  changed() {
    this.dirty = true;
  }

  /** Sets a typed value; an id typed by the person is no longer made from the title. */
  set(item, key, value) {
    item[key] = value;
    if (key === "id") item.autoId = false;
    this.changed();
  }

  /** A section's title or a criterion's text; answers the id, which may follow it. */
  retitle(item, kind, text) {
    item[kind === "section" ? "title" : "text"] = text;
    titleChanged(this.state, item, text, kind);
    this.changed();
    return item.id;
  }

  setWeighted(on) {
    this.state.weighted = on;
    this.changed();
  }

  addSection() {
    this.state.sections.push(newSection(this.state));
    this.changed();
    return this.state.sections.length - 1;
  }

  addCriterion(si) {
    const criteria = this.state.sections[si].criteria;
    criteria.push(newCriterion(this.state));
    this.changed();
    return criteria.length - 1;
  }

  /** Moves a section or criterion by `delta`; false when it is already at the end. */
  moveSection(si, delta) {
    return this.#moved(move(this.state.sections, si, delta));
  }

  moveCriterion(si, ci, delta) {
    return this.#moved(move(this.state.sections[si].criteria, ci, delta));
  }

  removeSection(si) {
    this.state.sections.splice(si, 1);
    this.changed();
  }

  removeCriterion(si, ci) {
    this.state.sections[si].criteria.splice(ci, 1);
    this.changed();
  }

  /** After a save answered {form, etag}; true when it created the form. */
  saved({ form, etag }) {
    const created = this.creating;
    this.etag = etag;
    this.latestVersion = form.latest_version;
    this.dirty = false;
    this.isNew = false;
    return created;
  }

  /** After a publish: the new latest version and the form's ETag now. */
  published(version, etag) {
    this.latestVersion = version;
    this.etag = etag;
  }

  #moved(done) {
    if (done) this.changed();
    return done;
  }
}
