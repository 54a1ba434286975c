/**
 * Every SQL statement the library sends to Athena, collected by running the code paths that issue them (recording
 * engines and the Athena client mock), then parsed with the Trino grammar (dt-sql-parser's TrinoSQL, built from
 * Trino's own ANTLR grammar) and put through the semantic lint in trino-lint.ts. The same statements run on DuckDB
 * in the domain tests (cohort sources, genomic features, feature-store datasets, dashboard loader).
 */
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { AthenaClient, GetQueryExecutionCommand, GetQueryResultsCommand, StartQueryExecutionCommand } from '@aws-sdk/client-athena';
import { DescribeFeatureGroupCommand, SageMakerClient } from '@aws-sdk/client-sagemaker';
import { PutRecordCommand, SageMakerFeatureStoreRuntimeClient } from '@aws-sdk/client-sagemaker-featurestore-runtime';
import { mockClient } from 'aws-sdk-client-mock';
import { athenaCohortSources } from '../../src/clinical/aws/athena-cohort-sources';
import { resolveConfig } from '../../src/config';
import { loadDashboardInput } from '../../src/dashboard/load';
import { AwsFeatureStore } from '../../src/features/aws/aws-feature-store';
import { carriedAllelesSql } from '../../src/genomics/carried-alleles';
import { alleleDosageSql, carriedSignificanceSql, clinvarMatchedAllelesSql, guidanceClinvarJoinSql, sampleSummarySql } from '../../src/genomics/queries';
import { silentProgress } from '../../src/progress';
import { AthenaEngine } from '../../src/sql/athena-engine';
import type { QueryResult, Row, SqlEngine, SqlParam } from '../../src/sql/engine';
import { PORTABLE_MACROS } from '../../src/sql/portable-macros';
import type { Workspace } from '../../src/workspace';
import { tmpDir } from '../helpers/tmp';
import { lintTrinoSql } from './trino-lint';

/** An engine with Athena's dialect that records statements and answers from a function. */
class RecordingEngine implements SqlEngine {
  readonly dialect = 'athena' as const;
  readonly statements: { sql: string; params: readonly SqlParam[] }[] = [];
  constructor(private readonly answer: (sql: string) => Row[]) {}
  async query<T extends Row = Row>(sql: string, params: readonly SqlParam[] = []): Promise<T[]> {
    return (await this.queryResult<T>(sql, params)).rows;
  }
  queryResult<T extends Row = Row>(sql: string, params: readonly SqlParam[] = []): Promise<QueryResult<T>> {
    this.statements.push({ sql, params });
    return Promise.resolve({ columns: [], rows: this.answer(sql) as T[] });
  }
  toDataFrame(): never {
    throw new Error('not used');
  }
  close(): Promise<void> {
    return Promise.resolve();
  }
}

const SHAPES: Record<string, Record<string, string>> = {
  patient: {
    id: 'varchar',
    gender: 'varchar',
    birthdate: 'varchar',
    deceaseddatetime: 'varchar',
    name: 'array(row(family varchar, given array(varchar)))',
    address: 'array(row(line array(varchar), city varchar))',
  },
  condition: {
    id: 'varchar',
    subject: 'row(reference varchar)',
    code: 'row(coding array(row(system varchar, code varchar, display varchar)), text varchar)',
    onsetdatetime: 'varchar',
    onsetperiod: 'row(start varchar, "end" varchar)',
    recordeddate: 'varchar',
  },
  observation: {
    id: 'varchar',
    subject: 'row(reference varchar)',
    code: 'row(coding array(row(system varchar, code varchar, display varchar)), text varchar)',
    valuequantity: 'row(value double, unit varchar, system varchar, code varchar)',
    valuecodeableconcept: 'row(coding array(row(system varchar, code varchar)))',
    component:
      'array(row(code row(coding array(row(system varchar, code varchar))), valuequantity row(value double, unit varchar, code varchar), valuecodeableconcept row(coding array(row(code varchar)))))',
    effectivedatetime: 'varchar',
    effectiveperiod: 'row(start varchar, "end" varchar)',
    issued: 'varchar',
  },
  encounter: {
    id: 'varchar',
    subject: 'row(reference varchar)',
    class: 'row(system varchar, code varchar)',
    type: 'array(row(coding array(row(system varchar, code varchar)), text varchar))',
    period: 'row(start varchar, "end" varchar)',
  },
  medicationrequest: { id: 'varchar', subject: 'row(reference varchar)', medicationcodeableconcept: 'row(coding array(row(system varchar, code varchar, display varchar)))', authoredon: 'varchar' },
  medicationadministration: {
    id: 'varchar',
    subject: 'row(reference varchar)',
    medicationcodeableconcept: 'row(coding array(row(system varchar, code varchar, display varchar)))',
    effectivedatetime: 'varchar',
  },
  omicsvariants: Object.fromEntries(['sampleid', 'calls', 'attributes', 'names', 'contigname', 'start', 'referenceallele', 'alternatealleles'].map((c) => [c, 'varchar'])),
  omicsannotations: Object.fromEntries(['sampleid', 'calls', 'attributes', 'names', 'contigname', 'start', 'referenceallele', 'alternatealleles'].map((c) => [c, 'varchar'])),
  imaging_features_1704067200: {
    patient_id: 'varchar',
    event_time: 'varchar',
    image_set_id: 'varchar',
    brain_volume_ml: 'double',
    write_time: 'timestamp',
    api_invocation_time: 'timestamp',
    is_deleted: 'boolean',
  },
};

