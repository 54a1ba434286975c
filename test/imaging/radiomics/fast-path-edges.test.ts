import assert from 'node:assert/strict';
import { synthesizeBrainVolume } from '../../../src/cohort/mri';
import { brainMasks } from '../../../src/imaging/masks';
import { computeRadiomics, discretiseRoi, glcmMatrix, gldmMatrix, glrlmMatrix, glszmMatrix, meshMeasures, neighbourhoodMatrices, ngtdmMatrix, sizeZoneMatrix } from '../../../src/imaging/radiomics';
import type { RadiomicsImage, RadiomicsSettings } from '../../../src/imaging/radiomics';

/** The fast matrices of `image`/`mask` equal the reference builders' (dense zone matrices compared). */
function assertMatricesEqual(image: RadiomicsImage, mask: ArrayLike<number>, settings: RadiomicsSettings, alpha = 0): void {
  const roi = discretiseRoi(image, mask, settings);
  const fast = neighbourhoodMatrices(roi, alpha);
  roi.directions.forEach((d, i) => {
    assert.deepEqual(Array.from(fast.glcm[i] ?? []), Array.from(glcmMatrix(roi, d)), `GLCM ${d.join(',')}`);
    assert.deepEqual(Array.from(fast.glrlm[i]?.counts ?? []), Array.from(glrlmMatrix(roi, d).counts), `GLRLM ${d.join(',')}`);
  });
  assert.deepEqual(Array.from(fast.gldm.counts), Array.from(gldmMatrix(roi, alpha).counts), 'GLDM');
  const ngtdm = ngtdmMatrix(roi);
  assert.deepEqual(Array.from(fast.ngtdm.n), Array.from(ngtdm.n), 'NGTDM n');
  fast.ngtdm.s.forEach((s, i) => {
    assert.ok(Math.abs(s - (ngtdm.s[i] ?? 0)) <= 1e-9 * Math.max(1, s), `NGTDM s_${String(i)}`);
  });
  const zones = sizeZoneMatrix(roi);
  const ref = glszmMatrix(roi);
  const dense = new Float64Array(ref.counts.length);
  for (let a = 0; a < roi.present.length; a++) {
    for (let j = 0; j < zones.sizes; j++) {
      const size = zones.columnSizes?.[j] ?? j + 1;
      dense[a * ref.sizes + size - 1] = zones.counts[a * zones.sizes + j] ?? 0;
    }
  }
  assert.deepEqual(Array.from(dense), Array.from(ref.counts), 'GLSZM');
}

