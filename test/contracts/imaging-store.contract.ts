/**
 * The contract every {@link ImagingStore} honours (HealthImaging semantics, docs/aws-semantics.md §3): datastore
 * ids and lifecycle, `ensureDatastore` finding the same store again, not-found for unknown ids, asynchronous DICOM
 * import jobs (SUBMITTED → COMPLETED) with per-file failures whose counts reconcile, one image set per series,
 * search across pages, metadata naming the study and series, HTJ2K frames, volumes equal to the written voxels, and
 * re-import of the same files adding no image set. Run by imaging-store.test.ts against the local store (files
 * under a temporary folder) and the AWS store over the HealthImaging fake (input uploaded to a real S3 server).
 */
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { ImagingStore } from '../../src/imaging/types';
import type { SyntheticMrSpec } from '../imaging/helpers/synthetic-mr';
import { syntheticVoxels, writeSyntheticMr } from '../imaging/helpers/synthetic-mr';
import { removeScratch, scratch } from './scratch';

/** A store to test and how to let it go. */
export interface ImagingStoreUnderTest {
  /** The store. */
  readonly store: ImagingStore;
  /** Where a job's output goes (a folder locally, an `s3://` prefix on AWS). */
  readonly output: Readonly<{ outputDir: string } | { outputS3Uri: string }>;
  /** Releases what the store holds. */
  close(): Promise<void>;
}

const STUDY = '1.2.826.0.1.3680043.8.498.77';
const SERIES = Array.from({ length: 3 }, (_, i) => `${STUDY}.${String(i + 1)}`);
const UNKNOWN = '0'.repeat(32);

/** The synthetic MR of series `i` (16×16, 2 frames). */
function specOf(i: number): SyntheticMrSpec {
  const series = SERIES[i] ?? '';
  return { studyInstanceUID: STUDY, seriesInstanceUID: series, sopInstanceUID: `${series}.1`, rows: 16, columns: 16, frames: 2, offset: i * 5 };
}

/** Three series of one study (one instance each), and one file that is not DICOM. */
function inputFolder(): string {
  const dir = scratch('contract-imaging-in');
  fs.mkdirSync(path.join(dir, 'study'), { recursive: true });
  for (let i = 0; i < SERIES.length; i++) {
    fs.writeFileSync(path.join(dir, 'study', `s${String(i)}.dcm`), writeSyntheticMr(specOf(i)));
  }
  fs.writeFileSync(path.join(dir, 'study', 'broken.dcm'), Buffer.from('DICM? no: this is not a DICOM file at all'));
  return dir;
}

/**
 * Defines the imaging store contract suite.
 *
 * @param name - the backend's name in the suite title
 * @param makeStore - a fresh, empty store (called once per test)
 */
