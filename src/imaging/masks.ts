/**
 * Masks for brain MR volumes: a brain mask (threshold + opening + largest component + hole filling) and, inside it,
 * a dark-fluid (CSF/ventricles) mask and a hyperintense-lesion mask. Works on FLAIR-like contrast (fluid dark,
 * lesions bright) as the cohort's MRIs.
 */
import { HealthDataError } from '../errors';
import { unionJoin, unionRoot } from '../util/union-find';

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
export function otsuThreshold(values: ArrayLike<number>, include?: (i: number) => boolean): number {
  const selected = new Uint8Array(values.length);
  for (let i = 0; i < values.length; i++) {
    selected[i] = include === undefined || include(i) ? 1 : 0;
  }
  return otsuOfSelected(values, selected);
}

const BINS = 256;

/** {@link otsuThreshold} of the values whose `selected` entry is 1. */
function otsuOfSelected(values: ArrayLike<number>, selected: Uint8Array): number {
  const range = new Float64Array(2);
  selectedRange(values, selected, range);
  const lo = range[0] ?? 0;
  const hi = range[1] ?? 0;
  if (!(hi > lo)) {
    return lo;
  }
  const hist = new Float64Array(BINS);
  const w = (hi - lo) / BINS;
  return otsuOfHistogram(hist, selectedHistogram(values, selected, lo, w, hist), lo, w);
}

/** {@link otsuThreshold} of the values above 0 (the selection is not materialised). */
function otsuOfPositive(values: ArrayLike<number>): number {
  const range = new Float64Array(2);
  positiveRange(values, range);
  const lo = range[0] ?? 0;
  const hi = range[1] ?? 0;
  if (!(hi > lo)) {
    return lo;
  }
  const hist = new Float64Array(BINS);
  const w = (hi - lo) / BINS;
  return otsuOfHistogram(hist, positiveHistogram(values, lo, w, hist), lo, w);
}

/** Lowest and highest selected value into `out` (Infinity, −Infinity when none). */
function selectedRange(values: ArrayLike<number>, selected: Uint8Array, out: Float64Array): void {
  let lo = Infinity;
  let hi = -Infinity;
  for (let i = 0, n = values.length; i < n; i++) {
    if (selected[i] === 1) {
      const v = values[i] ?? 0;
      lo = v < lo ? v : lo;
      hi = v > hi ? v : hi;
    }
  }
  out[0] = lo;
  out[1] = hi;
}

/** Lowest and highest value above 0 into `out` (Infinity, −Infinity when none). */
function positiveRange(values: ArrayLike<number>, out: Float64Array): void {
  let lo = Infinity;
  let hi = -Infinity;
  for (let i = 0, n = values.length; i < n; i++) {
    const v = values[i] ?? 0;
    if (v > 0) {
      lo = v < lo ? v : lo;
      hi = v > hi ? v : hi;
    }
  }
  out[0] = lo;
  out[1] = hi;
}

/** Adds the selected values to the 256-bin histogram from `lo` in steps of `w`; returns how many were selected. */
function selectedHistogram(values: ArrayLike<number>, selected: Uint8Array, lo: number, w: number, hist: Float64Array): number {
  let total = 0;
  for (let i = 0, n = values.length; i < n; i++) {
    if (selected[i] === 1) {
      // a NaN value makes a NaN bin: counted in the total, in no bin (as before)
      const b = Math.min(BINS - 1, Math.floor(((values[i] ?? 0) - lo) / w));
      hist[b] = (hist[b] ?? 0) + 1;
      total++;
    }
  }
  return total;
}

/** Adds the values above 0 to the 256-bin histogram from `lo` in steps of `w`; returns how many there were. */
function positiveHistogram(values: ArrayLike<number>, lo: number, w: number, hist: Float64Array): number {
  let total = 0;
  for (let i = 0, n = values.length; i < n; i++) {
    const v = values[i] ?? 0;
    if (v > 0) {
      const b = Math.min(BINS - 1, Math.floor((v - lo) / w));
      hist[b] = (hist[b] ?? 0) + 1;
      total++;
    }
  }
  return total;
}

