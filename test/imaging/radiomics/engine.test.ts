import assert from 'node:assert/strict';
import { synthesizeBrainVolume } from '../../../src/cohort/mri';
import { brainMasks } from '../../../src/imaging/masks';
import {
  discretiseRoi,
  firstOrderFeatures,
  glcmMatrix,
  gldmMatrix,
  glrlmMatrix,
  glszmMatrix,
  meshMeasures,
  neighbourhoodMatrices,
  ngtdmMatrix,
  runLengthMatrices,
  sizeZoneMatrix,
  symmetricEigenvalues,
} from '../../../src/imaging/radiomics';
import type { DiscretisedRoi, RadiomicsSettings, SizeMatrix } from '../../../src/imaging/radiomics';

function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s * 1664525 + 1013904223) >>> 0;
    return s / 4294967296;
  };
}

/** Dense (level row × size) view of a size matrix, whatever its column layout. */
function dense(m: SizeMatrix, maxSize: number): number[] {
  const k = m.levels.length;
  const out = new Array<number>(k * maxSize).fill(0);
  for (let i = 0; i < k; i++) {
    for (let j = 0; j < m.sizes; j++) {
      const size = m.columnSizes?.[j] ?? j + 1;
      out[i * maxSize + size - 1] = (out[i * maxSize + size - 1] ?? 0) + (m.counts[i * m.sizes + j] ?? 0);
    }
  }
  return out;
}

