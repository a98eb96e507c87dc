// Puts an error where it belongs: the API names the offending field
// ("contact.occurred_at", "answers.kuuntelu", "sections[1].criteria[0].id"), and
// every input's container carries that name in data-field. An error for a field
// the page does not show goes to the page's own error box instead.

import { h, uid } from "./dom.js";

const CONTROL = "input, select, textarea, button";
const INVALIDATABLE = "input:not([type=radio]):not([type=button]):not([type=submit]), select, textarea";

/** The closest container for `field`, walking up its path ("a[0].b" → "a[0]" → "a"). */
function containerFor(root, field) {
  let name = field;
  while (name) {
    const found = root.querySelector(`[data-field="${CSS.escape(name)}"]`);
    if (found) return found;
    const cut = Math.max(name.lastIndexOf("."), name.lastIndexOf("["));
    name = cut > 0 ? name.slice(0, cut) : "";
  }
  return null;
}

export function clearFieldErrors(root) {
  for (const error of root.querySelectorAll(".field-error")) error.remove();
  for (const control of root.querySelectorAll("[aria-invalid], [aria-describedby*='err-']")) {
    control.removeAttribute("aria-invalid");
    const kept = (control.getAttribute("aria-describedby") ?? "")
      .split(" ")
      .filter((id) => id && !id.startsWith("err-"));
    if (kept.length) control.setAttribute("aria-describedby", kept.join(" "));
    else control.removeAttribute("aria-describedby");
  }
  for (const box of root.querySelectorAll(".error-box")) {
    box.hidden = true;
    box.replaceChildren();
  }
}

/** Shows `message` at `field`; returns the control to focus, or null when it went
 * to the error box. */
export function showFieldError(root, field, message) {
  const container = field ? containerFor(root, field) : null;
  if (!container) {
    const box = root.querySelector(".error-box");
    if (box) {
      box.hidden = false;
      box.append(h("p", {}, message));
      return box;
    }
    return null;
  }
  const id = uid("err");
  const error = h("p", { class: "field-error", id }, message);
  container.append(error);
  const controls = container.matches(CONTROL) ? [container] : [...container.querySelectorAll(CONTROL)];
  // aria-invalid exists for text fields, selects and checkboxes, not for a radio
  // button or a button: a radio group gets the message through its fieldset.
  const fields = controls.filter((c) => c.matches(INVALIDATABLE));
  const described = fields.length ? fields : [container];
  for (const control of described) {
    if (control.matches(INVALIDATABLE)) control.setAttribute("aria-invalid", "true");
    const before = control.getAttribute("aria-describedby");
    control.setAttribute("aria-describedby", before ? `${before} ${id}` : id);
  }
  return controls.find((c) => !c.disabled) ?? container;
}
