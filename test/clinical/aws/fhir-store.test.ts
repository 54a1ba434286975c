import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import {
  CreateFHIRDatastoreCommand,
  DescribeFHIRDatastoreCommand,
  DescribeFHIRImportJobCommand,
  HealthLakeClient,
  ListFHIRDatastoresCommand,
  ListFHIRImportJobsCommand,
  StartFHIRImportJobCommand,
} from '@aws-sdk/client-healthlake';
import * as crypto from 'node:crypto';
import { S3Client } from '@aws-sdk/client-s3';
import { mockClient } from 'aws-sdk-client-mock';
import { suiteMock } from '../../aws/suite-mock';
import { AwsFhirStore } from '../../../src/clinical/aws/aws-fhir-store';
import { listS3, readS3Text } from '../../../src/aws/s3';
import { tmpDir } from '../fixtures/helpers';
import { startLocalS3 } from '../../aws/s3rver';

const DS = 'a'.repeat(32);
const JOB = 'b'.repeat(32);
const ROLE = 'arn:aws:iam::123456789012:role/HealthLakeImport';

describe('AwsFhirStore (HealthLake commands, aws-sdk-client-mock)', () => {
  const hl = suiteMock(() => mockClient(HealthLakeClient));
  const s3 = suiteMock(() => mockClient(S3Client));
  let store: AwsFhirStore;

  beforeEach(() => {
    hl.reset();
    s3.reset();
    store = new AwsFhirStore({ healthlake: new HealthLakeClient({ region: 'us-east-1' }), s3: new S3Client({ region: 'us-east-1' }), s3Uri: 's3://bucket/mmh', roleArn: ROLE });
  });

  it('creates a datastore with CreateFHIRDatastore (R4) and waits for ACTIVE', async () => {
    hl.on(CreateFHIRDatastoreCommand).resolves({ DatastoreId: DS, DatastoreArn: `arn:aws:healthlake:us-east-1:1:datastore/fhir/${DS}`, DatastoreStatus: 'CREATING', DatastoreEndpoint: 'https://x/' });
    hl.on(DescribeFHIRDatastoreCommand)
      .resolvesOnce({ DatastoreProperties: { DatastoreId: DS, DatastoreArn: 'arn', DatastoreStatus: 'CREATING', DatastoreTypeVersion: 'R4', DatastoreEndpoint: 'https://x/' } })
      .resolves({ DatastoreProperties: { DatastoreId: DS, DatastoreArn: 'arn', DatastoreStatus: 'ACTIVE', DatastoreTypeVersion: 'R4', DatastoreEndpoint: 'https://x/' } });
    const ds = await store.createDatastore({ name: 'demo', fhirVersion: 'R4' });
    assert.equal(ds.DatastoreStatus, 'CREATING');
    assert.deepEqual(hl.commandCalls(CreateFHIRDatastoreCommand)[0]!.args[0].input, { DatastoreName: 'demo', DatastoreTypeVersion: 'R4' });
    const active = await store.waitForDatastoreActive(DS, { pollMs: 1 });
    assert.equal(active.DatastoreStatus, 'ACTIVE');
    assert.equal(hl.commandCalls(DescribeFHIRDatastoreCommand).length, 2);
    assert.deepEqual(hl.commandCalls(DescribeFHIRDatastoreCommand)[0]!.args[0].input, { DatastoreId: DS });
  });

  it('the datastore waiter fails on CREATE_FAILED', async () => {
    hl.on(DescribeFHIRDatastoreCommand).resolves({
      DatastoreProperties: { DatastoreId: DS, DatastoreArn: 'arn', DatastoreStatus: 'CREATE_FAILED', DatastoreTypeVersion: 'R4', DatastoreEndpoint: '' },
    });
    await assert.rejects(store.waitForDatastoreActive(DS, { pollMs: 1 }), (e: { code?: string }) => e.code === 'backend');
  });

  it('lists datastores across pages', async () => {
    const p = (id: string) => ({ DatastoreId: id, DatastoreArn: 'arn', DatastoreStatus: 'ACTIVE' as const, DatastoreTypeVersion: 'R4' as const, DatastoreEndpoint: '' });
    hl.on(ListFHIRDatastoresCommand, {}).resolves({ DatastorePropertiesList: [p('1')], NextToken: 't' });
    hl.on(ListFHIRDatastoresCommand, { NextToken: 't' }).resolves({ DatastorePropertiesList: [p('2')] });
    assert.deepEqual(
      (await store.listDatastores()).map((d) => d.DatastoreId),
      ['1', '2'],
    );
  });

  it('streams a local folder to a content-named prefix (real S3 over HTTP), reuses it on re-run, then StartFHIRImportJob', async function () {
    this.timeout(60_000);
    const real = await startLocalS3();
    try {
      await real.bucket('bucket');
      const st = new AwsFhirStore({ healthlake: new HealthLakeClient({ region: 'us-east-1' }), s3: real.client, s3Uri: 's3://bucket/mmh', roleArn: ROLE });
      const dir = tmpDir('mmh-aws-fhir-');
      const patient = '{"resourceType":"Patient","id":"p1"}\n';
      fs.writeFileSync(path.join(dir, 'Patient.ndjson'), patient);
      // 11 MiB: more than one 8 MiB part, so it goes as a multipart upload (never read whole into memory).
      const big = '{"resourceType":"Observation","id":"o"}\n'.repeat(Math.ceil((11 * 1024 * 1024) / 39));
      fs.writeFileSync(path.join(dir, 'Observation.ndjson'), big);
      fs.writeFileSync(path.join(dir, 'notes.txt'), 'ignored');
      hl.on(ListFHIRImportJobsCommand).resolves({ ImportJobPropertiesList: [] });
      hl.on(StartFHIRImportJobCommand).resolves({ JobId: JOB, JobStatus: 'SUBMITTED', DatastoreId: DS });
      const out = await st.startImportJob({ datastoreId: DS, inputDir: dir, jobName: 'job1', validationLevel: 'strict' });
      assert.deepEqual(out, { JobId: JOB, JobStatus: 'SUBMITTED', DatastoreId: DS });
      const digest = (f: string): string =>
        crypto
          .createHash('sha256')
          .update(fs.readFileSync(path.join(dir, f)))
          .digest('hex');
      const setDigest = crypto
        .createHash('sha256')
        .update(['Observation.ndjson', 'Patient.ndjson'].map((f) => `${f}:${digest(f)}`).join('\n'))
        .digest('hex')
        .slice(0, 32);
      const prefix = `s3://bucket/mmh/clinical-input/${setDigest}/`;
      const objects = await listS3(real.client, prefix);
      assert.deepEqual(objects.map((o) => [o.key, o.size]).sort(), [
        [`mmh/clinical-input/${setDigest}/Observation.ndjson`, Buffer.byteLength(big)],
        [`mmh/clinical-input/${setDigest}/Patient.ndjson`, Buffer.byteLength(patient)],
      ]);
      assert.equal(await readS3Text(real.client, `${prefix}Patient.ndjson`), patient);
      assert.deepEqual(hl.commandCalls(StartFHIRImportJobCommand)[0]!.args[0].input, {
        JobName: 'job1',
        DatastoreId: DS,
        InputDataConfig: { S3Uri: prefix },
        JobOutputDataConfig: { S3Configuration: { S3Uri: 's3://bucket/mmh/healthlake-import/', KmsKeyId: 'alias/aws/s3' } },
        DataAccessRoleArn: ROLE,
        ValidationLevel: 'strict',
      });
      // Re-run with the same files: the same prefix, nothing new under clinical-input/.
      await st.startImportJob({ datastoreId: DS, inputDir: dir, jobName: 'job2' });
      assert.equal(hl.commandCalls(StartFHIRImportJobCommand)[1]!.args[0].input.InputDataConfig?.S3Uri, prefix);
      assert.equal((await listS3(real.client, 's3://bucket/mmh/clinical-input/')).length, 2);
    } finally {
      await real.close();
    }
  });

  it('one import job per datastore (HealthLake quota: concurrent StartFHIRImportJob jobs = 1): waits for the running one first', async () => {
    const st = new AwsFhirStore({ healthlake: new HealthLakeClient({ region: 'us-east-1' }), s3Uri: 's3://bucket/mmh', roleArn: ROLE, queuePollMs: 1 });
    const other = 'c'.repeat(32);
    hl.on(ListFHIRImportJobsCommand, { DatastoreId: DS }).resolves({
      ImportJobPropertiesList: [{ JobId: 'd'.repeat(32), DatastoreId: DS, JobStatus: 'COMPLETED', SubmitTime: new Date(), InputDataConfig: { S3Uri: 's3://b/i/' } }],
      NextToken: 'p2',
    });
    hl.on(ListFHIRImportJobsCommand, { DatastoreId: DS, NextToken: 'p2' }).resolves({
      ImportJobPropertiesList: [{ JobId: other, DatastoreId: DS, JobStatus: 'IN_PROGRESS', SubmitTime: new Date(), InputDataConfig: { S3Uri: 's3://b/i/' } }],
    });
    hl.on(DescribeFHIRImportJobCommand, { DatastoreId: DS, JobId: other })
      .resolvesOnce({ ImportJobProperties: { JobId: other, DatastoreId: DS, JobStatus: 'IN_PROGRESS', SubmitTime: new Date(), InputDataConfig: { S3Uri: 's3://b/i/' } } })
      .resolves({ ImportJobProperties: { JobId: other, DatastoreId: DS, JobStatus: 'COMPLETED', SubmitTime: new Date(), InputDataConfig: { S3Uri: 's3://b/i/' } } });
    hl.on(StartFHIRImportJobCommand).resolves({ JobId: JOB, JobStatus: 'SUBMITTED', DatastoreId: DS });
    await st.startImportJob({ datastoreId: DS, inputS3Uri: 's3://b/i/' });
    assert.equal(hl.commandCalls(DescribeFHIRImportJobCommand).length, 2);
    const order = hl.calls().map((c) => (c.args[0] as { constructor: { name: string } }).constructor.name);
    assert.deepEqual(order, ['ListFHIRImportJobsCommand', 'ListFHIRImportJobsCommand', 'DescribeFHIRImportJobCommand', 'DescribeFHIRImportJobCommand', 'StartFHIRImportJobCommand']);
  });

  it('the import waiter: COMPLETED_WITH_ERRORS succeeds with the progress report; FAILED fails', async () => {
    hl.on(DescribeFHIRImportJobCommand, { DatastoreId: DS, JobId: JOB })
      .resolvesOnce({ ImportJobProperties: { JobId: JOB, DatastoreId: DS, JobStatus: 'IN_PROGRESS', SubmitTime: new Date(), InputDataConfig: { S3Uri: 's3://b/i/' } } })
      .resolves({
        ImportJobProperties: {
          JobId: JOB,
          DatastoreId: DS,
          JobStatus: 'COMPLETED_WITH_ERRORS',
          SubmitTime: new Date(),
          InputDataConfig: { S3Uri: 's3://b/i/' },
          JobProgressReport: { TotalNumberOfResourcesScanned: 9, TotalNumberOfResourcesImported: 4, TotalNumberOfResourcesWithCustomerError: 5 },
        },
      });
    const done = await store.waitForImportJob(DS, JOB, { pollMs: 1 });
    assert.equal(done.JobStatus, 'COMPLETED_WITH_ERRORS');
    assert.equal(done.JobProgressReport?.TotalNumberOfResourcesImported, 4);
    assert.equal(hl.commandCalls(DescribeFHIRImportJobCommand).length, 2);
    hl.reset();
    hl.on(DescribeFHIRImportJobCommand).resolves({
      ImportJobProperties: { JobId: JOB, DatastoreId: DS, JobStatus: 'FAILED', SubmitTime: new Date(), InputDataConfig: { S3Uri: 's3://b/i/' }, Message: 'AccessDenied' },
    });
    await assert.rejects(store.waitForImportJob(DS, JOB, { pollMs: 1 }), /FAILED: AccessDenied/);
  });

  it('maps SDK errors by name and needs a role to import', async () => {
    hl.on(DescribeFHIRDatastoreCommand).rejects(Object.assign(new Error('no such datastore'), { name: 'ResourceNotFoundException', $metadata: { httpStatusCode: 400 } }));
    await assert.rejects(store.describeDatastore(DS), (e: { code?: string }) => e.code === 'not-found');
    const noRole = new AwsFhirStore({ healthlake: new HealthLakeClient({ region: 'us-east-1' }), s3Uri: 's3://bucket/mmh' });
    await assert.rejects(noRole.startImportJob({ datastoreId: DS, inputS3Uri: 's3://b/i/' }), (e: { code?: string }) => e.code === 'invalid-config');
    assert.equal(hl.commandCalls(StartFHIRImportJobCommand).length, 0);
  });
});
