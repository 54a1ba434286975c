/**
 * Sound evaluation of the whole AutoML procedure: repeated stratified k-fold cross-validation where each fold fits a
 * fresh predictor (preprocessing, models, ensemble) on the training part only and predicts the held-out part. Each
 * row's out-of-fold probabilities are averaged over the repeats; metrics with intervals are computed on those. A
 * label-shuffle option gives the leakage check: with permuted labels the AUROC must sit near 0.5.
 */
import { HealthDataError } from '../errors';
import type { ProgressReporter } from '../progress';
import { silentProgress } from '../progress';
import { repeatedStratifiedSplits } from './cv';
import type { EvaluateOptions, MetricEstimate, MetricName } from './metrics';
import { evaluateProba, metricValue } from './metrics';
import type { FitOptions, PredictorOptions } from './predictor';
import { TabularPredictor, subsetTable } from './predictor';
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
  /** Interval options for the metrics. */
  readonly evaluate?: EvaluateOptions;
  /** Progress reporter (one tick per fold). */
  readonly progress?: ProgressReporter;
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
  const k = classes.length;
  const index = new Map(classes.map((c, i) => [labelKey(c), i]));
  let labelled = subsetTable(data, rows);
  const y = Int32Array.from(rows, (i) => index.get(labelKey(raw[i])) ?? 0);
  if (options.shuffleLabels === true) {
    const rng = createRng(deriveSeed(seed, 99));
    for (let i = y.length - 1; i > 0; i--) {
      const j = rng.int(i + 1);
      const t = y[i] as number;
      y[i] = y[j] as number;
      y[j] = t;
    }
    labelled = withLabel(labelled, label, Array.from(y, (c) => classes[c]));
  }
  const nFolds = options.folds ?? 5;
  const repeats = options.repeats ?? 3;
  const splits = repeatedStratifiedSplits(y, nFolds, repeats, seed);
  const task = (options.progress ?? silentProgress).start(`cross-validate ${label}`, splits.length);
  const sum = new Float64Array(y.length * k);
  const perRepeatProba = Array.from({ length: repeats }, () => new Float64Array(y.length * k));
  const lb = new Map<string, { total: number; folds: number }>();
  const bestModels: string[] = [];
  for (const sp of splits) {
    const train = subsetTable(labelled, sp.train);
    const test = subsetTable(labelled, sp.test);
    const predictor = new TabularPredictor({ ...options.predictor, seed: deriveSeed(seed, sp.repeat, sp.fold), progress: silentProgress });
    await predictor.fit(train, options.fit);
    const proba = predictor.predictProbaMatrix(predictor.transform(test));
    // The fold's predictor may order classes the same way (sorted); map by value to be safe.
    const map = predictor.classes.map((c) => index.get(labelKey(c)) ?? 0);
    const kk = predictor.classes.length;
    sp.test.forEach((row, q) => {
      for (let c = 0; c < kk; c++) {
        const gc = map[c] as number;
        const v = proba[q * kk + c] as number;
        sum[row * k + gc] = (sum[row * k + gc] as number) + v / repeats;
        const pr = perRepeatProba[sp.repeat] as Float64Array;
        pr[row * k + gc] = v;
      }
    });
    for (const r of predictor.leaderboard(test)) {
      const e = lb.get(r.model) ?? { total: 0, folds: 0 };
      e.total += r.scoreTest ?? Number.NaN;
      e.folds += 1;
      lb.set(r.model, e);
    }
    bestModels.push(predictor.bestModel);
    task.tick();
  }
  task.finish();
  const metrics = evaluateProba(y, sum, k, { seed, ...options.evaluate });
  const names: MetricName[] = ['accuracy', 'balanced_accuracy', 'precision', 'recall', 'f1', 'mcc', 'roc_auc', 'log_loss', 'brier'];
  const perRepeat = perRepeatProba.map((p) => Object.fromEntries(names.map((m) => [m, metricValue(m, y, p, k)])) as Record<MetricName, number>);
  const leaderboard = [...lb.entries()].map(([model, e]) => ({ model, meanScoreTest: e.total / e.folds, folds: e.folds })).sort((a, b) => b.meanScoreTest - a.meanScoreTest);
  return { classes, y, proba: sum, metrics, perRepeat, leaderboard, bestModels };
}

function withLabel(data: TabularData, label: string, values: unknown[]): TabularData {
  if (Array.isArray(data)) {
    return (data as readonly Readonly<Record<string, unknown>>[]).map((r, i) => ({ ...r, [label]: values[i] }));
  }
  return { ...(data as Readonly<Record<string, ArrayLike<unknown>>>), [label]: values };
}
