/**
 * Classification metrics with 95% confidence intervals: accuracy, balanced accuracy, precision, recall, F1, MCC,
 * AUROC, log loss and Brier score. Intervals come from a percentile bootstrap over rows (resampling weights, so one
 * sort serves every resample); AUROC can instead use DeLong's variance (DeLong, DeLong & Clarke-Pearson 1988, with
 * the midrank formulation of Sun & Xu 2014).
 */
import { HealthDataError } from '../errors';
import { normalQuantile } from '../util/normal';
import { createRng } from './rng';

/** Standard normal quantile (Acklam's rational approximation, |error| < 1.2e-9): `util/normal.ts`. */
export { normalQuantile } from '../util/normal';

/** Metric names (AutoGluon's spelling). */
export type MetricName = 'accuracy' | 'balanced_accuracy' | 'precision' | 'recall' | 'f1' | 'mcc' | 'roc_auc' | 'log_loss' | 'brier';

/** All metric names, in report order. */
export const METRIC_NAMES: readonly MetricName[] = ['accuracy', 'balanced_accuracy', 'precision', 'recall', 'f1', 'mcc', 'roc_auc', 'log_loss', 'brier'];

/**
 * Whether a larger value is better. Log loss and Brier score are errors.
 *
 * @param m - the metric
 * @returns true for scores, false for errors
 */
export function higherIsBetter(m: MetricName): boolean {
  return m !== 'log_loss' && m !== 'brier';
}

/** A metric value with its confidence interval. */
export interface MetricEstimate {
  /** Point estimate on all rows. */
  readonly value: number;
  /** Lower bound of the interval. */
  readonly lower: number;
  /** Upper bound of the interval. */
  readonly upper: number;
}

/** Options of {@link evaluateProba}. */
export interface EvaluateOptions {
  /** Bootstrap resamples (default 1000; 0 = no intervals, bounds equal the value). */
  readonly bootstrap?: number;
  /** Confidence level (default 0.95). */
  readonly level?: number;
  /** Seed of the bootstrap. */
  readonly seed?: number;
  /** Decision threshold on the positive-class probability for binary problems (default 0.5). */
  readonly threshold?: number;
  /**
   * One decision threshold per row (binary problems), overriding `threshold`: for pooled out-of-fold predictions
   * where each fold's model chose its own threshold on its training data (see `crossValidate`'s `tunedMetrics`).
   */
  readonly rowThresholds?: ArrayLike<number>;
  /** Interval method for AUROC in binary problems: 'delong' (default) or 'bootstrap'. */
  readonly aurocInterval?: 'delong' | 'bootstrap';
}

function checkInputs(y: ArrayLike<number>, proba: ArrayLike<number>, k: number, caller: string): void {
  if (proba.length !== y.length * k) {
    throw new HealthDataError('invalid-input', `${caller}: expected ${y.length} × ${k} probabilities, got ${proba.length} values; pass one row of class probabilities per label`);
  }
}

/**
 * Weighted AUROC (Mann–Whitney U / (n₁n₀), ties count ½), given rows sorted by score ascending.
 *
 * @param order - row indices sorted by score ascending
 * @param y - 0/1 labels
 * @param score - scores
 * @param w - row weights (bootstrap counts)
 * @returns the AUROC, or NaN when one class has no weight
 */
function weightedAuc(order: Int32Array, y: ArrayLike<number>, score: ArrayLike<number>, w: ArrayLike<number>): number {
  let negBelow = 0;
  let u = 0;
  let wPos = 0;
  let wNeg = 0;
  let g = 0;
  while (g < order.length) {
    const s = score[order[g] as number] as number;
    let e = g;
    let gPos = 0;
    let gNeg = 0;
    while (e < order.length && score[order[e] as number] === s) {
      const i = order[e] as number;
      if (y[i] === 1) {
        gPos += w[i] as number;
      } else {
        gNeg += w[i] as number;
      }
      e++;
    }
    u += gPos * (negBelow + 0.5 * gNeg);
    negBelow += gNeg;
    wPos += gPos;
    wNeg += gNeg;
    g = e;
  }
  return wPos > 0 && wNeg > 0 ? u / (wPos * wNeg) : Number.NaN;
}

