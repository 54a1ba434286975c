/**
 * Test fixture: the brain-mask implementation before issue 21's speed work (per-voxel floods, byte-wise morphology,
 * whole-volume passes), kept verbatim in behaviour so `masks.test.ts` can check the run-based one voxel for voxel.
 */
import { HealthDataError } from '../../src/errors';

/** A binary mask with the volume's size. */
export type BinaryMask = Uint8Array;

/** A volume's geometry and values (x fastest). */
export interface MaskInput {
  /** Intensities. */
  readonly voxels: ArrayLike<number>;
  /** [x, y, z]. */
  readonly size: readonly [number, number, number];
}

/**
 * Otsu threshold of the values selected by `include` (256-bin histogram).
 *
 * @param values - intensities
 * @param include - which voxels take part (default all)
 * @returns the threshold (values above it are "bright")
 */
export function referenceOtsuThreshold(values: ArrayLike<number>, include?: (i: number) => boolean): number {
  const selected = new Uint8Array(values.length);
  for (let i = 0; i < values.length; i++) {
    selected[i] = include === undefined || include(i) ? 1 : 0;
  }
  return otsuOfSelected(values, selected);
}

/** {@link otsuThreshold} of the values whose `selected` entry is 1. */
function otsuOfSelected(values: ArrayLike<number>, selected: Uint8Array): number {
  let lo = Infinity;
  let hi = -Infinity;
  for (let i = 0; i < values.length; i++) {
    if (selected[i] !== 1) {
      continue;
    }
    const v = values[i] ?? 0;
    if (v < lo) {
      lo = v;
    }
    if (v > hi) {
      hi = v;
    }
  }
  if (!(hi > lo)) {
    return lo;
  }
  const bins = 256;
  const hist = new Float64Array(bins);
  const w = (hi - lo) / bins;
  let total = 0;
  for (let i = 0; i < values.length; i++) {
    if (selected[i] !== 1) {
      continue;
    }
    const b = Math.min(bins - 1, Math.floor(((values[i] ?? 0) - lo) / w));
    hist[b] = (hist[b] ?? 0) + 1;
    total++;
  }
  let sumAll = 0;
  hist.forEach((c, b) => (sumAll += c * b));
  let wB = 0;
  let sumB = 0;
  let best = 0;
  let bestT = 0;
  for (let t = 0; t < bins; t++) {
    wB += hist[t] ?? 0;
    if (wB === 0) {
      continue;
    }
    const wF = total - wB;
    if (wF === 0) {
      break;
    }
    sumB += t * (hist[t] ?? 0);
    const mB = sumB / wB;
    const mF = (sumAll - sumB) / wF;
    const between = wB * wF * (mB - mF) ** 2;
    if (between > best) {
      best = between;
      bestT = t;
    }
  }
  return lo + (bestT + 1) * w;
}

function morph(mask: BinaryMask, size: readonly [number, number, number], erode: boolean): BinaryMask {
  const [nx, ny, nz] = size;
  const out = new Uint8Array(mask.length);
  const target = erode ? 0 : 1;
  for (let z = 0, i = 0; z < nz; z++) {
    for (let y = 0; y < ny; y++) {
      for (let x = 0; x < nx; x++, i++) {
        const v = mask[i] ?? 0;
        if (v === target) {
          out[i] = v;
          continue;
        }
        const hit =
          (x > 0 && mask[i - 1] === target) ||
          (x < nx - 1 && mask[i + 1] === target) ||
          (y > 0 && mask[i - nx] === target) ||
          (y < ny - 1 && mask[i + nx] === target) ||
          (z > 0 && mask[i - nx * ny] === target) ||
          (z < nz - 1 && mask[i + nx * ny] === target);
        out[i] = hit ? target : v;
      }
    }
  }
  return out;
}

/** Labels voxel `v` (−1: none) with `id` and pushes it when it is in the mask and not yet labelled; returns the new stack top. */
function visit(v: number, mask: BinaryMask, comp: Int32Array, id: number, stack: Int32Array, top: number): number {
  if (v >= 0 && mask[v] === 1 && comp[v] === 0) {
    comp[v] = id;
    stack[top++] = v;
  }
  return top;
}

/**
 * Labels 6-connected components and keeps the largest.
 *
 * @param mask - binary mask
 * @param size - volume size
 * @returns the largest component as a binary mask
 */
export function referenceLargestComponent(mask: BinaryMask, size: readonly [number, number, number]): BinaryMask {
  const [nx, ny] = size;
  const comp = new Int32Array(mask.length);
  const stack = new Int32Array(mask.length);
  let best = 0;
  let bestSize = 0;
  let id = 0;
  const plane = nx * ny;
  const n = mask.length;
  for (let s = 0; s < n; s++) {
    if (mask[s] !== 1 || comp[s] !== 0) {
      continue;
    }
    id++;
    let top = 0;
    let count = 0;
    stack[top++] = s;
    comp[s] = id;
    while (top > 0) {
      const i = stack[--top] ?? 0;
      count++;
      const x = i % nx;
      const y = Math.floor(i / nx) % ny;
      // the 6 face neighbours that exist (−1 for none), then the unvisited ones inside the mask join
      const left = x > 0 ? i - 1 : -1;
      const right = x < nx - 1 ? i + 1 : -1;
      const front = y > 0 ? i - nx : -1;
      const back = y < ny - 1 ? i + nx : -1;
      const below = i - plane;
      const above = i + plane < n ? i + plane : -1;
      top = visit(left, mask, comp, id, stack, top);
      top = visit(right, mask, comp, id, stack, top);
      top = visit(front, mask, comp, id, stack, top);
      top = visit(back, mask, comp, id, stack, top);
      top = visit(below, mask, comp, id, stack, top);
      top = visit(above, mask, comp, id, stack, top);
    }
    if (count > bestSize) {
      bestSize = count;
      best = id;
    }
  }
  const out = new Uint8Array(mask.length);
  for (let i = 0; i < out.length; i++) {
    out[i] = comp[i] === best && best > 0 ? 1 : 0;
  }
  return out;
}

