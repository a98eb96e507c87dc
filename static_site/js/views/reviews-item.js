// One coaching review (#/reviews/{id}). Before it opens, each side scores the
// contact blind with the evaluation page's keyboard-first criteria and live score:
// the agent their self-evaluation, the team leader theirs (live or from the
// recording); the page says whose turn it is and that the other side stays hidden
// (the API refuses to show it, and this page never draws it). Once both are in (or
// the self-evaluation's time ran out) the two are side by side, criterion by
// criterion, the differences marked in words and symbols as well as colour, with
// each side's score and how many criteria differ.

import { ApiError, enc } from "../api.js";
import { getVersion } from "../api/forms.js";
import { getReview, saveLeaderSide, saveSelfSide } from "../api/reviews.js";
import { renderCriteria } from "../components/criteria.js";
import { createScorePanel } from "../components/score-panel.js";
import { announce, field, h, replaceChildren } from "../dom.js";
import { clearFieldErrors, showFieldError } from "../field-errors.js";
import { formatDateTime, formatInteger, formatScore, t } from "../i18n.js";
import { isSubmitShortcut } from "../keys.js";
import {
  byAt, coachingError, dueLine, inboxChanged, pageHead, prepare, showFailure, stateBadge,
} from "./coaching/common.js";
import { comparisonRows, sideOf, sideToScore, turnOf } from "./coaching/model.js";

const LEADER_METHODS = ["live", "recording"];
const draftKey = (me, reviewId) => `laatu.review.${me.tenant}/${me.user}/${reviewId}`;

function loadDraft(me, reviewId) {
  try {
    return JSON.parse(localStorage.getItem(draftKey(me, reviewId)) ?? "null");
  } catch {
    return null;
  }
}

function saveDraft(me, reviewId, draft) {
  try {
    localStorage.setItem(draftKey(me, reviewId), JSON.stringify(draft));
  } catch {
    // storage full or off: the page works, the draft is only not kept
  }
}

const criteriaOf = (definition) => definition.sections.flatMap((s) => s.criteria);

function facts(review, definition, zone) {
  const contact = review.contact;
  const rows = [
    ["review.agent", review.agent_id],
    ["review.leader", review.leader],
    ["review.form", `${definition?.name ?? review.form_id} (v${review.form_version})`],
    ["evaluate.channel", t(`channel.${contact.channel}`)],
    ["evaluate.contactId", contact.id],
    ["evaluation.occurredAt", formatDateTime(contact.occurred_at, zone)],
    ["review.started", byAt(review.created_by, review.created_at, zone)],
    ["review.selfDue", review.state === "open" || review.self?.submitted_at
      ? formatDateTime(review.self_due, zone) : dueLine(review.self_due, Date.parse(review.self_due) < Date.now(), zone, { bare: true })],
    review.opened_at ? ["review.openedAt", formatDateTime(review.opened_at, zone)] : null,
  ].filter(Boolean);
  return h("section", { class: "card", "aria-labelledby": "facts-h" },
    h("h2", { id: "facts-h" }, t("evaluate.contact")),
    h("dl", { class: "facts" }, rows.map(([key, value]) => [h("dt", {}, t(key)), h("dd", {}, value)])),
    contact.recording_url
      ? h("p", {}, h("a", { href: contact.recording_url, rel: "noopener noreferrer", target: "_blank" }, t("evaluation.recording")))
      : null);
}

/** Where each side is: in (when), or not yet; the content only of the person's own
 * side before the review opens. */
function sidesStatus(review, side, zone) {
  const item = (which, data) => {
    const mine = which === side;
    const label = t(which === "self" ? "review.selfSide" : "review.leaderSide");
    const text = data?.submitted_at
      ? t(mine ? "review.sideInMine" : "review.sideIn", { when: formatDateTime(data.submitted_at, zone) })
      : t(mine ? "review.sideMissingMine" : "review.sideMissing");
    return h("li", { dataset: { side: which, submitted: String(Boolean(data?.submitted_at)) } },
      h("strong", {}, label), ": ", text,
      data?.submitted_at && review.state !== "open" && !mine ? h("span", { class: "hidden-note" }, ` ${t("review.hiddenUntilOpen")}`) : null);
  };
  return h("ul", { class: "plain-list sides-status" }, item("self", review.self), item("leader", review.leader_side));
}