function answer(sql: string): Row[] {
  if (/information_schema\.columns/.test(sql)) {
    return Object.entries(SHAPES).flatMap(([t, cols]) =>
      Object.entries(cols).map(([c, type]) => ({ table_schema: t.startsWith('imaging') ? 'sagemaker_featurestore' : 'multimodal_health', table_name: t, column_name: c, data_type: type })),
    );
  }
  if (/information_schema\.tables/.test(sql)) {
    return [{ table_schema: 'sagemaker_featurestore' }];
  }
  if (/count\(sampleid\)/.test(sql)) {
    return [{ n: /omicsvariants/.test(sql) ? 3 : 0 }];
  }
  return [];
}

describe('every SQL statement sent to Athena parses with the Trino grammar and passes the lint', function () {
  this.timeout(60_000);
  const statements: { where: string; sql: string; params: readonly SqlParam[] }[] = [];
  const add = (where: string, sql: string, params: readonly SqlParam[] = []): void => {
    statements.push({ where, sql, params });
  };

  before(async () => {
    // Clinical cohort sources on HealthLake's tables.
    const rec = new RecordingEngine(answer);
    const src = athenaCohortSources({ sql: rec, database: 'mmh_clinical_0123456789abcdef0123456789abcdef_healthlake_view' });
    await src.patients();
    await src.outcomeConditions(['230690007', '422504002']);
    await src.lastEncounters();
    await src.eventsBefore([{ patientId: "p'1", indexDate: '2020-01-01T00:00:00.000Z', label: 1, outcome: 'stroke', onsetDate: '2021-01-01' }], 5);
    await src.eventsBefore([{ patientId: 'p2', indexDate: '2020-01-01T00:00:00.000Z', label: 0, outcome: 'stroke', onsetDate: null }]);
    rec.statements.forEach((s) => {
      add('clinical/aws/athena-cohort-sources', s.sql, s.params);
    });
    // Genomic features and the guidance's ClinVar join.
    add('genomics/queries guidanceClinvarJoinSql', guidanceClinvarJoinSql('omicsvariants', 'omicsannotations'), ['Pathogenic']);
    add('genomics/queries clinvarMatchedAllelesSql', clinvarMatchedAllelesSql('omicsvariants', 'omicsannotations'));
    add('genomics/queries carriedSignificanceSql', carriedSignificanceSql('omicsvariants', 'omicsannotations'));
    add('genomics/queries alleleDosageSql', alleleDosageSql('omicsvariants'), ['19', 44908683, 'T', 'C', 'rs429358', 'C']);
    add('genomics/queries sampleSummarySql', sampleSummarySql('omicsvariants'));
    add('genomics/carried-alleles carriedAllelesSql', carriedAllelesSql('"omicsvariants"', '"omicsannotations"'));
    add('genomics/handle test dates', 'SELECT sampleid, min(test_date) AS test_date FROM "omicsvariants_test_dates" GROUP BY sampleid');
    // Portable macro examples (what the notebooks show).
    for (const m of PORTABLE_MACROS) {
      add(`sql/portable-macros ${m.name}`, m.example.query);
    }
    // Dashboard loader on Athena.
    const dir = tmpDir('trino-dash');
    const dash = new RecordingEngine(answer);
    const ws = {
      sql: dash,
      backend: 'aws',
      config: resolveConfig({ dir, backend: 'aws', aws: { region: 'us-east-1', s3Uri: 's3://b/mmh/' } }),
      path: (...p: string[]) => path.join(dir, ...p),
      automl: { modelsDir: path.join(dir, 'models') },
      clinical: { listDatastores: () => Promise.resolve([{ DatastoreId: 'd'.repeat(32), DatastoreName: 'mmh-clinical', DatastoreStatus: 'ACTIVE' }]) },
    } as unknown as Workspace;
    await loadDashboardInput(ws, { includeIdentifiers: true });
    fs.rmSync(dir, { recursive: true, force: true });
    dash.statements.forEach((s) => {
      add('dashboard/load', s.sql, s.params);
    });
    // Feature store: point-in-time dataset and the offline-store wait, as sent on the Athena wire.
    const athena = mockClient(AthenaClient);
    const sm = mockClient(SageMakerClient);
    const rt = mockClient(SageMakerFeatureStoreRuntimeClient);
    sm.on(DescribeFeatureGroupCommand).resolves({
      FeatureGroupName: 'vitals',
      FeatureGroupArn: 'arn:aws:sagemaker:us-east-1:123456789012:feature-group/vitals',
      RecordIdentifierFeatureName: 'patient_id',
      EventTimeFeatureName: 'event_time',
      FeatureDefinitions: [
        { FeatureName: 'patient_id', FeatureType: 'String' },
        { FeatureName: 'event_time', FeatureType: 'String' },
        { FeatureName: 'bmi', FeatureType: 'Fractional' },
      ],
      CreationTime: new Date(0),
      OfflineStoreConfig: { S3StorageConfig: { S3Uri: 's3://b/fs/' }, DataCatalogConfig: { TableName: 'vitals_1', Catalog: 'AwsDataCatalog', Database: 'sagemaker_featurestore' } },
      FeatureGroupStatus: 'Created',
    });
    rt.on(PutRecordCommand).resolves({});
    athena.on(StartQueryExecutionCommand).resolves({ QueryExecutionId: 'q' });
    athena.on(GetQueryExecutionCommand).resolves({ QueryExecution: { Status: { State: 'SUCCEEDED' } } });
    athena
      .on(GetQueryResultsCommand)
      .resolves({ ResultSet: { ResultSetMetadata: { ColumnInfo: [{ Name: 'n', Type: 'bigint' }] }, Rows: [{ Data: [{ VarCharValue: 'n' }] }, { Data: [{ VarCharValue: '1' }] }] } });
    const fs2 = new AwsFeatureStore({
      sagemaker: new SageMakerClient({ region: 'us-east-1' }),
      runtime: new SageMakerFeatureStoreRuntimeClient({ region: 'us-east-1' }),
      sql: new AthenaEngine({ client: new AthenaClient({ region: 'us-east-1' }), workGroup: 'primary', database: 'multimodal_health', initialPollMs: 1 }),
      progress: silentProgress,
      offlineS3Uri: 's3://b/fs/',
      roleArn: 'arn:aws:iam::123456789012:role/r',
      offlinePollMs: 1,
    });
    await fs2.ingest('vitals', [{ patient_id: 'p1', event_time: '2020-01-01T00:00:00Z', bmi: 27 }]);
    await fs2.buildDataset({ base: { rows: [{ patient_id: "O'B", event_time: '2020-06-01T00:00:00Z', label: 1 }] }, groups: ['vitals'] }).catch(() => undefined);
    await fs2.buildDataset({ base: { table: 'cohort_labels', recordIdentifierName: 'patient_id', eventTimeName: 'event_time' }, groups: ['vitals'] }).catch(() => undefined);
    for (const c of athena.commandCalls(StartQueryExecutionCommand)) {
      add('features (Athena wire)', c.args[0].input.QueryString ?? '', c.args[0].input.ExecutionParameters ?? []);
    }
    athena.restore();
    sm.restore();
    rt.restore();
  });

  it('collects the statements of every Athena-bound module', () => {
    const where = new Set(statements.map((s) => s.where.split(' ')[0]));
    for (const w of ['clinical/aws/athena-cohort-sources', 'genomics/queries', 'dashboard/load', 'features', 'sql/portable-macros']) {
      assert.ok(where.has(w), `no statement from ${w}`);
    }
    assert.ok(statements.length >= 25, String(statements.length));
    // The parameter counts match the placeholders.
    for (const s of statements) {
      if (s.params.length > 0) {
        assert.equal((s.sql.match(/\?/g) ?? []).length, s.params.length, s.sql);
      }
    }
  });

  it('the lint catches each trap (checked on known-bad statements)', () => {
    const rules = (sql: string): string[] => [...new Set(lintTrinoSql(sql).map((f) => f.rule))].sort();
    assert.deepEqual(rules('SELECT CAST(x AS VARCHAR[]) FROM t'), ['array-cast', 'trino-grammar']);
    assert.deepEqual(rules("SELECT attributes['CLNSIG'] FROM t"), ['map-subscript']);
    assert.deepEqual(rules('SELECT code.coding[1].code FROM t'), ['array-subscript']);
    assert.deepEqual(rules('SELECT * FROM (VALUES (?, 1)) AS v(a, b)'), ['parameter-position']);
    assert.deepEqual(rules('SELECT table_name FROM information_schema.columns'), ['information-schema']);
    assert.deepEqual(rules("SELECT element_at(attributes, 'CLNSIG') FROM t WHERE x = ? AND '[1]' = 'a[1]'"), []);
  });

  it('every statement parses with the Trino grammar and passes the lint', () => {
    const failures = statements.flatMap((s) => lintTrinoSql(s.sql).map((f) => `${s.where}: ${f.rule}: ${f.detail}\n    ${s.sql.replace(/\s+/g, ' ').slice(0, 300)}`));
    assert.deepEqual(failures, []);
  });
});
