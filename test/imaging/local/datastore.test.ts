import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { isHealthDataError } from '../../../src/errors';
import { decodeHtj2k, pixelCrc32 } from '../../../src/formats/htj2k';
import { LocalImagingStore } from '../../../src/imaging/local/datastore';
import { silentProgress } from '../../../src/progress';
import { tmpDir } from '../../helpers/tmp';
import { syntheticVoxels, writeSyntheticMr } from '../helpers/synthetic-mr';
import { REFERENCE_DATA } from '../../helpers/reference-data';
import { imageElements, writeEncapsulated, writeRaw } from '../../formats/dicom/helpers/fixtures';

const REF = path.join(REFERENCE_DATA, 'dicom');
const STUDY = '1.2.826.0.1.3680043.8.498.1';
const SERIES_A = '1.2.826.0.1.3680043.8.498.1.1';
const SERIES_B = '1.2.826.0.1.3680043.8.498.1.2';

describe('imaging/local datastore (HealthImaging semantics)', function () {
  this.timeout(30000);
  let root: string;
  let input: string;
  let store: LocalImagingStore;
  let datastoreId: string;

  before(async () => {
    root = tmpDir('imaging');
    input = path.join(root, 'input');
    fs.mkdirSync(path.join(input, 'study1'), { recursive: true });
    fs.writeFileSync(path.join(input, 'study1', 'a.dcm'), writeSyntheticMr({ studyInstanceUID: STUDY, seriesInstanceUID: SERIES_A, sopInstanceUID: `${SERIES_A}.1` }));
    fs.writeFileSync(path.join(input, 'study1', 'b.dcm'), writeSyntheticMr({ studyInstanceUID: STUDY, seriesInstanceUID: SERIES_B, sopInstanceUID: `${SERIES_B}.1`, offset: 7 }));
    fs.writeFileSync(path.join(input, 'study1', 'dup.dcm'), writeSyntheticMr({ studyInstanceUID: STUDY, seriesInstanceUID: SERIES_B, sopInstanceUID: `${SERIES_B}.1`, offset: 7 }));
    fs.writeFileSync(path.join(input, 'study1', 'noclass.dcm'), writeSyntheticMr({ studyInstanceUID: STUDY, seriesInstanceUID: SERIES_A, sopInstanceUID: `${SERIES_A}.9`, omitSopClass: true }));
    fs.writeFileSync(path.join(input, 'study1', 'nopixels.dcm'), writeSyntheticMr({ studyInstanceUID: STUDY, seriesInstanceUID: SERIES_A, sopInstanceUID: `${SERIES_A}.8`, omitPixels: true }));
    fs.writeFileSync(path.join(input, 'notes.txt'), 'not a DICOM file');
    const whole = writeSyntheticMr({ studyInstanceUID: STUDY, seriesInstanceUID: SERIES_A, sopInstanceUID: `${SERIES_A}.7` });
    fs.writeFileSync(path.join(input, 'study1', 'truncated.dcm'), whole.subarray(0, Math.floor(whole.length / 2)));
    fs.copyFileSync(path.join(REF, 'MR_small_jpeg_ls_lossless.dcm'), path.join(input, 'jpegls.dcm'));
    fs.copyFileSync(path.join(REF, 'MR_small_RLE.dcm'), path.join(input, 'rle.dcm'));
    const part2 = { name: 'part2', rows: 2, columns: 2, frames: 1, bitsAllocated: 8, bitsStored: 8, signed: false, samples: 1 } as const;
    writeEncapsulated(path.join(input, 'part2.dcm'), part2, 'part2', '1.2.840.10008.1.2.4.92', [Uint8Array.of(0xff, 0x4f, 0xff, 0x51)]);
    store = new LocalImagingStore({ root: path.join(root, 'imaging'), progress: silentProgress });
    datastoreId = await store.ensureDatastore('test-store');
  });
  after(() => {
    fs.rmSync(root, { recursive: true, force: true });
  });

  it('creates an ACTIVE datastore with a 32-character id and finds it again by name', async () => {
    assert.match(datastoreId, /^[0-9a-z]{32}$/);
    assert.equal((await store.getDatastore(datastoreId)).datastoreStatus, 'ACTIVE');
    assert.equal(await store.ensureDatastore('test-store'), datastoreId);
  });

  it('imports with per-file failures, the HealthImaging output layout and counts that reconcile', async () => {
    const started = await store.startDICOMImportJob({ datastoreId, inputDir: input, outputDir: path.join(root, 'out') });
    assert.equal(started.jobStatus, 'SUBMITTED');
    const report = await store.waitForDICOMImportJob(datastoreId, started.jobId);
    assert.equal(report.job.jobStatus, 'COMPLETED');
    const jobDir = path.join(root, 'out', `${datastoreId}-DicomImport-${started.jobId}`);
    assert.equal(report.outputLocation, jobDir);
    for (const f of ['job-output-manifest.json', 'SUCCESS/success.ndjson', 'FAILURE/failure.ndjson']) {
      assert.ok(fs.existsSync(path.join(jobDir, f)), f);
    }
    const s = report.manifest?.jobSummary;
    assert.ok(s);
    assert.equal(s.numberOfScannedFiles, 10);
    assert.equal(s.numberOfImportedFiles, 3);
    assert.equal(s.numberOfFilesWithCustomerError, 7);
    assert.equal(s.numberOfFilesWithServerError, 0);
    assert.equal(s.numberOfScannedFiles, s.numberOfImportedFiles + s.numberOfFilesWithCustomerError + s.numberOfFilesWithServerError);
    assert.equal(s.numberOfGeneratedImageSets, 3);
    assert.equal(
      s.imageSetsSummary.reduce((n, x) => n + x.numberOfMatchedSOPInstances, 0),
      3,
    );
    assert.deepEqual(Object.keys(s).sort(), [
      'datastoreId',
      'failureOutputS3Uri',
      'imageSetsSummary',
      'inputS3Uri',
      'jobId',
      'numberOfFilesWithCustomerError',
      'numberOfFilesWithServerError',
      'numberOfGeneratedImageSets',
      'numberOfImportedFiles',
      'numberOfScannedFiles',
      'outputS3Uri',
      'successOutputS3Uri',
    ]);
    const byFile = new Map(report.failures.map((f) => [f.inputFile, f.exception]));
    assert.equal(byFile.get('study1/noclass.dcm')?.message, `DICOM attribute SOPClassUID does not exist in study1/noclass.dcm (SOPInstanceUID ${SERIES_A}.9)`);
    assert.equal(byFile.get('study1/nopixels.dcm')?.message, `DICOM attribute PixelData does not exist in study1/nopixels.dcm (SOPInstanceUID ${SERIES_A}.8)`);
    assert.match(byFile.get('study1/dup.dcm')?.message ?? '', /SOPInstanceUID .* already imported by this job from study1\/b\.dcm/);
    assert.match(byFile.get('notes.txt')?.message ?? '', /notes\.txt \(SOPInstanceUID unknown\).*not a DICOM Part 10 file/);
    assert.match(byFile.get('study1/truncated.dcm')?.message ?? '', /truncated\.dcm \(SOPInstanceUID 1\.2\.826\.0\.1\.3680043\.8\.498\.1\.1\.7\).*truncated/);
    assert.match(byFile.get('rle.dcm')?.message ?? '', /already imported by this job from jpegls\.dcm/);
    assert.match(byFile.get('part2.dcm')?.message ?? '', /part2\.dcm.*1\.2\.840\.10008\.1\.2\.4\.92.*JPEG 2000 Part 2/);
    assert.equal(byFile.get('part2.dcm')?.exceptionType, 'UnsupportedTransferSyntax');
    for (const f of report.failures) {
      assert.ok(f.exception.message.includes(f.inputFile), `${f.inputFile}: ${f.exception.message}`);
      assert.match(f.exception.message, /SOPInstanceUID/, f.inputFile);
    }
    const successLine = JSON.parse(fs.readFileSync(path.join(jobDir, 'SUCCESS', 'success.ndjson'), 'utf8').split('\n')[0] ?? '{}') as Record<string, unknown>;
    assert.deepEqual(Object.keys(successLine), ['inputFile', 'importResponse']);
    for (const ok of report.successes) {
      assert.match(ok.importResponse.imageSetId, /^[0-9a-f]{32}$/);
      assert.equal(ok.importResponse.isPrimary, true);
    }
  });

  it('prepares files in worker threads with the same job output, metadata and frames as in one thread', async () => {
    const run = async (workers: number): Promise<{ failures: string[]; metas: string[]; frames: string[] }> => {
      const s1 = new LocalImagingStore({ root: path.join(root, `imaging-w${String(workers)}`), progress: silentProgress, importWorkers: workers });
      const id = await s1.ensureDatastore('workers');
      const job = await s1.startDICOMImportJob({ datastoreId: id, inputDir: input, outputDir: path.join(root, `out-w${String(workers)}`) });
      const rep = await s1.waitForDICOMImportJob(id, job.jobId);
      const metas: string[] = [];
      const frames: string[] = [];
      for (const ok of rep.successes) {
        const meta = await s1.getImageSetMetadata(id, ok.importResponse.imageSetId);
        for (const inst of Object.values(Object.values(meta.Study.Series)[0]?.Instances ?? {})) {
          metas.push(JSON.stringify({ ...inst, ImageFrames: inst.ImageFrames.map((f) => ({ ...f, ID: '' })) }));
          for (const f of inst.ImageFrames) {
            frames.push(Buffer.from((await s1.getImageFrame(id, ok.importResponse.imageSetId, f.ID)).imageFrameBlob).toString('base64'));
          }
        }
      }
      return { failures: rep.failures.map((f) => `${f.inputFile} ${f.exception.exceptionType} ${f.exception.message}`), metas, frames };
    };
    const one = await run(1);
    const two = await run(2);
    assert.equal(one.failures.length, 7);
    assert.equal(one.metas.length, 3);
    assert.deepEqual(two, one);
  });

  it('serves metadata in the HealthImaging shape with CRC32 of the decoded pixels, and HTJ2K frames', async () => {
    const [set] = await store.searchImageSets(datastoreId, { filters: [{ operator: 'EQUAL', values: [{ DICOMSeriesInstanceUID: SERIES_A }] }] });
    assert.ok(set);
    assert.equal(set.version, 1);
    assert.equal(set.DICOMTags.DICOMStudyInstanceUID, STUDY);
    assert.equal(set.DICOMTags.DICOMSeriesModality, 'MR');
    const meta = await store.getImageSetMetadata(datastoreId, set.imageSetId);
    assert.deepEqual(Object.keys(meta), ['SchemaVersion', 'DatastoreID', 'ImageSetID', 'Patient', 'Study']);
    assert.equal(meta.Patient.DICOM.PatientID, 'P001');
    assert.equal(meta.Study.DICOM.StudyInstanceUID, STUDY);
    const series = meta.Study.Series[SERIES_A];
    assert.ok(series);
    assert.equal(series.DICOM.Modality, 'MR');
    const inst = series.Instances[`${SERIES_A}.1`];
    assert.ok(inst);
    assert.equal(inst.ImageFrames.length, 8);
    assert.equal(inst.DICOM.PixelData, undefined);
    const voxels = syntheticVoxels({ studyInstanceUID: STUDY, seriesInstanceUID: SERIES_A, sopInstanceUID: 'x' });
    for (const [z, f] of inst.ImageFrames.entries()) {
      assert.match(f.ID, /^[0-9a-f]{32}$/);
      const frame = await store.getImageFrame(datastoreId, set.imageSetId, f.ID);
      assert.equal(frame.contentType, 'image/jph');
      const decoded = await decodeHtj2k(frame.imageFrameBlob);
      const expected = voxels.subarray(z * 32 * 32, (z + 1) * 32 * 32);
      assert.deepEqual(Array.from(decoded.pixels), Array.from(expected));
      const checks = f.PixelDataChecksumFromBaseToFullResolution;
      assert.equal(checks[checks.length - 1]?.Checksum, pixelCrc32(decoded.pixels));
      assert.equal(checks[checks.length - 1]?.Width, 32);
      assert.equal(f.FrameSizeInBytes, 32 * 32 * 2);
    }
    const vol = await store.getVolume(datastoreId, set.imageSetId);
    assert.deepEqual(vol.size, [32, 32, 8]);
    assert.deepEqual(vol.spacingMm, [1, 1, 2]);
    assert.deepEqual(Array.from(vol.voxels), Array.from(voxels));
  });

  it('imports JPEG-LS input (transcoded to HTJ2K) and keeps its pixels exact', async () => {
    const sets = await store.searchImageSets(datastoreId, { filters: [{ operator: 'EQUAL', values: [{ DICOMPatientId: '4MR1' }] }] });
    assert.equal(sets.length, 1);
    const meta = await store.getImageSetMetadata(datastoreId, sets[0]?.imageSetId ?? '');
    const inst = Object.values(Object.values(meta.Study.Series)[0]?.Instances ?? {})[0];
    const frame = await store.getImageFrame(datastoreId, sets[0]?.imageSetId ?? '', inst?.ImageFrames[0]?.ID ?? '');
    const px = (await decodeHtj2k(frame.imageFrameBlob)).pixels;
    assert.deepEqual([px[31], px[32], px[33]], [422, 319, 361]);
  });

  it('re-import is idempotent (same ids, no version bump); changed content bumps the version', async () => {
    const before = await store.searchImageSets(datastoreId);
    const again = await store.startDICOMImportJob({ datastoreId, inputDir: input, outputDir: path.join(root, 'out') });
    const r2 = await store.waitForDICOMImportJob(datastoreId, again.jobId);
    assert.equal(r2.manifest?.jobSummary.numberOfImportedFiles, 3);
    const after = await store.searchImageSets(datastoreId);
    assert.deepEqual(after.map((s) => [s.imageSetId, s.version]).sort(), before.map((s) => [s.imageSetId, s.version]).sort());
    const changed = path.join(root, 'changed');
    fs.mkdirSync(changed);
    fs.writeFileSync(path.join(changed, 'a.dcm'), writeSyntheticMr({ studyInstanceUID: STUDY, seriesInstanceUID: SERIES_A, sopInstanceUID: `${SERIES_A}.1`, offset: 3 }));
    const j3 = await store.startDICOMImportJob({ datastoreId, inputDir: changed, outputDir: path.join(root, 'out') });
    const r3 = await store.waitForDICOMImportJob(datastoreId, j3.jobId);
    const setA = before.find((s) => s.DICOMTags.DICOMSeriesInstanceUID === SERIES_A);
    assert.deepEqual(r3.manifest?.jobSummary.imageSetsSummary, [{ imageSetId: setA?.imageSetId, imageSetVersion: 2, isPrimary: true, numberOfMatchedSOPInstances: 1 }]);
    const v1 = await store.getImageSetMetadata(datastoreId, setA?.imageSetId ?? '', 1);
    const v2 = await store.getImageSetMetadata(datastoreId, setA?.imageSetId ?? '');
    assert.notEqual(
      v1.Study.Series[SERIES_A]?.Instances[`${SERIES_A}.1`]?.ImageFrames[3]?.PixelDataChecksumFromBaseToFullResolution[0]?.Checksum,
      v2.Study.Series[SERIES_A]?.Instances[`${SERIES_A}.1`]?.ImageFrames[3]?.PixelDataChecksumFromBaseToFullResolution[0]?.Checksum,
    );
  });

  it('puts conflicting patient data into a non-primary image set', async () => {
    const dir = path.join(root, 'conflict');
    fs.mkdirSync(dir);
    fs.writeFileSync(path.join(dir, 'c.dcm'), writeSyntheticMr({ studyInstanceUID: STUDY, seriesInstanceUID: SERIES_A, sopInstanceUID: `${SERIES_A}.5`, patientId: 'OTHER' }));
    const j = await store.startDICOMImportJob({ datastoreId, inputDir: dir, outputDir: path.join(root, 'out') });
    const r = await store.waitForDICOMImportJob(datastoreId, j.jobId);
    assert.equal(r.successes[0]?.importResponse.isPrimary, false);
    const nonPrimary = await store.searchImageSets(datastoreId, { filters: [{ operator: 'EQUAL', values: [{ isPrimary: false }] }] });
    assert.equal(nonPrimary.length, 1);
    assert.equal(nonPrimary[0]?.DICOMTags.DICOMPatientId, 'OTHER');
  });

  it('searches with BETWEEN on study date and sorts; rejects malformed filters and unknown ids', async () => {
    const hits = await store.searchImageSets(datastoreId, {
      filters: [{ operator: 'BETWEEN', values: [{ DICOMStudyDateAndTime: { DICOMStudyDate: '20200101' } }, { DICOMStudyDateAndTime: { DICOMStudyDate: '20200103' } }] }],
      sort: { sortField: 'createdAt', sortOrder: 'ASC' },
    });
    assert.equal(hits.length, 3);
    const none = await store.searchImageSets(datastoreId, { filters: [{ operator: 'EQUAL', values: [{ DICOMStudyInstanceUID: '9.9.9' }] }] });
    assert.equal(none.length, 0);
    await assert.rejects(
      store.searchImageSets(datastoreId, { filters: [{ operator: 'BETWEEN', values: [{ DICOMPatientId: 'a' }] }] }),
      (e: unknown) => isHealthDataError(e) && e.code === 'invalid-input',
    );
    await assert.rejects(store.getImageSetMetadata(datastoreId, 'f'.repeat(32)), (e: unknown) => isHealthDataError(e) && e.code === 'not-found');
    await assert.rejects(store.getImageFrame(datastoreId, 'f'.repeat(32), 'nope'), (e: unknown) => isHealthDataError(e) && e.code === 'not-found');
  });
});

