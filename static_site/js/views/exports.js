// The QA manager's payroll exports: every exported pay period with its revisions,
// "run now" for any period that has ended (the same exactly-once run as the hourly
// one), and each revision's files as short-lived links fetched on request. This
// module wires the page: the rules are exports/model.js, the DOM exports/view.js.

import { ApiError } from "../api.js";
import { listExports, runExport } from "../api/exports.js";
import { getSettings } from "../api/settings.js";
import { createExportFiles } from "../components/export-files.js";
import { loadMessages, t } from "../i18n.js";
import { useStylesheet } from "../stylesheet.js";
import { ExportsModel, outcomeKey } from "./exports/model.js";
import { ExportsView, renderRefusal, runErrorText } from "./exports/view.js";

export async function render(root, _params, app) {
  await Promise.all([loadMessages("payroll"), useStylesheet("/css/office.css")]);
  document.title = `${t("exports.title")} – Laatu`;
  if (!app.hasRole("admin")) {
    renderRefusal(root);
    return;
  }
  const [settings, first] = await Promise.all([getSettings(), listExports()]);
  const model = new ExportsModel(settings, first, app.timeZone);
  const showHistory = () => view.renderHistory(model.history, settings.grace_days);

  /** Runs the period's export; the outcome as a sentence, or throws the refusal's ApiError. */
  async function run(period) {
    const data = await runExport(period);
    model.reloaded(await listExports());
    return t(outcomeKey(data.outcome), { revision: data.revision, period });
  }

  async function runFromForm(text) {
    if (model.running) return;
    view.clearRunForm();
    const label = model.periodOf(text);
    if (!label) {
      view.showRunError(t("periods.invalid"));
      return;
    }
    view.setPeriod(label);
    view.setRunStatus(t("exports.running", { period: label }));
    model.running = true;
    try {
      view.setRunStatus(await run(label));
      showHistory();
    } catch (error) {
      if (!(error instanceof ApiError)) throw error;
      view.setRunStatus("");
      view.showRunError(runErrorText(error));
    } finally {
      model.running = false;
    }
  }

  /** A card's run: null when done (the new card says so), else the refusal's words. */
  async function runPeriod(period) {
    let text;
    try {
      text = await run(period);
    } catch (error) {
      if (!(error instanceof ApiError)) throw error;
      return runErrorText(error);
    }
    showHistory();
    view.showCardOutcome(period, text);
    return null;
  }

  const view = new ExportsView({
    suggestions: model.suggestions,
    timeZone: app.timeZone,
    on: { run: runFromForm, runPeriod, files: () => createExportFiles(app, { headingLevel: 4 }) },
  });
  showHistory();
  view.mount(root, settings);
}