describe('radiomics engine: fast paths equal the reference implementations', function () {
  this.timeout(60000);
  const v = synthesizeBrainVolume({ seed: 5, size: [40, 40, 16], effects: { atrophy: 0.3, ventricleEnlargement: 0.4, infarcts: 1, wmhLoad: 0.6, microbleeds: 2 } });
  const mask = brainMasks({ voxels: v.voxels, size: v.size }).brain;
  const image = { voxels: v.voxels, size: v.size, spacingMm: v.spacingMm };

  const cases: [string, RadiomicsSettings, number][] = [
    ['3-D', { binWidth: 25 }, 0],
    ['3-D, GLDM alpha 1', { binWidth: 25 }, 1],
    ['2-D axial', { binWidth: 25, force2D: true }, 0],
    ['2-D coronal', { binWidth: 40, force2D: true, force2Ddimension: 1 }, 0],
    ['2-D sagittal, 16 bins', { binCount: 16, force2D: true, force2Ddimension: 2 }, 2],
  ];
  for (const [name, settings, alpha] of cases) {
    it(`${name}: one-sweep GLCM/GLDM/NGTDM, run lengths and size zones`, () => {
      const roi: DiscretisedRoi = discretiseRoi(image, mask, settings);
      assert.equal(roi.directions.length, settings.force2D === true ? 4 : 13);
      const sweep = neighbourhoodMatrices(roi, alpha);
      roi.directions.forEach((d, i) => {
        assert.deepEqual(Array.from(sweep.glcm[i] ?? []), Array.from(glcmMatrix(roi, d)), `GLCM ${d.join(',')}`);
      });
      const refDep = gldmMatrix(roi, alpha);
      assert.deepEqual(Array.from(sweep.gldm.counts), Array.from(refDep.counts));
      const refNgtdm = ngtdmMatrix(roi);
      assert.deepEqual(Array.from(sweep.ngtdm.n), Array.from(refNgtdm.n));
      sweep.ngtdm.s.forEach((s, i) => {
        assert.ok(Math.abs(s - (refNgtdm.s[i] ?? 0)) <= 1e-9 * Math.max(1, s), `NGTDM s_${String(i)}`);
      });
      const runs = runLengthMatrices(roi);
      roi.directions.forEach((d, i) => {
        assert.deepEqual(Array.from(runs[i]?.counts ?? []), Array.from(glrlmMatrix(roi, d).counts), `GLRLM ${d.join(',')}`);
      });
      const zones = sizeZoneMatrix(roi);
      const ref = glszmMatrix(roi);
      assert.deepEqual(dense(zones, ref.sizes), dense(ref, ref.sizes));
      assert.ok(zones.sizes <= ref.sizes);
    });
  }

  it('first-order order statistics: counting (integer intensities) and sorting (fractional) agree', () => {
    const roi = discretiseRoi(image, mask, { binWidth: 25 });
    assert.ok(
      roi.values.every((x) => Number.isInteger(x)),
      'the phantom has integer intensities',
    );
    const shifted = discretiseRoi({ ...image, voxels: Float64Array.from(v.voxels, (x) => x + 0.5) }, mask, { binWidth: 25 });
    const a = firstOrderFeatures(roi);
    const b = firstOrderFeatures(shifted);
    for (const k of ['Minimum', 'Maximum', 'Median', '10Percentile', '90Percentile', 'Mean']) {
      assert.ok(Math.abs((b[k] ?? 0) - (a[k] ?? 0) - 0.5) < 1e-9, k);
    }
    for (const k of ['InterquartileRange', 'Range', 'Variance', 'MeanAbsoluteDeviation', 'RobustMeanAbsoluteDeviation']) {
      assert.ok(Math.abs((b[k] ?? 0) - (a[k] ?? 0)) < 1e-9 * Math.max(1, Math.abs(a[k] ?? 0)), k);
    }
  });

  it('symmetric eigenvalues: diagonal, 2×2 and a similarity transform of a known spectrum', () => {
    assert.deepEqual(symmetricEigenvalues([3, 0, 0, 0, -1, 0, 0, 0, 2], 3), [3, 2, -1]);
    const [l1 = 0, l2 = 0] = symmetricEigenvalues([2, 1, 1, 2], 2);
    assert.ok(Math.abs(l1 - 3) < 1e-12 && Math.abs(l2 - 1) < 1e-12);
    const n = 20;
    const r = rng(3);
    const spectrum = Array.from({ length: n }, () => r() * 10 - 5);
    const u = Array.from({ length: n }, () => r() - 0.5);
    const norm = Math.hypot(...u);
    const h = (i: number, j: number): number => (i === j ? 1 : 0) - (2 * (u[i] ?? 0) * (u[j] ?? 0)) / (norm * norm);
    const a = new Float64Array(n * n);
    for (let i = 0; i < n; i++) {
      for (let j = 0; j < n; j++) {
        let s = 0;
        for (let k = 0; k < n; k++) {
          s += h(i, k) * (spectrum[k] ?? 0) * h(k, j);
        }
        a[i * n + j] = s;
      }
    }
    const got = symmetricEigenvalues(a, n);
    [...spectrum]
      .sort((x, y) => y - x)
      .forEach((e, i) => {
        assert.ok(Math.abs((got[i] ?? 0) - e) < 1e-10, `eigenvalue ${String(i)}`);
      });
  });
});