function sortedOrder(score: ArrayLike<number>): Int32Array {
  const order = new Int32Array(score.length);
  for (let i = 0; i < order.length; i++) {
    order[i] = i;
  }
  return order.sort((a, b) => (score[a] as number) - (score[b] as number));
}

/**
 * AUROC of scores for 0/1 labels (ties count ½).
 *
 * @param y - labels (1 = positive)
 * @param score - scores, higher meaning more likely positive
 * @returns the AUROC, NaN when a class is absent
 * @throws {@link HealthDataError} (invalid-input) when lengths differ
 * @example
 * ```ts
 * auroc([0, 0, 1, 1], [0.1, 0.4, 0.35, 0.8]); // 0.75
 * ```
 */
export function auroc(y: ArrayLike<number>, score: ArrayLike<number>): number {
  checkInputs(y, score, 1, 'auroc');
  return weightedAuc(sortedOrder(score), y, score, new Float64Array(y.length).fill(1));
}

/**
 * 1-based midranks: each value's rank in ascending order, ties sharing their mean rank (DeLong's placements and the
 * Mann–Whitney statistic are built from them).
 *
 * @param values - the values
 * @returns their midranks, in input order
 */
export function midranks(values: Float64Array): Float64Array {
  const order = sortedOrder(values);
  const r = new Float64Array(values.length);
  let g = 0;
  while (g < order.length) {
    let e = g;
    while (e < order.length && values[order[e] as number] === values[order[g] as number]) {
      e++;
    }
    const rank = (g + e + 1) / 2; // 1-based midrank
    for (let q = g; q < e; q++) {
      r[order[q] as number] = rank;
    }
    g = e;
  }
  return r;
}

/** AUROC with DeLong's standard error and interval. */
export interface DelongResult extends MetricEstimate {
  /** Standard error. */
  readonly se: number;
}

/**
 * AUROC with DeLong's variance and a normal interval (clipped to [0, 1]).
 *
 * @param y - labels (1 = positive)
 * @param score - scores
 * @param level - confidence level (default 0.95)
 * @returns AUROC, standard error and interval
 * @throws {@link HealthDataError} (invalid-input) when a class has fewer than 2 rows
 */
export function delongAuroc(y: ArrayLike<number>, score: ArrayLike<number>, level = 0.95): DelongResult {
  checkInputs(y, score, 1, 'delongAuroc');
  const pos: number[] = [];
  const neg: number[] = [];
  for (let i = 0; i < y.length; i++) {
    (y[i] === 1 ? pos : neg).push(score[i] as number);
  }
  const m = pos.length;
  const n = neg.length;
  if (m < 2 || n < 2) {
    throw new HealthDataError('invalid-input', `delongAuroc: need ≥ 2 positives and ≥ 2 negatives, got ${m} and ${n}; use more rows or a bootstrap interval`);
  }
  const x = Float64Array.from(pos);
  const yy = Float64Array.from(neg);
  const all = new Float64Array(m + n);
  all.set(x);
  all.set(yy, m);
  const tz = midranks(all);
  const tx = midranks(x);
  const ty = midranks(yy);
  let sumPos = 0;
  const v10 = new Float64Array(m);
  const v01 = new Float64Array(n);
  for (let i = 0; i < m; i++) {
    sumPos += tz[i] as number;
    v10[i] = ((tz[i] as number) - (tx[i] as number)) / n;
  }
  for (let j = 0; j < n; j++) {
    v01[j] = 1 - ((tz[m + j] as number) - (ty[j] as number)) / m;
  }
  const auc = (sumPos - (m * (m + 1)) / 2) / (m * n);
  const variance = (arr: Float64Array): number => {
    let mu = 0;
    for (const v of arr) {
      mu += v;
    }
    mu /= arr.length;
    let s = 0;
    for (const v of arr) {
      s += (v - mu) ** 2;
    }
    return s / (arr.length - 1);
  };
  const se = Math.sqrt(variance(v10) / m + variance(v01) / n);
  const z = normalQuantile(1 - (1 - level) / 2);
  return { value: auc, se, lower: Math.max(0, auc - z * se), upper: Math.min(1, auc + z * se) };
}

