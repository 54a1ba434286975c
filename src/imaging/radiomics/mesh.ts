/**
 * Marching-cubes mesh of a binary region, as pyradiomics' shape class builds it: vertices halfway along every cube
 * edge between a voxel inside and one outside, triangles from the classic 256-case table folded to 128 cases
 * (a cube and its complement give the same surface; the complement's triangles count with a negative sign for the
 * volume). From the mesh: surface area (sum of triangle areas), volume (signed tetrahedra against the origin,
 * divergence theorem) and the maximum diameters between mesh vertices (3-D, and within one slice, column or row).
 *
 * Coordinates are (z, y, x) in mm, in the order pyradiomics uses, so sums and comparisons match it.
 */

// Cube corners, (z, y, x) relative to the cube origin, in case-index bit order: (0,0,0) (0,0,1) (0,1,1) (0,1,0)
// (1,0,0) (1,0,1) (1,1,1) (1,1,0); the LEFT/RIGHT tables below build the case index from them.
/** Mid-edge vertex positions (z, y, x) of the 12 cube edges. */
const EDGE_VERTEX: readonly (readonly [number, number, number])[] = [
  [0, 0, 0.5], [0, 0.5, 1], [0, 1, 0.5], [0, 0.5, 0], [1, 0, 0.5], [1, 0.5, 1],
  [1, 1, 0.5], [1, 0.5, 0], [0.5, 0, 0], [0.5, 0, 1], [0.5, 1, 1], [0.5, 1, 0],
];

/**
 * Triangles (edge-index triples, consistently oriented) of the cases 0–127; case c ≥ 128 uses case 255 − c with the
 * volume sign flipped. The classic marching-cubes table (Lorensen & Cline 1987; public-domain tabulation by
 * Paul Bourke / Cory Bloyd) in the orientation pyradiomics uses.
 */