/** The Otsu threshold of a 256-bin histogram of `total` values starting at `lo`, bins `w` wide. */
function otsuOfHistogram(hist: Float64Array, total: number, lo: number, w: number): number {
  let sumAll = 0;
  for (let b = 0; b < BINS; b++) {
    sumAll += (hist[b] ?? 0) * b;
  }
  let wB = 0;
  let sumB = 0;
  let best = 0;
  let bestT = 0;
  for (let t = 0; t < BINS; t++) {
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

/** 1 where the value is above `threshold`, else 0. */
function above(values: ArrayLike<number>, threshold: number): BinaryMask {
  const out = new Uint8Array(values.length);
  for (let i = 0, n = values.length; i < n; i++) {
    out[i] = (values[i] ?? 0) > threshold ? 1 : 0;
  }
  return out;
}

/** Whether this machine stores the low byte of a Uint32 first (then a mask's 4 bytes read as one word in x order). */
const LITTLE_ENDIAN = new Uint8Array(Uint32Array.of(1).buffer)[0] === 1;

/** The mask's bytes as 32-bit words (4 voxels each), when rows are whole words; else undefined. */
function wordsOf(mask: Uint8Array, nx: number): Uint32Array | undefined {
  return LITTLE_ENDIAN && nx % 4 === 0 && mask.byteOffset % 4 === 0 && mask.length % 4 === 0 ? new Uint32Array(mask.buffer, mask.byteOffset, mask.length / 4) : undefined;
}

/**
 * Erosion (`erode`: a 1 with a 0 among its 6 face neighbours becomes 0) or dilation (a 0 with a 1 among them becomes
 * 1) of a 0/1 mask; neighbours outside the volume do not count. Row by row: a missing neighbour row is read as the
 * row itself, which cannot change the result. Rows of a multiple of 4 voxels go 4 voxels (one 32-bit word) at a
 * time: the bytes are 0 or 1, so AND / OR of words is AND / OR of voxels, and the x neighbours are the word shifted
 * by one byte with the neighbouring word's edge byte shifted in.
 */
function morph(mask: BinaryMask, size: readonly [number, number, number], erode: boolean): BinaryMask {
  const [nx, ny, nz] = size;
  const out = new Uint8Array(mask.length);
  const words = wordsOf(mask, nx);
  const outWords = words === undefined ? undefined : wordsOf(out, nx);
  const unit = words === undefined || outWords === undefined ? 1 : 4;
  const rowLen = nx / unit;
  const plane = rowLen * ny;
  for (let z = 0, i = 0; z < nz; z++) {
    const below = z > 0 ? -plane : 0;
    const above = z < nz - 1 ? plane : 0;
    for (let y = 0; y < ny; y++, i += rowLen) {
      const front = y > 0 ? -rowLen : 0;
      const back = y < ny - 1 ? rowLen : 0;
      if (words !== undefined && outWords !== undefined) {
        morphWordRow(words, outWords, i, rowLen, front, back, below, above, erode);
      } else if (erode) {
        erodeRow(mask, out, i, nx, front, back, below, above);
      } else {
        dilateRow(mask, out, i, nx, front, back, below, above);
      }
    }
  }
  return out;
}

/**
 * One row of {@link morph} on words of 4 voxels: the row's words start at `i0`; a, b, c, d are the other four
 * neighbours' offsets. Byte j of `left` is voxel 4k + j − 1, of `right` voxel 4k + j + 1; at the row's ends the
 * missing neighbour is the voxel itself.
 */
function morphWordRow(m: Uint32Array, out: Uint32Array, i0: number, words: number, a: number, b: number, c: number, d: number, erode: boolean): void {
  const last = i0 + words - 1;
  for (let i = i0; i <= last; i++) {
    const w = m[i] ?? 0;
    const prev = i > i0 ? (m[i - 1] ?? 0) : w << 24;
    const next = i < last ? (m[i + 1] ?? 0) : w >>> 24;
    const left = (w << 8) | (prev >>> 24);
    const right = (w >>> 8) | (next << 24);
    const faces = erode ? (m[i + a] ?? 0) & (m[i + b] ?? 0) & (m[i + c] ?? 0) & (m[i + d] ?? 0) : (m[i + a] ?? 0) | (m[i + b] ?? 0) | (m[i + c] ?? 0) | (m[i + d] ?? 0);
    out[i] = erode ? w & left & right & faces : w | left | right | faces;
  }
}

/** One row of an erosion (see {@link morph}): the row starts at `i0`; a, b, c, d are the other four neighbours' offsets. */
function erodeRow(m: BinaryMask, out: BinaryMask, i0: number, nx: number, a: number, b: number, c: number, d: number): void {
  const end = i0 + nx - 1;
  const ends = (m[i0 + a] ?? 0) & (m[i0 + b] ?? 0) & (m[i0 + c] ?? 0) & (m[i0 + d] ?? 0) & (m[i0] ?? 0);
  out[i0] = nx > 1 ? ends & (m[i0 + 1] ?? 0) : ends;
  for (let i = i0 + 1; i < end; i++) {
    out[i] = (m[i] ?? 0) & (m[i - 1] ?? 0) & (m[i + 1] ?? 0) & (m[i + a] ?? 0) & (m[i + b] ?? 0) & (m[i + c] ?? 0) & (m[i + d] ?? 0);
  }
  if (nx > 1) {
    out[end] = (m[end] ?? 0) & (m[end - 1] ?? 0) & (m[end + a] ?? 0) & (m[end + b] ?? 0) & (m[end + c] ?? 0) & (m[end + d] ?? 0);
  }
}

/** One row of a dilation (see {@link morph}). */
function dilateRow(m: BinaryMask, out: BinaryMask, i0: number, nx: number, a: number, b: number, c: number, d: number): void {
  const end = i0 + nx - 1;
  const ends = (m[i0 + a] ?? 0) | (m[i0 + b] ?? 0) | (m[i0 + c] ?? 0) | (m[i0 + d] ?? 0) | (m[i0] ?? 0);
  out[i0] = nx > 1 ? ends | (m[i0 + 1] ?? 0) : ends;
  for (let i = i0 + 1; i < end; i++) {
    out[i] = (m[i] ?? 0) | (m[i - 1] ?? 0) | (m[i + 1] ?? 0) | (m[i + a] ?? 0) | (m[i + b] ?? 0) | (m[i + c] ?? 0) | (m[i + d] ?? 0);
  }
  if (nx > 1) {
    out[end] = (m[end] ?? 0) | (m[end - 1] ?? 0) | (m[end + a] ?? 0) | (m[end + b] ?? 0) | (m[end + c] ?? 0) | (m[end + d] ?? 0);
  }
}

/**
 * Runs of one value along x: run k covers volume indices `start[k]` … `end[k]` − 1; the runs of row r (= y + ny·z)
 * are k = `first[r]` … `first[r + 1]` − 1, in index order.
 */
interface Runs {
  start: Int32Array;
  end: Int32Array;
  readonly first: Int32Array;
  count: number;
}

/** The runs of voxels equal to `value` (see {@link Runs}) of a volume with rows `nx` long. */
function runsOf(mask: BinaryMask, nx: number, value: number): Runs {
  const rows = Math.floor(mask.length / nx);
  const words = wordsOf(mask, nx);
  const runs: Runs = { start: new Int32Array(rows * 2 + 16), end: new Int32Array(rows * 2 + 16), first: new Int32Array(rows + 1), count: 0 };
  for (let r = 0; r < rows; r++) {
    runs.first[r] = runs.count;
    if (runs.count + nx > runs.start.length) {
      const grown = Math.max(runs.start.length * 2, runs.count + nx);
      const start = new Int32Array(grown);
      const end = new Int32Array(grown);
      start.set(runs.start);
      end.set(runs.end);
      runs.start = start;
      runs.end = end;
    }
    runs.count =
      words === undefined ? rowRuns(mask, r * nx, r * nx + nx, value, runs.start, runs.end, runs.count) : wordRowRuns(words, mask, r * nx, r * nx + nx, value, runs.start, runs.end, runs.count);
  }
  runs.first[rows] = runs.count;
  return runs;
}

/**
 * {@link rowRuns} 4 voxels at a time (from and to multiples of 4): a word whose bytes all equal `value` continues or
 * starts a run, one with none ends it (the zero-byte test of `word XOR value·0x01010101`), others go byte by byte.
 */
function wordRowRuns(words: Uint32Array, mask: BinaryMask, from: number, to: number, value: number, start: Int32Array, end: Int32Array, k0: number): number {
  const pattern = (value & 0xff) * 0x01010101;
  let k = k0;
  let inRun = false;
  for (let q = from >> 2, qEnd = to >> 2; q < qEnd; q++) {
    const x = ((words[q] ?? 0) ^ pattern) >>> 0;
    if (x === 0) {
      if (!inRun) {
        start[k] = q << 2;
        inRun = true;
      }
    } else if (((x - 0x01010101) & ~x & 0x80808080) === 0) {
      if (inRun) {
        end[k++] = q << 2;
        inRun = false;
      }
    } else {
      for (let i = q << 2, e = i + 4; i < e; i++) {
        const hit = mask[i] === value;
        if (hit !== inRun) {
          if (hit) {
            start[k] = i;
          } else {
            end[k++] = i;
          }
          inRun = hit;
        }
      }
    }
  }
  if (inRun) {
    end[k++] = to;
  }
  return k;
}

/** Appends the runs of `value` in mask[from … to − 1] at position `k` of start/end; returns the new count. */
function rowRuns(mask: BinaryMask, from: number, to: number, value: number, start: Int32Array, end: Int32Array, k0: number): number {
  let k = k0;
  let inRun = false;
  for (let i = from; i < to; i++) {
    const hit = mask[i] === value;
    if (hit !== inRun) {
      if (hit) {
        start[k] = i;
      } else {
        end[k++] = i;
      }
      inRun = hit;
    }
  }
  if (inRun) {
    end[k++] = to;
  }
  return k;
}

/**
 * Joins every run of row p with every run of row q that shares an x with it (face-connected when the rows are
 * neighbours in y or z). `shift` is q's start index minus p's (so the x ranges compare).
 */
function joinRows(runs: Runs, parent: Int32Array, p: number, q: number, shift: number): void {
  const { start, end, first } = runs;
  let i = first[p] ?? 0;
  let j = first[q] ?? 0;
  const iEnd = first[p + 1] ?? 0;
  const jEnd = first[q + 1] ?? 0;
  while (i < iEnd && j < jEnd) {
    const ei = end[i] ?? 0;
    const ej = (end[j] ?? 0) - shift;
    if (ei <= (start[j] ?? 0) - shift) {
      i++;
    } else if (ej <= (start[i] ?? 0)) {
      j++;
    } else {
      unionJoin(parent, i, j);
      if (ei < ej) {
        i++;
      } else {
        j++;
      }
    }
  }
}

/** Union-find forest of the runs, each its own set. */
function singletons(count: number): Int32Array {
  const parent = new Int32Array(count);
  for (let k = 0; k < count; k++) {
    parent[k] = k;
  }
  return parent;
}

/**
 * Labels 6-connected components and keeps the largest (the first in index order among equally large ones). Runs of
 * foreground along x joined with union-find to the runs they touch in the previous row and slice.
 *
 * @param mask - binary mask (voxels equal to 1 are foreground)
 * @param size - volume size
 * @returns the largest component as a binary mask
 */
export function largestComponent(mask: BinaryMask, size: readonly [number, number, number]): BinaryMask {
  const [nx, ny] = size;
  const runs = runsOf(mask, nx, 1);
  const parent = singletons(runs.count);
  const rows = runs.first.length - 1;
  for (let r = 0; r < rows; r++) {
    if (r % ny > 0) {
      joinRows(runs, parent, r, r - 1, -nx);
    }
    if (r >= ny) {
      joinRows(runs, parent, r, r - ny, -nx * ny);
    }
  }
  const sizes = new Float64Array(runs.count);
  for (let k = 0; k < runs.count; k++) {
    const r = unionRoot(parent, k);
    sizes[r] = (sizes[r] ?? 0) + (runs.end[k] ?? 0) - (runs.start[k] ?? 0);
  }
  // roots in index order of their first voxel, as a scan that numbers components when it first meets them
  let best = -1;
  let bestSize = 0;
  for (let k = 0; k < runs.count; k++) {
    if (parent[k] === k && (sizes[k] ?? 0) > bestSize) {
      bestSize = sizes[k] ?? 0;
      best = k;
    }
  }
  const out = new Uint8Array(mask.length);
  for (let k = 0; k < runs.count; k++) {
    if (best >= 0 && unionRoot(parent, k) === best) {
      out.fill(1, runs.start[k], runs.end[k]);
    }
  }
  return out;
}

/**
 * Fills holes: background not connected (6-neighbourhood, slice by slice) to the slice border becomes foreground.
 * Runs of background along x joined with union-find to those they touch in the previous row of their slice; a set
 * that reaches the border stays background.
 *
 * @param mask - binary mask (0 is background; any other value becomes 1)
 * @param size - volume size
 * @returns the filled mask
 */
export function fillHoles(mask: BinaryMask, size: readonly [number, number, number]): BinaryMask {
  const [nx, ny] = size;
  const runs = runsOf(mask, nx, 0);
  const parent = singletons(runs.count);
  const rows = runs.first.length - 1;
  const border = new Uint8Array(runs.count);
  for (let r = 0; r < rows; r++) {
    const y = r % ny;
    if (y > 0) {
      joinRows(runs, parent, r, r - 1, -nx);
    }
    const edgeRow = y === 0 || y === ny - 1;
    for (let k = runs.first[r] ?? 0, e = runs.first[r + 1] ?? 0; k < e; k++) {
      border[k] = edgeRow || runs.start[k] === r * nx || runs.end[k] === r * nx + nx ? 1 : 0;
    }
  }
  for (let k = 0; k < runs.count; k++) {
    if (border[k] === 1) {
      border[unionRoot(parent, k)] = 1;
    }
  }
  const out = new Uint8Array(mask.length).fill(1);
  for (let k = 0; k < runs.count; k++) {
    if (border[unionRoot(parent, k)] === 1) {
      out.fill(0, runs.start[k], runs.end[k]);
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

/** The brain mask and the foreground threshold it was drawn at (the first part of {@link brainMasks}). */
function brainAndForeground(volume: MaskInput): { readonly brain: BinaryMask; readonly fg: number } {
  const { voxels, size } = volume;
  const fg = otsuOfPositive(voxels);
  const component = largestComponent(morph(morph(above(voxels, fg), size, true), size, false), size);
  if (component.indexOf(1) < 0) {
    throw new HealthDataError('invalid-input', `brainMasks: no voxel is above the foreground threshold ${fg.toFixed(1)}; is this a brain MR volume?`);
  }
  return { brain: fillHoles(component, size), fg };
}

/**
 * The brain mask alone: {@link brainMasks}' `brain`, without the compartments (≈ 0.8× its CPU; the dashboard's MRI
 * viewer outlines only the brain).
 *
 * @param volume - intensities and size
 * @returns the brain mask
 * @throws {@link HealthDataError} (invalid-input) when nothing is above the foreground threshold (the same message)
 */
export function brainMask(volume: MaskInput): BinaryMask {
  return brainAndForeground(volume).brain;
}

/**
 * Builds the brain masks of a FLAIR-like MR volume.
 *
 * @param volume - intensities and size
 * @returns the masks
 * @throws {@link HealthDataError} (invalid-input) when nothing is above the foreground threshold
 */
export function brainMasks(volume: MaskInput): BrainMasks {
  const { voxels, size } = volume;
  const n = voxels.length;
  const { brain, fg } = brainAndForeground(volume);
  // the remaining loops visit only the brain's runs (in index order, so sums keep their order)
  const runs = runsOf(brain, size[0], 1);
  const fluid = otsuOfRuns(voxels, runs) * 0.5 + fg * 0.5;
  const fluidT = Math.min(fluid, fg);
  const csf = new Uint8Array(n);
  const parenchyma = new Uint8Array(n);
  const sums = new Float64Array(3);
  for (let k = 0; k < runs.count; k++) {
    compartments(voxels, runs.start[k] ?? 0, runs.end[k] ?? 0, fluidT, csf, parenchyma, sums);
  }
  const m = sums[2] ?? 0;
  const mean = m === 0 ? 0 : (sums[0] ?? 0) / m;
  const sd = m === 0 ? 0 : Math.sqrt(Math.max(0, (sums[1] ?? 0) / m - mean * mean));
  const hyper = mean + 3 * sd;
  const hyperintense = new Uint8Array(n);
  for (let k = 0; k < runs.count; k++) {
    markAbove(voxels, parenchyma, runs.start[k] ?? 0, runs.end[k] ?? 0, hyper, hyperintense);
  }
  return { brain, csf, parenchyma, hyperintense, thresholds: { foreground: fg, fluid: fluidT, hyperintense: hyper } };
}

/** {@link otsuThreshold} of the voxels of the runs (the brain). */
function otsuOfRuns(values: ArrayLike<number>, runs: Runs): number {
  const range = Float64Array.of(Infinity, -Infinity);
  for (let k = 0; k < runs.count; k++) {
    runRange(values, runs.start[k] ?? 0, runs.end[k] ?? 0, range);
  }
  const lo = range[0] ?? 0;
  const hi = range[1] ?? 0;
  if (!(hi > lo)) {
    return lo;
  }
  const hist = new Float64Array(BINS);
  const w = (hi - lo) / BINS;
  let total = 0;
  for (let k = 0; k < runs.count; k++) {
    total += runHistogram(values, runs.start[k] ?? 0, runs.end[k] ?? 0, lo, w, hist);
  }
  return otsuOfHistogram(hist, total, lo, w);
}

/** Widens [range[0], range[1]] to the values in [from, to). */
function runRange(values: ArrayLike<number>, from: number, to: number, range: Float64Array): void {
  let lo = range[0] ?? 0;
  let hi = range[1] ?? 0;
  for (let i = from; i < to; i++) {
    const v = values[i] ?? 0;
    lo = v < lo ? v : lo;
    hi = v > hi ? v : hi;
  }
  range[0] = lo;
  range[1] = hi;
}

/** Adds the values in [from, to) to the 256-bin histogram (as {@link selectedHistogram}); returns how many. */
function runHistogram(values: ArrayLike<number>, from: number, to: number, lo: number, w: number, hist: Float64Array): number {
  for (let i = from; i < to; i++) {
    const b = Math.min(BINS - 1, Math.floor(((values[i] ?? 0) - lo) / w));
    hist[b] = (hist[b] ?? 0) + 1;
  }
  return to - from;
}

/**
 * Splits the brain voxels in [from, to) into dark fluid (below `fluidT`) and parenchyma, adding the parenchyma's sum,
 * sum of squares and count to `sums` (in index order).
 */
function compartments(voxels: ArrayLike<number>, from: number, to: number, fluidT: number, csf: BinaryMask, parenchyma: BinaryMask, sums: Float64Array): void {
  let s = sums[0] ?? 0;
  let s2 = sums[1] ?? 0;
  let m = sums[2] ?? 0;
  for (let i = from; i < to; i++) {
    const v = voxels[i] ?? 0;
    if (v < fluidT) {
      csf[i] = 1;
    } else {
      parenchyma[i] = 1;
      s += v;
      s2 += v * v;
      m++;
    }
  }
  sums[0] = s;
  sums[1] = s2;
  sums[2] = m;
}

/** Marks in `out` the voxels of `inside` in [from, to) whose value is above `threshold`. */
function markAbove(voxels: ArrayLike<number>, inside: BinaryMask, from: number, to: number, threshold: number, out: BinaryMask): void {
  for (let i = from; i < to; i++) {
    out[i] = inside[i] === 1 && (voxels[i] ?? 0) > threshold ? 1 : 0;
  }
}

/**
 * Dice overlap of two binary masks.
 *
 * @param a - mask
 * @param b - mask
 * @returns 2|A∩B| / (|A|+|B|), 1 when both are empty
 */
export function dice(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let inter = 0;
  let sa = 0;
  let sb = 0;
  for (let i = 0; i < a.length; i++) {
    const x = a[i] ? 1 : 0;
    const y = b[i] ? 1 : 0;
    inter += x & y;
    sa += x;
    sb += y;
  }
  return sa + sb === 0 ? 1 : (2 * inter) / (sa + sb);
}
