/**
 * Fast texture matrices: one sweep over the region builds the GLCMs of every direction, the GLDM, the NGTDM and the
 * run-length matrices together (they all look at the same neighbours: each voxel reads its 26, or 8, neighbours once);
 * size zones get their own flood fill. They read the compact grey-level code of the padded box (`roi.code`:
 * present-level rank + 1, 0 outside), so there are no bounds checks and little memory traffic.
 *
 * The per-direction builders in glcm.ts, glrlm.ts and neighbourhood.ts are the plain reference implementations;
 * these give identical counts (tested).
 */
import type { NgtdmMatrix } from './neighbourhood';
import type { DiscretisedRoi } from './roi';
import { scratchInt32, scratchUint8 } from './scratch';
import type { SizeMatrix } from './size-matrix';

/** Matrices of the neighbourhood sweep. */
export interface NeighbourhoodMatrices {
  /** Symmetric co-occurrence counts per direction (K×K, row-major), in `roi.directions` order. */
  readonly glcm: Float64Array[];
  /** Dependence matrix (K × (2·directions + 1)). */
  readonly gldm: SizeMatrix;
  /** NGTDM n_i, s_i. */
  readonly ngtdm: NgtdmMatrix;
  /** Run-length matrices per direction, in `roi.directions` order (columns up to the longest possible run). */
  readonly glrlm: SizeMatrix[];
}

function offsets(roi: DiscretisedRoi): Int32Array {
  const [DX, DY] = roi.dims;
  return Int32Array.from(roi.directions.map(([dx, dy, dz]) => dx + DX * (dy + DY * dz)));
}

/**
 * GLCM (all directions), GLDM, NGTDM and the run-length matrices: one pass per two directions over the region (their
 * count tables stay in the L1 cache; the voxel's index, code and accumulator are read once for both), each voxel
 * reading its two neighbours along each direction.
 *
 * Per direction, a voxel adds its (level, forward neighbour) pair to the GLCM counts and, into its own accumulator,
 * one packed number per neighbour: level·1024 + 32·(neighbour in the region) + (neighbour within alpha) — integers,
 * so the sum is exact (an Int32 accumulator while 26 of them fit, Ng up to about 80,000; float64 beyond) and the
 * NGTDM level sum, its neighbour count and the GLDM dependence unpack from it at the end. Runs are counted without branches: a ring buffer holds the run length so far at each voxel (its
 * predecessor's + 1 when that has the same level, else 1), and every voxel adds to its (level, length) cell of the
 * run-length table 1 when its successor has another level (the run ends there), else 0.
 *
 * @param roi - region
 * @param alpha - GLDM coarseness (pyradiomics gldm_a)
 * @returns the matrices
 */
