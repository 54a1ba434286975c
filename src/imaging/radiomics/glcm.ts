/**
 * Grey level co-occurrence matrix features (pyradiomics definitions; IBSI "cm", 3-D, averaged over the 13
 * directions at distance 1, symmetric matrices).
 */
import { symmetricEigenvalues } from './linalg';
import type { DiscretisedRoi } from './roi';
import { EPS } from './roi';

/** Feature names in pyradiomics' order. */
export const GLCM_FEATURES = [
  'Autocorrelation',
  'JointAverage',
  'ClusterProminence',
  'ClusterShade',
  'ClusterTendency',
  'Contrast',
  'Correlation',
  'DifferenceAverage',
  'DifferenceEntropy',
  'DifferenceVariance',
  'JointEnergy',
  'JointEntropy',
  'Imc1',
  'Imc2',
  'Idm',
  'MCC',
  'Idmn',
  'Id',
  'Idn',
  'InverseVariance',
  'MaximumProbability',
  'SumEntropy',
  'SumSquares',
] as const;

/**
 * Symmetric co-occurrence counts for one direction, over the present grey levels.
 *
 * @param roi - region
 * @param dir - (dx, dy, dz)
 * @returns K×K counts (K = present levels), row-major
 */
export function glcmMatrix(roi: DiscretisedRoi, dir: readonly [number, number, number]): Float64Array {
  const [DX, DY] = roi.dims;
  const k = roi.present.length;
  const map = new Int32Array(roi.ng + 1);
  roi.present.forEach((l, i) => (map[l] = i));
  const off = dir[0] + DX * (dir[1] + DY * dir[2]);
  const p = new Float64Array(k * k);
  const lv = roi.levels;
  for (let t = 0; t < roi.count; t++) {
    const b = roi.index[t] ?? 0;
    const j = lv[b + off] ?? 0;
    if (j > 0) {
      const a = map[lv[b] ?? 0] ?? 0;
      const c = map[j] ?? 0;
      p[a * k + c] = (p[a * k + c] ?? 0) + 1;
      p[c * k + a] = (p[c * k + a] ?? 0) + 1;
    }
  }
  return p;
}

/**
 * Features of one normalised matrix.
 *
 * @param counts - K×K counts
 * @param levels - grey level of each row
 * @param ng - highest grey level (Ng)
 * @returns feature values, or undefined for an empty matrix
 */
export function glcmMatrixFeatures(counts: Float64Array, levels: Int32Array, ng: number): Record<string, number> | undefined {
  let total = 0;
  for (const c of counts) {
    total += c;
  }
  if (total === 0) {
    return undefined;
  }
  const p = counts.map((c) => c / total);
  const mg = marginals(p, levels);
  const j = jointSums(p, levels, ng, mg);
  const [diffAvg, diffEnt, invVar, diffVar] = differenceStats(j.pDiff);
  let sumAvg = 0;
  let sumEnt = 0;
  j.pSum.forEach((v, s) => {
    sumAvg += s * v;
    sumEnt -= v * Math.log2(v + EPS);
  });
  const { ux, uy, sx, sy, hx, hy } = mg;
  const corr = sx * sy === 0 ? 1 : (j.auto - ux * uy) / (sx * sy);
  const hmax = Math.max(hx, hy);
  const imc1 = hmax === 0 ? 0 : (j.hxy - j.hxy1) / hmax;
  const imc2 = j.hxy > j.hxy2 ? 0 : Math.sqrt(1 - Math.exp(-2 * (j.hxy2 - j.hxy)));
  return {
    Autocorrelation: j.auto,
    JointAverage: ux,
    ClusterProminence: j.prom,
    ClusterShade: j.shade,
    ClusterTendency: j.tend,
    Contrast: j.contrast,
    Correlation: corr,
    DifferenceAverage: diffAvg,
    DifferenceEntropy: diffEnt,
    DifferenceVariance: diffVar,
    JointEnergy: j.energy,
    JointEntropy: j.hxy,
    Imc1: imc1,
    Imc2: imc2,
    Idm: j.idm,
    MCC: maximalCorrelation(p, levels.length, mg.px, mg.py),
    Idmn: j.idmn,
    Id: j.id,
    Idn: j.idn,
    InverseVariance: invVar,
    MaximumProbability: j.maxP,
    SumAverage: sumAvg,
    SumEntropy: sumEnt,
    SumSquares: j.sumSquares,
  };
}

/** Marginal distributions of a normalised matrix, their means, standard deviations and entropies. */
interface Marginals {
  readonly px: Float64Array;
  readonly py: Float64Array;
  readonly ux: number;
  readonly uy: number;
  readonly sx: number;
  readonly sy: number;
  readonly hx: number;
  readonly hy: number;
}

function marginals(p: Float64Array, levels: Int32Array): Marginals {
  const k = levels.length;
  const px = new Float64Array(k);
  const py = new Float64Array(k);
  for (let a = 0; a < k; a++) {
    for (let b = 0; b < k; b++) {
      const v = p[a * k + b] ?? 0;
      px[a] = (px[a] ?? 0) + v;
      py[b] = (py[b] ?? 0) + v;
    }
  }
  let ux = 0;
  let uy = 0;
  for (let a = 0; a < k; a++) {
    const i = levels[a] ?? 0;
    ux += i * (px[a] ?? 0);
    uy += i * (py[a] ?? 0);
  }
  let sx = 0;
  let sy = 0;
  for (let a = 0; a < k; a++) {
    const i = levels[a] ?? 0;
    sx += (i - ux) ** 2 * (px[a] ?? 0);
    sy += (i - uy) ** 2 * (py[a] ?? 0);
  }
  let hx = 0;
  let hy = 0;
  for (let a = 0; a < k; a++) {
    hx -= (px[a] ?? 0) * Math.log2((px[a] ?? 0) + EPS);
    hy -= (py[a] ?? 0) * Math.log2((py[a] ?? 0) + EPS);
  }
  return { px, py, ux, uy, sx: Math.sqrt(sx), sy: Math.sqrt(sy), hx, hy };
}

