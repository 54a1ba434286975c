import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { importJobFolder } from '../../../src/clinical/local/job-files';
import type { ImportSuccessLine } from '../../../src/clinical/local/job-files';
import { LocalFhirStore } from '../../../src/clinical/local/local-fhir-store';
import { DuckDbEngine } from '../../../src/sql/duckdb-engine';
import { MIXED_LINES, tmpDir, writeBundleNdjson, writeMixed } from '../fixtures/helpers';

describe('LocalFhirStore import: worker threads, chunks and in-chunk duplicates', () => {
  it('imports the same store with 2 worker threads and small chunks as in process, line for line', async function () {
    this.timeout(180_000);
    const ws = tmpDir('mmh-fhir-par-');
    const input = path.join(ws, 'input');
    writeBundleNdjson(input);
    writeMixed(input);
    const engine = await DuckDbEngine.create({ path: path.join(ws, 'mmh.duckdb') });
    const results: { ds: string; job: string; folder: string }[] = [];
    for (const threads of [0, 2]) {
      const store = new LocalFhirStore({ engine, dir: ws, importThreads: threads, importBatchSize: 97 });
      const ds = await store.createDatastore({ name: `t${threads}` });
      const job = await store.waitForImportJob(ds.DatastoreId, (await store.startImportJob({ datastoreId: ds.DatastoreId, inputDir: input })).JobId, { pollMs: 20 });
      assert.equal(job.JobStatus, 'COMPLETED_WITH_ERRORS');
      const r = job.JobProgressReport!;
      assert.equal(r.TotalNumberOfResourcesImported + r.TotalNumberOfResourcesWithCustomerError, r.TotalNumberOfResourcesScanned);
      assert.equal(r.TotalNumberOfResourcesWithCustomerError, MIXED_LINES.filter((l) => !l.ok).length);
      results.push({ ds: ds.DatastoreId, job: job.JobId, folder: importJobFolder(path.join(ws, 'jobs'), ds.DatastoreId, job.JobId) });
    }
    const [a, b] = results as [(typeof results)[0], (typeof results)[0]];
    const rows = (ds: string) =>
      engine.query<{ resource_type: string; id: string; version_id: number; hash: string; body: string }>(
        `SELECT resource_type, id, version_id, hash, body FROM healthlake_${ds}.resource ORDER BY resource_type, id`,
      );
    const [ra, rb] = [await rows(a.ds), await rows(b.ds)];
    assert.ok(ra.length > 500, `rows: ${ra.length}`);
    assert.deepEqual(rb, ra);
    const events = (ds: string) => engine.query<{ n: number }>(`SELECT count(*) AS n FROM healthlake_${ds}.event`);
    assert.deepEqual(await events(b.ds), await events(a.ds));
    for (const dir of ['SUCCESS', 'FAILURE']) {
      for (const f of fs.readdirSync(path.join(a.folder, dir))) {
        assert.equal(fs.readFileSync(path.join(b.folder, dir, f), 'utf8'), fs.readFileSync(path.join(a.folder, dir, f), 'utf8'), `${dir}/${f}`);
      }
    }
    const table = (ds: string) => engine.query(`SELECT id, code.coding[1].code AS code, valuequantity.value AS v, meta.versionid AS ver FROM healthlake_${ds}.observation ORDER BY id`);
    assert.deepEqual(await table(b.ds), await table(a.ds));
    // Every type table, whole (lastUpdated aside): the same rows and column types whatever the commit grouping.
    for (const t of ['patient', 'encounter', 'condition', 'observation', 'medicationrequest']) {
      const whole = (ds: string) => engine.query(`SELECT * REPLACE (struct_update(meta, lastupdated := NULL) AS meta) FROM healthlake_${ds}."${t}" ORDER BY id`);
      const typeOf = (ds: string) => engine.query(`SELECT column_name, column_type FROM (DESCRIBE healthlake_${ds}."${t}")`);
      assert.deepEqual(await whole(b.ds), await whole(a.ds), t);
      assert.deepEqual(await typeOf(b.ds), await typeOf(a.ds), t);
    }
    assert.ok(!fs.existsSync(path.join(b.folder, '.scratch')), 'staging files are removed');
    await engine.close();
  });

  it('applies a resource repeated in one file in file order: created, updated, unchanged; versionId 2', async () => {
    const ws = tmpDir('mmh-fhir-dup-');
    const input = path.join(ws, 'input');
    fs.mkdirSync(input);
    const p = (gender: string) => JSON.stringify({ resourceType: 'Patient', id: 'dup', gender });
    fs.writeFileSync(path.join(input, 'Patient.ndjson'), `${[p('male'), p('female'), p('female'), JSON.stringify({ resourceType: 'Patient', id: 'other' })].join('\n')}\n`);
    const engine = await DuckDbEngine.create({ path: path.join(ws, 'mmh.duckdb') });
    const store = new LocalFhirStore({ engine, dir: ws });
    const ds = await store.createDatastore({ name: 'dup' });
    const job = await store.waitForImportJob(ds.DatastoreId, (await store.startImportJob({ datastoreId: ds.DatastoreId, inputDir: input })).JobId, { pollMs: 20 });
    assert.equal(job.JobStatus, 'COMPLETED');
    const success = fs
      .readFileSync(path.join(importJobFolder(path.join(ws, 'jobs'), ds.DatastoreId, job.JobId), 'SUCCESS', 'Patient.ndjson'), 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as ImportSuccessLine);
    assert.deepEqual(
      success.map((s) => [s.line, s.id, s.outcome]),
      [
        [1, 'dup', 'created'],
        [2, 'dup', 'updated'],
        [3, 'dup', 'unchanged'],
        [4, 'other', 'created'],
      ],
    );
    const dup = await store.read(ds.DatastoreId, 'Patient', 'dup');
    assert.equal(dup.gender, 'female');
    assert.equal((dup.meta as { versionId: string }).versionId, '2');
    const [n] = await engine.query<{ n: number }>('SELECT count(*) AS n FROM patient');
    assert.equal(n!.n, 2);
    // An updated Observation replaces its events; an unchanged one keeps them.
    const obs = (value: number) =>
      JSON.stringify({
        resourceType: 'Observation',
        id: 'o1',
        status: 'final',
        code: { coding: [{ system: 'http://loinc.org', code: '8480-6' }] },
        subject: { reference: 'Patient/dup' },
        effectiveDateTime: '2020-01-01',
        valueQuantity: { value },
      });
    for (const [value, outcome] of [
      [120, /created 1/],
      [130, /updated 1/],
      [130, /unchanged 1/],
    ] as const) {
      fs.writeFileSync(path.join(input, 'Patient.ndjson'), `${obs(value)}\n`);
      const j = await store.waitForImportJob(ds.DatastoreId, (await store.startImportJob({ datastoreId: ds.DatastoreId, inputDir: input })).JobId, { pollMs: 20 });
      assert.match(j.Message ?? '', outcome);
      const ev = await engine.query<{ value: number }>(`SELECT value FROM ${store.schemaOf(ds.DatastoreId)}.event WHERE resource_id = 'o1'`);
      assert.deepEqual(ev, [{ value }]);
    }
    await engine.close();
  });
  it('runs DuckDB on one thread while workers import, then gives the database its own threads and memory_limit back', async function () {
    this.timeout(120_000);
    const ws = tmpDir('mmh-fhir-threads-');
    const input = path.join(ws, 'input');
    writeBundleNdjson(input);
    // The database stays open between statements, so the import's settings would still be there afterwards.
    const engine = await DuckDbEngine.create({ path: path.join(ws, 'mmh.duckdb'), idleCloseMs: 600_000, memoryLimit: '2GB' });
    await engine.exec('SET threads = 3');
    const threads = async (): Promise<number> => (await engine.query<{ n: number }>(`SELECT current_setting('threads')::INTEGER AS n`))[0]!.n;
    const memoryLimit = async (): Promise<string> => (await engine.query<{ m: string }>(`SELECT current_setting('memory_limit') AS m`))[0]!.m;
    const limitBefore = await memoryLimit();
    const checkpointBefore = (await engine.query<{ t: string }>(`SELECT current_setting('checkpoint_threshold') AS t`))[0]!.t;
    const store = new LocalFhirStore({ engine, dir: ws, importThreads: 1, importBatchSize: 200 });
    const ds = await store.createDatastore({ name: 'threads' });
    const job = await store.startImportJob({ datastoreId: ds.DatastoreId, inputDir: input });
    const done = await store.waitForImportJob(ds.DatastoreId, job.JobId, { pollMs: 5 });
    assert.equal(done.JobStatus, 'COMPLETED');
    assert.equal(await threads(), 3);
    // The import ran under its own memory limit and checkpoint threshold; the steps after it must not.
    assert.equal(await memoryLimit(), limitBefore);
    assert.equal((await engine.query<{ t: string }>(`SELECT current_setting('checkpoint_threshold') AS t`))[0]!.t, checkpointBefore);
    await engine.close();
    fs.rmSync(ws, { recursive: true, force: true });
  });
});
