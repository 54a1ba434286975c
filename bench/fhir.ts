/**
 * Benchmark of the FHIR NDJSON import (src/clinical/local) against DuckDB's `read_ndjson` on the same file.
 *
 * Run: `node --import tsx bench/fhir.ts [copies]`. The input is the real Synthea Observations of the three reference
 * Bundles (shared/reference-data/synthea-fhir), repeated `copies` times with fresh ids into one Observation.ndjson.
 * Figures are ratios against the reference run in this process — DuckDB materialising `read_ndjson` of the same file
 * into a table — because absolute speeds on a shared machine mean little. Also printed: a bare `JSON.parse` loop,
 * validation alone per level, and the full import job per level (parse, validate, hash, Athena shape, events,
 * DuckDB upsert, per-type table rebuild, SUCCESS/FAILURE output).
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

async function duckdbReadNdjson(file: string): Promise<number> {
  const inst = await DuckDBInstance.create(':memory:');
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

async function importJob(file: string, level: FhirValidationLevel): Promise<{ ms: number; imported: number }> {
  const ws = fs.mkdtempSync(path.join(os.tmpdir(), 'mmh-bench-fhir-ws-'));
  const input = path.join(ws, 'input');
  fs.mkdirSync(input);
  fs.copyFileSync(file, path.join(input, path.basename(file)));
  const engine = await DuckDbEngine.create({ path: path.join(ws, 'mmh.duckdb') });
  const store = await LocalFhirStore.create({ engine, dir: ws });
  const ds = await store.createDatastore({ name: 'bench' });
  const t0 = performance.now();
  const job = await store.startImportJob({ datastoreId: ds.DatastoreId, inputDir: input, validationLevel: level });
  const done = await store.waitForImportJob(ds.DatastoreId, job.JobId, { pollMs: 20 });
  const ms = performance.now() - t0;
  await engine.close();
  fs.rmSync(ws, { recursive: true, force: true });
  return { ms, imported: done.JobProgressReport?.TotalNumberOfResourcesImported ?? 0 };
}

async function main(): Promise<void> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mmh-bench-fhir-'));
  const { file, mb, lines } = buildInput(dir);
  const t0 = performance.now();
  loadFhirDefinitions();
  const defsMs = performance.now() - t0;
  // Warm-up (JIT, DuckDB extension load) on the same file, then the measured runs.
  await duckdbReadNdjson(file);
  parseLoop(file);
  const duck = await duckdbReadNdjson(file);
  const rate = (ms: number): number => mb / (ms / 1000);
  const parse = parseLoop(file);
  const vMin = validateLoop(file, 'minimal');
  const vStruct = validateLoop(file, 'structure-only');
  const jMin = await importJob(file, 'minimal');
  const jStruct = await importJob(file, 'structure-only');
  const ratio = (ms: number): string => (duck / ms).toFixed(3);
  console.log(`FHIR NDJSON bench: ${lines.toLocaleString('en-US')} real Synthea Observations (${copies} copies), ${mb.toFixed(1)} MB`);
  console.log(`reference: DuckDB read_ndjson → table   ${rate(duck).toFixed(1)} MB/s = 1.000`);
  console.log(`JSON.parse loop                         ${rate(parse).toFixed(1)} MB/s = ${ratio(parse)}× DuckDB`);
  console.log(`validate minimal (parse + checks)       ${rate(vMin.ms).toFixed(1)} MB/s = ${ratio(vMin.ms)}× DuckDB (rejected ${vMin.failed})`);
  console.log(`validate structure-only (medplum)       ${rate(vStruct.ms).toFixed(1)} MB/s = ${ratio(vStruct.ms)}× DuckDB (rejected ${vStruct.failed})`);
  console.log(`import job, minimal                     ${rate(jMin.ms).toFixed(1)} MB/s = ${ratio(jMin.ms)}× DuckDB (imported ${jMin.imported})`);
  console.log(`import job, structure-only              ${rate(jStruct.ms).toFixed(1)} MB/s = ${ratio(jStruct.ms)}× DuckDB (imported ${jStruct.imported})`);
  console.log(`one-time medplum definitions load       ${(defsMs / 1000).toFixed(2)} s`);
  fs.rmSync(dir, { recursive: true, force: true });
}

void main();
