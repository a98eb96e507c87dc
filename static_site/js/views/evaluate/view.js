// The evaluation page's DOM: contact details, the criteria with the live score, the
// summary and the submit bar. It shows the draft it is given and reports what the
// person does through `on` (the controller, views/evaluate.js).

import { createScorePanel } from "../../components/score-panel.js";
import { renderCriteria } from "../../components/criteria.js";
import { field, h, replaceChildren, uid } from "../../dom.js";
import { clearFieldErrors, showFieldError } from "../../field-errors.js";
import { formatDateTime, formatScore, t } from "../../i18n.js";
import { CHANNELS } from "../../rules.generated.js";

export class EvaluateView {
  /** `draft` to show, `methods` the person may choose from, `on` the handlers. */
  constructor(root, { draft, self, resumed, methods, timeZone, on }) {
    this.root = root;
    this.timeZone = timeZone;
    const definition = draft.definition;
    this.savedNote = h("p", { class: "draft-state" });

    const input = (attrs, key) => {
      const control = h("input", { ...attrs, value: draft[key] ?? "" });
      control.addEventListener("input", () => on.input(key, control.value));
      return control;
    };
    const select = (options, key, labelOf) => {
      const control = h("select", {}, options.map((o) => h("option", { value: o, selected: draft[key] === o }, labelOf(o))));
      control.addEventListener("change", () => on.choose(key, control.value));
      return control;
    };

    const agentListId = uid("agents");
    this.agent = self
      ? h("input", { value: draft.agentId, readonly: true })
      : input({ autocomplete: "off", spellcheck: "false", list: agentListId, required: true, maxlength: 128 }, "agentId");
    this.agentList = self ? null : h("datalist", { id: agentListId });

    // The contact time: typed as text (wall-time.js), understood in the tenant's zone.
    const occurred = h("input", { value: draft.occurredText ?? "", autocomplete: "off", spellcheck: "false", id: uid("occ") });
    this.understood = h("span", { class: "iso" });
    occurred.addEventListener("input", () => on.occurred(occurred.value));
    const contactId = input({ autocomplete: "off", required: true, maxlength: 200 }, "contactId");
    this.contactId = contactId;
    const contact = h("fieldset", { class: "contact card" },
      h("legend", {}, t("evaluate.contact")),
      h("div", { class: "grid" },
        field({ label: t("evaluate.agent"), control: this.agent, name: "agent_id" }),
        this.agentList,
        field({ label: t("evaluate.contactId"), control: contactId, name: "contact.id" }),
        h("div", { class: "field", dataset: { field: "contact.occurred_at" } },
          h("label", { for: occurred.id }, t("evaluate.occurredAt")),
          occurred,
          h("p", { class: "hint", id: `${occurred.id}-hint` }, t("evaluate.occurredHint", { zone: timeZone }), " ", this.understood)),
        field({ label: t("evaluate.channel"), control: select(CHANNELS, "channel", (c) => t(`channel.${c}`)), name: "contact.channel" }),
        methods.length > 1
          ? field({ label: t("evaluate.method"), control: select(methods, "method", (m) => t(`method.${m}`)), name: "method" })
          : field({ label: t("evaluate.method"), control: h("input", { value: t(`method.${methods[0]}`), readonly: true }), name: "method" }),
        field({ label: t("evaluate.recording"), control: input({ type: "url", inputmode: "url", placeholder: "https://", maxlength: 2000 }, "recordingUrl"), name: "contact.recording_url" })));
    occurred.setAttribute("aria-describedby", `${occurred.id}-hint`);

    // ---- criteria and the live score
    this.panel = createScorePanel(definition);
    const summary = h("textarea", { rows: 3, maxlength: 5000, value: draft.summary });
    summary.addEventListener("input", () => on.input("summary", summary.value));
    this.progress = h("p", { class: "progress" });
    this.criteria = renderCriteria({
      definition,
      answers: draft.answers,
      comments: draft.comments,
      onAnswer: on.answer,
      onComment: on.comment,
      onLast: () => summary.focus(),
    });

    // ---- submitting
    this.submitButton = h("button", { class: "button primary", type: "button", id: "submit-evaluation" },
      t("evaluate.submit"), " ", h("kbd", { "aria-hidden": "true" }, "Ctrl+Enter"));
    const discardButton = h("button", { class: "button subtle", type: "button" }, t("evaluate.discard"));
    this.sending = h("p", { class: "sending", role: "status" });
    this.submitButton.addEventListener("click", on.submit);
    discardButton.addEventListener("click", on.discard);

    this.heading = h("h1", { tabindex: "-1" }, definition.name);
    replaceChildren(root,
      h("div", { class: "page-head" },
        this.heading,
        h("p", { class: "subtle" },
          t(self ? "evaluate.selfSubtitle" : "evaluate.subtitle", { version: draft.formVersion }),
          resumed ? ` · ${t("evaluate.resumed")}` : "")),
      h("p", { class: "keys-help", id: uid("keys") }, t("evaluate.keysHelp")),
      h("div", { class: "error-box", role: "alert", tabindex: "-1", hidden: true }),
      h("div", { class: "evaluate-layout" },
        h("div", { class: "evaluate-main" },
          contact,
          this.criteria.element,
          field({ label: t("evaluate.summary"), control: summary, name: "summary", className: "field card summary" }),
          h("div", { class: "submit-bar" }, this.submitButton, discardButton, this.progress, this.sending, this.savedNote)),
        this.panel.element));
  }

