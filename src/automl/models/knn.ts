/**
 * k-nearest neighbours on standardised features (Euclidean distance), votes weighted by 1/distance as AutoGluon's
 * `KNeighborsDist`. Brute force: fine for the cohort sizes here (thousands of rows).
 */
import { HealthDataError } from '../../errors';
import type { Matrix } from '../types';
import type { Classifier, FitContext, ModelState, Standardizer } from './model';
import { clipProba, fitStandardizer, standardize } from './model';

/** kNN hyperparameters. */
export interface KnnParams {
  /** Number of neighbours. */
  readonly k: number;
}

/** Defaults. */
export const KNN_DEFAULTS: KnnParams = { k: 15 };

/** A fitted kNN model (it keeps the standardised training rows). */
export class KnnModel implements Classifier {
  /** Model kind. */
  readonly kind = 'KNN' as const;

  /**
   * @param nClasses - classes
   * @param std - standardiser
   * @param train - standardised training rows
   * @param y - training labels
   * @param k - neighbours
   */
  constructor(
    readonly nClasses: number,
    readonly std: Standardizer,
    readonly train: Matrix,
    readonly y: Int32Array,
    readonly k: number,
  ) {}

  /**
   * Class probabilities from distance-weighted votes of the k nearest training rows.
   *
   * @param x - rows
   * @returns n × K probabilities
   */
  predictProba(x: Matrix): Float64Array {
    const xs = standardize(this.std, x);
    const { p } = xs;
    const tr = this.train;
    const kk = Math.min(this.k, tr.n);
    const nc = this.nClasses;
    const out = new Float64Array(x.n * nc);
    const bestD = new Float64Array(kk);
    const bestI = new Int32Array(kk);
    for (let i = 0; i < x.n; i++) {
      bestD.fill(Infinity);
      bestI.fill(-1);
      let worst = 0; // index of the largest distance in the current top-k
      for (let r = 0; r < tr.n; r++) {
        let d = 0;
        const a = i * p;
        const b = r * p;
        const lim = bestD[worst] as number;
        for (let j = 0; j < p && d < lim; j++) {
          const e = (xs.data[a + j] as number) - (tr.data[b + j] as number);
          d += e * e;
        }
        if (d < lim) {
          bestD[worst] = d;
          bestI[worst] = r;
          for (let q = 0; q < kk; q++) {
            if ((bestD[q] as number) > (bestD[worst] as number)) {
              worst = q;
            }
          }
        }
      }
      let tot = 0;
      for (let q = 0; q < kk; q++) {
        const r = bestI[q] as number;
        if (r < 0) {
          continue;
        }
        const wgt = 1 / (Math.sqrt(bestD[q] as number) + 1e-9);
        const c = this.y[r] as number;
        out[i * nc + c] = (out[i * nc + c] as number) + wgt;
        tot += wgt;
      }
      for (let c = 0; c < nc; c++) {
        out[i * nc + c] = tot > 0 ? (out[i * nc + c] as number) / tot : 1 / nc;
      }
    }
    return clipProba(out, nc);
  }

  /**
   * Exports the state (including the training rows, as a fitted kNN must).
   *
   * @returns the state
   */
  state(): ModelState {
    return {
      kind: 'KNN',
      nClasses: this.nClasses,
      mean: this.std.mean,
      scale: this.std.scale,
      n: this.train.n,
      p: this.train.p,
      train: this.train.data,
      y: this.y,
      k: this.k,
    };
  }

  /**
   * Rebuilds the model from its state.
   *
   * @param s - the state
   * @returns the model
   */
  static fromState(s: ModelState): KnnModel {
    return new KnnModel(
      s.nClasses as number,
      { mean: s.mean as Float64Array, scale: s.scale as Float64Array },
      { n: s.n as number, p: s.p as number, data: s.train as Float64Array },
      s.y as Int32Array,
      s.k as number,
    );
  }
}

/**
 * Fits (stores) a kNN model.
 *
 * @param x - training matrix
 * @param y - class indices
 * @param ctx - classes
 * @param overrides - neighbours
 * @returns the model
 * @throws {@link HealthDataError} (invalid-input) when x and y differ in length or k < 1
 */
export function fitKnn(x: Matrix, y: Int32Array, ctx: FitContext, overrides: Partial<KnnParams> = {}): KnnModel {
  const prm = { ...KNN_DEFAULTS, ...overrides };
  if (x.n !== y.length || prm.k < 1) {
    throw new HealthDataError('invalid-input', `fitKnn: need one label per row and k ≥ 1 (rows ${x.n}, labels ${y.length}, k ${prm.k})`);
  }
  const std = fitStandardizer(x);
  return new KnnModel(ctx.nClasses, std, standardize(std, x), y.slice(), prm.k);
}
