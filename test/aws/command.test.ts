/**
 * `mmh aws plan | smoke | teardown` against doc-faithful fakes: HealthLake and HealthImaging list calls page with
 * NextToken/nextToken (API Reference, ListFHIRDatastores, ListDatastores); a HealthImaging datastore with image sets
 * cannot be deleted, so its image sets go first (API Reference, DeleteDatastore: ConflictException); the Glue fake
 * follows the Glue API Reference; S3 is real HTTP (s3rver). No command prints a credential.
 */
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { AthenaClient, GetQueryExecutionCommand, GetQueryResultsCommand, StartQueryExecutionCommand } from '@aws-sdk/client-athena';
import { CreateDatabaseCommand, CreateTableCommand, GlueClient } from '@aws-sdk/client-glue';
import { DeleteFHIRDatastoreCommand, HealthLakeClient, ListFHIRDatastoresCommand } from '@aws-sdk/client-healthlake';
import { DeleteDatastoreCommand, DeleteImageSetCommand, ListDatastoresCommand, MedicalImagingClient, SearchImageSetsCommand } from '@aws-sdk/client-medical-imaging';
import { PutObjectCommand } from '@aws-sdk/client-s3';
import { DeleteFeatureGroupCommand, DescribeFeatureGroupCommand, SageMakerClient } from '@aws-sdk/client-sagemaker';
import { mockClient } from 'aws-sdk-client-mock';
import { suiteMock } from './suite-mock';
import { awsCommand } from '../../src/aws/command';
import { awsPlan } from '../../src/aws/plan';
import { listS3 } from '../../src/aws/s3';
import { resolveConfig } from '../../src/config';
import type { PipelineStep } from '../../src/pipeline';
import { tmpDir } from '../helpers/tmp';
import { fakeGlue } from './fakes/glue';
import type { LocalS3 } from './s3rver';
import { startLocalS3 } from './s3rver';

const ROLE = 'arn:aws:iam::123456789012:role/mmh-service';
const SECRET = 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYzzSECRETKEY';
const KEY_ID = 'AKIAIOSFODNN7ZZKEYID';

function collect(): { io: { out(t: string): void; err(t: string): void }; text(): string } {
  let all = '';
  return {
    io: {
      out: (t) => {
        all += t;
      },
      err: (t) => {
        all += t;
      },
    },
    text: () => all,
  };
}

