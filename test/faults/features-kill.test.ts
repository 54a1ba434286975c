/**
 * Feature ingestion (`ingestTable` into the local feature store) killed with SIGKILL at random points, then run
 * again: the store opens, the dead job is FAILED with its reason (never IN_PROGRESS), the killed ingestion left all of
 * its records or none (online and offline together), no staging survives, and the re-run reports every row once
 * (input = succeeded + failed) and leaves exactly the contents of an undisturbed ingestion.
 */
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { LocalFeatureStore } from '../../src/features/local/local-feature-store';
import { PENDING_FILES_TABLE } from '../../src/features/local/write-log';
import { silentProgress } from '../../src/progress';
import { openWorkspace } from '../../src/workspace';
import type { Workspace } from '../../src/workspace';
import { tmpDir } from '../helpers/tmp';
import { FEATURE_TYPES, featureRows } from './fixtures/feature-rows';
import { goAndKill, KILL_SEED, KillWindow, spawnChild, stagingLeft } from './helpers';

const CHILD = path.join(__dirname, 'fixtures', 'feature-ingest-child.ts');
const KILLS = 20;
const PATIENTS = 2000;
const STARTED = /^(started)\n/m;
const COLS = 'patient_id, event_time, bmi, smoker, note';

async function count(ws: Workspace, sql: string): Promise<number> {
  const [row] = await ws.sql.query<{ n: number | bigint }>(sql);
  return Number(row?.n ?? -1);
}

/** Rows in one query's result and not in the other's, either way (0 = the same multiset). */
async function differ(ws: Workspace, a: string, b: string): Promise<number> {
  return count(ws, `SELECT count(*) AS n FROM (((${a}) EXCEPT ALL (${b})) UNION ALL ((${b}) EXCEPT ALL (${a})))`);
}

