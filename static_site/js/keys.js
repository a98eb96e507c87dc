// One key answers the focused criterion, in any of the three languages, so an
// evaluator never has to switch layouts or think: the initials do not collide.
//   yes: Y (yes), K (kyllä), J (ja)
//   no:  N (no, nej), E (ei)
//   N/A: A (N/A), O (ohita), H (hoppa över)

const ANSWER_KEYS = {
  y: "yes", k: "yes", j: "yes",
  n: "no", e: "no",
  a: "na", o: "na", h: "na",
};

/** The answer a keydown means, or null (modifiers held = a shortcut, not an answer). */
export function answerForKey(event) {
  if (event.ctrlKey || event.metaKey || event.altKey) return null;
  return ANSWER_KEYS[String(event.key).toLowerCase()] ?? null;
}

/** The keys shown on the buttons in the current language. */
export const KEY_HINTS = {
  fi: { yes: "K", no: "E", na: "O" },
  sv: { yes: "J", no: "N", na: "H" },
  en: { yes: "Y", no: "N", na: "A" },
};

export const isSubmitShortcut = (event) => event.key === "Enter" && (event.ctrlKey || event.metaKey);
