import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import * as path from 'node:path';
import { LocalFhirStore } from '../../../src/clinical/local/local-fhir-store';
import { DuckDbEngine } from '../../../src/sql/duckdb-engine';
import { tmpDir, writeBundleNdjson } from '../fixtures/helpers';

describe('LocalFhirStore: an import interrupted by a dying process', () => {
  it('leaves committed batches readable, reports FAILED (interrupted), and a re-run completes the import', async function () {
    this.timeout(180_000);
    const ws = tmpDir('mmh-fhir-crash-');
    const input = path.join(ws, 'input');
    const counts = writeBundleNdjson(input);
    const total = Object.values(counts).reduce((a, b) => a + b, 0);
    const engine = await DuckDbEngine.create({ path: path.join(ws, 'mmh.duckdb') });
    const store = new LocalFhirStore({ engine, dir: ws });
    const ds = await store.createDatastore({ name: 'crash' });
    const child = await new Promise<{ status: number | null; stdout: string; stderr: string }>((resolve) => {
      const p = spawn(process.execPath, ['--import', 'tsx', path.join(__dirname, '..', 'fixtures', 'crash-import.ts'), ws, ds.DatastoreId, input]);
      let stdout = '';
      let stderr = '';
      p.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
      p.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
      p.on('close', (status) => {
        resolve({ status, stdout, stderr });
      });
    });
    assert.equal(child.status, 3, `the child should die mid-import: ${child.stderr}`);
    const jobId = child.stdout.trim();
    const job = await store.describeImportJob(ds.DatastoreId, jobId);
    assert.equal(job.JobStatus, 'FAILED');
    assert.match(job.Message ?? '', /interrupted/);
    const [row] = await engine.query<{ n: number }>(`SELECT count(*) AS n FROM ${store.schemaOf(ds.DatastoreId)}.resource`);
    assert.ok(row!.n >= 80 && row!.n < total, `committed ${row!.n} of ${total}`);
    const rerun = await store.waitForImportJob(ds.DatastoreId, (await store.startImportJob({ datastoreId: ds.DatastoreId, inputDir: input, validationLevel: 'minimal' })).JobId, { pollMs: 20 });
    assert.equal(rerun.JobStatus, 'COMPLETED');
    assert.match(rerun.Message ?? '', new RegExp(`unchanged (${row!.n}|${row!.n + 2})\\b`));
    const [after] = await engine.query<{ n: number }>(`SELECT count(*) AS n FROM ${store.schemaOf(ds.DatastoreId)}.resource`);
    assert.equal(after!.n, total - 2, 'all resources (2 shared Organization/Practitioner duplicates collapse)');
    await engine.close();
  });
});
