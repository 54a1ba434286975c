/**
 * Marching-cubes mesh of a binary region, as pyradiomics' shape class builds it: vertices halfway along every cube
 * edge between a voxel inside and one outside, triangles from the classic 256-case table folded to 128 cases
 * (a cube and its complement give the same surface; the complement's triangles count with a negative sign for the
 * volume). From the mesh: surface area (sum of triangle areas), volume (signed tetrahedra against the origin,
 * divergence theorem) and the maximum diameters between mesh vertices (3-D, and within one slice, column or row).
 *
 * Coordinates are (z, y, x) in mm, in the order pyradiomics uses, so sums and comparisons match it.
 */

import { scratchInt32 } from './scratch';

// Cube corners, (z, y, x) relative to the cube origin, in case-index bit order: (0,0,0) (0,0,1) (0,1,1) (0,1,0)
// (1,0,0) (1,0,1) (1,1,1) (1,1,0) (CORNERS below; `marchRowWords` builds the case index from them).
/** Mid-edge vertex positions (z, y, x) of the 12 cube edges. */
const EDGE_VERTEX: readonly (readonly [number, number, number])[] = [
  [0, 0, 0.5],
  [0, 0.5, 1],
  [0, 1, 0.5],
  [0, 0.5, 0],
  [1, 0, 0.5],
  [1, 0.5, 1],
  [1, 1, 0.5],
  [1, 0.5, 0],
  [0.5, 0, 0],
  [0.5, 0, 1],
  [0.5, 1, 1],
  [0.5, 1, 0],
];

/**
 * Triangles (edge-index triples, consistently oriented) of the cases 0–127; case c ≥ 128 uses case 255 − c with the
 * volume sign flipped. The classic marching-cubes table (Lorensen & Cline 1987; public-domain tabulation by
 * Paul Bourke / Cory Bloyd) in the orientation pyradiomics uses.
 */
