import * as assert from 'node:assert/strict';
import { AthenaClient, GetQueryExecutionCommand, GetQueryResultsCommand, StartQueryExecutionCommand } from '@aws-sdk/client-athena';
import { CreateFeatureGroupCommand, DeleteFeatureGroupCommand, DescribeFeatureGroupCommand, ListFeatureGroupsCommand, SageMakerClient } from '@aws-sdk/client-sagemaker';
import type { DescribeFeatureGroupCommandOutput } from '@aws-sdk/client-sagemaker';
import { BatchGetRecordCommand, DeleteRecordCommand, GetRecordCommand, PutRecordCommand, SageMakerFeatureStoreRuntimeClient } from '@aws-sdk/client-sagemaker-featurestore-runtime';
import { mockClient } from 'aws-sdk-client-mock';
import { suiteMock } from '../../aws/suite-mock';
import { AwsFeatureStore, mapFeatureStoreError } from '../../../src/features/aws/aws-feature-store';
import { silentProgress } from '../../../src/progress';
import { AthenaEngine } from '../../../src/sql/athena-engine';

const ROLE = 'arn:aws:iam::123456789012:role/mmh-featurestore';

function awsError(name: string, status: number, message = name): Error {
  return Object.assign(new Error(message), { name, $metadata: { httpStatusCode: status } });
}

function described(status: string): DescribeFeatureGroupCommandOutput {
  return {
    $metadata: {},
    FeatureGroupArn: 'arn:aws:sagemaker:us-east-1:123456789012:feature-group/vitals',
    FeatureGroupName: 'vitals',
    RecordIdentifierFeatureName: 'patient_id',
    EventTimeFeatureName: 'event_time',
    FeatureDefinitions: [
      { FeatureName: 'patient_id', FeatureType: 'String' },
      { FeatureName: 'event_time', FeatureType: 'String' },
      { FeatureName: 'bmi', FeatureType: 'Fractional' },
      { FeatureName: 'smoker', FeatureType: 'Integral' },
    ],
    CreationTime: new Date('2024-01-01T00:00:00Z'),
    OnlineStoreConfig: { EnableOnlineStore: true },
    OfflineStoreConfig: {
      S3StorageConfig: { S3Uri: 's3://bucket/mmh/feature-store/', ResolvedOutputS3Uri: 's3://bucket/mmh/feature-store/123456789012/sagemaker/us-east-1/offline-store/vitals-1704067200/data' },
      DataCatalogConfig: { TableName: 'vitals_1704067200', Catalog: 'AwsDataCatalog', Database: 'sagemaker_featurestore' },
    },
    FeatureGroupStatus: status as 'Created',
    NextToken: undefined,
  };
}

function storeOptions(roleArn: string | null = ROLE): ConstructorParameters<typeof AwsFeatureStore>[0] {
  const sql = new AthenaEngine({ client: new AthenaClient({ region: 'us-east-1' }), workGroup: 'primary', database: 'multimodal_health', initialPollMs: 1 });
  return {
    sagemaker: new SageMakerClient({ region: 'us-east-1' }),
    runtime: new SageMakerFeatureStoreRuntimeClient({ region: 'us-east-1' }),
    sql,
    progress: silentProgress,
    offlineS3Uri: 's3://bucket/mmh/feature-store/',
    database: 'multimodal_health',
    pollMs: 1,
    ...(roleArn === null ? {} : { roleArn }),
  };
}

function store(roleArn: string | null = ROLE): AwsFeatureStore {
  return new AwsFeatureStore(storeOptions(roleArn));
}

