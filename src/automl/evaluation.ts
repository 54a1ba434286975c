/**
 * Sound evaluation of the whole AutoML procedure: repeated stratified k-fold cross-validation where each fold fits a
 * fresh predictor (preprocessing, models, ensemble) on the training part only and predicts the held-out part. Each
 * row's out-of-fold probabilities are averaged over the repeats; metrics with intervals are computed on those. A
 * label-shuffle option gives the leakage check: with permuted labels the AUROC must sit near 0.5 (see
 * `leakage-guard.ts` for the repeated form with a mean and interval).
 *
 * Binary problems get, besides the metrics at the 0.5 cut-off (comparable with the guidance's numbers), the same
 * metrics at a threshold each fold's predictor chose by max F1 on its own validation predictions (`tunedMetrics`,
 * never tuned on the test fold), calibration (Brier score and reliability-curve bins), and the L2 logistic-regression
 * baseline's pooled out-of-fold predictions and metrics from the very same fold fits (`baseline`).
 */
import { HealthDataError, isHealthDataError } from '../errors';
import type { ProgressReporter } from '../progress';
import { silentProgress } from '../progress';
import type { CvSplit } from './cv';
import { repeatedStratifiedSplits } from './cv';
import { TOO_FEW_IN_FOLDS, binaryFoldScores, withinFoldAuroc } from './delong';
import type { EvaluateOptions, MetricEstimate, MetricName } from './metrics';
import type { CalibrationBin } from './metrics';
import { THRESHOLD_RULE, calibrationCurve, evaluateProba, metricValue } from './metrics';
import type { FitOptions, PredictorOptions } from './predictor';
import { defaultFitThreads } from './fit-pool';
import { requestedBagFolds, TabularPredictor, subsetTable } from './predictor';
import { inOrder } from '../util/in-order';
import type { CrossFitted } from './cross-fit';
import { crossFitValidation } from './cross-fit';
import type { DecisionInput } from './fit-decisions';
import { createRng, deriveSeed } from './rng';
import { isMissing, labelKey, readColumn, sortClasses } from './table';
import type { TabularData } from './types';

/** Options of {@link crossValidate}. */
export interface CrossValidateOptions {
  /** Predictor options (label, metric, seed…). */
  readonly predictor: PredictorOptions;
  /** Fit options for each fold (preset, time limit per fold…). */
  readonly fit?: FitOptions;
  /** Folds (default 5). */
  readonly folds?: number;
  /** Repeats (default 3). */
  readonly repeats?: number;
  /** Permute the labels first (leakage check; default false). */
  readonly shuffleLabels?: boolean;
  /** Seed of the label permutation (default derived from the predictor's seed); `labelShuffleGuard` varies it. */
  readonly shuffleSeed?: number;
  /** Bins of the reliability curve (default 10, equal width). */
  readonly calibrationBins?: number;
  /** Interval options for the metrics. */
  readonly evaluate?: EvaluateOptions;
  /** Progress reporter (one tick per fold). */
  readonly progress?: ProgressReporter;
  /**
   * Outer folds fitted at the same time (default 2 when the fits use worker threads, else 1). The result is the same
   * for any value: each fold's fit is seeded by its position and folds are combined in order.
   */
  readonly parallelFolds?: number;
  /**
   * How the procedure is evaluated. `nested` (default): a fresh predictor per outer fold, fitted on the other folds.
   * `cross-fitted`: one bagged predictor per repeat whose bagging folds are the CV's folds; its penalty, ensemble,
   * selection, calibration and threshold are remade without each fold and applied to it (`cross-fit.ts`) — the same
   * out-of-fold guarantee for the models, k times fewer fits. Needs a bagged fit (not `fast`, not `tuningData`);
   * the CV's folds replace the preset's bagging folds.
   */
  readonly method?: 'nested' | 'cross-fitted';
  /** `cross-fitted`: keep the predictor fitted on every row (`CrossValidationResult.predictor`; default false). */
  readonly keepPredictor?: boolean;
}

