/**
 * Stratified fold assignment: every fold gets (within one row) the same share of each class, as scikit-learn's
 * StratifiedKFold does. Repeated CV reshuffles with a derived seed per repeat.
 */
import { HealthDataError } from '../errors';
import { createRng, deriveSeed, shuffleInPlace } from './rng';

/**
 * Assigns each row to one of k folds, stratified by class.
 *
 * @param y - class indices
 * @param k - number of folds (2 ≤ k ≤ n)
 * @param seed - shuffle seed
 * @returns fold number per row
 * @throws {@link HealthDataError} (invalid-input) when k is out of range
 * @example
 * ```ts
 * const folds = stratifiedFolds(y, 5, 42); // folds[i] in 0..4
 * ```
 */
export function stratifiedFolds(y: ArrayLike<number>, k: number, seed: number): Int32Array {
  const n = y.length;
  if (!Number.isInteger(k) || k < 2 || k > n) {
    throw new HealthDataError('invalid-input', `stratifiedFolds: k = ${k} must be an integer between 2 and the row count ${n}`, { path: 'k' });
  }
  const rng = createRng(seed);
  const byClass = new Map<number, number[]>();
  for (let i = 0; i < n; i++) {
    const c = y[i] as number;
    const list = byClass.get(c) ?? [];
    list.push(i);
    byClass.set(c, list);
  }
  const folds = new Int32Array(n);
  // Deal each class's shuffled rows round-robin, continuing where the previous class stopped so fold sizes stay
  // balanced as well.
  let next = 0;
  for (const c of [...byClass.keys()].sort((a, b) => a - b)) {
    const rows = shuffleInPlace(Int32Array.from(byClass.get(c) ?? []), rng);
    for (const i of rows) {
      folds[i] = next;
      next = (next + 1) % k;
    }
  }
  return folds;
}

/** One train/test split of a cross-validation. */
export interface CvSplit {
  /** Repeat number (0-based). */
  readonly repeat: number;
  /** Fold number within the repeat. */
  readonly fold: number;
  /** Training rows. */
  readonly train: Int32Array;
  /** Test rows. */
  readonly test: Int32Array;
}

/**
 * Splits of a repeated stratified k-fold cross-validation.
 *
 * @param y - class indices
 * @param k - folds per repeat
 * @param repeats - repeats (each reshuffled)
 * @param seed - base seed
 * @returns k × repeats splits, repeat-major
 * @throws {@link HealthDataError} (invalid-input) when k or repeats is out of range
 */
export function repeatedStratifiedSplits(y: ArrayLike<number>, k: number, repeats: number, seed: number): CvSplit[] {
  if (!Number.isInteger(repeats) || repeats < 1) {
    throw new HealthDataError('invalid-input', `repeatedStratifiedSplits: repeats = ${repeats} must be a positive integer`, { path: 'repeats' });
  }
  const out: CvSplit[] = [];
  for (let r = 0; r < repeats; r++) {
    const folds = stratifiedFolds(y, k, deriveSeed(seed, 1000 + r));
    for (let f = 0; f < k; f++) {
      const train: number[] = [];
      const test: number[] = [];
      for (let i = 0; i < folds.length; i++) {
        (folds[i] === f ? test : train).push(i);
      }
      out.push({ repeat: r, fold: f, train: Int32Array.from(train), test: Int32Array.from(test) });
    }
  }
  return out;
}

/**
 * A stratified holdout split.
 *
 * @param y - class indices
 * @param frac - share of rows held out (0 < frac < 1)
 * @param seed - shuffle seed
 * @returns training and holdout rows
 * @throws {@link HealthDataError} (invalid-input) when frac is out of range
 */
export function stratifiedHoldout(y: ArrayLike<number>, frac: number, seed: number): { train: Int32Array; holdout: Int32Array } {
  if (!(frac > 0 && frac < 1)) {
    throw new HealthDataError('invalid-input', `stratifiedHoldout: holdoutFrac = ${frac} must be between 0 and 1 (exclusive)`, { path: 'holdoutFrac' });
  }
  const rng = createRng(seed);
  const byClass = new Map<number, number[]>();
  for (let i = 0; i < y.length; i++) {
    const list = byClass.get(y[i] as number) ?? [];
    list.push(i);
    byClass.set(y[i] as number, list);
  }
  const train: number[] = [];
  const holdout: number[] = [];
  for (const c of [...byClass.keys()].sort((a, b) => a - b)) {
    const rows = shuffleInPlace(Int32Array.from(byClass.get(c) ?? []), rng);
    const h = rows.length >= 2 ? Math.max(1, Math.round(rows.length * frac)) : 0;
    rows.forEach((i, q) => (q < h ? holdout : train).push(i));
  }
  return { train: Int32Array.from(train).sort(), holdout: Int32Array.from(holdout).sort() };
}

/**
 * AutoGluon's default holdout share: `n < 5000 ? max(.1, min(.2, 500/n)) : max(.01, min(.1, 2500/n))`.
 *
 * @param n - rows
 * @returns the share
 */
export function defaultHoldoutFrac(n: number): number {
  return n < 5000 ? Math.max(0.1, Math.min(0.2, 500 / n)) : Math.max(0.01, Math.min(0.1, 2500 / n));
}
