/**
 * Small numeric helpers the figure builders share: histogram bins, summary statistics, correlation, a 2-D PCA.
 * Pure functions over plain arrays. ROC, AUROC and calibration live in `automl/metrics.ts` (one implementation for
 * model selection, the dashboard and the notebooks).
 */
import { HealthDataError } from '../errors';

/** Fixed-width binCounts bin edges. */
export interface HistogramBins {
  /** Left edge of the first bin. */
  readonly start: number;
  /** Bin width (> 0). */
  readonly size: number;
  /** Number of bins. */
  readonly count: number;
}

/**
 * Chooses `count` equal-width bins covering the finite values (a single bin of width 1 when all are equal).
 *
 * @param values - numbers (NaN and ±Infinity ignored)
 * @param count - number of bins (default 20)
 * @returns the bin edges, or undefined when there is no finite value
 */
export function histogramBins(values: Iterable<number>, count = 20): HistogramBins | undefined {
  let lo = Infinity;
  let hi = -Infinity;
  for (const v of values) {
    if (Number.isFinite(v)) {
      lo = Math.min(lo, v);
      hi = Math.max(hi, v);
    }
  }
  if (lo > hi) {
    return undefined;
  }
  const size = (hi - lo) / count;
  // A range so small its bins would underflow (subnormal spans) is drawn as one bin, like a constant column.
  if (lo === hi || !(size > 0) || lo + size * count < hi) {
    return { start: lo - 0.5 * (hi - lo || 1), size: hi - lo || 1, count: 1 };
  }
  return { start: lo, size, count };
}

/**
 * Counts values into fixed bins (values past the last edge land in the last bin; outside values are dropped).
 *
 * @param values - numbers
 * @param edges - the bins
 * @returns one count per bin
 */
export function binCounts(values: Iterable<number>, edges: HistogramBins): number[] {
  const counts = new Array<number>(edges.count).fill(0);
  for (const v of values) {
    if (!Number.isFinite(v)) {
      continue;
    }
    const i = Math.floor((v - edges.start) / edges.size);
    // The maximum lands exactly on the last edge (or one rounding step past it): it belongs to the last bin.
    const j = i === edges.count || (i > edges.count && v <= edges.start + edges.size * edges.count) ? edges.count - 1 : i;
    if (j >= 0 && j < edges.count) {
      counts[j] = (counts[j] ?? 0) + 1;
    }
  }
  return counts;
}

/**
 * Bin centres of fixed bins (for bar charts of pre-counted histograms).
 *
 * @param edges - the bins
 * @returns one centre per bin
 */
export function histogramBinCentres(edges: HistogramBins): number[] {
  return Array.from({ length: edges.count }, (_, i) => edges.start + (i + 0.5) * edges.size);
}

/**
 * Mean of the finite values.
 *
 * @param values - numbers
 * @returns the mean, NaN when there is none
 */
export function finiteMean(values: readonly number[]): number {
  let s = 0;
  let n = 0;
  for (const v of values) {
    if (Number.isFinite(v)) {
      s += v;
      n += 1;
    }
  }
  return n === 0 ? NaN : s / n;
}

/**
 * Pearson correlation over the pairs where both values are finite.
 *
 * @param x - first variable
 * @param y - second variable (same length)
 * @returns r in [-1, 1], NaN when fewer than 3 pairs or a constant variable
 */
export function pearsonR(x: readonly number[], y: readonly number[]): number {
  let n = 0;
  let sx = 0;
  let sy = 0;
  let sxx = 0;
  let syy = 0;
  let sxy = 0;
  const len = Math.min(x.length, y.length);
  for (let i = 0; i < len; i++) {
    const a = x[i] ?? NaN;
    const b = y[i] ?? NaN;
    if (Number.isFinite(a) && Number.isFinite(b)) {
      n += 1;
      sx += a;
      sy += b;
      sxx += a * a;
      syy += b * b;
      sxy += a * b;
    }
  }
  if (n < 3) {
    return NaN;
  }
  const cov = sxy - (sx * sy) / n;
  const vx = sxx - (sx * sx) / n;
  const vy = syy - (sy * sy) / n;
  if (vx <= 1e-12 || vy <= 1e-12) {
    return NaN;
  }
  return Math.max(-1, Math.min(1, cov / Math.sqrt(vx * vy)));
}

/** Result of {@link pca2}. */
export interface Pca2Result {
  /** One [pc1, pc2] per input row. */
  readonly points: readonly (readonly [number, number])[];
  /** Fraction of the total variance each component explains. */
  readonly explained: readonly [number, number];
}