/** Result of {@link crossValidate}. */
export interface CrossValidationResult {
  /** Class values. */
  readonly classes: readonly unknown[];
  /** Class index per labelled row (after shuffling, when asked). */
  readonly y: Int32Array;
  /** Out-of-fold probabilities averaged over repeats (n × K). */
  readonly proba: Float64Array;
  /** Metrics with intervals on the averaged out-of-fold probabilities. */
  readonly metrics: Record<MetricName, MetricEstimate>;
  /** Metric values per repeat (pooled out-of-fold predictions of that repeat). */
  readonly perRepeat: readonly Record<MetricName, number>[];
  /** Mean validation score per model name across folds (a cross-validated leaderboard). */
  readonly leaderboard: readonly { readonly model: string; readonly meanScoreTest: number; readonly folds: number }[];
  /** Best model name per fold. */
  readonly bestModels: readonly string[];
  /**
   * Binary problems: every metric at each fold's own decision threshold (max F1 on that fold's validation
   * predictions; a row tested in several repeats is cut at the mean of its folds' thresholds). Threshold-free
   * metrics (AUROC, log loss, Brier) equal those in `metrics`.
   */
  readonly tunedMetrics?: Record<MetricName, MetricEstimate>;
  /** Binary problems: the threshold rule and each fold's threshold (repeat-major, as the splits). */
  readonly thresholds?: { readonly rule: typeof THRESHOLD_RULE; readonly perFold: readonly number[]; readonly mean: number };
  /** Binary problems: calibration of the pooled out-of-fold probabilities. */
  readonly calibration?: { readonly brier: MetricEstimate; readonly bins: readonly CalibrationBin[] };
  /**
   * The L2 logistic regression inside every fold's predictor (same folds, same training rows): pooled out-of-fold
   * probabilities and metrics, for the "at least as good as the baseline" comparison. Absent when a fold's
   * predictor had no logistic model (it was excluded).
   */
  readonly baseline?: { readonly model: string; readonly proba: Float64Array; readonly metrics: Record<MetricName, MetricEstimate> };
  /** Per repeat, each row's fold (−1 when not held out): with `repeatProba`, what the within-fold AUROC is computed from. */
  readonly foldOf: readonly Int32Array[];
  /** Per repeat, the out-of-fold probabilities (n × K) of that repeat alone. */
  readonly repeatProba: readonly Float64Array[];
  /**
   * Binary problems: the AUROC of the pooled out-of-fold probabilities (one ROC curve over every fold's predictions,
   * DeLong interval), for comparison. `metrics.roc_auc` is estimated within folds (`withinFoldAuroc` in delong.ts:
   * pooling ranks one fold's model against another's and is biased low on weak signals).
   */
  readonly pooledAuroc?: MetricEstimate;
  /**
   * `cross-fitted` with `keepPredictor`: the first repeat's predictor — fitted on every row with the predictor's own
   * seed and the fit options as given (kept only when the CV's folds are the preset's bagging folds), i.e. exactly
   * what fitting those options on these rows gives, for saving without fitting it again.
   */
  readonly predictor?: TabularPredictor;
}

/**
 * Repeated stratified cross-validation of the full AutoML fit.
 *
 * @param data - labelled rows or columns
 * @param options - predictor and fit options, folds, repeats, label shuffle
 * @returns pooled metrics with intervals, per-repeat metrics, a cross-validated leaderboard
 * @throws {@link HealthDataError} (invalid-input) when the label has fewer than two classes or too few rows per class
 * @example
 * ```ts
 * const cv = await crossValidate(rows, { predictor: { label: 'y', seed: 1 }, folds: 5, repeats: 3 });
 * console.log(cv.metrics.roc_auc);
 * ```
 */
