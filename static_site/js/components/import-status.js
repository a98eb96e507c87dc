// An import's status as a badge, on the list of imports and on each import's page.

import { h } from "../dom.js";
import { t } from "../i18n.js";

export function statusBadge(status) {
  return h("span", { class: `badge status-${status}`, dataset: { status } }, t(`importStatus.${status}`));
}
