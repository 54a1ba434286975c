/**
 * Shared features of "grey level × size" matrices: GLRLM (size = run length), GLSZM (zone size) and GLDM
 * (dependence count). pyradiomics' formulas; `nz` is the matrix sum (runs, zones or voxels).
 */
import { EPS } from './roi';

/** A grey level × size count matrix. */
export interface SizeMatrix {
  /** K×S counts, row-major (row = present grey level, column = size − 1). */
  readonly counts: Float64Array;
  /** Grey level of each row. */
  readonly levels: Int32Array;
  /** Columns (largest size, or the number of `columnSizes`). */
  readonly sizes: number;
  /** Size of each column when only some sizes have a column (ascending); absent = column j holds size j + 1. */
  readonly columnSizes?: Int32Array;
}

/** Emphasis and non-uniformity features of a size matrix, keyed by a neutral name. */
export interface SizeMatrixStats {
  readonly nz: number;
  readonly smallEmphasis: number;
  readonly largeEmphasis: number;
  readonly glNonUniformity: number;
  readonly glNonUniformityNorm: number;
  readonly sizeNonUniformity: number;
  readonly sizeNonUniformityNorm: number;
  readonly glVariance: number;
  readonly sizeVariance: number;
  readonly entropy: number;
  readonly lowGl: number;
  readonly highGl: number;
  readonly smallLowGl: number;
  readonly smallHighGl: number;
  readonly largeLowGl: number;
  readonly largeHighGl: number;
}

/**
 * Computes the shared statistics.
 *
 * @param m - the matrix
 * @returns statistics, or undefined for an empty matrix
 */
export function sizeMatrixStats(m: SizeMatrix): SizeMatrixStats | undefined {
  // one scan collects the non-empty cells; the statistics then run over those only (zone matrices are wide and sparse)
  const { cells, nc, nz } = nonEmptyCells(m);
  if (nz === 0) {
    return undefined;
  }
  const sums = weightedSums(m, cells, nc, nz);
  const [se = 0, le = 0, lg = 0, hg = 0, slg = 0, shg = 0, llg = 0, lhg = 0, ent = 0, muI = 0, muJ = 0, gln = 0, sn = 0] = sums;
  const [glv, sv] = variances(m, cells, nc, nz, muI, muJ);
  return {
    nz,
    smallEmphasis: se / nz,
    largeEmphasis: le / nz,
    glNonUniformity: gln / nz,
    glNonUniformityNorm: gln / (nz * nz),
    sizeNonUniformity: sn / nz,
    sizeNonUniformityNorm: sn / (nz * nz),
    glVariance: glv,
    sizeVariance: sv,
    entropy: ent,
    lowGl: lg / nz,
    highGl: hg / nz,
    smallLowGl: slg / nz,
    smallHighGl: shg / nz,
    largeLowGl: llg / nz,
    largeHighGl: lhg / nz,
  };
}

/** The non-empty cells of the matrix (row-major order), their number and the matrix sum. */
function nonEmptyCells(m: SizeMatrix): { cells: Int32Array; nc: number; nz: number } {
  const k = m.levels.length;
  const S = m.sizes;
  const counts = m.counts;
  let cells = new Int32Array(256);
  let nc = 0;
  let nz = 0;
  for (let a = 0, base = 0; a < k; a++, base += S) {
    for (let s = 0; s < S; s++) {
      const c = counts[base + s] ?? 0;
      if (c === 0) {
        continue;
      }
      if (nc === cells.length) {
        const grown = new Int32Array(2 * nc);
        grown.set(cells);
        cells = grown;
      }
      cells[nc++] = base + s;
      nz += c;
    }
  }
  return { cells, nc, nz };
}

/**
 * Sums over the non-empty cells: [small, large emphasis, low, high grey level, the four mixed emphases, entropy,
 * mean level, mean size, grey-level non-uniformity, size non-uniformity] (emphases not yet divided by `nz`).
 */
function weightedSums(m: SizeMatrix, cells: Int32Array, nc: number, nz: number): Float64Array {
  const k = m.levels.length;
  const S = m.sizes;
  const counts = m.counts;
  const sizeOf = m.columnSizes ?? new Int32Array(0);
  const rowSum = new Float64Array(k);
  const colSum = new Float64Array(S);
  let se = 0;
  let le = 0;
  let lg = 0;
  let hg = 0;
  let slg = 0;
  let shg = 0;
  let llg = 0;
  let lhg = 0;
  let ent = 0;
  let muI = 0;
  let muJ = 0;
  for (let x = 0; x < nc; x++) {
    const cell = cells[x] ?? 0;
    const a = Math.floor(cell / S);
    const s = cell - a * S;
    const c = counts[cell] ?? 0;
    const i = m.levels[a] ?? 0;
    const i2 = i * i;
    const j = sizeOf[s] ?? s + 1;
    const j2 = j * j;
    rowSum[a] = (rowSum[a] ?? 0) + c;
    colSum[s] = (colSum[s] ?? 0) + c;
    se += c / j2;
    le += c * j2;
    lg += c / i2;
    hg += c * i2;
    slg += c / (i2 * j2);
    shg += (c * i2) / j2;
    llg += (c * j2) / i2;
    lhg += c * i2 * j2;
    const p = c / nz;
    ent -= p * Math.log2(p + EPS);
    muI += c * i;
    muJ += c * j;
  }
  muI /= nz;
  muJ /= nz;
  let gln = 0;
  for (let a = 0; a < k; a++) {
    gln += (rowSum[a] ?? 0) ** 2;
  }
  let sn = 0;
  for (let s = 0; s < S; s++) {
    sn += (colSum[s] ?? 0) ** 2;
  }
  return Float64Array.of(se, le, lg, hg, slg, shg, llg, lhg, ent, muI, muJ, gln, sn);
}

/** Grey-level and size variances (probability-weighted, about the means `muI`, `muJ`). */
function variances(m: SizeMatrix, cells: Int32Array, nc: number, nz: number, muI: number, muJ: number): [number, number] {
  const S = m.sizes;
  const counts = m.counts;
  const sizeOf = m.columnSizes ?? new Int32Array(0);
  let glv = 0;
  let sv = 0;
  for (let x = 0; x < nc; x++) {
    const cell = cells[x] ?? 0;
    const a = Math.floor(cell / S);
    const p = (counts[cell] ?? 0) / nz;
    glv += p * ((m.levels[a] ?? 0) - muI) ** 2;
    const s = cell - a * S;
    sv += p * ((sizeOf[s] ?? s + 1) - muJ) ** 2;
  }
  return [glv, sv];
}
