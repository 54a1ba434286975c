/**
 * Benchmark of the FHIR NDJSON import (src/clinical/local) against DuckDB's `read_ndjson` of the same files.
 *
 * Run: `node --import tsx bench/fhir.ts [MB] [rounds] [--all]` (default 250 MB, best of 3 rounds). The input is
 * real Synthea data: every resource of the three reference Bundles (shared/reference-data/synthea-fhir; all types,
 * Synthea's mix — Observations, Claims and ExplanationOfBenefits dominate the bytes), repeated with fresh ids (every
 * UUID, so references stay consistent within a copy) until the `<Type>.ndjson` files hold `MB` megabytes.
 * The headline is a ratio against the reference run in this process — DuckDB `read_ndjson` of each file into its own
 * table of a database file (the commit is timed, the checkpoint at close is not, as for the import job) — because
 * absolute speeds on a shared machine mean little. Also printed: DuckDB into an in-memory database, and the full
 * import job into a workspace database file (worker threads parse, validate, shape and stage; DuckDB loads
 * resources, events and the per-type Athena table rows and commits; SUCCESS/FAILURE output) with its CPU time (all
 * threads) and the peak RSS sampled while the default imports run (besides the process's maximum, which includes the
 * DuckDB reference's). A second line times both until their database is closed (DuckDB checkpoints the WAL into
 * the file then). `--all` adds a bare `JSON.parse` loop, validation alone per level, the import
 * at `minimal` and in process (0 workers). Like DuckDB, the import is warmed up first (on a small input: one job
 * starts the worker pool, which the process keeps for its later imports).
 * Hostile input: one Observation whose valueString and narrative are 2 MB of capitalised text each (the shape that
 * made the old key lower-casing regular expression quadratic), imported by the same job and read by DuckDB; the
 * Done-when target is an import under 1 s on this machine class.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { bundleToResources } from '../src/formats/fhir/bundle';
import type { FhirValidationLevel } from '../src/formats/fhir/validate';
import { loadFhirDefinitions, validateFhirResource } from '../src/formats/fhir/validate';
import { LocalFhirStore } from '../src/clinical/local/local-fhir-store';
import { DuckDbEngine } from '../src/sql/duckdb-engine';

const args = process.argv.slice(2).filter((a) => !a.startsWith('--'));
const all = process.argv.includes('--all');
const targetMb = Number(args[0] ?? 250);
const rounds = Number(args[1] ?? 3);
const BUNDLES = path.resolve(__dirname, '../../shared/reference-data/synthea-fhir/bundles-r4');
const UUID = /[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/g;

/** A timed run: until its last commit (`ms`, `cpuMs`: CPU of all threads) and until its database is closed (the checkpoint included). */
interface Timed {
  readonly ms: number;
  readonly cpuMs?: number;
  readonly closedMs?: number;
  readonly closedCpuMs?: number;
}

interface Input {
  /** Folder of `<Type>.ndjson` files. */
  readonly dir: string;
  /** The files. */
  readonly files: readonly string[];
  readonly mb: number;
  readonly lines: number;
  readonly copies: number;
}

/** Writes copies of every resource of the reference Bundles, with fresh UUIDs per copy, up to `mb` megabytes. */
function buildInput(dir: string, mb: number): Input {
  const resources = fs.readdirSync(BUNDLES).flatMap((f) => bundleToResources(JSON.parse(fs.readFileSync(path.join(BUNDLES, f), 'utf8'))));
  const byType = new Map<string, string[]>();
  for (const r of resources) {
    byType.set(r.resourceType, [...(byType.get(r.resourceType) ?? []), JSON.stringify(r)]);
  }
  const input = path.join(dir, 'input');
  fs.mkdirSync(input, { recursive: true });
  const fds = new Map([...byType.keys()].map((t) => [t, fs.openSync(path.join(input, `${t}.ndjson`), 'w')]));
  let bytes = 0;
  let lines = 0;
  let copies = 0;
  while (bytes < mb * 1e6) {
    const suffix = `-${copies.toString(16)}`;
    for (const [type, texts] of byType) {
      let chunk = '';
      for (const t of texts) {
        chunk += `${t.replace(UUID, (u) => `${u}${suffix}`)}\n`;
        lines++;
      }
      fs.writeSync(fds.get(type)!, chunk);
      bytes += Buffer.byteLength(chunk);
    }
    copies++;
  }
  for (const fd of fds.values()) {
    fs.closeSync(fd);
  }
  const files = [...byType.keys()].sort().map((t) => path.join(input, `${t}.ndjson`));
  return { dir: input, files, mb: bytes / 1e6, lines, copies };
}

