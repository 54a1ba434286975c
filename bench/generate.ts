/**
 * Benchmark of the cohort generator: patients/s and MB/s for a preset (default `default`, 1,278 patients with
 * 128×128×64 MRIs), against a reference run in the same process that writes the very same bytes with plain
 * `fs.writeFileSync` (the I/O floor), the oracles' share of the generate step (timed again alone), and the
 * converter's throughput on the result.
 *
 * Run: `node --import tsx bench/generate.ts [preset|patients] [seed]` (a preset brings its record density and MRI
 * size: `coherent` = 1,278 patients, ≈ 2 M resources, 256³ MRIs; MRIs are written on worker threads from 200 patients).
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { convertCoherent } from '../src/cohort/convert/convert';
import { generateCohort, PRESET_PATIENTS } from '../src/cohort/generate';
import { computeOracles, ORACLE_MC_PATIENTS } from '../src/cohort/oracle';
import type { Preset } from '../src/config';

function treeFiles(dir: string): string[] {
  const out: string[] = [];
  for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) {
      out.push(...treeFiles(p));
    } else {
      out.push(p);
    }
  }
  return out;
}

async function main(): Promise<void> {
  const arg = process.argv[2] ?? 'default';
  const patients = /^\d+$/.test(arg) ? Number(arg) : PRESET_PATIENTS[arg as Preset];
  const seed = Number(process.argv[3] ?? 42);
  const load0 = os.loadavg()[0]?.toFixed(1) ?? '?';
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'mmh-bench-generate-'));
  try {
    const out = path.join(root, 'coherent');
    const t0 = performance.now();
    const cpu0 = process.cpuUsage();
    const res = await generateCohort(/^\d+$/.test(arg) ? { out, patients, seed } : { out, preset: arg as Preset, seed });
    const genS = (performance.now() - t0) / 1000;
    const cpu = process.cpuUsage(cpu0);
    const genCpuS = (cpu.user + cpu.system) / 1e6;
    const files = treeFiles(path.join(out, 'output'));
    const bytes = files.reduce((a, f) => a + fs.statSync(f).size, 0);

    // Reference: write the same bytes (already in memory) with fs, file by file, into a fresh folder.
    const contents = files.map((f) => [path.relative(out, f), fs.readFileSync(f)] as const);
    const refDir = path.join(root, 'reference');
    const t1 = performance.now();
    const cpu1 = process.cpuUsage();
    for (const [rel, data] of contents) {
      const target = path.join(refDir, rel);
      fs.mkdirSync(path.dirname(target), { recursive: true });
      fs.writeFileSync(target, data);
    }
    const refS = (performance.now() - t1) / 1000;
    const refCpu = process.cpuUsage(cpu1);
    const refCpuS = (refCpu.user + refCpu.system) / 1e6;
    contents.length = 0;

    // The oracles' share of the generate step: the same computation again, alone.
    const cpu3 = process.cpuUsage();
    const t3 = performance.now();
    computeOracles({ seed, mcPatients: patients >= 1000 ? ORACLE_MC_PATIENTS : 20_000 });
    const oracleS = (performance.now() - t3) / 1000;
    const oracleCpu = process.cpuUsage(cpu3);
    const oracleCpuS = (oracleCpu.user + oracleCpu.system) / 1e6;

    const t2 = performance.now();
    const rep = await convertCoherent({ from: out, to: path.join(root, 'dataset') });
    const convS = (performance.now() - t2) / 1000;

    const mb = bytes / 1e6;
    console.log(`cohort generator bench — ${String(patients)} patients, seed ${String(seed)}, ${String(os.cpus().length)} CPUs`);
    console.log(
      `  output: ${String(files.length)} files, ${mb.toFixed(1)} MB (${String(res.counts.resources)} FHIR resources, ${String(res.counts.dnaFiles)} DNA CSVs, ${String(res.counts.dicomFiles)} MRI DICOMs)`,
    );
    console.log(`  load average at start/end: ${load0} / ${os.loadavg()[0]?.toFixed(1) ?? '?'} (other processes share the CPUs; CPU seconds below are this process's own)`);
    console.log(
      `  generate:            ${genS.toFixed(1)} s wall, ${genCpuS.toFixed(1)} s CPU = ${(patients / genS).toFixed(1)} patients/s, ${(mb / genS).toFixed(1)} MB/s (per CPU-second: ${(patients / genCpuS).toFixed(1)} patients, ${(mb / genCpuS).toFixed(1)} MB)`,
    );
    console.log(
      `  of which oracles:    ${oracleS.toFixed(1)} s wall, ${oracleCpuS.toFixed(1)} s CPU (Monte Carlo of ${String(patients >= 1000 ? ORACLE_MC_PATIENTS : 20_000)} patients, timed again alone)`,
    );
    console.log(`  reference fs write:  ${refS.toFixed(2)} s wall, ${refCpuS.toFixed(2)} s CPU = ${(mb / refS).toFixed(1)} MB/s`);
    console.log(`  ratio generate/fs-write throughput: ${(mb / genS / (mb / refS)).toFixed(3)}  (time ratio ${(genS / refS).toFixed(1)}×)`);
    console.log(
      `  convert:             ${convS.toFixed(1)} s  = ${(patients / convS).toFixed(1)} patients/s, ${(mb / convS).toFixed(1)} MB/s read; time ratio to fs write ${(convS / refS).toFixed(1)}×`,
    );
    console.log(
      `  target: default cohort in < 120 s → ${genS < 120 ? 'met' : 'NOT met'} on wall time (${genS.toFixed(1)} s), ${genCpuS < 120 ? 'met' : 'NOT met'} on CPU time (${genCpuS.toFixed(1)} s)`,
    );
    console.log(`  convert DICOM: ${String(rep.counts.dicomLinked ?? 0)} hard-linked, ${String(rep.counts.dicomCopied ?? 0)} copied (another file system)`);
    console.log(`  conversion dropped records: ${String((rep.counts.resourcesDropped ?? 0) + (rep.counts.dnaRowsDropped ?? 0) + (rep.counts.dicomDropped ?? 0))}`);
  } finally {
    fs.rmSync(root, { recursive: true, force: true });
  }
}

main().catch((e: unknown) => {
  console.error(e);
  process.exitCode = 1;
});