describe('feature ingestion killed with SIGKILL at random points, then re-run', () => {
  it(`stores all of a killed ingestion or none, loses nothing, leaves no staging, and lists each dead job as FAILED (${String(KILLS)} kill points)`, async function () {
    this.timeout(600_000);
    const dir = tmpDir('kill-features');
    const wsDir = path.join(dir, 'ws');
    const rowsFile = path.join(dir, 'rows.json');
    const { rows, bad, badIds } = featureRows(PATIENTS);
    const good = rows.length - bad;
    fs.writeFileSync(rowsFile, JSON.stringify(rows));
    const ws = await openWorkspace({ dir: wsDir, create: true, progress: silentProgress });
    const fsDir = ws.path('feature-store');
    const storeNow = (): LocalFeatureStore => new LocalFeatureStore({ engine: ws.duckdb!, dir: fsDir, progress: silentProgress });
    const online = (group: string): string => `SELECT ${COLS} FROM "fs_online_${group}" WHERE NOT "__deleted"`;

    // One undisturbed child run is the reference, and sets the window the kills fall in: from `started` to the end of
    // its job (the job's own times), a little before the job began so creating the group is hit too.
    let child = spawnChild(CHILD, [wsDir, 'reference', rowsFile]);
    await child.ready;
    await child.go(STARTED);
    const t0 = Date.now();
    const calibrated = await child.done;
    assert.match(calibrated.stdout, new RegExp(`done ${String(good)} ${String(bad)}`), calibrated.stderr);
    const refJob = (await storeNow().listIngestJobs('reference'))[0];
    const jobStart = Math.max(0, Date.parse(refJob?.creationTime ?? '') - t0);
    const jobLength = Math.max(200, Date.parse(refJob?.endTime ?? '') - Date.parse(refJob?.creationTime ?? ''));
    const reference = storeNow();
    const refOffline = await reference.offlineTable('reference');
    const refLatest = `SELECT ${COLS} FROM ${await reference.latestOfflineRows('reference')} t`;
    assert.equal(await count(ws, `SELECT count(*) AS n FROM "fs_online_reference"`), PATIENTS);

    // Kill points from a little before the job began to its end; the window shrinks by a quarter after each kill that
    // lands after the commit (a machine quicker than during the calibration run), as in the other kill tests.
    const kills = new KillWindow(KILL_SEED, jobStart / 2 + jobLength * 1.1);
    const next = (): number => jobStart / 2 + kills.next();
    const outcomes = { noJob: 0, failed: 0, completed: 0 };
    child = spawnChild(CHILD, [wsDir, 'kill0', rowsFile]);
    try {
      for (let k = 0; k < KILLS; k++) {
        const group = `kill${String(k)}`;
        const { end } = await goAndKill(child, STARTED, next());
        // The next child loads while this round checks the store.
        child = spawnChild(CHILD, [wsDir, `kill${String(k + 1)}`, rowsFile]);

        // The store opens (recovery runs on first use); the dead job is FAILED with its reason, or COMPLETED.
        const store = storeNow();
        const jobs = await store.listIngestJobs(group);
        assert.ok(jobs.length <= 1, `kill ${String(k)}: ${String(jobs.length)} jobs`);
        const job = jobs[0];
        const groups = (await store.listFeatureGroups()).map((g) => g.name);
        if (job === undefined) {
          outcomes.noJob++; // killed before the ingestion began (loading, or creating the group)
        } else if (job.status === 'FAILED') {
          outcomes.failed++;
          assert.match(job.message ?? '', /^interrupted: the process ended before the ingestion committed/, `kill ${String(k)}`);
          assert.ok(end.killed);
        } else {
          outcomes.completed++;
          kills.landedAfterEnd();
          assert.equal(job.status, 'COMPLETED', `kill ${String(k)}: ${job.status}`);
          assert.deepEqual([job.records, job.succeeded, job.failed], [rows.length, good, bad]);
        }
        assert.deepEqual(
          stagingLeft(fsDir, (f) => f.includes(`${path.sep}.staging${path.sep}`) || f.endsWith('.tmp')),
          [],
          `kill ${String(k)}: staging left`,
        );
        assert.equal(await count(ws, `SELECT count(*) AS n FROM ${PENDING_FILES_TABLE}`), 0, `kill ${String(k)}: pending files`);
        // All of the killed ingestion or none of it, online and offline alike.
        const committed = job?.status === 'COMPLETED';
        if (groups.includes(group)) {
          const offline = await store.offlineTable(group);
          assert.equal(await count(ws, `SELECT count(*) AS n FROM "fs_online_${group}"`), committed ? PATIENTS : 0, `kill ${String(k)}: online rows`);
          assert.equal(await count(ws, `SELECT count(*) AS n FROM ${offline}`), committed ? good : 0, `kill ${String(k)}: offline rows`);
        } else {
          assert.equal(job, undefined, `kill ${String(k)}: a job for a group that does not exist`);
        }

        // The re-run: every row reported once, the contents of the undisturbed run, nothing stored twice.
        const report = await store.ingestTable({ groupName: group, rows, recordIdentifierFeatureName: 'patient_id', eventTimeFeatureName: 'event_time', featureTypes: FEATURE_TYPES });
        assert.equal(report.records, report.succeeded + report.failed.length, `kill ${String(k)}: input = succeeded + failed`);
        assert.equal(report.succeeded, good);
        assert.deepEqual(
          report.failed.map((f) => f.recordId),
          badIds,
        );
        const offline = await store.offlineTable(group);
        assert.equal(await differ(ws, online(group), online('reference')), 0, `kill ${String(k)}: online store after the re-run`);
        assert.equal(await differ(ws, `SELECT ${COLS} FROM ${await store.latestOfflineRows(group)} t`, refLatest), 0, `kill ${String(k)}: latest offline rows`);
        // The raw offline store is append-only (as SageMaker's): a committed killed run plus the re-run hold each row twice.
        assert.equal(
          await differ(ws, `SELECT ${COLS} FROM ${offline}`, committed ? `SELECT ${COLS} FROM ${refOffline} UNION ALL SELECT ${COLS} FROM ${refOffline}` : `SELECT ${COLS} FROM ${refOffline}`),
          0,
          `kill ${String(k)}: raw offline rows`,
        );
        const latestJob = (await store.listIngestJobs(group))[0];
        assert.equal(latestJob?.status, 'COMPLETED');
      }
    } finally {
      // An assertion that fails mid-round must not leave the next child waiting (it would keep mocha alive).
      child.kill();
    }
    await child.done;
    const all = await storeNow().listIngestJobs();
    assert.deepEqual(
      all.filter((j) => j.status === 'IN_PROGRESS'),
      [],
      'no job left IN_PROGRESS',
    );
    await ws.close();
    console.log(
      `      kills: ${String(outcomes.failed)} mid-ingestion, ${String(outcomes.completed)} after its commit, ${String(outcomes.noJob)} before it began; job ${String(jobLength)} ms, ${String(jobStart)} ms after start`,
    );
    assert.ok(outcomes.failed >= KILLS / 2, JSON.stringify(outcomes));
    fs.rmSync(dir, { recursive: true, force: true });
  });
});
