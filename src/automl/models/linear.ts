/**
 * Logistic regression (binary: sigmoid; multiclass: softmax) on standardised features, with an L2 and/or L1
 * penalty; the intercept is not penalised. Binary problems with a penalty and up to {@link NEWTON_MAX_COLUMNS}
 * columns are solved to the exact optimum by (proximal) Newton steps (`logistic-newton.ts`: Cholesky for ridge,
 * coordinate descent for the lasso, the Hessian reused along the penalty path); a ridge on a table with more columns
 * than rows is solved in the rows' span at any width (`row-space.ts`). The rest (multiclass, no penalty, a lasso
 * wider than that, or `solver: 'fista'`) use FISTA (accelerated proximal gradient; Beck & Teboulle 2009), stopped after
 * `maxIter` iterations or when no coefficient moves by `tol`: its step is 1/L with L bounded by the largest
 * eigenvalue of XᵀX/n (power iteration) times the loss curvature bound (¼ for the sigmoid, ½ for softmax).
 * Measured on the default cohort's clinical tables (1,278 × 84–88), the penalty path's weakest ridge and the lasso
 * shares stopped FISTA at its 300-iteration cap short of the optimum; Newton reaches it in a few steps.
 */
import { HealthDataError } from '../../errors';
import type { Matrix } from '../types';
import type { Classifier, FitContext, ModelState, Standardizer } from './model';
import { clipProba, fitStandardizer, standardize } from './model';
import type { NewtonProblem } from './logistic-newton';
import { newtonProblem, solveNewton } from './logistic-newton';
import type { RowSpace } from './row-space';
import { expandCoefficients, rowSpace } from './row-space';

/**
 * Widest table whose lasso penalties are solved by Newton steps: each Hessian costs n·p²/2 multiply-adds (fewer on
 * sparse genotype columns, `sparseRows`) and p² numbers of memory. Ridge penalties on a table with more columns than
 * rows are solved in its row space at any width (`row-space.ts`: an r × r Hessian, r ≤ n). Measured on the guidance
 * design's 154 × 426 table (12-penalty path, CPU): FISTA 0.38–0.52 s, Newton 0.15–0.19 s.
 */
export const NEWTON_MAX_COLUMNS = 600;

/** Logistic regression hyperparameters. */
export interface LinearParams {
  /** L2 penalty (on the mean log loss scale). */
  readonly l2: number;
  /** L1 penalty (on the mean log loss scale). */
  readonly l1: number;
  /**
   * When > 0, the L1 penalty is this share of λ_max, the smallest L1 penalty at which every coefficient is zero on
   * the training rows (the largest absolute gradient of the mean log loss at the intercept-only model, as glmnet's
   * path starts), and `l1` is ignored: a path that adapts to each table's signal strength.
   */
  readonly l1Fraction: number;
  /** Maximum iterations. */
  readonly maxIter: number;
  /** Stop when the largest coefficient change falls below this (FISTA; Newton solves to `NEWTON_TOL`). */
  readonly tol: number;
  /**
   * `auto`: Newton steps for a penalised binary problem of up to {@link NEWTON_MAX_COLUMNS} columns, else FISTA;
   * `fista`: always FISTA (the first-order solver, kept as the reference the Newton answers are tested against).
   */
  readonly solver: 'auto' | 'fista';
}