describe('radiomics engine: marching-cubes mesh', () => {
  it('a single voxel is an octahedron: volume 1/6, area √3, diameters 1 (unit spacing)', () => {
    const inside = new Uint8Array(27);
    inside[13] = 1;
    const m = meshMeasures(inside, [3, 3, 3], [1, 1, 1]);
    assert.ok(Math.abs(m.volume - 1 / 6) < 1e-12, String(m.volume));
    assert.ok(Math.abs(m.surfaceArea - Math.sqrt(3)) < 1e-12, String(m.surfaceArea));
    for (const d of [m.maximum3DDiameter, m.maximum2DDiameterSlice, m.maximum2DDiameterColumn, m.maximum2DDiameterRow]) {
      assert.ok(Math.abs(d - 1) < 1e-12);
    }
  });

  it('diameters equal a brute-force search over all mesh vertices (random blobs)', () => {
    const r = rng(11);
    for (let trial = 0; trial < 25; trial++) {
      const dims: [number, number, number] = [4 + Math.floor(r() * 8), 4 + Math.floor(r() * 8), 4 + Math.floor(r() * 6)];
      const [DX, DY, DZ] = dims;
      const spacing: [number, number, number] = [0.5 + r(), 0.5 + r(), 1 + 3 * r()];
      const inside = new Uint8Array(DX * DY * DZ);
      const fill = 0.3 + 0.5 * r();
      for (let z = 1; z < DZ - 1; z++) {
        for (let y = 1; y < DY - 1; y++) {
          for (let x = 1; x < DX - 1; x++) {
            inside[x + DX * (y + DY * z)] = r() < fill ? 1 : 0;
          }
        }
      }
      // vertices: midpoints of 6-neighbour edges between an inside and an outside voxel
      const pts: [number, number, number][] = [];
      const at = (x: number, y: number, z: number): number => (x < DX && y < DY && z < DZ ? (inside[x + DX * (y + DY * z)] ?? 0) : 0);
      for (let z = 0; z < DZ; z++) {
        for (let y = 0; y < DY; y++) {
          for (let x = 0; x < DX; x++) {
            const here = at(x, y, z);
            if (here !== at(x + 1, y, z)) {
              pts.push([z * spacing[2], y * spacing[1], (x + 0.5) * spacing[0]]);
            }
            if (here !== at(x, y + 1, z)) {
              pts.push([z * spacing[2], (y + 0.5) * spacing[1], x * spacing[0]]);
            }
            if (here !== at(x, y, z + 1)) {
              pts.push([(z + 0.5) * spacing[2], y * spacing[1], x * spacing[0]]);
            }
          }
        }
      }
      const best = [0, 0, 0, 0];
      for (let i = 0; i < pts.length; i++) {
        for (let j = i + 1; j < pts.length; j++) {
          const a = pts[i]!;
          const b = pts[j]!;
          const d = (a[0] - b[0]) ** 2 + (a[1] - b[1]) ** 2 + (a[2] - b[2]) ** 2;
          if (d > best[3]!) {
            best[3] = d;
          }
          for (let ax = 0; ax < 3; ax++) {
            if (a[ax] === b[ax] && d > best[ax]!) {
              best[ax] = d;
            }
          }
        }
      }
      const m = meshMeasures(inside, dims, spacing);
      const got = [m.maximum2DDiameterSlice, m.maximum2DDiameterColumn, m.maximum2DDiameterRow, m.maximum3DDiameter];
      got.forEach((g, i) => {
        assert.ok(Math.abs(g - Math.sqrt(best[i]!)) < 1e-9, `trial ${String(trial)} diameter ${String(i)}: ${String(g)} vs ${String(Math.sqrt(best[i]!))}`);
      });
    }
  });

  it('a voxelised ball: closed mesh (volume translation invariant), volume near the voxel count, sphericity near 1', () => {
    const ball = (n: number, shift: number): Uint8Array => {
      const m = new Uint8Array(n * n * n);
      const c = (n - 1 - shift) / 2;
      for (let z = 0; z < n; z++) {
        for (let y = 0; y < n; y++) {
          for (let x = 0; x < n; x++) {
            if ((x - c - shift) ** 2 + (y - c - shift) ** 2 + (z - c - shift) ** 2 <= 36) {
              m[x + n * (y + n * z)] = 1;
            }
          }
        }
      }
      return m;
    };
    const a = ball(16, 0);
    const voxels = a.reduce((s, v) => s + v, 0);
    const m = meshMeasures(a, [16, 16, 16], [1, 1, 1]);
    const shifted = meshMeasures(ball(19, 3), [19, 19, 19], [1, 1, 1]);
    assert.ok(Math.abs(shifted.volume - m.volume) < 1e-9 * m.volume);
    assert.ok(Math.abs(shifted.surfaceArea - m.surfaceArea) < 1e-9 * m.surfaceArea);
    assert.ok(Math.abs(m.volume / voxels - 1) < 0.05, `mesh ${String(m.volume)} vs ${String(voxels)} voxels`);
    const sphericity = Math.cbrt(36 * Math.PI * m.volume ** 2) / m.surfaceArea;
    assert.ok(sphericity > 0.85 && sphericity < 1, String(sphericity));
    assert.ok(Math.abs(m.maximum3DDiameter - 13) < 0.5, String(m.maximum3DDiameter));
  });
});
