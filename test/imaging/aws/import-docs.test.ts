/**
 * HealthImaging behaviour as the AWS documentation shows it, not as the code assumed it:
 * - GetDICOMImportJob returns `outputS3Uri` ending in `<datastoreId>-DicomImport-<jobId>/` (AWS HealthImaging
 *   Developer Guide, "Getting import job properties", AWS CLI example of `get-dicom-import-job`); the job's
 *   `job-output-manifest.json`, `SUCCESS/` and `FAILURE/` are inside that folder ("Understanding import jobs").
 * - ListDatastores lists datastores in every status unless `datastoreStatus` filters it; a datastore is CREATING
 *   before ACTIVE (API Reference, ListDatastores / DatastoreSummary).
 * - StartDICOMImportJob imports "DICOM P10 files found in the S3 prefix specified by the inputS3Uri parameter"
 *   (API Reference, StartDICOMImportJob): a local folder must be uploaded there first.
 * - HealthImaging endpoints exist in us-east-1, us-west-2, ap-southeast-2, eu-west-1, eu-west-2 (AWS General
 *   Reference, "AWS HealthImaging endpoints and quotas").
 * The HealthImaging wire is mocked (aws-sdk-client-mock); S3 is real HTTP (s3rver).
 */
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { CreateDatastoreCommand, GetDatastoreCommand, GetDICOMImportJobCommand, ListDatastoresCommand, MedicalImagingClient, StartDICOMImportJobCommand } from '@aws-sdk/client-medical-imaging';
import { PutObjectCommand } from '@aws-sdk/client-s3';
import { mockClient } from 'aws-sdk-client-mock';
import { suiteMock } from '../../aws/suite-mock';
import { listS3 } from '../../../src/aws/s3';
import { isHealthDataError } from '../../../src/errors';
import { AwsImagingStore, dicomJobFolder } from '../../../src/imaging/aws/datastore';
import { tmpDir } from '../../helpers/tmp';
import type { LocalS3 } from '../../aws/s3rver';
import { startLocalS3 } from '../../aws/s3rver';

const DS = '12345678901234567890123456789012';
const JOB = '09876543210987654321098765432109';
const ROLE = 'arn:aws:iam::123456789012:role/ImportJobDataAccessRole';