/**
 * Principal component analysis to two dimensions on standardized columns (z-scores; missing values imputed with the
 * column mean), by power iteration with deflation on the covariance matrix — deterministic (fixed start vector).
 *
 * @param rows - a matrix, one row per sample, same number of columns
 * @returns the 2-D coordinates and explained variance
 * @throws {@link HealthDataError} (invalid-input) when rows have different lengths
 */
export function pca2(rows: readonly (readonly number[])[]): Pca2Result {
  const n = rows.length;
  const d = rows[0]?.length ?? 0;
  if (rows.some((r) => r.length !== d)) {
    throw new HealthDataError('invalid-input', `pca2: every row must have ${String(d)} columns; pass a rectangular matrix`, { path: 'rows' });
  }
  if (n < 2 || d === 0) {
    return { points: rows.map(() => [0, 0] as const), explained: [0, 0] };
  }
  const z: Float64Array[] = rows.map(() => new Float64Array(d));
  for (let j = 0; j < d; j++) {
    const col = rows.map((r) => r[j] ?? NaN);
    const m = finiteMean(col);
    let ss = 0;
    let k = 0;
    for (const v of col) {
      if (Number.isFinite(v)) {
        ss += (v - m) ** 2;
        k += 1;
      }
    }
    const sd = k > 1 ? Math.sqrt(ss / (k - 1)) : 0;
    for (let i = 0; i < n; i++) {
      const v = col[i] ?? NaN;
      (z[i] as Float64Array)[j] = Number.isFinite(v) && sd > 0 ? (v - m) / sd : 0;
    }
  }
  const cov: Float64Array[] = Array.from({ length: d }, () => new Float64Array(d));
  for (const r of z) {
    for (let a = 0; a < d; a++) {
      const ra = r[a] ?? 0;
      const ca = cov[a] as Float64Array;
      for (let b = a; b < d; b++) {
        ca[b] = (ca[b] ?? 0) + ra * (r[b] ?? 0);
      }
    }
  }
  let trace = 0;
  for (let a = 0; a < d; a++) {
    for (let b = a; b < d; b++) {
      const v = ((cov[a] as Float64Array)[b] ?? 0) / (n - 1);
      (cov[a] as Float64Array)[b] = v;
      (cov[b] as Float64Array)[a] = v;
    }
    trace += (cov[a] as Float64Array)[a] ?? 0;
  }
  const components: Float64Array[] = [];
  const eigen: number[] = [];
  for (let c = 0; c < 2; c++) {
    let v = new Float64Array(d).map((_, i) => 1 / Math.sqrt(d) + i * 1e-3);
    let lambda = 0;
    for (let it = 0; it < 200; it++) {
      const w = new Float64Array(d);
      for (let a = 0; a < d; a++) {
        let s = 0;
        for (let b = 0; b < d; b++) {
          s += ((cov[a] as Float64Array)[b] ?? 0) * (v[b] ?? 0);
        }
        w[a] = s;
      }
      for (let k = 0; k < components.length; k++) {
        const u = components[k] as Float64Array;
        const dot = w.reduce((s, x, i) => s + x * (u[i] ?? 0), 0);
        for (let a = 0; a < d; a++) {
          w[a] = (w[a] ?? 0) - dot * (u[a] ?? 0);
        }
      }
      const norm = Math.sqrt(w.reduce((s, x) => s + x * x, 0));
      if (norm < 1e-12) {
        break;
      }
      lambda = norm;
      v = w.map((x) => x / norm);
    }
    // Sign convention: the largest-magnitude loading is positive, so results do not flip between runs.
    let big = 0;
    for (let a = 0; a < d; a++) {
      if (Math.abs(v[a] ?? 0) > Math.abs(v[big] ?? 0)) {
        big = a;
      }
    }
    if ((v[big] ?? 0) < 0) {
      v = v.map((x) => -x);
    }
    components.push(v);
    eigen.push(lambda);
  }
  const [u1, u2] = components as [Float64Array, Float64Array];
  const points = z.map((r) => {
    let p1 = 0;
    let p2 = 0;
    for (let a = 0; a < d; a++) {
      p1 += (r[a] ?? 0) * (u1[a] ?? 0);
      p2 += (r[a] ?? 0) * (u2[a] ?? 0);
    }
    return [p1, p2] as const;
  });
  return { points, explained: [trace > 0 ? (eigen[0] ?? 0) / trace : 0, trace > 0 ? (eigen[1] ?? 0) / trace : 0] };
}