export function neighbourhoodMatrices(roi: DiscretisedRoi, alpha = 0): NeighbourhoodMatrices {
  const offs = offsets(roi);
  const nd = offs.length;
  const K = roi.present.length;
  const K1 = K + 1;
  const KK = K * K;
  const n = roi.count;
  const level = new Float64Array(K1);
  roi.present.forEach((l, i) => (level[i + 1] = l));
  const [DX, DY, DZ] = roi.dims;
  const RS = Math.max(DX, DY, DZ) - 2;
  const KRS = K * RS;
  const counts = new Int32Array(nd * K1 * K1);
  const runs = new Int32Array(nd * KRS);
  // packed[c·(K+1) + f]: what neighbour code f adds to a voxel of code c (0 for f = 0, outside the region)
  // (Int32 while 26 such numbers fit, else float64: exact either way)
  const wide = 2 * nd * ((level[K] ?? 0) * 1024 + 33) >= 2 ** 31;
  const packed = wide ? new Float64Array(K1 * K1) : new Int32Array(K1 * K1);
  for (let c = 1; c <= K; c++) {
    for (let f = 1; f <= K; f++) {
      packed[c * K1 + f] = (level[f] ?? 0) * 1024 + 32 + (Math.abs((level[c] ?? 0) - (level[f] ?? 0)) <= alpha ? 1 : 0);
    }
  }
  // ring buffer of run lengths: longer than the largest offset, so a predecessor's entry is still there
  let ring = 1;
  for (const o of offs) {
    while (ring <= o + 1) {
      ring *= 2;
    }
  }
  const acc = wide ? new Float64Array(n) : scratchInt32('sweep accumulator', n).fill(0);
  // two directions per pass (the voxel's index, code and accumulator are read once for both); an odd last direction
  // is paired with a copy of itself that adds nothing (zero table) and counts into spare cells
  const rings: [Int32Array, Int32Array] = [new Int32Array(ring), new Int32Array(ring)];
  const none = wide ? new Float64Array(K1 * K1) : new Int32Array(K1 * K1);
  const spare = new Int32Array(K1 * K1);
  const spareRuns = new Int32Array(KRS);
  for (let o = 0; o < nd; o += 2) {
    const twin = o + 1 < nd;
    const first = { off: offs[o] ?? 0, counts: counts.subarray(o * K1 * K1), packed, runs: runs.subarray(o * KRS, (o + 1) * KRS) };
    const second = twin
      ? { off: offs[o + 1] ?? 0, counts: counts.subarray((o + 1) * K1 * K1), packed, runs: runs.subarray((o + 1) * KRS, (o + 2) * KRS) }
      : { off: offs[o] ?? 0, counts: spare, packed: none, runs: spareRuns };
    directionPair(roi.code, roi.index, n, K1, RS, [first, second], acc, rings, ring - 1);
  }
  const S = 2 * nd + 1;
  const dep = new Float64Array(K * S);
  const nI = new Float64Array(K);
  const sI = new Float64Array(K);
  unpackVoxels(roi.code, roi.index, n, level, acc, S, dep, nI, sI);
  const glcm: Float64Array[] = [];
  const glrlm: SizeMatrix[] = [];
  for (let o = 0; o < nd; o++) {
    const p = new Float64Array(KK);
    const base = o * K1 * K1;
    for (let a = 0; a < K; a++) {
      for (let c = 0; c < K; c++) {
        p[a * K + c] = (counts[base + (a + 1) * K1 + c + 1] ?? 0) + (counts[base + (c + 1) * K1 + a + 1] ?? 0);
      }
    }
    glcm.push(p);
    glrlm.push({ counts: Float64Array.from(runs.subarray(o * KRS, (o + 1) * KRS)), levels: roi.present, sizes: RS });
  }
  return { glcm, gldm: { counts: dep, levels: roi.present, sizes: S }, ngtdm: { n: nI, s: sI, levels: roi.present }, glrlm };
}

/**
 * What one direction of a pass writes to: its forward-pair count table, its neighbour table (see `packed`) and its
 * run-length table (level row × run length).
 */
interface Lane {
  readonly off: number;
  readonly counts: Int32Array;
  readonly packed: Int32Array | Float64Array;
  readonly runs: Int32Array;
}

/**
 * Two directions of {@link neighbourhoodMatrices}: GLCM counts (forward pairs, in a (K+1)² table so an outside
 * neighbour, code 0, lands in an unused column), packed neighbour sums into `acc` (region order), and the runs that
 * end at each voxel into each lane's run-length table.
 */
function directionPair(
  code: Uint8Array | Uint16Array | Int32Array,
  index: Int32Array,
  n: number,
  K1: number,
  RS: number,
  lanes: readonly [Lane, Lane],
  acc: Int32Array | Float64Array,
  rings: readonly [Int32Array, Int32Array],
  mask: number,
): void {
  const [{ off: o1, counts: c1, packed: p1, runs: runs1 }, { off: o2, counts: c2, packed: p2, runs: runs2 }] = lanes;
  const [ring1, ring2] = rings;
  for (let t = 0; t < n; t++) {
    const b = index[t] ?? 0;
    const c = code[b] ?? 0;
    const f1 = code[b + o1] ?? 0;
    const g1 = code[b - o1] ?? 0;
    const f2 = code[b + o2] ?? 0;
    const g2 = code[b - o2] ?? 0;
    const row = c * K1;
    c1[row + f1] = (c1[row + f1] ?? 0) + 1;
    c2[row + f2] = (c2[row + f2] ?? 0) + 1;
    acc[t] = (acc[t] ?? 0) + (p1[row + f1] ?? 0) + (p1[row + g1] ?? 0) + (p2[row + f2] ?? 0) + (p2[row + g2] ?? 0);
    // 1 when the predecessor has this level (codes are small non-negative integers: (x − 1) >>> 31 is x === 0)
    const r1 = ((ring1[(b - o1) & mask] ?? 0) & -(((g1 ^ c) - 1) >>> 31)) + 1;
    ring1[b & mask] = r1;
    // the run ends here when the successor has another level: its (level, length) cell gains 1 (0 otherwise)
    const e1 = (c - 1) * RS + r1 - 1;
    runs1[e1] = (runs1[e1] ?? 0) + ((((f1 ^ c) - 1) >>> 31) ^ 1);
    const r2 = ((ring2[(b - o2) & mask] ?? 0) & -(((g2 ^ c) - 1) >>> 31)) + 1;
    ring2[b & mask] = r2;
    const e2 = (c - 1) * RS + r2 - 1;
    runs2[e2] = (runs2[e2] ?? 0) + ((((f2 ^ c) - 1) >>> 31) ^ 1);
  }
}