const TRIANGLES: readonly (readonly number[])[] = [
  [],
  [0, 8, 3],
  [1, 9, 0],
  [1, 8, 3, 1, 9, 8],
  [1, 2, 10],
  [0, 8, 3, 1, 2, 10],
  [9, 2, 10, 0, 2, 9],
  [2, 8, 3, 2, 10, 8, 10, 9, 8],
  [11, 2, 3],
  [11, 2, 0, 0, 8, 11],
  [1, 9, 0, 11, 2, 3],
  [11, 2, 1, 1, 9, 11, 9, 8, 11],
  [3, 10, 1, 11, 10, 3],
  [10, 1, 0, 0, 8, 10, 8, 11, 10],
  [9, 0, 3, 3, 11, 9, 11, 10, 9],
  [9, 8, 10, 11, 10, 8],
  [4, 7, 8],
  [0, 4, 3, 4, 7, 3],
  [1, 9, 0, 4, 7, 8],
  [1, 9, 4, 1, 4, 7, 1, 7, 3],
  [1, 2, 10, 4, 7, 8],
  [3, 4, 7, 3, 0, 4, 1, 2, 10],
  [9, 2, 10, 9, 0, 2, 4, 7, 8],
  [2, 10, 9, 2, 9, 7, 2, 7, 3, 4, 7, 9],
  [4, 7, 8, 11, 2, 3],
  [11, 4, 7, 11, 2, 4, 2, 0, 4],
  [1, 9, 0, 4, 7, 8, 11, 2, 3],
  [4, 7, 11, 9, 4, 11, 11, 2, 9, 1, 9, 2],
  [3, 10, 1, 11, 10, 3, 4, 7, 8],
  [11, 10, 1, 1, 4, 11, 1, 0, 4, 4, 7, 11],
  [4, 7, 8, 9, 0, 3, 3, 11, 9, 11, 10, 9],
  [4, 7, 11, 4, 11, 9, 9, 11, 10],
  [9, 5, 4],
  [9, 5, 4, 0, 8, 3],
  [0, 5, 4, 0, 1, 5],
  [8, 5, 4, 8, 3, 5, 3, 1, 5],
  [1, 2, 10, 9, 5, 4],
  [0, 8, 3, 1, 2, 10, 9, 5, 4],
  [2, 10, 5, 5, 4, 2, 2, 4, 0],
  [2, 10, 5, 3, 2, 5, 3, 5, 4, 8, 3, 4],
  [9, 5, 4, 11, 2, 3],
  [11, 2, 0, 0, 8, 11, 9, 5, 4],
  [0, 5, 4, 0, 1, 5, 11, 2, 3],
  [2, 1, 5, 2, 5, 8, 11, 2, 8, 5, 4, 8],
  [3, 10, 1, 11, 10, 3, 9, 5, 4],
  [5, 4, 9, 10, 1, 0, 0, 8, 10, 8, 11, 10],
  [5, 4, 0, 5, 0, 11, 10, 5, 11, 11, 0, 3],
  [5, 4, 8, 10, 5, 8, 11, 10, 8],
  [7, 8, 9, 5, 7, 9],
  [3, 0, 9, 5, 3, 9, 3, 5, 7],
  [7, 8, 0, 0, 1, 7, 7, 1, 5],
  [1, 5, 7, 1, 7, 3],
  [7, 8, 9, 5, 7, 9, 1, 2, 10],
  [1, 2, 10, 3, 0, 9, 3, 9, 5, 3, 5, 7],
  [0, 2, 8, 8, 2, 5, 8, 5, 7, 2, 10, 5],
  [2, 10, 5, 2, 5, 3, 3, 5, 7],
  [5, 7, 9, 7, 8, 9, 11, 2, 3],
  [5, 7, 9, 9, 7, 2, 2, 0, 9, 11, 2, 7],
  [11, 2, 3, 0, 1, 8, 1, 7, 8, 1, 5, 7],
  [2, 1, 11, 1, 7, 11, 1, 5, 7],
  [7, 8, 9, 5, 7, 9, 3, 10, 1, 11, 10, 3],
  [5, 7, 0, 5, 0, 9, 7, 11, 0, 10, 1, 0, 11, 10, 0],
  [11, 10, 0, 0, 3, 11, 10, 5, 0, 0, 7, 8, 5, 7, 0],
  [11, 10, 5, 5, 7, 11],
  [6, 5, 10],
  [0, 8, 3, 6, 5, 10],
  [1, 9, 0, 6, 5, 10],
  [1, 8, 3, 1, 9, 8, 6, 5, 10],
  [1, 6, 5, 1, 2, 6],
  [1, 6, 5, 1, 2, 6, 0, 8, 3],
  [9, 6, 5, 9, 0, 6, 0, 2, 6],
  [5, 9, 8, 5, 8, 2, 5, 2, 6, 8, 3, 2],
  [11, 2, 3, 6, 5, 10],
  [11, 2, 0, 0, 8, 11, 6, 5, 10],
  [1, 9, 0, 11, 2, 3, 6, 5, 10],
  [11, 2, 1, 1, 9, 11, 9, 8, 11, 6, 5, 10],
  [6, 3, 11, 6, 5, 3, 5, 1, 3],
  [0, 8, 11, 0, 11, 5, 0, 5, 1, 5, 11, 6],
  [6, 3, 11, 0, 3, 6, 0, 6, 5, 0, 5, 9],
  [6, 5, 9, 6, 9, 11, 11, 9, 8],
  [4, 7, 8, 6, 5, 10],
  [0, 4, 3, 4, 7, 3, 6, 5, 10],
  [1, 9, 0, 4, 7, 8, 6, 5, 10],
  [1, 9, 4, 1, 4, 7, 1, 7, 3, 6, 5, 10],
  [4, 7, 8, 1, 6, 5, 1, 2, 6],
  [0, 4, 3, 4, 7, 3, 1, 6, 5, 1, 2, 6],
  [4, 7, 8, 9, 6, 5, 9, 0, 6, 0, 2, 6],
  [7, 3, 9, 4, 7, 9, 3, 2, 9, 5, 9, 6, 2, 6, 9],
  [11, 2, 3, 4, 7, 8, 6, 5, 10],
  [11, 4, 7, 11, 2, 4, 2, 0, 4, 6, 5, 10],
  [1, 9, 0, 11, 2, 3, 4, 7, 8, 6, 5, 10],
  [4, 7, 11, 9, 4, 11, 11, 2, 9, 1, 9, 2, 6, 5, 10],
  [4, 7, 8, 6, 3, 11, 6, 5, 3, 5, 1, 3],
  [5, 1, 11, 5, 11, 6, 1, 0, 11, 4, 7, 11, 0, 4, 11],
  [4, 7, 8, 6, 3, 11, 0, 3, 6, 0, 6, 5, 0, 5, 9],
  [6, 5, 9, 6, 9, 11, 4, 7, 9, 7, 11, 9],
  [10, 4, 9, 6, 4, 10],
  [10, 4, 9, 6, 4, 10, 0, 8, 3],
  [0, 1, 10, 10, 6, 0, 6, 4, 0],
  [1, 8, 3, 1, 6, 8, 8, 6, 4, 6, 1, 10],
  [1, 4, 9, 1, 2, 4, 2, 6, 4],
  [1, 4, 9, 1, 2, 4, 2, 6, 4, 0, 8, 3],
  [0, 2, 4, 4, 2, 6],
  [8, 3, 2, 8, 2, 4, 4, 2, 6],
  [11, 2, 3, 10, 4, 9, 6, 4, 10],
  [11, 2, 0, 0, 8, 11, 10, 4, 9, 6, 4, 10],
  [11, 2, 3, 0, 1, 10, 10, 6, 0, 6, 4, 0],
  [6, 4, 1, 6, 1, 10, 1, 4, 8, 11, 2, 1, 1, 8, 11],
  [9, 6, 4, 3, 6, 9, 1, 3, 9, 11, 6, 3],
  [1, 8, 11, 0, 8, 1, 11, 6, 1, 1, 4, 9, 6, 4, 1],
  [6, 3, 11, 0, 3, 6, 6, 4, 0],
  [8, 6, 4, 6, 8, 11],
  [6, 7, 10, 7, 8, 10, 8, 9, 10],
  [6, 7, 10, 0, 10, 7, 0, 9, 10, 0, 7, 3],
  [6, 7, 10, 1, 10, 7, 1, 7, 8, 0, 1, 8],
  [6, 7, 10, 1, 10, 7, 1, 7, 3],
  [1, 2, 6, 1, 6, 8, 1, 8, 9, 6, 7, 8],
  [2, 6, 9, 1, 2, 9, 6, 7, 9, 3, 0, 9, 7, 3, 9],
  [0, 7, 8, 7, 0, 6, 6, 0, 2],
  [2, 7, 3, 2, 6, 7],
  [11, 2, 3, 6, 7, 10, 7, 8, 10, 8, 9, 10],
  [2, 0, 7, 11, 2, 7, 0, 9, 7, 6, 7, 10, 9, 10, 7],
  [6, 7, 10, 1, 10, 7, 1, 7, 8, 0, 1, 8, 11, 2, 3],
  [11, 2, 1, 1, 7, 11, 10, 6, 1, 1, 6, 7],
  [8, 9, 6, 6, 7, 8, 1, 6, 9, 11, 6, 3, 1, 3, 6],
  [0, 9, 1, 6, 7, 11],
  [0, 7, 8, 7, 0, 6, 0, 3, 11, 11, 6, 0],
  [6, 7, 11],
];

