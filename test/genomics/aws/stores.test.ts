import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import {
  CreateAnnotationStoreCommand,
  CreateReferenceStoreCommand,
  CreateVariantStoreCommand,
  GetAnnotationImportJobCommand,
  GetReferenceImportJobCommand,
  GetVariantImportJobCommand,
  GetVariantStoreCommand,
  ListReferencesCommand,
  ListVariantStoresCommand,
  OmicsClient,
  StartAnnotationImportJobCommand,
  StartReferenceImportJobCommand,
  StartVariantImportJobCommand,
} from '@aws-sdk/client-omics';
import * as crypto from 'node:crypto';
import { CreateDatabaseCommand, CreateTableCommand, GlueClient } from '@aws-sdk/client-glue';
import { GetObjectCommand } from '@aws-sdk/client-s3';
import { DuckDBInstance } from '@duckdb/node-api';
import { mockClient } from 'aws-sdk-client-mock';
import { suiteMock } from '../../aws/suite-mock';
import { resolveConfig } from '../../../src/config';
import { silentProgress } from '../../../src/progress';
import type { SqlEngine } from '../../../src/sql/engine';
import type { WorkspaceCore } from '../../../src/workspace';
import { OmicsGenomicsStores, mapAwsError } from '../../../src/genomics/aws/omics-stores';
import { S3ParquetVariantTables, parseS3Uri } from '../../../src/genomics/aws/s3-parquet-tables';
import { VARIANT_COLUMNS } from '../../../src/genomics/schema';
import { listS3 } from '../../../src/aws/s3';
import { tmpDir } from '../../helpers/tmp';
import { fakeGlue } from '../../aws/fakes/glue';
import type { LocalS3 } from '../../aws/s3rver';
import { startLocalS3 } from '../../aws/s3rver';

const ROLE = 'arn:aws:iam::123456789012:role/OmicsImport';
const REF_ARN = 'arn:aws:omics:us-east-1:123456789012:referenceStore/1234567890/reference/5987565360';
const FIX = path.join(__dirname, '..', 'fixtures');

function core(dir: string, roleArn: string | null = ROLE): WorkspaceCore & { close(): Promise<void> } {
  const config = resolveConfig({ dir, backend: 'aws', aws: { region: 'us-east-1', s3Uri: 's3://mmh-bucket/study1/', ...(roleArn === null ? {} : { roleArn }) } });
  const closers: (() => Promise<void> | void)[] = [];
  return {
    config,
    backend: 'aws',
    sql: {} as SqlEngine,
    duckdb: undefined,
    progress: silentProgress,
    path: (...p: string[]) => path.join(dir, ...p),
    onClose: (fn) => closers.push(fn),
    close: async () => {
      for (const fn of closers) {
        await fn();
      }
    },
  };
}

