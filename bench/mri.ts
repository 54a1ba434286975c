/**
 * Benchmark of the synthetic brain MRI writer (src/cohort/mri).
 *
 * Run: `node --import tsx bench/mri.ts [studies]`. Figures are printed as ratios against references measured in the
 * same process on the same bytes, because absolute speeds on a shared 2-core machine mean little:
 *   - `memcpy`: copying the finished file's bytes into a fresh buffer (the floor for producing that many bytes);
 *   - `fs write`: writing the file to a temporary folder (what the generator does next with it);
 *   - `dcmjs-only`: dcmjs writing the same header plus an equally sized blank PixelData itself (no phantom).
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { encodeMriStudy, mriUid, synthesizeBrainVolume, writeMriStudy } from '../src/cohort/mri/index';
import type { MriStudySpec } from '../src/cohort/mri/index';
import { dcmjsData } from '../src/cohort/mri/dcmjs-api';

const studies = Number(process.argv[2] ?? 30);

function spec(i: number, size: readonly [number, number, number]): MriStudySpec {
  return {
    seed: 1000 + i,
    size,
    effects: { atrophy: (i % 5) / 5, ventricleEnlargement: (i % 3) / 3, infarcts: i % 3, wmhLoad: (i % 4) / 4, microbleeds: 1 + (i % 6) },
    patientId: `bench-${i}`,
    patientName: `Family${i}^Given${i}`,
    birthDate: '19500101',
    sex: i % 2 === 0 ? 'F' : 'M',
    studyInstanceUid: mriUid(7, 'study', i),
    seriesInstanceUid: mriUid(7, 'series', i),
    studyDate: '20200101',
  };
}

interface Timing {
  /** Wall-clock ms per run. */
  wall: number;
  /** CPU ms per run (user + system of this process; less sensitive to other processes on a shared machine). */
  cpu: number;
}

/** Runs `fn` `n` times and returns the mean wall and CPU milliseconds per run. */
function time(n: number, fn: (i: number) => void): Timing {
  const c0 = process.cpuUsage();
  const t0 = performance.now();
  for (let i = 0; i < n; i++) {
    fn(i);
  }
  const c = process.cpuUsage(c0);
  return { wall: (performance.now() - t0) / n, cpu: (c.user + c.system) / 1000 / n };
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 === 1 ? (s[m] as number) : ((s[m - 1] as number) + (s[m] as number)) / 2;
}

function dcmjsOnlyWriter(s: MriStudySpec): () => Uint8Array {
  // The same attributes (all frames' functional groups) as our file, with a blank PixelData of the same size handed
  // to dcmjs itself: what writing this file through dcmjs alone would cost, without the phantom.
  const file = writeMriStudy(s);
  const parsed = dcmjsData.DicomMessage.readFile(file.buffer.slice(file.byteOffset, file.byteOffset + file.byteLength) as ArrayBuffer);
  const ds = dcmjsData.DicomMetaDictionary.naturalizeDataset(parsed.dict);
  const pixels = ds.PixelData as ArrayBuffer[];
  ds.PixelData = [new ArrayBuffer(pixels[0]?.byteLength ?? 0)];
  ds._vrMap = { PixelData: 'OW' };
  return (): Uint8Array => {
    const dict = new dcmjsData.DicomDict(parsed.meta);
    dict.dict = dcmjsData.DicomMetaDictionary.denaturalizeDataset(ds);
    return new Uint8Array(dict.write());
  };
}