/** Mesh-derived measures of a region. */
export interface MeshMeasures {
  /** Surface area, mm². */
  readonly surfaceArea: number;
  /** Enclosed volume, mm³. */
  readonly volume: number;
  /** Largest vertex–vertex distance, mm. */
  readonly maximum3DDiameter: number;
  /** Largest distance between vertices in the same axial slice (same z), mm. */
  readonly maximum2DDiameterSlice: number;
  /** Same y (coronal plane), mm. */
  readonly maximum2DDiameterColumn: number;
  /** Same x (sagittal plane), mm. */
  readonly maximum2DDiameterRow: number;
}

/**
 * Per-case geometry for one spacing: surface area, and the two terms of the signed volume of a cube at physical
 * position p: Σ a·(b×c) over its triangles = p·N + D, with a, b, c the vertices relative to the cube origin.
 */
interface CaseTable {
  readonly area: Float64Array;
  /** N (z, y, x) per case, flat. */
  readonly normal: Float64Array;
  readonly det: Float64Array;
}

function caseTable(s0: number, s1: number, s2: number): CaseTable {
  const area = new Float64Array(128);
  const normal = new Float64Array(384);
  const det = new Float64Array(128);
  const vz = EDGE_VERTEX.map((v) => v[0] * s0);
  const vy = EDGE_VERTEX.map((v) => v[1] * s1);
  const vx = EDGE_VERTEX.map((v) => v[2] * s2);
  TRIANGLES.forEach((tris, c) => {
    for (let t = 0; t + 2 < tris.length; t += 3) {
      const [ea = 0, eb = 0, ec = 0] = [tris[t], tris[t + 1], tris[t + 2]];
      const a = [vz[ea] ?? 0, vy[ea] ?? 0, vx[ea] ?? 0] as const;
      const b = [vz[eb] ?? 0, vy[eb] ?? 0, vx[eb] ?? 0] as const;
      const q = [vz[ec] ?? 0, vy[ec] ?? 0, vx[ec] ?? 0] as const;
      const cross = (u: readonly number[], w: readonly number[]): [number, number, number] => [
        (u[1] ?? 0) * (w[2] ?? 0) - (w[1] ?? 0) * (u[2] ?? 0),
        (u[2] ?? 0) * (w[0] ?? 0) - (w[2] ?? 0) * (u[0] ?? 0),
        (u[0] ?? 0) * (w[1] ?? 0) - (w[0] ?? 0) * (u[1] ?? 0),
      ];
      const bc = cross(b, q);
      const ca = cross(q, a);
      const ab = cross(a, b);
      for (let d = 0; d < 3; d++) {
        normal[3 * c + d] = (normal[3 * c + d] ?? 0) + (bc[d] ?? 0) + (ca[d] ?? 0) + (ab[d] ?? 0);
      }
      det[c] = (det[c] ?? 0) + a[0] * bc[0] + a[1] * bc[1] + a[2] * bc[2];
      const n = cross([a[0] - q[0], a[1] - q[1], a[2] - q[2]], [b[0] - q[0], b[1] - q[1], b[2] - q[2]]);
      area[c] = (area[c] ?? 0) + 0.5 * Math.sqrt(n[0] * n[0] + n[1] * n[1] + n[2] * n[2]);
    }
  });
  return { area, normal, det };
}

/** First and last inside x of every row of a box (row = y + DY·z), −1 for an empty row. */
export interface RowExtents {
  readonly first: Int32Array;
  readonly last: Int32Array;
}

/** {@link RowExtents} of a binary box, by scanning each row from both ends. */
function rowExtents(inside: Uint8Array, DX: number, rows: number): RowExtents {
  const first = new Int32Array(rows).fill(-1);
  const last = new Int32Array(rows).fill(-1);
  for (let r = 0, base = 0; r < rows; r++, base += DX) {
    let a = 0;
    while (a < DX && inside[base + a] === 0) {
      a++;
    }
    if (a === DX) {
      continue;
    }
    let z = DX - 1;
    while (inside[base + z] === 0) {
      z--;
    }
    first[r] = a;
    last[r] = z;
  }
  return { first, last };
}

/**
 * Builds the mesh of a binary box (x fastest) whose outer layer is empty, and measures it.
 *
 * @param inside - 1 inside the region, 0 outside; the one-voxel border must be 0
 * @param dims - box size [x, y, z]
 * @param spacingMm - spacing [x, y, z] in mm
 * @param rows - first and last inside voxel of every x row, when the caller has them (else found by scanning `inside`)
 * @returns area, volume and diameters
 */
