/**
 * Grey level run length matrix features (pyradiomics; IBSI "rlm", 3-D, averaged over 13 directions).
 */
import { meanOverDirections } from './glcm';
import type { DiscretisedRoi } from './roi';
import { DIRECTIONS_3D } from './roi';
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
    if (lv[b - off] === l) {continue;}
    let r = 1;
    while (lv[b + r * off] === l) {r++;}
    const cell = (map[l] ?? 0) * sizes + r - 1;
    counts[cell] = (counts[cell] ?? 0) + 1;
  }
  return { counts, levels: roi.present, sizes };
}

/**
 * GLRLM features, mean over the 13 directions.
 *
 * @param roi - region
 * @returns features named as pyradiomics
 */
export function glrlmFeatures(roi: DiscretisedRoi): Record<string, number> {
  return meanOverDirections(
    DIRECTIONS_3D.map((d) => {
      const s = sizeMatrixStats(glrlmMatrix(roi, d));
      if (s === undefined) {return undefined;}
      return {
        ShortRunEmphasis: s.smallEmphasis,
        LongRunEmphasis: s.largeEmphasis,
        GrayLevelNonUniformity: s.glNonUniformity,
        GrayLevelNonUniformityNormalized: s.glNonUniformityNorm,
        RunLengthNonUniformity: s.sizeNonUniformity,
        RunLengthNonUniformityNormalized: s.sizeNonUniformityNorm,
        RunPercentage: s.nz / roi.count,
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
