/**
 * Benchmark of the radiomics engine (src/imaging/radiomics): the full default feature set (seven families) on
 * synthetic brain MRs (default 256×256×64) with their brain masks, as volume voxels per second, in this thread and on
 * pools of 1 and 2 worker threads (`RadiomicsWorkerPool`, every volume in flight), plus per-family times.
 *
 * Run: `node --import tsx bench/radiomics.ts [x] [y] [z] [volumes] [rounds]` (defaults 256 256 64, 4 volumes, 3 rounds).
 *
 * The brain masks (`brainMasks`, the step before radiomics in every study) are timed in the same rounds, this thread's
 * CPU and wall time per volume, and printed beside the radiomics figures (they are not part of them).
 *
 * References, run in every round between the measured runs (best of `rounds` interleaved rounds each, so a noisy
 * moment of the shared machine slows one run of each figure rather than every run of one):
 * - a plain 2-D GLCM (4 in-plane directions, 44 grey levels, the setting of scikit-image's `graycomatrix`) over the
 *   same masked volume, written as a tight typed-array loop in this process;
 * - the same GLCM in numpy (`python3`, vectorised `bincount`; skipped with a note when python3/numpy are missing),
 *   timed inside Python without its start-up and file reading, which must count the same number of pairs.
 * The headline ratio is the 2-worker throughput over the in-process reference's: the machine may be shared, and the
 * ratio moves much less with its load than either figure. The load average is printed beside it.
 */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { synthesizeBrainVolume } from '../src/cohort/mri';
import { RadiomicsWorkerPool } from '../src/imaging/features';
import { brainMasks } from '../src/imaging/masks';
import { computeRadiomics, discretiseRoi, FEATURE_FAMILIES } from '../src/imaging/radiomics';

const size: [number, number, number] = [Number(process.argv[2] ?? 256), Number(process.argv[3] ?? 256), Number(process.argv[4] ?? 64)];
const nVolumes = Number(process.argv[5] ?? 4);
const rounds = Number(process.argv[6] ?? 3);
const GOAL = 25; // M volume voxels/s on 2 cores (issue 21)

const loadavg = (): string =>
  os
    .loadavg()
    .map((v) => v.toFixed(2))
    .join(', ');

/** CPU seconds (all threads of the process) spent since `start`. */
function cpuSince(start: NodeJS.CpuUsage): number {
  const d = process.cpuUsage(start);
  return (d.user + d.system) / 1e6;
}

/** CPU seconds of this thread since `start` (a thread CPU reading, `process.threadCpuUsage()`). */
function threadCpuSince(start: NodeJS.CpuUsage): number {
  const d = process.threadCpuUsage(start);
  return (d.user + d.system) / 1e6;
}

/** Wall seconds of one call. */
function seconds(fn: () => void): number {
  const t = process.hrtime.bigint();
  fn();
  return Number(process.hrtime.bigint() - t) / 1e9;
}

/** The plain 2-D GLCM reference; returns the number of pairs counted. */
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
  for (let i = 0; i < voxels.length; i++) {
    q[i] = mask[i] === 1 ? Math.min(levels - 1, Math.floor((((voxels[i] ?? 0) - lo) / (hi - lo + 1e-9)) * levels)) : -1;
  }
  const p = new Float64Array(levels * levels * 4);
  const offs: [number, number][] = [
    [1, 0],
    [1, 1],
    [0, 1],
    [-1, 1],
  ];
  for (let z = 0; z < nz; z++) {
    for (let y = 0; y < ny - 1; y++) {
      for (let x = 1; x < nx - 1; x++) {
        const i = x + nx * (y + ny * z);
        const a = q[i] ?? -1;
        if (a < 0) {
          continue;
        }
        offs.forEach(([dx, dy], d) => {
          const b = q[i + dx + nx * dy] ?? -1;
          if (b >= 0) {
            p[(d * levels + a) * levels + b] = (p[(d * levels + a) * levels + b] ?? 0) + 1;
          }
        });
      }
    }
  }
  return p.reduce((s, v) => s + v, 0);
}

