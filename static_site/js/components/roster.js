// The agent roster (api/agents.js): who is paid, under
// which payroll id, in which team. Every active agent is in every payroll export, with
// zeros if need be, so this is the list payroll sees.

import { ApiError } from "../api.js";
import { listAgents, saveAgent } from "../api/agents.js";
import { listTeams } from "../api/teams.js";
import { announce, field, h, replaceChildren } from "../dom.js";
import { errorMessage } from "../errors.js";
import { clearFieldErrors, showFieldError } from "../field-errors.js";
import { formatDateTime, t } from "../i18n.js";
import { AGENT_ID } from "../rules.generated.js";

export async function createRoster(app) {
  // The team field offers the tenant's teams (api/teams.js); without them it still takes an id.
  const quietTeams = listTeams().catch((error) => {
    if (!(error instanceof ApiError)) throw error;
    return [];
  });
  const [listed, teams] = await Promise.all([listAgents(), quietTeams]);
  let agents = listed;
  let editing = null; // the agent_id being edited, or null when adding

  const tableBody = h("tbody");
  const filter = h("input", { type: "search", autocomplete: "off", spellcheck: "false" });
  const count = h("p", { class: "hint", role: "status" });

  const idInput = h("input", { autocomplete: "off", spellcheck: "false", maxlength: 128, required: true });
  const nameInput = h("input", { autocomplete: "off", maxlength: 200 });
  // A team id (listTeams); a change is a membership from today, the history is kept.
  const teamInput = h("input", { autocomplete: "off", spellcheck: "false", maxlength: 64, list: "roster-teams" });
  const teamList = h("datalist", { id: "roster-teams" },
    teams.map((team) => h("option", { value: team.team_id }, team.name && team.name !== team.team_id ? team.name : null)));
  const payrollInput = h("input", { autocomplete: "off", spellcheck: "false", maxlength: 64 });
  const activeInput = h("input", { type: "checkbox", checked: true });
  const formHeading = h("h3", { id: "agent-form-h" });
  const saveButton = h("button", { class: "button primary", type: "submit" }, t("roster.save"));
  const newButton = h("button", { class: "button subtle", type: "button" }, t("roster.new"));
  const formStatus = h("p", { class: "editor-status", role: "status" });
  const errorBox = h("div", { class: "error-box", role: "alert", hidden: true });
  const form = h("form", { class: "agent-form", novalidate: true, "aria-labelledby": "agent-form-h" },
    formHeading,
    errorBox,
    h("div", { class: "grid" },
      field({ label: t("roster.agentId"), control: idInput, name: "agent_id", hint: t("roster.agentIdHint") }),
      field({ label: t("roster.name"), control: nameInput, name: "name" }),
      field({ label: t("roster.team"), control: teamInput, name: "team" }),
      field({ label: t("roster.payrollId"), control: payrollInput, name: "payroll_id", hint: t("roster.payrollIdHint") }),
      h("div", { class: "check", dataset: { field: "active" } }, h("label", {}, activeInput, " ", t("roster.activeLabel")))),
    h("div", { class: "actions" }, saveButton, newButton, formStatus),
    teamList);

  function fill(agent) {
    editing = agent?.agent_id ?? null;
    idInput.value = agent?.agent_id ?? "";
    idInput.readOnly = Boolean(agent);
    nameInput.value = agent?.name ?? "";
    teamInput.value = agent?.team ?? "";
    payrollInput.value = agent?.payroll_id ?? "";
    activeInput.checked = agent?.active ?? true;
    formHeading.textContent = agent ? t("roster.editTitle", { agent: agent.agent_id }) : t("roster.addTitle");
    newButton.hidden = !agent;
    clearFieldErrors(form);
  }

  function renderRows() {
    const needle = filter.value.trim().toLowerCase();
    const shown = agents.filter((a) => !needle ||
      [a.agent_id, a.name, a.team, a.payroll_id].some((text) => text.toLowerCase().includes(needle)));
    count.textContent = t("roster.count", { shown: shown.length, total: agents.length });
    if (!shown.length) {
      replaceChildren(tableBody, h("tr", {}, h("td", { colspan: 7 }, t(agents.length ? "roster.noMatch" : "roster.none"))));
      return;
    }
    replaceChildren(tableBody, shown.map((agent) => {
      const edit = h("button", { class: "button icon", type: "button", dataset: { edit: agent.agent_id } },
        t("roster.edit"), h("span", { class: "visually-hidden" }, ` ${agent.name || agent.agent_id}`));
      edit.addEventListener("click", () => {
        fill(agent);
        form.scrollIntoView({ block: "nearest" });
        nameInput.focus();
      });
      return h("tr", { dataset: { agent: agent.agent_id }, class: agent.active ? null : "inactive" },
        h("th", { scope: "row" }, h("code", {}, agent.agent_id)),
        h("td", {}, agent.name || "–"),
        h("td", {}, agent.team || "–"),
        h("td", {}, agent.payroll_id ? h("code", {}, agent.payroll_id) : "–"),
        h("td", {}, agent.active ? t("roster.active") : t("roster.inactive")),
        h("td", {}, formatDateTime(agent.updated_at, app.timeZone)),
        h("td", {}, edit));
    }));
  }

  filter.addEventListener("input", renderRows);
  newButton.addEventListener("click", () => {
    fill(null);
    idInput.focus();
  });
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    clearFieldErrors(form);
    formStatus.textContent = "";
    const agentId = idInput.value.trim();
    if (!AGENT_ID.test(agentId)) {
      showFieldError(form, "agent_id", t("roster.errorAgentId"))?.focus();
      return;
    }
    if (!editing && agents.some((a) => a.agent_id === agentId)) {
      showFieldError(form, "agent_id", t("roster.errorExists"))?.focus();
      return;
    }
    const body = {
      name: nameInput.value.trim(),
      team: teamInput.value.trim(),
      payroll_id: payrollInput.value.trim(),
      active: activeInput.checked,
    };
    saveButton.disabled = true;
    try {
      await saveAgent(agentId, body);
    } catch (error) {
      if (!(error instanceof ApiError)) throw error;
      showFieldError(form, error.field, errorMessage(error))?.focus();
      return;
    } finally {
      saveButton.disabled = false;
    }
    const wasEditing = editing;
    agents = await listAgents();
    renderRows();
    fill(null);
    const text = t("roster.saved", { agent: agentId });
    formStatus.textContent = text;
    announce(text);
    if (wasEditing) tableBody.querySelector(`[data-edit="${CSS.escape(agentId)}"]`)?.focus();
    else idInput.focus();
  });

  fill(null);
  renderRows();
  const element = h("section", { class: "card roster", "aria-labelledby": "roster-h" },
    h("h2", { id: "roster-h" }, t("roster.title")),
    h("p", { class: "hint" }, t("roster.help")),
    form,
    h("div", { class: "toolbar roster-filter" },
      field({ label: t("roster.filter"), control: filter, name: "filter" }), count),
    h("div", { class: "table-scroll" },
      h("table", { class: "roster-table" },
        h("caption", { class: "visually-hidden" }, t("roster.title")),
        h("thead", {}, h("tr", {},
          h("th", { scope: "col" }, t("roster.agentId")),
          h("th", { scope: "col" }, t("roster.name")),
          h("th", { scope: "col" }, t("roster.team")),
          h("th", { scope: "col" }, t("roster.payrollId")),
          h("th", { scope: "col" }, t("roster.state")),
          h("th", { scope: "col" }, t("roster.updated")),
          h("th", { scope: "col" }, h("span", { class: "visually-hidden" }, t("roster.actions"))))),
        tableBody)));
  return { element };
}