const TRIANGLES: readonly (readonly number[])[] = [
  [], [0, 8, 3], [1, 9, 0], [1, 8, 3, 1, 9, 8], [1, 2, 10], [0, 8, 3, 1, 2, 10], [9, 2, 10, 0, 2, 9], [2, 8, 3, 2, 10, 8, 10, 9, 8],
  [11, 2, 3], [11, 2, 0, 0, 8, 11], [1, 9, 0, 11, 2, 3], [11, 2, 1, 1, 9, 11, 9, 8, 11], [3, 10, 1, 11, 10, 3], [10, 1, 0, 0, 8, 10, 8, 11, 10],
  [9, 0, 3, 3, 11, 9, 11, 10, 9], [9, 8, 10, 11, 10, 8],
  [4, 7, 8], [0, 4, 3, 4, 7, 3], [1, 9, 0, 4, 7, 8], [1, 9, 4, 1, 4, 7, 1, 7, 3], [1, 2, 10, 4, 7, 8], [3, 4, 7, 3, 0, 4, 1, 2, 10],
  [9, 2, 10, 9, 0, 2, 4, 7, 8], [2, 10, 9, 2, 9, 7, 2, 7, 3, 4, 7, 9], [4, 7, 8, 11, 2, 3], [11, 4, 7, 11, 2, 4, 2, 0, 4],
  [1, 9, 0, 4, 7, 8, 11, 2, 3], [4, 7, 11, 9, 4, 11, 11, 2, 9, 1, 9, 2], [3, 10, 1, 11, 10, 3, 4, 7, 8], [11, 10, 1, 1, 4, 11, 1, 0, 4, 4, 7, 11],
  [4, 7, 8, 9, 0, 3, 3, 11, 9, 11, 10, 9], [4, 7, 11, 4, 11, 9, 9, 11, 10],
  [9, 5, 4], [9, 5, 4, 0, 8, 3], [0, 5, 4, 0, 1, 5], [8, 5, 4, 8, 3, 5, 3, 1, 5], [1, 2, 10, 9, 5, 4], [0, 8, 3, 1, 2, 10, 9, 5, 4],
  [2, 10, 5, 5, 4, 2, 2, 4, 0], [2, 10, 5, 3, 2, 5, 3, 5, 4, 8, 3, 4], [9, 5, 4, 11, 2, 3], [11, 2, 0, 0, 8, 11, 9, 5, 4],
  [0, 5, 4, 0, 1, 5, 11, 2, 3], [2, 1, 5, 2, 5, 8, 11, 2, 8, 5, 4, 8], [3, 10, 1, 11, 10, 3, 9, 5, 4], [5, 4, 9, 10, 1, 0, 0, 8, 10, 8, 11, 10],
  [5, 4, 0, 5, 0, 11, 10, 5, 11, 11, 0, 3], [5, 4, 8, 10, 5, 8, 11, 10, 8],
  [7, 8, 9, 5, 7, 9], [3, 0, 9, 5, 3, 9, 3, 5, 7], [7, 8, 0, 0, 1, 7, 7, 1, 5], [1, 5, 7, 1, 7, 3], [7, 8, 9, 5, 7, 9, 1, 2, 10],
  [1, 2, 10, 3, 0, 9, 3, 9, 5, 3, 5, 7], [0, 2, 8, 8, 2, 5, 8, 5, 7, 2, 10, 5], [2, 10, 5, 2, 5, 3, 3, 5, 7], [5, 7, 9, 7, 8, 9, 11, 2, 3],
  [5, 7, 9, 9, 7, 2, 2, 0, 9, 11, 2, 7], [11, 2, 3, 0, 1, 8, 1, 7, 8, 1, 5, 7], [2, 1, 11, 1, 7, 11, 1, 5, 7],
  [7, 8, 9, 5, 7, 9, 3, 10, 1, 11, 10, 3], [5, 7, 0, 5, 0, 9, 7, 11, 0, 10, 1, 0, 11, 10, 0], [11, 10, 0, 0, 3, 11, 10, 5, 0, 0, 7, 8, 5, 7, 0],
  [11, 10, 5, 5, 7, 11],
  [6, 5, 10], [0, 8, 3, 6, 5, 10], [1, 9, 0, 6, 5, 10], [1, 8, 3, 1, 9, 8, 6, 5, 10], [1, 6, 5, 1, 2, 6], [1, 6, 5, 1, 2, 6, 0, 8, 3],
  [9, 6, 5, 9, 0, 6, 0, 2, 6], [5, 9, 8, 5, 8, 2, 5, 2, 6, 8, 3, 2], [11, 2, 3, 6, 5, 10], [11, 2, 0, 0, 8, 11, 6, 5, 10],
  [1, 9, 0, 11, 2, 3, 6, 5, 10], [11, 2, 1, 1, 9, 11, 9, 8, 11, 6, 5, 10], [6, 3, 11, 6, 5, 3, 5, 1, 3], [0, 8, 11, 0, 11, 5, 0, 5, 1, 5, 11, 6],
  [6, 3, 11, 0, 3, 6, 0, 6, 5, 0, 5, 9], [6, 5, 9, 6, 9, 11, 11, 9, 8],
  [4, 7, 8, 6, 5, 10], [0, 4, 3, 4, 7, 3, 6, 5, 10], [1, 9, 0, 4, 7, 8, 6, 5, 10], [1, 9, 4, 1, 4, 7, 1, 7, 3, 6, 5, 10],
  [4, 7, 8, 1, 6, 5, 1, 2, 6], [0, 4, 3, 4, 7, 3, 1, 6, 5, 1, 2, 6], [4, 7, 8, 9, 6, 5, 9, 0, 6, 0, 2, 6],
  [7, 3, 9, 4, 7, 9, 3, 2, 9, 5, 9, 6, 2, 6, 9], [11, 2, 3, 4, 7, 8, 6, 5, 10], [11, 4, 7, 11, 2, 4, 2, 0, 4, 6, 5, 10],
  [1, 9, 0, 11, 2, 3, 4, 7, 8, 6, 5, 10], [4, 7, 11, 9, 4, 11, 11, 2, 9, 1, 9, 2, 6, 5, 10], [4, 7, 8, 6, 3, 11, 6, 5, 3, 5, 1, 3],
  [5, 1, 11, 5, 11, 6, 1, 0, 11, 4, 7, 11, 0, 4, 11], [4, 7, 8, 6, 3, 11, 0, 3, 6, 0, 6, 5, 0, 5, 9], [6, 5, 9, 6, 9, 11, 4, 7, 9, 7, 11, 9],
  [10, 4, 9, 6, 4, 10], [10, 4, 9, 6, 4, 10, 0, 8, 3], [0, 1, 10, 10, 6, 0, 6, 4, 0], [1, 8, 3, 1, 6, 8, 8, 6, 4, 6, 1, 10],
  [1, 4, 9, 1, 2, 4, 2, 6, 4], [1, 4, 9, 1, 2, 4, 2, 6, 4, 0, 8, 3], [0, 2, 4, 4, 2, 6], [8, 3, 2, 8, 2, 4, 4, 2, 6],
  [11, 2, 3, 10, 4, 9, 6, 4, 10], [11, 2, 0, 0, 8, 11, 10, 4, 9, 6, 4, 10], [11, 2, 3, 0, 1, 10, 10, 6, 0, 6, 4, 0],
  [6, 4, 1, 6, 1, 10, 1, 4, 8, 11, 2, 1, 1, 8, 11], [9, 6, 4, 3, 6, 9, 1, 3, 9, 11, 6, 3], [1, 8, 11, 0, 8, 1, 11, 6, 1, 1, 4, 9, 6, 4, 1],
  [6, 3, 11, 0, 3, 6, 6, 4, 0], [8, 6, 4, 6, 8, 11],
  [6, 7, 10, 7, 8, 10, 8, 9, 10], [6, 7, 10, 0, 10, 7, 0, 9, 10, 0, 7, 3], [6, 7, 10, 1, 10, 7, 1, 7, 8, 0, 1, 8], [6, 7, 10, 1, 10, 7, 1, 7, 3],
  [1, 2, 6, 1, 6, 8, 1, 8, 9, 6, 7, 8], [2, 6, 9, 1, 2, 9, 6, 7, 9, 3, 0, 9, 7, 3, 9], [0, 7, 8, 7, 0, 6, 6, 0, 2], [2, 7, 3, 2, 6, 7],
  [11, 2, 3, 6, 7, 10, 7, 8, 10, 8, 9, 10], [2, 0, 7, 11, 2, 7, 0, 9, 7, 6, 7, 10, 9, 10, 7], [6, 7, 10, 1, 10, 7, 1, 7, 8, 0, 1, 8, 11, 2, 3],
  [11, 2, 1, 1, 7, 11, 10, 6, 1, 1, 6, 7], [8, 9, 6, 6, 7, 8, 1, 6, 9, 11, 6, 3, 1, 3, 6], [0, 9, 1, 6, 7, 11], [0, 7, 8, 7, 0, 6, 0, 3, 11, 11, 6, 0],
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
      for (let d = 0; d < 3; d++) {normal[3 * c + d] = (normal[3 * c + d] ?? 0) + (bc[d] ?? 0) + (ca[d] ?? 0) + (ab[d] ?? 0);}
      det[c] = (det[c] ?? 0) + a[0] * bc[0] + a[1] * bc[1] + a[2] * bc[2];
      const n = cross([a[0] - q[0], a[1] - q[1], a[2] - q[2]], [b[0] - q[0], b[1] - q[1], b[2] - q[2]]);
      area[c] = (area[c] ?? 0) + 0.5 * Math.sqrt(n[0] * n[0] + n[1] * n[1] + n[2] * n[2]);
    }
  });
  return { area, normal, det };
}

