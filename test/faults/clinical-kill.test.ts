import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { ImportManifest, StoredJob } from '../../src/clinical/local/job-files';
import { importJobFolder } from '../../src/clinical/local/job-files';
import { LocalFhirStore } from '../../src/clinical/local/local-fhir-store';
import { DuckDbEngine } from '../../src/sql/duckdb-engine';
import { MIXED_LINES, tmpDir, writeBundleNdjson, writeMixed } from '../clinical/fixtures/helpers';
import { goAndKill, KILL_SEED, KillWindow, spawnChild } from './helpers';

const CHILD = path.join(__dirname, 'fixtures', 'clinical-import-child.ts');
const KILLS = 20;
const JOB_ID = /^([0-9a-f]{32})\n/m;

describe('clinical import killed with SIGKILL at random points, then re-run', () => {
  it(`loses nothing, imports nothing twice, leaves no staging, and lists each dead job as FAILED (${KILLS} kill points)`, async function () {
    this.timeout(900_000);
    const ws = tmpDir('mmh-kill-fhir-');
    const input = path.join(ws, 'input');
    const counts = writeBundleNdjson(input);
    writeMixed(input);
    const good = Object.values(counts).reduce((a, b) => a + b, 0) - 2 + MIXED_LINES.filter((l) => l.ok).length; // 2 shared duplicates collapse
    const engine = await DuckDbEngine.create({ path: path.join(ws, 'mmh.duckdb') });
    const store = new LocalFhirStore({ engine, dir: ws });
    const ds = await store.createDatastore({ name: 'kill' });
    const schema = store.schemaOf(ds.DatastoreId);
    const jobs = path.join(ws, 'jobs');
    // A reference run in a scratch datastore sets the window the kills fall in (from its job id to its end).
    const ref = await store.createDatastore({ name: 'kill-reference' });
    let child = spawnChild(CHILD, [ws, ref.DatastoreId, input]);
    await child.ready;
    await child.go(JOB_ID);
    const t0 = Date.now();
    const calibrated = await child.done;
    assert.match(calibrated.stdout, /\nCOMPLETED_WITH_ERRORS\n/, calibrated.stderr);
    const window = Math.max(200, Date.now() - t0);
    const kills = new KillWindow(KILL_SEED, window);
    let killed = 0;
    child = spawnChild(CHILD, [ws, ds.DatastoreId, input]);
    try {
      for (let k = 0; k < KILLS; k++) {
        const { id: jobId } = await goAndKill(child, JOB_ID, kills.next());
        // The next child loads while this round checks the store.
        child = spawnChild(CHILD, [ws, ds.DatastoreId, input]);
        // The kill lands either while the job runs (FAILED, interrupted) or after it ended (the process was closing).
        const d = await store.describeImportJob(ds.DatastoreId, jobId);
        const folder = importJobFolder(jobs, ds.DatastoreId, jobId);
        if (d.JobStatus === 'FAILED') {
          killed++;
          assert.match(d.Message ?? '', /interrupted/, `kill ${k}`);
          assert.equal((JSON.parse(fs.readFileSync(path.join(folder, 'job.json'), 'utf8')) as StoredJob).JobStatus, 'FAILED', 'job.json records the end');
        } else {
          assert.equal(d.JobStatus, 'COMPLETED_WITH_ERRORS', `kill ${k}`);
          kills.landedAfterEnd();
        }
        assert.ok(!fs.existsSync(path.join(folder, '.scratch')), 'no staging left');
        const [row] = await engine.query<{ n: number; keys: number }>(`SELECT count(*) AS n, count(DISTINCT resource_type || '/' || id) AS keys FROM ${schema}.resource`);
        assert.equal(row!.n, row!.keys, `kill ${k}: a resource stored twice`);
      }
    } finally {
      child.kill();
    }
    await child.done;
    assert.ok(killed >= KILLS / 2, `only ${killed} of ${KILLS} kills landed during the import`);
    console.log(`      ${killed} of ${KILLS} SIGKILLs landed mid-import (window ${window} ms, ${Math.round(kills.ms)} ms at the end)`);
    const final = await store.waitForImportJob(ds.DatastoreId, (await store.startImportJob({ datastoreId: ds.DatastoreId, inputDir: input })).JobId, { pollMs: 10 });
    assert.equal(final.JobStatus, 'COMPLETED_WITH_ERRORS');
    const manifest = JSON.parse(fs.readFileSync(path.join(importJobFolder(jobs, ds.DatastoreId, final.JobId), 'manifest.json'), 'utf8')) as ImportManifest;
    assert.equal(manifest.numberOfResourcesImportedSuccessfully + manifest.numberOfResourcesWithCustomerError, manifest.numberOfResourcesScanned);
    assert.equal(manifest.numberOfResourcesWithCustomerError, MIXED_LINES.filter((l) => !l.ok).length);
    const [row] = await engine.query<{ n: number | bigint; keys: number | bigint; maxv: number | bigint }>(
      `SELECT count(*) AS n, count(DISTINCT resource_type || '/' || id) AS keys, max(version_id) AS maxv FROM ${schema}.resource`,
    );
    assert.deepEqual({ n: Number(row!.n), keys: Number(row!.keys), maxv: Number(row!.maxv) }, { n: good, keys: good, maxv: 1 }, 'every resource once, never re-versioned by a re-run');
    for (const name of fs.readdirSync(jobs)) {
      assert.ok(!fs.existsSync(path.join(jobs, name, '.scratch')), `${name} left staging`);
    }
    await engine.close();
  });
});