describe('mmh aws plan | smoke | teardown', function () {
  this.timeout(60_000);
  const saved = { id: process.env.AWS_ACCESS_KEY_ID, secret: process.env.AWS_SECRET_ACCESS_KEY };
  let dir = '';
  before(() => {
    process.env.AWS_ACCESS_KEY_ID = KEY_ID;
    process.env.AWS_SECRET_ACCESS_KEY = SECRET;
  });
  after(() => {
    if (saved.id === undefined) {
      delete process.env.AWS_ACCESS_KEY_ID;
    } else {
      process.env.AWS_ACCESS_KEY_ID = saved.id;
    }
    if (saved.secret === undefined) {
      delete process.env.AWS_SECRET_ACCESS_KEY;
    } else {
      process.env.AWS_SECRET_ACCESS_KEY = saved.secret;
    }
  });
  beforeEach(() => {
    dir = tmpDir('aws-cmd');
  });
  afterEach(() => {
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('plan: resources, problems per region, a least-privilege policy scoped to the prefix; no credential printed', async () => {
    const out = collect();
    const code = await awsCommand(['plan'], out.io, { dir, steps: [], aws: { region: 'us-east-1', s3Uri: 's3://my-bucket/mmh/', roleArn: ROLE } });
    assert.equal(code, 0);
    const text = out.text();
    assert.match(text, /HealthLake: FHIR R4 datastore mmh-clinical/);
    assert.match(text, /No problems found/);
    assert.ok(!text.includes(SECRET) && !text.includes(KEY_ID));
    const plan = awsPlan(resolveConfig({ dir, backend: 'aws', aws: { region: 'us-east-1', s3Uri: 's3://my-bucket/mmh/', roleArn: ROLE } }));
    const byId = new Map(plan.policy.Statement.map((s) => [s.Sid, s]));
    assert.deepEqual(byId.get('WorkspaceObjects')?.Resource, ['arn:aws:s3:::my-bucket/mmh/*']);
    assert.deepEqual(byId.get('PassServiceRole')?.Resource, [ROLE]);
    assert.ok(
      plan.policy.Statement.every((s) => !s.Action.some((a) => a.endsWith(':*'))),
      'no wildcard actions',
    );
    assert.ok(JSON.stringify(byId.get('HealthLake')?.Resource).includes('arn:aws:healthlake:us-east-1:123456789012:datastore/fhir/*'));
    // A region without HealthImaging, and no role: listed problems, exit code 1.
    const bad = collect();
    assert.equal(await awsCommand(['plan'], bad.io, { dir, steps: [], aws: { region: 'eu-central-1', s3Uri: 's3://my-bucket/mmh/' } }), 1);
    assert.match(bad.text(), /HealthImaging is not offered in eu-central-1/);
    assert.match(bad.text(), /MMH_ROLE_ARN is not set/);
  });

  describe('teardown (fakes + real S3)', () => {
    const hl = suiteMock(() => mockClient(HealthLakeClient));
    const mi = suiteMock(() => mockClient(MedicalImagingClient));
    const sm = suiteMock(() => mockClient(SageMakerClient));
    const glue = fakeGlue();
    let s3: LocalS3;
    before(async () => {
      s3 = await startLocalS3();
      await s3.bucket('my-bucket');
    });
    after(async () => {
      await s3.close();
    });

    it('lists first and deletes nothing without --yes; with --yes deletes image sets, datastores, groups, tables and the prefix', async () => {
      hl.reset();
      mi.reset();
      sm.reset();
      hl.on(ListFHIRDatastoresCommand, {}).resolves({
        DatastorePropertiesList: [{ DatastoreId: 'o'.repeat(32), DatastoreName: 'someone-else', DatastoreStatus: 'ACTIVE', DatastoreArn: 'a', DatastoreTypeVersion: 'R4', DatastoreEndpoint: 'e' }],
        NextToken: 'n1',
      });
      hl.on(ListFHIRDatastoresCommand, { NextToken: 'n1' }).resolves({
        DatastorePropertiesList: [{ DatastoreId: 'h'.repeat(32), DatastoreName: 'mmh-clinical', DatastoreStatus: 'ACTIVE', DatastoreArn: 'a', DatastoreTypeVersion: 'R4', DatastoreEndpoint: 'e' }],
      });
      hl.on(DeleteFHIRDatastoreCommand).resolves({ DatastoreId: 'h'.repeat(32), DatastoreArn: 'a', DatastoreStatus: 'DELETING', DatastoreEndpoint: 'e' });
      mi.on(ListDatastoresCommand).resolves({ datastoreSummaries: [{ datastoreId: 'i'.repeat(32), datastoreName: 'mmh-imaging', datastoreStatus: 'ACTIVE', datastoreArn: 'x' }] });
      mi.on(SearchImageSetsCommand, { datastoreId: 'i'.repeat(32), maxResults: 50 }).resolves({ imageSetsMetadataSummaries: [{ imageSetId: '1'.repeat(32), version: 1 }], nextToken: 't' });
      mi.on(SearchImageSetsCommand, { datastoreId: 'i'.repeat(32), maxResults: 50, nextToken: 't' }).resolves({ imageSetsMetadataSummaries: [{ imageSetId: '2'.repeat(32), version: 1 }] });
      mi.on(DeleteImageSetCommand).resolves({});
      // DeleteDatastore refuses while image sets remain (API Reference: ConflictException).
      mi.on(DeleteDatastoreCommand).callsFake(() => {
        if (mi.commandCalls(DeleteImageSetCommand).length < 2) {
          throw Object.assign(new Error('datastore has image sets'), { name: 'ConflictException' });
        }
        return { datastoreId: 'i'.repeat(32), datastoreStatus: 'DELETING' };
      });
      sm.on(DescribeFeatureGroupCommand).rejects(Object.assign(new Error('not found'), { name: 'ResourceNotFound' }));
      sm.on(DescribeFeatureGroupCommand, { FeatureGroupName: 'genomic' }).resolves({ FeatureGroupName: 'genomic', FeatureGroupStatus: 'Created' } as never);
      sm.on(DeleteFeatureGroupCommand).resolves({});
      const glueClient = new GlueClient({ region: 'us-east-1' });
      await glueClient.send(new CreateDatabaseCommand({ DatabaseInput: { Name: 'multimodal_health' } }));
      await glueClient.send(new CreateTableCommand({ DatabaseName: 'multimodal_health', TableInput: { Name: 'omicsvariants' } }));
      await glueClient.send(new CreateTableCommand({ DatabaseName: 'multimodal_health', TableInput: { Name: 'omicsvariants_test_dates' } }));
      for (const k of ['mmh/genomics/omicsvariants/a.parquet', 'mmh/clinical-input/x/Patient.ndjson', 'other/keep.txt']) {
        await s3.client.send(new PutObjectCommand({ Bucket: 'my-bucket', Key: k, Body: 'x' }));
      }
      const clients = {
        healthlake: new HealthLakeClient({ region: 'us-east-1' }),
        imaging: new MedicalImagingClient({ region: 'us-east-1' }),
        sagemaker: new SageMakerClient({ region: 'us-east-1' }),
        glue: glueClient,
        s3: s3.client,
      };
      const opts = { dir, steps: [], clients, aws: { region: 'us-east-1', s3Uri: 's3://my-bucket/mmh/', roleArn: ROLE } };
      const dry = collect();
      assert.equal(await awsCommand(['teardown'], dry.io, opts), 0);
      assert.match(dry.text(), /feature-group genomic/);
      assert.match(dry.text(), /healthlake-datastore h{32}/);
      assert.match(dry.text(), /healthimaging-datastore i{32}/);
      assert.match(dry.text(), /glue-table multimodal_health\.omicsvariants /);
      assert.match(dry.text(), /s3-prefix s3:\/\/my-bucket\/mmh\/ — 2 objects/);
      assert.match(dry.text(), /Nothing was deleted/);
      assert.equal(hl.commandCalls(DeleteFHIRDatastoreCommand).length + mi.commandCalls(DeleteDatastoreCommand).length + sm.commandCalls(DeleteFeatureGroupCommand).length, 0);
      assert.equal((await listS3(s3.client, 's3://my-bucket/mmh/')).length, 2);

      const real = collect();
      assert.equal(await awsCommand(['teardown', '--yes'], real.io, opts), 0, real.text());
      assert.deepEqual(
        hl.commandCalls(DeleteFHIRDatastoreCommand).map((c) => c.args[0].input),
        [{ DatastoreId: 'h'.repeat(32) }],
      );
      assert.deepEqual(
        mi.commandCalls(DeleteImageSetCommand).map((c) => c.args[0].input.imageSetId),
        ['1'.repeat(32), '2'.repeat(32)],
      );
      assert.equal(mi.commandCalls(DeleteDatastoreCommand).length, 1);
      assert.deepEqual(
        sm.commandCalls(DeleteFeatureGroupCommand).map((c) => c.args[0].input),
        [{ FeatureGroupName: 'genomic' }],
      );
      assert.equal(glue.databases.has('multimodal_health'), false);
      assert.deepEqual(
        (await listS3(s3.client, 's3://my-bucket/')).map((o) => o.key),
        ['other/keep.txt'],
      );
      assert.ok(!real.text().includes(SECRET) && !real.text().includes(KEY_ID));
    });
  });

  it('smoke: runs the steps on aws and writes a transcript of every AWS call and its outcome, without credentials', async () => {
    const hl = mockClient(HealthLakeClient);
    const athena = mockClient(AthenaClient);
    try {
      hl.on(ListFHIRDatastoresCommand).resolves({ DatastorePropertiesList: [] });
      athena.on(StartQueryExecutionCommand).resolves({ QueryExecutionId: 'q1' });
      athena
        .on(GetQueryExecutionCommand)
        .resolvesOnce({ QueryExecution: { Status: { State: 'QUEUED' } } })
        .resolves({ QueryExecution: { Status: { State: 'FAILED', StateChangeReason: 'TABLE_NOT_FOUND: patient' } } });
      athena.on(GetQueryResultsCommand).resolves({});
      const step: PipelineStep = {
        name: 'probe',
        description: 'lists datastores and queries Athena',
        fingerprint: () => Promise.resolve(String(Date.now())),
        run: async (ws) => {
          const n = (await ws.clinical.listDatastores()).length;
          await ws.sql.query('SELECT count(*) AS n FROM patient').catch(() => []);
          return { counts: { datastores: n }, outputs: [] };
        },
      };
      const out = collect();
      const code = await awsCommand(['smoke'], out.io, {
        dir,
        steps: [step],
        checkCredentials: () => Promise.resolve(`…${KEY_ID.slice(-4)}`),
        aws: { region: 'us-east-1', s3Uri: 's3://my-bucket/mmh/', roleArn: ROLE },
      });
      assert.equal(code, 0, out.text());
      const lines = fs
        .readFileSync(path.join(dir, 'aws-smoke', 'transcript.jsonl'), 'utf8')
        .trim()
        .split('\n')
        .map((l) => JSON.parse(l) as { service: string; command: string; outcome: unknown });
      assert.deepEqual(
        lines.map((l) => `${l.service}.${l.command}`),
        ['HealthLakeClient.ListFHIRDatastoresCommand', 'AthenaClient.StartQueryExecutionCommand', 'AthenaClient.GetQueryExecutionCommand', 'AthenaClient.GetQueryExecutionCommand'],
      );
      assert.ok(lines.every((l) => l.outcome === 'ok'));
      const all = `${out.text()}${fs.readFileSync(path.join(dir, 'aws-smoke', 'transcript.jsonl'), 'utf8')}${fs.readFileSync(path.join(dir, 'aws-smoke', 'summary.txt'), 'utf8')}`;
      assert.ok(!all.includes(SECRET) && !all.includes(KEY_ID));
      assert.match(out.text(), /4 AWS calls \(0 failed\)/);
    } finally {
      hl.restore();
      athena.restore();
    }
  });
});
