import assert from 'node:assert/strict';
import * as zlib from 'node:zlib';
import { Readable } from 'node:stream';
import {
  CreateDatastoreCommand,
  GetDatastoreCommand,
  GetDICOMImportJobCommand,
  GetImageFrameCommand,
  GetImageSetMetadataCommand,
  ListDatastoresCommand,
  MedicalImagingClient,
  SearchImageSetsCommand,
  StartDICOMImportJobCommand,
} from '@aws-sdk/client-medical-imaging';
import { GetObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { sdkStreamMixin } from '@smithy/util-stream';
import { mockClient } from 'aws-sdk-client-mock';
import { suiteMock } from '../../aws/suite-mock';
import { isHealthDataError } from '../../../src/errors';
import { encodeHtj2k } from '../../../src/formats/htj2k';
import { AwsImagingStore } from '../../../src/imaging/aws/datastore';
import type { ImageSetMetadata } from '../../../src/imaging/types';

const DS = 'a'.repeat(32);
const JOB = 'b'.repeat(32);
const SET = 'c'.repeat(32);
const FRAME = 'd'.repeat(32);

function stream(bytes: Uint8Array): ReturnType<typeof sdkStreamMixin> {
  return sdkStreamMixin(Readable.from([Buffer.from(bytes)]));
}

describe('imaging/aws datastore (HealthImaging commands, mocked wire)', () => {
  const mi = suiteMock(() => mockClient(MedicalImagingClient));
  const s3 = suiteMock(() => mockClient(S3Client));
  let store: AwsImagingStore;
  beforeEach(() => {
    mi.reset();
    s3.reset();
    store = new AwsImagingStore({
      client: () => new MedicalImagingClient({ region: 'us-east-1' }),
      s3: () => new S3Client({ region: 'us-east-1' }),
      roleArn: 'arn:aws:iam::123456789012:role/mmh',
      outputS3Uri: 's3://bucket/mmh/imaging/import-output/',
      pollStartMs: 1,
      pollMaxMs: 2,
    });
  });

  it('ensureDatastore lists datastores (no status filter), creates when missing and polls GetDatastore until ACTIVE', async () => {
    mi.on(ListDatastoresCommand).resolves({ datastoreSummaries: [{ datastoreId: 'e'.repeat(32), datastoreName: 'other', datastoreStatus: 'ACTIVE', datastoreArn: 'x' }] });
    mi.on(CreateDatastoreCommand).resolves({ datastoreId: DS, datastoreStatus: 'CREATING' });
    mi.on(GetDatastoreCommand)
      .resolvesOnce({ datastoreProperties: { datastoreId: DS, datastoreName: 'mmh', datastoreStatus: 'CREATING' } })
      .resolves({ datastoreProperties: { datastoreId: DS, datastoreName: 'mmh', datastoreStatus: 'ACTIVE' } });
    assert.equal(await store.ensureDatastore('mmh'), DS);
    assert.deepEqual(mi.commandCalls(ListDatastoresCommand)[0]?.args[0].input, {});
    assert.deepEqual(mi.commandCalls(CreateDatastoreCommand)[0]?.args[0].input, { datastoreName: 'mmh' });
    assert.equal(mi.commandCalls(GetDatastoreCommand).length, 2);
  });

  it('starts an import with the exact inputs, polls the job and reads the manifest and NDJSON from S3', async () => {
    mi.on(StartDICOMImportJobCommand).resolves({ datastoreId: DS, jobId: JOB, jobStatus: 'SUBMITTED', submittedAt: new Date('2026-01-01T00:00:00Z') });
    mi.on(GetDICOMImportJobCommand)
      .resolvesOnce({ jobProperties: { jobId: JOB, jobName: 'j', jobStatus: 'IN_PROGRESS', datastoreId: DS, dataAccessRoleArn: 'r', inputS3Uri: 's3://bucket/in/', outputS3Uri: 's3://bucket/out/' } })
      .resolves({ jobProperties: { jobId: JOB, jobName: 'j', jobStatus: 'COMPLETED', datastoreId: DS, dataAccessRoleArn: 'r', inputS3Uri: 's3://bucket/in/', outputS3Uri: 's3://bucket/out/' } });
    const manifest = {
      jobSummary: {
        jobId: JOB,
        datastoreId: DS,
        numberOfScannedFiles: 2,
        numberOfImportedFiles: 1,
        numberOfFilesWithCustomerError: 1,
        numberOfFilesWithServerError: 0,
        numberOfGeneratedImageSets: 1,
        imageSetsSummary: [],
      },
    };
    s3.on(GetObjectCommand, { Bucket: 'bucket', Key: `out/${DS}-DicomImport-${JOB}/job-output-manifest.json` }).resolves({ Body: stream(Buffer.from(JSON.stringify(manifest))) });
    s3.on(GetObjectCommand, { Bucket: 'bucket', Key: `out/${DS}-DicomImport-${JOB}/SUCCESS/success.ndjson` }).resolves({
      Body: stream(Buffer.from(`${JSON.stringify({ inputFile: 'a.dcm', importResponse: { imageSetId: SET, isPrimary: true } })}\n`)),
    });
    s3.on(GetObjectCommand, { Bucket: 'bucket', Key: `out/${DS}-DicomImport-${JOB}/FAILURE/failure.ndjson` }).resolves({
      Body: stream(Buffer.from(`${JSON.stringify({ inputFile: 'b.dcm', exception: { exceptionType: 'X', message: 'DICOM attribute SOPClassUID does not exist' } })}\n`)),
    });
    const started = await store.startDICOMImportJob({ datastoreId: DS, inputS3Uri: 's3://bucket/in/', outputS3Uri: 's3://bucket/out/', jobName: 'j' });
    assert.equal(started.jobId, JOB);
    assert.deepEqual(mi.commandCalls(StartDICOMImportJobCommand)[0]?.args[0].input, {
      datastoreId: DS,
      dataAccessRoleArn: 'arn:aws:iam::123456789012:role/mmh',
      inputS3Uri: 's3://bucket/in/',
      outputS3Uri: 's3://bucket/out/',
      jobName: 'j',
    });
    const report = await store.waitForDICOMImportJob(DS, JOB);
    assert.equal(report.job.jobStatus, 'COMPLETED');
    assert.equal(mi.commandCalls(GetDICOMImportJobCommand).length, 2);
    assert.deepEqual(mi.commandCalls(GetDICOMImportJobCommand)[0]?.args[0].input, { datastoreId: DS, jobId: JOB });
    assert.equal(report.manifest?.jobSummary.numberOfScannedFiles, 2);
    assert.equal(report.successes[0]?.importResponse.imageSetId, SET);
    assert.equal(report.failures[0]?.exception.message, 'DICOM attribute SOPClassUID does not exist');
  });

  it('refuses to start without S3 input, naming the missing setting', async () => {
    const bare = new AwsImagingStore({
      client: () => new MedicalImagingClient({ region: 'us-east-1' }),
      s3: () => new S3Client({ region: 'us-east-1' }),
      roleArn: 'arn:aws:iam::123456789012:role/mmh',
    });
    await assert.rejects(bare.startDICOMImportJob({ datastoreId: DS, inputDir: '/tmp/x' }), (e: unknown) => isHealthDataError(e) && e.code === 'invalid-input' && /inputS3Uri/.test(e.message));
    await assert.rejects(store.startDICOMImportJob({ datastoreId: DS, inputDir: '/tmp/mmh-no-such-folder' }), (e: unknown) => isHealthDataError(e) && e.code === 'not-found');
    assert.equal(mi.commandCalls(StartDICOMImportJobCommand).length, 0);
  });

  it('searches with the filters passed through and follows nextToken', async () => {
    mi.on(SearchImageSetsCommand)
      .resolvesOnce({ imageSetsMetadataSummaries: [{ imageSetId: SET, version: 1, isPrimary: true, DICOMTags: { DICOMStudyInstanceUID: '1.2.3' } }], nextToken: 't1' })
      .resolves({ imageSetsMetadataSummaries: [{ imageSetId: 'f'.repeat(32), version: 2 }] });
    const filters = [{ operator: 'EQUAL' as const, values: [{ DICOMStudyInstanceUID: '1.2.3' }] }];
    const hits = await store.searchImageSets(DS, { filters });
    assert.equal(hits.length, 2);
    assert.equal(hits[0]?.DICOMTags.DICOMStudyInstanceUID, '1.2.3');
    const calls = mi.commandCalls(SearchImageSetsCommand).map((c) => c.args[0].input);
    assert.deepEqual(calls[0], { datastoreId: DS, searchCriteria: { filters }, maxResults: 50 });
    assert.deepEqual(calls[1], { datastoreId: DS, searchCriteria: { filters }, maxResults: 50, nextToken: 't1' });
  });

  it('gunzips metadata, fetches HTJ2K frames with GetImageFrame and assembles a volume', async () => {
    const px = new Uint16Array([1, 2, 3, 4, 5, 6]);
    const cs = await encodeHtj2k(px, { width: 3, height: 2, bitsPerSample: 16, componentCount: 1, isSigned: false });
    const meta: ImageSetMetadata = {
      SchemaVersion: '1.1',
      DatastoreID: DS,
      ImageSetID: SET,
      Patient: { DICOM: { PatientID: 'P' } },
      Study: {
        DICOM: { StudyInstanceUID: '1.2.3' },
        Series: {
          '1.2.3.4': {
            DICOM: { Modality: 'MR' },
            Instances: {
              '1.2.3.4.5': {
                DICOM: { Rows: 2, Columns: 3, PixelSpacing: [0.5, 0.7], SliceThickness: 3 },
                DICOMVRs: {},
                StoredTransferSyntaxUID: '1.2.840.10008.1.2.4.202',
                ImageFrames: [{ ID: FRAME, PixelDataChecksumFromBaseToFullResolution: [], MinPixelValue: 1, MaxPixelValue: 6, FrameSizeInBytes: 12 }],
              },
            },
          },
        },
      },
    };
    mi.on(GetImageSetMetadataCommand).callsFake(() => ({ imageSetMetadataBlob: stream(zlib.gzipSync(JSON.stringify(meta))), contentEncoding: 'gzip', contentType: 'application/json' }));
    mi.on(GetImageFrameCommand).callsFake(() => ({ imageFrameBlob: stream(cs), contentType: 'image/jph' }));
    const got = await store.getImageSetMetadata(DS, SET, 2);
    assert.deepEqual(got, meta);
    assert.deepEqual(mi.commandCalls(GetImageSetMetadataCommand)[0]?.args[0].input, { datastoreId: DS, imageSetId: SET, versionId: '2' });
    const vol = await store.getVolume(DS, SET);
    assert.deepEqual(mi.commandCalls(GetImageFrameCommand)[0]?.args[0].input, { datastoreId: DS, imageSetId: SET, imageFrameInformation: { imageFrameId: FRAME } });
    assert.deepEqual(Array.from(vol.voxels), [1, 2, 3, 4, 5, 6]);
    assert.deepEqual(vol.size, [3, 2, 1]);
    assert.deepEqual(vol.spacingMm, [0.7, 0.5, 3]);
  });

  it('maps service exceptions to typed errors', async () => {
    mi.on(GetDatastoreCommand).rejects(Object.assign(new Error('no such datastore'), { name: 'ResourceNotFoundException' }));
    await assert.rejects(store.getDatastore(DS), (e: unknown) => isHealthDataError(e) && e.code === 'not-found' && /ResourceNotFoundException/.test(e.message));
  });
});