/** Case-index bits of the 4 voxels of one x position (bit0 (z,y), bit1 (z,y+1), bit2 (z+1,y), bit3 (z+1,y+1)). */
const LEFT = Int32Array.from({ length: 16 }, (_, q) => (q & 1) | ((q & 2) << 2) | ((q & 4) << 2) | ((q & 8) << 4));
const RIGHT = Int32Array.from({ length: 16 }, (_, q) => ((q & 1) << 1) | ((q & 2) << 1) | ((q & 4) << 3) | ((q & 8) << 3));

/**
 * Builds the mesh of a binary box (x fastest) whose outer layer is empty, and measures it.
 *
 * @param inside - 1 inside the region, 0 outside; the one-voxel border must be 0
 * @param dims - box size [x, y, z]
 * @param spacingMm - spacing [x, y, z] in mm
 * @returns area, volume and diameters
 */
export function meshMeasures(inside: Uint8Array, dims: readonly [number, number, number], spacingMm: readonly [number, number, number]): MeshMeasures {
  const [DX, DY, DZ] = dims;
  const s0 = spacingMm[2];
  const s1 = spacingMm[1];
  const s2 = spacingMm[0];
  const table = caseTable(s0, s1, s2);
  const { area: caseArea, normal, det } = table;
  const strideZ = DX * DY;
  // vertices stored once per cube (edges 6, 7, 11, present when corners 6, 4, 3 are inside after folding), as
  // half-voxel grid coordinates (2z, 2y, 2x)
  let verts = new Int32Array(3 * 8192);
  let nv = 0;
  let area = 0;
  let volume = 0;
  for (let iz = 0; iz < DZ - 1; iz++) {
    for (let iy = 0; iy < DY - 1; iy++) {
      const r00 = iz * strideZ + iy * DX;
      const r01 = r00 + DX;
      const r10 = r00 + strideZ;
      const r11 = r10 + DX;
      let qPrev = (inside[r00] ?? 0) | ((inside[r01] ?? 0) << 1) | ((inside[r10] ?? 0) << 2) | ((inside[r11] ?? 0) << 3);
      for (let ix = 0; ix < DX - 1; ix++) {
        const x1 = ix + 1;
        const qNext = (inside[r00 + x1] ?? 0) | ((inside[r01 + x1] ?? 0) << 1) | ((inside[r10 + x1] ?? 0) << 2) | ((inside[r11 + x1] ?? 0) << 3);
        let idx = (LEFT[qPrev] ?? 0) | (RIGHT[qNext] ?? 0);
        qPrev = qNext;
        if (idx === 0 || idx === 255) {continue;}
        let sign = 1;
        if (idx & 0x80) {
          idx ^= 0xff;
          sign = -1;
        }
        if (nv + 9 > verts.length) {
          const grown = new Int32Array(verts.length * 2);
          grown.set(verts);
          verts = grown;
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
        area += caseArea[idx] ?? 0;
        volume += sign * (iz * s0 * (normal[3 * idx] ?? 0) + iy * s1 * (normal[3 * idx + 1] ?? 0) + ix * s2 * (normal[3 * idx + 2] ?? 0) + (det[idx] ?? 0));
      }
    }
  }
  const d = diameters(verts.subarray(0, nv), [2 * DZ + 1, 2 * DY + 1, 2 * DX + 1], [s0, s1, s2]);
  return {
    surfaceArea: area,
    volume: volume / 6,
    maximum3DDiameter: d[3],
    maximum2DDiameterSlice: d[0],
    maximum2DDiameterColumn: d[1],
    maximum2DDiameterRow: d[2],
  };
}

/**
 * Largest vertex–vertex distances: among vertices sharing z (slice), y (column), x (row), and overall.
 *
 * Exact, but fast: a pair at maximum distance can always be chosen among points extreme in the point set (convex hull
 * vertices), and an extreme point is the first or last point on every axis-parallel line through it; so only points
 * that are first/last on their lines are candidates (along all three axes for the 3-D diameter, along the two
 * in-plane axes for a 2-D one). Candidates are then visited from the outside in (distance to the group centroid)
 * and pairs the triangle inequality rules out are skipped.
 *
 * @param h - half-voxel grid coordinates (2z, 2y, 2x) per vertex
 * @param extent - grid extent per axis (z, y, x)
 * @param spacing - spacing (z, y, x) in mm
 * @returns [slice, column, row, 3-D] diameters in mm
 */
function diameters(h: Int32Array, extent: readonly [number, number, number], spacing: readonly [number, number, number]): [number, number, number, number] {
  const n = h.length / 3;
  // flags: bit a set when the vertex is first or last on its line along axis a (0 z, 1 y, 2 x)
  const flags = new Uint8Array(n);
  for (let axis = 0; axis < 3; axis++) {
    const u = axis === 0 ? 1 : 0;
    const w = axis === 2 ? 1 : 2;
    const eu = extent[u];
    const cells = eu * extent[w];
    const lo = new Int32Array(cells).fill(-1);
    const hi = new Int32Array(cells).fill(-1);
    for (let i = 0; i < n; i++) {
      const key = (h[3 * i + w] ?? 0) * eu + (h[3 * i + u] ?? 0);
      const c = h[3 * i + axis] ?? 0;
      const l = lo[key] ?? -1;
      if (l < 0 || c < (h[3 * l + axis] ?? 0)) {lo[key] = i;}
      const g = hi[key] ?? -1;
      if (g < 0 || c > (h[3 * g + axis] ?? 0)) {hi[key] = i;}
    }
    for (let k = 0; k < cells; k++) {
      const l = lo[k] ?? -1;
      if (l >= 0) {flags[l] = (flags[l] ?? 0) | (1 << axis);}
      const g = hi[k] ?? -1;
      if (g >= 0) {flags[g] = (flags[g] ?? 0) | (1 << axis);}
    }
  }
  const [s0, s1, s2] = spacing;
  const pz = new Float64Array(n);
  const py = new Float64Array(n);
  const px = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    pz[i] = (h[3 * i] ?? 0) * 0.5 * s0;
    py[i] = (h[3 * i + 1] ?? 0) * 0.5 * s1;
    px[i] = (h[3 * i + 2] ?? 0) * 0.5 * s2;
  }
  const coords = { z: pz, y: py, x: px };
  const select = (need: number): Int32Array => {
    let m = 0;
    for (let i = 0; i < n; i++) {if (((flags[i] ?? 0) & need) === need) {m++;}}
    const out = new Int32Array(m);
    m = 0;
    for (let i = 0; i < n; i++) {if (((flags[i] ?? 0) & need) === need) {out[m++] = i;}}
    return out;
  };
  const out: [number, number, number, number] = [0, 0, 0, 0];
  out[3] = Math.sqrt(groupDiameter(select(7), coords, 0));
  for (let axis = 0; axis < 3; axis++) {
    const cand = select(7 & ~(1 << axis));
    // bucket by the shared coordinate
    const e = extent[axis] ?? 0;
    const start = new Int32Array(e + 1);
    for (const i of cand) {start[(h[3 * i + axis] ?? 0) + 1] = (start[(h[3 * i + axis] ?? 0) + 1] ?? 0) + 1;}
    for (let k = 0; k < e; k++) {start[k + 1] = (start[k + 1] ?? 0) + (start[k] ?? 0);}
    const fill = start.slice();
    const sorted = new Int32Array(cand.length);
    for (const i of cand) {
      const k = h[3 * i + axis] ?? 0;
      sorted[fill[k] ?? 0] = i;
      fill[k] = (fill[k] ?? 0) + 1;
    }
    // visit the groups by decreasing bounding-box diagonal (an upper bound of their diameter); stop when the bound
    // cannot beat the best diameter found
    const inPlane = [pz, py, px].filter((_, a) => a !== axis);
    const u = inPlane[0] ?? pz;
    const w = inPlane[1] ?? pz;
    const groups: [number, number, number][] = [];
    for (let k = 0; k < e; k++) {
      const a = start[k] ?? 0;
      const b = start[k + 1] ?? 0;
      if (b - a < 2) {continue;}
      let u0 = Infinity;
      let u1 = -Infinity;
      let w0 = Infinity;
      let w1 = -Infinity;
      for (let t = a; t < b; t++) {
        const i = sorted[t] ?? 0;
        const uu = u[i] ?? 0;
        const ww = w[i] ?? 0;
        if (uu < u0) {u0 = uu;}
        if (uu > u1) {u1 = uu;}
        if (ww < w0) {w0 = ww;}
        if (ww > w1) {w1 = ww;}
      }
      groups.push([(u1 - u0) ** 2 + (w1 - w0) ** 2, a, b]);
    }
    groups.sort((g1, g2) => g2[0] - g1[0]);
    let best = 0;
    for (const [bound, a, b] of groups) {
      if (bound * (1 + 1e-12) < best) {break;}
      best = groupDiameter(sorted.subarray(a, b), coords, best);
    }
    out[axis] = Math.sqrt(best);
  }
  return out;
}

