/**
 * Caruana's greedy ensemble selection (Caruana et al. 2004), as AutoGluon's WeightedEnsemble: start empty, add (with
 * replacement) the model whose inclusion most improves the validation score of the averaged probabilities, for a
 * fixed number of rounds. The weights are those of the round with the best validation score (the selection counts up
 * to that round divided by the round number), not of the last round: a later round can only add noise. Round 1 picks
 * the best single model, so the returned score is never below the best single model's — on the rows it was tuned
 * on. `crossFittedEnsemble` gives the procedure's out-of-sample predictions on those rows (weights from the other
 * folds), which the predictor's selection rule compares with the logistic baseline.
 */
import { HealthDataError } from '../errors';
import type { MetricName } from './metrics';
import { selectionScore } from './metrics';

/** The fitted ensemble weights. */
export interface EnsembleWeights {
  /** Weight per base model (sums to 1). */
  readonly weights: Float64Array;
  /** Validation score (higher is better) of the weighted average, at the best round. */
  readonly score: number;
  /** The round (1-based) whose weights are kept: the first with the best score. */
  readonly bestRound: number;
  /** Score after each round (higher is better), for reports and tests. */
  readonly roundScores: readonly number[];
}

/**
 * Greedy weighted ensemble selection.
 *
 * @param preds - validation probabilities per model (n × K each)
 * @param y - validation class indices
 * @param k - classes
 * @param metric - what to optimise (log loss and Brier are minimised)
 * @param rounds - selection rounds (AutoGluon uses 25–100; default 25)
 * @returns the best round's weights, its score, and every round's score
 * @throws {@link HealthDataError} (invalid-input) when no model is given
 */
export function caruanaEnsemble(preds: readonly Float64Array[], y: ArrayLike<number>, k: number, metric: MetricName, rounds = 25): EnsembleWeights {
  const m = preds.length;
  if (m === 0) {
    throw new HealthDataError('invalid-input', 'caruanaEnsemble: no base model predictions; fit at least one model first');
  }
  const size = y.length * k;
  const counts = new Float64Array(m);
  const sum = new Float64Array(size);
  const trial = new Float64Array(size);
  const roundScores: number[] = [];
  let bestScore = -Infinity;
  let bestRound = 0;
  let bestCounts = new Float64Array(m);
  for (let r = 0; r < rounds; r++) {
    let pick = -1;
    let pickScore = -Infinity;
    for (let j = 0; j < m; j++) {
      const pj = preds[j] as Float64Array;
      for (let q = 0; q < size; q++) {
        trial[q] = ((sum[q] as number) + (pj[q] as number)) / (r + 1);
      }
      const s = selectionScore(metric, y, trial, k);
      // Ties go to the earlier model (deterministic).
      if (s > pickScore + 1e-12) {
        pickScore = s;
        pick = j;
      }
    }
    if (pick < 0) {
      // Every score is NaN (e.g. AUROC on a validation split holding one class): keep the first model.
      pick = 0;
      pickScore = Number.NaN;
    }
    const pp = preds[pick] as Float64Array;
    for (let q = 0; q < size; q++) {
      sum[q] = (sum[q] as number) + (pp[q] as number);
    }
    counts[pick] = (counts[pick] as number) + 1;
    roundScores.push(pickScore);
    // Strictly better only: on ties the earlier (smaller) ensemble wins.
    if (bestRound === 0 || pickScore > bestScore + 1e-12) {
      bestScore = pickScore;
      bestRound = r + 1;
      bestCounts = counts.slice();
    }
  }
  const weights = bestCounts.map((c) => c / bestRound);
  return { weights, score: bestScore, bestRound, roundScores };
}

/**
 * Averages model probabilities with weights.
 *
 * @param preds - probabilities per model (same shape)
 * @param weights - weight per model
 * @returns the weighted average
 */
export function blend(preds: readonly Float64Array[], weights: ArrayLike<number>): Float64Array {
  const first = preds[0];
  const out = new Float64Array(first === undefined ? 0 : first.length);
  preds.forEach((p, j) => {
    const w = weights[j] as number;
    if (w === 0) {
      return;
    }
    for (let q = 0; q < out.length; q++) {
      out[q] = (out[q] as number) + w * (p[q] as number);
    }
  });
  return out;
}

/**
 * Out-of-sample predictions of the Caruana procedure on the validation rows: for each fold g, the weights are chosen
 * on the rows of the other folds and applied to the rows of g (rows in no fold keep the all-rows weights' blend).
 *
 * @param preds - base models' validation probabilities (n × K each)
 * @param y - validation classes
 * @param k - classes
 * @param metric - Caruana's metric
 * @param rounds - Caruana rounds
 * @param groups - fold per validation row and the fold count
 * @returns n × K cross-fitted probabilities
 */
export function crossFittedEnsemble(
  preds: readonly Float64Array[],
  y: Int32Array,
  k: number,
  metric: MetricName,
  rounds: number,
  groups: { readonly of: Int32Array; readonly count: number },
): Float64Array {
  // Rows the folds leave without other rows to learn from keep the all-rows weights' blend (computed only if needed).
  const perGroup = Array.from({ length: groups.count }, (_, g) => groups.of.filter((gi) => gi === g).length);
  const everyRowCrossFitted = groups.of.every((g) => g >= 0 && g < groups.count && (perGroup[g] as number) < y.length);
  const out = everyRowCrossFitted ? new Float64Array(y.length * k) : blend(preds, caruanaEnsemble(preds, y, k, metric, rounds).weights);
  for (let g = 0; g < groups.count; g++) {
    const inG: number[] = [];
    const rest: number[] = [];
    groups.of.forEach((gi, i) => (gi === g ? inG : rest).push(i));
    if (inG.length === 0 || rest.length === 0) {
      continue;
    }
    const w = caruanaEnsemble(
      preds.map((p) => pickRows(p, rest, k)),
      Int32Array.from(rest, (i) => y[i] as number),
      k,
      metric,
      rounds,
    ).weights;
    const blended = blend(
      preds.map((p) => pickRows(p, inG, k)),
      w,
    );
    inG.forEach((row, q) => {
      for (let c = 0; c < k; c++) {
        out[row * k + c] = blended[q * k + c] as number;
      }
    });
  }
  return out;
}

/**
 * Some rows of an n × K probability matrix.
 *
 * @param p - probabilities (n × K)
 * @param rows - row numbers
 * @param k - classes
 * @returns rows.length × K probabilities, in `rows` order
 */
export function pickRows(p: Float64Array, rows: readonly number[], k: number): Float64Array {
  const out = new Float64Array(rows.length * k);
  rows.forEach((row, q) => {
    for (let c = 0; c < k; c++) {
      out[q * k + c] = p[row * k + c] as number;
    }
  });
  return out;
}