export async function crossValidate(data: TabularData, options: CrossValidateOptions): Promise<CrossValidationResult> {
  const label = options.predictor.label;
  const seed = options.predictor.seed ?? 0;
  const { classes, index, y, labelled } = encodeLabels(data, label, seed, options);
  const k = classes.length;
  const repeats = options.repeats ?? 3;
  if (options.method === 'cross-fitted') {
    return crossFittedCv(labelled, y, classes, options);
  }
  const splits = repeatedStratifiedSplits(y, options.folds ?? 5, repeats, seed);
  const task = (options.progress ?? silentProgress).start(`cross-validate ${label}`, splits.length);
  const acc = newFoldAccumulator(y.length, k, repeats);
  const fitFold = async (sp: CvSplit): Promise<TabularPredictor> => {
    const predictor = new TabularPredictor({ ...options.predictor, seed: deriveSeed(seed, sp.repeat, sp.fold), progress: silentProgress });
    await predictor.fit(subsetTable(labelled, sp.train), options.fit);
    return predictor;
  };
  await inOrder(splits, foldConcurrency(options), fitFold, (sp, predictor) => {
    addFold(acc, predictor, subsetTable(labelled, sp.test), sp, index);
    task.tick();
  });
  task.finish();
  return summarize(acc, y, classes, seed, options);
}

/**
 * The `cross-fitted` method: one bagged fit per repeat on every row (seeded per repeat, so folds reshuffle), each
 * evaluated by {@link crossFitValidation}. The predictor sees exactly `labelled`, so its classes and validation rows
 * are crossValidate's own, in the same order.
 */
async function crossFittedCv(labelled: TabularData, y: Int32Array, classes: unknown[], options: CrossValidateOptions): Promise<CrossValidationResult> {
  const fit = options.fit ?? {};
  const bagFolds = requestedBagFolds(fit);
  if (bagFolds < 2) {
    throw new HealthDataError('invalid-input', 'crossValidate: method "cross-fitted" needs a bagged fit (presets medium or best, no tuningData); use method "nested" for a holdout fit', {
      path: 'method',
    });
  }
  const seed = options.predictor.seed ?? 0;
  const repeats = options.repeats ?? 3;
  const task = (options.progress ?? silentProgress).start(`cross-fit ${options.predictor.label}`, repeats);
  const acc = newFoldAccumulator(y.length, classes.length, repeats);
  const folds = options.folds ?? 5;
  let kept: TabularPredictor | undefined;
  // The first repeat fits with the predictor's own seed: with the preset's folds it is the plain fit of these rows.
  const fitRepeat = async (r: number): Promise<CrossFitted> => {
    const predictor = new TabularPredictor({ ...options.predictor, seed: r === 0 ? seed : deriveSeed(seed, 1000 + r), progress: silentProgress });
    await predictor.fit(labelled, { ...fit, numBagFolds: folds, numBagSets: 1 });
    if (r === 0 && options.keepPredictor === true && folds === bagFolds && (fit.numBagSets ?? 1) === 1) {
      kept = predictor;
    }
    return crossFitValidation(predictor.validationRecord as DecisionInput);
  };
  const order = Array.from({ length: repeats }, (_, r) => r);
  await inOrder(order, foldConcurrency(options), fitRepeat, (r, res) => {
    addCrossFit(acc, res, r);
    task.tick();
  });
  task.finish();
  const result = summarize(acc, y, classes, seed, options);
  return kept === undefined ? result : { ...result, predictor: kept };
}

