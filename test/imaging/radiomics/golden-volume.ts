/**
 * Test fixture: a deterministic head-like volume that does not depend on the cohort generator (so the golden values
 * pinned in `golden-generated.json` change only when the masks or the radiomics engine change). A noisy bright scalp
 * shell, a dark skull gap, a textured brain ellipsoid with dark ventricles, bright lesions, a hole through a few slices
 * (hole filling), a detached bright blob (largest component) and speckle outside the head (opening).
 */
import { createHash } from 'node:crypto';
import { imagingFeaturesOfVolume } from '../../../src/imaging/features';
import { brainMasks } from '../../../src/imaging/masks';
import { computeRadiomics } from '../../../src/imaging/radiomics';
import type { RadiomicsSettings } from '../../../src/imaging/radiomics';
import { mulberry32 } from '../../../src/util/random';

/** The generated volume: 16-bit intensities, x fastest, and its geometry. */
export interface GoldenVolume {
  readonly voxels: Uint16Array;
  readonly size: [number, number, number];
  readonly spacingMm: [number, number, number];
}

/** Intensity of the tissue at normalised head coordinates (before noise). */
function tissue(x: number, y: number, z: number, r: number): number {
  if (r > 1) {
    return 0;
  }
  if (r > 0.9) {
    return 1400; // scalp
  }
  if (r > 0.82) {
    return 60; // skull
  }
  const ventricle = ((x - 0.08) / 0.18) ** 2 + (y / 0.32) ** 2 + (z / 0.3) ** 2;
  if (ventricle < 1) {
    return 180;
  }
  const lesion = ((x + 0.35) / 0.09) ** 2 + ((y - 0.2) / 0.09) ** 2 + (z / 0.15) ** 2;
  if (lesion < 1) {
    return 2100;
  }
  // grey/white-matter-like banding so several grey levels and zone sizes occur
  return 900 + 250 * Math.sin(9 * x + 4 * y) * Math.cos(7 * z - 3 * y);
}

/**
 * Builds the volume.
 *
 * @param size - [x, y, z]
 * @param seed - noise seed
 * @returns the volume
 */
export function goldenVolume(size: [number, number, number] = [72, 64, 40], seed = 21): GoldenVolume {
  const [nx, ny, nz] = size;
  const rand = mulberry32(seed);
  const voxels = new Uint16Array(nx * ny * nz);
  for (let z = 0, i = 0; z < nz; z++) {
    for (let y = 0; y < ny; y++) {
      for (let x = 0; x < nx; x++, i++) {
        const u = (x - nx / 2 + 0.5) / (nx * 0.45);
        const v = (y - ny / 2 + 0.5) / (ny * 0.47);
        const w = (z - nz / 2 + 0.5) / (nz * 0.46);
        const r = Math.sqrt(u * u + v * v + w * w);
        let value = tissue(u, v, w, r);
        // a tube of fluid-dark tissue through the middle slices (a hole for slice-wise filling)
        if (r < 0.8 && Math.abs(w) < 0.2 && (u + 0.3) ** 2 + (v + 0.3) ** 2 < 0.01) {
          value = 20;
        }
        // a detached bright blob outside the head, smaller than the brain
        if ((x - 3) ** 2 + (y - 3) ** 2 + (z - nz / 2) ** 2 < 5) {
          value = 1500;
        }
        const noise = value === 0 ? (rand() < 0.002 ? 1600 : rand() * 8) : (rand() - 0.5) * 160;
        voxels[i] = Math.max(0, Math.round(value + noise));
      }
    }
  }
  return { voxels, size, spacingMm: [0.9, 0.9375, 2.5] };
}

/** Masks and feature values of the golden volume, as stored in `golden-generated.json`. */
export interface GoldenSnapshot {
  /** Per input type (`uint16`, `float32`): each mask's voxel count and SHA-256, and the thresholds. */
  readonly masks: Record<string, Record<string, string | number>>;
  /** Per case: feature name → value (non-finite values as their string). */
  readonly features: Record<string, Record<string, number | string>>;
}

/** Feature values with non-finite ones as strings (JSON has no NaN). */
function storable(f: Record<string, number>): Record<string, number | string> {
  return Object.fromEntries(Object.entries(f).map(([k, v]) => [k, Number.isFinite(v) ? v : String(v)]));
}

/**
 * Masks and features of the golden volume with the current code (golden.test.ts compares them with the stored ones).
 *
 * @returns the snapshot
 */
export function goldenSnapshot(): GoldenSnapshot {
  const g = goldenVolume();
  const inputs = { uint16: g.voxels, float32: Float32Array.from(g.voxels, (v, i) => v * 0.75 + (i % 4) * 0.125) };
  const masks: GoldenSnapshot['masks'] = {};
  const features: GoldenSnapshot['features'] = {};
  for (const [kind, voxels] of Object.entries(inputs)) {
    const m = brainMasks({ voxels, size: g.size });
    const entry: Record<string, string | number> = { ...m.thresholds };
    for (const name of ['brain', 'csf', 'parenchyma', 'hyperintense'] as const) {
      entry[`${name}Voxels`] = m[name].reduce((s, v) => s + v, 0);
      entry[`${name}Sha256`] = createHash('sha256').update(m[name]).digest('hex');
    }
    masks[kind] = entry;
    const volume = { voxels: Float32Array.from(voxels), size: g.size, spacingMm: g.spacingMm, origin: [0, 0, 0] as [number, number, number], direction: [1, 0, 0, 0, 1, 0, 0, 0, 1] };
    features[`${kind} study`] = storable(imagingFeaturesOfVolume(volume));
    const image = { voxels, size: g.size, spacingMm: g.spacingMm };
    const cases: [string, Uint8Array, RadiomicsSettings][] = [
      ['2-D axial, GLDM alpha 1', m.brain, { binWidth: 25, force2D: true, gldmA: 1 }],
      ['binCount 32, 2-D sagittal, parenchyma', m.parenchyma, { binCount: 32, force2D: true, force2Ddimension: 2 }],
      ['binWidth 5, merged', m.brain, { binWidth: 5, weightingNorm: 'no_weighting' }],
    ];
    for (const [name, mask, settings] of cases) {
      features[`${kind} ${name}`] = storable(computeRadiomics(image, mask, settings));
    }
  }
  return { masks, features };
}