/** Defaults: a moderate L2 penalty, as scikit-learn's C = 1 on about 100 rows. */
export const LINEAR_DEFAULTS: LinearParams = { l2: 0.01, l1: 0, l1Fraction: 0, maxIter: 300, tol: 1e-4, solver: 'auto' };

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
   * The columns with a nonzero coefficient (a lasso leaves most genotype columns at zero).
   *
   * @param p - columns
   * @returns p flags
   */
  columnsRead(p: number): Uint8Array {
    const t = this.nClasses === 2 ? 1 : this.nClasses;
    const used = new Uint8Array(p);
    for (let j = 0; j < p; j++) {
      for (let c = 0; c < t; c++) {
        if ((this.coef[(j + 1) * t + c] as number) !== 0) {
          used[j] = 1;
        }
      }
    }
    return used;
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
 * The penalty grid the predictor tries for its logistic regression, strongest first within each family: ridge (L2)
 * strengths, then a lasso path (L1 at shares of λ_max, with a small ridge term for stability). The predictor picks
 * one on its validation rows (the bag's out-of-fold predictions or the holdout): a table with a few real signals among
 * hundreds of weak columns (a genotype panel) needs the lasso, a dense clinical table a light ridge. Measured on 800
 * synthetic genotypes (apoe_e4 among 270 dosage columns, three seeds): ridge reached out-of-fold AUROC 0.49–0.60
 * against oracles of 0.60–0.66, the best lasso penalty 0.585–0.650, at different absolute penalties per seed — hence
 * shares of λ_max. The strong ridges (10, 100: nearly the univariate-correlation score) and the weakest lasso share
 * (0.05) were added for the default cohort's Alzheimer's genomic-only set (832 genome holders, 270 sparse dosage
 * columns, `apoe_e4` the signal): CV AUROC 0.523 [0.471, 0.576] with the grid without them, 0.553 [0.502, 0.604] with
 * ridge 10 alone and 0.559 [0.508, 0.611] with lasso 0.05 alone. Penalties are on the mean log-loss scale with
 * standardised features.
 */
export const LINEAR_PENALTY_GRID: readonly Pick<LinearParams, 'l1' | 'l2' | 'l1Fraction'>[] = [
  ...[100, 10, 1, 0.1, 0.01].map((l2) => ({ l2, l1: 0, l1Fraction: 0 })),
  ...[0.7, 0.5, 0.35, 0.25, 0.15, 0.08, 0.05].map((l1Fraction) => ({ l2: 0.001, l1: 0, l1Fraction })),
];

/** λ_max of the lasso: the largest absolute gradient of the mean log loss at the intercept-only model. */
function lassoLambdaMax(xs: Matrix, y: Int32Array, k: number): number {
  const { n, p, data } = xs;
  const t = k === 2 ? 1 : k;
  const prior = new Float64Array(t);
  for (let i = 0; i < n; i++) {
    const c = k === 2 ? (y[i] === 1 ? 0 : -1) : (y[i] as number);
    if (c >= 0) {
      prior[c] = (prior[c] as number) + 1 / n;
    }
  }
  let max = 0;
  for (let c = 0; c < t; c++) {
    for (let j = 0; j < p; j++) {
      let g = 0;
      for (let i = 0; i < n; i++) {
        const target = k === 2 ? (y[i] === 1 ? 1 : 0) : y[i] === c ? 1 : 0;
        g += (data[i * p + j] as number) * ((prior[c] as number) - target);
      }
      max = Math.max(max, Math.abs(g / n));
    }
  }
  return max;
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
  return fitLinearPath(x, y, ctx, [overrides])[0] as LinearModel;
}

/**
 * Fits one logistic regression per penalty setting on the same rows, sharing the standardisation and the step size,
 * each warm-started from the previous solution (order the grid from strong to weak penalties within a family, as
 * {@link LINEAR_PENALTY_GRID} does: the next, weaker penalty starts near its answer).
 *
 * @param x - training matrix
 * @param y - class indices
 * @param ctx - classes and the time budget
 * @param grid - penalty and iteration settings, one model each (merged over {@link LINEAR_DEFAULTS})
 * @returns one fitted model per grid entry, in order
 * @throws {@link HealthDataError} (invalid-input) when x and y differ in length or a penalty is negative
 */
export function fitLinearPath(x: Matrix, y: Int32Array, ctx: FitContext, grid: readonly Partial<LinearParams>[]): LinearModel[] {
  if (x.n !== y.length) {
    throw new HealthDataError('invalid-input', `fitLinear: x has ${x.n} rows but y has ${y.length} labels; pass one label per row`);
  }
  const params = grid.map((o) => ({ ...LINEAR_DEFAULTS, ...o }));
  for (const prm of params) {
    if (prm.l1 < 0 || prm.l2 < 0 || prm.l1Fraction < 0) {
      throw new HealthDataError('invalid-input', `fitLinear: penalties must be ≥ 0, got l1 = ${prm.l1}, l2 = ${prm.l2}, l1Fraction = ${prm.l1Fraction}`);
    }
  }
  const std = fitStandardizer(x);
  const xs = standardize(std, x);
  const k = ctx.nClasses;
  let curvature: number | undefined;
  let newton: NewtonProblem | undefined;
  let reduced: { readonly space: RowSpace; readonly problem: NewtonProblem; gamma?: Float64Array } | undefined;
  const lambdaMax = params.some((q) => q.l1Fraction > 0) ? lassoLambdaMax(xs, y, k) : 0;
  const out: LinearModel[] = [];
  let warm: Float64Array | undefined;
  let prevL1: boolean | undefined;
  for (const given of params) {
    const prm = given.l1Fraction > 0 ? { ...given, l1: given.l1Fraction * lambdaMax } : given;
    // Warm-start only within a family (ridge → ridge, lasso → lasso): a ridge solution is a poor start for a sparse one.
    const sameFamily = prevL1 === prm.l1 > 0;
    const start = sameFamily ? warm : undefined;
    const byNewton = prm.solver === 'auto' && k === 2 && (prm.l1 > 0 || prm.l2 > 0);
    if (byNewton && prm.l1 === 0 && xs.p > xs.n) {
      // A wide ridge: solved exactly in the row space (r ≤ n coordinates), the same optimum at a fraction of the cost.
      if (reduced === undefined) {
        const space = rowSpace(xs.data, xs.n, xs.p);
        reduced = { space, problem: newtonProblem(space.z, xs.n, space.r, y) };
      }
      reduced.gamma = solveNewton(reduced.problem, 0, prm.l2, sameFamily ? reduced.gamma : undefined, ctx.shouldStop);
      warm = expandCoefficients(reduced.space, reduced.gamma);
    } else if (byNewton && xs.p <= NEWTON_MAX_COLUMNS) {
      newton ??= newtonProblem(xs.data, xs.n, xs.p, y);
      warm = solveNewton(newton, prm.l1, prm.l2, start, ctx.shouldStop);
    } else {
      curvature ??= (k === 2 ? 0.25 : 0.5) * largestEigen(xs);
      warm = fista(xs, y, k, prm, curvature + prm.l2, start, ctx.shouldStop);
    }
    prevL1 = prm.l1 > 0;
    out.push(new LinearModel(k, std, warm));
  }
  return out;
}

/** Gradient of the mean log loss at w (intercept unpenalised), written into grad. */
function lossGradient(xs: Matrix, y: Int32Array, k: number, w: Float64Array, grad: Float64Array): void {
  const { n, p, data } = xs;
  grad.fill(0);
  if (k === 2) {
    // Binary: one output, no per-class index arithmetic in the inner loops.
    for (let i = 0; i < n; i++) {
      const off = i * p;
      let z = w[0] as number;
      for (let j = 0; j < p; j++) {
        z += (data[off + j] as number) * (w[j + 1] as number);
      }
      const r = (1 / (1 + Math.exp(-z)) - (y[i] === 1 ? 1 : 0)) / n;
      grad[0] = (grad[0] as number) + r;
      for (let j = 0; j < p; j++) {
        grad[j + 1] = (grad[j + 1] as number) + r * (data[off + j] as number);
      }
    }
    return;
  }
  const proba = scoresToProbaLinear(linearScores(xs, w, k), n, k);
  for (let i = 0; i < n; i++) {
    for (let c = 0; c < k; c++) {
      const r = ((proba[i * k + c] as number) - (y[i] === c ? 1 : 0)) / n;
      grad[c] = (grad[c] as number) + r;
      for (let j = 0; j < p; j++) {
        const q = (j + 1) * k + c;
        grad[q] = (grad[q] as number) + r * (data[i * p + j] as number);
      }
    }
  }
}

/** FISTA on standardised rows from `init` (or zero); returns the coefficients. */
function fista(xs: Matrix, y: Int32Array, k: number, prm: LinearParams, lip: number, init: Float64Array | undefined, shouldStop: (() => boolean) | undefined): Float64Array {
  const t = k === 2 ? 1 : k;
  const size = (xs.p + 1) * t;
  const step = 1 / lip;
  let w = init === undefined ? new Float64Array(size) : init.slice();
  const zPt = w.slice(); // extrapolated point
  const grad = new Float64Array(size);
  let tk = 1;
  for (let it = 0; it < prm.maxIter; it++) {
    if ((it & 31) === 31 && shouldStop?.() === true) {
      break;
    }
    lossGradient(xs, y, k, zPt, grad);
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
    for (let q = 0; q < size; q++) {
      zPt[q] = (wNew[q] as number) + mom * ((wNew[q] as number) - (w[q] as number));
    }
    w = wNew;
    tk = tNext;
    if (maxDelta < prm.tol) {
      break;
    }
  }
  return w;
}
