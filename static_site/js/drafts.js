// Evaluation drafts in localStorage: written on every change, so a reload, a
// crashed tab or a dropped connection loses nothing typed. One draft per person,
// form and kind (own evaluation or self-evaluation). The draft also keeps the form
// version it was started on and the Idempotency-Key of its submission, so a retry
// after a failed connection can never store the evaluation twice.

const PREFIX = "laatu.draft.";

const keyOf = (me, formId, self) =>
  `${PREFIX}${me.tenant}/${me.user}/${self ? "self" : "eval"}/${formId}`;

export function loadDraft(me, formId, self) {
  try {
    return JSON.parse(localStorage.getItem(keyOf(me, formId, self)) ?? "null");
  } catch {
    return null;
  }
}

export function saveDraft(me, draft) {
  draft.updatedAt = new Date().toISOString();
  try {
    localStorage.setItem(keyOf(me, draft.formId, draft.self), JSON.stringify(draft));
    return true;
  } catch {
    return false; // storage full or disabled: the page still works, only unsaved
  }
}

export function removeDraft(me, formId, self) {
  localStorage.removeItem(keyOf(me, formId, self));
}

/** This person's drafts, newest first: [{formId, self, updatedAt, formName}]. */
export function listDrafts(me) {
  const mine = `${PREFIX}${me.tenant}/${me.user}/`;
  const out = [];
  for (let i = 0; i < localStorage.length; i += 1) {
    const key = localStorage.key(i);
    if (!key?.startsWith(mine)) continue;
    try {
      const draft = JSON.parse(localStorage.getItem(key));
      out.push({ formId: draft.formId, self: draft.self, updatedAt: draft.updatedAt, formName: draft.definition?.name });
    } catch {
      // an unreadable entry is skipped, not fatal
    }
  }
  return out.sort((a, b) => String(b.updatedAt).localeCompare(String(a.updatedAt)));
}

export function newIdempotencyKey() {
  if (crypto.randomUUID) return crypto.randomUUID();
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  bytes[6] = (bytes[6] & 0x0f) | 0x40;
  bytes[8] = (bytes[8] & 0x3f) | 0x80;
  const hex = [...bytes].map((b) => b.toString(16).padStart(2, "0")).join("");
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

const RECENT_PREFIX = "laatu.recentAgents.";
const RECENT_MAX = 30;

/** Agent ids this person evaluated lately, for the agent field's suggestions. */
export function recentAgents(me) {
  try {
    return JSON.parse(localStorage.getItem(RECENT_PREFIX + me.tenant) ?? "[]");
  } catch {
    return [];
  }
}

export function rememberAgent(me, agentId) {
  const list = [agentId, ...recentAgents(me).filter((a) => a !== agentId)].slice(0, RECENT_MAX);
  localStorage.setItem(RECENT_PREFIX + me.tenant, JSON.stringify(list));
}