function main(): void {
  const size = [128, 128, 64] as const;
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mmh-bench-mri-'));
  try {
    // Warm up the JIT and the Gaussian table.
    for (let i = 0; i < 3; i++) {
      writeMriStudy(spec(i, size));
    }
    const sample = writeMriStudy(spec(0, size));
    const mb = sample.length / 1e6;
    const vol = synthesizeBrainVolume(spec(0, size));
    const file = path.join(dir, 'x.dcm');
    const naive = dcmjsOnlyWriter(spec(0, size));
    naive();
    // Interleave the candidates in rounds and keep per-round ratios, so load swings on a shared machine hit all alike.
    const rounds = Math.max(3, Math.ceil(studies / 5));
    const perRound = Math.max(1, Math.floor(studies / rounds));
    const runs: Record<string, Timing[]> = { write: [], synth: [], encode: [], memcpy: [], fsWrite: [], dcmjs: [] };
    let n = 0;
    for (let r = 0; r < rounds; r++) {
      runs.write!.push(time(perRound, () => writeMriStudy(spec(n++, size))));
      runs.synth!.push(time(perRound, () => synthesizeBrainVolume(spec(n++, size))));
      runs.encode!.push(time(perRound, () => encodeMriStudy(spec(0, size), vol)));
      runs.memcpy!.push(
        time(perRound * 10, () => {
          const copy = new Uint8Array(sample.length);
          copy.set(sample);
        }),
      );
      runs.fsWrite!.push(
        time(perRound, () => {
          fs.writeFileSync(file, sample);
        }),
      );
      runs.dcmjs!.push(time(perRound, () => naive()));
    }
    const wall = (k: string): number => median(runs[k]!.map((t) => t.wall));
    const cpu = (k: string): number => median(runs[k]!.map((t) => t.cpu));
    const ratio = (a: string, b: string): number => median(runs[a]!.map((t, i) => runs[b]![i]!.wall / t.wall));
    const line = (label: string, k: string): string =>
      `${label.padEnd(36)} ${(1000 / wall(k)).toFixed(1).padStart(7)} studies/s ${(mb / (wall(k) / 1000)).toFixed(1).padStart(7)} MB/s` +
      `   (${wall(k).toFixed(1)} ms wall, ${cpu(k).toFixed(1)} ms CPU)`;
    console.log(
      `MRI writer, ${size.join('×')} (${mb.toFixed(2)} MB per file), ${rounds}×${perRound} studies, Node ${process.version}, load ${os.loadavg()[0]?.toFixed(1)} on ${os.cpus().length} CPUs`,
    );
    console.log(line('writeMriStudy (phantom + DICOM)', 'write'));
    console.log(line('  synthesizeBrainVolume', 'synth'));
    console.log(line('  encodeMriStudy (dcmjs + pixels)', 'encode'));
    console.log(line('ref: memcpy of the file bytes', 'memcpy'));
    console.log(line('ref: fs.writeFileSync of the file', 'fsWrite'));
    console.log(line('ref: dcmjs-only write, blank pixels', 'dcmjs'));
    console.log('ratios, median over rounds (ours ÷ reference in speed; higher = ours faster):');
    console.log(`  writeMriStudy vs memcpy of the same bytes   = ${ratio('write', 'memcpy').toFixed(4)}  (a study costs ${(1 / ratio('write', 'memcpy')).toFixed(0)} copies of itself)`);
    console.log(`  writeMriStudy vs fs.writeFileSync           = ${ratio('write', 'fsWrite').toFixed(3)}`);
    console.log(`  encodeMriStudy vs dcmjs-only write          = ${ratio('encode', 'dcmjs').toFixed(2)}  (PixelData appended by hand vs through dcmjs)`);
    console.log(`  default cohort (298 MRIs): ~${((298 * wall('write')) / 1000).toFixed(1)} s wall, ~${((298 * cpu('write')) / 1000).toFixed(1)} s CPU of MRI writing at this rate`);

    const big = [256, 256, 256] as const;
    const bigRun = time(1, () => writeMriStudy(spec(1, big)));
    const bigBytes = writeMriStudy(spec(2, big));
    const bigCopy = time(3, () => {
      const copy = new Uint8Array(bigBytes.length);
      copy.set(bigBytes);
    });
    console.log(
      `Coherent size 256³ (${(bigBytes.length / 1e6).toFixed(1)} MB): ${(bigRun.wall / 1000).toFixed(2)} s wall, ${(bigRun.cpu / 1000).toFixed(2)} s CPU per study, ` +
        `${(bigBytes.length / 1e6 / (bigRun.wall / 1000)).toFixed(1)} MB/s; vs memcpy = ${(bigCopy.wall / bigRun.wall).toFixed(4)}`,
    );
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

main();
