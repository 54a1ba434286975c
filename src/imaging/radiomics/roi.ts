/**
 * The region of interest cropped to its bounding box with one voxel of padding, and discretised grey levels
 * (0 outside the region), so texture loops need no bounds checks.
 */
import { HealthDataError } from '../../errors';
import { scratchFloat64, scratchInt32, scratchUint8 } from './scratch';
import type { RadiomicsImage, RadiomicsSettings } from './types';

/** A cropped, discretised region. */
export interface DiscretisedRoi {
  /** Padded box size [x, y, z] (bounding box + 2). */
  readonly dims: readonly [number, number, number];
  /** Grey level per box voxel, 0 outside the region (built on first access; the fast paths read `code`). */
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
  /** Texture directions (dx, dy, dz), one of each opposite pair: 13 in 3-D, 4 with `force2D`. */
  readonly directions: readonly (readonly [number, number, number])[];
  /**
   * 1 + index into `present` of each box voxel's grey level, 0 outside the region: the compact grey-level code the
   * fast texture loops read (8 bits when up to 255 levels are present, 16 bits up to 65535).
   */
  readonly code: Uint8Array | Uint16Array | Int32Array;
}

/**
 * Crops and discretises the region.
 *
 * @param image - image
 * @param mask - labels, same size as the image
 * @param settings - label and discretisation
 * @param reuse - for a region that does not outlive its caller's call (`computeRadiomics`): a scratch role prefix, so
 *   the region's arrays (values, index, 8-bit codes) are per-thread scratch that the next call with the same prefix
 *   overwrites, instead of megabytes allocated (and collected) per region; absent, the region owns its arrays
 * @returns the region
 * @throws {@link HealthDataError} (invalid-input) for a size mismatch or an empty region
 */
export function discretiseRoi(image: RadiomicsImage, mask: ArrayLike<number>, settings: RadiomicsSettings = {}, reuse?: string): DiscretisedRoi {
  const [nx, ny, nz] = image.size;
  if (image.voxels.length !== nx * ny * nz || mask.length !== image.voxels.length) {
    throw new HealthDataError(
      'invalid-input',
      `computeRadiomics: image has ${String(image.voxels.length)} voxels, mask ${String(mask.length)}, size ${image.size.join('×')}; pass an image and mask of the same size`,
    );
  }
  const label = settings.label ?? 1;
  const rowFirst = new Int32Array(ny * nz).fill(-1);
  const rowLast = new Int32Array(ny * nz).fill(-1);
  const [x0 = 0, y0 = 0, z0 = 0, x1 = 0, y1 = 0, z1 = 0, count = 0, lo = 0, hi = 0] = regionBounds(image.voxels, searchable(mask), label, nx, ny, nz, rowFirst, rowLast);
  if (count === 0) {
    throw new HealthDataError('invalid-input', `computeRadiomics: the mask has no voxel with label ${String(label)}; pick another label or mask`, { path: 'label' });
  }
  const mode = settings.discretisation ?? (settings.binCount !== undefined ? 'fixed-bin-count' : 'fixed-bin-width');
  let toLevel: (v: number) => number;
  // fixed bin width: level = floor((v − low) / bw) + 1, computed inline by fillLevels (bw 0: call toLevel)
  let low = 0;
  let bw = 0;
  if (mode === 'none') {
    toLevel = (v) => Math.round(v);
  } else if (mode === 'fixed-bin-count') {
    // numpy.histogram(values, binCount) edges (linspace; the last edge raised by 1, as pyradiomics), then digitize
    const bins = settings.binCount ?? 16;
    const step = (hi - lo) / bins;
    const edges = new Float64Array(bins + 1);
    for (let e = 0; e <= bins; e++) {
      edges[e] = e * step + lo;
    }
    edges[bins] = hi + 1;
    toLevel = (v) => {
      if (step === 0) {
        return 1;
      }
      let l = Math.min(bins, Math.max(1, Math.floor((v - lo) / step) + 1));
      while (l > 1 && v < (edges[l - 1] ?? 0)) {
        l--;
      }
      while (l < bins && v >= (edges[l] ?? 0)) {
        l++;
      }
      return l;
    };
  } else {
    bw = settings.binWidth ?? 25;
    low = lo - (((lo % bw) + bw) % bw);
    toLevel = (v) => Math.floor((v - low) / bw) + 1;
    if (Math.floor((hi - low) / bw) + 1 > 1e6) {
      throw new HealthDataError('invalid-input', `computeRadiomics: bin width ${String(bw)} gives over a million grey levels for range ${String(lo)}…${String(hi)}; raise binWidth`, {
        path: 'binWidth',
      });
    }
  }
  const dx = x1 - x0 + 3;
  const dy = y1 - y0 + 3;
  const dz = z1 - z0 + 3;
  // per-thread scratch: the levels never leave this call (the box-sized `levels` is rebuilt from the codes)
  const regionLevels = scratchInt32('region levels', count);
  const values = reuse === undefined ? new Float64Array(count) : scratchFloat64(`${reuse} values`, count);
  const index = reuse === undefined ? new Int32Array(count) : scratchInt32(`${reuse} index`, count);
  const [ng, minLevel] = fillLevels(image.voxels, mask, label, nx, ny, [x0, y0, z0, x1, y1, z1], dx, dy, regionLevels, values, index, low, bw, toLevel, rowFirst, rowLast);
  if (minLevel < 1) {
    throw new HealthDataError('invalid-input', `computeRadiomics: discretisation 'none' needs grey levels ≥ 1, got ${String(minLevel)}; use binWidth or binCount`, { path: 'discretisation' });
  }
  const { present, code } = compactCodes(regionLevels, index, count, ng, dx * dy * dz, reuse);
  let levels: Int32Array | undefined;
  return {
    dims: [dx, dy, dz],
    get levels(): Int32Array {
      if (levels === undefined) {
        levels = new Int32Array(dx * dy * dz);
        for (let j = 0; j < count; j++) {
          const b = index[j] ?? 0;
          levels[b] = present[(code[b] ?? 0) - 1] ?? 0;
        }
      }
      return levels;
    },
    values,
    index,
    ng,
    count,
    present,
    spacingMm: image.spacingMm,
    start: [x0, y0, z0],
    directions: textureDirections(settings),
    code,
  };
}