describe('AWS genomics: HealthOmics stores (aws-sdk-client-mock)', () => {
  const omics = suiteMock(() => mockClient(OmicsClient));
  let dir = '';
  beforeEach(() => {
    omics.reset();
    dir = tmpDir('omics');
  });
  afterEach(() => {
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('creates a reference store and imports a FASTA with the role, waiting through IN_PROGRESS', async () => {
    const ws = core(dir);
    const g = new OmicsGenomicsStores(ws, { client: new OmicsClient({ region: 'us-east-1' }), pollMs: 1 });
    const t = new Date('2026-01-01T00:00:00Z');
    omics.on(CreateReferenceStoreCommand).resolves({ id: '1234567890', arn: 'arn:aws:omics:us-east-1:123456789012:referenceStore/1234567890', name: 'mmh-reference', creationTime: t });
    omics.on(StartReferenceImportJobCommand).resolves({ id: 'job1', referenceStoreId: '1234567890', roleArn: ROLE, status: 'SUBMITTED', creationTime: t });
    omics
      .on(GetReferenceImportJobCommand)
      .resolvesOnce({ id: 'job1', referenceStoreId: '1234567890', roleArn: ROLE, status: 'IN_PROGRESS', creationTime: t, sources: [] })
      .resolves({ id: 'job1', referenceStoreId: '1234567890', roleArn: ROLE, status: 'COMPLETED', creationTime: t, sources: [{ sourceFile: 's3://b/ref.fa', name: 'grch38', status: 'FINISHED' }] });
    omics.on(ListReferencesCommand).resolves({ references: [{ id: '5987565360', arn: REF_ARN, referenceStoreId: '1234567890', md5: 'x', name: 'grch38', creationTime: t, updateTime: t }] });
    const store = await g.createReferenceStore({ name: 'mmh-reference' });
    assert.deepEqual(store, { id: '1234567890', arn: 'arn:aws:omics:us-east-1:123456789012:referenceStore/1234567890', name: 'mmh-reference', creationTime: t });
    assert.deepEqual(omics.commandCalls(CreateReferenceStoreCommand)[0]?.args[0].input, { name: 'mmh-reference' });
    const job = await g.startReferenceImportJob({ referenceStoreId: store.id, sources: [{ sourceFile: 's3://b/ref.fa', name: 'grch38' }] });
    assert.deepEqual(job, { id: 'job1', status: 'SUBMITTED' });
    assert.deepEqual(omics.commandCalls(StartReferenceImportJobCommand)[0]?.args[0].input, {
      referenceStoreId: '1234567890',
      roleArn: ROLE,
      sources: [{ sourceFile: 's3://b/ref.fa', name: 'grch38' }],
    });
    const done = await g.waitForReferenceImportJob({ referenceStoreId: store.id, id: 'job1' });
    assert.equal(done.status, 'COMPLETED');
    assert.equal(omics.commandCalls(GetReferenceImportJobCommand).length, 2);
    assert.deepEqual(omics.commandCalls(GetReferenceImportJobCommand)[0]?.args[0].input, { referenceStoreId: '1234567890', id: 'job1' });
    assert.deepEqual(await g.listReferences(store.id), [{ id: '5987565360', arn: REF_ARN, name: 'grch38', referenceStoreId: '1234567890' }]);
    assert.equal(omics.commandCalls(ListReferencesCommand)[0]?.args[0].input.referenceStoreId, '1234567890');
  });

  it('creates a variant store, starts an import, and the waiter returns on COMPLETED_WITH_FAILURES', async () => {
    const ws = core(dir);
    const g = new OmicsGenomicsStores(ws, { client: new OmicsClient({ region: 'us-east-1' }), pollMs: 1 });
    const t = new Date('2026-01-01T00:00:00Z');
    omics.on(CreateVariantStoreCommand).resolves({ id: 'vs1', status: 'CREATING', name: 'omicsvariants', creationTime: t, reference: { referenceArn: REF_ARN } });
    omics.on(GetVariantStoreCommand).resolves({
      id: 'vs1',
      status: 'ACTIVE',
      name: 'omicsvariants',
      storeArn: 'arn:aws:omics:us-east-1:123456789012:variantStore/omicsvariants',
      reference: { referenceArn: REF_ARN },
      creationTime: t,
      updateTime: t,
      description: '',
      statusMessage: '',
      storeSizeBytes: 0,
      sseConfig: { type: 'KMS' },
      tags: {},
    });
    omics
      .on(ListVariantStoresCommand)
      .resolvesOnce({
        variantStores: [
          {
            id: 'vs1',
            status: 'ACTIVE',
            name: 'omicsvariants',
            storeArn: 'arn:s',
            reference: { referenceArn: REF_ARN },
            creationTime: t,
            updateTime: t,
            description: '',
            statusMessage: '',
            storeSizeBytes: 0,
            sseConfig: { type: 'KMS' },
          },
        ],
        nextToken: 'n',
      })
      .resolves({ variantStores: [] });
    omics.on(StartVariantImportJobCommand).resolves({ jobId: 'vj1' });
    omics
      .on(GetVariantImportJobCommand)
      .resolvesOnce({ id: 'vj1', destinationName: 'omicsvariants', roleArn: ROLE, status: 'IN_PROGRESS', statusMessage: '', creationTime: t, updateTime: t, runLeftNormalization: false, items: [] })
      .resolves({
        id: 'vj1',
        destinationName: 'omicsvariants',
        roleArn: ROLE,
        status: 'COMPLETED_WITH_FAILURES',
        statusMessage: '',
        creationTime: t,
        updateTime: t,
        completionTime: t,
        runLeftNormalization: false,
        items: [
          { source: 's3://b/p1_dna.vcf', jobStatus: 'COMPLETED' },
          { source: 's3://b/bad.vcf.gz', jobStatus: 'FAILED', statusMessage: 'Unexpected end of input' },
        ],
      });
    const s = await g.createVariantStore({ name: 'omicsvariants', reference: { referenceArn: REF_ARN } });
    assert.equal(s.status, 'CREATING');
    assert.deepEqual(omics.commandCalls(CreateVariantStoreCommand)[0]?.args[0].input, { name: 'omicsvariants', reference: { referenceArn: REF_ARN } });
    assert.equal((await g.getVariantStore('omicsvariants')).status, 'ACTIVE');
    assert.deepEqual(
      (await g.listVariantStores()).map((v) => v.name),
      ['omicsvariants'],
    );
    assert.equal(omics.commandCalls(ListVariantStoresCommand)[1]?.args[0].input.nextToken, 'n');
    const { jobId } = await g.startVariantImportJob({ destinationName: 'omicsvariants', items: [{ source: 's3://b/p1_dna.vcf' }, { source: 's3://b/bad.vcf.gz' }] });
    assert.equal(jobId, 'vj1');
    assert.deepEqual(omics.commandCalls(StartVariantImportJobCommand)[0]?.args[0].input, {
      destinationName: 'omicsvariants',
      roleArn: ROLE,
      items: [{ source: 's3://b/p1_dna.vcf' }, { source: 's3://b/bad.vcf.gz' }],
      runLeftNormalization: false,
    });
    const job = await g.waitForVariantImportJob(jobId);
    assert.equal(job.status, 'COMPLETED_WITH_FAILURES');
    assert.deepEqual(job.items, [
      { source: 's3://b/p1_dna.vcf', jobStatus: 'COMPLETED' },
      { source: 's3://b/bad.vcf.gz', jobStatus: 'FAILED', statusMessage: 'Unexpected end of input' },
    ]);
    assert.deepEqual(omics.commandCalls(GetVariantImportJobCommand)[0]?.args[0].input, { jobId: 'vj1' });
  });

  it('creates a VCF annotation store and imports ClinVar; times out with a typed error', async () => {
    const ws = core(dir);
    const g = new OmicsGenomicsStores(ws, { client: new OmicsClient({ region: 'us-east-1' }), pollMs: 5 });
    const t = new Date('2026-01-01T00:00:00Z');
    omics.on(CreateAnnotationStoreCommand).resolves({ id: 'as1', storeFormat: 'VCF', name: 'omicsannotations', status: 'CREATING', creationTime: t, versionName: 'v1' });
    omics.on(StartAnnotationImportJobCommand).resolves({ jobId: 'aj1' });
    omics.on(GetAnnotationImportJobCommand).resolves({
      id: 'aj1',
      destinationName: 'omicsannotations',
      versionName: 'v1',
      roleArn: ROLE,
      status: 'IN_PROGRESS',
      statusMessage: '',
      creationTime: t,
      updateTime: t,
      items: [],
      runLeftNormalization: false,
    });
    const a = await g.createAnnotationStore({ name: 'omicsannotations', storeFormat: 'VCF', reference: { referenceArn: REF_ARN } });
    assert.equal(a.storeFormat, 'VCF');
    assert.deepEqual(omics.commandCalls(CreateAnnotationStoreCommand)[0]?.args[0].input, { name: 'omicsannotations', storeFormat: 'VCF', reference: { referenceArn: REF_ARN } });
    await g.startAnnotationImportJob({ destinationName: 'omicsannotations', items: [{ source: 's3://b/clinvar.vcf.gz' }] });
    assert.deepEqual(omics.commandCalls(StartAnnotationImportJobCommand)[0]?.args[0].input, {
      destinationName: 'omicsannotations',
      roleArn: ROLE,
      items: [{ source: 's3://b/clinvar.vcf.gz' }],
      runLeftNormalization: false,
    });
    await assert.rejects(g.waitForAnnotationImportJob('aj1', { timeoutMs: 30 }), (e: unknown) => (e as { code?: string }).code === 'timeout');
  });

  it('maps SDK errors by name and needs a role for imports', async () => {
    const ws = core(dir, null);
    const g = new OmicsGenomicsStores(ws, { client: new OmicsClient({ region: 'us-east-1' }), pollMs: 1 });
    omics.on(GetVariantStoreCommand).rejects(Object.assign(new Error('Store not found'), { name: 'ResourceNotFoundException', $metadata: { httpStatusCode: 404 } }));
    await assert.rejects(g.getVariantStore('nope'), (e: unknown) => {
      assert.equal((e as { code?: string }).code, 'not-found');
      assert.match((e as Error).message, /getVariantStore: AWS returned ResourceNotFoundException \(HTTP 404\): Store not found/);
      return true;
    });
    await assert.rejects(g.startVariantImportJob({ destinationName: 'x', items: [{ source: 's3://b/x.vcf' }] }), /set MMH_ROLE_ARN/);
    assert.equal(omics.commandCalls(StartVariantImportJobCommand).length, 0);
    assert.equal(mapAwsError('f', Object.assign(new Error('x'), { name: 'ValidationException' })).code, 'invalid-input');
    assert.equal(g.tableName('omicsvariants'), '"omicsvariants"');
  });
});

/**
 * Parquet on S3 + Glue, against the Glue catalog as its API Reference describes it (test/aws/fakes/glue.ts:
 * CreateTable in a missing database throws EntityNotFoundException) and a real S3 server over HTTP (s3rver).
 */
describe('AWS genomics: Parquet on S3 + Glue (fake Glue from the API Reference, real S3 over HTTP)', function () {
  this.timeout(60_000);
  const glue = fakeGlue();
  let s3: LocalS3;
  let dir = '';
  before(async () => {
    s3 = await startLocalS3();
    await s3.bucket('mmh-bucket');
  });
  after(async () => {
    await s3.close();
  });
  beforeEach(() => {
    glue.mock.resetHistory();
    glue.databases.clear();
    dir = tmpDir('s3parquet');
  });
  afterEach(() => {
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('parses S3 URIs', () => {
    assert.deepEqual(parseS3Uri('s3://b/a/c'), { bucket: 'b', prefix: 'a/c/' });
    assert.deepEqual(parseS3Uri('s3://b'), { bucket: 'b', prefix: '' });
    assert.throws(() => parseS3Uri('https://x'), /not an s3:\/\/bucket/);
  });

  it('creates the missing Glue database before CreateTable, uploads content-addressed Parquet and the test dates', async () => {
    const ws = core(dir);
    const t = new S3ParquetVariantTables(ws, { s3: s3.client, glue: new GlueClient({ region: 'us-east-1' }) });
    const sources = [path.join(FIX, 'p1_dna.vcf'), path.join(FIX, 'p3_faulty.vcf'), path.join(dir, 'missing.vcf')];
    const job = await t.importVcfs({ table: 'omicsvariants', sources });
    assert.equal(job.status, 'COMPLETED_WITH_FAILURES');
    assert.deepEqual(
      job.items.map((i) => [i.jobStatus, i.rows ?? 0]),
      [
        ['COMPLETED', 5],
        ['COMPLETED_WITH_FAILURES', 2],
        ['FAILED', 0],
      ],
    );
    assert.deepEqual(
      job.failures?.map((f) => [path.basename(f.source), f.line]),
      [
        ['p3_faulty.vcf', 7],
        ['p3_faulty.vcf', 8],
        ['p3_faulty.vcf', 9],
        ['missing.vcf', 0],
      ],
    );
    // The database did not exist: it was created first, then the tables in it.
    const order = glue.mock.calls().map((c) => (c.args[0] as { constructor: { name: string } }).constructor.name);
    assert.ok(order.indexOf('CreateDatabaseCommand') >= 0 && order.indexOf('CreateDatabaseCommand') < order.indexOf('CreateTableCommand'), order.join(','));
    assert.deepEqual([...(glue.databases.get('multimodal_health')?.keys() ?? [])].sort(), ['omicsvariants', 'omicsvariants_test_dates']);
    const create = glue.mock.commandCalls(CreateTableCommand).find((c) => c.args[0].input.TableInput?.Name === 'omicsvariants')?.args[0].input;
    assert.equal(create?.DatabaseName, 'multimodal_health');
    assert.equal(create.TableInput?.StorageDescriptor?.Location, 's3://mmh-bucket/study1/genomics/omicsvariants/');
    assert.deepEqual(
      create.TableInput.StorageDescriptor.Columns,
      VARIANT_COLUMNS.map((c) => ({ Name: c.name, Type: c.glue })),
    );
    assert.equal(create.TableInput.StorageDescriptor.SerdeInfo?.SerializationLibrary, 'org.apache.hadoop.hive.ql.io.parquet.serde.ParquetHiveSerDe');
    // Keys come from the VCF bytes, not from where the file sits.
    const digest = (f: string): string => crypto.createHash('sha256').update(fs.readFileSync(f)).digest('hex').slice(0, 32);
    const keys = (await listS3(s3.client, 's3://mmh-bucket/study1/genomics/omicsvariants/')).map((o) => o.key).sort();
    assert.deepEqual(
      keys,
      sources
        .slice(0, 2)
        .map((f) => `study1/genomics/omicsvariants/${digest(f)}.parquet`)
        .sort(),
    );
    // The same VCF from another checkout: same key, no extra object.
    const copy = path.join(dir, 'elsewhere', 'p1_dna.vcf');
    fs.mkdirSync(path.dirname(copy), { recursive: true });
    fs.copyFileSync(sources[0] ?? '', copy);
    const again = await t.importVcfs({ table: 'omicsvariants', sources: [copy] });
    assert.equal(again.status, 'COMPLETED');
    assert.equal((await listS3(s3.client, 's3://mmh-bucket/study1/genomics/omicsvariants/')).length, 2);
    assert.equal(glue.mock.commandCalls(CreateDatabaseCommand).length, 1);
    // The genetic test date (##fileDate=20200115) travels with the data.
    const dateKeys = await listS3(s3.client, 's3://mmh-bucket/study1/genomics/omicsvariants_test_dates/');
    assert.ok(dateKeys.length >= 1);
    const local = path.join(dir, 'dates.parquet');
    const body = await s3.client.send(new GetObjectCommand({ Bucket: 'mmh-bucket', Key: `study1/genomics/omicsvariants_test_dates/${digest(sources[0] ?? '')}.parquet` }));
    fs.writeFileSync(local, (await body.Body?.transformToByteArray()) ?? new Uint8Array());
    const db = await DuckDBInstance.create(':memory:');
    const conn = await db.connect();
    const rows = (await conn.runAndReadAll(`SELECT sampleid, test_date FROM read_parquet('${local}')`)).getRowObjects();
    conn.closeSync();
    db.closeSync();
    assert.deepEqual(rows, [{ sampleid: 'p1', test_date: '2020-01-15' }]);
    await assert.rejects(t.importVcfs({ table: 'Bad', sources: [] }), /must match/);
    await ws.close();
  });
});
