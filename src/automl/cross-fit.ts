/**
 * Cross-fitted evaluation of one bagged fit. A `medium` fit already holds, for every row, each model's out-of-fold
 * prediction (from the bag member that did not train on it). What it then tunes on those predictions — the logistic
 * penalty, the ensemble weights, the baseline-or-ensemble selection, Platt scaling, the threshold — is remade here
 * for each bagging fold on the other folds' rows only ({@link decideOnValidation}, the very function the fit uses)
 * and applied to the fold's rows. Each row's prediction then comes from models that never saw it, combined by
 * decisions that never saw it: an out-of-sample estimate of the same procedure, from one fit instead of one per outer
 * fold (nested cross-validation fits k bagged predictors, k × k bag members per kind).
 *
 * What differs from nested cross-validation: the bag members that score the other folds were trained on rows that
 * include this fold, so this fold's labels reach its decisions at second hand (through those members, never through
 * a score on its own rows); and each prediction comes from a member trained on (k−1)/k of the rows rather than
 * ((k−1)/k)². src/automl/README.md gives the two estimates side by side.
 */
import { HealthDataError } from '../errors';
import { blend, pickRows } from './ensemble';
import type { DecisionInput, FitDecision } from './fit-decisions';
import { calibrated, decideOnValidation, positives } from './fit-decisions';
import { metricValue } from './metrics';

/** One fold of a cross-fitted evaluation. */
export interface CrossFitFold {
  /** The model the decisions without this fold chose. */
  readonly best: string;
  /** Binary problems: the decision threshold chosen without this fold. */
  readonly threshold?: number;
  /** Each model's eval-metric score on this fold's rows (its decisions made without them). */
  readonly scores: Readonly<Record<string, number>>;
}

/** Result of {@link crossFitValidation}. */
export interface CrossFitted {
  /** Per validation row, the chosen model's probabilities (n × K; binary: Platt-calibrated as `predictProba` is). */
  readonly proba: Float64Array;
  /** The logistic baseline's probabilities on the same terms (its penalty chosen without the row's fold), when fitted. */
  readonly baseline?: { readonly name: string; readonly proba: Float64Array };
  /** Each row's fold. */
  readonly foldOf: Int32Array;
  /** Per fold: the chosen model, threshold and scores. */
  readonly folds: readonly CrossFitFold[];
}

/**
 * Out-of-sample predictions of a bagged fit's whole procedure (see the module comment).
 *
 * @param input - a fitted predictor's `validationRecord`
 * @returns per-row probabilities, the baseline's, each row's fold and per-fold decisions
 * @throws {@link HealthDataError} (invalid-input) when the fit had no bagging folds (a holdout fit cannot be cross-fitted)
 */
export function crossFitValidation(input: DecisionInput): CrossFitted {
  const { groups, validY, k } = input;
  if (groups === undefined || groups.of.some((g) => g < 0)) {
    throw new HealthDataError('invalid-input', 'crossFitValidation: the fit has no bagging folds covering every row; fit with numBagFolds ≥ 2 (e.g. presets "medium") or use nested cross-validation');
  }
  const n = validY.length;
  const proba = new Float64Array(n * k);
  const lr = input.kinds.findIndex((kv) => kv.kind === 'LR');
  const base = lr < 0 ? undefined : new Float64Array(n * k);
  const folds: CrossFitFold[] = [];
  for (let g = 0; g < groups.count; g++) {
    const inG: number[] = [];
    const rest: number[] = [];
    groups.of.forEach((gi, i) => (gi === g ? inG : rest).push(i));
    const dec = decideOnValidation(restrict(input, rest, g));
    const models = heldOut(dec, input, inG);
    const yG = Int32Array.from(inG, (i) => validY[i] as number);
    place(proba, models[dec.best] as Float64Array, inG, k);
    if (base !== undefined) {
      place(base, models[lr] as Float64Array, inG, k);
    }
    const scores = Object.fromEntries(dec.names.map((name, j) => [name, metricValue(input.metric, yG, models[j] as Float64Array, k)]));
    folds.push({ best: dec.names[dec.best] as string, ...(dec.threshold === undefined ? {} : { threshold: dec.threshold }), scores });
  }
  return { proba, ...(base === undefined ? {} : { baseline: { name: input.kinds[lr]?.name as string, proba: base } }), foldOf: Int32Array.from(groups.of), folds };
}

/** The decision input on some validation rows only, fold `g` left out of the folds (renumbered 0..count−2). */
function restrict(input: DecisionInput, rows: readonly number[], g: number): DecisionInput {
  const { k, groups } = input;
  const of = Int32Array.from(rows, (i) => {
    const f = groups?.of[i] as number;
    return f > g ? f - 1 : f;
  });
  const count = (groups?.count ?? 0) - 1;
  return {
    ...input,
    kinds: input.kinds.map((kv) => ({ ...kv, candidates: kv.candidates.map((p) => pickRows(p, rows, k)) })),
    validY: Int32Array.from(rows, (i) => input.validY[i] as number),
    groups: count >= 2 ? { of, count } : undefined,
  };
}

/** Every model's probabilities on some rows under a decision (binary: each Platt-calibrated with its own scaling). */
function heldOut(dec: FitDecision, input: DecisionInput, rows: readonly number[]): Float64Array[] {
  const { k } = input;
  const raw = input.kinds.map((kv, j) => pickRows(kv.candidates[dec.choices[j] as number] as Float64Array, rows, k));
  if (dec.weights !== undefined) {
    raw.push(blend(raw, dec.weights));
  }
  if (k !== 2) {
    return raw;
  }
  return raw.map((p, j) => {
    const q = calibrated(positives(p), dec.calibration[j]);
    return Float64Array.from({ length: p.length }, (_, i) => (i % 2 === 1 ? (q[(i - 1) / 2] as number) : 1 - (q[i / 2] as number)));
  });
}

function place(out: Float64Array, p: Float64Array, rows: readonly number[], k: number): void {
  rows.forEach((row, q) => {
    for (let c = 0; c < k; c++) {
      out[row * k + c] = p[q * k + c] as number;
    }
  });
}
