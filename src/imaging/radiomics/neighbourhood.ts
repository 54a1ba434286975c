/**
 * GLSZM (26-connected zones), GLDM (dependence within alpha over 26 neighbours) and NGTDM (26-neighbour grey
 * tone differences), pyradiomics definitions (IBSI "szm", "ngl" with delta 1, "ngt"; 3-D).
 */
import type { DiscretisedRoi } from './roi';
import type { SizeMatrix } from './size-matrix';
import { sizeMatrixStats } from './size-matrix';

/** Box-index offsets of the neighbours: both senses of every texture direction (26 in 3-D, 8 with force2D). */
function neighbourOffsets(roi: DiscretisedRoi): Int32Array {
  const [DX, DY] = roi.dims;
  const out: number[] = [];
  for (const [dx, dy, dz] of roi.directions) {
    const o = dx + DX * (dy + DY * dz);
    out.push(o, -o);
  }
  return Int32Array.from(out);
}

function levelMap(roi: DiscretisedRoi): Int32Array {
  const map = new Int32Array(roi.ng + 1);
  roi.present.forEach((l, i) => (map[l] = i));
  return map;
}

/**
 * Size-zone matrix (26-connectivity).
 *
 * @param roi - region
 * @returns the matrix (columns up to the largest zone)
 */
export function glszmMatrix(roi: DiscretisedRoi): SizeMatrix {
  const offs = neighbourOffsets(roi);
  const lv = roi.levels;
  const visited = new Uint8Array(lv.length);
  const stack = new Int32Array(roi.count);
  const zones: [number, number][] = [];
  let largest = 0;
  for (let t = 0; t < roi.count; t++) {
    const start = roi.index[t] ?? 0;
    if (visited[start] === 1) {
      continue;
    }
    const l = lv[start] ?? 0;
    visited[start] = 1;
    let top = 0;
    stack[top++] = start;
    let size = 0;
    while (top > 0) {
      const b = stack[--top] ?? 0;
      size++;
      for (const o of offs) {
        const nb = b + o;
        if (visited[nb] === 0 && lv[nb] === l) {
          visited[nb] = 1;
          stack[top++] = nb;
        }
      }
    }
    zones.push([l, size]);
    if (size > largest) {
      largest = size;
    }
  }
  const map = levelMap(roi);
  const counts = new Float64Array(roi.present.length * largest);
  for (const [l, size] of zones) {
    const cell = (map[l] ?? 0) * largest + size - 1;
    counts[cell] = (counts[cell] ?? 0) + 1;
  }
  return { counts, levels: roi.present, sizes: largest };
}

/**
 * GLSZM features.
 *
 * @param roi - region
 * @param matrix - the matrix when already built (e.g. by `sizeZoneMatrix`)
 * @returns features named as pyradiomics
 */
export function glszmFeatures(roi: DiscretisedRoi, matrix?: SizeMatrix): Record<string, number> {
  const s = sizeMatrixStats(matrix ?? glszmMatrix(roi));
  if (s === undefined) {
    return {};
  }
  return {
    SmallAreaEmphasis: s.smallEmphasis,
    LargeAreaEmphasis: s.largeEmphasis,
    GrayLevelNonUniformity: s.glNonUniformity,
    GrayLevelNonUniformityNormalized: s.glNonUniformityNorm,
    SizeZoneNonUniformity: s.sizeNonUniformity,
    SizeZoneNonUniformityNormalized: s.sizeNonUniformityNorm,
    ZonePercentage: s.nz / roi.count,
    GrayLevelVariance: s.glVariance,
    ZoneVariance: s.sizeVariance,
    ZoneEntropy: s.entropy,
    LowGrayLevelZoneEmphasis: s.lowGl,
    HighGrayLevelZoneEmphasis: s.highGl,
    SmallAreaLowGrayLevelEmphasis: s.smallLowGl,
    SmallAreaHighGrayLevelEmphasis: s.smallHighGl,
    LargeAreaLowGrayLevelEmphasis: s.largeLowGl,
    LargeAreaHighGrayLevelEmphasis: s.largeHighGl,
  };
}

/**
 * Dependence matrix: for each voxel, 1 + the neighbours (26, distance 1, inside the region) within `alpha`.
 *
 * @param roi - region
 * @param alpha - grey-level tolerance (pyradiomics gldm_a, default 0)
 * @returns the matrix (27 columns)
 */
export function gldmMatrix(roi: DiscretisedRoi, alpha = 0): SizeMatrix {
  const offs = neighbourOffsets(roi);
  const lv = roi.levels;
  const map = levelMap(roi);
  const sizes = offs.length + 1;
  const counts = new Float64Array(roi.present.length * sizes);
  for (let t = 0; t < roi.count; t++) {
    const b = roi.index[t] ?? 0;
    const l = lv[b] ?? 0;
    let d = 1;
    for (const o of offs) {
      const n = lv[b + o] ?? 0;
      if (n > 0 && Math.abs(n - l) <= alpha) {
        d++;
      }
    }
    const cell = (map[l] ?? 0) * sizes + d - 1;
    counts[cell] = (counts[cell] ?? 0) + 1;
  }
  return { counts, levels: roi.present, sizes };
}