describe('radiomics fast paths at their edges', function () {
  this.timeout(60000);

  it('a solid block of one level (runs as long as the box, one zone, every neighbour dependent)', () => {
    const size: [number, number, number] = [9, 7, 5];
    const voxels = new Float64Array(9 * 7 * 5).fill(100);
    const mask = new Uint8Array(voxels.length).fill(1);
    for (const settings of [{ binWidth: 25 }, { binWidth: 25, force2D: true }] as RadiomicsSettings[]) {
      assertMatricesEqual({ voxels, size, spacingMm: [1, 1, 1] }, mask, settings);
    }
  });

  it('a 3-D checkerboard (every run has length 1, zones connect only diagonally) and a noise cube with alpha 1', () => {
    const size: [number, number, number] = [8, 8, 8];
    const checker = Float64Array.from({ length: 512 }, (_, i) => (((i % 8) + (Math.floor(i / 8) % 8) + Math.floor(i / 64)) % 2 === 0 ? 10 : 60));
    const mask = new Uint8Array(512).fill(1);
    assertMatricesEqual({ voxels: checker, size, spacingMm: [1, 1, 1] }, mask, { binWidth: 25 });
    let s = 7;
    const noise = Float64Array.from({ length: 512 }, () => {
      s = (s * 1103515245 + 12345) >>> 0;
      return s % 200;
    });
    const holes = Uint8Array.from({ length: 512 }, (_, i) => ((i * 7919) % 5 === 0 ? 0 : 1));
    assertMatricesEqual({ voxels: noise, size, spacingMm: [1, 1, 1] }, holes, { binWidth: 25 }, 1);
    assertMatricesEqual({ voxels: noise, size, spacingMm: [1, 1, 1] }, holes, { binWidth: 10, force2D: true, force2Ddimension: 1 }, 2);
  });

  it('more than 255 grey levels (16-bit codes) give the same matrices', () => {
    const v = synthesizeBrainVolume({ seed: 11, size: [32, 32, 12], effects: { atrophy: 0.2, ventricleEnlargement: 0.3, infarcts: 1, wmhLoad: 0.5, microbleeds: 1 } });
    const mask = brainMasks({ voxels: v.voxels, size: v.size }).brain;
    const image = { voxels: v.voxels, size: v.size, spacingMm: v.spacingMm };
    const roi = discretiseRoi(image, mask, { binWidth: 1 });
    assert.ok(roi.present.length > 255, `needs > 255 levels, has ${String(roi.present.length)}`);
    assert.ok(roi.code instanceof Uint16Array);
    assertMatricesEqual(image, mask, { binWidth: 1 });
  });

  it('grey levels too high for the 32-bit neighbour accumulator (float64 path) give the same matrices', () => {
    const size: [number, number, number] = [7, 6, 5];
    let s = 3;
    // levels 1…200,000 (discretisation none): 26 packed neighbours of level > 80,000 overflow an Int32
    const voxels = Float64Array.from({ length: 7 * 6 * 5 }, () => {
      s = (s * 1103515245 + 12345) >>> 0;
      return s % 3 === 0 ? 200000 : 1 + (s % 4);
    });
    const mask = Uint8Array.from({ length: voxels.length }, (_, i) => (i % 11 === 0 ? 0 : 1));
    assertMatricesEqual({ voxels, size, spacingMm: [1, 1, 1] }, mask, { discretisation: 'none' });
    assertMatricesEqual({ voxels, size, spacingMm: [1, 1, 1] }, mask, { discretisation: 'none', force2D: true }, 3);
  });

  it('a mask given as a plain array or a non-array ArrayLike gives the same features as a Uint8Array', () => {
    const v = synthesizeBrainVolume({ seed: 12, size: [30, 28, 10], effects: { atrophy: 0.3, ventricleEnlargement: 0.4, infarcts: 1, wmhLoad: 0.6, microbleeds: 2 } });
    const mask = brainMasks({ voxels: v.voxels, size: v.size }).brain;
    const image = { voxels: v.voxels, size: v.size, spacingMm: v.spacingMm };
    const expected = computeRadiomics(image, mask, { binWidth: 25 });
    assert.deepEqual(computeRadiomics(image, Array.from(mask), { binWidth: 25 }), expected);
    const arrayLike: ArrayLike<number> = { length: mask.length, ...Object.fromEntries(Array.from(mask, (m, i) => [i, m])) };
    assert.deepEqual(computeRadiomics(image, arrayLike, { binWidth: 25 }), expected);
    const labelled = Float32Array.from(mask, (m) => (m === 1 ? 3 : 0));
    assert.deepEqual(computeRadiomics(image, labelled, { binWidth: 25, label: 3 }), expected);
  });

  it('marching cubes gives the same measures with the row extents passed in or found by scanning', () => {
    const v = synthesizeBrainVolume({ seed: 13, size: [30, 28, 10], effects: { atrophy: 0.3, ventricleEnlargement: 0.4, infarcts: 1, wmhLoad: 0.6, microbleeds: 2 } });
    const mask = brainMasks({ voxels: v.voxels, size: v.size }).brain;
    const roi = discretiseRoi({ voxels: v.voxels, size: v.size, spacingMm: v.spacingMm }, mask, { binWidth: 25 });
    const [DX, DY, DZ] = roi.dims;
    const inside = new Uint8Array(roi.code.length);
    const first = new Int32Array(DY * DZ).fill(-1);
    const last = new Int32Array(DY * DZ).fill(-1);
    for (let t = 0; t < roi.count; t++) {
      const b = roi.index[t] ?? 0;
      inside[b] = 1;
      const row = Math.floor(b / DX);
      if ((first[row] ?? -1) < 0) {
        first[row] = b - row * DX;
      }
      last[row] = b - row * DX;
    }
    const scanned = meshMeasures(inside, roi.dims, roi.spacingMm);
    assert.deepEqual(meshMeasures(inside, roi.dims, roi.spacingMm, { first, last }), scanned);
    assert.ok(scanned.volume > 0 && scanned.surfaceArea > 0);
  });
});