export function meshMeasures(inside: Uint8Array, dims: readonly [number, number, number], spacingMm: readonly [number, number, number], rows?: RowExtents): MeshMeasures {
  const [DX, DY, DZ] = dims;
  const extents = rows ?? rowExtents(inside, DX, DY * DZ);
  return meshMeasuresOfBitRows(bitRows(inside, DX, DY * DZ, extents), dims, spacingMm, extents);
}

/**
 * Words per bit row of a box `DX` voxels wide ({@link meshMeasuresOfBitRows}): bit x of a row is bit x & 31 of its
 * word x >> 5 (one spare word or bits so a row always ends in outside bits).
 *
 * @param DX - box width
 * @returns words per row
 */
export function bitRowWords(DX: number): number {
  return (DX >> 5) + 1;
}

/**
 * {@link meshMeasures} of a region given as bit rows (row y + DY·z at word (y + DY·z)·{@link bitRowWords}(DX); bits
 * past the row end 0), for callers that build them while they visit the region anyway.
 *
 * @param bits - the bit rows; the one-voxel border of the box must be 0
 * @param dims - box size [x, y, z]
 * @param spacingMm - spacing [x, y, z] in mm
 * @param rows - first and last inside voxel of every x row (−1 for empty rows)
 * @returns area, volume and diameters
 */
export function meshMeasuresOfBitRows(bits: Int32Array, dims: readonly [number, number, number], spacingMm: readonly [number, number, number], rows: RowExtents): MeshMeasures {
  const [DX, DY, DZ] = dims;
  return measure(dims, spacingMm, (table, out) => {
    marchSurface(bits, DX, DY, DZ, table, out, rows);
  });
}

/**
 * The same measures as {@link meshMeasures} by the plain sweep over every cube of the box (the reference the
 * surface-only sweep is tested against; it gives bit-identical results, the cubes it adds being the same in the same
 * order).
 *
 * @param inside - 1 inside the region, 0 outside; the one-voxel border must be 0
 * @param dims - box size [x, y, z]
 * @param spacingMm - spacing [x, y, z] in mm
 * @returns area, volume and diameters
 */
export function meshMeasuresReference(inside: Uint8Array, dims: readonly [number, number, number], spacingMm: readonly [number, number, number]): MeshMeasures {
  const [DX, DY, DZ] = dims;
  return measure(dims, spacingMm, (table, out) => {
    for (let iz = 0; iz < DZ - 1; iz++) {
      for (let iy = 0; iy < DY - 1; iy++) {
        for (let ix = 0; ix < DX - 1; ix++) {
          let idx = 0;
          for (let c = 0; c < 8; c++) {
            const [cz = 0, cy = 0, cx = 0] = CORNERS[c] ?? [];
            idx |= (inside[ix + cx + DX * (iy + cy + DY * (iz + cz))] ?? 0) << c;
          }
          addCube(idx, iz, iy, ix, table, out);
        }
      }
    }
  });
}

/** Cube corners (z, y, x) in case-index bit order. */
const CORNERS: readonly (readonly [number, number, number])[] = [
  [0, 0, 0],
  [0, 0, 1],
  [0, 1, 1],
  [0, 1, 0],
  [1, 0, 0],
  [1, 0, 1],
  [1, 1, 1],
  [1, 1, 0],
];

/** Runs a marching-cubes sweep (which adds its cubes to the output in z, y, x order) and measures its mesh. */
function measure(dims: readonly [number, number, number], spacingMm: readonly [number, number, number], sweep: (table: CaseTable, out: MarchOutput) => void): MeshMeasures {
  const [DX, DY, DZ] = dims;
  const s0 = spacingMm[2];
  const s1 = spacingMm[1];
  const s2 = spacingMm[0];
  const table = caseTable(s0, s1, s2);
  // vertices stored once per cube (edges 6, 7, 11, present when corners 6, 4, 3 are inside after folding), as
  // half-voxel grid coordinates (2z, 2y, 2x)
  const out: MarchOutput = { verts: new Int32Array(3 * 8192), nv: 0, area: 0, volume: 0, s0, s1, s2 };
  sweep(table, out);
  const verts = out.verts.subarray(0, out.nv);
  const d = diameters(verts, [2 * DZ + 1, 2 * DY + 1, 2 * DX + 1], [s0, s1, s2]);
  return {
    surfaceArea: out.area,
    volume: out.volume / 6,
    maximum3DDiameter: d[3],
    maximum2DDiameterSlice: d[0],
    maximum2DDiameterColumn: d[1],
    maximum2DDiameterRow: d[2],
  };
}

/** What a sweep adds to: the vertex list (grown as needed), its length, the area and 6 × the signed volume; spacing. */
interface MarchOutput {
  verts: Int32Array;
  nv: number;
  area: number;
  volume: number;
  readonly s0: number;
  readonly s1: number;
  readonly s2: number;
}

/**
 * Adds cube (iz, iy, ix) of case `idx` (corner bits as {@link CORNERS}) to the mesh: its vertices, area and signed
 * volume (nothing for the empty and the full cube).
 */