/** One repeat of the cross-fitted method into the accumulator (the counterpart of {@link addFold}). */
function addCrossFit(acc: FoldAccumulator, res: CrossFitted, r: number): void {
  const { repeats, sum } = acc;
  acc.foldOf[r] = res.foldOf;
  acc.perRepeatProba[r] = res.proba;
  res.proba.forEach((v, q) => {
    sum[q] = (sum[q] as number) + v / repeats;
  });
  res.folds.forEach((f, g) => {
    for (const [model, score] of Object.entries(f.scores)) {
      const e = acc.lb.get(model) ?? { total: 0, folds: 0 };
      e.total += score;
      e.folds += 1;
      acc.lb.set(model, e);
    }
    acc.bestModels.push(f.best);
    acc.perFoldThreshold.push(f.threshold ?? 0.5);
    res.foldOf.forEach((fi, row) => {
      if (fi === g) {
        acc.rowThreshold[row] = (acc.rowThreshold[row] as number) + (f.threshold ?? 0.5) / repeats;
      }
    });
  });
  if (res.baseline === undefined) {
    acc.baselineEveryFold = false;
    return;
  }
  acc.baselineName = res.baseline.name;
  acc.basePerRepeat[r] = res.baseline.proba;
  res.baseline.proba.forEach((v, q) => {
    acc.baseSum[q] = (acc.baseSum[q] as number) + v / repeats;
  });
}

/**
 * Outer folds fitted at once: with fit threads (the default), two, so that one fold's main-thread work
 * (preprocessing, ensemble, selection, calibration) overlaps the other's model fits in the workers; in the calling
 * thread (`threads` 0 or 1, or an injected clock) one.
 */
function foldConcurrency(options: CrossValidateOptions): number {
  if (options.parallelFolds !== undefined) {
    if (!Number.isInteger(options.parallelFolds) || options.parallelFolds < 1) {
      throw new HealthDataError('invalid-input', `crossValidate: parallelFolds = ${String(options.parallelFolds)} must be a positive integer`, { path: 'parallelFolds' });
    }
    return options.parallelFolds;
  }
  const threads = options.fit?.threads ?? defaultFitThreads();
  return threads >= 2 && options.predictor.clock === undefined ? 2 : 1;
}

/** Phase 1 of {@link crossValidate}: the labelled rows, their sorted classes and class indices (shuffled for the guard). */
function encodeLabels(data: TabularData, label: string, seed: number, options: CrossValidateOptions): { classes: unknown[]; index: Map<string, number>; y: Int32Array; labelled: TabularData } {
  const raw = readColumn(data, label, 'crossValidate');
  const rows: number[] = [];
  raw.forEach((v, i) => {
    if (!isMissing(v)) {
      rows.push(i);
    }
  });
  const distinct = new Map<string, unknown>();
  for (const i of rows) {
    distinct.set(labelKey(raw[i]), raw[i]);
  }
  const classes = sortClasses([...distinct.values()]);
  if (classes.length < 2) {
    throw new HealthDataError('invalid-input', `crossValidate: label ${label} has ${classes.length} class(es); need two or more`, { path: label });
  }
  const index = new Map(classes.map((c, i) => [labelKey(c), i]));
  let labelled = subsetTable(data, rows);
  const y = Int32Array.from(rows, (i) => index.get(labelKey(raw[i])) ?? 0);
  if (options.shuffleLabels === true) {
    const rng = createRng(options.shuffleSeed ?? deriveSeed(seed, 99));
    for (let i = y.length - 1; i > 0; i--) {
      const j = rng.int(i + 1);
      const t = y[i] as number;
      y[i] = y[j] as number;
      y[j] = t;
    }
    labelled = withLabel(
      labelled,
      label,
      Array.from(y, (c) => classes[c]),
    );
  }
  return { classes, index, y, labelled };
}

/** What the folds of {@link crossValidate} accumulate: out-of-fold probabilities (averaged over repeats) and more. */
interface FoldAccumulator {
  readonly k: number;
  readonly repeats: number;
  readonly sum: Float64Array;
  readonly perRepeatProba: Float64Array[];
  readonly lb: Map<string, { total: number; folds: number }>;
  readonly bestModels: string[];
  readonly rowThreshold: Float64Array;
  readonly perFoldThreshold: number[];
  readonly baseSum: Float64Array;
  readonly foldOf: Int32Array[];
  readonly basePerRepeat: Float64Array[];
  baselineName: string | undefined;
  baselineEveryFold: boolean;
}