/** A mask with the native `indexOf` / `lastIndexOf` of arrays and typed arrays (strict equality, as `===`). */
interface Searchable extends ArrayLike<number> {
  indexOf(value: number, from?: number): number;
  lastIndexOf(value: number, from?: number): number;
}

/** `mask` itself when it can search natively, else a wrapper with the same (linear-scan) semantics. */
function searchable(mask: ArrayLike<number>): Searchable {
  if (ArrayBuffer.isView(mask) || Array.isArray(mask)) {
    return mask as Searchable;
  }
  const indexOf = (value: number, from = 0): number => {
    for (let i = from; i < mask.length; i++) {
      if (mask[i] === value) {
        return i;
      }
    }
    return -1;
  };
  const lastIndexOf = (value: number, from = mask.length - 1): number => {
    for (let i = from; i >= 0; i--) {
      if (mask[i] === value) {
        return i;
      }
    }
    return -1;
  };
  return Object.assign(Array.prototype.slice.call(mask) as number[], { indexOf, lastIndexOf });
}

/**
 * Bounding box and intensity range of the region: [x0, y0, z0, x1, y1, z1, count, min, max] (x1 = −1 when empty),
 * and the first and last region x of every image row (row = y + ny·z; −1 for rows without region voxels). Rows
 * without region voxels are skipped by the native `indexOf` (most of a volume lies outside a brain mask).
 */