function addCube(caseIndex: number, iz: number, iy: number, ix: number, table: CaseTable, out: MarchOutput): void {
  let idx = caseIndex;
  if (idx === 0 || idx === 255) {
    return;
  }
  let sign = 1;
  if (idx & 0x80) {
    idx ^= 0xff;
    sign = -1;
  }
  let verts = out.verts;
  let nv = out.nv;
  if (nv + 9 > verts.length) {
    const grown = new Int32Array(verts.length * 2);
    grown.set(verts);
    verts = grown;
    out.verts = grown;
  }
  if (idx & 0x40) {
    verts[nv++] = 2 * iz + 2;
    verts[nv++] = 2 * iy + 2;
    verts[nv++] = 2 * ix + 1;
  }
  if (idx & 0x10) {
    verts[nv++] = 2 * iz + 2;
    verts[nv++] = 2 * iy + 1;
    verts[nv++] = 2 * ix;
  }
  if (idx & 0x08) {
    verts[nv++] = 2 * iz + 1;
    verts[nv++] = 2 * iy + 2;
    verts[nv++] = 2 * ix;
  }
  out.nv = nv;
  const { normal, det } = table;
  out.area += table.area[idx] ?? 0;
  out.volume += sign * (iz * out.s0 * (normal[3 * idx] ?? 0) + iy * out.s1 * (normal[3 * idx + 1] ?? 0) + ix * out.s2 * (normal[3 * idx + 2] ?? 0) + (det[idx] ?? 0));
}

/**
 * The marching-cubes sweep over the surface cubes only: per row of cubes, the AND and the OR of its four corner bit
 * rows, 32 columns at a time, give the cubes that have a corner inside and are not wholly inside; only those are
 * looked at (a brain mask's interior and its outside are skipped 32 cubes at a time), their case index taken from the
 * same words. Rows of cubes whose four corner rows are empty are skipped by their extents.
 */
function marchSurface(bits: Int32Array, DX: number, DY: number, DZ: number, table: CaseTable, out: MarchOutput, rows: RowExtents): void {
  const W = bitRowWords(DX);
  const { first, last } = rows;
  for (let iz = 0; iz < DZ - 1; iz++) {
    for (let iy = 0; iy < DY - 1; iy++) {
      const row = iz * DY + iy;
      const lo = Math.min(firstOr(first, row, DX), firstOr(first, row + 1, DX), firstOr(first, row + DY, DX), firstOr(first, row + DY + 1, DX));
      const hi = Math.max(last[row] ?? -1, last[row + 1] ?? -1, last[row + DY] ?? -1, last[row + DY + 1] ?? -1);
      if (hi >= 0) {
        // cubes lo − 1 … hi: words (lo − 1) >> 5 … hi >> 5
        marchRowWords(bits, row, W, DY, iz, iy, Math.max(0, lo - 1) >> 5, hi >> 5, table, out);
      }
    }
  }
}

/** The box rows of `inside` as bit rows ({@link bitRowWords} words each, bits past the row end 0). */
function bitRows(inside: Uint8Array, DX: number, nRows: number, rows: RowExtents): Int32Array {
  const W = bitRowWords(DX);
  const bits = scratchInt32('mesh bit rows', nRows * W).fill(0);
  const { first, last } = rows;
  for (let r = 0; r < nRows; r++) {
    const a = first[r] ?? -1;
    if (a >= 0) {
      packRow(inside, r * DX, r * W, a, last[r] ?? -1, bits);
    }
  }
  return bits;
}

/** Sets bit x of the row at word `w0` for every inside x in `a…z` of the row at box index `base`. */
function packRow(inside: Uint8Array, base: number, w0: number, a: number, z: number, bits: Int32Array): void {
  for (let x = a; x <= z; x++) {
    if (inside[base + x] !== 0) {
      const w = w0 + (x >> 5);
      bits[w] = (bits[w] ?? 0) | (1 << (x & 31));
    }
  }
}

/**
 * The surface cubes of one row of cubes (corner bit rows `row`, row + 1, row + DY, row + DY + 1), words w0…w1: a
 * cube x is looked at when a corner is inside (OR of its columns x and x + 1) and not all are (AND), in increasing x.
 * Per word, `aYZ` holds column x of corner row (y, z) at bit x and `cYZ` column x + 1 (the word shifted down by one,
 * with bit 0 of the next word on top), so a cube's 8 corners are 8 bits at the same position.
 */