function newFoldAccumulator(n: number, k: number, repeats: number): FoldAccumulator {
  return {
    k,
    repeats,
    sum: new Float64Array(n * k),
    perRepeatProba: Array.from({ length: repeats }, () => new Float64Array(n * k)),
    lb: new Map(),
    bestModels: [],
    rowThreshold: new Float64Array(n),
    perFoldThreshold: [],
    baseSum: new Float64Array(n * k),
    foldOf: Array.from({ length: repeats }, () => new Int32Array(n).fill(-1)),
    basePerRepeat: Array.from({ length: repeats }, () => new Float64Array(n * k)),
    baselineName: undefined,
    baselineEveryFold: true,
  };
}

/** Phase 2 of {@link crossValidate}: one fold's test predictions, leaderboard, threshold and logistic baseline. */
function addFold(acc: FoldAccumulator, predictor: TabularPredictor, test: TabularData, sp: Pick<CvSplit, 'test' | 'repeat' | 'fold'>, index: ReadonlyMap<string, number>): void {
  const { k, repeats, sum } = acc;
  const proba = predictor.predictProbaMatrix(predictor.transform(test));
  // The fold's predictor may order classes the same way (sorted); map by value to be safe.
  const map = predictor.classes.map((c) => index.get(labelKey(c)) ?? 0);
  const kk = predictor.classes.length;
  sp.test.forEach((row, q) => {
    (acc.foldOf[sp.repeat] as Int32Array)[row] = sp.fold;
    for (let c = 0; c < kk; c++) {
      const gc = map[c] as number;
      const v = proba[q * kk + c] as number;
      sum[row * k + gc] = (sum[row * k + gc] as number) + v / repeats;
      const pr = acc.perRepeatProba[sp.repeat] as Float64Array;
      pr[row * k + gc] = v;
    }
  });
  for (const r of predictor.leaderboard(test)) {
    const e = acc.lb.get(r.model) ?? { total: 0, folds: 0 };
    e.total += r.scoreTest ?? Number.NaN;
    e.folds += 1;
    acc.lb.set(r.model, e);
  }
  acc.bestModels.push(predictor.bestModel);
  const t = predictor.decisionThreshold;
  acc.perFoldThreshold.push(t);
  for (const row of sp.test) {
    acc.rowThreshold[row] = (acc.rowThreshold[row] as number) + t / repeats;
  }
  const lr = predictor.models.find((m) => m.kind === 'LR');
  if (lr === undefined) {
    acc.baselineEveryFold = false;
    return;
  }
  acc.baselineName = lr.name;
  const pb = predictor.predictProbaMatrix(predictor.transform(test), lr.name);
  sp.test.forEach((row, q) => {
    for (let c = 0; c < kk; c++) {
      const gc = map[c] as number;
      acc.baseSum[row * k + gc] = (acc.baseSum[row * k + gc] as number) + (pb[q * kk + c] as number) / repeats;
      (acc.basePerRepeat[sp.repeat] as Float64Array)[row * k + gc] = pb[q * kk + c] as number;
    }
  });
}

