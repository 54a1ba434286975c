/**
 * The label-shuffle leakage guard, repeated: the whole cross-validated AutoML fit is run on the same table with the
 * labels permuted, several times with different permutations. With no link between features and labels the AUROC
 * must sit near 0.5; a guard whose interval lies above 0.5 means information leaks through the fit (a column derived
 * from the label, rows shared between folds…). One permutation is noisy on a few hundred rows (its AUROC alone can
 * read 0.44 or 0.57), hence the repeats, their mean and a t interval over them.
 */
import { HealthDataError } from '../errors';
import type { CrossValidateOptions } from './evaluation';
import { crossValidate } from './evaluation';
import { deriveSeed } from './rng';
import { studentTQuantile } from './stats';
import type { TabularData } from './types';

/** Options of {@link labelShuffleGuard}: those of `crossValidate` plus the number of permutations. */
export interface LabelShuffleGuardOptions extends Omit<CrossValidateOptions, 'shuffleLabels' | 'shuffleSeed'> {
  /** Label permutations, each a full cross-validation (default 3, at least 3). */
  readonly permutations?: number;
  /** Confidence level of the interval over permutations (default 0.95). */
  readonly level?: number;
}

/** Result of {@link labelShuffleGuard}. */
export interface LabelShuffleGuardResult {
  /** Pooled out-of-fold AUROC of each permutation. */
  readonly aurocs: readonly number[];
  /** Their mean. */
  readonly mean: number;
  /** Lower bound of the t interval of the mean over permutations. */
  readonly lower: number;
  /** Upper bound. */
  readonly upper: number;
  /** Permutations run. */
  readonly permutations: number;
  /** Whether the interval contains 0.5 or lies below it (true = no sign of leakage). */
  readonly passed: boolean;
}

/**
 * Runs the label-shuffle guard: `permutations` cross-validations on permuted labels (seeds derived from the
 * predictor's), each AUROC pooled over its out-of-fold predictions, then their mean with a Student-t interval.
 *
 * @param data - labelled rows or columns (binary label)
 * @param options - the cross-validation options and the number of permutations (≥ 3)
 * @returns per-permutation AUROCs, mean, interval, and whether 0.5 is inside (or above) it
 * @throws {@link HealthDataError} (invalid-input) for fewer than 3 permutations or a non-binary label
 * @example
 * ```ts
 * const guard = await labelShuffleGuard(rows, { predictor: { label: 'label', seed: 1 }, folds: 5, repeats: 1 });
 * console.log(guard.mean, guard.lower, guard.upper); // ≈ 0.5, interval around it
 * ```
 */
export async function labelShuffleGuard(data: TabularData, options: LabelShuffleGuardOptions): Promise<LabelShuffleGuardResult> {
  const permutations = options.permutations ?? 3;
  if (!Number.isInteger(permutations) || permutations < 3) {
    throw new HealthDataError('invalid-input', `labelShuffleGuard: permutations = ${permutations}; use an integer ≥ 3 (one permutation's AUROC is too noisy to judge leakage)`, {
      path: 'permutations',
    });
  }
  const seed = options.predictor.seed ?? 0;
  const aurocs: number[] = [];
  for (let r = 0; r < permutations; r++) {
    const cv = await crossValidate(data, { ...options, shuffleLabels: true, shuffleSeed: deriveSeed(seed, 99, r), evaluate: { bootstrap: 0, ...options.evaluate } });
    if (cv.classes.length !== 2) {
      throw new HealthDataError('invalid-input', `labelShuffleGuard: the label has ${cv.classes.length} classes; the guard reads AUROC and needs a binary label`, { path: options.predictor.label });
    }
    aurocs.push(cv.metrics.roc_auc.value);
  }
  return summarise(aurocs, options.level ?? 0.95);
}

function summarise(aurocs: readonly number[], level: number): LabelShuffleGuardResult {
  const n = aurocs.length;
  const mean = aurocs.reduce((a, b) => a + b, 0) / n;
  const sd = Math.sqrt(aurocs.reduce((a, b) => a + (b - mean) ** 2, 0) / (n - 1));
  const half = studentTQuantile(1 - (1 - level) / 2, n - 1) * (sd / Math.sqrt(n));
  const lower = mean - half;
  const upper = mean + half;
  return { aurocs, mean, lower, upper, permutations: n, passed: lower <= 0.5 };
}