/** Point values of every metric for one set of rows. */
function pointMetrics(
  y: ArrayLike<number>,
  proba: ArrayLike<number>,
  k: number,
  w: ArrayLike<number>,
  threshold: number | ArrayLike<number>,
  order: Int32Array | undefined,
  rows?: BinaryRows,
  withAuc = true,
): Record<MetricName, number> {
  const tally = rows === undefined ? tallyPredictions(y, proba, k, w, threshold) : tallyBinaryRows(y, rows, w);
  const cm = confusionSummary(tally.conf, k);
  const { precision, recall, f1, auc } = k === 2 ? binaryScores(y, proba, w, order, cm, rows?.score, withAuc) : macroScores(y, proba, k, w, cm);
  const { tot } = tally;
  return {
    accuracy: tot > 0 ? cm.correct / tot : Number.NaN,
    balanced_accuracy: cm.balancedAccuracy,
    precision,
    recall,
    f1,
    mcc: cm.mcc(tot),
    roc_auc: auc,
    log_loss: tot > 0 ? tally.ll / tot : Number.NaN,
    brier: tot > 0 ? tally.brier / tot : Number.NaN,
  };
}

/** Phase 1 of {@link pointMetrics}: the weighted confusion matrix (`conf[true * k + pred]`), log loss and Brier sums. */
function tallyPredictions(
  y: ArrayLike<number>,
  proba: ArrayLike<number>,
  k: number,
  w: ArrayLike<number>,
  threshold: number | ArrayLike<number>,
): { conf: Float64Array; ll: number; brier: number; tot: number } {
  if (k === 2) {
    return tallyBinaryRows(y, binaryRows(y, proba, threshold), w);
  }
  const conf = new Float64Array(k * k);
  let ll = 0;
  let brier = 0;
  let tot = 0;
  for (let i = 0; i < y.length; i++) {
    const wi = w[i] as number;
    if (wi === 0) {
      continue;
    }
    const yi = y[i] as number;
    let pred = 0;
    for (let c = 1; c < k; c++) {
      if ((proba[i * k + c] as number) > (proba[i * k + pred] as number)) {
        pred = c;
      }
    }
    conf[yi * k + pred] = (conf[yi * k + pred] as number) + wi;
    ll -= wi * Math.log(Math.min(1 - 1e-15, Math.max(1e-15, proba[i * k + yi] as number)));
    for (let c = 0; c < k; c++) {
      brier += wi * ((proba[i * k + c] as number) - (c === yi ? 1 : 0)) ** 2;
    }
    tot += wi;
  }
  return { conf, ll, brier, tot };
}

/**
 * The per-row parts of the binary metrics that do not depend on the row weights, computed once for a bootstrap: the
 * predicted class, the log of the clipped true-class probability, the squared error and the positive-class score.
 * {@link tallyBinaryRows} sums them (what {@link tallyPredictions} does for every binary problem).
 */
interface BinaryRows {
  readonly pred: Uint8Array;
  readonly logP: Float64Array;
  readonly sq: Float64Array;
  readonly score: Float64Array;
}

function binaryRows(y: ArrayLike<number>, proba: ArrayLike<number>, threshold: number | ArrayLike<number>): BinaryRows {
  const n = y.length;
  const rows: BinaryRows = { pred: new Uint8Array(n), logP: new Float64Array(n), sq: new Float64Array(n), score: new Float64Array(n) };
  for (let i = 0; i < n; i++) {
    const yi = y[i] as number;
    const p1 = proba[i * 2 + 1] as number;
    const t = typeof threshold === 'number' ? threshold : (threshold[i] as number);
    rows.pred[i] = p1 >= t ? 1 : 0;
    rows.logP[i] = Math.log(Math.min(1 - 1e-15, Math.max(1e-15, proba[i * 2 + yi] as number)));
    rows.sq[i] = (p1 - yi) ** 2;
    rows.score[i] = p1;
  }
  return rows;
}