function marchRowWords(bits: Int32Array, row: number, W: number, DY: number, iz: number, iy: number, w0: number, w1: number, table: CaseTable, out: MarchOutput): void {
  const b00 = row * W;
  const b01 = b00 + W;
  const b10 = b00 + DY * W;
  const b11 = b10 + W;
  let a00 = bits[b00 + w0] ?? 0;
  let a01 = bits[b01 + w0] ?? 0;
  let a10 = bits[b10 + w0] ?? 0;
  let a11 = bits[b11 + w0] ?? 0;
  for (let w = w0; w <= w1; w++) {
    // the next words (0 past the row: the border column is outside, so no cube there is looked at)
    const more = w + 1 < W;
    const n00 = more ? (bits[b00 + w + 1] ?? 0) : 0;
    const n01 = more ? (bits[b01 + w + 1] ?? 0) : 0;
    const n10 = more ? (bits[b10 + w + 1] ?? 0) : 0;
    const n11 = more ? (bits[b11 + w + 1] ?? 0) : 0;
    const c00 = (a00 >>> 1) | (n00 << 31);
    const c01 = (a01 >>> 1) | (n01 << 31);
    const c10 = (a10 >>> 1) | (n10 << 31);
    const c11 = (a11 >>> 1) | (n11 << 31);
    let surface = ~(a00 & a01 & a10 & a11 & c00 & c01 & c10 & c11) & (a00 | a01 | a10 | a11 | c00 | c01 | c10 | c11);
    while (surface !== 0) {
      const bit = surface & -surface;
      surface ^= bit;
      const x = 31 - Math.clz32(bit);
      // corner bits in CORNERS order: (0,0,0) (0,0,1) (0,1,1) (0,1,0) (1,0,0) (1,0,1) (1,1,1) (1,1,0)
      const idx =
        ((a00 >>> x) & 1) |
        (((c00 >>> x) & 1) << 1) |
        (((c01 >>> x) & 1) << 2) |
        (((a01 >>> x) & 1) << 3) |
        (((a10 >>> x) & 1) << 4) |
        (((c10 >>> x) & 1) << 5) |
        (((c11 >>> x) & 1) << 6) |
        (((a11 >>> x) & 1) << 7);
      addCube(idx, iz, iy, (w << 5) + x, table, out);
    }
    a00 = n00;
    a01 = n01;
    a10 = n10;
    a11 = n11;
  }
}

/** The first inside x of row `r`, or `none` when the row is empty. */
function firstOr(first: Int32Array, r: number, none: number): number {
  const a = first[r] ?? -1;
  return a < 0 ? none : a;
}

/**
 * Largest vertex–vertex distances: among vertices sharing z (slice), y (column), x (row), and overall.
 *
 * Exact, but fast: a pair at maximum distance can always be chosen among points extreme in the point set (convex hull
 * vertices), and an extreme point is the first or last point on every axis-parallel line through it. In 3-D, only
 * points first/last on their lines along all three axes are candidates; they are visited from the outside in
 * (distance to the centroid) and pairs the triangle inequality rules out are skipped. In a plane, the first and last
 * point of each line already hold the polygon's convex hull, built exactly (integer half-voxel coordinates) by a
 * monotone chain; its vertices are then compared pairwise.
 *
 * @param h - half-voxel grid coordinates (2z, 2y, 2x) per vertex
 * @param extent - grid extent per axis (z, y, x)
 * @param spacing - spacing (z, y, x) in mm
 * @returns [slice, column, row, 3-D] diameters in mm
 */
function diameters(h: Int32Array, extent: readonly [number, number, number], spacing: readonly [number, number, number]): [number, number, number, number] {
  const n = h.length / 3;
  const [ez, ey, ex] = extent;
  // first/last vertex on each line along x (keyed z·ey + y), along y (keyed z·ex + x) and along z (keyed y·ex + x)
  const [loX, hiX] = lineExtremes(h, n, 0, 1, ey, ez * ey);
  const [loY, hiY] = lineExtremes(h, n, 0, 2, ex, ez * ex);
  const [loZ, hiZ] = lineExtremes(h, n, 1, 2, ex, ey * ex);
  const [s0, s1, s2] = spacing;
  const out: [number, number, number, number] = [0, 0, 0, 0];
  out[3] = Math.sqrt(diameter3d(h, n, [loX, hiX, loY, hiY, loZ, hiZ], [0.5 * s0, 0.5 * s1, 0.5 * s2]));
  // slices (fixed z): rows y, extremes along x; columns (fixed y): rows z, extremes along x; fixed x: rows z, along y
  out[0] = Math.sqrt(planeDiameters(h, loX, hiX, ez, ey, 1, 2, ey, 1, 0.5 * s1, 0.5 * s2));
  out[1] = Math.sqrt(planeDiameters(h, loX, hiX, ey, ez, 0, 2, 1, ey, 0.5 * s0, 0.5 * s2));
  out[2] = Math.sqrt(planeDiameters(h, loY, hiY, ex, ez, 0, 1, 1, ex, 0.5 * s0, 0.5 * s1));
  return out;
}

/**
 * For every line along the third axis (keyed by the other two, `h[a]·stride + h[b]`), the vertices with the smallest and the largest coordinate
 * on it, −1 for empty lines. Relies on the order the sweeps ({@link addCube}) write the vertices in: z outer, y, x inner, and on
 * any line along x, y or z all vertices are of one edge kind (the parities of the other two coordinates tell it), so
 * their coordinate along the line strictly increases in that order (each edge is stored once). The first vertex met
 * on a line is then its lowest and the last its highest.
 */
function lineExtremes(h: Int32Array, n: number, a: number, b: number, stride: number, cells: number): [Int32Array, Int32Array] {
  const lo = new Int32Array(cells).fill(-1);
  const hi = new Int32Array(cells);
  for (let i = 0; i < n; i++) {
    const key = (h[3 * i + a] ?? 0) * stride + (h[3 * i + b] ?? 0);
    if ((lo[key] ?? 0) < 0) {
      lo[key] = i;
    }
    hi[key] = i;
  }
  for (let k = 0; k < cells; k++) {
    if ((lo[k] ?? 0) < 0) {
      hi[k] = -1;
    }
  }
  return [lo, hi];
}