/** The same GLCM in numpy: reads `vol.f64` and `mask.u8` from argv[1], prints {"seconds", "pairs"}. */
const NUMPY_GLCM = `
import json, sys, time
import numpy as np
d, nx, ny, nz = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4])
v = np.fromfile(d + '/vol.f64', dtype=np.float64).reshape(nz, ny, nx)
m = np.fromfile(d + '/mask.u8', dtype=np.uint8).reshape(nz, ny, nx) == 1
t = time.perf_counter()
lo, hi = v[m].min(), v[m].max()
L = 44
q = np.where(m, np.minimum(L - 1, np.floor((v - lo) / (hi - lo + 1e-9) * L)), -1).astype(np.int32)
pairs = 0
for dx, dy in ((1, 0), (1, 1), (0, 1), (-1, 1)):
    a = q[:, 0:ny - 1, 1:nx - 1]
    b = q[:, dy:ny - 1 + dy, 1 + dx:nx - 1 + dx]
    ok = (a >= 0) & (b >= 0)
    pairs += int(np.bincount((a * L + b)[ok], minlength=L * L).sum())
print(json.dumps({"seconds": time.perf_counter() - t, "pairs": pairs}))
`;

/** Runs the numpy reference once; undefined (with the reason) when python3 or numpy is missing. */
function numpyReference(dir: string): { seconds: number; pairs: number } | string {
  const r = spawnSync('python3', ['-c', NUMPY_GLCM, dir, String(size[0]), String(size[1]), String(size[2])], { encoding: 'utf8' });
  if (r.error !== undefined || r.status !== 0) {
    return `numpy reference skipped: ${r.error?.message ?? r.stderr.trim().split('\n').pop() ?? 'python3 failed'}`;
  }
  return JSON.parse(r.stdout) as { seconds: number; pairs: number };
}

/**
 * Wall seconds and CPU seconds (all threads) of the whole per-study work of the pipeline (`imagingFeatures`: brain
 * masks, all families on the brain, first-order and shape on fluid and hyperintense) for every volume on the pool.
 */
async function studyRun(
  pool: RadiomicsWorkerPool,
  vols: readonly { voxels: ArrayLike<number>; size: [number, number, number]; spacingMm: [number, number, number] }[],
): Promise<{ t: number; cpu: number }> {
  const copies = vols.map((w) => ({
    voxels: Float32Array.from(w.voxels),
    size: w.size,
    spacingMm: w.spacingMm,
    origin: [0, 0, 0] as [number, number, number],
    direction: [1, 0, 0, 0, 1, 0, 0, 0, 1],
  }));
  const t0 = process.hrtime.bigint();
  const c0 = process.cpuUsage();
  await Promise.all(copies.map((volume) => pool.imagingFeatures(volume, { binWidth: 25 })));
  return { t: Number(process.hrtime.bigint() - t0) / 1e9, cpu: cpuSince(c0) };
}

/** Wall seconds and CPU seconds (all threads) of computing every volume on the pool at once. */
async function poolRun(pool: RadiomicsWorkerPool, inputs: readonly (readonly [Parameters<RadiomicsWorkerPool['radiomics']>[0], Uint8Array])[]): Promise<{ t: number; cpu: number }> {
  // the copies handed over (their buffers are transferred) are made before the clock starts
  const copies = inputs.map(([image, mask]) => [{ ...image, voxels: Float32Array.from(image.voxels) }, Uint8Array.from(mask)] as const);
  const t0 = process.hrtime.bigint();
  const c0 = process.cpuUsage();
  await Promise.all(copies.map(([image, mask]) => pool.radiomics(image, mask, { binWidth: 25 })));
  return { t: Number(process.hrtime.bigint() - t0) / 1e9, cpu: cpuSince(c0) };
}

