// The criteria of a form, section by section, each a Yes / No / N/A radio group
// with an optional comment. Used by the evaluation page and the editor's preview.
//
// Keyboard: with focus on a criterion's choices, one letter (keys.js) answers it
// and focus moves on to the next criterion, so a whole form takes one key per
// criterion. Arrow keys and Space work as on any radio group.

import { announce, h, uid } from "../dom.js";
import { currentLanguage, formatDecimal, t } from "../i18n.js";
import { answerForKey, KEY_HINTS } from "../keys.js";

const CHOICES = ["yes", "no", "na"];

export function renderCriteria({ definition, answers = {}, comments = {}, onAnswer, onComment, onLast }) {
  const group = uid("c");
  const hints = KEY_HINTS[currentLanguage()];
  const order = []; // criterion ids in page order
  const blocks = new Map(); // id → {block, radios, criterion}
  let number = 0;

  const sections = definition.sections.map((section) => {
    const headingId = uid("sec");
    const weight = section.weight !== undefined && section.weight !== null
      ? h("span", { class: "badge" }, t("criteria.weight", { weight: formatDecimal(String(section.weight)) }))
      : null;
    const criteria = section.criteria.map((criterion) => {
      number += 1;
      order.push(criterion.id);
      return criterionBlock(criterion, number);
    });
    return h("section", { class: "form-section", "aria-labelledby": headingId },
      h("div", { class: "section-head" },
        h("h2", { id: headingId }, section.title), weight,
        h("span", { class: "section-score", dataset: { sectionScore: section.id } })),
      criteria);
  });

  function criterionBlock(criterion, index) {
    const allowed = CHOICES.filter((c) => c !== "na" || criterion.na_allowed !== false);
    const legendId = uid("lg");
    const radios = allowed.map((choice) => h("input", {
      type: "radio",
      name: `${group}-${criterion.id}`,
      value: choice,
      checked: answers[criterion.id] === choice,
      dataset: { criterion: criterion.id },
    }));
    const labels = radios.map((radio, i) => h("label", { class: `choice choice-${allowed[i]}` },
      radio,
      h("span", {}, t(`answer.${allowed[i]}`)),
      h("kbd", { "aria-hidden": "true" }, hints[allowed[i]])));
    const badges = [
      h("span", { class: "badge" }, t("criteria.points", { points: criterion.points ?? 1 })),
      criterion.critical ? h("span", { class: "badge critical" }, t("criteria.critical")) : null,
      criterion.na_allowed === false ? h("span", { class: "badge" }, t("criteria.noNa")) : null,
    ];
    const fieldset = h("fieldset", { class: "answer", dataset: { field: `answers.${criterion.id}` } },
      h("legend", { id: legendId },
        h("span", { class: "number" }, `${index}.`), " ",
        h("span", { class: "text" }, criterion.text), " ",
        h("span", { class: "badges" }, badges)),
      h("div", { class: "choices" }, labels));
    const commentId = uid("cm");
    const comment = h("textarea", {
      id: commentId,
      rows: 1,
      maxlength: 2000,
      value: comments[criterion.id] ?? "",
      placeholder: t("criteria.commentPlaceholder"),
    });
    comment.addEventListener("input", () => onComment?.(criterion.id, comment.value));
    const block = h("div", { class: "criterion", dataset: { criterionBlock: criterion.id } },
      fieldset,
      h("div", { class: "comment", dataset: { field: `comments.${criterion.id}` } },
        h("label", { for: commentId, class: "visually-hidden" },
          t("criteria.commentLabel", { number: index })),
        comment));
    blocks.set(criterion.id, { block, radios, criterion });
    mark(criterion.id, answers[criterion.id]);
    return block;
  }

  function mark(id, answer) {
    const entry = blocks.get(id);
    if (!entry) return;
    entry.block.dataset.answer = answer ?? "";
  }

  function focusCriterion(id) {
    const entry = blocks.get(id);
    if (!entry) return false;
    const target = entry.radios.find((r) => r.checked) ?? entry.radios[0];
    target.focus();
    entry.block.scrollIntoView({ block: "nearest" });
    return true;
  }

  function choose(id, answer) {
    const entry = blocks.get(id);
    const radio = entry?.radios.find((r) => r.value === answer);
    if (!radio) return false;
    radio.checked = true;
    mark(id, answer);
    onAnswer?.(id, answer);
    return true;
  }

  const element = h("div", { class: "criteria" }, sections);

  element.addEventListener("change", (event) => {
    const radio = event.target;
    if (radio.type !== "radio" || !radio.dataset.criterion) return;
    mark(radio.dataset.criterion, radio.value);
    onAnswer?.(radio.dataset.criterion, radio.value);
  });

  element.addEventListener("keydown", (event) => {
    const radio = event.target;
    if (radio.type !== "radio" || !radio.dataset.criterion) return;
    const answer = answerForKey(event);
    if (!answer) return;
    event.preventDefault();
    const id = radio.dataset.criterion;
    if (!choose(id, answer)) {
      announce(t("criteria.naNotAllowed"));
      return;
    }
    announce(t(`answer.${answer}`));
    const next = order[order.indexOf(id) + 1];
    if (next) focusCriterion(next);
    else onLast?.();
  });

  return {
    element,
    order,
    focusCriterion,
    firstUnanswered: (current) => order.find((id) => !current[id]),
  };
}
