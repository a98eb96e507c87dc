// The form editor's working copy and the operations on it, kept apart from the
// page so they stay plain data: add, move and remove sections and criteria, make
// ids from titles, and turn the copy into the definition the API takes
// (FormDefinition in openapi.json). Values a person typed that are not valid
// (a weight of "abc") are passed on as typed, so the API's answer names the field.

import { parseLocalDecimal } from "./i18n.js";

export function slugify(text) {
  const folded = String(text).toLowerCase().normalize("NFKD").replace(/[\u0300-\u036f]/g, "");
  const slug = folded.replace(/[^a-z0-9]+/g, "-").replace(/^-+|-+$/g, "").slice(0, 40).replace(/-+$/, "");
  return slug || "x";
}

function uniqueId(base, taken) {
  let id = base;
  for (let n = 2; taken.has(id); n += 1) id = `${base}-${n}`;
  return id;
}

const takenSectionIds = (state, except) => new Set(state.sections.filter((s) => s !== except).map((s) => s.id));
const takenCriterionIds = (state, except) =>
  new Set(state.sections.flatMap((s) => s.criteria).filter((c) => c !== except).map((c) => c.id));

export function newCriterion(state) {
  return { id: uniqueId("criterion", takenCriterionIds(state)), text: "", points: "1", critical: false, na_allowed: true, autoId: true };
}

export function newSection(state) {
  const section = { id: uniqueId("section", takenSectionIds(state)), title: "", weight: "", criteria: [], autoId: true };
  section.criteria.push(newCriterion({ sections: [...state.sections, section] }));
  return section;
}

export function emptyForm() {
  const state = { form_id: "", name: "", weighted: false, sections: [] };
  state.sections.push(newSection(state));
  return state;
}

/** The editor's copy of a stored definition. */
export function fromDefinition(definition) {
  return {
    form_id: definition.form_id,
    name: definition.name,
    weighted: definition.sections.some((s) => s.weight !== undefined && s.weight !== null),
    sections: definition.sections.map((s) => ({
      id: s.id,
      title: s.title,
      weight: s.weight === undefined || s.weight === null ? "" : String(s.weight),
      autoId: false,
      criteria: s.criteria.map((c) => ({
        id: c.id,
        text: c.text,
        points: String(c.points ?? 1),
        critical: Boolean(c.critical),
        na_allowed: c.na_allowed !== false,
        autoId: false,
      })),
    })),
  };
}

const numberOr = (text, parse) => {
  const value = parse(text);
  return Number.isNaN(value) ? String(text) : value;
};

export function toDefinition(state) {
  return {
    form_id: state.form_id.trim(),
    name: state.name.trim(),
    sections: state.sections.map((s) => ({
      id: s.id.trim(),
      title: s.title.trim(),
      ...(state.weighted ? { weight: numberOr(s.weight, parseLocalDecimal) } : {}),
      criteria: s.criteria.map((c) => ({
        id: c.id.trim(),
        text: c.text.trim(),
        points: numberOr(c.points, (v) => (/^\s*\d+\s*$/.test(v) ? Number(v) : Number.NaN)),
        critical: c.critical,
        na_allowed: c.na_allowed,
      })),
    })),
  };
}

/** Keeps an id made from the title until the person edits the id themselves. */
export function titleChanged(state, item, text, kind) {
  if (!item.autoId || !text.trim()) return;
  const taken = kind === "section" ? takenSectionIds(state, item) : takenCriterionIds(state, item);
  item.id = uniqueId(slugify(text), taken);
}

export function move(list, index, delta) {
  const target = index + delta;
  if (target < 0 || target >= list.length) return false;
  [list[index], list[target]] = [list[target], list[index]];
  return true;
}
