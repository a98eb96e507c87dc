// Building DOM without innerHTML: every text from the API or a person goes in as a
// text node, so nothing typed into a form can become markup (and no CSP exception
// for inline handlers is needed: listeners are attached here).

/** h("button", {class: "x", onclick: fn, "aria-label": "..."}, "text", child) */
export function h(tag, attributes = {}, ...children) {
  const element = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes ?? {})) {
    if (value === undefined || value === null || value === false) continue;
    if (name.startsWith("on") && typeof value === "function") {
      element.addEventListener(name.slice(2), value);
    } else if (name === "class") {
      element.className = value;
    } else if (name === "dataset") {
      Object.assign(element.dataset, value);
    } else if (name === "value" || name === "checked" || name === "selected") {
      element[name] = value;
    } else {
      element.setAttribute(name, value === true ? "" : String(value));
    }
  }
  append(element, children);
  return element;
}

export function append(parent, children) {
  for (const child of children.flat(Infinity)) {
    if (child === null || child === undefined || child === false) continue;
    parent.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return parent;
}

export function replaceChildren(parent, ...children) {
  parent.replaceChildren();
  return append(parent, children);
}

let counter = 0;
/** A document-unique id for label/aria wiring. */
export const uid = (prefix = "id") => `${prefix}-${++counter}`;

/** Tells screen-reader users something the page did without moving their focus. */
export function announce(text) {
  const region = document.getElementById("announcer");
  if (!region) return;
  region.textContent = "";
  // A fresh text node after a tick makes the same message be read again.
  requestAnimationFrame(() => {
    region.textContent = text;
  });
}

/** A labelled form field: <div data-field=...><label>…</label><input id=…></div>. */
export function field({ label, control, hint, name, className = "field" }) {
  const id = control.id || uid("f");
  control.id = id;
  const hintEl = hint ? h("p", { class: "hint", id: `${id}-hint` }, hint) : null;
  if (hintEl) control.setAttribute("aria-describedby", hintEl.id);
  return h("div", { class: className, dataset: name ? { field: name } : undefined },
    h("label", { for: id }, label), control, hintEl);
}