/**
 * GLDM features.
 *
 * @param roi - region
 * @param alpha - gldm_a
 * @param matrix - the matrix when already built (e.g. by `neighbourhoodMatrices`)
 * @returns features named as pyradiomics
 */
export function gldmFeatures(roi: DiscretisedRoi, alpha = 0, matrix?: SizeMatrix): Record<string, number> {
  const s = sizeMatrixStats(matrix ?? gldmMatrix(roi, alpha));
  if (s === undefined) {
    return {};
  }
  return {
    SmallDependenceEmphasis: s.smallEmphasis,
    LargeDependenceEmphasis: s.largeEmphasis,
    GrayLevelNonUniformity: s.glNonUniformity,
    DependenceNonUniformity: s.sizeNonUniformity,
    DependenceNonUniformityNormalized: s.sizeNonUniformityNorm,
    GrayLevelVariance: s.glVariance,
    DependenceVariance: s.sizeVariance,
    DependenceEntropy: s.entropy,
    LowGrayLevelEmphasis: s.lowGl,
    HighGrayLevelEmphasis: s.highGl,
    SmallDependenceLowGrayLevelEmphasis: s.smallLowGl,
    SmallDependenceHighGrayLevelEmphasis: s.smallHighGl,
    LargeDependenceLowGrayLevelEmphasis: s.largeLowGl,
    LargeDependenceHighGrayLevelEmphasis: s.largeHighGl,
  };
}

/** NGTDM columns per present grey level. */
export interface NgtdmMatrix {
  /** Voxel count n_i (voxels with at least one neighbour). */
  readonly n: Float64Array;
  /** Sum of |i − mean neighbour| s_i. */
  readonly s: Float64Array;
  /** Grey levels. */
  readonly levels: Int32Array;
}

/**
 * Neighbourhood grey tone difference matrix (26 neighbours inside the region; voxels without any are skipped).
 *
 * @param roi - region
 * @returns n_i and s_i per present level
 */
export function ngtdmMatrix(roi: DiscretisedRoi): NgtdmMatrix {
  const offs = neighbourOffsets(roi);
  const lv = roi.levels;
  const map = levelMap(roi);
  const n = new Float64Array(roi.present.length);
  const s = new Float64Array(roi.present.length);
  for (let t = 0; t < roi.count; t++) {
    const b = roi.index[t] ?? 0;
    const l = lv[b] ?? 0;
    let sum = 0;
    let cnt = 0;
    for (const o of offs) {
      const v = lv[b + o] ?? 0;
      if (v > 0) {
        sum += v;
        cnt++;
      }
    }
    if (cnt === 0) {
      continue;
    }
    const a = map[l] ?? 0;
    n[a] = (n[a] ?? 0) + 1;
    s[a] = (s[a] ?? 0) + Math.abs(l - sum / cnt);
  }
  return { n, s, levels: roi.present };
}

/**
 * NGTDM features.
 *
 * @param roi - region
 * @param matrix - n_i and s_i when already built (e.g. by `neighbourhoodMatrices`)
 * @returns features named as pyradiomics
 */
export function ngtdmFeatures(roi: DiscretisedRoi, matrix?: NgtdmMatrix): Record<string, number> {
  const { n, s, levels } = matrix ?? ngtdmMatrix(roi);
  let nvp = 0;
  for (const v of n) {
    nvp += v;
  }
  if (nvp === 0) {
    return {};
  }
  const k = levels.length;
  const p = n.map((v) => v / nvp);
  let ngp = 0;
  let sumPS = 0;
  let sumS = 0;
  for (let a = 0; a < k; a++) {
    if ((p[a] ?? 0) > 0) {
      ngp++;
    }
    sumPS += (p[a] ?? 0) * (s[a] ?? 0);
    sumS += s[a] ?? 0;
  }
  let contrastSum = 0;
  let busyDen = 0;
  let complexity = 0;
  let strengthNum = 0;
  for (let a = 0; a < k; a++) {
    const pi = p[a] ?? 0;
    if (pi === 0) {
      continue;
    }
    const i = levels[a] ?? 0;
    for (let b = 0; b < k; b++) {
      const pj = p[b] ?? 0;
      if (pj === 0) {
        continue;
      }
      const j = levels[b] ?? 0;
      contrastSum += pi * pj * (i - j) ** 2;
      busyDen += Math.abs(i * pi - j * pj);
      complexity += (Math.abs(i - j) * (pi * (s[a] ?? 0) + pj * (s[b] ?? 0))) / (pi + pj);
      strengthNum += (pi + pj) * (i - j) ** 2;
    }
  }
  return {
    Coarseness: sumPS === 0 ? 1e6 : 1 / sumPS,
    Contrast: ngp > 1 ? (contrastSum / (ngp * (ngp - 1))) * (sumS / nvp) : 0,
    Busyness: busyDen === 0 ? 0 : sumPS / busyDen,
    Complexity: complexity / nvp,
    Strength: sumS === 0 ? 0 : strengthNum / sumS,
  };
}
