// The QA manager's settings: the rules pay is computed by (api/settings.js) and
// the agent roster. A save is a new revision that applies from the first pay period
// not yet exported, so an exported period keeps the rules it was paid with; the page
// says from when, and lists every revision. This module wires the page: the form's
// state and rules are tenant-settings/model.js, the DOM tenant-settings/view.js.

import { ApiError } from "../api.js";
import { getSettings, saveSettings } from "../api/settings.js";
import { createRoster } from "../components/roster.js";
import { announce } from "../dom.js";
import { errorMessage } from "../errors.js";
import { loadMessages, t } from "../i18n.js";
import { useStylesheet } from "../stylesheet.js";
import { SettingsModel } from "./tenant-settings/model.js";
import { SettingsView, renderRefusal } from "./tenant-settings/view.js";

/** The words for a refused save: the page's own for the report fields it knows (the
 * API words those in English), the API's otherwise. */
function apiProblem(error) {
  if (error.code === "concurrent_settings_change") return t("rules.concurrent");
  if (error.status === 400 && error.field === `reports.shift_bands`) return t("rules.errorBandsSame");
  if (error.status === 400 && /^reports\.shift_bands\.(day|evening|night)$/.test(error.field ?? "")) return t("rules.errorBandTime");
  if (error.status === 400 && /^coaching\.\w+_days$/.test(error.field ?? "")) return t("rules.errorCoachingDays");
  return errorMessage(error);
}

export async function render(root, _params, app) {
  await Promise.all([loadMessages("payroll"), useStylesheet("/css/office.css")]);
  document.title = `${t("rules.title")} – Laatu`;
  if (!app.hasRole("admin")) {
    renderRefusal(root);
    return;
  }
  const model = new SettingsModel(await getSettings());
  const roster = await createRoster(app);
  const showTiers = (focus) => view.renderTiers(model.tiers, model.canAddTier, focus);

  async function save() {
    view.clear();
    const { body, problems } = model.collect(view.values());
    if (problems.length) {
      view.showProblems(problems.map(([name, key]) => [name, t(key)]));
      view.setStatus(t("rules.fixProblems", { count: problems.length }));
      return;
    }
    view.setStatus(t("rules.saving"));
    let revision;
    try {
      revision = await saveSettings(body);
    } catch (error) {
      if (!(error instanceof ApiError)) throw error;
      view.setStatus("");
      view.showError(error.field, apiProblem(error));
      return;
    }
    model.reloaded(await getSettings());
    view.renderRevisions(model.revisions);
    view.setStatus("");
    // A new zone waits for a period that has not started, so the zone in force stays.
    announce(view.showSaved(revision, body.time_zone !== model.current.time_zone));
  }

  const view = new SettingsView({
    start: model.start,
    reports: model.reports,
    coaching: model.coaching,
    timeZone: app.timeZone,
    on: {
      setTier: (index, key, value) => model.setTier(index, key, value),
      addTier: () => showTiers(model.addTier()),
      removeTier: (index) => showTiers(model.removeTier(index) ?? "add"),
      save,
    },
  });
  showTiers();
  view.renderRevisions(model.revisions);
  view.mount(root, roster.element);
}