describe('imaging/local datastore: colour, odd layouts and refusals', function () {
  this.timeout(30000);
  let root: string;
  let store: LocalImagingStore;
  let datastoreId: string;
  let report: Awaited<ReturnType<LocalImagingStore['waitForDICOMImportJob']>>;

  before(async () => {
    root = tmpDir('imaging-colour');
    const input = path.join(root, 'input');
    fs.mkdirSync(input, { recursive: true });
    const rgb = Buffer.alloc(4 * 6 * 3);
    for (let i = 0; i < rgb.length; i++) {
      rgb[i] = (i * 7) % 256;
    }
    const ex = '1.2.840.10008.1.2.1';
    writeRaw(path.join(input, 'rgb.dcm'), ex, imageElements('2.25.1', { rows: 4, columns: 6, samples: 3, photometric: 'RGB', bitsAllocated: 8, data: rgb }));
    writeRaw(
      path.join(input, 'ybr422.dcm'),
      ex,
      imageElements('2.25.2', { rows: 2, columns: 2, samples: 3, photometric: 'YBR_FULL_422', bitsAllocated: 8, data: Buffer.from([50, 60, 128, 129, 70, 80, 130, 131]) }),
    );
    writeRaw(path.join(input, 'int32.dcm'), ex, imageElements('2.25.3', { rows: 2, columns: 2, samples: 1, photometric: 'MONOCHROME2', bitsAllocated: 32, data: Buffer.alloc(16, 1) }));
    store = new LocalImagingStore({ root: path.join(root, 'imaging'), progress: silentProgress });
    datastoreId = await store.ensureDatastore('colour');
    const job = await store.startDICOMImportJob({ datastoreId, inputDir: input, outputDir: path.join(root, 'out') });
    report = await store.waitForDICOMImportJob(datastoreId, job.jobId);
  });
  after(() => {
    fs.rmSync(root, { recursive: true, force: true });
  });

  it('refuses 32-bit pixel data with its own exception type and reason, naming file and SOP Instance UID', () => {
    assert.equal(report.successes.length, 2);
    assert.equal(report.failures.length, 1);
    const f = report.failures[0];
    assert.ok(f);
    assert.equal(f.inputFile, 'int32.dcm');
    assert.equal(f.exception.exceptionType, 'UnsupportedPixelData');
    assert.match(f.exception.message, /int32\.dcm \(SOPInstanceUID 2\.25\.3\) has BitsAllocated 32/);
  });

  it('getVolume of an RGB image set is its BT.601 luminance', async () => {
    const id = report.successes.find((s) => s.inputFile === 'rgb.dcm')?.importResponse.imageSetId ?? '';
    const vol = await store.getVolume(datastoreId, id);
    assert.deepEqual(vol.size, [6, 4, 1]);
    const p = 5;
    const expected = 0.299 * ((p * 3 * 7) % 256) + 0.587 * (((p * 3 + 1) * 7) % 256) + 0.114 * (((p * 3 + 2) * 7) % 256);
    assert.ok(Math.abs((vol.voxels[p] ?? 0) - expected) < 1e-3);
  });

  it('stores native YBR_FULL_422 as three-sample YBR_FULL HTJ2K, and its volume is the Y sample', async () => {
    const id = report.successes.find((s) => s.inputFile === 'ybr422.dcm')?.importResponse.imageSetId ?? '';
    const meta = await store.getImageSetMetadata(datastoreId, id);
    const inst = Object.values(Object.values(meta.Study.Series)[0]?.Instances ?? {})[0];
    assert.ok(inst);
    assert.equal(inst.DICOM.PhotometricInterpretation, 'YBR_FULL');
    assert.equal(inst.StoredTransferSyntaxUID, '1.2.840.10008.1.2.4.202');
    const frame = await store.getImageFrame(datastoreId, id, inst.ImageFrames[0]?.ID ?? '');
    assert.deepEqual(Array.from((await decodeHtj2k(frame.imageFrameBlob)).pixels), [50, 128, 129, 60, 128, 129, 70, 130, 131, 80, 130, 131]);
    const vol = await store.getVolume(datastoreId, id);
    assert.deepEqual(Array.from(vol.voxels), [50, 60, 70, 80]);
  });
});