describe('AwsFeatureStore (SageMaker commands)', () => {
  const sm = suiteMock(() => mockClient(SageMakerClient));
  const rt = suiteMock(() => mockClient(SageMakerFeatureStoreRuntimeClient));
  const athena = suiteMock(() => mockClient(AthenaClient));
  beforeEach(() => {
    sm.reset();
    rt.reset();
    athena.reset();
  });

  it('creates a group with the exact CreateFeatureGroup input and polls until Created', async () => {
    sm.on(CreateFeatureGroupCommand).resolves({ FeatureGroupArn: 'arn' });
    sm.on(DescribeFeatureGroupCommand).resolvesOnce(described('Creating')).resolves(described('Created'));
    const desc = await store().createFeatureGroup({
      name: 'vitals',
      recordIdentifierFeatureName: 'patient_id',
      eventTimeFeatureName: 'event_time',
      featureDefinitions: [
        { name: 'patient_id', type: 'String' },
        { name: 'event_time', type: 'String' },
        { name: 'bmi', type: 'Fractional' },
        { name: 'smoker', type: 'Integral' },
      ],
      description: 'vitals',
    });
    assert.deepEqual(sm.commandCalls(CreateFeatureGroupCommand)[0]?.args[0].input, {
      FeatureGroupName: 'vitals',
      RecordIdentifierFeatureName: 'patient_id',
      EventTimeFeatureName: 'event_time',
      FeatureDefinitions: [
        { FeatureName: 'patient_id', FeatureType: 'String' },
        { FeatureName: 'event_time', FeatureType: 'String' },
        { FeatureName: 'bmi', FeatureType: 'Fractional' },
        { FeatureName: 'smoker', FeatureType: 'Integral' },
      ],
      OnlineStoreConfig: { EnableOnlineStore: true },
      OfflineStoreConfig: { S3StorageConfig: { S3Uri: 's3://bucket/mmh/feature-store/' } },
      RoleArn: ROLE,
      Description: 'vitals',
    });
    assert.equal(sm.commandCalls(DescribeFeatureGroupCommand).length, 2);
    assert.equal(desc.status, 'Created');
    assert.deepEqual(desc.offlineStore, {
      database: 'sagemaker_featurestore',
      tableName: 'vitals_1704067200',
      location: 's3://bucket/mmh/feature-store/123456789012/sagemaker/us-east-1/offline-store/vitals-1704067200/data',
    });
  });

  it('refuses bad names, reserved features and a missing role before calling AWS', async () => {
    const defs = [
      { name: 'patient_id', type: 'String' as const },
      { name: 'event_time', type: 'String' as const },
    ];
    await assert.rejects(
      store().createFeatureGroup({ name: '-bad', recordIdentifierFeatureName: 'patient_id', eventTimeFeatureName: 'event_time', featureDefinitions: defs }),
      /feature group name "-bad" is not valid/,
    );
    await assert.rejects(
      store().createFeatureGroup({ name: 'x'.repeat(65), recordIdentifierFeatureName: 'patient_id', eventTimeFeatureName: 'event_time', featureDefinitions: defs }),
      /65 characters/,
    );
    await assert.rejects(
      store().createFeatureGroup({ name: 'g', recordIdentifierFeatureName: 'patient_id', eventTimeFeatureName: 'event_time', featureDefinitions: [...defs, { name: 'write_time', type: 'String' }] }),
      /"write_time" is reserved/,
    );
    await assert.rejects(
      store().createFeatureGroup({
        name: 'g',
        recordIdentifierFeatureName: 'patient_id',
        eventTimeFeatureName: 'event_time',
        featureDefinitions: [...defs, ...Array.from({ length: 2499 }, (_v, i) => ({ name: `f${String(i)}`, type: 'Fractional' as const }))],
      }),
      /2501 feature definitions exceed SageMaker's limit of 2500/,
    );
    await assert.rejects(store(null).createFeatureGroup({ name: 'g', recordIdentifierFeatureName: 'patient_id', eventTimeFeatureName: 'event_time', featureDefinitions: defs }), {
      code: 'invalid-config',
    });
    assert.equal(sm.calls().length, 0);
  });

  it('maps SageMaker errors by name', async () => {
    sm.on(DescribeFeatureGroupCommand).rejects(awsError('ResourceNotFound', 400, 'Resource Not Found'));
    await assert.rejects(store().describeFeatureGroup('nope'), { code: 'not-found', message: /ResourceNotFound/ });
    assert.equal(mapFeatureStoreError('x', awsError('ResourceInUse', 400)).code, 'conflict');
    assert.equal(mapFeatureStoreError('x', awsError('ValidationError', 400)).code, 'invalid-input');
    assert.equal(mapFeatureStoreError('x', awsError('InternalFailure', 500)).code, 'backend');
  });

  it('puts records as ValueAsString, leaving unset features out', async () => {
    sm.on(DescribeFeatureGroupCommand).resolves(described('Created'));
    rt.on(PutRecordCommand).resolves({});
    const s = store();
    await s.putRecord('vitals', { patient_id: 'p1', event_time: new Date('2020-01-01T00:00:00Z'), bmi: 27.5, smoker: null }, { targetStores: ['OfflineStore'] });
    assert.deepEqual(rt.commandCalls(PutRecordCommand)[0]?.args[0].input, {
      FeatureGroupName: 'vitals',
      Record: [
        { FeatureName: 'patient_id', ValueAsString: 'p1' },
        { FeatureName: 'event_time', ValueAsString: '2020-01-01T00:00:00.000Z' },
        { FeatureName: 'bmi', ValueAsString: '27.5' },
      ],
      TargetStores: ['OfflineStore'],
    });
    await assert.rejects(s.putRecord('vitals', { patient_id: 'p1', event_time: '2020-01-01T00:00:00Z', smoker: 'yes' }), /"smoker" = "yes" is not an Integral/);
    assert.equal(rt.commandCalls(PutRecordCommand).length, 1);
  });

  it('gets, batch-gets and deletes records', async () => {
    sm.on(DescribeFeatureGroupCommand).resolves(described('Created'));
    rt.on(GetRecordCommand, { RecordIdentifierValueAsString: 'p1' })
      .resolves({
        Record: [
          { FeatureName: 'patient_id', ValueAsString: 'p1' },
          { FeatureName: 'bmi', ValueAsString: '27.5' },
          { FeatureName: 'smoker', ValueAsString: '1' },
        ],
      })
      .on(GetRecordCommand, { RecordIdentifierValueAsString: 'p2' })
      .resolves({});
    rt.on(BatchGetRecordCommand).resolves({
      Records: [{ FeatureGroupName: 'vitals', RecordIdentifierValueAsString: 'p1', Record: [{ FeatureName: 'smoker', ValueAsString: '0' }] }],
      Errors: [{ FeatureGroupName: 'vitals', RecordIdentifierValueAsString: 'p9', ErrorCode: 'ResourceNotFound', ErrorMessage: 'missing' }],
      UnprocessedIdentifiers: [],
    });
    rt.on(DeleteRecordCommand).resolves({});
    const s = store();
    assert.deepEqual(await s.getRecord('vitals', 'p1', { featureNames: ['bmi', 'smoker'] }), { patient_id: 'p1', bmi: 27.5, smoker: 1 });
    assert.deepEqual(rt.commandCalls(GetRecordCommand)[0]?.args[0].input, { FeatureGroupName: 'vitals', RecordIdentifierValueAsString: 'p1', FeatureNames: ['bmi', 'smoker'] });
    assert.equal(await s.getRecord('vitals', 'p2'), undefined);
    const got = await s.batchGetRecord([{ groupName: 'vitals', recordIds: ['p1', 'p9'], featureNames: ['smoker'] }]);
    assert.deepEqual(rt.commandCalls(BatchGetRecordCommand)[0]?.args[0].input, {
      Identifiers: [{ FeatureGroupName: 'vitals', RecordIdentifiersValueAsString: ['p1', 'p9'], FeatureNames: ['smoker'] }],
    });
    assert.deepEqual(got.records, [{ groupName: 'vitals', recordId: 'p1', record: { smoker: 0 } }]);
    assert.equal(got.errors[0]?.errorCode, 'ResourceNotFound');
    await assert.rejects(s.batchGetRecord([{ groupName: 'vitals', recordIds: Array.from({ length: 101 }, (_v, i) => `p${String(i)}`) }]), /at most 100/);
    await s.deleteRecord('vitals', 'p1', new Date('2021-01-01T00:00:00Z'), { mode: 'HardDelete' });
    assert.deepEqual(rt.commandCalls(DeleteRecordCommand)[0]?.args[0].input, {
      FeatureGroupName: 'vitals',
      RecordIdentifierValueAsString: 'p1',
      EventTime: '2021-01-01T00:00:00.000Z',
      DeletionMode: 'HardDelete',
    });
  });

  it('ingests with parallel PutRecord calls, reporting local and service failures per record', async () => {
    sm.on(DescribeFeatureGroupCommand).resolves(described('Created'));
    rt.on(PutRecordCommand).resolves({});
    rt.on(PutRecordCommand, {
      Record: [
        { FeatureName: 'patient_id', ValueAsString: 'p3' },
        { FeatureName: 'event_time', ValueAsString: '2020-01-01T00:00:00Z' },
      ],
    }).rejects(awsError('ValidationError', 400, 'bad record'));
    const rows = [
      { patient_id: 'p1', event_time: '2020-01-01T00:00:00Z', bmi: 1 },
      { patient_id: 'p2', event_time: 'not a time' },
      { patient_id: 'p3', event_time: '2020-01-01T00:00:00Z' },
      { patient_id: 'p4', event_time: '2020-01-01T00:00:00Z', smoker: 0 },
    ];
    const report = await store().ingest('vitals', rows, { workers: 3 });
    assert.equal(report.records, 4);
    assert.equal(report.succeeded, 2);
    assert.deepEqual(
      report.failed.map((f) => f.recordId),
      ['p2', 'p3'],
    );
    assert.match(report.failed[1]?.reason ?? '', /ValidationError.*bad record/);
    assert.equal(rt.commandCalls(PutRecordCommand).length, 3);
  });

  it('lists with pagination and deletes by polling until the group is gone', async () => {
    sm.on(ListFeatureGroupsCommand)
      .resolvesOnce({ FeatureGroupSummaries: [{ FeatureGroupName: 'b', FeatureGroupArn: 'arn:b', CreationTime: new Date(0), FeatureGroupStatus: 'Created' }], NextToken: 't1' })
      .resolves({ FeatureGroupSummaries: [{ FeatureGroupName: 'a', FeatureGroupArn: 'arn:a', CreationTime: new Date(0), FeatureGroupStatus: 'Created' }] });
    const s = store();
    assert.deepEqual(
      (await s.listFeatureGroups({ nameContains: 'x' })).map((g) => g.name),
      ['a', 'b'],
    );
    assert.deepEqual(sm.commandCalls(ListFeatureGroupsCommand)[1]?.args[0].input, { MaxResults: 100, NameContains: 'x', NextToken: 't1' });
    sm.on(DeleteFeatureGroupCommand).resolves({});
    sm.on(DescribeFeatureGroupCommand).resolvesOnce(described('Deleting')).rejects(awsError('ResourceNotFound', 400));
    await s.deleteFeatureGroup('vitals');
    assert.deepEqual(sm.commandCalls(DeleteFeatureGroupCommand)[0]?.args[0].input, { FeatureGroupName: 'vitals' });
    assert.equal(sm.commandCalls(DescribeFeatureGroupCommand).length, 2);
  });

  it('builds a point-in-time dataset with one Athena query over the Glue offline table', async () => {
    sm.on(DescribeFeatureGroupCommand).resolves(described('Created'));
    athena.on(StartQueryExecutionCommand).resolves({ QueryExecutionId: 'q1' });
    athena.on(GetQueryExecutionCommand).resolves({ QueryExecution: { Status: { State: 'SUCCEEDED' } } });
    athena.on(GetQueryResultsCommand).resolves({
      ResultSet: {
        ResultSetMetadata: {
          ColumnInfo: [
            { Name: 'patient_id', Type: 'varchar' },
            { Name: 'event_time', Type: 'varchar' },
            { Name: 'bmi', Type: 'double' },
          ],
        },
        Rows: [
          { Data: [{ VarCharValue: 'patient_id' }, { VarCharValue: 'event_time' }, { VarCharValue: 'bmi' }] },
          { Data: [{ VarCharValue: 'p1' }, { VarCharValue: '2020-06-01T00:00:00Z' }, { VarCharValue: '27.5' }] },
        ],
      },
    });
    const ds = await store().buildDataset({ base: { rows: [{ patient_id: 'p1', event_time: '2020-06-01T00:00:00Z' }] }, groups: ['vitals'], features: ['bmi'] });
    assert.deepEqual(ds.rows, [{ patient_id: 'p1', event_time: '2020-06-01T00:00:00Z', bmi: 27.5 }]);
    const input = athena.commandCalls(StartQueryExecutionCommand)[0]?.args[0].input;
    const sql = input?.QueryString ?? '';
    assert.ok(sql.includes('FROM "sagemaker_featurestore"."vitals_1704067200" o'));
    assert.ok(sql.includes('from_iso8601_timestamp'));
    assert.doesNotMatch(sql, /QUALIFY|\?/);
    // Athena binds ? only in WHERE ("Use parameterized queries", Athena User Guide): base rows are VALUES literals.
    assert.ok(sql.includes("VALUES ('p1', '2020-06-01T00:00:00Z')"), sql);
    assert.equal(input?.ExecutionParameters, undefined);
  });

  it('retries a throttled PutRecord with backoff instead of counting a failed row (PutRecord "Errors": ThrottlingException)', async () => {
    sm.on(DescribeFeatureGroupCommand).resolves(described('Created'));
    rt.on(PutRecordCommand)
      .rejectsOnce(awsError('ThrottlingException', 400, 'Rate exceeded'))
      .rejectsOnce(Object.assign(awsError('ThrottlingException', 429, 'Rate exceeded'), { $retryable: { throttling: true } }))
      .resolves({});
    const s = new AwsFeatureStore({ ...storeOptions(), throttleBaseMs: 1 });
    const report = await s.ingest('vitals', [{ patient_id: 'p1', event_time: '2020-01-01T00:00:00Z', bmi: 1 }], { workers: 1 });
    assert.deepEqual([report.succeeded, report.failed.length], [1, 0]);
    assert.equal(rt.commandCalls(PutRecordCommand).length, 3);
    // A throttle that never clears becomes a failed row after the configured attempts, named as throttling.
    rt.reset();
    rt.on(PutRecordCommand).rejects(awsError('ThrottlingException', 400, 'Rate exceeded'));
    const s2 = new AwsFeatureStore({ ...storeOptions(), throttleBaseMs: 1, throttleAttempts: 3 });
    const r2 = await s2.ingest('vitals', [{ patient_id: 'p1', event_time: '2020-01-01T00:00:00Z' }]);
    assert.equal(r2.failed.length, 1);
    assert.match(r2.failed[0]?.reason ?? '', /ThrottlingException/);
    assert.equal(rt.commandCalls(PutRecordCommand).length, 3);
  });

  it('buildDataset waits for ingested records to reach the offline store (written within 15 min, "offline store data format")', async () => {
    sm.on(DescribeFeatureGroupCommand).resolves(described('Created'));
    rt.on(PutRecordCommand).resolves({});
    let polls = 0;
    athena.on(StartQueryExecutionCommand).callsFake((input: { QueryString?: string }) => ({ QueryExecutionId: /count\(DISTINCT/.test(input.QueryString ?? '') ? `count-${String(++polls)}` : 'ds' }));
    athena.on(GetQueryExecutionCommand).resolves({ QueryExecution: { Status: { State: 'SUCCEEDED' } } });
    const countPage = (n: number) => ({
      ResultSet: { ResultSetMetadata: { ColumnInfo: [{ Name: 'n', Type: 'bigint' }] }, Rows: [{ Data: [{ VarCharValue: 'n' }] }, { Data: [{ VarCharValue: String(n) }] }] },
    });
    athena.on(GetQueryResultsCommand, { QueryExecutionId: 'count-1' }).resolves(countPage(0));
    athena.on(GetQueryResultsCommand, { QueryExecutionId: 'count-2' }).resolves(countPage(1));
    athena.on(GetQueryResultsCommand, { QueryExecutionId: 'count-3' }).resolves(countPage(2));
    athena.on(GetQueryResultsCommand, { QueryExecutionId: 'ds' }).resolves({
      ResultSet: {
        ResultSetMetadata: {
          ColumnInfo: [
            { Name: 'patient_id', Type: 'varchar' },
            { Name: 'event_time', Type: 'varchar' },
            { Name: 'bmi', Type: 'double' },
          ],
        },
        Rows: [{ Data: [{ VarCharValue: 'patient_id' }, { VarCharValue: 'event_time' }, { VarCharValue: 'bmi' }] }],
      },
    });
    const updates: number[] = [];
    const progress = { start: () => ({ update: (n: number) => updates.push(n), tick: () => undefined, finish: () => undefined }) };
    const s = new AwsFeatureStore({ ...storeOptions(), progress, offlinePollMs: 1 });
    await s.ingest(
      'vitals',
      [
        { patient_id: 'p1', event_time: '2020-01-01T00:00:00Z' },
        { patient_id: 'p2', event_time: '2020-01-01T00:00:00Z' },
      ],
      { progress: silentProgress },
    );
    await s.buildDataset({ base: { rows: [{ patient_id: 'p1', event_time: '2020-06-01T00:00:00Z' }] }, groups: ['vitals'], features: ['bmi'] });
    assert.equal(polls, 3);
    assert.deepEqual(updates, [0, 1, 2]);
    const first = athena.commandCalls(StartQueryExecutionCommand)[0]?.args[0].input;
    assert.equal(first?.QueryString, 'SELECT count(DISTINCT "patient_id") AS n FROM "sagemaker_featurestore"."vitals_1704067200" WHERE api_invocation_time >= ?');
    assert.match(first.ExecutionParameters?.[0] ?? '', /^TIMESTAMP '\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d{3}'$/);
    // Nothing pending any more: a second dataset does not poll again.
    await s.buildDataset({ base: { rows: [{ patient_id: 'p1', event_time: '2020-06-01T00:00:00Z' }] }, groups: ['vitals'], features: ['bmi'] });
    assert.equal(polls, 3);
    // And a store that never sees the rows gives up with a timeout naming the count.
    athena.on(GetQueryResultsCommand, { QueryExecutionId: 'count-4' }).resolves(countPage(0));
    athena.on(GetQueryResultsCommand).resolves(countPage(0));
    const late = new AwsFeatureStore({ ...storeOptions(), offlinePollMs: 1, offlineWaitMs: 5 });
    await late.ingest('vitals', [{ patient_id: 'p9', event_time: '2020-01-01T00:00:00Z' }]);
    await assert.rejects(late.waitForOfflineStore('vitals'), (e: { code?: string; message?: string }) => e.code === 'timeout' && /0 of 1 records/.test(e.message ?? ''));
  });
});
