/**
 * The fast radiomics kernels against straightforward references on random small volumes: the union-find size-zone
 * labelling (`sizeZoneMatrix`) against the per-zone flood fill (`glszmMatrix`), and the marching cubes that skips
 * cubes wholly inside or outside (`meshMeasures`) against the sweep over every cube (`meshMeasuresReference`), and
 * computeRadiomics' reused per-thread region arrays against regions that own theirs.
 */
import assert from 'node:assert/strict';
import { computeRadiomics, discretiseRoi, glszmMatrix, meshMeasures, meshMeasuresReference, sizeZoneMatrix } from '../../src/imaging/radiomics';
import type { RadiomicsSettings, SizeMatrix } from '../../src/imaging/radiomics';

function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s * 1664525 + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

/** A zone matrix with sparse size columns spread to one column per size 1…sizes. */
function dense(m: SizeMatrix, sizes: number): number[] {
  const out = new Array<number>(m.levels.length * sizes).fill(0);
  for (let a = 0; a < m.levels.length; a++) {
    for (let j = 0; j < m.sizes; j++) {
      const size = m.columnSizes?.[j] ?? j + 1;
      out[a * sizes + size - 1] = m.counts[a * m.sizes + j] ?? 0;
    }
  }
  return out;
}

/** A random volume: `levels` grey levels (binWidth 1), smooth or noisy, and a random mask with holes. */
function randomCase(r: () => number, levels: number): { size: [number, number, number]; voxels: Float64Array; mask: Uint8Array } {
  const size: [number, number, number] = [2 + Math.floor(r() * 11), 2 + Math.floor(r() * 11), 1 + Math.floor(r() * 8)];
  const n = size[0] * size[1] * size[2];
  const smooth = r() < 0.5;
  const fx = 0.2 + r();
  const fy = 0.2 + r();
  const fz = 0.2 + r();
  const voxels = Float64Array.from({ length: n }, (_, i) => {
    const x = i % size[0];
    const y = Math.floor(i / size[0]) % size[1];
    const z = Math.floor(i / (size[0] * size[1]));
    const wave = 0.5 + 0.5 * Math.sin(fx * x + fy * y * y + fz * z);
    return 1 + Math.floor((smooth ? wave : r()) * levels);
  });
  const fill = 0.4 + 0.6 * r();
  const mask = Uint8Array.from({ length: n }, () => (r() < fill ? 1 : 0));
  mask[Math.floor(r() * n)] = 1;
  return { size, voxels, mask };
}

describe('radiomics kernels: union-find size zones equal the flood fill', function () {
  this.timeout(60000);

  const settingsList: RadiomicsSettings[] = [
    { binWidth: 1 },
    { binWidth: 1, force2D: true, force2Ddimension: 0 },
    { binWidth: 1, force2D: true, force2Ddimension: 1 },
    { binWidth: 1, force2D: true, force2Ddimension: 2 },
  ];
  for (const levels of [2, 3, 12, 300]) {
    it(`random volumes with ${String(levels)} grey levels, 3-D and every 2-D plane`, () => {
      const r = rng(1000 + levels);
      let zonesSeen = 0;
      for (let trial = 0; trial < 120; trial++) {
        const { size, voxels, mask } = randomCase(r, levels);
        for (const settings of settingsList) {
          const roi = discretiseRoi({ voxels, size, spacingMm: [1, 1, 2] }, mask, settings);
          const fast = sizeZoneMatrix(roi);
          const ref = glszmMatrix(roi);
          assert.deepEqual(dense(fast, ref.sizes), dense(ref, ref.sizes), `trial ${String(trial)} ${JSON.stringify(settings)} size ${size.join('×')}`);
          assert.deepEqual(Array.from(fast.levels), Array.from(ref.levels));
          zonesSeen += fast.counts.reduce((s, c) => s + c, 0);
        }
      }
      assert.ok(zonesSeen > 1000, 'the random cases have zones');
    });
  }

  it('a comb whose teeth meet only in its last row is one zone (labels started per tooth are joined at the end)', () => {
    // level 2: teeth at odd x for y < 8, joined by the row y = 8; level 1: the gaps between the teeth (6 zones)
    const size: [number, number, number] = [11, 9, 3];
    const voxels = new Float64Array(11 * 9 * 3).fill(1);
    for (let z = 0; z < 3; z++) {
      for (let y = 0; y < 9; y++) {
        for (let x = 0; x < 11; x++) {
          voxels[x + 11 * (y + 9 * z)] = y === 8 || x % 2 === 1 ? 2 : 1;
        }
      }
    }
    const mask = new Uint8Array(voxels.length).fill(1);
    for (const settings of settingsList) {
      const roi = discretiseRoi({ voxels, size, spacingMm: [1, 1, 1] }, mask, settings);
      const fast = sizeZoneMatrix(roi);
      const ref = glszmMatrix(roi);
      assert.deepEqual(dense(fast, ref.sizes), dense(ref, ref.sizes), JSON.stringify(settings));
    }
    const zones = sizeZoneMatrix(discretiseRoi({ voxels, size, spacingMm: [1, 1, 1] }, mask, { binWidth: 1 }));
    const sizes = Array.from(zones.columnSizes ?? []);
    // rows: level 1 (six gaps of 8 × 3 voxels), level 2 (one comb of 5 × 8 × 3 + 11 × 3 voxels)
    assert.deepEqual(sizes, [24, 153]);
    assert.deepEqual(Array.from(zones.counts), [6, 0, 0, 1]);
  });
});