/** The person's own side as submitted, before the review opens. */
function ownSide(data, definition) {
  const list = h("ul", { class: "answers" }, criteriaOf(definition).map((c) => {
    const answer = data.answers?.[c.id];
    return h("li", { class: `answer-row answer-${answer}` },
      h("span", { class: "answer-text" }, c.text),
      h("span", { class: `answer-value answer-${answer}` }, answer ? t(`answer.${answer}`) : "–"),
      data.comments?.[c.id] ? h("p", { class: "answer-comment" }, data.comments[c.id]) : null);
  }));
  return h("section", { class: "card", "aria-labelledby": "own-h", dataset: { ownSide: "" } },
    h("h2", { id: "own-h" }, t("review.yourAnswers")),
    data.score ? h("p", {}, t("review.yourScore"), " ", h("strong", { dataset: { score: data.score.overall ?? "" } }, formatScore(data.score.overall))) : null,
    list,
    data.summary ? h("p", { class: "prewrap" }, h("strong", {}, `${t("evaluate.summary")}: `), data.summary) : null);
}

const answerCell = (answer, comment) => [
  h("span", { class: `answer-value answer-${answer}` }, answer ? t(`answer.${answer}`) : "–"),
  comment ? h("span", { class: "answer-comment block" }, comment) : null,
];

/** The open review: the two side by side, criterion by criterion. */
function sideBySide(review, definition, zone) {
  const rows = comparisonRows(review.comparison, definition);
  const links = [
    review.self?.evaluation_id ? h("a", { href: `#/evaluations/${enc(review.self.evaluation_id)}` }, t("review.openSelfEvaluation")) : null,
    review.leader_side?.evaluation_id ? h("a", { href: `#/evaluations/${enc(review.leader_side.evaluation_id)}` }, t("review.openLeaderEvaluation")) : null,
  ].filter(Boolean);
  const linkList = links.length ? h("ul", { class: "plain-list inline-links" }, links.map((l) => h("li", {}, l))) : null;
  if (!rows) {
    // Opened without the self-evaluation: the team leader's alone.
    const leader = review.leader_side ?? {};
    return h("section", { class: "card", "aria-labelledby": "compare-h", dataset: { comparison: "leader-only" } },
      h("h2", { id: "compare-h" }, t("review.leaderOnlyTitle")),
      h("p", { class: "notice" }, t("review.openedWithoutSelf", { when: formatDateTime(review.opened_at, zone) })),
      leader.score ? h("p", {}, t("review.leaderScore"), " ", h("strong", { dataset: { leaderScore: leader.score.overall ?? "" } }, formatScore(leader.score.overall))) : null,
      h("ul", { class: "answers" }, criteriaOf(definition).map((c) => h("li", { class: "answer-row" },
        h("span", { class: "answer-text" }, c.text), answerCell(leader.answers?.[c.id], leader.comments?.[c.id])))),
      leader.summary ? h("p", { class: "prewrap" }, h("strong", {}, `${t("evaluate.summary")}: `), leader.summary) : null,
      linkList);
  }
  const comparison = review.comparison;
  let section = null;
  const body = [];
  rows.forEach((row, index) => {
    if (row.section !== section) {
      section = row.section;
      body.push(h("tr", { class: "section-row" }, h("th", { scope: "colgroup", colspan: 5 }, section)));
    }
    body.push(h("tr", { class: row.differs ? "differs" : "same", dataset: { criterion: row.criterion_id, differs: String(row.differs) } },
      h("th", { scope: "row" }, h("span", { class: "number" }, `${index + 1}.`), " ", row.text),
      h("td", { class: "num" }, t("criteria.points", { points: row.points })),
      h("td", { dataset: { self: row.self ?? "" } }, answerCell(row.self, review.self?.comments?.[row.criterion_id])),
      h("td", { dataset: { leader: row.leader ?? "" } }, answerCell(row.leader, review.leader_side?.comments?.[row.criterion_id])),
      h("td", { class: "difference" }, row.differs
        ? h("span", { class: "differs-mark" }, h("span", { "aria-hidden": "true" }, "≠ "), t("review.differs"))
        : h("span", { class: "same-mark" }, h("span", { "aria-hidden": "true" }, "= "), t("review.same")))));
  });
  const total = rows.length;
  return h("section", { class: "card", "aria-labelledby": "compare-h", dataset: { comparison: "both" } },
    h("h2", { id: "compare-h" }, t("review.sideBySide")),
    h("dl", { class: "big-figures compare-figures" },
      h("div", {}, h("dt", {}, t("review.selfScore")), h("dd", { dataset: { selfScore: comparison.self_score ?? "" } }, formatScore(comparison.self_score))),
      h("div", {}, h("dt", {}, t("review.leaderScore")), h("dd", { dataset: { leaderScore: comparison.leader_score ?? "" } }, formatScore(comparison.leader_score))),
      h("div", {}, h("dt", {}, t("review.differing")), h("dd", { dataset: { differing: String(comparison.differing) } },
        t("review.differingOf", { count: formatInteger(comparison.differing), total: formatInteger(total) })))),
    h("p", { class: "hint" }, t("review.compareMeaning")),
    h("div", { class: "table-scroll" }, h("table", { class: "compare-table" },
      h("caption", { class: "visually-hidden" }, t("review.sideBySide")),
      h("thead", {}, h("tr", {},
        h("th", { scope: "col" }, t("review.criterion")),
        h("th", { scope: "col", class: "num" }, t("review.points")),
        h("th", { scope: "col" }, t("review.selfSide")),
        h("th", { scope: "col" }, t("review.leaderSide")),
        h("th", { scope: "col" }, t("review.comparisonHeader")))),
      h("tbody", {}, body))),
    h("div", { class: "summaries" },
      review.self?.summary ? h("div", {}, h("h3", {}, t("review.selfSummary")), h("p", { class: "prewrap" }, review.self.summary)) : null,
      review.leader_side?.summary ? h("div", {}, h("h3", {}, t("review.leaderSummary")), h("p", { class: "prewrap" }, review.leader_side.summary)) : null),
    linkList);
}