/** Marks in-slice pixel `p` seen and pushes it when it is background not seen yet; returns the new stack top. */
function seed(p: number, mask: BinaryMask, base: number, seen: Uint8Array, stack: Int32Array, top: number): number {
  if (mask[base + p] === 0 && seen[p] === 0) {
    seen[p] = 1;
    stack[top++] = p;
  }
  return top;
}

/**
 * Fills holes: background not connected (6-neighbourhood, slice by slice) to the slice border becomes foreground.
 *
 * @param mask - binary mask
 * @param size - volume size
 * @returns the filled mask
 */
export function referenceFillHoles(mask: BinaryMask, size: readonly [number, number, number]): BinaryMask {
  const [nx, ny, nz] = size;
  const out = Uint8Array.from(mask);
  const plane = nx * ny;
  const seen = new Uint8Array(plane);
  const stack = new Int32Array(plane);
  for (let z = 0; z < nz; z++) {
    const base = z * plane;
    seen.fill(0);
    let top = 0;
    // the slice border's background pixels, then everything 4-connected to them (the order does not change the set)
    for (let x = 0; x < nx; x++) {
      top = seed(x, mask, base, seen, stack, top);
      top = seed(x + nx * (ny - 1), mask, base, seen, stack, top);
    }
    for (let y = 0; y < ny; y++) {
      top = seed(nx * y, mask, base, seen, stack, top);
      top = seed(nx - 1 + nx * y, mask, base, seen, stack, top);
    }
    while (top > 0) {
      const p = stack[--top] ?? 0;
      const x = p % nx;
      const y = (p - x) / nx;
      if (x > 0) {
        top = seed(p - 1, mask, base, seen, stack, top);
      }
      if (x < nx - 1) {
        top = seed(p + 1, mask, base, seen, stack, top);
      }
      if (y > 0) {
        top = seed(p - nx, mask, base, seen, stack, top);
      }
      if (y < ny - 1) {
        top = seed(p + nx, mask, base, seen, stack, top);
      }
    }
    for (let p = 0; p < plane; p++) {
      if (seen[p] === 0) {
        out[base + p] = 1;
      }
    }
  }
  return out;
}

/** Brain compartment masks. */
export interface BrainMasks {
  /** Brain (parenchyma plus enclosed fluid), 1 inside. */
  readonly brain: BinaryMask;
  /** Dark fluid inside the brain mask (ventricles, enclosed CSF). */
  readonly csf: BinaryMask;
  /** Parenchyma: brain minus dark fluid. */
  readonly parenchyma: BinaryMask;
  /** Hyperintense voxels (above mean + 3 SD of the parenchyma), e.g. white-matter hyperintensities. */
  readonly hyperintense: BinaryMask;
  /** Thresholds used. */
  readonly thresholds: { readonly foreground: number; readonly fluid: number; readonly hyperintense: number };
}

/**
 * Builds the brain masks of a FLAIR-like MR volume.
 *
 * @param volume - intensities and size
 * @returns the masks
 * @throws {@link HealthDataError} (invalid-input) when nothing is above the foreground threshold
 */
export function referenceBrainMasks(volume: MaskInput): BrainMasks {
  const { voxels, size } = volume;
  const n = voxels.length;
  const positive = new Uint8Array(n);
  for (let i = 0; i < n; i++) {
    positive[i] = (voxels[i] ?? 0) > 0 ? 1 : 0;
  }
  const fg = otsuOfSelected(voxels, positive);
  let mask: BinaryMask = new Uint8Array(n);
  for (let i = 0; i < n; i++) {
    mask[i] = (voxels[i] ?? 0) > fg ? 1 : 0;
  }
  mask = morph(morph(mask, size, true), size, false);
  mask = referenceLargestComponent(mask, size);
  let count = 0;
  for (let i = 0; i < n; i++) {
    count += mask[i] ?? 0;
  }
  if (count === 0) {
    throw new HealthDataError('invalid-input', `brainMasks: no voxel is above the foreground threshold ${fg.toFixed(1)}; is this a brain MR volume?`);
  }
  const brain = referenceFillHoles(mask, size);
  const fluid = otsuOfSelected(voxels, brain) * 0.5 + fg * 0.5;
  const fluidT = Math.min(fluid, fg);
  const csf = new Uint8Array(n);
  const parenchyma = new Uint8Array(n);
  for (let i = 0; i < n; i++) {
    if (brain[i] === 1) {
      if ((voxels[i] ?? 0) < fluidT) {
        csf[i] = 1;
      } else {
        parenchyma[i] = 1;
      }
    }
  }
  let s = 0;
  let s2 = 0;
  let m = 0;
  for (let i = 0; i < n; i++) {
    if (parenchyma[i] === 1) {
      const v = voxels[i] ?? 0;
      s += v;
      s2 += v * v;
      m++;
    }
  }
  const mean = m === 0 ? 0 : s / m;
  const sd = m === 0 ? 0 : Math.sqrt(Math.max(0, s2 / m - mean * mean));
  const hyper = mean + 3 * sd;
  const hyperintense = new Uint8Array(n);
  for (let i = 0; i < n; i++) {
    hyperintense[i] = parenchyma[i] === 1 && (voxels[i] ?? 0) > hyper ? 1 : 0;
  }
  return { brain, csf, parenchyma, hyperintense, thresholds: { foreground: fg, fluid: fluidT, hyperintense: hyper } };
}