/** {@link tallyPredictions} for a binary problem from its {@link BinaryRows}. */
function tallyBinaryRows(y: ArrayLike<number>, rows: BinaryRows, w: ArrayLike<number>): { conf: Float64Array; ll: number; brier: number; tot: number } {
  const conf = new Float64Array(4);
  let ll = 0;
  let brier = 0;
  let tot = 0;
  for (let i = 0; i < y.length; i++) {
    const wi = w[i] as number;
    if (wi === 0) {
      continue;
    }
    const at = (y[i] as number) * 2 + (rows.pred[i] as number);
    conf[at] = (conf[at] as number) + wi;
    ll -= wi * (rows.logP[i] as number);
    brier += wi * (rows.sq[i] as number);
    tot += wi;
  }
  return { conf, ll, brier, tot };
}

/** What a confusion matrix gives per class, and overall. */
interface ConfusionSummary {
  readonly correct: number;
  readonly balancedAccuracy: number;
  precisionOf(c: number): number;
  recallOf(c: number): number;
  f1Of(c: number): number;
  mcc(tot: number): number;
}

/** Phase 2 of {@link pointMetrics}: per-class precision, recall and F1, balanced accuracy and MCC from the matrix. */
function confusionSummary(conf: Float64Array, k: number): ConfusionSummary {
  const rowSum = (c: number): number => {
    let s = 0;
    for (let q = 0; q < k; q++) {
      s += conf[c * k + q] as number;
    }
    return s;
  };
  const colSum = (c: number): number => {
    let s = 0;
    for (let q = 0; q < k; q++) {
      s += conf[q * k + c] as number;
    }
    return s;
  };
  let correct = 0;
  for (let c = 0; c < k; c++) {
    correct += conf[c * k + c] as number;
  }
  const recallOf = (c: number): number => {
    const r = rowSum(c);
    return r > 0 ? (conf[c * k + c] as number) / r : Number.NaN;
  };
  const precisionOf = (c: number): number => {
    const s = colSum(c);
    return s > 0 ? (conf[c * k + c] as number) / s : 0;
  };
  const f1Of = (c: number): number => {
    const pr = precisionOf(c);
    const rc = recallOf(c);
    return pr + rc > 0 ? (2 * pr * rc) / (pr + rc) : 0;
  };
  let balanced = 0;
  let nPresent = 0;
  for (let c = 0; c < k; c++) {
    const r = recallOf(c);
    if (!Number.isNaN(r)) {
      balanced += r;
      nPresent++;
    }
  }
  // MCC, multiclass form (Gorodkin 2004), equal to the binary formula for k = 2.
  const mcc = (tot: number): number => {
    let sumPT = 0;
    let sumP2 = 0;
    let sumT2 = 0;
    for (let c = 0; c < k; c++) {
      const pc = colSum(c);
      const tc = rowSum(c);
      sumPT += pc * tc;
      sumP2 += pc * pc;
      sumT2 += tc * tc;
    }
    const den = Math.sqrt((tot * tot - sumP2) * (tot * tot - sumT2));
    return den > 0 ? (correct * tot - sumPT) / den : 0;
  };
  return { correct, balancedAccuracy: nPresent > 0 ? balanced / nPresent : Number.NaN, precisionOf, recallOf, f1Of, mcc };
}

/** Phase 3 (binary): the positive class's precision, recall and F1, and the weighted AUROC. */
function binaryScores(
  y: ArrayLike<number>,
  proba: ArrayLike<number>,
  w: ArrayLike<number>,
  order: Int32Array | undefined,
  cm: ConfusionSummary,
  positive: Float64Array | undefined,
  withAuc: boolean,
): { precision: number; recall: number; f1: number; auc: number } {
  const scores = { precision: cm.precisionOf(1), recall: cm.recallOf(1), f1: cm.f1Of(1) };
  if (!withAuc) {
    return { ...scores, auc: Number.NaN };
  }
  const n = y.length;
  let score = positive;
  if (score === undefined) {
    score = new Float64Array(n);
    for (let i = 0; i < n; i++) {
      score[i] = proba[i * 2 + 1] as number;
    }
  }
  return { ...scores, auc: weightedAuc(order ?? sortedOrder(score), y, score, w) };
}