export function describeImagingStoreContract(name: string, makeStore: () => Promise<ImagingStoreUnderTest>): void {
  describe(`ImagingStore contract: ${name}`, function () {
    this.timeout(180_000);
    let under: ImagingStoreUnderTest | undefined;
    const get = (): ImagingStoreUnderTest => {
      if (under === undefined) {
        throw new Error('no store');
      }
      return under;
    };
    const store = (): ImagingStore => get().store;
    beforeEach(async () => {
      under = await makeStore();
    });
    afterEach(async () => {
      await under?.close();
      under = undefined;
      removeScratch();
    });

    async function importFolder(datastoreId: string, dir: string): ReturnType<ImagingStore['waitForDICOMImportJob']> {
      const started = await store().startDICOMImportJob({ datastoreId, inputDir: dir, ...get().output });
      assert.equal(started.jobStatus, 'SUBMITTED');
      assert.equal(started.datastoreId, datastoreId);
      return store().waitForDICOMImportJob(datastoreId, started.jobId);
    }

    it('creates a datastore with a 32-character id that becomes ACTIVE; ensureDatastore finds it again by name', async () => {
      const id = await store().ensureDatastore('contract-imaging');
      assert.match(id, /^[0-9a-z]{32}$/);
      const d = await store().getDatastore(id);
      assert.deepEqual([d.datastoreId, d.datastoreName, d.datastoreStatus], [id, 'contract-imaging', 'ACTIVE']);
      assert.ok(!Number.isNaN(Date.parse(d.createdAt)), d.createdAt);
      assert.equal(await store().ensureDatastore('contract-imaging'), id);
      const other = await store().createDatastore('contract-other');
      assert.notEqual(other.datastoreId, id);
      assert.ok(['CREATING', 'ACTIVE'].includes(other.datastoreStatus), other.datastoreStatus);
    });

    it('answers not-found for an unknown datastore, job and image set', async () => {
      await assert.rejects(store().getDatastore(UNKNOWN), { code: 'not-found' });
      const id = await store().ensureDatastore('contract-nf');
      await assert.rejects(store().getDICOMImportJob(id, UNKNOWN), { code: 'not-found' });
      await assert.rejects(store().getImageSetMetadata(id, UNKNOWN), { code: 'not-found' });
      await assert.rejects(store().getImageFrame(id, UNKNOWN, UNKNOWN), { code: 'not-found' });
    });

    it('imports: COMPLETED, one success per DICOM file, one failure per broken file, one image set per series', async () => {
      const id = await store().ensureDatastore('contract-import');
      const report = await importFolder(id, inputFolder());
      assert.equal(report.job.jobStatus, 'COMPLETED');
      assert.equal(report.job.datastoreId, id);
      assert.equal(report.successes.length, SERIES.length);
      assert.equal(report.failures.length, 1);
      assert.match(report.failures[0]?.inputFile ?? '', /broken\.dcm$/);
      const m = report.manifest?.jobSummary;
      assert.ok(m !== undefined);
      assert.equal(m.numberOfScannedFiles, SERIES.length + 1);
      assert.equal(m.numberOfImportedFiles + m.numberOfFilesWithCustomerError + m.numberOfFilesWithServerError, m.numberOfScannedFiles);
      const sets = await store().searchImageSets(id);
      assert.equal(sets.length, SERIES.length);
      assert.deepEqual(new Set(report.successes.map((s) => s.importResponse.imageSetId)), new Set(sets.map((s) => s.imageSetId)));
      assert.deepEqual((await store().getDICOMImportJob(id, report.job.jobId)).jobStatus, 'COMPLETED');
    });

    it('describes each image set: metadata names its study and series; every frame is HTJ2K and decodes to a volume', async () => {
      const id = await store().ensureDatastore('contract-read');
      await importFolder(id, inputFolder());
      const seen: string[] = [];
      for (const s of await store().searchImageSets(id)) {
        const meta = await store().getImageSetMetadata(id, s.imageSetId);
        assert.equal(meta.Study.DICOM.StudyInstanceUID, STUDY);
        const seriesUids = Object.keys(meta.Study.Series);
        assert.equal(seriesUids.length, 1);
        seen.push(seriesUids[0] ?? '');
        const series = meta.Study.Series[seriesUids[0] ?? ''];
        const instance = Object.values(series?.Instances ?? {})[0];
        const frameId = instance?.ImageFrames[0]?.ID ?? '';
        const frame = await store().getImageFrame(id, s.imageSetId, frameId);
        assert.equal(frame.contentType, 'image/jph');
        // HTJ2K codestreams start with SOC then SIZ (ISO/IEC 15444-1 A.4.1).
        assert.deepEqual([...frame.imageFrameBlob.subarray(0, 4)], [0xff, 0x4f, 0xff, 0x51]);
        const volume = await store().getVolume(id, s.imageSetId);
        assert.deepEqual([...volume.size], [16, 16, 2]);
        // Lossless: the volume holds exactly the voxels the file was written with.
        const written = syntheticVoxels(specOf(SERIES.indexOf(seriesUids[0] ?? '')));
        assert.deepEqual([...volume.voxels], [...written]);
      }
      assert.deepEqual(seen.sort(), [...SERIES].sort());
    });

    it('re-importing the same files adds no image set', async () => {
      const id = await store().ensureDatastore('contract-reimport');
      const dir = inputFolder();
      await importFolder(id, dir);
      const before = (await store().searchImageSets(id)).map((s) => s.imageSetId).sort();
      const again = await importFolder(id, dir);
      assert.equal(again.job.jobStatus, 'COMPLETED');
      assert.deepEqual((await store().searchImageSets(id)).map((s) => s.imageSetId).sort(), before);
    });
  });
}
