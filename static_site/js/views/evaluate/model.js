// The evaluation draft and its rules, no DOM: a new draft for a form, the methods a
// person may use, what is missing before the server is asked, and the request body
// (EvaluationInput in openapi.json) a draft stands for.

import { newIdempotencyKey } from "../../drafts.js";
import { AGENT_ID, CHANNELS, METHODS } from "../../rules.generated.js";
import { toWall, wallToIso } from "../../timezone.js";
import { formatWallTime, parseWallTime } from "../../wall-time.js";

// The channel and method an evaluator last used: most work in one of each all shift.
const METHOD_KEY = "laatu.method";
const CHANNEL_KEY = "laatu.channel";

export function methodsFor(app, self) {
  if (self) return ["self"];
  // "external" is the auditors' method; "self" has its own page.
  return METHODS.filter((m) => m !== "self" && (m !== "external" || app.hasRole("auditor")));
}

export function rememberChoice(key, value) {
  if (key === "method") localStorage.setItem(METHOD_KEY, value);
  if (key === "channel") localStorage.setItem(CHANNEL_KEY, value);
}

/** A fresh draft of `form` (as the API answers it), prefilled with now and the
 * channel and method used last. */
export function newDraft(app, formId, form, self, language) {
  if (!form.published) return null;
  const methods = methodsFor(app, self);
  const remembered = localStorage.getItem(METHOD_KEY);
  const channel = localStorage.getItem(CHANNEL_KEY);
  const now = toWall(Date.now(), app.timeZone);
  return {
    formId,
    self,
    formVersion: form.latest_version,
    definition: form.published,
    agentId: self ? app.me.agent_id ?? "" : "",
    channel: CHANNELS.includes(channel) ? channel : "phone",
    contactId: "",
    occurredAt: now,
    occurredText: formatWallTime(now, language),
    method: methods.includes(remembered) ? remembered : methods[0],
    recordingUrl: "",
    answers: {},
    comments: {},
    summary: "",
    // Made once per draft and kept with it: every try of this submission reuses it.
    idempotencyKey: newIdempotencyKey(),
  };
}

/** The contact time as typed, understood on the tenant's clock ("" when unclear). */
export function setOccurred(draft, text, timeZone) {
  draft.occurredText = text;
  draft.occurredAt = parseWallTime(text, toWall(Date.now(), timeZone)) ?? "";
}

/** The contact time as an instant with its offset, or null when it is unclear. */
export const occurredIso = (draft, timeZone) => (draft.occurredAt ? wallToIso(draft.occurredAt, timeZone) : null);

/** The request body (EvaluationInput in openapi.json) a draft stands for. */
export function bodyOf(draft, timeZone) {
  const contact = {
    channel: draft.channel,
    id: draft.contactId.trim(),
    occurred_at: wallToIso(draft.occurredAt, timeZone) ?? draft.occurredText ?? "",
  };
  if (draft.recordingUrl.trim()) contact.recording_url = draft.recordingUrl.trim();
  const comments = Object.fromEntries(
    Object.entries(draft.comments).filter(([, text]) => text.trim()).map(([id, text]) => [id, text.trim()]));
  return {
    form_id: draft.formId,
    form_version: draft.formVersion,
    agent_id: draft.agentId.trim(),
    contact,
    method: draft.method,
    answers: { ...draft.answers },
    comments,
    summary: draft.summary,
  };
}

/** What is missing before the server is even asked: [field, message key]. */
export function checkDraft(draft, order) {
  const problems = [];
  if (!AGENT_ID.test(draft.agentId.trim())) problems.push(["agent_id", "evaluate.errorAgent"]);
  if (!draft.contactId.trim()) problems.push(["contact.id", "evaluate.errorContactId"]);
  if (!draft.occurredAt) problems.push(["contact.occurred_at", "evaluate.errorOccurredAt"]);
  for (const id of order) if (!draft.answers[id]) problems.push([`answers.${id}`, "evaluate.errorUnanswered"]);
  return problems;
}

export const criteriaCount = (definition) => definition.sections.reduce((n, s) => n + s.criteria.length, 0);
