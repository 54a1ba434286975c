/**
 * The contract every model of the zoo follows: fit on a numeric matrix with class indices, predict class
 * probabilities, and export a state (JSON with typed arrays) that `loadModel` turns back into the same model.
 */
import type { Matrix } from '../types';

/** Model type keys (AutoGluon's names). */
export type ModelKind = 'GBM' | 'RF' | 'XT' | 'LR' | 'KNN';

/**
 * All model kinds, in the order the predictor fits them: the L2 logistic regression first (the baseline every
 * leaderboard carries; cheap, and the model kept when a time limit cuts the fit short), then the strong tree models.
 */
export const MODEL_KINDS: readonly ModelKind[] = ['LR', 'GBM', 'RF', 'XT', 'KNN'];

/** JSON-able values plus typed arrays (saved as binary). */
export type StateValue = string | number | boolean | null | Float64Array | Int32Array | Uint8Array | readonly StateValue[] | { readonly [key: string]: StateValue };

/** A model's saved form. */
export interface ModelState {
  /** Which model. */
  readonly kind: ModelKind;
  /** Everything else the model needs. */
  readonly [key: string]: StateValue;
}

/** A fitted classifier. */
export interface Classifier {
  /** Model kind. */
  readonly kind: ModelKind;
  /** Number of classes. */
  readonly nClasses: number;
  /**
   * Class probabilities.
   *
   * @param x - rows to score (same columns as training)
   * @returns n × K probabilities, row-major
   */
  predictProba(x: Matrix): Float64Array;
  /**
   * The columns the predictions can depend on (1 = read), when the model knows: a linear model's nonzero
   * coefficients, a tree model's split columns. Absent: every column.
   *
   * @param p - columns of the matrices it predicts
   * @returns p flags
   */
  columnsRead?(p: number): Uint8Array;
  /**
   * Exports the fitted state.
   *
   * @returns the state
   */
  state(): ModelState;
}

/** What a model may use while fitting. */
export interface FitContext {
  /** Number of classes (class indices in y are 0 … K−1). */
  readonly nClasses: number;
  /** Seed for the model's randomness. */
  readonly seed: number;
  /** Held-out rows for early stopping (the bag's out-of-fold rows or the holdout). */
  readonly valid?: { readonly x: Matrix; readonly y: Int32Array };
  /** Returns true when the time budget is spent: iterative models stop and keep what they have. */
  readonly shouldStop?: () => boolean;
}

/**
 * Clips and renormalises probabilities so log loss stays finite.
 *
 * @param p - probabilities, row-major n × K (changed in place)
 * @param k - classes
 * @returns the same array
 */
export function clipProba(p: Float64Array, k: number): Float64Array {
  const eps = 1e-7;
  for (let i = 0; i < p.length; i += k) {
    let s = 0;
    for (let c = 0; c < k; c++) {
      const v = Math.min(1 - eps, Math.max(eps, p[i + c] as number));
      p[i + c] = v;
      s += v;
    }
    for (let c = 0; c < k; c++) {
      p[i + c] = (p[i + c] as number) / s;
    }
  }
  return p;
}

/** Per-column mean and standard deviation, for the models that need standardised inputs. */
export interface Standardizer {
  /** Column means. */
  readonly mean: Float64Array;
  /** Column standard deviations (1 where a column is constant). */
  readonly scale: Float64Array;
}

/**
 * Computes column means and standard deviations.
 *
 * @param x - the training matrix
 * @returns the standardiser
 */
export function fitStandardizer(x: Matrix): Standardizer {
  const { n, p, data } = x;
  const mean = new Float64Array(p);
  const scale = new Float64Array(p);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < p; j++) {
      mean[j] = (mean[j] as number) + (data[i * p + j] as number);
    }
  }
  for (let j = 0; j < p; j++) {
    mean[j] = (mean[j] as number) / Math.max(n, 1);
  }
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < p; j++) {
      const d = (data[i * p + j] as number) - (mean[j] as number);
      scale[j] = (scale[j] as number) + d * d;
    }
  }
  for (let j = 0; j < p; j++) {
    const s = Math.sqrt((scale[j] as number) / Math.max(n, 1));
    scale[j] = s > 1e-12 ? s : 1;
  }
  return { mean, scale };
}

/**
 * Applies a standardiser.
 *
 * @param s - the standardiser
 * @param x - the matrix
 * @returns a new, standardised matrix
 */
export function standardize(s: Standardizer, x: Matrix): Matrix {
  const { n, p, data } = x;
  const out = new Float64Array(n * p);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < p; j++) {
      out[i * p + j] = ((data[i * p + j] as number) - (s.mean[j] as number)) / (s.scale[j] as number);
    }
  }
  return { n, p, data: out };
}

/**
 * The columns a set of trees splits on.
 *
 * @param trees - flat trees
 * @param p - columns
 * @returns p flags, 1 where some node splits on the column
 */
export function treeColumns(trees: readonly { readonly feature: Int32Array }[], p: number): Uint8Array {
  const used = new Uint8Array(p);
  for (const t of trees) {
    for (const f of t.feature) {
      if (f >= 0) {
        used[f] = 1;
      }
    }
  }
  return used;
}