/**
 * DuckDB's `read_ndjson` of the file into a table: in memory (the reference), or in a database file (`dbFile`; the
 * commit is timed, the checkpoint at close is not — as for the import job).
 */
function buildHostileInput(dir: string): Input {
  const big = 'Capitalised Text '.repeat((2 * 1024 * 1024) / 17);
  const r = {
    resourceType: 'Observation',
    id: 'hostile',
    status: 'final',
    code: { text: 'note' },
    valueString: big,
    text: { status: 'generated', div: `<div xmlns="http://www.w3.org/1999/xhtml">${big}</div>` },
  };
  const file = path.join(dir, 'hostile', 'Observation.ndjson');
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, `${JSON.stringify(r)}\n`);
  return { dir: path.dirname(file), files: [file], mb: fs.statSync(file).size / 1e6, lines: 1, copies: 1 };
}

/** DuckDB's `read_ndjson` of each file into its own table, in memory or in a database file (`dbFile`). */
async function duckdbReadNdjson(input: Input, dbFile?: string): Promise<Timed> {
  const inst = await DuckDBInstance.create(dbFile ?? ':memory:');
  const conn = await inst.connect();
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  for (const file of input.files) {
    await conn.run(`CREATE TABLE "${path.basename(file, '.ndjson')}" AS SELECT * FROM read_ndjson('${file.replace(/'/g, "''")}', sample_size := -1)`);
  }
  const ms = performance.now() - t0;
  const cpu = process.cpuUsage(cpu0);
  conn.closeSync();
  inst.closeSync();
  const all = process.cpuUsage(cpu0);
  return { ms, cpuMs: (cpu.user + cpu.system) / 1000, closedMs: performance.now() - t0, closedCpuMs: (all.user + all.system) / 1000 };
}

function parseLoop(input: Input): number {
  const t0 = performance.now();
  let n = 0;
  for (const file of input.files) {
    for (const line of fs.readFileSync(file, 'utf8').split('\n')) {
      if (line !== '') {
        n += (JSON.parse(line) as { id: string }).id.length;
      }
    }
  }
  if (n < 0) {
    throw new Error('unreachable');
  }
  return performance.now() - t0;
}

function validateLoop(input: Input, level: FhirValidationLevel): { ms: number; failed: number } {
  let ms = 0;
  let failed = 0;
  for (const file of input.files) {
    const text = fs.readFileSync(file, 'utf8');
    const t0 = performance.now();
    for (const line of text.split('\n')) {
      if (line !== '') {
        failed += validateFhirResource(JSON.parse(line), level).some((i) => i.severity === 'error') ? 1 : 0;
      }
    }
    ms += performance.now() - t0;
  }
  return { ms, failed };
}

async function importJob(
  input: Input,
  level: FhirValidationLevel,
  threads?: number,
): Promise<{ ms: number; cpuMs: number; closedMs: number; closedCpuMs: number; imported: number; peakRssMb: number }> {
  const ws = fs.mkdtempSync(path.join(os.tmpdir(), 'mmh-bench-fhir-ws-'));
  // The process's RSS sampled while the job runs: its own peak, whatever ran earlier in the process (the process's
  // maxRSS includes the DuckDB reference's peak).
  let peakRss = process.memoryUsage.rss();
  const sampler = setInterval(() => {
    peakRss = Math.max(peakRss, process.memoryUsage.rss());
  }, 20);
  const engine = await DuckDbEngine.create({ path: path.join(ws, 'mmh.duckdb') });
  const store = await LocalFhirStore.create({ engine, dir: ws, ...(threads === undefined ? {} : { importThreads: threads }) });
  const ds = await store.createDatastore({ name: 'bench' });
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  const job = await store.startImportJob({ datastoreId: ds.DatastoreId, inputDir: input.dir, validationLevel: level });
  const done = await store.waitForImportJob(ds.DatastoreId, job.JobId, { pollMs: 20 });
  const ms = performance.now() - t0;
  const cpu = process.cpuUsage(cpu0);
  await engine.close();
  const all = process.cpuUsage(cpu0);
  const closedMs = performance.now() - t0;
  clearInterval(sampler);
  fs.rmSync(ws, { recursive: true, force: true });
  return {
    ms,
    cpuMs: (cpu.user + cpu.system) / 1000,
    closedMs,
    closedCpuMs: (all.user + all.system) / 1000,
    imported: done.JobProgressReport?.TotalNumberOfResourcesImported ?? 0,
    peakRssMb: peakRss / 2 ** 20,
  };
}