/** Squared 3-D diameter over the vertices extreme along all three axes. */
function diameter3d(h: Int32Array, n: number, ext: readonly Int32Array[], half: readonly [number, number, number]): number {
  const flags = new Uint8Array(n);
  ext.forEach((e, k) => {
    const bit = 1 << (k >> 1);
    for (let j = 0; j < e.length; j++) {
      const i = e[j] ?? -1;
      if (i >= 0) {
        flags[i] = (flags[i] ?? 0) | bit;
      }
    }
  });
  let m = 0;
  for (let i = 0; i < n; i++) {
    if (flags[i] === 7) {
      m++;
    }
  }
  const z = new Float64Array(m);
  const y = new Float64Array(m);
  const x = new Float64Array(m);
  m = 0;
  for (let i = 0; i < n; i++) {
    if (flags[i] === 7) {
      z[m] = (h[3 * i] ?? 0) * half[0];
      y[m] = (h[3 * i + 1] ?? 0) * half[1];
      x[m] = (h[3 * i + 2] ?? 0) * half[2];
      m++;
    }
  }
  return groupDiameter(z, y, x, m);
}

/**
 * Largest squared in-plane diameter over all planes normal to one axis. Planes k = 0…planes−1, rows r = 0…rows−1 of
 * each plane; `lo`/`hi` hold, at `k·kStride + r·rStride`, the first/last vertex of that row along the in-plane axis
 * `along` (−1 when empty); `across` is the row axis. Each plane's convex hull (monotone chain on the integer
 * coordinates) gives the candidates; planes are visited by decreasing bounding-box diagonal and the search stops when
 * that bound cannot beat the best diameter found.
 */
function planeDiameters(
  h: Int32Array,
  lo: Int32Array,
  hi: Int32Array,
  planes: number,
  rows: number,
  across: number,
  along: number,
  kStride: number,
  rStride: number,
  scaleAcross: number,
  scaleAlong: number,
): number {
  // per plane: squared bounding-box diagonal (mm), to order the planes
  const bound = new Float64Array(planes);
  const order: number[] = [];
  for (let k = 0; k < planes; k++) {
    const b = planeBound(h, lo, hi, k * kStride, rows, rStride, along, scaleAcross, scaleAlong);
    if (b >= 0) {
      bound[k] = b;
      order.push(k);
    }
  }
  order.sort((p, q) => (bound[q] ?? 0) - (bound[p] ?? 0));
  const hr = new Int32Array(2 * rows + 2);
  const hv = new Int32Array(2 * rows + 2);
  const pr = new Int32Array(2 * rows);
  const pv = new Int32Array(2 * rows);
  let best = 0;
  for (const k of order) {
    if ((bound[k] ?? 0) * (1 + 1e-12) < best) {
      break;
    }
    const np = planePoints(h, lo, hi, k * kStride, rows, rStride, across, along, pr, pv);
    const nh = convexHull(pr, pv, np, hr, hv);
    best = Math.max(best, farthestPair(hr, hv, nh, scaleAcross, scaleAlong, best));
  }
  return best;
}

/**
 * Squared bounding-box diagonal (mm) of one plane's points (rows at `base + r·rStride`), or −1 when it has fewer than
 * two points.
 */
function planeBound(h: Int32Array, lo: Int32Array, hi: Int32Array, base: number, rows: number, rStride: number, along: number, scaleAcross: number, scaleAlong: number): number {
  let r0 = -1;
  let r1 = -1;
  let a0 = Infinity;
  let a1 = -Infinity;
  let pts = 0;
  for (let r = 0; r < rows; r++) {
    const l = lo[base + r * rStride] ?? -1;
    if (l < 0) {
      continue;
    }
    const g = hi[base + r * rStride] ?? -1;
    if (r0 < 0) {
      r0 = r;
    }
    r1 = r;
    const vl = h[3 * l + along] ?? 0;
    const vh = h[3 * g + along] ?? 0;
    if (vl < a0) {
      a0 = vl;
    }
    if (vh > a1) {
      a1 = vh;
    }
    pts += l === g ? 1 : 2;
  }
  return pts < 2 ? -1 : ((r1 - r0) * scaleAcross) ** 2 + ((a1 - a0) * scaleAlong) ** 2;
}

/** One plane's points (row, coordinate along) into `pr`, `pv`, sorted by row then coordinate; returns their number. */
function planePoints(h: Int32Array, lo: Int32Array, hi: Int32Array, base: number, rows: number, rStride: number, across: number, along: number, pr: Int32Array, pv: Int32Array): number {
  let np = 0;
  for (let r = 0; r < rows; r++) {
    const l = lo[base + r * rStride] ?? -1;
    if (l < 0) {
      continue;
    }
    const g = hi[base + r * rStride] ?? -1;
    pr[np] = h[3 * l + across] ?? 0;
    pv[np++] = h[3 * l + along] ?? 0;
    if (g !== l) {
      pr[np] = h[3 * g + across] ?? 0;
      pv[np++] = h[3 * g + along] ?? 0;
    }
  }
  return np;
}

