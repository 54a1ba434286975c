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
 * GLCM (all directions), GLDM, NGTDM and the run-length matrices in one sweep: each voxel reads its neighbours on
 * both sides of every direction once; a voxel whose predecessor along a direction has another level starts a run,
 * which is then followed to its end.
 *
 * @param roi - region
 * @param alpha - GLDM coarseness (pyradiomics gldm_a)
 * @returns the matrices
 */
export function neighbourhoodMatrices(roi: DiscretisedRoi, alpha = 0): NeighbourhoodMatrices {
  const offs = offsets(roi);
  const nd = offs.length;
  const K = roi.present.length;
  const KK = K * K;
  const code = roi.code;
  const index = roi.index;
  const level = new Float64Array(K + 1);
  roi.present.forEach((l, i) => (level[i + 1] = l));
  const counts = new Int32Array(nd * (K + 1) * (K + 1));
  const S = 2 * nd + 1;
  const dep = new Float64Array(K * S);
  const nI = new Float64Array(K);
  const sI = new Float64Array(K);
  const [DX, DY, DZ] = roi.dims;
  const RS = Math.max(DX, DY, DZ) - 2;
  const KRS = K * RS;
  const runs = new Int32Array(nd * KRS);
  // whether codes a, c are within alpha of each other (a (K+1)² table; alpha 0 → equality)
  const near = new Uint8Array((K + 1) * (K + 1));
  for (let a = 1; a <= K; a++) {
    for (let c = 1; c <= K; c++) {near[a * (K + 1) + c] = Math.abs((level[a] ?? 0) - (level[c] ?? 0)) <= alpha ? 1 : 0;}
  }
  sweep(code, index, roi.count, offs, level, near, K, RS, counts, dep, nI, sI, runs);
  const glcm: Float64Array[] = [];
  const glrlm: SizeMatrix[] = [];
  for (let o = 0; o < nd; o++) {
    const p = new Float64Array(KK);
    const base = o * (K + 1) * (K + 1);
    for (let a = 0; a < K; a++) {
      for (let c = 0; c < K; c++) {p[a * K + c] = (counts[base + (a + 1) * (K + 1) + c + 1] ?? 0) + (counts[base + (c + 1) * (K + 1) + a + 1] ?? 0);}
    }
    glcm.push(p);
    glrlm.push({ counts: Float64Array.from(runs.subarray(o * KRS, (o + 1) * KRS)), levels: roi.present, sizes: RS });
  }
  return { glcm, gldm: { counts: dep, levels: roi.present, sizes: S }, ngtdm: { n: nI, s: sI, levels: roi.present }, glrlm };
}

/** The sweep of {@link neighbourhoodMatrices}: accumulates into `counts`, `dep`, `nI`, `sI` and `runs`. */
function sweep(
  code: Uint8Array | Uint16Array | Int32Array, index: Int32Array, n: number, offs: Int32Array, level: Float64Array, near: Uint8Array,
  K: number, RS: number, counts: Int32Array, dep: Float64Array, nI: Float64Array, sI: Float64Array, runs: Int32Array,
): void {
  const nd = offs.length;
  const S = 2 * nd + 1;
  const KRS = K * RS;
  const K1 = K + 1;
  // co-occurrence counts in a (K+1)×(K+1) layout per direction, so a neighbour outside the region (code 0) lands in
  // an unused column instead of taking a branch; level[0] = 0, inRegion[0] = 0 and near[·][0] = 0 likewise
  const K1K1 = K1 * K1;
  const inRegion = new Uint8Array(K1).fill(1);
  inRegion[0] = 0;
  for (let t = 0; t < n; t++) {
    const b = index[t] ?? 0;
    const c = code[b] ?? 0;
    const row = c * K1;
    const runRow = (c - 1) * RS;
    let sum = 0;
    let cnt = 0;
    let d = 1;
    for (let o = 0; o < nd; o++) {
      const off = offs[o] ?? 0;
      const f = code[b + off] ?? 0;
      const g = code[b - off] ?? 0;
      const cell = o * K1K1 + row + f;
      counts[cell] = (counts[cell] ?? 0) + 1;
      sum += (level[f] ?? 0) + (level[g] ?? 0);
      cnt += (inRegion[f] ?? 0) + (inRegion[g] ?? 0);
      d += (near[row + f] ?? 0) + (near[row + g] ?? 0);
      if (g !== c) {
        // a run starts here: follow it
        let r = 0;
        if (f === c) {
          r = 1;
          let e = b + 2 * off;
          while (code[e] === c) {
            e += off;
            r++;
          }
        }
        const rc = o * KRS + runRow + r;
        runs[rc] = (runs[rc] ?? 0) + 1;
      }
    }
    const dc = (c - 1) * S + d - 1;
    dep[dc] = (dep[dc] ?? 0) + 1;
    if (cnt > 0) {
      nI[c - 1] = (nI[c - 1] ?? 0) + 1;
      sI[c - 1] = (sI[c - 1] ?? 0) + Math.abs((level[c] ?? 0) - sum / cnt);
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
  const half = offsets(roi);
  const offs = new Int32Array(2 * half.length);
  half.forEach((o, i) => {
    offs[2 * i] = o;
    offs[2 * i + 1] = -o;
  });
  const zones = floodZones(roi.code.slice(), roi.index, roi.count, offs);
  const nz = zones.length;
  let largest = 0;
  for (let z = 1; z < nz; z += 2) {if ((zones[z] ?? 0) > largest) {largest = zones[z] ?? 0;}}
  const column = new Int32Array(largest + 1).fill(-1);
  for (let z = 1; z < nz; z += 2) {column[zones[z] ?? 0] = 0;}
  let S = 0;
  for (let size = 1; size <= largest; size++) {
    if (column[size] === 0) {column[size] = S++;}
  }
  const columnSizes = new Int32Array(S);
  for (let size = 1; size <= largest; size++) {
    const c = column[size] ?? -1;
    if (c >= 0) {columnSizes[c] = size;}
  }
  const counts = new Float64Array(roi.present.length * S);
  for (let z = 0; z < nz; z += 2) {
    const cell = (zones[z] ?? 0) * S + (column[zones[z + 1] ?? 0] ?? 0);
    counts[cell] = (counts[cell] ?? 0) + 1;
  }
  return { counts, levels: roi.present, sizes: S, columnSizes };
}

/**
 * Flood fill of the zones (voxels of one level connected through `offs`): (code − 1, size) pairs. `code` is consumed
 * (a visited voxel gets code 0, so one array serves as level map and visited set).
 */
function floodZones(code: Uint8Array | Uint16Array | Int32Array, index: Int32Array, count: number, offs: Int32Array): Int32Array {
  const no = offs.length;
  const stack = new Int32Array(count);
  let zones = new Int32Array(1024);
  let nz = 0;
  for (let t = 0; t < count; t++) {
    const start = index[t] ?? 0;
    const c = code[start] ?? 0;
    if (c === 0) {continue;}
    code[start] = 0;
    let top = 0;
    stack[top++] = start;
    let size = 0;
    while (top > 0) {
      const b = stack[--top] ?? 0;
      size++;
      for (let k = 0; k < no; k++) {
        const nb = b + (offs[k] ?? 0);
        if (code[nb] === c) {
          code[nb] = 0;
          stack[top++] = nb;
        }
      }
    }
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