async function main(): Promise<void> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mmh-bench-fhir-'));
  const input = buildInput(dir, targetMb);
  const warm = buildInput(path.join(dir, 'warm'), 5);
  const hostile = buildHostileInput(dir);
  const { mb, lines } = input;
  const t0 = performance.now();
  loadFhirDefinitions();
  const defsMs = performance.now() - t0;
  // Warm-up (JIT, DuckDB extension load, the import worker pool a session keeps) on a small input, then the
  // measured runs.
  await duckdbReadNdjson(warm);
  await importJob(warm, 'structure-only');
  // Each figure is the best of `rounds` runs (wall and CPU each), the runs of all figures interleaved round by round, so a noisy moment
  // of the machine slows one run of each rather than every run of one.
  type Job = Awaited<ReturnType<typeof importJob>>;
  // Each measure is its own best (wall and CPU can come from different rounds).
  const min = (x: number | undefined, y: number | undefined): number | undefined => (x === undefined ? y : y === undefined ? x : Math.min(x, y));
  const fastest = <T extends Timed>(a: T | undefined, b: T): T =>
    a === undefined ? b : { ...(b.ms < a.ms ? b : a), ms: Math.min(a.ms, b.ms), cpuMs: min(a.cpuMs, b.cpuMs), closedMs: min(a.closedMs, b.closedMs), closedCpuMs: min(a.closedCpuMs, b.closedCpuMs) };
  const best: {
    duck?: Timed;
    duckFile?: Timed;
    parse?: Timed;
    vMin?: { ms: number; failed: number };
    vStruct?: { ms: number; failed: number };
    jMin?: Job;
    jStruct?: Job;
    jStruct0?: Job;
    jHostile?: Job;
    duckHostile?: Timed;
  } = {};
  let rssAfterImport: number | undefined;
  let importPeakRss = 0;
  for (let round = 0; round < rounds; round++) {
    const dbFile = path.join(dir, `reference-${round}.duckdb`);
    best.duckFile = fastest(best.duckFile, await duckdbReadNdjson(input, dbFile));
    fs.rmSync(dbFile, { force: true });
    const jStruct = await importJob(input, 'structure-only');
    best.jStruct = fastest(best.jStruct, jStruct);
    importPeakRss = Math.max(importPeakRss, jStruct.peakRssMb);
    rssAfterImport ??= process.resourceUsage().maxRSS;
    best.duck = fastest(best.duck, await duckdbReadNdjson(input));
    if (all) {
      best.parse = fastest(best.parse, { ms: parseLoop(input) });
      best.vMin = fastest(best.vMin, validateLoop(input, 'minimal'));
      best.vStruct = fastest(best.vStruct, validateLoop(input, 'structure-only'));
      best.jMin = fastest(best.jMin, await importJob(input, 'minimal'));
      best.jStruct0 = fastest(best.jStruct0, await importJob(input, 'structure-only', 0));
    }
    best.duckHostile = fastest(best.duckHostile, await duckdbReadNdjson(hostile));
    best.jHostile = fastest(best.jHostile, await importJob(hostile, 'structure-only'));
    console.log(`  round ${String(round + 1)}/${String(rounds)} done (load ${os.loadavg()[0]!.toFixed(1)})`);
  }
  const { duck, duckFile, jStruct, jHostile, duckHostile } = best;
  if (duck === undefined || duckFile === undefined || jStruct === undefined || jHostile === undefined || duckHostile === undefined) {
    throw new Error('bench/fhir: rounds must be at least 1');
  }
  const rate = (ms: number): number => mb / (ms / 1000);
  const ratio = (ms: number): string => (duckFile.ms / ms).toFixed(3);
  console.log(
    `FHIR NDJSON bench: ${lines.toLocaleString('en-US')} real Synthea resources of ${String(input.files.length)} types (3 Bundles × ${String(input.copies)} copies), ${mb.toFixed(1)} MB; best of ${String(rounds)} rounds`,
  );
  const cpuText = (t: Timed): string => (t.cpuMs === undefined ? '' : ` (CPU ${(t.cpuMs / 1000).toFixed(2)} s)`);
  console.log(`reference: DuckDB read_ndjson → tables in a DB file ${rate(duckFile.ms).toFixed(1)} MB/s = 1.000${cpuText(duckFile)}`);
  console.log(`DuckDB read_ndjson → in-memory tables   ${rate(duck.ms).toFixed(1)} MB/s = ${ratio(duck.ms)}× the reference${cpuText(duck)}`);
  const job = (label: string, j: Job): void => {
    console.log(
      `${label.padEnd(40)}${rate(j.ms).toFixed(1)} MB/s = ${ratio(j.ms)}× DuckDB (DB file), ${(duck.ms / j.ms).toFixed(3)}× in memory (imported ${j.imported.toLocaleString('en-US')}; CPU ${(j.cpuMs / 1000).toFixed(2)} s = ${((duckFile.cpuMs ?? 0) / j.cpuMs).toFixed(3)}× the reference's CPU)`,
    );
  };
  job('import job, structure-only (default)', jStruct);
  const closed = (t: Timed): string => `${((t.closedMs ?? t.ms) / 1000).toFixed(2)} s, CPU ${((t.closedCpuMs ?? t.cpuMs ?? 0) / 1000).toFixed(2)} s`;
  console.log(
    `with the checkpoint at close: DuckDB (DB file) ${closed(duckFile)}; import job ${closed(jStruct)} = ${((duckFile.closedMs ?? 0) / jStruct.closedMs).toFixed(3)}× by wall, ${((duckFile.closedCpuMs ?? 0) / jStruct.closedCpuMs).toFixed(3)}× by CPU`,
  );
  if (best.parse !== undefined && best.vMin !== undefined && best.vStruct !== undefined && best.jMin !== undefined && best.jStruct0 !== undefined) {
    console.log(`JSON.parse loop                         ${rate(best.parse.ms).toFixed(1)} MB/s = ${ratio(best.parse.ms)}× DuckDB`);
    console.log(`validate minimal (parse + checks)       ${rate(best.vMin.ms).toFixed(1)} MB/s = ${ratio(best.vMin.ms)}× DuckDB (rejected ${String(best.vMin.failed)})`);
    console.log(`validate structure-only (compiled R4)  ${rate(best.vStruct.ms).toFixed(1)} MB/s = ${ratio(best.vStruct.ms)}× DuckDB (rejected ${String(best.vStruct.failed)})`);
    job('import job, minimal', best.jMin);
    job('import job, structure-only, 0 workers', best.jStruct0);
  }
  console.log(
    `hostile: one resource, 2 × 2 MB capitalised text: import ${(jHostile.ms / 1000).toFixed(2)} s (imported ${String(jHostile.imported)}; target < 1 s), DuckDB read_ndjson ${(duckHostile.ms / 1000).toFixed(2)} s`,
  );
  console.log(
    `peak RSS: ${importPeakRss.toFixed(0)} MB sampled during the default imports (target ≤ 1 GB); ${((rssAfterImport ?? 0) / 1024).toFixed(0)} MB process maximum through the first import (after one DuckDB DB-file read), ${(process.resourceUsage().maxRSS / 1024).toFixed(0)} MB for the whole bench`,
  );
  console.log(
    `machine: ${String(os.availableParallelism())} CPUs, load average ${os
      .loadavg()
      .map((l) => l.toFixed(1))
      .join(' ')}`,
  );
  console.log(`one-time R4 definitions compile        ${(defsMs / 1000).toFixed(2)} s`);
  fs.rmSync(dir, { recursive: true, force: true });
}

void main();