/** Unpacks each voxel's accumulator into the GLDM (dependence) and NGTDM (n_i, s_i) counts, in region order. */
function unpackVoxels(
  code: Uint8Array | Uint16Array | Int32Array,
  index: Int32Array,
  n: number,
  level: Float64Array,
  acc: Int32Array | Float64Array,
  S: number,
  dep: Float64Array,
  nI: Float64Array,
  sI: Float64Array,
): void {
  for (let t = 0; t < n; t++) {
    const c = code[index[t] ?? 0] ?? 0;
    const packed = acc[t] ?? 0;
    const high = Math.floor(packed / 32);
    const dependent = packed - high * 32;
    const sum = Math.floor(high / 32);
    const neighbours = high - sum * 32;
    const dc = (c - 1) * S + dependent;
    dep[dc] = (dep[dc] ?? 0) + 1;
    if (neighbours > 0) {
      nI[c - 1] = (nI[c - 1] ?? 0) + 1;
      sI[c - 1] = (sI[c - 1] ?? 0) + Math.abs((level[c] ?? 0) - sum / neighbours);
    }
  }
}

/**
 * Run-length matrices of every direction (columns up to the longest possible run): the `glrlm` part of
 * {@link neighbourhoodMatrices} (use that when the other matrices are wanted too).
 *
 * @param roi - region
 * @returns one matrix per direction, in `roi.directions` order
 */
export function runLengthMatrices(roi: DiscretisedRoi): SizeMatrix[] {
  return neighbourhoodMatrices(roi).glrlm;
}

/**
 * Size-zone matrix: zones connected through the neighbours of `roi.directions` (26 in 3-D, 8 with force2D).
 *
 * @param roi - region
 * @returns the matrix, with a column only for the zone sizes that occur (`columnSizes`), as pyradiomics crops it
 */
export function sizeZoneMatrix(roi: DiscretisedRoi): SizeMatrix {
  // the fill consumes a copy of the codes (8-bit codes, the usual case, copied into a reused array)
  const codes = roi.code instanceof Uint8Array ? scratchUint8('zone codes', roi.code.length) : roi.code.slice();
  if (codes !== roi.code) {
    codes.set(roi.code);
  }
  const zones = floodZones(codes, roi.index, roi.count, newNeighbours(roi));
  const nz = zones.length;
  let largest = 0;
  for (let z = 1; z < nz; z += 2) {
    if ((zones[z] ?? 0) > largest) {
      largest = zones[z] ?? 0;
    }
  }
  const column = new Int32Array(largest + 1).fill(-1);
  for (let z = 1; z < nz; z += 2) {
    column[zones[z] ?? 0] = 0;
  }
  let S = 0;
  for (let size = 1; size <= largest; size++) {
    if (column[size] === 0) {
      column[size] = S++;
    }
  }
  const columnSizes = new Int32Array(S);
  for (let size = 1; size <= largest; size++) {
    const c = column[size] ?? -1;
    if (c >= 0) {
      columnSizes[c] = size;
    }
  }
  const counts = new Float64Array(roi.present.length * S);
  for (let z = 0; z < nz; z += 2) {
    const cell = (zones[z] ?? 0) * S + (column[zones[z + 1] ?? 0] ?? 0);
    counts[cell] = (counts[cell] ?? 0) + 1;
  }
  return { counts, levels: roi.present, sizes: S, columnSizes };
}