function regionBounds(voxels: ArrayLike<number>, mask: Searchable, label: number, nx: number, ny: number, nz: number, rowFirst: Int32Array, rowLast: Int32Array): Float64Array {
  let x0 = nx;
  let y0 = ny;
  let z0 = nz;
  let x1 = -1;
  let y1 = -1;
  let z1 = -1;
  let count = 0;
  let lo = Infinity;
  let hi = -Infinity;
  const total = nx * ny * nz;
  let i = mask.indexOf(label, 0);
  while (i >= 0 && i < total) {
    const row = Math.floor(i / nx);
    const rowStart = row * nx;
    const last = mask.lastIndexOf(label, rowStart + nx - 1);
    for (let j = i; j <= last; j++) {
      if (mask[j] === label) {
        count++;
        const v = voxels[j] ?? 0;
        if (v < lo) {
          lo = v;
        }
        if (v > hi) {
          hi = v;
        }
      }
    }
    const first = i - rowStart;
    rowFirst[row] = first;
    rowLast[row] = last - rowStart;
    const y = row % ny;
    const z = Math.floor(row / ny);
    if (first < x0) {
      x0 = first;
    }
    if (last - rowStart > x1) {
      x1 = last - rowStart;
    }
    if (y < y0) {
      y0 = y;
    }
    if (y > y1) {
      y1 = y;
    }
    if (z < z0) {
      z0 = z;
    }
    z1 = z;
    i = mask.indexOf(label, rowStart + nx);
  }
  return Float64Array.of(x0, y0, z0, x1, y1, z1, count, lo, hi);
}

/**
 * Writes the grey levels, intensities and box indices of the region voxels (region order); returns [highest level,
 * lowest level]. Visits only the stretch between the first and last region voxel of each row.
 */
function fillLevels(
  voxels: ArrayLike<number>,
  mask: ArrayLike<number>,
  label: number,
  nx: number,
  ny: number,
  box: readonly number[],
  dx: number,
  dy: number,
  levels: Int32Array,
  values: Float64Array,
  index: Int32Array,
  low: number,
  bw: number,
  toLevel: (v: number) => number,
  rowFirst: Int32Array,
  rowLast: Int32Array,
): [number, number] {
  const [x0 = 0, y0 = 0, z0 = 0, , y1 = 0, z1 = 0] = box;
  const out: FillOutput = { levels, values, index, k: 0, ng: 0, minLevel: Infinity };
  for (let z = z0; z <= z1; z++) {
    for (let y = y0; y <= y1; y++) {
      const r = y + ny * z;
      const first = rowFirst[r] ?? -1;
      if (first >= 0) {
        fillRow(voxels, mask, label, first, rowLast[r] ?? -1, nx * r, 1 - x0 + dx * (y - y0 + 1 + dy * (z - z0 + 1)), low, bw, toLevel, out);
      }
    }
  }
  return [out.ng, out.minLevel];
}

/** Where {@link fillRow} writes: the region arrays, how many voxels are in them, and the level range so far. */
interface FillOutput {
  readonly levels: Int32Array;
  readonly values: Float64Array;
  readonly index: Int32Array;
  k: number;
  ng: number;
  minLevel: number;
}

/**
 * The region voxels of one image row between x = first and last (row = its first voxel's image index, boxRow = box
 * index − x). A function of its own so the JIT compiles it whole (an inner loop compiled on-stack inside the outer
 * loops deoptimises at every exit).
 */
function fillRow(
  voxels: ArrayLike<number>,
  mask: ArrayLike<number>,
  label: number,
  first: number,
  last: number,
  row: number,
  boxRow: number,
  low: number,
  bw: number,
  toLevel: (v: number) => number,
  out: FillOutput,
): void {
  const { levels, values, index } = out;
  let k = out.k;
  let ng = out.ng;
  let minLevel = out.minLevel;
  for (let x = first; x <= last; x++) {
    const i = x + row;
    if (mask[i] === label) {
      const v = voxels[i] ?? 0;
      const l = bw > 0 ? Math.floor((v - low) / bw) + 1 : toLevel(v);
      levels[k] = l;
      values[k] = v;
      index[k] = x + boxRow;
      k++;
      if (l > ng) {
        ng = l;
      }
      if (l < minLevel) {
        minLevel = l;
      }
    }
  }
  out.k = k;
  out.ng = ng;
  out.minLevel = minLevel;
}

/** The grey levels present (ascending) and the compact code of every box voxel (rank + 1, 0 outside). */
function compactCodes(
  levels: Int32Array,
  index: Int32Array,
  count: number,
  ng: number,
  boxSize: number,
  reuse: string | undefined,
): { present: Int32Array; code: Uint8Array | Uint16Array | Int32Array } {
  const seen = new Int32Array(ng + 1);
  for (let j = 0; j < count; j++) {
    seen[levels[j] ?? 0] = 1;
  }
  const present: number[] = [];
  for (let l = 1; l <= ng; l++) {
    if (seen[l] === 1) {
      seen[l] = present.length;
      present.push(l);
    }
  }
  const code =
    present.length < 255
      ? reuse === undefined
        ? new Uint8Array(boxSize)
        : scratchUint8(`${reuse} codes`, boxSize).fill(0)
      : present.length < 65535
        ? new Uint16Array(boxSize)
        : new Int32Array(boxSize);
  for (let j = 0; j < count; j++) {
    code[index[j] ?? 0] = (seen[levels[j] ?? 0] ?? 0) + 1;
  }
  return { present: Int32Array.from(present), code };
}

