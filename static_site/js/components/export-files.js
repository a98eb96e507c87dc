// The files of one exported pay period as short-lived links (exportFiles in
// api/exports.js: presigned, 15 minutes). They are fetched when the person asks and never kept: when
// they run out they leave the page, and asking again fetches new ones.

import { ApiError } from "../api.js";
import { exportFiles } from "../api/exports.js";
import { h, replaceChildren } from "../dom.js";
import { errorMessage } from "../errors.js";
import { formatDateTime, locale, t } from "../i18n.js";

// The order and meaning of the files each revision has (chalicelib/services/exports.py).
const FILES = [
  ["payroll.csv", "files.csv"],
  ["payroll.jsonl", "files.jsonl"],
  ["adjustments.csv", "files.adjustments"],
  ["manifest.json", "files.manifest"],
];

/** {element, show(period)}: `show` fetches the links now and lists them by revision,
 * newest first; a period not exported yet says so. `headingLevel` fits the page. */
export function createExportFiles(app, { headingLevel = 3 } = {}) {
  const element = h("div", { class: "export-files" });
  const region = h("div", { class: "export-files-body" });
  const status = h("p", { class: "hint", role: "status" });
  element.append(status, region);
  let expiry = null;
  app.signal.addEventListener("abort", () => clearTimeout(expiry));

  function expire() {
    for (const list of region.querySelectorAll(".file-links")) list.replaceChildren();
    replaceChildren(status, t("files.expired"));
    element.dataset.state = "expired";
  }

  function render(downloads) {
    const until = new Date(Date.now() + downloads.links_expire_in_s * 1000);
    clearTimeout(expiry);
    expiry = setTimeout(expire, downloads.links_expire_in_s * 1000);
    const time = new Intl.DateTimeFormat(locale(), { timeStyle: "short" }).format(until);
    replaceChildren(status, t("files.validUntil", { time, minutes: Math.round(downloads.links_expire_in_s / 60) }));
    const heading = `h${headingLevel}`;
    replaceChildren(region, [...downloads.revisions].reverse().map((revision) => {
      const names = Object.keys(revision.files);
      const known = FILES.filter(([name]) => names.includes(name));
      const others = names.filter((name) => !FILES.some(([f]) => f === name)).map((name) => [name, null]);
      return h("section", { class: "revision-files", dataset: { revision: String(revision.revision) } },
        h(heading, {},
          t("files.revision", { revision: revision.revision }),
          revision.revision === downloads.latest_revision ? h("span", { class: "badge" }, t("files.latest")) : null),
        h("p", { class: "hint" }, t("files.generated", { when: formatDateTime(revision.generated_at, app.timeZone) })),
        h("ul", { class: "file-links" }, [...known, ...others].map(([name, key]) => h("li", {},
          // The link itself: S3 answers with Content-Disposition: attachment.
          h("a", { href: revision.files[name], dataset: { file: name, revision: String(revision.revision) } },
            name, h("span", { class: "visually-hidden" }, ` (${t("files.revision", { revision: revision.revision })})`)),
          key ? h("span", { class: "hint" }, t(key, { previous: revision.revision - 1 })) : null))));
    }));
    element.dataset.state = "shown";
  }

  async function show(period) {
    clearTimeout(expiry);
    element.dataset.state = "loading";
    replaceChildren(status, t("files.loading"));
    region.replaceChildren();
    try {
      render(await exportFiles(period));
      return true;
    } catch (error) {
      if (!(error instanceof ApiError)) throw error;
      element.dataset.state = error.status === 404 ? "missing" : "error";
      status.replaceChildren();
      replaceChildren(region, error.status === 404
        ? h("p", { class: "notice" }, t("files.notExported", { period }))
        : h("p", { class: "error-box", role: "alert" }, errorMessage(error)));
      return false;
    }
  }

  return { element, show };
}
