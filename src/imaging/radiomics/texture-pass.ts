/**
 * Fast texture matrices: one sweep over the region builds the GLCMs of every direction, the GLDM, the NGTDM and the
 * run-length matrices together (they all look at the same neighbours: each voxel reads its 26, or 8, neighbours once);
 * size zones get their own labelling pass (union-find). They read the compact grey-level code of the padded box (`roi.code`:
 * present-level rank + 1, 0 outside), so there are no bounds checks and little memory traffic.
 *
 * The per-direction builders in glcm.ts, glrlm.ts and neighbourhood.ts are the plain reference implementations;
 * these give identical counts (tested).
 */
import type { NgtdmMatrix } from './neighbourhood';
import type { DiscretisedRoi } from './roi';
import { unionJoin } from '../../util/union-find';
import { scratchInt32 } from './scratch';
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
 * GLCM (all directions), GLDM, NGTDM and the run-length matrices: one pass per two or three directions over the region (their
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
  // two or three directions per pass (the voxel's index, code and accumulator are read once for all of them; 13 = 3 +
  // 3 + 3 + 2 + 2, 4 = 2 + 2); a single last direction is paired with a copy of itself that adds nothing (zero
  // table) and counts into spare cells
  const rings: [Int32Array, Int32Array, Int32Array] = [new Int32Array(ring), new Int32Array(ring), new Int32Array(ring)];
  const none = wide ? new Float64Array(K1 * K1) : new Int32Array(K1 * K1);
  const spare = new Int32Array(K1 * K1);
  const spareRuns = new Int32Array(KRS);
  const lane = (o: number): Lane => ({ off: offs[o] ?? 0, counts: counts.subarray(o * K1 * K1), packed, runs: runs.subarray(o * KRS, (o + 1) * KRS) });
  let o = 0;
  for (; nd - o >= 5 || nd - o === 3; o += 3) {
    directionTriple(roi.code, roi.index, n, K1, RS, [lane(o), lane(o + 1), lane(o + 2)], acc, rings, ring - 1);
  }
  for (; o < nd; o += 2) {
    const second = o + 1 < nd ? lane(o + 1) : { off: offs[o] ?? 0, counts: spare, packed: none, runs: spareRuns };
    directionPair(roi.code, roi.index, n, K1, RS, [lane(o), second], acc, [rings[0], rings[1]], ring - 1);
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

/** {@link directionPair} for three directions at once (one read of the voxel's index, code and accumulator for three). */
function directionTriple(
  code: Uint8Array | Uint16Array | Int32Array,
  index: Int32Array,
  n: number,
  K1: number,
  RS: number,
  lanes: readonly [Lane, Lane, Lane],
  acc: Int32Array | Float64Array,
  rings: readonly [Int32Array, Int32Array, Int32Array],
  mask: number,
): void {
  const [{ off: o1, counts: c1, packed: p1, runs: runs1 }, { off: o2, counts: c2, packed: p2, runs: runs2 }, { off: o3, counts: c3, packed: p3, runs: runs3 }] = lanes;
  const [ring1, ring2, ring3] = rings;
  for (let t = 0; t < n; t++) {
    const b = index[t] ?? 0;
    const c = code[b] ?? 0;
    const f1 = code[b + o1] ?? 0;
    const g1 = code[b - o1] ?? 0;
    const f2 = code[b + o2] ?? 0;
    const g2 = code[b - o2] ?? 0;
    const f3 = code[b + o3] ?? 0;
    const g3 = code[b - o3] ?? 0;
    const row = c * K1;
    c1[row + f1] = (c1[row + f1] ?? 0) + 1;
    c2[row + f2] = (c2[row + f2] ?? 0) + 1;
    c3[row + f3] = (c3[row + f3] ?? 0) + 1;
    acc[t] = (acc[t] ?? 0) + (p1[row + f1] ?? 0) + (p1[row + g1] ?? 0) + (p2[row + f2] ?? 0) + (p2[row + g2] ?? 0) + (p3[row + f3] ?? 0) + (p3[row + g3] ?? 0);
    // run lengths as in directionPair: (level row − 1) + length is the (level, length) cell
    const bm = b & mask;
    const cell = (c - 1) * RS - 1;
    const r1 = ((ring1[(b - o1) & mask] ?? 0) & -(((g1 ^ c) - 1) >>> 31)) + 1;
    ring1[bm] = r1;
    runs1[cell + r1] = (runs1[cell + r1] ?? 0) + ((((f1 ^ c) - 1) >>> 31) ^ 1);
    const r2 = ((ring2[(b - o2) & mask] ?? 0) & -(((g2 ^ c) - 1) >>> 31)) + 1;
    ring2[bm] = r2;
    runs2[cell + r2] = (runs2[cell + r2] ?? 0) + ((((f2 ^ c) - 1) >>> 31) ^ 1);
    const r3 = ((ring3[(b - o3) & mask] ?? 0) & -(((g3 ^ c) - 1) >>> 31)) + 1;
    ring3[bm] = r3;
    runs3[cell + r3] = (runs3[cell + r3] ?? 0) + ((((f3 ^ c) - 1) >>> 31) ^ 1);
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
  const zones = labelZones(roi.code, roi.index, roi.count, zoneScan(roi));
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
 * What the zone labelling looks at from a voxel: the box offsets of its neighbours that come earlier in raster order
 * (13 of 26 in 3-D, 4 of 8 in 2-D), and for each k, as a bit mask over them, the ones still to join when neighbour k
 * is the first with the voxel's level (`rest[k]`). A neighbour q that is also a neighbour of the matched one p needs
 * no join: q and p both came earlier and touch, so if q has the level it was joined to p's zone already when the later
 * of the two was labelled. Neighbours that touch the most of the others come first: in 3-D the voxel below (z − 1)
 * touches all 12 others, so a voxel whose lower neighbour has its level joins nothing more.
 */
interface ZoneScan {
  readonly offset: Int32Array;
  readonly rest: Int32Array;
}

function zoneScan(roi: DiscretisedRoi): ZoneScan {
  const [DX, DY] = roi.dims;
  const vectors = roi.directions.flatMap((d) => [d, [-d[0], -d[1], -d[2]] as const]);
  const key = (v: readonly number[]): string => v.join(',');
  const isStep = new Set(vectors.map(key));
  const touch = (u: readonly number[], w: readonly number[]): boolean => isStep.has(key([0, 1, 2].map((a) => (u[a] ?? 0) - (w[a] ?? 0))));
  // earlier in raster order: (dz, dy, dx) lexicographically negative
  const earlier = vectors.filter((v) => (v[2] !== 0 ? v[2] < 0 : v[1] !== 0 ? v[1] < 0 : v[0] < 0));
  const offsetOf = (v: readonly number[]): number => (v[0] ?? 0) + DX * ((v[1] ?? 0) + DY * (v[2] ?? 0));
  const degree = (v: readonly number[]): number => earlier.filter((w) => touch(v, w)).length;
  const order = [...earlier].sort((u, w) => degree(w) - degree(u) || offsetOf(u) - offsetOf(w));
  const rest = Int32Array.from(order, (p, k) => order.reduce((bits, q, j) => (j !== k && !touch(q, p) ? bits | (1 << j) : bits), 0));
  return { offset: Int32Array.from(order.map(offsetOf)), rest };
}

/**
 * Connected-component labelling of the zones (voxels of one level connected through the neighbours of `scan`), one
 * pass in raster order with union-find: a voxel takes the label of its first earlier neighbour with its level (see
 * {@link ZoneScan}) and joins the labels of the others that neighbour does not touch, or starts a new label. Which
 * earlier neighbours have its level is found without branches, as a bit mask. Labels are joined smaller-number-wins,
 * so a label's root is never after it, and one pass over the labels then adds every label's voxel count to its root.
 * Returns (code − 1, size) pairs, one per zone.
 */
function labelZones(code: Uint8Array | Uint16Array | Int32Array, index: Int32Array, count: number, scan: ZoneScan): Int32Array {
  const label = scratchInt32('zone labels', code.length);
  const parent = scratchInt32('zone parents', count);
  const size = scratchInt32('zone sizes', count);
  const level = scratchInt32('zone levels', count);
  const { offset, rest } = scan;
  let labels = 0;
  for (let t = 0; t < count; t++) {
    const b = index[t] ?? 0;
    const c = code[b] ?? 0;
    const same = sameLevelMask(code, b, c, offset);
    let l: number;
    if (same === 0) {
      l = labels++;
      parent[l] = l;
      size[l] = 0;
      level[l] = c;
    } else {
      const k = 31 - Math.clz32(same & -same);
      l = label[b + (offset[k] ?? 0)] ?? 0;
      const more = same & (rest[k] ?? 0);
      if (more !== 0) {
        l = joinAll(label, parent, b, l, more, offset);
      }
    }
    label[b] = l;
    size[l] = (size[l] ?? 0) + 1;
  }
  return zoneSizes(parent, size, level, labels);
}

/** Bit k set when the earlier neighbour k of box voxel `b` has code `c` (codes are non-negative: no branches). */
function sameLevelMask(code: Uint8Array | Uint16Array | Int32Array, b: number, c: number, offset: Int32Array): number {
  let same = 0;
  for (let k = 0; k < offset.length; k++) {
    same |= ((((code[b + (offset[k] ?? 0)] ?? 0) ^ c) - 1) >>> 31) << k;
  }
  return same;
}

/** Joins label `l` with the labels of the earlier neighbours of `b` in the bit mask `more`; returns the root. */
function joinAll(label: Int32Array, parent: Int32Array, b: number, l: number, more: number, offset: Int32Array): number {
  let r = l;
  let bits = more;
  while (bits !== 0) {
    const j = 31 - Math.clz32(bits & -bits);
    bits &= bits - 1;
    const other = label[b + (offset[j] ?? 0)] ?? 0;
    if (other !== r) {
      r = unionJoin(parent, r, other);
    }
  }
  return r;
}

/**
 * Adds every label's voxel count to its root's (a label's parent comes before it, so parents are final when reached)
 * and lists the roots as (code − 1, size) pairs.
 */
function zoneSizes(parent: Int32Array, size: Int32Array, level: Int32Array, labels: number): Int32Array {
  let zones = 0;
  for (let l = 0; l < labels; l++) {
    const p = parent[l] ?? 0;
    if (p === l) {
      zones++;
    } else {
      const r = parent[p] ?? 0;
      parent[l] = r;
      size[r] = (size[r] ?? 0) + (size[l] ?? 0);
    }
  }
  const out = new Int32Array(2 * zones);
  for (let l = 0, z = 0; l < labels; l++) {
    if (parent[l] === l) {
      out[z++] = (level[l] ?? 0) - 1;
      out[z++] = size[l] ?? 0;
    }
  }
  return out;
}