  /** The agent field's suggestions, agent ids first: [value, label or undefined]. */
  addAgentSuggestions(options) {
    this.agentList?.append(...options.map(([value, label]) => h("option", { value }, label)));
  }

  showSaved(updatedAt) {
    this.savedNote.textContent = updatedAt
      ? t("evaluate.draftSaved", { time: formatDateTime(updatedAt, this.timeZone) })
      : t("evaluate.draftNotSaved");
  }

  /** The typed contact time as understood (`iso`), or a word that it is unclear. */
  showOccurred(iso) {
    this.understood.textContent = iso
      ? `= ${formatDateTime(iso, this.timeZone)} (UTC${iso.slice(-6)})`
      : t("evaluate.occurredUnclear");
    this.understood.classList.toggle("unclear", !iso);
  }

  /** The live score for `answers`, each section's badge, and how many are answered. */
  showScore(answers, total) {
    const result = this.panel.update(answers);
    for (const s of result.sections) {
      const badge = this.root.querySelector(`[data-section-score="${CSS.escape(s.id)}"]`);
      if (badge) badge.textContent = s.score === null ? "" : formatScore(s.score);
    }
    this.progress.textContent = t("evaluate.progress", { answered: Object.keys(answers).length, total });
  }

  /** Each problem ([field, message]) under its field; the focus on the first. */
  showProblems(problems) {
    clearFieldErrors(this.root);
    const targets = problems.map(([name, message]) => showFieldError(this.root, name, message));
    targets.find(Boolean)?.focus();
  }

  clearProblems() {
    clearFieldErrors(this.root);
  }

  sendingState(busy, text = "") {
    this.submitButton.disabled = busy;
    this.sending.textContent = text;
  }

  offerRetry() {
    this.submitButton.textContent = t("evaluate.retry");
  }

  /** Where the person was: the first empty contact field, else the first unanswered
   * criterion, else the heading. */
  focusStart(draft, self) {
    const firstEmpty = [!self && !draft.agentId && this.agent, !draft.contactId && this.contactId].find(Boolean);
    const unanswered = this.criteria.firstUnanswered(draft.answers);
    if (firstEmpty) firstEmpty.focus();
    else if (unanswered) this.criteria.focusCriterion(unanswered);
    else this.heading.focus();
  }
}
