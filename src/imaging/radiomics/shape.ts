/**
 * Shape features from voxel centres (pyradiomics names): voxel-counting volume and the PCA axis lengths.
 * Mesh-based features (MeshVolume, SurfaceArea, Sphericity, Maximum3DDiameter…) need a marching-cubes mesh and
 * are not computed yet.
 */
import { symmetricEigenvalues } from './linalg';
import type { DiscretisedRoi } from './roi';
import type { RadiomicsSettings } from './types';

/**
 * Computes the voxel-based shape features.
 *
 * @param roi - region
 * @param settings - PCA covariance normalisation (`N` pyradiomics, `N-1` IBSI)
 * @returns features named as pyradiomics
 */
export function shapeFeatures(roi: DiscretisedRoi, settings: RadiomicsSettings = {}): Record<string, number> {
  const [DX, DY] = roi.dims;
  const [sx, sy, sz] = roi.spacingMm;
  const n = roi.count;
  let mx = 0;
  let my = 0;
  let mz = 0;
  const coords = new Float64Array(n * 3);
  for (let t = 0; t < n; t++) {
    const b = roi.index[t] ?? 0;
    const x = (b % DX) * sx;
    const y = (Math.floor(b / DX) % DY) * sy;
    const z = Math.floor(b / (DX * DY)) * sz;
    coords[3 * t] = x;
    coords[3 * t + 1] = y;
    coords[3 * t + 2] = z;
    mx += x;
    my += y;
    mz += z;
  }
  mx /= n;
  my /= n;
  mz /= n;
  const c = new Float64Array(9);
  for (let t = 0; t < n; t++) {
    const d = [(coords[3 * t] ?? 0) - mx, (coords[3 * t + 1] ?? 0) - my, (coords[3 * t + 2] ?? 0) - mz];
    for (let a = 0; a < 3; a++) {
      for (let b = 0; b < 3; b++) {
        c[a * 3 + b] = (c[a * 3 + b] ?? 0) + (d[a] ?? 0) * (d[b] ?? 0);
      }
    }
  }
  const norm = settings.pcaNormalisation === 'N-1' ? Math.max(1, n - 1) : n;
  const [major = 0, minor = 0, least = 0] = symmetricEigenvalues(c.map((v) => v / norm), 3).map((e) => Math.max(0, e));
  return {
    VoxelVolume: n * sx * sy * sz,
    MajorAxisLength: 4 * Math.sqrt(major),
    MinorAxisLength: 4 * Math.sqrt(minor),
    LeastAxisLength: 4 * Math.sqrt(least),
    Elongation: major === 0 ? 0 : Math.sqrt(minor / major),
    Flatness: major === 0 ? 0 : Math.sqrt(least / major),
  };
}
