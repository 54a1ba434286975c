/**
 * Feature binning for the tree models (LightGBM's histogram idea): each feature's values map to at most `maxBins`
 * ordered bins, so split search scans histograms of bins instead of sorted values. Bin b holds values x with
 * `edges[b-1] < x <= edges[b]`; a split "bin ≤ b" is the same as "x ≤ edges[b]", so fitted trees keep real-valued
 * thresholds and predict on unbinned data.
 */
import type { Matrix } from '../types';

/** A binned training matrix, column-major. */
export interface BinnedMatrix {
  /** Rows. */
  readonly n: number;
  /** Columns. */
  readonly p: number;
  /** Bin of row i, feature j at `bins[j * n + i]`. */
  readonly bins: Uint8Array;
  /** Number of bins per feature. */
  readonly nBins: Int32Array;
  /** Upper edges per feature (length nBins − 1). */
  readonly edges: readonly Float64Array[];
}

/** Most columns with few values (indicators, one-hot levels, small counts) skip the sort of every value. */
const FEW_VALUES = 8;

/**
 * The sorted distinct values of a column that has at most `limit` of them and no NaN, from one scan; undefined
 * otherwise. Equal to the distinct values {@link featureEdges} gets by sorting (−0 and 0 count as one value, as
 * there: their midpoints with any other value are the same).
 */
function fewDistinct(values: Float64Array, limit: number): Float64Array | undefined {
  const seen = new Float64Array(limit);
  let m = 0;
  for (let i = 0; i < values.length; i++) {
    const v = values[i] as number;
    let q = 0;
    while (q < m && seen[q] !== v) {
      q++;
    }
    if (q === m) {
      if (m === limit || Number.isNaN(v)) {
        return undefined;
      }
      seen[m++] = v;
    }
  }
  return seen.subarray(0, m).sort();
}

function featureEdges(values: Float64Array, maxBins: number): Float64Array {
  const few = maxBins >= FEW_VALUES ? fewDistinct(values, FEW_VALUES) : undefined;
  if (few !== undefined) {
    const e = new Float64Array(Math.max(0, few.length - 1));
    for (let k = 0; k + 1 < few.length; k++) {
      e[k] = ((few[k] as number) + (few[k + 1] as number)) / 2;
    }
    return e;
  }
  const s = Float64Array.from(values).sort();
  const n = s.length;
  const distinct: number[] = [];
  for (let i = 0; i < n; i++) {
    const v = s[i] as number;
    if (i === 0 || v !== s[i - 1]) {
      distinct.push(v);
    }
  }
  if (distinct.length <= 1) {
    return new Float64Array(0);
  }
  if (distinct.length <= maxBins) {
    const e = new Float64Array(distinct.length - 1);
    for (let k = 0; k + 1 < distinct.length; k++) {
      e[k] = ((distinct[k] as number) + (distinct[k + 1] as number)) / 2;
    }
    return e;
  }
  // Quantile edges: cut after the value at each quantile position, at the midpoint to the next distinct value.
  const edges: number[] = [];
  for (let b = 1; b < maxBins; b++) {
    let pos = Math.floor((b * n) / maxBins);
    const v = s[Math.min(pos, n - 1)] as number;
    while (pos < n && s[pos] === v) {
      pos++;
    }
    if (pos >= n) {
      break;
    }
    const edge = (v + (s[pos] as number)) / 2;
    if (edges.length === 0 || edge > (edges[edges.length - 1] as number)) {
      edges.push(edge);
    }
  }
  return Float64Array.from(edges);
}

/**
 * Finds the bin of a value.
 *
 * @param edges - upper edges of a feature
 * @param x - the value
 * @returns the bin index (0 … edges.length)
 */
export function binOf(edges: Float64Array, x: number): number {
  let lo = 0;
  let hi = edges.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (x <= (edges[mid] as number)) {
      hi = mid;
    } else {
      lo = mid + 1;
    }
  }
  return lo;
}

/**
 * Bins a matrix with edges computed from its own values.
 *
 * @param x - the training matrix
 * @param maxBins - at most this many bins per feature (≤ 256)
 * @returns the binned matrix
 */
export function binMatrix(x: Matrix, maxBins = 255): BinnedMatrix {
  const { n, p } = x;
  const bins = new Uint8Array(n * p);
  const nBins = new Int32Array(p);
  const edges: Float64Array[] = [];
  const col = new Float64Array(n);
  for (let j = 0; j < p; j++) {
    for (let i = 0; i < n; i++) {
      col[i] = x.data[i * p + j] as number;
    }
    const e = featureEdges(col, Math.min(maxBins, 256));
    edges.push(e);
    nBins[j] = e.length + 1;
    const off = j * n;
    for (let i = 0; i < n; i++) {
      bins[off + i] = binOf(e, col[i] as number);
    }
  }
  return { n, p, bins, nBins, edges };
}