/**
 * The neighbours a flood fill still has to look at from a voxel it reached by one step: the neighbour offsets (both
 * signs of `roi.directions`) of every step k, as `from[k]…from[k + 1]` in `offset`/`step`; the last entry (k = number
 * of steps) lists all of them, for a zone's first voxel. A neighbour q of voxel b, reached from p = b − step, that is
 * also a neighbour of p was already looked at when p was (every voxel's neighbours have all been looked at once the
 * voxel is done: by itself or by the voxel it was reached from), and a look's answer cannot change: a voxel's code
 * only ever changes from the zone's level to 0. So only the neighbours with a coordinate 2 away from p are left:
 * 9 after a face step, 15 after an edge step and 19 after a corner step in 3-D, instead of 26.
 */
interface NeighbourLists {
  readonly from: Int32Array;
  readonly offset: Int32Array;
  readonly step: Int32Array;
}

function newNeighbours(roi: DiscretisedRoi): NeighbourLists {
  const [DX, DY] = roi.dims;
  const vectors = roi.directions.flatMap((d) => [d, [-d[0], -d[1], -d[2]] as const]);
  const steps = vectors.length;
  const offsetOf = (v: readonly number[]): number => (v[0] ?? 0) + DX * ((v[1] ?? 0) + DY * (v[2] ?? 0));
  const from = new Int32Array(steps + 2);
  const offset: number[] = [];
  const step: number[] = [];
  for (let k = 0; k <= steps; k++) {
    from[k] = offset.length;
    const d = vectors[k] ?? [0, 0, 0];
    vectors.forEach((o, j) => {
      if (k === steps || [0, 1, 2].some((a) => Math.abs((o[a] ?? 0) + (d[a] ?? 0)) === 2)) {
        offset.push(offsetOf(o));
        step.push(j);
      }
    });
  }
  from[steps + 1] = offset.length;
  return { from, offset: Int32Array.from(offset), step: Int32Array.from(step) };
}

/**
 * Flood fill of the zones (voxels of one level connected through the neighbours of `lists`): (code − 1, size) pairs.
 * `code` is consumed (a visited voxel gets code 0, so one array serves as level map and visited set). Each voxel on
 * the stack carries the step it was reached by, so only the neighbours that step brought into view are looked at.
 */
function floodZones(code: Uint8Array | Uint16Array | Int32Array, index: Int32Array, count: number, lists: NeighbourLists): Int32Array {
  const stack = scratchInt32('zone stack', count);
  const reached = scratchInt32('zone steps', count);
  let zones = new Int32Array(1024);
  let nz = 0;
  for (let t = 0; t < count; t++) {
    const start = index[t] ?? 0;
    const c = code[start] ?? 0;
    if (c === 0) {
      continue;
    }
    const size = fillZone(code, start, c, stack, reached, lists);
    if (nz + 2 > zones.length) {
      const grown = new Int32Array(zones.length * 2);
      grown.set(zones);
      zones = grown;
    }
    zones[nz++] = c - 1;
    zones[nz++] = size;
  }
  return zones.subarray(0, nz);
}

/**
 * The zone of code `c` that holds box voxel `start`: its voxels get code 0; returns its size. A function of its own so
 * the JIT compiles it whole (an inner loop compiled on-stack inside the outer loop deoptimises at every exit).
 */
function fillZone(code: Uint8Array | Uint16Array | Int32Array, start: number, c: number, stack: Int32Array, reached: Int32Array, lists: NeighbourLists): number {
  const { from, offset, step } = lists;
  code[start] = 0;
  let top = 0;
  stack[top] = start;
  reached[top++] = from.length - 2;
  let size = 0;
  while (top > 0) {
    const b = stack[--top] ?? 0;
    const k = reached[top] ?? 0;
    size++;
    for (let j = from[k] ?? 0, end = from[k + 1] ?? 0; j < end; j++) {
      const nb = b + (offset[j] ?? 0);
      if (code[nb] === c) {
        code[nb] = 0;
        stack[top] = nb;
        reached[top++] = step[j] ?? 0;
      }
    }
  }
  return size;
}
