import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { ImportFailureLine, ImportManifest, ImportSuccessLine } from '../../../src/clinical/local/job-files';
import { importJobFolder, writeJsonAtomic } from '../../../src/clinical/local/job-files';
import { LocalFhirStore } from '../../../src/clinical/local/local-fhir-store';
import type { ImportJobProperties } from '../../../src/clinical/fhir-store';
import { DuckDbEngine } from '../../../src/sql/duckdb-engine';
import { CHET, MAX, MIXED_LINES, REBA, tmpDir, writeBundleNdjson, writeMixed } from '../fixtures/helpers';

describe('LocalFhirStore (contract, real Synthea bundles)', () => {
  let ws: string;
  let input: string;
  let engine: DuckDbEngine;
  let store: LocalFhirStore;
  let dsId: string;
  let job: ImportJobProperties;
  let inputLines = 0;

  before(async () => {
    ws = tmpDir('mmh-fhir-');
    input = path.join(ws, 'input');
    writeBundleNdjson(input);
    writeMixed(input);
    for (const f of fs.readdirSync(input)) {
      inputLines += fs
        .readFileSync(path.join(input, f), 'utf8')
        .split('\n')
        .filter((l) => l.trim() !== '').length;
    }
    engine = await DuckDbEngine.create({ path: path.join(ws, 'mmh.duckdb') });
    store = await LocalFhirStore.create({ engine, dir: ws });
    const ds = await store.createDatastore({ name: 'contract', fhirVersion: 'R4' });
    assert.equal(ds.DatastoreStatus, 'ACTIVE');
    dsId = ds.DatastoreId;
    const started = await store.startImportJob({ datastoreId: dsId, inputDir: input });
    assert.equal(started.JobStatus, 'SUBMITTED');
    job = await store.waitForImportJob(dsId, started.JobId, { pollMs: 20 });
  });

  after(async () => {
    await store.drain();
    await engine.close();
  });

  it('ends COMPLETED_WITH_ERRORS and the counts reconcile: scanned = imported + rejected', () => {
    assert.equal(job.JobStatus, 'COMPLETED_WITH_ERRORS');
    const r = job.JobProgressReport!;
    assert.equal(r.TotalNumberOfResourcesScanned, inputLines);
    assert.equal(r.TotalNumberOfResourcesImported + r.TotalNumberOfResourcesWithCustomerError, r.TotalNumberOfResourcesScanned);
    assert.equal(r.TotalNumberOfResourcesWithCustomerError, MIXED_LINES.filter((l) => !l.ok).length);
    assert.equal(r.TotalNumberOfFilesReadWithCustomerError, 1);
    assert.ok(job.EndTime instanceof Date);
  });

  it('writes the HealthLake output folder: manifest.json, SUCCESS and FAILURE per input file', () => {
    const folder = importJobFolder(path.join(ws, 'jobs'), dsId, job.JobId);
    assert.equal(path.basename(folder), `${dsId}-FHIR_IMPORT-${job.JobId}`);
    const manifest = JSON.parse(fs.readFileSync(path.join(folder, 'manifest.json'), 'utf8')) as ImportManifest;
    assert.equal(manifest.numberOfResourcesScanned, inputLines);
    assert.equal(manifest.numberOfResourcesImportedSuccessfully + manifest.numberOfResourcesWithCustomerError, manifest.numberOfResourcesScanned);
    assert.equal(manifest.numberOfResourcesWithServerError, 0);
    assert.equal(manifest.numberOfScannedFiles, fs.readdirSync(input).length);
    assert.ok(manifest.sizeOfScannedFilesInMB > 0.5);
    const failures = fs
      .readFileSync(path.join(folder, 'FAILURE', 'Mixed.ndjson'), 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as ImportFailureLine);
    // File line numbers count the blank line (line 5) that is skipped.
    assert.deepEqual(
      failures.map((f) => f.line),
      [2, 3, 4, 6, 7, 8, 9, 10, 11],
    );
    const bad = MIXED_LINES.filter((l) => !l.ok);
    failures.forEach((f, i) => {
      assert.equal(f.file, 'Mixed.ndjson');
      assert.ok(f.reason.includes(bad[i]!.reason!), `line ${f.line}: "${f.reason}" should mention "${bad[i]!.reason!}"`);
    });
    assert.equal(failures[2]!.id, 'b1');
    assert.equal(failures[5]!.id, 'no-status');
    const successes = fs
      .readFileSync(path.join(folder, 'SUCCESS', 'Mixed.ndjson'), 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as ImportSuccessLine);
    assert.deepEqual(
      successes.map((s) => [s.line, s.id]),
      [
        [1, 'fixture-stroke-encounter'],
        [12, 'fixture-late-bp'],
      ],
    );
    assert.equal(fs.readFileSync(path.join(folder, 'FAILURE', 'Patient.ndjson'), 'utf8'), '');
  });

  it("runs the guidance's Athena SQL unchanged on lower-case per-type tables", async () => {
    const patients = await engine.query<{ id: string; gender: string; birthdate: string }>('SELECT id, gender, birthdate FROM patient ORDER BY birthdate');
    assert.deepEqual(patients, [
      { id: CHET, gender: 'male', birthdate: '1939-01-27' },
      { id: MAX, gender: 'male', birthdate: '1942-09-13' },
      { id: REBA, gender: 'female', birthdate: '1950-01-12' },
    ]);
    const conds = await engine.query<{ code: string }>(
      "SELECT code.coding[1].code AS code FROM condition WHERE subject.reference = ? AND code.coding[1].system = 'http://snomed.info/sct' ORDER BY onsetdatetime",
      [`Patient/${REBA}`],
    );
    assert.deepEqual(
      conds.slice(0, 2).map((c) => c.code),
      ['38341003', '230690007'],
    );
    const [ext] = await engine.query<{ url: string }>("SELECT json_extract_scalar(extension[1], '$.url') AS url FROM patient WHERE id = ?", [MAX]);
    assert.match(ext!.url, /^http/);
    const [bp] = await engine.query<{ n: number }>("SELECT count(*) AS n FROM observation CROSS JOIN UNNEST(component) AS t(c) WHERE c.code.coding[1].code = '8480-6' AND cardinality(component) = 2");
    assert.ok(bp!.n > 5);
    const [meta] = await engine.query<{ v: string }>('SELECT meta.versionid AS v FROM patient WHERE id = ?', [CHET]);
    assert.equal(meta!.v, '1');
    const tables = await store.tables(dsId);
    assert.ok(tables.some((t) => t.table_name === 'medicationrequest' && t.rows === 12));
  });

  it('reads a resource with meta.versionId and meta.lastUpdated', async () => {
    const p = await store.read(dsId, 'Patient', REBA);
    assert.equal(p.id, REBA);
    const meta = p.meta as { versionId: string; lastUpdated: string };
    assert.equal(meta.versionId, '1');
    assert.match(meta.lastUpdated, /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/);
    await assert.rejects(store.read(dsId, 'Patient', 'nobody'), (e: { code?: string }) => e.code === 'not-found');
  });

  it('searches by code (system|code), subject, _id, date prefixes, and pages with next links', async () => {
    const ad = await store.search(dsId, 'Condition', { code: 'http://snomed.info/sct|26929004' });
    assert.equal(ad.resourceType, 'Bundle');
    assert.equal(ad.type, 'searchset');
    assert.equal(ad.total, 1);
    assert.equal((ad.entry[0]!.resource.subject as { reference: string }).reference, `Patient/${MAX}`);
    assert.equal((await store.search(dsId, 'Condition', { code: 'http://loinc.org|26929004' })).total, 0);
    assert.equal((await store.search(dsId, 'Condition', { code: '38341003,53741008' })).total, 2);
    const byId = await store.search(dsId, 'Patient', { _id: `${CHET},${REBA}` });
    assert.deepEqual(byId.entry.map((e) => e.resource.id).sort(), [CHET, REBA].sort());
    const all = await store.search(dsId, 'Observation', { subject: `Patient/${MAX}`, _count: 1000 });
    const in2013 = await store.search(dsId, 'Observation', { patient: MAX, date: ['ge2013-01-01', 'le2013-12-31'], _count: 1000 });
    const expected = all.entry.filter((e) => String(e.resource.effectiveDateTime).startsWith('2013')).length;
    assert.ok(expected > 0);
    assert.equal(in2013.total, expected);
    const year = await store.search(dsId, 'Observation', { patient: MAX, date: '2013', _count: 1000 });
    assert.equal(year.total, expected);
    // Paging: walk next links and get every match exactly once.
    const seen: string[] = [];
    let page = await store.search(dsId, 'Observation', { patient: MAX, _count: 7 });
    for (;;) {
      seen.push(...page.entry.map((e) => String(e.resource.id)));
      const next = page.link.find((l) => l.relation === 'next');
      if (next === undefined) {
        break;
      }
      page = await store.searchNext(next.url);
    }
    assert.equal(seen.length, all.total);
    assert.equal(new Set(seen).size, all.total);
    await assert.rejects(store.search(dsId, 'Observation', { 'value-quantity': 'gt5' }), (e: { code?: string }) => e.code === 'unsupported');
  });

  it('is idempotent: re-importing keeps versions; a changed resource gets versionId 2', async () => {
    const again = await store.waitForImportJob(dsId, (await store.startImportJob({ datastoreId: dsId, inputDir: input })).JobId, { pollMs: 20 });
    assert.match(again.Message ?? '', /created 0, updated 0/);
    const [n] = await engine.query<{ n: number }>('SELECT count(*) AS n FROM patient');
    assert.equal(n!.n, 3);
    const before = await store.read(dsId, 'Patient', CHET);
    const changedDir = path.join(ws, 'changed');
    fs.mkdirSync(changedDir);
    const patient = { ...before, maritalStatus: { text: 'S' } } as Record<string, unknown>;
    fs.writeFileSync(path.join(changedDir, 'Patient.ndjson'), `${JSON.stringify(patient)}\n`);
    const upd = await store.waitForImportJob(dsId, (await store.startImportJob({ datastoreId: dsId, inputDir: changedDir })).JobId, { pollMs: 20 });
    assert.match(upd.Message ?? '', /updated 1/);
    const after = await store.read(dsId, 'Patient', CHET);
    assert.equal((after.meta as { versionId: string }).versionId, '2');
    const [row] = await engine.query<{ v: string; n: number }>('SELECT max(meta.versionid) AS v, count(*) AS n FROM patient WHERE id = ?', [CHET]);
    assert.deepEqual(row, { v: '2', n: 1 });
  });

  it('reports a job whose process died as FAILED (interrupted) and the store stays readable', async () => {
    const jobId = 'f'.repeat(32);
    writeJsonAtomic(path.join(importJobFolder(path.join(ws, 'jobs'), dsId, jobId), 'job.json'), {
      JobId: jobId,
      JobStatus: 'IN_PROGRESS',
      SubmitTime: new Date().toISOString(),
      DatastoreId: dsId,
      InputDataConfig: { S3Uri: input },
      JobOutputDataConfig: { S3Configuration: { S3Uri: path.join(ws, 'jobs') } },
      pid: 2 ** 22 + 12345,
    });
    const d = await store.describeImportJob(dsId, jobId);
    assert.equal(d.JobStatus, 'FAILED');
    assert.match(d.Message ?? '', /interrupted/);
    await assert.rejects(store.waitForImportJob(dsId, jobId, { pollMs: 5 }), (e: { code?: string }) => e.code === 'backend');
    assert.equal((await store.search(dsId, 'Patient', {})).total, 3);
  });

  it("waits for this process's own job past the default 30-minute wait (giving up would close the workspace under it)", async () => {
    const started = await store.startImportJob({ datastoreId: dsId, inputDir: input });
    const waiting = store.waitForImportJob(dsId, started.JobId, { pollMs: 5 });
    const realNow = Date.now;
    Date.now = () => realNow() + 3_600_000; // every poll now sees an hour gone
    try {
      const done = await waiting;
      assert.match(done.JobStatus, /^COMPLETED/);
    } finally {
      Date.now = realNow;
    }
  });

  it('rejects bad calls with actionable errors', async () => {
    await assert.rejects(store.describeDatastore('nope'), (e: { code?: string }) => e.code === 'invalid-input');
    await assert.rejects(store.describeDatastore('0'.repeat(32)), (e: { code?: string }) => e.code === 'not-found');
    await assert.rejects(store.startImportJob({ datastoreId: dsId }), (e: { code?: string }) => e.code === 'invalid-input');
    const missing = await store.startImportJob({ datastoreId: dsId, inputDir: path.join(ws, 'missing') });
    await assert.rejects(store.waitForImportJob(dsId, missing.JobId, { pollMs: 5 }), /does not exist/);
  });
});