/**
 * Squared diameter of a point group, or `floor` when no pair beats it: pruned exhaustive search, started from a
 * double-sweep lower bound (farthest point from the outermost point, then farthest from that) so most pairs are
 * ruled out at once.
 */
function groupDiameter(members: Int32Array, p: { readonly z: Float64Array; readonly y: Float64Array; readonly x: Float64Array }, floor: number): number {
  const m = members.length;
  if (m < 2) {return floor;}
  const z = new Float64Array(m);
  const y = new Float64Array(m);
  const x = new Float64Array(m);
  let cz = 0;
  let cy = 0;
  let cx = 0;
  for (let k = 0; k < m; k++) {
    const i = members[k] ?? 0;
    const a = p.z[i] ?? 0;
    const b = p.y[i] ?? 0;
    const c = p.x[i] ?? 0;
    z[k] = a;
    y[k] = b;
    x[k] = c;
    cz += a;
    cy += b;
    cx += c;
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
  const farthest = (from: number): [number, number] => {
    let bi = from;
    let bd = 0;
    const fz = oz[from] ?? 0;
    const fy = oy[from] ?? 0;
    const fx = ox[from] ?? 0;
    for (let j = 0; j < m; j++) {
      const d = (fz - (oz[j] ?? 0)) ** 2 + (fy - (oy[j] ?? 0)) ** 2 + (fx - (ox[j] ?? 0)) ** 2;
      if (d > bd) {
        bd = d;
        bi = j;
      }
    }
    return [bi, bd];
  };
  const [b1, d1] = farthest(0);
  const [, d2] = farthest(b1);
  let best = Math.max(floor, d1, d2);
  const r0 = rUp[0] ?? 0;
  for (let i = 0; i < m; i++) {
    const ri = rUp[i] ?? 0;
    if ((ri + r0) * (ri + r0) < best) {break;}
    const zi = oz[i] ?? 0;
    const yi = oy[i] ?? 0;
    const xi = ox[i] ?? 0;
    for (let j = i + 1; j < m; j++) {
      const lim = ri + (rUp[j] ?? 0);
      if (lim * lim < best) {break;}
      const dz = zi - (oz[j] ?? 0);
      const dy = yi - (oy[j] ?? 0);
      const dx = xi - (ox[j] ?? 0);
      const d = dz * dz + dy * dy + dx * dx;
      if (d > best) {best = d;}
    }
  }
  return best;
}
