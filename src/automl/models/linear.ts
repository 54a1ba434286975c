/**
 * Logistic regression (binary: sigmoid; multiclass: softmax) on standardised features, with an L2 and/or L1
 * penalty, fitted by FISTA (accelerated proximal gradient; Beck & Teboulle 2009). The step is 1/L with L bounded by
 * the largest eigenvalue of XᵀX/n (power iteration) times the loss curvature bound (¼ for the sigmoid, ½ for softmax).
 * The intercept is not penalised.
 */
import { HealthDataError } from '../../errors';
import type { Matrix } from '../types';
import type { Classifier, FitContext, ModelState, Standardizer } from './model';
import { clipProba, fitStandardizer, standardize } from './model';

/** Logistic regression hyperparameters. */
export interface LinearParams {
  /** L2 penalty (on the mean log loss scale). */
  readonly l2: number;
  /** L1 penalty (on the mean log loss scale). */
  readonly l1: number;
  /** Maximum iterations. */
  readonly maxIter: number;
  /** Stop when the largest coefficient change falls below this. */
  readonly tol: number;
}

/** Defaults: a moderate L2 penalty, as scikit-learn's C = 1 on about 100 rows. */
export const LINEAR_DEFAULTS: LinearParams = { l2: 0.01, l1: 0, maxIter: 300, tol: 1e-4 };

/** A fitted logistic regression. */
export class LinearModel implements Classifier {
  /** Model kind. */
  readonly kind = 'LR' as const;

  /**
   * @param nClasses - classes
   * @param std - the standardiser fitted on training data
   * @param coef - (p + 1) × T coefficients, row 0 the intercepts (T = 1 for binary, K otherwise)
   */
  constructor(
    readonly nClasses: number,
    readonly std: Standardizer,
    readonly coef: Float64Array,
  ) {}

  /**
   * Class probabilities.
   *
   * @param x - rows
   * @returns n × K probabilities
   */
  predictProba(x: Matrix): Float64Array {
    const xs = standardize(this.std, x);
    const k = this.nClasses;
    const t = k === 2 ? 1 : k;
    const z = linearScores(xs, this.coef, t);
    return clipProba(scoresToProbaLinear(z, x.n, k), k);
  }

  /**
   * Exports the state.
   *
   * @returns the state
   */
  state(): ModelState {
    return { kind: 'LR', nClasses: this.nClasses, mean: this.std.mean, scale: this.std.scale, coef: this.coef };
  }

  /**
   * Rebuilds the model from its state.
   *
   * @param s - the state
   * @returns the model
   */
  static fromState(s: ModelState): LinearModel {
    return new LinearModel(s.nClasses as number, { mean: s.mean as Float64Array, scale: s.scale as Float64Array }, s.coef as Float64Array);
  }
}

function linearScores(x: Matrix, coef: Float64Array, t: number): Float64Array {
  const { n, p, data } = x;
  const z = new Float64Array(n * t);
  for (let i = 0; i < n; i++) {
    for (let c = 0; c < t; c++) {
      let s = coef[c] as number;
      for (let j = 0; j < p; j++) {
        s += (data[i * p + j] as number) * (coef[(j + 1) * t + c] as number);
      }
      z[i * t + c] = s;
    }
  }
  return z;
}

function scoresToProbaLinear(z: Float64Array, n: number, k: number): Float64Array {
  const out = new Float64Array(n * k);
  if (k === 2) {
    for (let i = 0; i < n; i++) {
      const q = 1 / (1 + Math.exp(-(z[i] as number)));
      out[i * 2] = 1 - q;
      out[i * 2 + 1] = q;
    }
    return out;
  }
  for (let i = 0; i < n; i++) {
    let m = -Infinity;
    for (let c = 0; c < k; c++) {
      m = Math.max(m, z[i * k + c] as number);
    }
    let s = 0;
    for (let c = 0; c < k; c++) {
      const e = Math.exp((z[i * k + c] as number) - m);
      out[i * k + c] = e;
      s += e;
    }
    for (let c = 0; c < k; c++) {
      out[i * k + c] = (out[i * k + c] as number) / s;
    }
  }
  return out;
}

