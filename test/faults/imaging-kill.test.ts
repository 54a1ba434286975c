/**
 * The imaging import killed with SIGKILL at random points, then run again: the datastore opens, the dead job is
 * listed FAILED with its reason, nothing it staged survives, the store holds all of the job or none of it, and the
 * re-run imports every instance exactly once with counts that reconcile and frames that match their checksums.
 */
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { decodeHtj2k, pixelCrc32 } from '../../src/formats/htj2k';
import { LocalImagingStore } from '../../src/imaging/local/datastore';
import { silentProgress } from '../../src/progress';
import { tmpDir } from '../helpers/tmp';
import { writeSyntheticMr } from '../imaging/helpers/synthetic-mr';
import { goAndKill, KILL_SEED, killDelays, spawnChild, stagingLeft } from './helpers';

const CHILD = path.join(__dirname, '..', 'imaging', 'helpers', 'import-child.ts');
const KILLS = 20;
const SERIES = 3;
const PER_SERIES = 3;
const GOOD = SERIES * PER_SERIES;
const JOB_ID = /^([0-9a-f]{32})\n/m;

function writeInputs(dir: string): string[] {
  const sops: string[] = [];
  for (let s = 0; s < SERIES; s++) {
    for (let i = 0; i < PER_SERIES; i++) {
      const sop = `2.25.77.${String(s)}.${String(i)}`;
      sops.push(sop);
      fs.writeFileSync(
        path.join(dir, `s${String(s)}-${String(i)}.dcm`),
        writeSyntheticMr({ studyInstanceUID: '2.25.77', seriesInstanceUID: `2.25.77.${String(s)}`, sopInstanceUID: sop, frames: 6, offset: s * 10 + i }),
      );
    }
  }
  fs.writeFileSync(path.join(dir, 'broken.dcm'), 'not a DICOM file');
  return sops.sort();
}

/** Files left by staging or interrupted writes, anywhere under the datastore. */
function staging(file: string): boolean {
  return file.endsWith('.tmp') || file.includes(`${path.sep}.staging${path.sep}`);
}

/** Every SOP instance in the latest metadata of every image set, and frame files no metadata refers to. */
async function contents(store: LocalImagingStore, datastoreId: string, dsDir: string): Promise<{ sops: string[]; orphans: string[]; badFrames: string[] }> {
  const sops: string[] = [];
  const referenced = new Set<string>();
  const badFrames: string[] = [];
  for (const set of await store.searchImageSets(datastoreId)) {
    const meta = await store.getImageSetMetadata(datastoreId, set.imageSetId);
    for (const series of Object.values(meta.Study.Series)) {
      for (const [sop, inst] of Object.entries(series.Instances)) {
        sops.push(sop);
        for (const f of inst.ImageFrames) {
          referenced.add(`${set.imageSetId}/${f.ID}.jph`);
          const frame = await store.getImageFrame(datastoreId, set.imageSetId, f.ID);
          if (pixelCrc32((await decodeHtj2k(frame.imageFrameBlob)).pixels) !== f.PixelDataChecksumFromBaseToFullResolution.at(-1)?.Checksum) {
            badFrames.push(`${sop} ${f.ID}`);
          }
        }
      }
    }
  }
  const orphans: string[] = [];
  const base = path.join(dsDir, 'imagesets');
  for (const id of fs.existsSync(base) ? fs.readdirSync(base) : []) {
    const frames = path.join(base, id, 'frames');
    for (const name of fs.existsSync(frames) ? fs.readdirSync(frames) : []) {
      if (!referenced.has(`${id}/${name}`)) {
        orphans.push(`${id}/${name}`);
      }
    }
  }
  return { sops: sops.sort(), orphans, badFrames };
}

/** Empties the datastore's image sets (not its job records), so the next child imports everything again. */
function resetStore(dsDir: string): void {
  for (const name of ['index.json', 'imagesets', '.staging']) {
    fs.rmSync(path.join(dsDir, name), { recursive: true, force: true });
  }
}

