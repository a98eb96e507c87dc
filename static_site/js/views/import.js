// One batch import: its status while the file is read (polled with limit=0 for
// progress only), the counts, and once it is done the report row by
// row: the auditor's external_id, what became of it, and for a rejected row every
// problem with its column. Amendments (a re-upload that changed an evaluation) are
// marked as such. This module wires the page: the import's state and rules are
// import/model.js, the DOM import/view.js.

import { ApiError } from "../api.js";
import { getImport } from "../api/imports.js";
import { announce } from "../dom.js";
import { loadMessages, t } from "../i18n.js";
import { useStylesheet } from "../stylesheet.js";
import { ImportModel } from "./import/model.js";
import { ImportView, renderNotFound, renderRefusal } from "./import/view.js";

const sleep = (ms, signal) => new Promise((resolve) => {
  const timer = setTimeout(resolve, ms);
  signal.addEventListener("abort", () => {
    clearTimeout(timer);
    resolve();
  }, { once: true });
});

export async function render(root, params, app) {
  await Promise.all([loadMessages("imports"), useStylesheet("/css/office.css")]);
  document.title = `${t("report.title")} – Laatu`;
  if (!app.hasRole("auditor", "admin")) {
    renderRefusal(root);
    return;
  }
  let model;
  try {
    model = new ImportModel(await getImport(params.importId, { limit: 0 }));
  } catch (error) {
    if (!(error instanceof ApiError) || error.status !== 404) throw error;
    renderNotFound(root);
    return;
  }

  async function loadReport(reset) {
    const query = model.reportQuery(reset);
    if (reset) view.clearReport();
    const page = await getImport(params.importId, query);
    view.appendReport(page.report.rows, model.reportPaged(page));
  }

  const view = new ImportView({
    timeZone: app.timeZone,
    on: {
      onlyRejected: (checked) => {
        model.onlyRejected = checked;
        loadReport(true);
      },
      more: () => loadReport(false),
    },
  });

  async function finish() {
    if (model.done) {
      await loadReport(true);
      view.showReport();
    }
    announce(model.done
      ? t("report.doneAnnounce", { imported: model.item.rows.imported, rejected: model.item.rows.rejected })
      : t("report.failedAnnounce"));
  }

  view.renderStatus(model.item, model.expired());
  view.mount(root);

  // Until the import has finished: its progress, ever less often.
  for (let attempt = 0; !model.finished; attempt += 1) {
    if (model.expired()) return;
    await sleep(model.pollDelay(attempt), app.signal);
    if (app.signal.aborted) return;
    let item;
    try {
      item = await getImport(params.importId, { limit: 0 });
    } catch (error) {
      if (!(error instanceof ApiError) || !error.transient) throw error;
      continue; // the connection dropped for a moment: ask again
    }
    if (app.signal.aborted) return;
    const entered = model.refreshed(item);
    view.renderStatus(model.item, model.expired());
    if (entered) announce(t(`importState.${entered}`));
  }
  await finish();
}