/** Phase 3 (multiclass): macro averages; AUROC one-vs-rest macro (as scikit-learn's roc_auc_score(multi_class='ovr')). */
function macroScores(y: ArrayLike<number>, proba: ArrayLike<number>, k: number, w: ArrayLike<number>, cm: ConfusionSummary): { precision: number; recall: number; f1: number; auc: number } {
  const n = y.length;
  let precision = 0;
  let recall = 0;
  let f1 = 0;
  let auc = 0;
  let nAuc = 0;
  for (let c = 0; c < k; c++) {
    precision += cm.precisionOf(c) / k;
    const r = cm.recallOf(c);
    recall += (Number.isNaN(r) ? 0 : r) / k;
    f1 += cm.f1Of(c) / k;
    const score = new Float64Array(n);
    const yc = new Float64Array(n);
    for (let i = 0; i < n; i++) {
      score[i] = proba[i * k + c] as number;
      yc[i] = y[i] === c ? 1 : 0;
    }
    const a = weightedAuc(sortedOrder(score), yc, score, w);
    if (!Number.isNaN(a)) {
      auc += a;
      nAuc++;
    }
  }
  return { precision, recall, f1, auc: nAuc > 0 ? auc / nAuc : Number.NaN };
}

/**
 * One metric's value (no interval), in its natural direction (log loss and Brier are errors here; see
 * {@link selectionScore} for the higher-is-better form).
 *
 * @param metric - the metric
 * @param y - class indices
 * @param proba - n × K probabilities
 * @param k - classes
 * @returns the value
 * @throws {@link HealthDataError} (invalid-input) when sizes disagree
 */
export function metricValue(metric: MetricName, y: ArrayLike<number>, proba: ArrayLike<number>, k: number): number {
  checkInputs(y, proba, k, 'metricValue');
  if (metric === 'roc_auc' && k === 2) {
    return binaryAuroc(y, proba);
  }
  // The binary AUROC (a sort) is computed only when it is the metric: the ensemble search calls this per candidate.
  return pointMetrics(y, proba, k, new Float64Array(y.length).fill(1), 0.5, undefined, undefined, metric === 'roc_auc')[metric];
}

/**
 * AUROC of the positive-class column of an n × 2 matrix, unit weights: the positives' and the negatives' scores
 * sorted apart (native typed-array sorts) and merged. The Mann–Whitney sum counts whole and half pairs, so it is exact
 * and the result equals `weightedAuc`'s bit for bit; the ensemble search calls this thousands of times per fit.
 */
function binaryAuroc(y: ArrayLike<number>, proba: ArrayLike<number>): number {
  const n = y.length;
  let nPos = 0;
  for (let i = 0; i < n; i++) {
    nPos += y[i] === 1 ? 1 : 0;
  }
  const pos = new Float64Array(nPos);
  const neg = new Float64Array(n - nPos);
  let a = 0;
  let b = 0;
  for (let i = 0; i < n; i++) {
    const s = proba[i * 2 + 1] as number;
    if (y[i] === 1) {
      pos[a++] = s;
    } else {
      neg[b++] = s;
    }
  }
  pos.sort();
  neg.sort();
  let u = 0;
  let below = 0;
  let upTo = 0;
  for (const s of pos) {
    while (below < neg.length && (neg[below] as number) < s) {
      below++;
    }
    upTo = Math.max(upTo, below);
    while (upTo < neg.length && (neg[upTo] as number) <= s) {
      upTo++;
    }
    u += below + 0.5 * (upTo - below);
  }
  return nPos > 0 && neg.length > 0 ? u / (nPos * neg.length) : Number.NaN;
}

function percentile(sorted: Float64Array, q: number): number {
  if (sorted.length === 0) {
    return Number.NaN;
  }
  const pos = q * (sorted.length - 1);
  const lo = Math.floor(pos);
  const hi = Math.ceil(pos);
  return (sorted[lo] as number) + ((sorted[hi] as number) - (sorted[lo] as number)) * (pos - lo);
}

/**
 * Every metric with a confidence interval.
 *
 * @param y - class indices 0 … K−1 (for binary, 1 is the positive class)
 * @param proba - n × K probabilities, row-major
 * @param k - classes
 * @param options - bootstrap size, level, seed, threshold, AUROC interval method
 * @returns one estimate per metric
 * @throws {@link HealthDataError} (invalid-input) when sizes disagree
 * @example
 * ```ts
 * const m = evaluateProba(y, proba, 2, { seed: 1 });
 * console.log(m.roc_auc.value, m.roc_auc.lower, m.roc_auc.upper);
 * ```
 */
