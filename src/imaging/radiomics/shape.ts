/**
 * Shape features (pyradiomics names): mesh-based volume, surface and diameters from a marching-cubes mesh
 * ({@link meshMeasures}), voxel-counting volume, and the PCA axis lengths of the voxel centres.
 */
import { symmetricEigenvalues } from './linalg';
import { bitRowWords, meshMeasuresOfBitRows } from './mesh';
import type { DiscretisedRoi } from './roi';
import { scratchInt32 } from './scratch';
import type { RadiomicsSettings } from './types';

/**
 * Computes the shape features.
 *
 * @param roi - region
 * @param settings - PCA covariance normalisation (`N` pyradiomics, `N-1` IBSI)
 * @returns features named as pyradiomics (plus pyradiomics' deprecated Compactness1/2 and SphericalDisproportion,
 *   which have IBSI definitions)
 */
export function shapeFeatures(roi: DiscretisedRoi, settings: RadiomicsSettings = {}): Record<string, number> {
  const [DX, DY] = roi.dims;
  const [sx, sy, sz] = roi.spacingMm;
  const n = roi.count;
  const nRows = DY * roi.dims[2];
  const bits = scratchInt32('shape bit rows', nRows * bitRowWords(DX)).fill(0);
  const rows = { first: new Int32Array(nRows).fill(-1), last: new Int32Array(nRows).fill(-1) };
  const [cxx = 0, cxy = 0, cxz = 0, cyy = 0, cyz = 0, czz = 0] = centredMoments(roi.index, n, DX, DY, roi.spacingMm, bits, rows);
  const norm = settings.pcaNormalisation === 'N-1' ? Math.max(1, n - 1) : n;
  const cov = [cxx, cxy, cxz, cxy, cyy, cyz, cxz, cyz, czz].map((v) => v / norm);
  const [major = 0, minor = 0, least = 0] = symmetricEigenvalues(cov, 3).map((e) => Math.max(0, e));
  const mesh = meshMeasuresOfBitRows(bits, roi.dims, roi.spacingMm, rows);
  const v = mesh.volume;
  const a = mesh.surfaceArea;
  const sphereSurface = Math.cbrt(36 * Math.PI * v * v);
  return {
    MeshVolume: v,
    VoxelVolume: n * sx * sy * sz,
    SurfaceArea: a,
    SurfaceVolumeRatio: a / v,
    Sphericity: sphereSurface / a,
    Compactness1: v / (Math.sqrt(Math.PI) * Math.pow(a, 1.5)),
    Compactness2: (36 * Math.PI * v * v) / (a * a * a),
    SphericalDisproportion: a / sphereSurface,
    Maximum3DDiameter: mesh.maximum3DDiameter,
    Maximum2DDiameterSlice: mesh.maximum2DDiameterSlice,
    Maximum2DDiameterColumn: mesh.maximum2DDiameterColumn,
    Maximum2DDiameterRow: mesh.maximum2DDiameterRow,
    MajorAxisLength: 4 * Math.sqrt(major),
    MinorAxisLength: 4 * Math.sqrt(minor),
    LeastAxisLength: 4 * Math.sqrt(least),
    Elongation: major === 0 ? 0 : Math.sqrt(minor / major),
    Flatness: major === 0 ? 0 : Math.sqrt(least / major),
  };
}

/**
 * One pass over the region: marks it in the bit rows `bits` ({@link bitRowWords} words per box row), records the first and last x of every box row in `rows`, and
 * returns the centred second moments (xx, xy, xz, yy, yz, zz, in mm², not yet divided by the count), with
 * coordinates taken relative to the first voxel (keeps the cancellation small). The region is in raster order, so a
 * voxel's row is found by stepping on from the previous one's instead of dividing.
 */
function centredMoments(
  index: Int32Array,
  n: number,
  DX: number,
  DY: number,
  spacing: readonly [number, number, number],
  bits: Int32Array,
  rows: { readonly first: Int32Array; readonly last: Int32Array },
): Float64Array {
  const W = bitRowWords(DX);
  const [sx, sy, sz] = spacing;
  const { first, last } = rows;
  const b0 = index[0] ?? 0;
  const x0 = b0 % DX;
  const y0 = Math.floor(b0 / DX) % DY;
  const z0 = Math.floor(b0 / (DX * DY));
  let mx = 0;
  let my = 0;
  let mz = 0;
  let cxx = 0;
  let cxy = 0;
  let cxz = 0;
  let cyy = 0;
  let cyz = 0;
  let czz = 0;
  // current row (y + DY·z) and the box index of its first voxel; y, z (relative, mm) of that row (the first voxel
  // starts a row: rowEnd 0)
  let row = 0;
  let rowStart = 0;
  let rowEnd = 0;
  let y = 0;
  let z = 0;
  for (let t = 0; t < n; t++) {
    const b = index[t] ?? 0;
    if (b >= rowEnd) {
      row = Math.floor(b / DX);
      rowStart = row * DX;
      rowEnd = rowStart + DX;
      const zi = Math.floor(row / DY);
      y = (row - zi * DY - y0) * sy;
      z = (zi - z0) * sz;
      first[row] = b - rowStart;
    }
    const bx = b - rowStart;
    last[row] = bx;
    const w = row * W + (bx >> 5);
    bits[w] = (bits[w] ?? 0) | (1 << (bx & 31));
    const x = (bx - x0) * sx;
    mx += x;
    my += y;
    mz += z;
    cxx += x * x;
    cxy += x * y;
    cxz += x * z;
    cyy += y * y;
    cyz += y * z;
    czz += z * z;
  }
  return centred(n, mx, my, mz, Float64Array.of(cxx, cxy, cxz, cyy, cyz, czz));
}

/** Centred second moments from the raw sums: c_ab − n·mean_a·mean_b (xx, xy, xz, yy, yz, zz). */
function centred(n: number, sumX: number, sumY: number, sumZ: number, raw: Float64Array): Float64Array {
  const mx = sumX / n;
  const my = sumY / n;
  const mz = sumZ / n;
  const [cxx = 0, cxy = 0, cxz = 0, cyy = 0, cyz = 0, czz = 0] = raw;
  return Float64Array.of(cxx - n * mx * mx, cxy - n * mx * my, cxz - n * mx * mz, cyy - n * my * my, cyz - n * my * mz, czz - n * mz * mz);
}