/** The sums over every cell of the matrix, and the sum (p_x+y) and difference (p_x−y) distributions. */
function jointSums(p: Float64Array, levels: Int32Array, ng: number, mg: Marginals) {
  const k = levels.length;
  const { px, py, ux, uy } = mg;
  const pSum = new Float64Array(2 * ng + 1);
  const pDiff = new Float64Array(ng);
  let auto = 0;
  let prom = 0;
  let shade = 0;
  let tend = 0;
  let contrast = 0;
  let energy = 0;
  let hxy = 0;
  let hxy1 = 0;
  let hxy2 = 0;
  let idm = 0;
  let idmn = 0;
  let id = 0;
  let idn = 0;
  let maxP = 0;
  let sumSquares = 0;
  for (let a = 0; a < k; a++) {
    const i = levels[a] ?? 0;
    for (let b = 0; b < k; b++) {
      const j = levels[b] ?? 0;
      const v = p[a * k + b] ?? 0;
      const pxy = (px[a] ?? 0) * (py[b] ?? 0);
      hxy1 -= v * Math.log2(pxy + EPS);
      hxy2 -= pxy * Math.log2(pxy + EPS);
      if (v === 0) {
        continue;
      }
      const d = Math.abs(i - j);
      pSum[i + j] = (pSum[i + j] ?? 0) + v;
      pDiff[d] = (pDiff[d] ?? 0) + v;
      auto += v * i * j;
      const s = i + j - ux - uy;
      prom += s ** 4 * v;
      shade += s ** 3 * v;
      tend += s ** 2 * v;
      contrast += d * d * v;
      energy += v * v;
      hxy -= v * Math.log2(v + EPS);
      idm += v / (1 + d * d);
      idmn += v / (1 + (d * d) / (ng * ng));
      id += v / (1 + d);
      idn += v / (1 + d / ng);
      if (v > maxP) {
        maxP = v;
      }
      sumSquares += (i - ux) ** 2 * v;
    }
  }
  return { pSum, pDiff, auto, prom, shade, tend, contrast, energy, hxy, hxy1, hxy2, idm, idmn, id, idn, maxP, sumSquares };
}

/** Difference average, entropy, inverse variance and variance of the difference distribution. */
function differenceStats(pDiff: Float64Array): [number, number, number, number] {
  let diffAvg = 0;
  let diffEnt = 0;
  let invVar = 0;
  pDiff.forEach((v, d) => {
    diffAvg += d * v;
    diffEnt -= v * Math.log2(v + EPS);
    if (d > 0) {
      invVar += v / (d * d);
    }
  });
  let diffVar = 0;
  pDiff.forEach((v, d) => (diffVar += (d - diffAvg) ** 2 * v));
  return [diffAvg, diffEnt, invVar, diffVar];
}

/** Maximal correlation coefficient: square root of the second largest eigenvalue of Q (1 for a single level). */
function maximalCorrelation(p: Float64Array, k: number, px: Float64Array, py: Float64Array): number {
  if (k <= 1) {
    return 1;
  }
  const bm = new Float64Array(k * k);
  for (let a = 0; a < k; a++) {
    for (let b = 0; b < k; b++) {
      const den = Math.sqrt((px[a] ?? 0) * (py[b] ?? 0));
      bm[a * k + b] = den === 0 ? 0 : (p[a * k + b] ?? 0) / den;
    }
  }
  const sq = symmetricEigenvalues(bm, k)
    .map((e) => e * e)
    .sort((x, y) => y - x);
  return Math.sqrt(Math.max(0, sq[1] ?? 0));
}

/**
 * Averages per-direction feature records (directions with an empty matrix are skipped, as numpy.nanmean).
 *
 * @param perDirection - one record per direction, undefined when empty
 * @returns the mean of each feature
 */
export function meanOverDirections(perDirection: readonly (Record<string, number> | undefined)[]): Record<string, number> {
  const sums: Record<string, number> = {};
  let n = 0;
  for (const r of perDirection) {
    if (r === undefined) {
      continue;
    }
    n++;
    for (const [key, v] of Object.entries(r)) {
      sums[key] = (sums[key] ?? 0) + v;
    }
  }
  return Object.fromEntries(Object.entries(sums).map(([key, v]) => [key, n === 0 ? NaN : v / n]));
}

/**
 * GLCM features averaged over the 13 directions (pyradiomics default, IBSI "3D, averaged"), or from the
 * merged matrix (`merged`, IBSI "3D, merged"; pyradiomics weightingNorm "no_weighting").
 *
 * @param roi - region
 * @param aggregation - `averaged` (default) or `merged`
 * @param matrices - the per-direction matrices when already built (e.g. by `neighbourhoodMatrices`)
 * @returns features
 */
export function glcmFeatures(roi: DiscretisedRoi, aggregation: 'averaged' | 'merged' = 'averaged', matrices?: readonly Float64Array[]): Record<string, number> {
  const mats = matrices ?? roi.directions.map((d) => glcmMatrix(roi, d));
  if (aggregation === 'merged') {
    const sum = new Float64Array(mats[0]?.length ?? 0);
    for (const m of mats) {
      m.forEach((v, i) => (sum[i] = (sum[i] ?? 0) + v));
    }
    return glcmMatrixFeatures(sum, roi.present, roi.ng) ?? {};
  }
  return meanOverDirections(mats.map((m) => glcmMatrixFeatures(m, roi.present, roi.ng)));
}
