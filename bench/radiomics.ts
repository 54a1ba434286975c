/**
 * Benchmark of the radiomics engine (src/imaging/radiomics): the full default feature set (seven families) on a
 * synthetic brain MR (default 256×256×64) with the brain mask, as voxels/s, and per-family times.
 *
 * Run: `node --import tsx bench/radiomics.ts [x] [y] [z]`.
 *
 * Reference in the same process: a plain 2-D GLCM (4 in-plane directions, 44 grey levels, the setting of
 * scikit-image's `graycomatrix` the issue quotes) over the same masked volume, written as a tight typed-array loop.
 */
import { synthesizeBrainVolume } from '../src/cohort/mri';
import { brainMasks } from '../src/imaging/masks';
import { computeRadiomics, FEATURE_FAMILIES } from '../src/imaging/radiomics';

const size: [number, number, number] = [Number(process.argv[2] ?? 256), Number(process.argv[3] ?? 256), Number(process.argv[4] ?? 64)];

function seconds(fn: () => void): number {
  const t = process.hrtime.bigint();
  fn();
  return Number(process.hrtime.bigint() - t) / 1e9;
}

function glcm2dReference(voxels: ArrayLike<number>, mask: Uint8Array, dims: readonly [number, number, number]): number {
  const [nx, ny, nz] = dims;
  let lo = Infinity;
  let hi = -Infinity;
  for (let i = 0; i < voxels.length; i++) {
    if (mask[i] === 1) {
      const v = voxels[i] ?? 0;
      lo = Math.min(lo, v);
      hi = Math.max(hi, v);
    }
  }
  const levels = 44;
  const q = new Int32Array(voxels.length);
  for (let i = 0; i < voxels.length; i++) {q[i] = mask[i] === 1 ? Math.min(levels - 1, Math.floor((((voxels[i] ?? 0) - lo) / (hi - lo + 1e-9)) * levels)) : -1;}
  const p = new Float64Array(levels * levels * 4);
  const offs: [number, number][] = [[1, 0], [1, 1], [0, 1], [-1, 1]];
  for (let z = 0; z < nz; z++) {
    for (let y = 0; y < ny - 1; y++) {
      for (let x = 1; x < nx - 1; x++) {
        const i = x + nx * (y + ny * z);
        const a = q[i] ?? -1;
        if (a < 0) {continue;}
        offs.forEach(([dx, dy], d) => {
          const b = q[i + dx + nx * dy] ?? -1;
          if (b >= 0) {p[(d * levels + a) * levels + b] = (p[(d * levels + a) * levels + b] ?? 0) + 1;}
        });
      }
    }
  }
  return p.reduce((s, v) => s + v, 0);
}

const v = synthesizeBrainVolume({ seed: 3, size, effects: { atrophy: 0.3, ventricleEnlargement: 0.4, infarcts: 2, wmhLoad: 0.6, microbleeds: 4 } });
const nVox = v.voxels.length;
let masks: ReturnType<typeof brainMasks> | undefined;
const tMask = seconds(() => (masks = brainMasks({ voxels: v.voxels, size: v.size })));
const brain = masks?.brain ?? new Uint8Array(nVox);
const roi = brain.reduce((s, b) => s + b, 0);
const image = { voxels: v.voxels, size: v.size, spacingMm: v.spacingMm };
computeRadiomics(image, brain, { binWidth: 25, families: ['firstorder'] });
const tRef = seconds(() => glcm2dReference(v.voxels, brain, v.size));
let nFeatures = 0;
const tFull = seconds(() => (nFeatures = Object.keys(computeRadiomics(image, brain, { binWidth: 25 })).length));
console.log(`volume ${size.join('×')} (${(nVox / 1e6).toFixed(2)} M voxels), brain mask ${(roi / 1e6).toFixed(2)} M voxels (mask built in ${tMask.toFixed(2)} s)`);
console.log(
  `full default set (${String(nFeatures)} features, 7 families), 1 thread: ${(nVox / tFull / 1e6).toFixed(2)} M volume voxels/s, ${(roi / tFull / 1e6).toFixed(2)} M ROI voxels/s; ` +
    `time / plain 2-D GLCM reference (4 directions, 44 levels) = ${(tFull / tRef).toFixed(1)}× (reference ${(nVox / tRef / 1e6).toFixed(1)} M voxels/s)`,
);
for (const fam of FEATURE_FAMILIES) {
  const t = seconds(() => computeRadiomics(image, brain, { binWidth: 25, families: [fam] }));
  console.log(`  ${fam.padEnd(10)} ${(t / tFull).toFixed(2)} of the full-set time`);
}
