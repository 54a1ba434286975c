/**
 * Benchmark of the radiomics engine (src/imaging/radiomics): the full default feature set (seven families) on
 * synthetic brain MRs (default 256×256×64) with their brain masks, as volume voxels per second, in this thread and on
 * a pool of 1 and 2 worker threads (`RadiomicsWorkerPool`, several volumes in flight), plus per-family times.
 *
 * Run: `node --import tsx bench/radiomics.ts [x] [y] [z] [volumes]`.
 *
 * References in the same process: a plain 2-D GLCM (4 in-plane directions, 44 grey levels, the setting of
 * scikit-image's `graycomatrix` the issue quotes) over the same masked volume, written as a tight typed-array loop,
 * and our own first-order-only pass.
 */
import { synthesizeBrainVolume } from '../src/cohort/mri';
import { RadiomicsWorkerPool } from '../src/imaging/features';
import { brainMasks } from '../src/imaging/masks';
import { computeRadiomics, FEATURE_FAMILIES } from '../src/imaging/radiomics';

const size: [number, number, number] = [Number(process.argv[2] ?? 256), Number(process.argv[3] ?? 256), Number(process.argv[4] ?? 64)];
const nVolumes = Number(process.argv[5] ?? 4);

/** CPU seconds (all threads of the process) spent since `start`. */
function cpuSince(start: NodeJS.CpuUsage): number {
  const d = process.cpuUsage(start);
  return (d.user + d.system) / 1e6;
}

/** Best of `reps` wall-clock runs (the machine may be shared: the minimum is the least disturbed run). */
function seconds(fn: () => void, reps = 3): number {
  let best = Infinity;
  for (let r = 0; r < reps; r++) {
    const t = process.hrtime.bigint();
    fn();
    best = Math.min(best, Number(process.hrtime.bigint() - t) / 1e9);
  }
  return best;
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

async function main(): Promise<void> {
  const vols = Array.from({ length: nVolumes }, (_, i) =>
    synthesizeBrainVolume({ seed: 3 + i, size, effects: { atrophy: 0.3, ventricleEnlargement: 0.4, infarcts: 2, wmhLoad: 0.6, microbleeds: 4 } }),
  );
  const v = vols[0]!;
  const nVox = v.voxels.length;
  let masks: ReturnType<typeof brainMasks> | undefined;
  const tMask = seconds(() => (masks = brainMasks({ voxels: v.voxels, size: v.size })), 1);
  const brains = vols.map((w, i) => (i === 0 ? masks!.brain : brainMasks({ voxels: w.voxels, size: w.size }).brain));
  const brain = brains[0]!;
  const roi = brain.reduce((s, b) => s + b, 0);
  const image = { voxels: v.voxels, size: v.size, spacingMm: v.spacingMm };
  computeRadiomics(image, brain, { binWidth: 25 }); // warm-up
  const tRef = seconds(() => glcm2dReference(v.voxels, brain, v.size));
  const tFirst = seconds(() => computeRadiomics(image, brain, { binWidth: 25, families: ['firstorder'] }));
  let nFeatures = 0;
  const cpu0 = process.cpuUsage();
  const tFull = seconds(() => (nFeatures = Object.keys(computeRadiomics(image, brain, { binWidth: 25 })).length));
  const cpuFull = cpuSince(cpu0) / 3;
  console.log(`volume ${size.join('×')} (${(nVox / 1e6).toFixed(2)} M voxels), brain mask ${(roi / 1e6).toFixed(2)} M voxels (mask built in ${tMask.toFixed(2)} s)`);
  console.log(
    `full default set (${String(nFeatures)} features, 7 families), this thread: ${(nVox / tFull / 1e6).toFixed(2)} M volume voxels/s (${(roi / tFull / 1e6).toFixed(2)} M ROI voxels/s); ` +
      `time / plain 2-D GLCM reference (4 directions, 44 levels) = ${(tFull / tRef).toFixed(1)}× (reference ${(nVox / tRef / 1e6).toFixed(1)} M voxels/s); ` +
      `time / our first-order-only pass = ${(tFull / tFirst).toFixed(1)}×; ${(nVox / cpuFull / 1e6).toFixed(2)} M volume voxels per CPU-second (mean of the 3 runs)`,
  );
  for (const fam of FEATURE_FAMILIES) {
    const t = seconds(() => computeRadiomics(image, brain, { binWidth: 25, families: [fam] }));
    console.log(`  ${fam.padEnd(10)} ${(t / tFull).toFixed(2)} of the full-set time (includes cropping and discretising, and for glcm, glrlm, gldm and ngtdm the one sweep they share)`);
  }
  const perWorkers: number[] = [];
  for (const threads of [1, 2]) {
    const pool = new RadiomicsWorkerPool(threads);
    try {
      // warm each worker up (module load, then two volumes for the JIT: a long-running pool is past this), then time
      // all volumes in flight; the copies handed over (their buffers are transferred) are made before the clock starts
      for (let round = 0; round < 2; round++) {
        await Promise.all(Array.from({ length: threads }, () => pool.radiomics({ voxels: Float32Array.from(v.voxels), size: v.size, spacingMm: v.spacingMm }, Uint8Array.from(brain), { binWidth: 25 })));
      }
      const inputs = vols.map((w, i) => [{ voxels: Float32Array.from(w.voxels), size: w.size, spacingMm: w.spacingMm }, Uint8Array.from(brains[i]!)] as const);
      const t0 = process.hrtime.bigint();
      const c0 = process.cpuUsage();
      await Promise.all(inputs.map(([image, mask]) => pool.radiomics(image, mask, { binWidth: 25 })));
      const t = Number(process.hrtime.bigint() - t0) / 1e9;
      const cpu = cpuSince(c0);
      perWorkers.push(t);
      console.log(
        `  ${String(threads)} worker(s), ${String(vols.length)} volumes: ${((vols.length * nVox) / t / 1e6).toFixed(2)} M volume voxels/s; ` +
          `per-volume time / in-thread time = ${(t / vols.length / tFull).toFixed(2)}; time / plain 2-D GLCM reference per volume = ${(t / vols.length / tRef).toFixed(1)}×; ` +
          `${((vols.length * nVox) / cpu / 1e6).toFixed(2)} M voxels per CPU-second (all threads), cores busy ${(cpu / t).toFixed(2)}`,
      );
    } finally {
      await pool.close();
    }
  }
  console.log(`2 workers / 1 worker throughput = ${((perWorkers[0] ?? 0) / (perWorkers[1] ?? 1)).toFixed(2)}× (when other processes share the cores, "cores busy" stays below the worker count)`);
}

void main();
