import assert from 'node:assert/strict';
import { synthesizeBrainVolume } from '../../../src/cohort/mri';
import { imagingFeaturesOfVolume, RadiomicsWorkerPool } from '../../../src/imaging/features';
import { brainMasks } from '../../../src/imaging/masks';
import { computeRadiomics } from '../../../src/imaging/radiomics';
import type { Volume } from '../../../src/imaging/types';

const EFFECTS = { atrophy: 0.3, ventricleEnlargement: 0.4, infarcts: 1, wmhLoad: 0.6, microbleeds: 1 };

function volume(seed: number): Volume {
  const v = synthesizeBrainVolume({ seed, size: [48, 48, 24], effects: EFFECTS });
  return { voxels: Float32Array.from(v.voxels), size: v.size, spacingMm: v.spacingMm, origin: [0, 0, 0], direction: [1, 0, 0, 0, 1, 0, 0, 0, 1] };
}

describe('radiomics: worker-thread pool', function () {
  this.timeout(120000);

  it('computes the same features in 2 workers as in this thread, for several volumes at once', async () => {
    const vols = [1, 2, 3].map(volume);
    const expected = vols.map((v) => imagingFeaturesOfVolume(v));
    const pool = new RadiomicsWorkerPool(2);
    try {
      const got = await Promise.all(vols.map((v) => pool.imagingFeatures({ ...v, voxels: Float32Array.from(v.voxels) })));
      got.forEach((g, i) => {
        assert.deepEqual(g, expected[i]);
      });
      const v = vols[0]!;
      const mask = brainMasks(v).brain;
      const direct = computeRadiomics(v, mask, { families: ['glcm', 'shape'] });
      const viaPool = await pool.radiomics({ voxels: Float32Array.from(v.voxels), size: v.size, spacingMm: v.spacingMm }, Uint8Array.from(mask), { families: ['glcm', 'shape'] });
      assert.deepEqual(viaPool, direct);
    } finally {
      await pool.close();
    }
  });

  it('passes a typed error back from the worker and keeps serving', async () => {
    const pool = new RadiomicsWorkerPool(1);
    try {
      const v = volume(4);
      await assert.rejects(pool.radiomics({ voxels: v.voxels, size: v.size, spacingMm: v.spacingMm }, new Uint8Array(v.voxels.length)), { code: 'invalid-input', message: /no voxel with label 1/ });
      const mask = new Uint8Array(27).fill(1);
      const f = await pool.radiomics({ voxels: Float64Array.from({ length: 27 }, (_, i) => i), size: [3, 3, 3], spacingMm: [1, 1, 1] }, mask, { families: ['firstorder'] });
      assert.equal(f.original_firstorder_Mean, 13);
    } finally {
      await pool.close();
    }
    await assert.rejects(pool.radiomics({ voxels: [1], size: [1, 1, 1], spacingMm: [1, 1, 1] }, [1]), { code: 'cancelled' });
    assert.throws(() => new RadiomicsWorkerPool(0), { code: 'invalid-input' });
  });
});
