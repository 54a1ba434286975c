import assert from 'node:assert/strict';
import { brainMasks, fillHoles, largestComponent, otsuThreshold } from '../../src/imaging/masks';
import { mulberry32 } from '../../src/util/random';
import { referenceBrainMasks, referenceFillHoles, referenceLargestComponent, referenceOtsuThreshold } from './masks-reference';
import { goldenVolume } from './radiomics/golden-volume';

type Size = [number, number, number];

/** A random mask of 0/1 (and some 2s with `twos`), blobby when `smooth` (so components and holes are large). */
function randomMask(size: Size, density: number, seed: number, twos = false): Uint8Array {
  const rand = mulberry32(seed);
  const n = size[0] * size[1] * size[2];
  const m = new Uint8Array(n);
  for (let i = 0; i < n; i++) {
    const r = rand();
    m[i] = r < density ? (twos && r < density * 0.1 ? 2 : 1) : 0;
  }
  return m;
}

/** The first index where two masks differ, or −1. */
function firstDifference(a: Uint8Array, b: Uint8Array): number {
  for (let i = 0; i < Math.max(a.length, b.length); i++) {
    if (a[i] !== b[i]) {
      return i;
    }
  }
  return -1;
}

// row lengths that are and are not a multiple of 4 (the word-at-a-time paths and the byte paths), single rows/slices
const SIZES: Size[] = [
  [16, 12, 6],
  [13, 11, 5],
  [1, 7, 3],
  [8, 1, 4],
  [20, 20, 1],
  [4, 4, 4],
];

describe('imaging masks: the run-based implementation equals the per-voxel reference', () => {
  it('largestComponent and fillHoles on random masks (densities 0.2–0.8, values 0/1/2)', () => {
    let seed = 1;
    for (const size of SIZES) {
      for (const density of [0.2, 0.45, 0.6, 0.8]) {
        for (const twos of [false, true]) {
          const m = randomMask(size, density, seed++, twos);
          const lc = largestComponent(m, size);
          assert.equal(firstDifference(lc, referenceLargestComponent(m, size)), -1, `largestComponent ${size.join('×')} density ${String(density)}`);
          assert.equal(firstDifference(fillHoles(m, size), referenceFillHoles(m, size)), -1, `fillHoles ${size.join('×')} density ${String(density)}`);
          assert.equal(firstDifference(fillHoles(lc, size), referenceFillHoles(lc, size)), -1, `fillHoles of the component ${size.join('×')}`);
        }
      }
    }
  });

  it('largestComponent keeps the first of equally large components, and nothing of an empty mask', () => {
    const size: Size = [8, 4, 2];
    const m = new Uint8Array(64);
    m.set([1, 1, 0, 0, 0, 1, 1], 8); // two 2-voxel components in row 1; the first one wins
    assert.deepEqual([...largestComponent(m, size)], [...referenceLargestComponent(m, size)]);
    assert.deepEqual([...largestComponent(m, size).subarray(8, 16)], [1, 1, 0, 0, 0, 0, 0, 0]);
    assert.equal(largestComponent(new Uint8Array(64), size).indexOf(1), -1);
  });

  it('a mask view not aligned to 4 bytes takes the byte paths with the same result', () => {
    const size: Size = [16, 10, 4];
    const backing = new Uint8Array(641);
    backing.set(randomMask(size, 0.55, 99), 1);
    const view = backing.subarray(1);
    assert.equal(firstDifference(largestComponent(view, size), referenceLargestComponent(view, size)), -1);
    assert.equal(firstDifference(fillHoles(view, size), referenceFillHoles(view, size)), -1);
  });

  it('brainMasks equals the reference (masks and thresholds) for several sizes and voxel types', () => {
    for (const size of [[72, 64, 40] as Size, [45, 38, 13] as Size, [32, 29, 9] as Size]) {
      const g = goldenVolume(size, size[0]);
      const inputs: [string, ArrayLike<number>][] = [
        ['uint16', g.voxels],
        ['float32', Float32Array.from(g.voxels, (v, i) => v * 0.7 + (i % 5) * 0.1)],
        ['float64', Float64Array.from(g.voxels, (v, i) => v / 3 - (i % 3))],
        ['number[]', Array.from(g.voxels)],
      ];
      for (const [kind, voxels] of inputs) {
        const got = brainMasks({ voxels, size });
        const want = referenceBrainMasks({ voxels, size });
        const what = `${size.join('×')} ${kind}`;
        assert.deepEqual(got.thresholds, want.thresholds, what);
        for (const name of ['brain', 'csf', 'parenchyma', 'hyperintense'] as const) {
          assert.equal(firstDifference(got[name], want[name]), -1, `${what} ${name}`);
        }
        assert.ok(got.brain.indexOf(1) >= 0 && got.csf.indexOf(1) >= 0, `${what}: the test volume should give brain and fluid`);
      }
    }
  });

  it('otsuThreshold with and without a selection equals the reference; an empty volume is refused', () => {
    const g = goldenVolume([24, 20, 8], 5);
    assert.equal(otsuThreshold(g.voxels), referenceOtsuThreshold(g.voxels));
    assert.equal(
      otsuThreshold(g.voxels, (i) => i % 3 === 0),
      referenceOtsuThreshold(g.voxels, (i) => i % 3 === 0),
    );
    assert.throws(() => brainMasks({ voxels: new Float32Array(64), size: [4, 4, 4] }), /no voxel is above the foreground threshold/);
  });
});
