// The score of an evaluation, computed the way chalicelib/domain/scoring.py and
// numbers.py compute it, so the number an evaluator watches while answering is the
// number the server stores. Yes earns a criterion's points, No none, N/A leaves
// the calculation. Unweighted: 100 × Σ yes / Σ applicable. Weighted (every
// section has a weight): Σ weight × section ratio / Σ weight over sections with
// applicable points, × 100. A No on a critical criterion makes the score 0.
// Nothing applicable: not scorable (null).

import { Fraction, parseDecimal, roundScaled, scaledToString } from "./fraction.js";

const HUNDRED = new Fraction(100n);
const STORED_PLACES = 20; // numbers.py STORED_QUANTUM, rounded half-even
const REPORTED_PLACES = 2; // numbers.py REPORTED_QUANTUM, rounded half-up

export const isWeighted = (definition) =>
  definition.sections.some((s) => s.weight !== undefined && s.weight !== null);

/** Exact score. Criteria without an answer are left out like N/A, which lets the
 * page show a provisional score while answers are still coming in. */
export function score(definition, answers) {
  const sections = [];
  const failedCritical = [];
  for (const section of definition.sections) {
    let yes = 0;
    let applicable = 0;
    for (const criterion of section.criteria) {
      const answer = answers[criterion.id];
      if (answer !== "yes" && answer !== "no") continue;
      const points = criterion.points ?? 1;
      applicable += points;
      if (answer === "yes") yes += points;
      else if (criterion.critical) failedCritical.push(criterion.id);
    }
    sections.push({
      id: section.id,
      yesPoints: yes,
      applicablePoints: applicable,
      value: applicable ? HUNDRED.mul(new Fraction(BigInt(yes), BigInt(applicable))) : null,
    });
  }
  const yesPoints = sections.reduce((sum, s) => sum + s.yesPoints, 0);
  const applicablePoints = sections.reduce((sum, s) => sum + s.applicablePoints, 0);
  let overall = overallOf(definition, sections, yesPoints, applicablePoints);
  if (overall !== null && failedCritical.length) overall = new Fraction(0n);
  return { overall, sections, failedCritical, yesPoints, applicablePoints };
}

function overallOf(definition, sections, yesPoints, applicablePoints) {
  if (applicablePoints === 0) return null;
  if (!isWeighted(definition)) {
    return HUNDRED.mul(new Fraction(BigInt(yesPoints), BigInt(applicablePoints)));
  }
  let weightedSum = new Fraction(0n);
  let weightTotal = new Fraction(0n);
  definition.sections.forEach((section, index) => {
    const result = sections[index];
    if (result.applicablePoints === 0) return;
    const weight = parseDecimal(section.weight);
    const ratio = new Fraction(BigInt(result.yesPoints), BigInt(result.applicablePoints));
    weightedSum = weightedSum.add(weight.mul(ratio));
    weightTotal = weightTotal.add(weight);
  });
  return HUNDRED.mul(weightedSum.div(weightTotal));
}

/** What the API reports for an exact value: stored with 20 places (half-even),
 * then rounded half-up to two, as text ("87.50"); null stays null. */
export function reported(value) {
  if (value === null) return null;
  const stored = new Fraction(roundScaled(value, STORED_PLACES, "half-even"), 10n ** 20n);
  return scaledToString(roundScaled(stored, REPORTED_PLACES, "half-up"), REPORTED_PLACES);
}

/** The score in the API's shape (EvaluationScore in openapi.json). */
export function report(result) {
  return {
    overall: reported(result.overall),
    scorable: result.overall !== null,
    failed_critical: result.failedCritical,
    yes_points: result.yesPoints,
    applicable_points: result.applicablePoints,
    sections: result.sections.map((s) => ({
      id: s.id,
      score: reported(s.value),
      yes_points: s.yesPoints,
      applicable_points: s.applicablePoints,
    })),
  };
}