describe('radiomics kernels: marching cubes over surface cubes only equals the sweep over every cube', function () {
  this.timeout(60000);

  it('random masks (blobs, noise, slabs, full rows) give bit-identical area, volume and diameters', () => {
    const r = rng(77);
    for (let trial = 0; trial < 300; trial++) {
      const dims: [number, number, number] = [3 + Math.floor(r() * 70), 3 + Math.floor(r() * 12), 3 + Math.floor(r() * 8)];
      const [DX, DY, DZ] = dims;
      const spacing: [number, number, number] = [0.5 + r(), 0.5 + r(), 1 + 3 * r()];
      const inside = new Uint8Array(DX * DY * DZ);
      const kind = trial % 4;
      const fill = 0.2 + 0.75 * r();
      const cx = DX * r();
      const cy = DY * r();
      const cz = DZ * r();
      const rad = 1 + Math.max(DX, DY, DZ) * r();
      for (let z = 1; z < DZ - 1; z++) {
        for (let y = 1; y < DY - 1; y++) {
          for (let x = 1; x < DX - 1; x++) {
            const ball = (x - cx) ** 2 + (y - cy) ** 2 + (2 * (z - cz)) ** 2 <= rad * rad;
            const on = kind === 0 ? r() < fill : kind === 1 ? ball : kind === 2 ? ball !== r() < 0.05 : x < DX - 2 || r() < 0.5;
            inside[x + DX * (y + DY * z)] = on ? 1 : 0;
          }
        }
      }
      const got = meshMeasures(inside, dims, spacing);
      const ref = meshMeasuresReference(inside, dims, spacing);
      assert.deepEqual(got, ref, `trial ${String(trial)} dims ${dims.join('×')} kind ${String(kind)}`);
    }
  });
});

describe('radiomics kernels: computeRadiomics reuses its region arrays without carrying anything over', function () {
  this.timeout(60000);

  it('a region computed between two others (and with re-segmentation: two regions alive at once) gives the same features', () => {
    const r = rng(5);
    const cases = Array.from({ length: 6 }, () => randomCase(r, 40));
    for (const settings of [{ binWidth: 4 }, { binWidth: 4, resegmentRange: [10] }] as RadiomicsSettings[]) {
      const first = cases.map(({ size, voxels, mask }) => computeRadiomics({ voxels, size, spacingMm: [1, 1, 2] }, mask, settings));
      // again in reverse order: every region now follows a different (often larger) one in the same scratch arrays
      const again = [...cases].reverse().map(({ size, voxels, mask }) => computeRadiomics({ voxels, size, spacingMm: [1, 1, 2] }, mask, settings));
      assert.deepEqual(again.reverse(), first);
      assert.ok(Object.keys(first[0] ?? {}).length > 100);
    }
  });
});
