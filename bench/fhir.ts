/**
 * Benchmark of the FHIR NDJSON import (src/clinical/local) against DuckDB's `read_ndjson` on the same file.
 *
 * Run: `node --import tsx bench/fhir.ts [copies] [rounds]` (default 40 copies, best of 3 rounds). The input is the
 * real Synthea Observations of the three reference Bundles (shared/reference-data/synthea-fhir), repeated `copies`
 * times with fresh ids into one Observation.ndjson. Figures are ratios against the reference run in this process —
 * DuckDB materialising `read_ndjson` of the same file into an in-memory table — because absolute speeds on a shared
 * machine mean little. Also printed: a bare `JSON.parse` loop, validation alone per level (the structure validator
 * compiled from the R4 StructureDefinitions), and the full import job into a workspace database file per level
 * (worker threads parse, validate, shape and stage; DuckDB loads resources, events and the per-type Athena table rows
 * and commits; SUCCESS/FAILURE output), with the default worker threads and in process (0 workers).
 * The process's CPU time (all threads) is printed too: on a loaded machine, workers only help when cores are free.
 * Like DuckDB, the import is warmed up first (one unmeasured job starts the worker pool, which the process keeps for
 * its later imports).
 * Hostile input: one Observation whose valueString and narrative are 2 MB of capitalised text each (the shape that
 * made the old key lower-casing regular expression quadratic), imported by the same job and read by DuckDB.
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

const copies = Number(process.argv[2] ?? 40);
const rounds = Number(process.argv[3] ?? 3);
const BUNDLES = path.resolve(__dirname, '../../shared/reference-data/synthea-fhir/bundles-r4');

function buildInput(dir: string): { file: string; mb: number; lines: number } {
  const obs = fs
    .readdirSync(BUNDLES)
    .flatMap((f) => bundleToResources(JSON.parse(fs.readFileSync(path.join(BUNDLES, f), 'utf8'))))
    .filter((r) => r.resourceType === 'Observation');
  const file = path.join(dir, 'Observation.ndjson');
  const fd = fs.openSync(file, 'w');
  let lines = 0;
  for (let c = 0; c < copies; c++) {
    let chunk = '';
    for (const r of obs) {
      chunk += `${JSON.stringify({ ...r, id: `${String(r.id)}-${c}` })}\n`;
      lines++;
    }
    fs.writeSync(fd, chunk);
  }
  fs.closeSync(fd);
  return { file, mb: fs.statSync(file).size / 1e6, lines };
}

/**
 * DuckDB's `read_ndjson` of the file into a table: in memory (the reference), or in a database file (`dbFile`; the
 * commit is timed, the checkpoint at close is not — as for the import job).
 */
function buildHostileInput(dir: string): string {
  const big = 'Capitalised Text '.repeat(2 * 1024 * 1024 / 17);
  const r = { resourceType: 'Observation', id: 'hostile', status: 'final', code: { text: 'note' }, valueString: big, text: { status: 'generated', div: `<div xmlns="http://www.w3.org/1999/xhtml">${big}</div>` } };
  const file = path.join(dir, 'hostile', 'Observation.ndjson');
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, `${JSON.stringify(r)}\n`);
  return file;
}

async function duckdbReadNdjson(file: string, dbFile?: string): Promise<number> {
  const inst = await DuckDBInstance.create(dbFile ?? ':memory:');
  const conn = await inst.connect();
  const t0 = performance.now();
  await conn.run(`CREATE TABLE t AS SELECT * FROM read_ndjson('${file.replace(/'/g, "''")}', sample_size := -1)`);
  const ms = performance.now() - t0;
  conn.closeSync();
  inst.closeSync();
  return ms;
}

function parseLoop(file: string): number {
  const t0 = performance.now();
  const text = fs.readFileSync(file, 'utf8');
  let n = 0;
  for (const line of text.split('\n')) {
    if (line !== '') {
      n += (JSON.parse(line) as { id: string }).id.length;
    }
  }
  if (n < 0) {
    throw new Error('unreachable');
  }
  return performance.now() - t0;
}

function validateLoop(file: string, level: FhirValidationLevel): { ms: number; failed: number } {
  const text = fs.readFileSync(file, 'utf8');
  const t0 = performance.now();
  let failed = 0;
  for (const line of text.split('\n')) {
    if (line !== '') {
      failed += validateFhirResource(JSON.parse(line), level).some((i) => i.severity === 'error') ? 1 : 0;
    }
  }
  return { ms: performance.now() - t0, failed };
}

async function importJob(file: string, level: FhirValidationLevel, threads?: number): Promise<{ ms: number; cpuMs: number; imported: number }> {
  const ws = fs.mkdtempSync(path.join(os.tmpdir(), 'mmh-bench-fhir-ws-'));
  const input = path.join(ws, 'input');
  fs.mkdirSync(input);
  fs.copyFileSync(file, path.join(input, path.basename(file)));
  const engine = await DuckDbEngine.create({ path: path.join(ws, 'mmh.duckdb') });
  const store = await LocalFhirStore.create({ engine, dir: ws, ...(threads === undefined ? {} : { importThreads: threads }) });
  const ds = await store.createDatastore({ name: 'bench' });
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  const job = await store.startImportJob({ datastoreId: ds.DatastoreId, inputDir: input, validationLevel: level });
  const done = await store.waitForImportJob(ds.DatastoreId, job.JobId, { pollMs: 20 });
  const ms = performance.now() - t0;
  const cpu = process.cpuUsage(cpu0);
  await engine.close();
  fs.rmSync(ws, { recursive: true, force: true });
  return { ms, cpuMs: (cpu.user + cpu.system) / 1000, imported: done.JobProgressReport?.TotalNumberOfResourcesImported ?? 0 };
}