export function evaluateProba(y: ArrayLike<number>, proba: ArrayLike<number>, k: number, options: EvaluateOptions = {}): Record<MetricName, MetricEstimate> {
  checkInputs(y, proba, k, 'evaluateProba');
  const n = y.length;
  if (options.rowThresholds !== undefined && options.rowThresholds.length !== n) {
    throw new HealthDataError('invalid-input', `evaluateProba: rowThresholds has ${options.rowThresholds.length} values for ${n} rows; pass one threshold per row`, { path: 'rowThresholds' });
  }
  const threshold: number | ArrayLike<number> = options.rowThresholds ?? options.threshold ?? 0.5;
  const level = options.level ?? 0.95;
  const nBoot = options.bootstrap ?? 1000;
  const ones = new Float64Array(n).fill(1);
  const rows = k === 2 ? binaryRows(y, proba, threshold) : undefined;
  const order = rows === undefined ? undefined : sortedOrder(rows.score);
  // A binary AUROC's interval is DeLong's (below): its bootstrap replicates would be discarded, so none are computed.
  const delong = k === 2 && (options.aurocInterval ?? 'delong') === 'delong' && bothClassesTwice(y);
  const point = pointMetrics(y, proba, k, ones, threshold, order, rows);
  const samples: Record<MetricName, number[]> = {
    accuracy: [],
    balanced_accuracy: [],
    precision: [],
    recall: [],
    f1: [],
    mcc: [],
    roc_auc: [],
    log_loss: [],
    brier: [],
  };
  const rng = createRng(options.seed ?? 0);
  const w = new Float64Array(n);
  for (let b = 0; b < nBoot; b++) {
    w.fill(0);
    for (let i = 0; i < n; i++) {
      const r = rng.int(n);
      w[r] = (w[r] as number) + 1;
    }
    const m = pointMetrics(y, proba, k, w, threshold, order, rows, !delong);
    for (const name of METRIC_NAMES) {
      const v = m[name];
      if (!Number.isNaN(v)) {
        samples[name].push(v);
      }
    }
  }
  const alpha = (1 - level) / 2;
  const out = {} as Record<MetricName, MetricEstimate>;
  for (const name of METRIC_NAMES) {
    const s = Float64Array.from(samples[name]).sort();
    const value = point[name];
    out[name] = nBoot > 0 && s.length > 0 ? { value, lower: percentile(s, alpha), upper: percentile(s, 1 - alpha) } : { value, lower: value, upper: value };
  }
  if (delong) {
    const d = delongAuroc(y, (rows as BinaryRows).score, level);
    out.roc_auc = { value: d.value, lower: d.lower, upper: d.upper };
  }
  return out;
}

/** Whether a binary label vector has at least two rows of each class (DeLong's interval needs them). */
function bothClassesTwice(y: ArrayLike<number>): boolean {
  let nPos = 0;
  for (let i = 0; i < y.length; i++) {
    nPos += y[i] === 1 ? 1 : 0;
  }
  return nPos >= 2 && y.length - nPos >= 2;
}

/**
 * A metric on the "higher is better" scale used for model selection (log loss and Brier are negated, as in
 * AutoGluon's leaderboard).
 *
 * @param metric - the metric
 * @param y - class indices
 * @param proba - n × K probabilities
 * @param k - classes
 * @returns the score
 */
export function selectionScore(metric: MetricName, y: ArrayLike<number>, proba: ArrayLike<number>, k: number): number {
  const v = metricValue(metric, y, proba, k);
  return higherIsBetter(metric) ? v : -v;
}

/** A paired difference of one metric between two sets of predictions on the same rows. */
export interface PairedDifference {
  /** Score of A minus score of B, on the higher-is-better scale of {@link selectionScore}. */
  readonly diff: number;
  /** Bootstrap standard error of that difference (rows resampled jointly); Infinity when too few resamples are defined. */
  readonly se: number;
}

