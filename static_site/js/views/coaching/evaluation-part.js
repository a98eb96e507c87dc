// The coaching part of a stored evaluation (views/evaluation.js loads it once the
// evaluation is on screen, so a just-submitted evaluation shows at once): whether
// the agent has acknowledged its current revision (who, when), by when they must,
// "Acknowledge" for the agent; "Dispute" within the tenant's window (a reason, and
// the criteria it is about if not the whole evaluation), the API's refusals next to
// the field; and the evaluation's disputes with their states and history.

import { ApiError } from "../../api.js";
import { acknowledge, evaluationAcknowledgements } from "../../api/acknowledgements.js";
import { listAgents } from "../../api/agents.js";
import { evaluationDisputes, openDispute, withdrawDispute } from "../../api/disputes.js";
import { getSettings } from "../../api/settings.js";
import { listTeams } from "../../api/teams.js";
import { announce, field, h, replaceChildren } from "../../dom.js";
import { clearFieldErrors, showFieldError } from "../../field-errors.js";
import { formatDateTime, t } from "../../i18n.js";
import { actionButton, coachingError, inboxChanged, prepare, statusLine } from "./common.js";
import { UNDECIDED, criterionTexts, disputeSummary, historyTable } from "./dispute-parts.js";
import { disputeWindowEnd, ledAgents } from "./model.js";

async function quietly(promise, fallback) {
  try {
    return await promise;
  } catch (error) {
    if (!(error instanceof ApiError)) throw error;
    return fallback;
  }
}

function acknowledgementBody(evaluation, ack, { isAgent, zone, onAcknowledged }) {
  const current = ack.items.find((a) => a.revision === ack.current_revision);
  const earlier = ack.items.filter((a) => a.revision !== ack.current_revision);
  const status = statusLine();
  const parts = [];
  if (ack.acknowledged && current) {
    parts.push(h("p", { class: "success", dataset: { acknowledged: "true" } },
      h("span", { "aria-hidden": "true" }, "✓ "),
      t("ack.done", { who: current.by, when: formatDateTime(current.at, zone), revision: current.revision })));
  } else {
    const due = ack.due ? formatDateTime(ack.due, zone) : null;
    parts.push(h("p", { dataset: { acknowledged: "false", overdue: String(Boolean(ack.overdue)) } }, h("strong", {}, t("ack.notYet")), " ",
      !due ? t("ack.noDeadline")
        : ack.overdue ? h("span", { class: "overdue" }, h("strong", {}, t("coaching.overdue")), " ", t("ack.wasDue", { due }))
          : t("ack.dueBy", { due })));
    if (isAgent) {
      parts.push(h("p", { class: "hint" }, t("ack.help", { revision: evaluation.revision })),
        actionButton(t("ack.button"), async () => {
          status.textContent = t("coaching.sending");
          try {
            await acknowledge(evaluation.evaluation_id, evaluation.revision);
            status.textContent = "";
            inboxChanged();
            await onAcknowledged();
            announce(t("ack.announce"));
          } catch (error) {
            if (!(error instanceof ApiError)) throw error;
            status.textContent = coachingError(error);
          }
        }, "button primary"), status);
    }
  }
  if (earlier.length) {
    parts.push(h("p", { class: "hint" }, t("ack.earlier"), " ",
      earlier.map((a) => t("ack.earlierItem", { revision: a.revision, who: a.by, when: formatDateTime(a.at, zone) })).join("; ")));
  }
  return parts;
}

function disputeForm(evaluation, definition, { onOpened, onCancel }) {
  const reason = h("textarea", { rows: 4, maxlength: 2000, required: true });
  const boxes = definition.sections.flatMap((s) => s.criteria.map((c) => ({ id: c.id, input: h("input", { type: "checkbox", value: c.id }), text: c.text })));
  const status = statusLine();
  const send = h("button", { class: "button primary", type: "submit" }, t("dispute.send"));
  const cancel = h("button", { class: "button subtle", type: "button" }, t("dispute.cancel"));
  cancel.addEventListener("click", onCancel);
  const form = h("form", { class: "dispute-form", novalidate: true, "aria-labelledby": "dispute-form-h" },
    h("h3", { id: "dispute-form-h" }, t("dispute.formTitle")),
    h("div", { class: "error-box", role: "alert", tabindex: "-1", hidden: true }),
    field({ label: t("dispute.reasonLabel"), control: reason, name: "reason", hint: t("dispute.reasonHint") }),
    h("fieldset", { class: "field check-list", dataset: { field: "criteria" } },
      h("legend", {}, t("dispute.criteriaLabel")),
      h("p", { class: "hint" }, t("dispute.criteriaHint")),
      h("ul", { class: "plain-list" }, boxes.map((b) => h("li", {}, h("label", { class: "check-item" }, b.input, " ", b.text))))),
    h("div", { class: "actions" }, send, cancel, status));
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    clearFieldErrors(form);
    const text = reason.value.trim();
    if (!text) {
      showFieldError(form, "reason", t("dispute.errorReason"))?.focus();
      return;
    }
    const criteria = boxes.filter((b) => b.input.checked).map((b) => b.id);
    send.disabled = true;
    status.textContent = t("coaching.sending");
    try {
      const dispute = await openDispute(evaluation.evaluation_id, criteria.length ? { reason: text, criteria } : { reason: text });
      inboxChanged();
      await onOpened(dispute);
    } catch (error) {
      if (!(error instanceof ApiError)) throw error;
      status.textContent = "";
      // A refusal the person can act on goes next to the field it is about: the window
      // and an open dispute are about the reason they were writing.
      const target = error.field?.startsWith("criteria") ? "criteria" : error.field ?? "reason";
      showFieldError(form, target, coachingError(error))?.focus();
    } finally {
      if (send.isConnected) send.disabled = false;
    }
  });
  return { element: form, focus: () => reason.focus() };
}