describe('imaging/aws: HealthImaging import as documented (mocked HealthImaging, real S3 over HTTP)', function () {
  this.timeout(60_000);
  const mi = suiteMock(() => mockClient(MedicalImagingClient));
  let s3: LocalS3;
  let dir = '';
  const store = (region = 'us-east-1'): AwsImagingStore =>
    new AwsImagingStore({
      client: () => new MedicalImagingClient({ region: 'us-east-1' }),
      s3: () => s3.client,
      roleArn: ROLE,
      region,
      outputS3Uri: 's3://medical-imaging-output/job_output/',
      inputS3Uri: 's3://medical-imaging-dicom-input/dicom_input/',
      pollStartMs: 1,
      pollMaxMs: 2,
    });
  before(async () => {
    s3 = await startLocalS3();
    await s3.bucket('medical-imaging-output');
    await s3.bucket('medical-imaging-dicom-input');
    dir = tmpDir('mi-docs');
  });
  after(async () => {
    await s3.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });
  beforeEach(() => {
    mi.reset();
  });

  it('reads the manifest and NDJSON inside the job folder that GetDICOMImportJob reports (no second append)', async () => {
    const folder = `job_output/${DS}-DicomImport-${JOB}`;
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
    const put = (key: string, body: string): Promise<unknown> => s3.client.send(new PutObjectCommand({ Bucket: 'medical-imaging-output', Key: key, Body: body }));
    await put(`${folder}/job-output-manifest.json`, JSON.stringify(manifest));
    await put(`${folder}/SUCCESS/success.ndjson`, `${JSON.stringify({ inputFile: 'a.dcm', importResponse: { imageSetId: 'c'.repeat(32), isPrimary: true } })}\n`);
    await put(`${folder}/FAILURE/failure.ndjson`, `${JSON.stringify({ inputFile: 'b.dcm', exception: { exceptionType: 'X', message: 'DICOM attribute SOPClassUID does not exist' } })}\n`);
    // The documented response: outputS3Uri already names the job folder.
    mi.on(GetDICOMImportJobCommand).resolves({
      jobProperties: {
        jobId: JOB,
        jobName: 'my-job',
        jobStatus: 'COMPLETED',
        datastoreId: DS,
        dataAccessRoleArn: ROLE,
        inputS3Uri: 's3://medical-imaging-dicom-input/dicom_input/',
        outputS3Uri: `s3://medical-imaging-output/${folder}/`,
        endedAt: new Date('2022-08-12T11:29:42.285Z'),
        submittedAt: new Date('2022-08-12T11:28:11.152Z'),
      },
    });
    const report = await store().waitForDICOMImportJob(DS, JOB);
    assert.equal(report.outputLocation, `s3://medical-imaging-output/${folder}/`);
    assert.equal(report.manifest?.jobSummary.numberOfScannedFiles, 2);
    assert.equal(report.successes.length, 1);
    assert.equal(report.failures.length, 1);
    assert.equal(report.successes.length + report.failures.length, report.manifest.jobSummary.numberOfScannedFiles);
  });

  it('dicomJobFolder appends the job folder to a bare prefix and keeps one that is already there', () => {
    assert.equal(dicomJobFolder('s3://b/out/', DS, JOB), `s3://b/out/${DS}-DicomImport-${JOB}`);
    assert.equal(dicomJobFolder(`s3://b/out/${DS}-DicomImport-${JOB}/`, DS, JOB), `s3://b/out/${DS}-DicomImport-${JOB}`);
  });

  it('ensureDatastore waits for a datastore of that name still CREATING instead of creating a duplicate', async () => {
    mi.on(ListDatastoresCommand)
      .resolvesOnce({ datastoreSummaries: [{ datastoreId: 'e'.repeat(32), datastoreName: 'other', datastoreStatus: 'ACTIVE', datastoreArn: 'x' }], nextToken: 'page2' })
      .resolves({ datastoreSummaries: [{ datastoreId: DS, datastoreName: 'mmh-imaging', datastoreStatus: 'CREATING', datastoreArn: 'y' }] });
    mi.on(GetDatastoreCommand)
      .resolvesOnce({ datastoreProperties: { datastoreId: DS, datastoreName: 'mmh-imaging', datastoreStatus: 'CREATING' } })
      .resolves({ datastoreProperties: { datastoreId: DS, datastoreName: 'mmh-imaging', datastoreStatus: 'ACTIVE' } });
    assert.equal(await store().ensureDatastore('mmh-imaging'), DS);
    assert.equal(mi.commandCalls(CreateDatastoreCommand).length, 0);
    assert.deepEqual(mi.commandCalls(ListDatastoresCommand)[1]?.args[0].input, { nextToken: 'page2' });
    assert.equal(mi.commandCalls(GetDatastoreCommand).length, 2);
  });

  it('ensureDatastore ignores DELETED/CREATE_FAILED stores of that name and creates a new one', async () => {
    mi.on(ListDatastoresCommand).resolves({ datastoreSummaries: [{ datastoreId: 'f'.repeat(32), datastoreName: 'mmh-imaging', datastoreStatus: 'DELETED', datastoreArn: 'z' }] });
    mi.on(CreateDatastoreCommand).resolves({ datastoreId: DS, datastoreStatus: 'CREATING' });
    mi.on(GetDatastoreCommand).resolves({ datastoreProperties: { datastoreId: DS, datastoreName: 'mmh-imaging', datastoreStatus: 'ACTIVE' } });
    assert.equal(await store().ensureDatastore('mmh-imaging'), DS);
    assert.equal(mi.commandCalls(CreateDatastoreCommand).length, 1);
  });

  it('uploads a local DICOM folder to the input prefix over HTTP, then starts the import on that prefix', async () => {
    const input = path.join(dir, 'dicom');
    fs.mkdirSync(path.join(input, '1.2.3', 'series'), { recursive: true });
    fs.writeFileSync(path.join(input, '1.2.3', 'series', 'a.dcm'), Buffer.alloc(300, 1));
    fs.writeFileSync(path.join(input, '1.2.3', 'b.dcm'), Buffer.alloc(200, 2));
    mi.on(StartDICOMImportJobCommand).resolves({ datastoreId: DS, jobId: JOB, jobStatus: 'SUBMITTED', submittedAt: new Date() });
    const started = await store().startDICOMImportJob({ datastoreId: DS, inputDir: input, jobName: 'pipeline-import-imaging' });
    assert.equal(started.jobId, JOB);
    const keys = (await listS3(s3.client, 's3://medical-imaging-dicom-input/dicom_input/')).map((o) => `${o.key}:${String(o.size)}`).sort();
    assert.deepEqual(keys, ['dicom_input/1.2.3/b.dcm:200', 'dicom_input/1.2.3/series/a.dcm:300']);
    assert.deepEqual(mi.commandCalls(StartDICOMImportJobCommand)[0]?.args[0].input, {
      datastoreId: DS,
      dataAccessRoleArn: ROLE,
      inputS3Uri: 's3://medical-imaging-dicom-input/dicom_input/',
      outputS3Uri: 's3://medical-imaging-output/job_output/',
      jobName: 'pipeline-import-imaging',
    });
  });

  it('refuses a region without HealthImaging before any call, listing the regions that have it', async () => {
    await assert.rejects(store('eu-central-1').ensureDatastore('mmh-imaging'), (e: unknown) => isHealthDataError(e) && e.code === 'invalid-config' && /eu-west-2/.test(e.message));
    assert.equal(mi.calls().length, 0);
  });
});