/**
 * The difference of a metric between two models' predictions on the same rows, with a paired bootstrap standard
 * error (each resample draws rows once and scores both models on it, so the shared row noise cancels).
 *
 * @param metric - the metric (errors are negated, so a positive difference always means A is better)
 * @param y - class indices
 * @param probaA - n × K probabilities of model A
 * @param probaB - n × K probabilities of model B
 * @param k - classes
 * @param options - resamples (default 200) and seed
 * @returns the difference and its standard error
 * @throws {@link HealthDataError} (invalid-input) when sizes disagree
 */
export function pairedScoreDifference(
  metric: MetricName,
  y: ArrayLike<number>,
  probaA: ArrayLike<number>,
  probaB: ArrayLike<number>,
  k: number,
  options: { readonly resamples?: number; readonly seed?: number } = {},
): PairedDifference {
  checkInputs(y, probaA, k, 'pairedScoreDifference');
  checkInputs(y, probaB, k, 'pairedScoreDifference');
  const n = y.length;
  const sign = higherIsBetter(metric) ? 1 : -1;
  const ones = new Float64Array(n).fill(1);
  // Per-row parts computed once for the resamples; the AUROC (and the score order it needs) only when it is the metric.
  const ra = k === 2 ? binaryRows(y, probaA, 0.5) : undefined;
  const rb = k === 2 ? binaryRows(y, probaB, 0.5) : undefined;
  const auc = metric === 'roc_auc';
  const oa = auc && ra !== undefined ? sortedOrder(ra.score) : undefined;
  const ob = auc && rb !== undefined ? sortedOrder(rb.score) : undefined;
  const diff = sign * (pointMetrics(y, probaA, k, ones, 0.5, oa, ra, auc)[metric] - pointMetrics(y, probaB, k, ones, 0.5, ob, rb, auc)[metric]);
  const rng = createRng(options.seed ?? 0);
  const w = new Float64Array(n);
  const diffs: number[] = [];
  const resamples = options.resamples ?? 200;
  for (let b = 0; b < resamples; b++) {
    w.fill(0);
    for (let i = 0; i < n; i++) {
      const r = rng.int(n);
      w[r] = (w[r] as number) + 1;
    }
    const d = pointMetrics(y, probaA, k, w, 0.5, oa, ra, auc)[metric] - pointMetrics(y, probaB, k, w, 0.5, ob, rb, auc)[metric];
    if (!Number.isNaN(d)) {
      diffs.push(d);
    }
  }
  if (diffs.length < Math.max(2, resamples / 2)) {
    return { diff, se: Infinity };
  }
  const mean = diffs.reduce((a, b) => a + b, 0) / diffs.length;
  const se = Math.sqrt(diffs.reduce((a, b) => a + (b - mean) ** 2, 0) / (diffs.length - 1));
  return { diff, se };
}

/**
 * Walks the rows from the highest score down, one group of tied scores at a time, and calls `visit` after each group
 * with the cumulative true and false positives (rows with score ≥ the group's score), the group's score and the next
 * lower distinct score (undefined after the last group). The one walk behind {@link rocCurve} and
 * {@link chooseThreshold}.
 */
function walkTiedGroups(y: ArrayLike<number>, score: ArrayLike<number>, visit: (tp: number, fp: number, s: number, next: number | undefined) => void): void {
  const order = sortedOrder(score).reverse();
  let tp = 0;
  let fp = 0;
  let g = 0;
  while (g < order.length) {
    const s = score[order[g] as number] as number;
    while (g < order.length && score[order[g] as number] === s) {
      if (y[order[g] as number] === 1) {
        tp++;
      } else {
        fp++;
      }
      g++;
    }
    visit(tp, fp, s, g < order.length ? score[order[g] as number] : undefined);
  }
}

/** How {@link chooseThreshold} picks a decision threshold. */
export const THRESHOLD_RULE = 'max-f1';

