/**
 * The region of interest cropped to its bounding box with one voxel of padding, and discretised grey levels
 * (0 outside the region), so texture loops need no bounds checks.
 */
import { HealthDataError } from '../../errors';
import type { RadiomicsImage, RadiomicsSettings } from './types';

/** A cropped, discretised region. */
export interface DiscretisedRoi {
  /** Padded box size [x, y, z] (bounding box + 2). */
  readonly dims: readonly [number, number, number];
  /** Grey level per box voxel, 0 outside the region. */
  readonly levels: Int32Array;
  /** Original intensity per region voxel (region order). */
  readonly values: Float64Array;
  /** Box index of each region voxel (region order). */
  readonly index: Int32Array;
  /** Highest grey level (pyradiomics' Ng). */
  readonly ng: number;
  /** Voxel count. */
  readonly count: number;
  /** Grey levels present, ascending. */
  readonly present: Int32Array;
  /** Spacing in mm. */
  readonly spacingMm: readonly [number, number, number];
  /** Bounding box origin in the image (voxel index of box voxel (1,1,1)). */
  readonly start: readonly [number, number, number];
}

/**
 * Crops and discretises the region.
 *
 * @param image - image
 * @param mask - labels, same size as the image
 * @param settings - label and discretisation
 * @returns the region
 * @throws {@link HealthDataError} (invalid-input) for a size mismatch or an empty region
 */
export function discretiseRoi(image: RadiomicsImage, mask: ArrayLike<number>, settings: RadiomicsSettings = {}): DiscretisedRoi {
  const [nx, ny, nz] = image.size;
  if (image.voxels.length !== nx * ny * nz || mask.length !== image.voxels.length) {
    throw new HealthDataError('invalid-input', `computeRadiomics: image has ${String(image.voxels.length)} voxels, mask ${String(mask.length)}, size ${image.size.join('×')}; pass an image and mask of the same size`);
  }
  const label = settings.label ?? 1;
  let x0 = nx;
  let y0 = ny;
  let z0 = nz;
  let x1 = -1;
  let y1 = -1;
  let z1 = -1;
  let count = 0;
  let lo = Infinity;
  let hi = -Infinity;
  for (let z = 0, i = 0; z < nz; z++) {
    for (let y = 0; y < ny; y++) {
      for (let x = 0; x < nx; x++, i++) {
        if (mask[i] === label) {
          count++;
          if (x < x0) {x0 = x;}
          if (x > x1) {x1 = x;}
          if (y < y0) {y0 = y;}
          if (y > y1) {y1 = y;}
          if (z < z0) {z0 = z;}
          if (z > z1) {z1 = z;}
          const v = image.voxels[i] ?? 0;
          if (v < lo) {lo = v;}
          if (v > hi) {hi = v;}
        }
      }
    }
  }
  if (count === 0) {
    throw new HealthDataError('invalid-input', `computeRadiomics: the mask has no voxel with label ${String(label)}; pick another label or mask`, { path: 'label' });
  }
  const mode = settings.discretisation ?? (settings.binCount !== undefined ? 'fixed-bin-count' : 'fixed-bin-width');
  let toLevel: (v: number) => number;
  if (mode === 'none') {
    toLevel = (v) => Math.round(v);
  } else if (mode === 'fixed-bin-count') {
    const bins = settings.binCount ?? 16;
    const width = (hi - lo) / bins;
    toLevel = (v) => (width === 0 ? 1 : Math.min(bins, Math.floor((v - lo) / width) + 1));
  } else {
    const bw = settings.binWidth ?? 25;
    const low = lo - (((lo % bw) + bw) % bw);
    toLevel = (v) => Math.floor((v - low) / bw) + 1;
    if (Math.floor((hi - low) / bw) + 1 > 1e6) {
      throw new HealthDataError('invalid-input', `computeRadiomics: bin width ${String(bw)} gives over a million grey levels for range ${String(lo)}…${String(hi)}; raise binWidth`, { path: 'binWidth' });
    }
  }
  const dx = x1 - x0 + 3;
  const dy = y1 - y0 + 3;
  const dz = z1 - z0 + 3;
  const levels = new Int32Array(dx * dy * dz);
  const values = new Float64Array(count);
  const index = new Int32Array(count);
  let ng = 0;
  let k = 0;
  let minLevel = Infinity;
  for (let z = z0; z <= z1; z++) {
    for (let y = y0; y <= y1; y++) {
      for (let x = x0; x <= x1; x++) {
        const i = x + nx * (y + ny * z);
        if (mask[i] === label) {
          const v = image.voxels[i] ?? 0;
          const l = toLevel(v);
          const b = x - x0 + 1 + dx * (y - y0 + 1 + dy * (z - z0 + 1));
          levels[b] = l;
          values[k] = v;
          index[k] = b;
          k++;
          if (l > ng) {ng = l;}
          if (l < minLevel) {minLevel = l;}
        }
      }
    }
  }
  if (minLevel < 1) {
    throw new HealthDataError('invalid-input', `computeRadiomics: discretisation 'none' needs grey levels ≥ 1, got ${String(minLevel)}; use binWidth or binCount`, { path: 'discretisation' });
  }
  const seen = new Uint8Array(ng + 1);
  for (let j = 0; j < count; j++) {
    seen[levels[index[j] ?? 0] ?? 0] = 1;
  }
  const present: number[] = [];
  for (let l = 1; l <= ng; l++) {
    if (seen[l] === 1) {present.push(l);}
  }
  return { dims: [dx, dy, dz], levels, values, index, ng, count, present: Int32Array.from(present), spacingMm: image.spacingMm, start: [x0, y0, z0] };
}

/** The 13 unique 3-D directions (dx, dy, dz) of pyradiomics / IBSI, one of each opposite pair. */
export const DIRECTIONS_3D: readonly (readonly [number, number, number])[] = (() => {
  const out: [number, number, number][] = [];
  for (let dz = -1; dz <= 1; dz++) {
    for (let dy = -1; dy <= 1; dy++) {
      for (let dx = -1; dx <= 1; dx++) {
        const first = dz !== 0 ? dz : dy !== 0 ? dy : dx;
        if (first > 0) {out.push([dx, dy, dz]);}
      }
    }
  }
  return out;
})();

/** log2 with pyradiomics' epsilon. */
export const EPS = 2.220446049250313e-16;