/** The blind scoring of the person's side, with the live score and a draft kept. */
function scoringForm(review, definition, side, app, onStored) {
  const draft = loadDraft(app.me, review.review_id) ?? { answers: {}, comments: {}, summary: "", method: "recording" };
  const persist = () => saveDraft(app.me, review.review_id, draft);
  const total = criteriaOf(definition).length;
  const panel = createScorePanel(definition);
  const progress = h("p", { class: "progress" });
  const showScore = () => {
    const result = panel.update(draft.answers);
    for (const s of result.sections) {
      const badge = form.querySelector(`[data-section-score="${CSS.escape(s.id)}"]`);
      if (badge) badge.textContent = s.score === null ? "" : formatScore(s.score);
    }
    progress.textContent = t("evaluate.progress", { answered: Object.keys(draft.answers).length, total });
  };
  const summary = h("textarea", { rows: 3, maxlength: 5000, value: draft.summary ?? "" });
  summary.addEventListener("input", () => {
    draft.summary = summary.value;
    persist();
  });
  const criteria = renderCriteria({
    definition,
    answers: draft.answers,
    comments: draft.comments,
    onAnswer: (id, answer) => {
      draft.answers[id] = answer;
      persist();
      showScore();
    },
    onComment: (id, text) => {
      draft.comments[id] = text;
      persist();
    },
    onLast: () => summary.focus(),
  });
  const method = side === "leader" ? h("select", {}, LEADER_METHODS.map((m) => h("option", { value: m, selected: draft.method === m }, t(`method.${m}`)))) : null;
  method?.addEventListener("change", () => {
    draft.method = method.value;
    persist();
  });
  const submit = h("button", { class: "button primary", type: "submit", id: "submit-side" },
    t(side === "self" ? "review.submitSelf" : "review.submitLeader"), " ", h("kbd", { "aria-hidden": "true" }, "Ctrl+Enter"));
  const sending = h("p", { class: "sending", role: "status" });
  const form = h("form", { class: "review-scoring", novalidate: true, "aria-labelledby": "score-h" },
    h("h2", { id: "score-h" }, t(side === "self" ? "review.scoreSelfTitle" : "review.scoreLeaderTitle")),
    h("p", { class: "keys-help" }, t("evaluate.keysHelp")),
    h("div", { class: "error-box", role: "alert", tabindex: "-1", hidden: true }),
    h("div", { class: "evaluate-layout" },
      h("div", { class: "evaluate-main" },
        method ? h("div", { class: "card" }, field({ label: t("evaluate.method"), control: method, name: "method", hint: t("review.methodHint") })) : null,
        criteria.element,
        field({ label: t("evaluate.summary"), control: summary, name: "summary", className: "field card summary" }),
        h("div", { class: "submit-bar" }, submit, progress, sending)),
      panel.element));
  let busy = false;
  async function send() {
    if (busy) return;
    clearFieldErrors(form);
    const missing = criteria.order.filter((id) => !draft.answers[id]);
    if (missing.length) {
      missing.map((id) => showFieldError(form, `answers.${id}`, t("evaluate.errorUnanswered"))).find(Boolean)?.focus();
      announce(t("coaching.fixProblems", { count: missing.length }));
      return;
    }
    const comments = Object.fromEntries(Object.entries(draft.comments).filter(([, text]) => text.trim()).map(([id, text]) => [id, text.trim()]));
    const body = { answers: { ...draft.answers }, comments, summary: (draft.summary ?? "").trim() };
    busy = true;
    submit.disabled = true;
    sending.textContent = t("coaching.sending");
    try {
      const stored = side === "self" ? await saveSelfSide(review.review_id, body) : await saveLeaderSide(review.review_id, { method: draft.method, ...body });
      localStorage.removeItem(draftKey(app.me, review.review_id));
      inboxChanged();
      onStored(stored);
    } catch (error) {
      if (!(error instanceof ApiError)) throw error;
      sending.textContent = "";
      showFieldError(form, error.field, coachingError(error))?.focus();
    } finally {
      busy = false;
      if (submit.isConnected) submit.disabled = false;
    }
  }
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    send();
  });
  document.addEventListener("keydown", (event) => {
    if (form.isConnected && isSubmitShortcut(event)) {
      event.preventDefault();
      send();
    }
  }, { signal: app.signal });
  showScore();
  return { element: form, focus: () => criteria.focusCriterion(criteria.firstUnanswered(draft.answers) ?? criteria.order[0]) };
}