/**
 * The decision threshold that maximises F1 of the positive class on the given (training or validation) rows — the
 * rule the predictor applies to its validation predictions, so that `crossValidate` can score each outer test fold at
 * a threshold chosen without it. Max F1 rather than Youden's J: the guidance reports precision, recall and F1, and on
 * rare outcomes Youden's J buys recall with many false positives. A row is predicted positive when its probability is
 * ≥ the threshold; the threshold is the midpoint between the lowest score kept positive and the next lower distinct
 * score (so it generalises instead of sitting on a training row), and ties in F1 go to the higher threshold.
 *
 * @param y - 0/1 labels
 * @param score - positive-class probabilities
 * @returns the threshold, or 0.5 when a class is absent (nothing to tune on)
 * @throws {@link HealthDataError} (invalid-input) when lengths differ
 * @example
 * ```ts
 * chooseThreshold([0, 0, 1, 1, 0], [0.1, 0.2, 0.3, 0.6, 0.4]); // 0.25: predicting 0.3, 0.4, 0.6 positive gives F1 0.8
 * ```
 */
export function chooseThreshold(y: ArrayLike<number>, score: ArrayLike<number>): number {
  checkInputs(y, score, 1, 'chooseThreshold');
  let nPos = 0;
  for (let i = 0; i < y.length; i++) {
    nPos += y[i] === 1 ? 1 : 0;
  }
  if (nPos === 0 || nPos === y.length) {
    return 0.5;
  }
  let bestF1 = -1;
  let best = 0.5;
  walkTiedGroups(y, score, (tp, fp, s, next) => {
    const f1 = (2 * tp) / (2 * tp + fp + (nPos - tp));
    if (f1 > bestF1 + 1e-12) {
      bestF1 = f1;
      best = Math.max(0, (s + (next ?? s - 1e-6)) / 2);
    }
  });
  return best;
}

/** A point on a ROC curve. */
export interface RocPoint {
  /** False positive rate. */
  readonly fpr: number;
  /** True positive rate. */
  readonly tpr: number;
  /** Threshold (score ≥ threshold predicted positive). */
  readonly threshold: number;
}

/**
 * The ROC curve (one point per distinct score, from (0,0) to (1,1)).
 *
 * @param y - 0/1 labels
 * @param score - scores
 * @returns the points
 */
export function rocCurve(y: ArrayLike<number>, score: ArrayLike<number>): RocPoint[] {
  checkInputs(y, score, 1, 'rocCurve');
  let nPos = 0;
  for (let i = 0; i < y.length; i++) {
    nPos += y[i] === 1 ? 1 : 0;
  }
  const nNeg = y.length - nPos;
  const pts: RocPoint[] = [{ fpr: 0, tpr: 0, threshold: Infinity }];
  walkTiedGroups(y, score, (tp, fp, s) => {
    pts.push({ fpr: nNeg > 0 ? fp / nNeg : 0, tpr: nPos > 0 ? tp / nPos : 0, threshold: s });
  });
  return pts;
}

/** One bin of a calibration (reliability) curve. */
export interface CalibrationBin {
  /** Mean predicted probability in the bin. */
  readonly meanPredicted: number;
  /** Observed share of positives in the bin. */
  readonly fractionPositive: number;
  /** Rows in the bin. */
  readonly count: number;
}

/**
 * A calibration curve with equal-width bins (as scikit-learn's `calibration_curve(strategy='uniform')`).
 *
 * @param y - 0/1 labels
 * @param score - predicted probabilities of the positive class
 * @param nBins - number of bins (default 10)
 * @returns the non-empty bins
 */
export function calibrationCurve(y: ArrayLike<number>, score: ArrayLike<number>, nBins = 10): CalibrationBin[] {
  checkInputs(y, score, 1, 'calibrationCurve');
  const sumP = new Float64Array(nBins);
  const sumY = new Float64Array(nBins);
  const cnt = new Float64Array(nBins);
  for (let i = 0; i < y.length; i++) {
    const s = score[i] as number;
    const b = Math.min(nBins - 1, Math.max(0, Math.floor(s * nBins)));
    sumP[b] = (sumP[b] as number) + s;
    sumY[b] = (sumY[b] as number) + (y[i] as number);
    cnt[b] = (cnt[b] as number) + 1;
  }
  const out: CalibrationBin[] = [];
  for (let b = 0; b < nBins; b++) {
    const c = cnt[b] as number;
    if (c > 0) {
      out.push({ meanPredicted: (sumP[b] as number) / c, fractionPositive: (sumY[b] as number) / c, count: c });
    }
  }
  return out;
}