describe('imaging import killed with SIGKILL at random points, then re-run', () => {
  it(`loses nothing, imports nothing twice, leaves no staging, and lists each dead job as FAILED (${String(KILLS)} kill points)`, async function () {
    this.timeout(900_000);
    const dir = tmpDir('kill-imaging');
    const root = path.join(dir, 'imaging');
    const input = path.join(dir, 'input');
    const output = path.join(dir, 'out');
    fs.mkdirSync(input);
    const expected = writeInputs(input);
    const datastoreId = await new LocalImagingStore({ root, progress: silentProgress }).ensureDatastore('kill');
    const dsDir = path.join(root, 'datastores', datastoreId);
    const args = [root, datastoreId, input, output];

    // One undisturbed child run sets the window the kills fall in (from its job id to its end).
    let child = spawnChild(CHILD, args);
    await child.ready;
    await child.go(JOB_ID);
    const t0 = Date.now();
    const calibrated = await child.done;
    assert.match(calibrated.stdout, /done COMPLETED/, calibrated.stderr);
    const window = Math.max(200, Date.now() - t0);
    resetStore(dsDir);

    const next = killDelays(KILL_SEED, window * 1.1);
    const outcomes = { killedMidJob: 0, finishedFirst: 0, committedBeforeKill: 0 };
    child = spawnChild(CHILD, args);
    try {
      for (let k = 0; k < KILLS; k++) {
        const { id: jobId } = await goAndKill(child, JOB_ID, next());
        child = spawnChild(CHILD, args);

        // The store opens; the dead job is FAILED with its reason (or COMPLETED if it finished before the kill).
        const store = new LocalImagingStore({ root, progress: silentProgress });
        const job = await store.getDICOMImportJob(datastoreId, jobId);
        assert.ok(job.jobStatus === 'FAILED' || job.jobStatus === 'COMPLETED', `round ${String(k)}: ${job.jobStatus}`);
        if (job.jobStatus === 'FAILED') {
          assert.match(job.message ?? '', /ended before the job finished/);
          outcomes.killedMidJob++;
        } else {
          // Finished before the kill landed (the child may not have printed `done` yet): the job's own result stands.
          outcomes.finishedFirst++;
        }
        assert.deepEqual(stagingLeft(dsDir, staging), [], `round ${String(k)}: staging left`);
        // All of the dead job or none of it; nothing half-written.
        const after = await contents(store, datastoreId, dsDir);
        assert.ok(after.sops.length === 0 || after.sops.length === GOOD, `round ${String(k)}: ${String(after.sops.length)} instances after the kill`);
        if (after.sops.length === GOOD && job.jobStatus === 'FAILED') {
          outcomes.committedBeforeKill++;
        }
        assert.deepEqual(after.orphans, [], `round ${String(k)}: orphan frames`);
        assert.deepEqual(after.badFrames, [], `round ${String(k)}: frames that do not match their checksum`);

        // The re-run completes: counts reconcile, every instance once, nothing orphaned.
        const rerun = await store.startDICOMImportJob({ datastoreId, inputDir: input, outputDir: output });
        const report = await store.waitForDICOMImportJob(datastoreId, rerun.jobId);
        assert.equal(report.job.jobStatus, 'COMPLETED');
        const s = report.manifest?.jobSummary;
        assert.ok(s);
        assert.equal(s.numberOfScannedFiles, GOOD + 1);
        assert.equal(s.numberOfScannedFiles, s.numberOfImportedFiles + s.numberOfFilesWithCustomerError + s.numberOfFilesWithServerError);
        assert.equal(s.numberOfImportedFiles, GOOD);
        assert.deepEqual(
          report.failures.map((f) => f.inputFile),
          ['broken.dcm'],
        );
        const final = await contents(new LocalImagingStore({ root, progress: silentProgress }), datastoreId, dsDir);
        assert.deepEqual(final.sops, expected, `round ${String(k)}: instances after the re-run`);
        assert.deepEqual(final.orphans, []);
        assert.deepEqual(final.badFrames, []);
        assert.deepEqual(stagingLeft(dsDir, staging), []);
        resetStore(dsDir);
      }
    } finally {
      // An assertion that fails mid-round must not leave the next child waiting (it would keep mocha alive).
      child.kill();
    }
    await child.done;
    // Every job record ended; none is left SUBMITTED or IN_PROGRESS.
    const store = new LocalImagingStore({ root, progress: silentProgress });
    for (const name of fs.readdirSync(path.join(dsDir, 'jobs')).filter((n) => n.endsWith('.json'))) {
      const job = await store.getDICOMImportJob(datastoreId, name.replace(/\.json$/, ''));
      assert.ok(job.jobStatus === 'COMPLETED' || job.jobStatus === 'FAILED', `${name}: ${job.jobStatus}`);
    }
    console.log(
      `      kills: ${String(outcomes.killedMidJob)} mid-job (${String(outcomes.committedBeforeKill)} after the commit point), ${String(outcomes.finishedFirst)} after the job ended; window ${String(window)} ms`,
    );
    assert.ok(outcomes.killedMidJob >= KILLS / 2, JSON.stringify(outcomes));
    fs.rmSync(dir, { recursive: true, force: true });
  });
});