async function main(): Promise<void> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mmh-bench-fhir-'));
  const { file, mb, lines } = buildInput(dir);
  const hostile = buildHostileInput(dir);
  const t0 = performance.now();
  loadFhirDefinitions();
  const defsMs = performance.now() - t0;
  // Warm-up (JIT, DuckDB extension load, the import worker pool a session keeps) on the same file, then the
  // measured runs.
  await duckdbReadNdjson(file);
  parseLoop(file);
  await importJob(file, 'structure-only');
  // Each figure is the best of `rounds` runs, the runs of all figures interleaved round by round, so a noisy moment
  // of the machine slows one run of each rather than every run of one.
  type Timed = { ms: number };
  const fastest = <T extends Timed>(a: T | undefined, b: T): T => (a === undefined || b.ms < a.ms ? b : a);
  let duckRun: Timed | undefined;
  let duckFileRun: Timed | undefined;
  let parseRun: Timed | undefined;
  let vMin: { ms: number; failed: number } | undefined;
  let vStruct: { ms: number; failed: number } | undefined;
  let jMin: Awaited<ReturnType<typeof importJob>> | undefined;
  let jStruct: Awaited<ReturnType<typeof importJob>> | undefined;
  let jStruct0: Awaited<ReturnType<typeof importJob>> | undefined;
  let jHostile: Awaited<ReturnType<typeof importJob>> | undefined;
  let duckHostile: Timed | undefined;
  for (let round = 0; round < rounds; round++) {
    duckRun = fastest(duckRun, { ms: await duckdbReadNdjson(file) });
    const dbFile = path.join(dir, `reference-${round}.duckdb`);
    duckFileRun = fastest(duckFileRun, { ms: await duckdbReadNdjson(file, dbFile) });
    fs.rmSync(dbFile, { force: true });
    parseRun = fastest(parseRun, { ms: parseLoop(file) });
    vMin = fastest(vMin, validateLoop(file, 'minimal'));
    vStruct = fastest(vStruct, validateLoop(file, 'structure-only'));
    jMin = fastest(jMin, await importJob(file, 'minimal'));
    jStruct = fastest(jStruct, await importJob(file, 'structure-only'));
    jStruct0 = fastest(jStruct0, await importJob(file, 'structure-only', 0));
    duckHostile = fastest(duckHostile, { ms: await duckdbReadNdjson(hostile) });
    jHostile = fastest(jHostile, await importJob(hostile, 'structure-only'));
  }
  if (duckRun === undefined || duckFileRun === undefined || parseRun === undefined || vMin === undefined || vStruct === undefined || jMin === undefined || jStruct === undefined || jStruct0 === undefined || jHostile === undefined || duckHostile === undefined) {
    throw new Error('bench/fhir: rounds must be at least 1');
  }
  const duck = duckRun.ms;
  const duckFile = duckFileRun.ms;
  const parse = parseRun.ms;
  const rate = (ms: number): number => mb / (ms / 1000);
  const ratio = (ms: number): string => (duck / ms).toFixed(3);
  console.log(`FHIR NDJSON bench: ${lines.toLocaleString('en-US')} real Synthea Observations (${copies} copies), ${mb.toFixed(1)} MB; best of ${rounds} rounds`);
  console.log(`reference: DuckDB read_ndjson → table   ${rate(duck).toFixed(1)} MB/s = 1.000`);
  console.log(`DuckDB read_ndjson → table in a DB file ${rate(duckFile).toFixed(1)} MB/s = ${ratio(duckFile)}× DuckDB (like for like: the import job writes a DB file too)`);
  console.log(`JSON.parse loop                         ${rate(parse).toFixed(1)} MB/s = ${ratio(parse)}× DuckDB`);
  console.log(`validate minimal (parse + checks)       ${rate(vMin.ms).toFixed(1)} MB/s = ${ratio(vMin.ms)}× DuckDB (rejected ${vMin.failed})`);
  console.log(`validate structure-only (compiled R4)  ${rate(vStruct.ms).toFixed(1)} MB/s = ${ratio(vStruct.ms)}× DuckDB (rejected ${vStruct.failed})`);
  const job = (label: string, j: { ms: number; cpuMs: number; imported: number }): void => {
    const vsFile = (duckFile / j.ms).toFixed(3);
    console.log(`${label.padEnd(40)}${rate(j.ms).toFixed(1)} MB/s = ${ratio(j.ms)}× DuckDB, ${vsFile}× the DB-file read (imported ${j.imported}; CPU ${(j.cpuMs / 1000).toFixed(2)} s)`);
  };
  job('import job, minimal', jMin);
  job('import job, structure-only (default)', jStruct);
  job('import job, structure-only, 0 workers', jStruct0);
  console.log(`hostile: one resource, 2 × 2 MB capitalised text: import ${(jHostile.ms / 1000).toFixed(2)} s (imported ${jHostile.imported}), DuckDB read_ndjson ${(duckHostile.ms / 1000).toFixed(2)} s = ${(duckHostile.ms / jHostile.ms).toFixed(3)}× DuckDB`);
  console.log(`machine: ${os.availableParallelism()} CPUs, load average ${os.loadavg()[0]!.toFixed(1)}`);
  console.log(`one-time R4 definitions compile        ${(defsMs / 1000).toFixed(2)} s`);
  fs.rmSync(dir, { recursive: true, force: true });
}

void main();
