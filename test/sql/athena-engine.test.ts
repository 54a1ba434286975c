import assert from 'node:assert/strict';
import { AthenaClient, GetQueryExecutionCommand, GetQueryResultsCommand, StartQueryExecutionCommand } from '@aws-sdk/client-athena';
import { mockClient } from 'aws-sdk-client-mock';
import { suiteMock } from '../aws/suite-mock';
import { isHealthDataError } from '../../src/errors';
import { AthenaEngine, athenaLiteral, convertAthenaValue } from '../../src/sql/athena-engine';

function engine(): AthenaEngine {
  return new AthenaEngine({
    client: new AthenaClient({ region: 'us-east-1' }),
    workGroup: 'mmh',
    database: 'multimodal_health',
    outputLocation: 's3://bucket/athena/',
    initialPollMs: 1,
    maxPollMs: 2,
  });
}

const cols = [
  { Name: 'id', Type: 'varchar' },
  { Name: 'n', Type: 'bigint' },
  { Name: 'x', Type: 'double' },
  { Name: 'ok', Type: 'boolean' },
  { Name: 'd', Type: 'date' },
  { Name: 't', Type: 'timestamp' },
];

function row(values: (string | undefined)[]): { Data: { VarCharValue?: string }[] } {
  return { Data: values.map((v) => (v === undefined ? {} : { VarCharValue: v })) };
}

describe('AthenaEngine (aws SQL engine, SDK wire mocked)', () => {
  const athena = suiteMock(() => mockClient(AthenaClient));
  beforeEach(() => {
    athena.reset();
  });

  it('sends the exact commands, polls until SUCCEEDED, pages results and converts by column type', async () => {
    athena.on(StartQueryExecutionCommand).resolves({ QueryExecutionId: 'q-1' });
    athena
      .on(GetQueryExecutionCommand)
      .resolvesOnce({ QueryExecution: { Status: { State: 'QUEUED' } } })
      .resolvesOnce({ QueryExecution: { Status: { State: 'RUNNING' } } })
      .resolvesOnce({ QueryExecution: { Status: { State: 'QUEUED' } } })
      .resolves({ QueryExecution: { Status: { State: 'SUCCEEDED' } } });
    athena
      .on(GetQueryResultsCommand, { QueryExecutionId: 'q-1', MaxResults: 1000 })
      .resolves({
        ResultSet: {
          ResultSetMetadata: { ColumnInfo: cols },
          Rows: [row(['id', 'n', 'x', 'ok', 'd', 't']), row(['p1', '42', '1.5', 'true', '2020-01-02', '2020-01-02 03:04:05.000'])],
        },
        NextToken: 'page2',
      })
      .on(GetQueryResultsCommand, { QueryExecutionId: 'q-1', MaxResults: 1000, NextToken: 'page2' })
      .resolves({
        ResultSet: { ResultSetMetadata: { ColumnInfo: cols }, Rows: [row(['p2', '9007199254740993', undefined, 'false', undefined, undefined])] },
      });

    const rows = await engine().query('SELECT id, n, x, ok, d, t FROM patient WHERE gender = ? AND n > ?', ["O'Brien", 3]);

    assert.deepEqual(athena.commandCalls(StartQueryExecutionCommand)[0]?.args[0].input, {
      QueryString: 'SELECT id, n, x, ok, d, t FROM patient WHERE gender = ? AND n > ?',
      QueryExecutionContext: { Database: 'multimodal_health', Catalog: 'AwsDataCatalog' },
      WorkGroup: 'mmh',
      ResultConfiguration: { OutputLocation: 's3://bucket/athena/' },
      ExecutionParameters: ["'O''Brien'", '3'],
    });
    assert.equal(athena.commandCalls(GetQueryExecutionCommand).length, 4);
    assert.deepEqual(
      athena.commandCalls(GetQueryResultsCommand).map((c) => c.args[0].input),
      [
        { QueryExecutionId: 'q-1', MaxResults: 1000 },
        { QueryExecutionId: 'q-1', MaxResults: 1000, NextToken: 'page2' },
      ],
    );
    assert.deepEqual(rows, [
      { id: 'p1', n: 42, x: 1.5, ok: true, d: '2020-01-02', t: new Date('2020-01-02T03:04:05Z') },
      { id: 'p2', n: 9007199254740993n, x: null, ok: false, d: null, t: null },
    ]);
  });

  it("surfaces FAILED with Athena's reason", async () => {
    athena.on(StartQueryExecutionCommand).resolves({ QueryExecutionId: 'q-2' });
    athena.on(GetQueryExecutionCommand).resolves({
      QueryExecution: {
        Status: {
          State: 'FAILED',
          StateChangeReason: "line 1:8: Column 'nope' cannot be resolved",
          AthenaError: { ErrorCategory: 2, ErrorType: 1006, ErrorMessage: "COLUMN_NOT_FOUND: line 1:8: Column 'nope' cannot be resolved" },
        },
      },
    });
    await assert.rejects(engine().query('SELECT nope FROM patient'), (e: unknown) => {
      assert.ok(isHealthDataError(e));
      assert.equal(e.code, 'query-failed');
      assert.equal(e.fault, 'input');
      assert.match(e.message, /Athena query q-2 FAILED: COLUMN_NOT_FOUND: line 1:8: Column 'nope' cannot be resolved \(ErrorType 1006, user error\)/);
      return true;
    });
    assert.equal(athena.commandCalls(GetQueryResultsCommand).length, 0);
  });

  it('surfaces CANCELLED', async () => {
    athena.on(StartQueryExecutionCommand).resolves({ QueryExecutionId: 'q-3' });
    athena.on(GetQueryExecutionCommand).resolves({ QueryExecution: { Status: { State: 'CANCELLED', StateChangeReason: 'Query cancelled by user' } } });
    await assert.rejects(engine().query('SELECT 1'), (e: unknown) => isHealthDataError(e) && e.code === 'cancelled' && /Query cancelled by user/.test(e.message));
  });

  it('omits ExecutionParameters without parameters and keeps the first row of a non-SELECT', async () => {
    athena.on(StartQueryExecutionCommand).resolves({ QueryExecutionId: 'q-4' });
    athena.on(GetQueryExecutionCommand).resolves({ QueryExecution: { Status: { State: 'SUCCEEDED' } } });
    athena.on(GetQueryResultsCommand).resolves({
      ResultSet: { ResultSetMetadata: { ColumnInfo: [{ Name: 'tab_name', Type: 'varchar' }] }, Rows: [row(['patient']), row(['condition'])] },
    });
    const rows = await engine().query('SHOW TABLES');
    assert.equal('ExecutionParameters' in (athena.commandCalls(StartQueryExecutionCommand)[0]?.args[0].input ?? {}), false);
    assert.deepEqual(rows, [{ tab_name: 'patient' }, { tab_name: 'condition' }]);
  });

  it('formats literals so a value can never end its quote', () => {
    assert.equal(athenaLiteral("x' OR '1'='1"), "'x'' OR ''1''=''1'");
    assert.equal(athenaLiteral(null), 'NULL');
    assert.equal(athenaLiteral(true), 'TRUE');
    assert.equal(athenaLiteral(new Date('2020-01-02T03:04:05Z')), "TIMESTAMP '2020-01-02 03:04:05.000'");
    assert.throws(() => athenaLiteral(Number.NaN), /not a finite number/);
  });
});