function largestEigen(x: Matrix): number {
  // Power iteration on (XᵀX + 1·1ᵀ-ish intercept)/n, using the augmented matrix [1, X].
  const { n, p, data } = x;
  let v = new Float64Array(p + 1).fill(1 / Math.sqrt(p + 1));
  let lam = 1;
  for (let it = 0; it < 30; it++) {
    const w = new Float64Array(p + 1);
    for (let i = 0; i < n; i++) {
      let s = v[0] as number;
      for (let j = 0; j < p; j++) {
        s += (data[i * p + j] as number) * (v[j + 1] as number);
      }
      w[0] = (w[0] as number) + s;
      for (let j = 0; j < p; j++) {
        w[j + 1] = (w[j + 1] as number) + s * (data[i * p + j] as number);
      }
    }
    let norm = 0;
    for (let j = 0; j <= p; j++) {
      w[j] = (w[j] as number) / n;
      norm += (w[j] as number) ** 2;
    }
    norm = Math.sqrt(norm);
    if (norm === 0) {
      return 1;
    }
    lam = norm;
    v = w.map((a) => a / norm);
  }
  return lam * 1.05;
}

/**
 * Fits a logistic regression.
 *
 * @param x - training matrix
 * @param y - class indices
 * @param ctx - classes and the time budget
 * @param overrides - penalties and iteration limits
 * @returns the fitted model
 * @throws {@link HealthDataError} (invalid-input) when x and y differ in length or a penalty is negative
 */
export function fitLinear(x: Matrix, y: Int32Array, ctx: FitContext, overrides: Partial<LinearParams> = {}): LinearModel {
  if (x.n !== y.length) {
    throw new HealthDataError('invalid-input', `fitLinear: x has ${x.n} rows but y has ${y.length} labels; pass one label per row`);
  }
  const prm: LinearParams = { ...LINEAR_DEFAULTS, ...overrides };
  if (prm.l1 < 0 || prm.l2 < 0) {
    throw new HealthDataError('invalid-input', `fitLinear: penalties must be ≥ 0, got l1 = ${prm.l1}, l2 = ${prm.l2}`);
  }
  const std = fitStandardizer(x);
  const xs = standardize(std, x);
  const { n, p, data } = xs;
  const k = ctx.nClasses;
  const t = k === 2 ? 1 : k;
  const lip = (k === 2 ? 0.25 : 0.5) * largestEigen(xs) + prm.l2;
  const step = 1 / lip;
  const size = (p + 1) * t;
  let w = new Float64Array(size);
  let zPt = new Float64Array(size); // extrapolated point
  const grad = new Float64Array(size);
  let tk = 1;
  for (let it = 0; it < prm.maxIter; it++) {
    if ((it & 31) === 31 && ctx.shouldStop?.() === true) {
      break;
    }
    const scores = linearScores(xs, zPt, t);
    const proba = scoresToProbaLinear(scores, n, k);
    grad.fill(0);
    for (let i = 0; i < n; i++) {
      for (let c = 0; c < t; c++) {
        const cls = k === 2 ? 1 : c;
        const r = ((proba[i * k + cls] as number) - (y[i] === cls ? 1 : 0)) / n;
        grad[c] = (grad[c] as number) + r;
        for (let j = 0; j < p; j++) {
          const q = (j + 1) * t + c;
          grad[q] = (grad[q] as number) + r * (data[i * p + j] as number);
        }
      }
    }
    const wNew = new Float64Array(size);
    let maxDelta = 0;
    for (let q = 0; q < size; q++) {
      const penal = q >= t;
      let v = (zPt[q] as number) - step * ((grad[q] as number) + (penal ? prm.l2 * (zPt[q] as number) : 0));
      if (penal && prm.l1 > 0) {
        const th = step * prm.l1;
        v = v > th ? v - th : v < -th ? v + th : 0;
      }
      wNew[q] = v;
      maxDelta = Math.max(maxDelta, Math.abs(v - (w[q] as number)));
    }
    const tNext = (1 + Math.sqrt(1 + 4 * tk * tk)) / 2;
    const mom = (tk - 1) / tNext;
    const zNew = new Float64Array(size);
    for (let q = 0; q < size; q++) {
      zNew[q] = (wNew[q] as number) + mom * ((wNew[q] as number) - (w[q] as number));
    }
    w = wNew;
    zPt = zNew;
    tk = tNext;
    if (maxDelta < prm.tol) {
      break;
    }
  }
  return new LinearModel(k, std, w);
}
