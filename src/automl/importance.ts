/**
 * Permutation feature importance (Breiman 2001; AutoGluon's `feature_importance`): the drop in the eval metric when
 * one input column is shuffled, repeated `numShuffles` times, with the mean, standard deviation, a one-sided t-test
 * p-value (H0: importance ≤ 0) and a 95% t interval. Columns are permuted at the input level, so a categorical's
 * one-hot features (or a value and its missing indicator) move together.
 */
import { HealthDataError } from '../errors';
import type { ProgressReporter } from '../progress';
import { silentProgress } from '../progress';
import { higherIsBetter, metricValue } from './metrics';
import type { MetricName } from './metrics';
import type { PredictionReference, TabularPredictor } from './predictor';
import { createRng, deriveSeed } from './rng';
import { studentTCdf, studentTQuantile } from './stats';
import type { Clock, Matrix, TabularData } from './types';
import { performanceClock, takeInt, takeRows } from './types';

/** One row of the importance table. */
export interface FeatureImportanceRow {
  /** Input column. */
  readonly feature: string;
  /** Mean drop of the score (positive = the model relies on the column). */
  readonly importance: number;
  /** Standard deviation over shuffles. */
  readonly stddev: number;
  /** One-sided p-value of importance > 0. */
  readonly pValue: number;
  /** Shuffles. */
  readonly n: number;
  /** Lower bound of the 95% interval. */
  readonly lower: number;
  /** Upper bound of the 95% interval. */
  readonly upper: number;
}

/** Options of {@link permutationImportance}. */
export interface ImportanceOptions {
  /** Shuffles per column (default 5). */
  readonly numShuffles?: number;
  /** Columns to score (default: every kept input column). */
  readonly features?: readonly string[];
  /** Model (default: the best). */
  readonly model?: string;
  /** Metric (default: the predictor's). */
  readonly metric?: MetricName;
  /** At most this many rows are used (default 1000; sampled with the seed). */
  readonly subsample?: number;
  /** Seed (default: the predictor's). */
  readonly seed?: number;
  /** Time budget in seconds; columns not reached are left out. */
  readonly timeLimit?: number;
  /** Interval level (default 0.95). */
  readonly level?: number;
  /** Progress reporter. */
  readonly progress?: ProgressReporter;
  /** Clock for the time budget. */
  readonly clock?: Clock;
}

/**
 * Permutation importance of the input columns on a labelled table.
 *
 * @param predictor - a fitted predictor
 * @param data - labelled rows or columns (use data the model was not trained on)
 * @param options - shuffles, columns, model, metric, subsample, seed, time limit
 * @returns rows sorted by importance, largest first
 * @throws {@link HealthDataError} (invalid-input) for an unknown feature name or too few shuffles
 * @example
 * ```ts
 * const fi = permutationImportance(predictor, test, { numShuffles: 10 });
 * ```
 */
export function permutationImportance(predictor: TabularPredictor, data: TabularData, options: ImportanceOptions = {}): FeatureImportanceRow[] {
  const st = predictor.state;
  const nShuffles = options.numShuffles ?? 5;
  if (!Number.isInteger(nShuffles) || nShuffles < 2) {
    throw new HealthDataError('invalid-input', `permutationImportance: numShuffles = ${nShuffles} must be an integer ≥ 2 (a standard deviation needs two)`, { path: 'numShuffles' });
  }
  const metric = options.metric ?? st.evalMetric;
  const sign = higherIsBetter(metric) ? 1 : -1;
  const seed = options.seed ?? st.seed;
  const clock = options.clock ?? performanceClock;
  const deadline = options.timeLimit === undefined ? Infinity : clock() + options.timeLimit * 1000;
  const k = st.classes.length;
  const yAll = predictor.encodeLabels(data);
  let keep = [...yAll.keys()].filter((i) => (yAll[i] as number) >= 0);
  const maxRows = options.subsample ?? 1000;
  if (keep.length > maxRows) {
    const rng = createRng(deriveSeed(seed, 5));
    for (let i = keep.length - 1; i > 0; i--) {
      const j = rng.int(i + 1);
      [keep[i], keep[j]] = [keep[j] as number, keep[i] as number];
    }
    keep = keep.slice(0, maxRows).sort((a, b) => a - b);
  }
  const y = takeInt(yAll, keep);
  const x = takeRows(predictor.transform(data), keep);
  // Members that never read a shuffled column predict what they predicted on `x` (the same numbers, not recomputed).
  const reference: PredictionReference = { x, byMember: new Map(), reads: new Map() };
  const base = sign * metricValue(metric, y, predictor.predictProbaMatrixChanged(x, [], reference, options.model), k);
  const cols = st.preprocess.columns.map((c) => c.name);
  const wanted = options.features ?? cols;
  for (const f of wanted) {
    if (!cols.includes(f)) {
      throw new HealthDataError('invalid-input', `permutationImportance: feature ${JSON.stringify(f)} is not an input column of the model; choose from predictor.featureColumns`, { path: f });
    }
  }
  const task = (options.progress ?? silentProgress).start('permutation importance', wanted.length);
  const level = options.level ?? 0.95;
  const tq = studentTQuantile(1 - (1 - level) / 2, nShuffles - 1);
  const out: FeatureImportanceRow[] = [];
  const work: Matrix = { n: x.n, p: x.p, data: new Float64Array(x.data) };
  for (const f of wanted) {
    if (clock() >= deadline) {
      break;
    }
    const src = cols.indexOf(f);
    const featCols = st.preprocess.featureSource.flatMap((s, j) => (s === src ? [j] : []));
    const rng = createRng(deriveSeed(seed, 7, src));
    const drops: number[] = [];
    for (let r = 0; r < nShuffles; r++) {
      const perm = Int32Array.from({ length: x.n }, (_, i) => i);
      for (let i = perm.length - 1; i > 0; i--) {
        const j = rng.int(i + 1);
        const t = perm[i] as number;
        perm[i] = perm[j] as number;
        perm[j] = t;
      }
      for (const j of featCols) {
        for (let i = 0; i < x.n; i++) {
          work.data[i * x.p + j] = x.data[(perm[i] as number) * x.p + j] as number;
        }
      }
      const s = sign * metricValue(metric, y, predictor.predictProbaMatrixChanged(work, featCols, reference, options.model), k);
      drops.push(base - s);
      for (const j of featCols) {
        for (let i = 0; i < x.n; i++) {
          work.data[i * x.p + j] = x.data[i * x.p + j] as number;
        }
      }
    }
    const mean = drops.reduce((a, b) => a + b, 0) / drops.length;
    const sd = Math.sqrt(drops.reduce((a, b) => a + (b - mean) ** 2, 0) / (drops.length - 1));
    const se = sd / Math.sqrt(drops.length);
    const pValue = se > 0 ? 1 - studentTCdf(mean / se, drops.length - 1) : mean > 0 ? 0 : 1;
    out.push({ feature: f, importance: mean, stddev: sd, pValue, n: drops.length, lower: mean - tq * se, upper: mean + tq * se });
    task.tick();
  }
  task.finish(`${out.length} columns`);
  return out.sort((a, b) => b.importance - a.importance);
}