describe('imaging import failing at its commit point', () => {
  it('an import that dies after moving its frames and writing its metadata, before the index, leaves the store as it was', async function () {
    this.timeout(120_000);
    const dir = tmpDir('commit-imaging');
    const root = path.join(dir, 'imaging');
    const input = path.join(dir, 'input');
    fs.mkdirSync(input);
    const expected = writeInputs(input);
    const store = new LocalImagingStore({ root, progress: silentProgress });
    const datastoreId = await store.ensureDatastore('commit');
    const dsDir = path.join(root, 'datastores', datastoreId);
    // The index replacement is the commit point: make it fail once, as a crash right before it would.
    // eslint-disable-next-line @typescript-eslint/no-require-imports -- the module object itself (the `import *` namespace is read-only)
    const nodeFs = require('node:fs') as typeof fs;
    const rename = nodeFs.renameSync;
    let tripped = false;
    nodeFs.renameSync = (from, to) => {
      if (!tripped && String(to).endsWith(`${path.sep}index.json`)) {
        tripped = true;
        throw new Error('simulated crash at the commit point');
      }
      rename(from, to);
    };
    try {
      const job = await store.startDICOMImportJob({ datastoreId, inputDir: input, outputDir: path.join(dir, 'out') });
      const report = await store.waitForDICOMImportJob(datastoreId, job.jobId);
      assert.equal(report.job.jobStatus, 'FAILED');
      assert.match(report.job.message ?? '', /simulated crash/);
    } finally {
      nodeFs.renameSync = rename;
    }
    assert.ok(tripped);
    const after = await contents(new LocalImagingStore({ root, progress: silentProgress }), datastoreId, dsDir);
    assert.deepEqual(after, { sops: [], orphans: [], badFrames: [] });
    assert.deepEqual(stagingLeft(dsDir, staging), []);
    assert.deepEqual(fs.existsSync(path.join(dsDir, 'imagesets')) ? fs.readdirSync(path.join(dsDir, 'imagesets')) : [], []);
    const rerun = await store.startDICOMImportJob({ datastoreId, inputDir: input, outputDir: path.join(dir, 'out') });
    assert.equal((await store.waitForDICOMImportJob(datastoreId, rerun.jobId)).job.jobStatus, 'COMPLETED');
    const final = await contents(new LocalImagingStore({ root, progress: silentProgress }), datastoreId, dsDir);
    assert.deepEqual(final.sops, expected);
    assert.deepEqual(final.orphans, []);
    fs.rmSync(dir, { recursive: true, force: true });
  });
});