/** The largest squared distance (mm) between two of the `nh` hull vertices, or `best` when none is larger. */
function farthestPair(hr: Int32Array, hv: Int32Array, nh: number, scaleAcross: number, scaleAlong: number, best: number): number {
  let d2 = best;
  for (let i = 0; i < nh; i++) {
    const ri = (hr[i] ?? 0) * scaleAcross;
    const vi = (hv[i] ?? 0) * scaleAlong;
    for (let j = i + 1; j < nh; j++) {
      const dr = ri - (hr[j] ?? 0) * scaleAcross;
      const dv = vi - (hv[j] ?? 0) * scaleAlong;
      const d = dr * dr + dv * dv;
      if (d > d2) {
        d2 = d;
      }
    }
  }
  return d2;
}

/**
 * Andrew's monotone chain on points sorted by (r, v); writes the hull vertices (collinear ones dropped) to `hr`, `hv`
 * and returns their count (all points when fewer than 3).
 */
function convexHull(pr: Int32Array, pv: Int32Array, np: number, hr: Int32Array, hv: Int32Array): number {
  if (np < 3) {
    for (let i = 0; i < np; i++) {
      hr[i] = pr[i] ?? 0;
      hv[i] = pv[i] ?? 0;
    }
    return np;
  }
  let m = 0;
  const cross = (o: number, ar: number, av: number): number => ((hr[o + 1] ?? 0) - (hr[o] ?? 0)) * (av - (hv[o] ?? 0)) - ((hv[o + 1] ?? 0) - (hv[o] ?? 0)) * (ar - (hr[o] ?? 0));
  for (let i = 0; i < np; i++) {
    const r = pr[i] ?? 0;
    const v = pv[i] ?? 0;
    while (m >= 2 && cross(m - 2, r, v) <= 0) {
      m--;
    }
    hr[m] = r;
    hv[m++] = v;
  }
  const lower = m + 1;
  for (let i = np - 2; i >= 0; i--) {
    const r = pr[i] ?? 0;
    const v = pv[i] ?? 0;
    while (m >= lower && cross(m - 2, r, v) <= 0) {
      m--;
    }
    hr[m] = r;
    hv[m++] = v;
  }
  return m - 1;
}

/** The farthest point from point `from`: squared distance (index in `scratch[0]`). */
function farthest(oz: Float64Array, oy: Float64Array, ox: Float64Array, m: number, from: number, scratch: Int32Array): number {
  let bi = from;
  let bd = 0;
  const fz = oz[from] ?? 0;
  const fy = oy[from] ?? 0;
  const fx = ox[from] ?? 0;
  for (let j = 0; j < m; j++) {
    const dz = fz - (oz[j] ?? 0);
    const dy = fy - (oy[j] ?? 0);
    const dx = fx - (ox[j] ?? 0);
    const d = dz * dz + dy * dy + dx * dx;
    if (d > bd) {
      bd = d;
      bi = j;
    }
  }
  scratch[0] = bi;
  return bd;
}

/**
 * Squared diameter of a point set: pruned exhaustive search, started from a double-sweep lower bound (farthest point
 * from the outermost point, then farthest from that) so most pairs are ruled out at once.
 */
function groupDiameter(z: Float64Array, y: Float64Array, x: Float64Array, m: number): number {
  if (m < 2) {
    return 0;
  }
  let cz = 0;
  let cy = 0;
  let cx = 0;
  for (let k = 0; k < m; k++) {
    cz += z[k] ?? 0;
    cy += y[k] ?? 0;
    cx += x[k] ?? 0;
  }
  cz /= m;
  cy /= m;
  cx /= m;
  // order by distance to the centroid, descending: quantised radius (upper bound kept) packed with the index, so a
  // native numeric sort does it
  const Q = 1024;
  const keys = new Float64Array(m);
  for (let k = 0; k < m; k++) {
    const r = Math.sqrt(((z[k] ?? 0) - cz) ** 2 + ((y[k] ?? 0) - cy) ** 2 + ((x[k] ?? 0) - cx) ** 2);
    keys[k] = Math.floor(r * Q) * 2097152 + k;
  }
  keys.sort();
  const oz = new Float64Array(m);
  const oy = new Float64Array(m);
  const ox = new Float64Array(m);
  const rUp = new Float64Array(m);
  for (let t = 0; t < m; t++) {
    const key = keys[m - 1 - t] ?? 0;
    const k = key % 2097152;
    oz[t] = z[k] ?? 0;
    oy[t] = y[k] ?? 0;
    ox[t] = x[k] ?? 0;
    rUp[t] = ((key - k) / 2097152 + 1) / Q;
  }
  const scratch = new Int32Array(1);
  const d1 = farthest(oz, oy, ox, m, 0, scratch);
  const d2 = farthest(oz, oy, ox, m, scratch[0] ?? 0, scratch);
  let best = Math.max(d1, d2);
  const r0 = rUp[0] ?? 0;
  for (let i = 0; i < m; i++) {
    const ri = rUp[i] ?? 0;
    if ((ri + r0) * (ri + r0) < best) {
      break;
    }
    const zi = oz[i] ?? 0;
    const yi = oy[i] ?? 0;
    const xi = ox[i] ?? 0;
    for (let j = i + 1; j < m; j++) {
      const lim = ri + (rUp[j] ?? 0);
      if (lim * lim < best) {
        break;
      }
      const dz = zi - (oz[j] ?? 0);
      const dy = yi - (oy[j] ?? 0);
      const dx = xi - (ox[j] ?? 0);
      const d = dz * dz + dy * dy + dx * dx;
      if (d > best) {
        best = d;
      }
    }
  }
  return best;
}