export async function render(root, params, app) {
  await prepare();
  const { head, heading } = pageHead(app, "#/reviews", t("review.title"));
  let review;
  let definition;
  try {
    review = await getReview(params.reviewId, { signal: app.signal });
    definition = (await getVersion(review.form_id, review.form_version)).definition;
  } catch (error) {
    if (app.signal.aborted) return;
    showFailure(root, head, error);
    heading.focus();
    return;
  }
  if (app.signal.aborted) return;
  const side = sideOf(review, app.me);

  function show(current, focus) {
    review = current;
    const turn = turnOf(current, side);
    const toScore = sideToScore(current, side);
    const scoring = toScore ? scoringForm(current, definition, toScore, app, (stored) => {
      show(stored, "turn");
      announce(t("review.stored"));
    }) : null;
    const turnBox = h("p", { class: current.state === "open" ? "turn" : "turn notice", role: "status", tabindex: "-1", dataset: { turn: turn.key } },
      t(turn.key, { ...turn.values, due: formatDateTime(current.self_due, app.timeZone), when: formatDateTime(current.opened_at, app.timeZone) }));
    const mine = side === "self" ? current.self : side === "leader" ? current.leader_side : null;
    replaceChildren(root,
      head,
      h("p", { class: "review-state" }, t("review.stateHeader"), ": ", stateBadge("review", current.state)),
      turnBox,
      current.state === "open" ? null : sidesStatus(current, side, app.timeZone),
      facts(current, definition, app.timeZone),
      scoring?.element,
      current.state !== "open" && !toScore && mine?.answers ? ownSide(mine, definition) : null,
      current.state === "open" ? sideBySide(current, definition, app.timeZone) : null);
    root.dataset.ready = "true";
    root.dataset.state = current.state;
    if (focus === "turn") turnBox.focus();
    else if (scoring) scoring.focus();
    else heading.focus();
  }
  show(review, null);
}
