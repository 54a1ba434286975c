/**
 * Fast texture matrices: one sweep over the region builds the GLCMs of every direction, the GLDM and the NGTDM
 * together (they all look at the same neighbours: each voxel reads its 26, or 8, neighbours once); run lengths and size zones get their own tight loops. They read
 * the compact grey-level code of the padded box (`roi.code`: present-level rank + 1, 0 outside), so there are no
 * bounds checks and little memory traffic.
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
}

function offsets(roi: DiscretisedRoi): Int32Array {
  const [DX, DY] = roi.dims;
  return Int32Array.from(roi.directions.map(([dx, dy, dz]) => dx + DX * (dy + DY * dz)));
}

/**
 * GLCM (all directions), GLDM and NGTDM in one sweep.
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
  const counts = new Int32Array(nd * KK);
  const S = 2 * nd + 1;
  const dep = new Float64Array(K * S);
  const nI = new Float64Array(K);
  const sI = new Float64Array(K);
  // whether codes a, c are within alpha of each other (a (K+1)² table; alpha 0 → equality)
  const near = new Uint8Array((K + 1) * (K + 1));
  for (let a = 1; a <= K; a++) {
    for (let c = 1; c <= K; c++) {near[a * (K + 1) + c] = Math.abs((level[a] ?? 0) - (level[c] ?? 0)) <= alpha ? 1 : 0;}
  }
  const K1 = K + 1;
  for (let t = 0, n = roi.count; t < n; t++) {
    const b = index[t] ?? 0;
    const c = code[b] ?? 0;
    const row = (c - 1) * K - 1;
    const nearRow = c * K1;
    let sum = 0;
    let cnt = 0;
    let d = 1;
    for (let o = 0; o < nd; o++) {
      const off = offs[o] ?? 0;
      const f = code[b + off] ?? 0;
      if (f !== 0) {
        const cell = o * KK + row + f;
        counts[cell] = (counts[cell] ?? 0) + 1;
        sum += level[f] ?? 0;
        cnt++;
        d += near[nearRow + f] ?? 0;
      }
      const g = code[b - off] ?? 0;
      if (g !== 0) {
        sum += level[g] ?? 0;
        cnt++;
        d += near[nearRow + g] ?? 0;
      }
    }
    const dc = (c - 1) * S + d - 1;
    dep[dc] = (dep[dc] ?? 0) + 1;
    if (cnt > 0) {
      nI[c - 1] = (nI[c - 1] ?? 0) + 1;
      sI[c - 1] = (sI[c - 1] ?? 0) + Math.abs((level[c] ?? 0) - sum / cnt);
    }
  }
  const glcm: Float64Array[] = [];
  for (let o = 0; o < nd; o++) {
    const p = new Float64Array(KK);
    const base = o * KK;
    for (let a = 0; a < K; a++) {
      for (let c = 0; c < K; c++) {p[a * K + c] = (counts[base + a * K + c] ?? 0) + (counts[base + c * K + a] ?? 0);}
    }
    glcm.push(p);
  }
  return { glcm, gldm: { counts: dep, levels: roi.present, sizes: S }, ngtdm: { n: nI, s: sI, levels: roi.present } };
}

/**
 * Run-length matrices of every direction (columns up to the longest possible run).
 *
 * @param roi - region
 * @returns one matrix per direction, in `roi.directions` order
 */
export function runLengthMatrices(roi: DiscretisedRoi): SizeMatrix[] {
  const [DX, DY, DZ] = roi.dims;
  const S = Math.max(DX, DY, DZ) - 2;
  const K = roi.present.length;
  const code = roi.code;
  const index = roi.index;
  return Array.from(offsets(roi), (off) => {
    const counts = new Float64Array(K * S);
    for (let t = 0, n = roi.count; t < n; t++) {
      const b = index[t] ?? 0;
      const c = code[b] ?? 0;
      if (code[b - off] === c) {continue;}
      let r = 0;
      let e = b + off;
      while (code[e] === c) {
        e += off;
        r++;
      }
      const cell = (c - 1) * S + r;
      counts[cell] = (counts[cell] ?? 0) + 1;
    }
    return { counts, levels: roi.present, sizes: S };
  });
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
  const no = offs.length;
  // a visited voxel gets code 0, so one array serves as level map and visited set
  const code = roi.code.slice();
  const stack = new Int32Array(roi.count);
  let zones = new Int32Array(1024);
  let nz = 0;
  let largest = 0;
  const index = roi.index;
  for (let t = 0, n = roi.count; t < n; t++) {
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
    if (size > largest) {largest = size;}
  }
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