/** Whether the signed-in person may open a dispute about `evaluation`: its agent, or
 * a team leader of the agent's team (the API decides; this only offers the button). */
async function mayDispute(evaluation, app) {
  if (app.me.agent_id && app.me.agent_id === evaluation.agent_id) return true;
  if (!app.hasRole("evaluator")) return false;
  const [agents, teams] = await Promise.all([quietly(listAgents(), []), quietly(listTeams(), [])]);
  return ledAgents(agents, teams, app.me.user).some((a) => a.agent_id === evaluation.agent_id);
}

export async function mount(slot, evaluation, definition, app) {
  await prepare();
  const zone = app.timeZone;
  const isAgent = Boolean(app.me.agent_id) && app.me.agent_id === evaluation.agent_id;
  const texts = criterionTexts(definition);
  const ackCard = h("section", { class: "card", "aria-labelledby": "ack-h", dataset: { acknowledgement: "" } },
    h("h2", { id: "ack-h" }, t("ack.title")), h("p", { class: "subtle" }, t("coaching.loading")));
  const disputeCard = h("section", { class: "card", "aria-labelledby": "disputes-h", dataset: { disputes: "" } },
    h("h2", { id: "disputes-h" }, t("dispute.cardTitle")), h("p", { class: "subtle" }, t("coaching.loading")));
  replaceChildren(slot, ackCard, disputeCard);

  async function showAcknowledgement() {
    try {
      const ack = await evaluationAcknowledgements(evaluation.evaluation_id);
      replaceChildren(ackCard, h("h2", { id: "ack-h" }, t("ack.title")),
        acknowledgementBody(evaluation, ack, { isAgent, zone, onAcknowledged: showAcknowledgement }));
    } catch (error) {
      if (!(error instanceof ApiError)) throw error;
      replaceChildren(ackCard, h("h2", { id: "ack-h" }, t("ack.title")), h("p", { class: "subtle" }, coachingError(error)));
    }
  }

  async function showDisputes(focus = null) {
    let disputes;
    try {
      disputes = (await evaluationDisputes(evaluation.evaluation_id)).items ?? [];
    } catch (error) {
      if (!(error instanceof ApiError)) throw error;
      replaceChildren(disputeCard, h("h2", { id: "disputes-h" }, t("dispute.cardTitle")), h("p", { class: "subtle" }, coachingError(error)));
      return;
    }
    const settings = await quietly(getSettings(), null);
    const days = settings?.coaching?.dispute_window_days;
    const end = disputeWindowEnd(evaluation.created_at, days, zone);
    const open = end !== null && Date.parse(end) > Date.now();
    const undecided = disputes.find((d) => UNDECIDED.has(d.state));
    const allowed = open && !undecided && await mayDispute(evaluation, app);
    const formSlot = h("div", {});
    const status = statusLine();
    const windowLine = end
      ? h("p", { class: open ? "window-open" : "window-closed", dataset: { windowEnd: end } },
        t(open ? "dispute.windowUntil" : "dispute.windowClosed", { end: formatDateTime(end, zone), days }))
      : null;
    let button = null;
    if (allowed) {
      button = h("button", { class: "button", type: "button", "aria-expanded": "false", "aria-controls": "dispute-form-slot" }, t("dispute.button"));
      button.addEventListener("click", () => {
        const form = disputeForm(evaluation, definition, {
          onOpened: async () => {
            await showDisputes("list");
            announce(t("dispute.opened"));
          },
          onCancel: () => {
            replaceChildren(formSlot);
            button.setAttribute("aria-expanded", "false");
            button.hidden = false;
            button.focus();
          },
        });
        replaceChildren(formSlot, form.element);
        button.setAttribute("aria-expanded", "true");
        button.hidden = true;
        form.focus();
      });
    }
    formSlot.id = "dispute-form-slot";
    const list = disputes.length
      ? h("ul", { class: "plain-list dispute-list" }, disputes.map((d) => h("li", {},
        disputeSummary(d, { texts, zone, link: true }),
        h("details", { class: "history" }, h("summary", {}, t("dispute.showHistory")), historyTable(d, zone)),
        UNDECIDED.has(d.state) && (isAgent || d.opened_by === app.me.user)
          ? actionButton(t("dispute.withdraw"), async () => {
            if (!window.confirm(t("dispute.withdrawConfirm"))) return;
            try {
              await withdrawDispute(d.dispute_id);
              inboxChanged();
              await showDisputes("list");
              announce(t("dispute.withdrawn"));
            } catch (error) {
              if (!(error instanceof ApiError)) throw error;
              status.textContent = coachingError(error);
            }
          }, "button subtle") : null)))
      : h("p", { class: "subtle" }, t("dispute.noneYet"));
    const listHeading = h("h3", { tabindex: "-1" }, t("dispute.listTitle"));
    replaceChildren(disputeCard, h("h2", { id: "disputes-h" }, t("dispute.cardTitle")),
      evaluation.method === "self" ? h("p", {}, t("dispute.notForSelf")) : windowLine,
      undecided ? h("p", { class: "notice" }, t("dispute.alreadyOpen")) : null,
      button, formSlot, status, listHeading, list);
    if (focus === "list") listHeading.focus();
  }

  await Promise.all([showAcknowledgement(), showDisputes()]);
  slot.dataset.ready = "true";
}