/**
 * The texture directions for the settings: the 13 of {@link DIRECTIONS_3D}, or with `force2D` the 4 lying in the
 * plane normal to `force2Ddimension` (pyradiomics' (z, y, x) axis order).
 *
 * @param settings - force2D and force2Ddimension
 * @returns directions (dx, dy, dz)
 */
export function textureDirections(settings: RadiomicsSettings = {}): readonly (readonly [number, number, number])[] {
  if (settings.force2D !== true) {
    return DIRECTIONS_3D;
  }
  const normal = 2 - (settings.force2Ddimension ?? 0); // (z, y, x) axis → index into (dx, dy, dz)
  return DIRECTIONS_3D.filter((d) => d[normal] === 0);
}

/**
 * Re-segmentation as pyradiomics' `resegmentMask`: region voxels below the lower threshold (and above the upper one,
 * when given) leave the region.
 *
 * @param image - image
 * @param mask - labels
 * @param settings - label, resegmentRange and resegmentMode
 * @returns a 0/1 mask (1 = kept), or the input labels unchanged when no range is set
 * @throws {@link HealthDataError} (invalid-input) for a range with no or more than two values
 */
export function resegmentMask(image: RadiomicsImage, mask: ArrayLike<number>, settings: RadiomicsSettings = {}): ArrayLike<number> {
  const range = settings.resegmentRange;
  if (range === undefined) {
    return mask;
  }
  if (range.length < 1 || range.length > 2) {
    throw new HealthDataError('invalid-input', `computeRadiomics: resegmentRange needs 1 or 2 values, got ${String(range.length)}`, { path: 'resegmentRange' });
  }
  const label = settings.label ?? 1;
  const mode = settings.resegmentMode ?? 'absolute';
  let n = 0;
  let sum = 0;
  let sum2 = 0;
  let max = -Infinity;
  for (let i = 0; i < mask.length; i++) {
    if (mask[i] === label) {
      const v = image.voxels[i] ?? 0;
      n++;
      sum += v;
      if (v > max) {
        max = v;
      }
    }
  }
  const mean = n === 0 ? 0 : sum / n;
  for (let i = 0; i < mask.length; i++) {
    if (mask[i] === label) {
      sum2 += ((image.voxels[i] ?? 0) - mean) ** 2;
    }
  }
  const sd = n === 0 ? 0 : Math.sqrt(sum2 / n);
  const thresholds = [...range].sort((a, b) => a - b).map((t) => (mode === 'sigma' ? mean + sd * t : mode === 'relative' ? max * t : t));
  const lower = thresholds[0] ?? -Infinity;
  const upper = thresholds.length === 2 ? (thresholds[1] ?? Infinity) : Infinity;
  const out = new Uint8Array(mask.length);
  for (let i = 0; i < mask.length; i++) {
    if (mask[i] !== label) {
      continue;
    }
    const v = image.voxels[i] ?? 0;
    if (v >= lower && v <= upper) {
      out[i] = 1;
    }
  }
  return out;
}

/** The 13 unique 3-D directions (dx, dy, dz) of pyradiomics / IBSI, one of each opposite pair. */
export const DIRECTIONS_3D: readonly (readonly [number, number, number])[] = (() => {
  const out: [number, number, number][] = [];
  for (let dz = -1; dz <= 1; dz++) {
    for (let dy = -1; dy <= 1; dy++) {
      for (let dx = -1; dx <= 1; dx++) {
        const first = dz !== 0 ? dz : dy !== 0 ? dy : dx;
        if (first > 0) {
          out.push([dx, dy, dz]);
        }
      }
    }
  }
  return out;
})();

/** log2 with pyradiomics' epsilon. */
export const EPS = 2.220446049250313e-16;