async function main(): Promise<void> {
  console.log(`radiomics bench: ${String(os.availableParallelism())} CPUs, load average at start ${loadavg()}; best of ${String(rounds)} interleaved rounds`);
  const vols = Array.from({ length: nVolumes }, (_, i) =>
    synthesizeBrainVolume({ seed: 3 + i, size, effects: { atrophy: 0.3, ventricleEnlargement: 0.4, infarcts: 2, wmhLoad: 0.6, microbleeds: 4 } }),
  );
  const v = vols[0]!;
  const nVox = v.voxels.length;
  const brains = vols.map((w) => brainMasks({ voxels: w.voxels, size: w.size }).brain);
  // the masks as a pipeline worker builds them: from the decoded float32 volume
  const maskInput = { voxels: Float32Array.from(v.voxels), size: v.size };
  const brain = brains[0]!;
  const roi = brain.reduce((s, b) => s + b, 0);
  const image = { voxels: v.voxels, size: v.size, spacingMm: v.spacingMm };
  const inputs = vols.map((w, i) => [{ voxels: w.voxels, size: w.size, spacingMm: w.spacingMm }, brains[i]!] as const);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mmh-bench-radiomics-'));
  fs.writeFileSync(path.join(dir, 'vol.f64'), Float64Array.from(v.voxels));
  fs.writeFileSync(path.join(dir, 'mask.u8'), brain);
  const pools = [new RadiomicsWorkerPool(1), new RadiomicsWorkerPool(2)] as const;
  try {
    // warm-up: the JIT in this thread, module load and two volumes per worker (a long-running pool is past this)
    computeRadiomics(image, brain, { binWidth: 25 });
    computeRadiomics(image, brain, { binWidth: 25 });
    const refPairs = glcm2dReference(v.voxels, brain, v.size);
    for (const pool of pools) {
      for (let w = 0; w < 2; w++) {
        await poolRun(pool, inputs.slice(0, pool === pools[0] ? 1 : 2));
      }
    }
    await studyRun(pools[1], vols.slice(0, 2));
    brainMasks(maskInput);
    const best = {
      ref: Infinity,
      numpy: Infinity,
      full: Infinity,
      fullCpu: Infinity,
      discretiseCpu: Infinity,
      w1: Infinity,
      w2: Infinity,
      w2cpu: 0,
      w1cpu: 0,
      mask: Infinity,
      maskCpu: Infinity,
      study: Infinity,
      studyCpu: 0,
    };
    let numpyNote = '';
    let numpyPairs = -1;
    let nFeatures = 0;
    const loads: string[] = [];
    for (let r = 0; r < rounds; r++) {
      best.ref = Math.min(
        best.ref,
        seconds(() => glcm2dReference(v.voxels, brain, v.size)),
      );
      const np = numpyReference(dir);
      if (typeof np === 'string') {
        numpyNote = np;
      } else {
        best.numpy = Math.min(best.numpy, np.seconds);
        numpyPairs = np.pairs;
      }
      const m0 = process.threadCpuUsage();
      best.mask = Math.min(
        best.mask,
        seconds(() => brainMasks(maskInput)),
      );
      best.maskCpu = Math.min(best.maskCpu, threadCpuSince(m0));
      const c0 = process.threadCpuUsage();
      best.full = Math.min(
        best.full,
        seconds(() => (nFeatures = Object.keys(computeRadiomics(image, brain, { binWidth: 25 })).length)),
      );
      best.fullCpu = Math.min(best.fullCpu, threadCpuSince(c0));
      const d0 = process.threadCpuUsage();
      discretiseRoi(image, brain, { binWidth: 25 });
      best.discretiseCpu = Math.min(best.discretiseCpu, threadCpuSince(d0));
      const one = await poolRun(pools[0], inputs);
      if (one.t < best.w1) {
        [best.w1, best.w1cpu] = [one.t, one.cpu];
      }
      const two = await poolRun(pools[1], inputs);
      if (two.t < best.w2) {
        [best.w2, best.w2cpu] = [two.t, two.cpu];
      }
      const study = await studyRun(pools[1], vols);
      if (study.t < best.study) {
        [best.study, best.studyCpu] = [study.t, study.cpu];
      }
      loads.push(loadavg());
    }
    const rate = (voxels: number, t: number): number => voxels / t / 1e6;
    const refRate = rate(nVox, best.ref);
    const w2Rate = rate(nVolumes * nVox, best.w2);
    console.log(`volume ${size.join('×')} (${(nVox / 1e6).toFixed(2)} M voxels), brain mask ${(roi / 1e6).toFixed(2)} M voxels`);
    console.log(
      `brainMasks (float32 volume, this thread, not in the radiomics figures): ${best.mask.toFixed(3)} s wall, ${(best.maskCpu * 1000).toFixed(0)} ms CPU per volume = ${rate(nVox, best.maskCpu).toFixed(1)} M voxels per CPU-second`,
    );
    console.log(`reference, plain 2-D GLCM (4 directions, 44 levels) in this process: ${refRate.toFixed(1)} M voxels/s (${String(refPairs)} pairs)`);
    if (numpyNote === '') {
      const agree = numpyPairs === refPairs ? 'same pair count' : `PAIR COUNT DIFFERS: ${String(numpyPairs)}`;
      console.log(`reference, the same GLCM in numpy: ${rate(nVox, best.numpy).toFixed(1)} M voxels/s (${agree})`);
    } else {
      console.log(numpyNote);
    }
    console.log(
      `full default set (${String(nFeatures)} features, 7 families), this thread: ${rate(nVox, best.full).toFixed(2)} M volume voxels/s ` +
        `(${rate(roi, best.full).toFixed(2)} M ROI voxels/s; ${(best.fullCpu * 1000).toFixed(0)} ms CPU of this thread per volume = ${rate(nVox, best.fullCpu).toFixed(2)} M per CPU-second); time / 2-D GLCM reference = ${(best.full / best.ref).toFixed(2)}×`,
    );
    for (const [threads, t, cpu] of [
      [1, best.w1, best.w1cpu],
      [2, best.w2, best.w2cpu],
    ] as const) {
      console.log(
        `  ${String(threads)} worker(s), ${String(nVolumes)} volumes: ${rate(nVolumes * nVox, t).toFixed(2)} M volume voxels/s = ${(rate(nVolumes * nVox, t) / refRate).toFixed(2)}× the reference's rate; ` +
          `${((cpu / nVolumes) * 1000).toFixed(0)} ms CPU per volume = ${rate(nVolumes * nVox, cpu).toFixed(2)} M voxels per worker CPU-second (CPU of all threads), cores busy ${(cpu / t).toFixed(2)}`,
      );
    }
    const numpyRatio = numpyNote === '' ? `, ${(w2Rate / rate(nVox, best.numpy)).toFixed(2)}× numpy's` : '';
    console.log(
      `RADIOMICS all 7 families on 2 workers: ${w2Rate.toFixed(2)} M volume voxels/s (goal ≥ ${String(GOAL)}) = ${(w2Rate / refRate).toFixed(2)}× the in-process 2-D GLCM reference's rate${numpyRatio}; ` +
        `2 workers / 1 worker = ${(best.w1 / best.w2).toFixed(2)}×; load average per round ${loads.map((l) => `[${l}]`).join(' ')}`,
    );
    console.log(
      `  per study as the pipeline computes it (masks + all 7 families on the brain + first-order and shape on fluid and hyperintense), 2 workers: ${rate(nVolumes * nVox, best.study).toFixed(2)} M volume voxels/s; ` +
        `${((best.studyCpu / nVolumes) * 1000).toFixed(0)} ms CPU per study = ${rate(nVolumes * nVox, best.studyCpu).toFixed(2)} M voxels per worker CPU-second`,
    );
    // per family: this thread's CPU (moves less with the machine's load than wall time), best of `rounds` runs each
    console.log(
      `  per family alone, this thread's CPU, best of ${String(rounds)} (each includes cropping and discretising, ${(best.discretiseCpu * 1000).toFixed(0)} ms of it; glcm, glrlm, gldm and ngtdm include the sweep they share):`,
    );
    for (const fam of FEATURE_FAMILIES) {
      let cpu = Infinity;
      for (let r = 0; r < rounds; r++) {
        const c0 = process.threadCpuUsage();
        computeRadiomics(image, brain, { binWidth: 25, families: [fam] });
        cpu = Math.min(cpu, threadCpuSince(c0));
      }
      console.log(`    ${fam.padEnd(10)} ${(cpu * 1000).toFixed(0).padStart(4)} ms CPU = ${(cpu / best.fullCpu).toFixed(2)} of the full set's`);
    }
  } finally {
    await Promise.all(pools.map((p) => p.close()));
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

void main();