/** Phase 3 of {@link crossValidate}: pooled and per-repeat metrics, the leaderboard, thresholds, calibration and baseline. */
function summarize(acc: FoldAccumulator, y: Int32Array, classes: unknown[], seed: number, options: CrossValidateOptions): CrossValidationResult {
  const { k, sum } = acc;
  const evalOpts = { seed, ...options.evaluate };
  const metrics = evaluateProba(y, sum, k, evalOpts);
  const pooledAuroc = metrics.roc_auc;
  const withinAuroc = foldAurocOf(y, k, acc.perRepeatProba, acc.foldOf, evalOpts.level);
  metrics.roc_auc = withinAuroc ?? pooledAuroc;
  const names: MetricName[] = ['accuracy', 'balanced_accuracy', 'precision', 'recall', 'f1', 'mcc', 'roc_auc', 'log_loss', 'brier'];
  const repeatAuroc = (p: Float64Array, r: number): number => {
    // One repeat: its within-fold AUROC is the overall one, already computed.
    const within = acc.perRepeatProba.length === 1 ? withinAuroc : foldAurocOf(y, k, [p], [acc.foldOf[r] as Int32Array], evalOpts.level);
    return within?.value ?? metricValue('roc_auc', y, p, k);
  };
  const perRepeat = acc.perRepeatProba.map((p, r) => Object.fromEntries(names.map((m) => [m, m === 'roc_auc' ? repeatAuroc(p, r) : metricValue(m, y, p, k)])) as Record<MetricName, number>);
  const leaderboard = [...acc.lb.entries()].map(([model, e]) => ({ model, meanScoreTest: e.total / e.folds, folds: e.folds })).sort((a, b) => b.meanScoreTest - a.meanScoreTest);
  const binary = k === 2 ? binaryExtras(y, sum, acc.rowThreshold, acc.perFoldThreshold, metrics, evalOpts, options.calibrationBins ?? 10) : {};
  if (binary.tunedMetrics !== undefined) {
    binary.tunedMetrics.roc_auc = metrics.roc_auc; // threshold-free: the same estimate
  }
  let baseline = {};
  if (acc.baselineEveryFold && acc.baselineName !== undefined) {
    const bm = evaluateProba(y, acc.baseSum, k, evalOpts);
    bm.roc_auc = foldAurocOf(y, k, acc.basePerRepeat, acc.foldOf, evalOpts.level) ?? bm.roc_auc;
    baseline = { baseline: { model: acc.baselineName, proba: acc.baseSum, metrics: bm } };
  }
  const folds = { foldOf: acc.foldOf, repeatProba: acc.perRepeatProba, ...(k === 2 ? { pooledAuroc } : {}) };
  return { classes, y, proba: sum, metrics, perRepeat, leaderboard, bestModels: acc.bestModels, ...binary, ...baseline, ...folds };
}

/**
 * Binary problems: the AUROC estimated within folds (`withinFoldAuroc`: each repeat's held-out case–control pairs of
 * the same fold, mean over repeats, DeLong-type interval) — undefined for multiclass or when a class is too small.
 */
function foldAurocOf(y: Int32Array, k: number, repeatProba: readonly Float64Array[], foldOf: readonly Int32Array[], level: number | undefined): MetricEstimate | undefined {
  if (k !== 2) {
    return undefined;
  }
  try {
    const a = withinFoldAuroc(y, binaryFoldScores(repeatProba, foldOf), level);
    return { value: a.value, lower: a.lower, upper: a.upper };
  } catch (e) {
    if (isHealthDataError(e) && e.path === TOO_FEW_IN_FOLDS) {
      return undefined; // fewer than two rows of a class share a fold with the other class: the pooled estimate stays
    }
    throw e;
  }
}

function binaryExtras(
  y: Int32Array,
  proba: Float64Array,
  rowThresholds: Float64Array,
  perFold: readonly number[],
  metrics: Record<MetricName, MetricEstimate>,
  evalOpts: EvaluateOptions,
  bins: number,
): Pick<CrossValidationResult, 'tunedMetrics' | 'thresholds' | 'calibration'> {
  const positive = Float64Array.from({ length: y.length }, (_, i) => proba[i * 2 + 1] as number);
  const mean = perFold.reduce((a, b) => a + b, 0) / Math.max(1, perFold.length);
  return {
    tunedMetrics: evaluateProba(y, proba, 2, { ...evalOpts, rowThresholds }),
    thresholds: { rule: THRESHOLD_RULE, perFold, mean },
    calibration: { brier: metrics.brier, bins: calibrationCurve(y, positive, bins) },
  };
}

function withLabel(data: TabularData, label: string, values: unknown[]): TabularData {
  if (Array.isArray(data)) {
    return (data as readonly Readonly<Record<string, unknown>>[]).map((r, i) => ({ ...r, [label]: values[i] }));
  }
  return { ...(data as Readonly<Record<string, ArrayLike<unknown>>>), [label]: values };
}
