/**
 * Grey level run length matrix features (pyradiomics; IBSI "rlm", 3-D, averaged over 13 directions).
 */
import { meanOverDirections } from './glcm';
import type { DiscretisedRoi } from './roi';
import type { SizeMatrix } from './size-matrix';
import { sizeMatrixStats } from './size-matrix';

/**
 * Run-length matrix for one direction.
 *
 * @param roi - region
 * @param dir - (dx, dy, dz)
 * @returns the matrix
 */
export function glrlmMatrix(roi: DiscretisedRoi, dir: readonly [number, number, number]): SizeMatrix {
  const [DX, DY, DZ] = roi.dims;
  const k = roi.present.length;
  const map = new Int32Array(roi.ng + 1);
  roi.present.forEach((l, i) => (map[l] = i));
  const sizes = Math.max(DX, DY, DZ) - 2;
  const counts = new Float64Array(k * sizes);
  const off = dir[0] + DX * (dir[1] + DY * dir[2]);
  const lv = roi.levels;
  for (let t = 0; t < roi.count; t++) {
    const b = roi.index[t] ?? 0;
    const l = lv[b] ?? 0;
    if (lv[b - off] === l) {
      continue;
    }
    let r = 1;
    while (lv[b + r * off] === l) {
      r++;
    }
    const cell = (map[l] ?? 0) * sizes + r - 1;
    counts[cell] = (counts[cell] ?? 0) + 1;
  }
  return { counts, levels: roi.present, sizes };
}

/**
 * GLRLM features, mean over the 13 directions.
 *
 * @param roi - region
 * @param aggregation - `averaged` over directions (default) or `merged` (matrices summed first, pyradiomics
 *   weightingNorm `no_weighting`; RunPercentage then divides by voxels × directions, as pyradiomics)
 * @param matrices - the per-direction matrices when already built (e.g. by `runLengthMatrices`)
 * @returns features named as pyradiomics
 */
export function glrlmFeatures(roi: DiscretisedRoi, aggregation: 'averaged' | 'merged' = 'averaged', matrices?: readonly SizeMatrix[]): Record<string, number> {
  const mats = [...(matrices ?? roi.directions.map((d) => glrlmMatrix(roi, d)))];
  if (aggregation === 'merged') {
    const first = mats[0];
    if (first === undefined) {
      return {};
    }
    const sum = new Float64Array(first.counts.length);
    for (const m of mats) {
      m.counts.forEach((v, i) => (sum[i] = (sum[i] ?? 0) + v));
    }
    mats.length = 0;
    mats.push({ counts: sum, levels: first.levels, sizes: first.sizes });
  }
  const voxels = roi.count * (aggregation === 'merged' ? roi.directions.length : 1);
  return meanOverDirections(
    mats.map((m) => {
      const s = sizeMatrixStats(m);
      if (s === undefined) {
        return undefined;
      }
      return {
        ShortRunEmphasis: s.smallEmphasis,
        LongRunEmphasis: s.largeEmphasis,
        GrayLevelNonUniformity: s.glNonUniformity,
        GrayLevelNonUniformityNormalized: s.glNonUniformityNorm,
        RunLengthNonUniformity: s.sizeNonUniformity,
        RunLengthNonUniformityNormalized: s.sizeNonUniformityNorm,
        RunPercentage: s.nz / voxels,
        GrayLevelVariance: s.glVariance,
        RunVariance: s.sizeVariance,
        RunEntropy: s.entropy,
        LowGrayLevelRunEmphasis: s.lowGl,
        HighGrayLevelRunEmphasis: s.highGl,
        ShortRunLowGrayLevelEmphasis: s.smallLowGl,
        ShortRunHighGrayLevelEmphasis: s.smallHighGl,
        LongRunLowGrayLevelEmphasis: s.largeLowGl,
        LongRunHighGrayLevelEmphasis: s.largeHighGl,
      };
    }),
  );
}