/**
 * Athena returns every value as text (GetQueryResults, `Datum.VarCharValue`; Athena User Guide "Query arrays",
 * "Query maps", "Query arrays with complex types and nested structures": arrays print `[a, b]`, maps `{k=v}`, rows
 * `{field=v}`), and `timestamp with time zone` prints with a zone name (Trino docs, "Date and time functions":
 * `2001-08-22 03:04:05.321 America/Los_Angeles`). Decoded to what DuckDB returns for the same query.
 */
describe('convertAthenaValue: nested values and zoned timestamps in the shapes DuckDB returns', () => {
  it('arrays: bare type keeps text leaves, full type types them; empty and null elements', () => {
    assert.deepEqual(convertAthenaValue('[rs429358, rs7412]', 'array'), ['rs429358', 'rs7412']);
    assert.deepEqual(convertAthenaValue('[0, 1]', 'array(integer)'), [0, 1]);
    assert.deepEqual(convertAthenaValue('[]', 'array'), []);
    assert.deepEqual(convertAthenaValue('[1.5, null]', 'array(double)'), [1.5, null]);
    assert.deepEqual(convertAthenaValue('[[1, 2], [3]]', 'array(array(bigint))'), [[1, 2], [3]]);
  });

  it('maps and rows become plain objects, nested freely', () => {
    assert.deepEqual(convertAthenaValue('{CLNSIG=Pathogenic, GENEINFO=APOE:348}', 'map'), { CLNSIG: 'Pathogenic', GENEINFO: 'APOE:348' });
    assert.deepEqual(convertAthenaValue('{a=1, b=2}', 'map(varchar, integer)'), { a: 1, b: 2 });
    assert.deepEqual(convertAthenaValue('{family=Smith, given=[Ann, B]}', 'row'), { family: 'Smith', given: ['Ann', 'B'] });
    assert.deepEqual(convertAthenaValue('{value=27.5, unit=kg/m2}', 'row(value double, unit varchar)'), { value: 27.5, unit: 'kg/m2' });
    assert.deepEqual(convertAthenaValue('[{code=1, display=x}, {code=2, display=null}]', 'array(row(code varchar, display varchar))'), [
      { code: '1', display: 'x' },
      { code: '2', display: 'null' },
    ]);
    assert.deepEqual(convertAthenaValue('[{code=1, display=null}]', 'array'), [{ code: '1', display: null }]);
  });

  it('timestamps: plain (UTC, as DuckDB TIMESTAMP), with a zone name, with an offset — never Invalid Date', () => {
    assert.equal((convertAthenaValue('2020-01-02 03:04:05.678', 'timestamp') as Date).toISOString(), '2020-01-02T03:04:05.678Z');
    assert.equal((convertAthenaValue('2020-01-02 03:04:05.678 UTC', 'timestamp with time zone') as Date).toISOString(), '2020-01-02T03:04:05.678Z');
    assert.equal((convertAthenaValue('2001-08-22 03:04:05.321 America/Los_Angeles', 'timestamp with time zone') as Date).toISOString(), '2001-08-22T10:04:05.321Z');
    assert.equal((convertAthenaValue('2001-01-22 03:04:05.321 America/Los_Angeles', 'timestamp(3) with time zone') as Date).toISOString(), '2001-01-22T11:04:05.321Z');
    assert.equal((convertAthenaValue('2020-01-02 03:04:05.123456 +05:30', 'timestamp with time zone') as Date).toISOString(), '2020-01-01T21:34:05.123Z');
    assert.throws(() => convertAthenaValue('yesterday', 'timestamp'), /expected YYYY-MM-DD/);
  });

  it('scalars as before; json parsed', () => {
    assert.equal(convertAthenaValue('9007199254740993', 'bigint'), 9007199254740993n);
    assert.equal(convertAthenaValue('NaN', 'double'), Number.NaN);
    assert.deepEqual(convertAthenaValue('{"a":[1]}', 'json'), { a: [1] });
    assert.equal(convertAthenaValue(undefined, 'array'), null);
  });
});
