/**
 * A fake Amazon Athena over a data lake, behind aws-sdk-client-mock: the tables are what the Glue Data Catalog fake
 * registers (their data read from the table's S3 `Location` on the local S3 server, as Athena reads it) plus the
 * tables other fakes expose the way the services document (HealthLake's per-resource tables in the datastore's
 * resource-link database). Each statement is executed on an embedded DuckDB (with the Trino-compatibility macros)
 * after it parses with the Trino grammar (dt-sql-parser's TrinoSQL); a statement that does not parse FAILS the way
 * Athena reports it (state FAILED, `StateChangeReason` and `AthenaError`). From the Athena API Reference:
 * - StartQueryExecution `{QueryString, QueryExecutionContext{Database, Catalog}, ExecutionParameters}` → id;
 *   unqualified table names resolve in `QueryExecutionContext.Database`; `?` take the parameters in order.
 * - GetQueryExecution: QUEUED → RUNNING → SUCCEEDED | FAILED (polled; the fake moves one state per poll).
 * - GetQueryResults: at most 1,000 rows a page with NextToken; for a SELECT the first row of the first page is the
 *   header; every value is text, NULL a Datum without VarCharValue; arrays `[a, b]`, maps and rows `{k=v}`;
 *   timestamps `yyyy-MM-dd HH:mm:ss.SSS`; `ColumnInfo.Type` the Trino type name.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { AthenaClient, StartQueryExecutionCommand } from '@aws-sdk/client-athena';
import type { TableInput } from '@aws-sdk/client-glue';
import { mockClient } from 'aws-sdk-client-mock';
import type { DuckDbEngine } from '../../../src/sql/duckdb-engine';
import { sqlLiteral } from '../../../src/sql/literal';
import { lintTrinoSql } from '../../sql/trino-lint';
import type { LintFinding } from '../../sql/trino-lint';
import { suiteMock } from '../suite-mock';
import { answerQueryRuns, bind } from './athena';
import type { FakeQueryRun } from './athena';
import type { FakeBucketIo } from './bucket';

/**
 * A Hive/Glue column type as a DuckDB type (`array<string>` → `VARCHAR[]`, `map<string,string>` →
 * `MAP(VARCHAR, VARCHAR)`, `struct<a:int>` → `STRUCT("a" INTEGER)`).
 *
 * @param t - the Glue type
 * @returns the DuckDB type text
 */
export function glueToDuckType(t: string): string {
  let i = 0;
  const s = t.replace(/\s+/g, '');
  const parse = (): string => {
    const m = /^[a-z_0-9]+/i.exec(s.slice(i));
    const name = (m?.[0] ?? '').toLowerCase();
    i += name.length;
    const args: string[] = [];
    const fields: string[] = [];
    if (s[i] === '<') {
      i++;
      for (;;) {
        if (name === 'struct') {
          const f = /^[^:]+/.exec(s.slice(i))?.[0] ?? '';
          i += f.length + 1;
          fields.push(`"${f}" ${parse()}`);
        } else {
          args.push(parse());
        }
        if (s[i] === ',') {
          i++;
          continue;
        }
        i++; // '>'
        break;
      }
    } else if (s[i] === '(') {
      const close = s.indexOf(')', i);
      i = close + 1;
    }
    switch (name) {
      case 'array':
        return `${args[0] ?? 'VARCHAR'}[]`;
      case 'map':
        return `MAP(${args[0] ?? 'VARCHAR'}, ${args[1] ?? 'VARCHAR'})`;
      case 'struct':
        return `STRUCT(${fields.join(', ')})`;
      case 'string':
      case 'varchar':
      case 'char':
        return 'VARCHAR';
      case 'int':
      case 'integer':
        return 'INTEGER';
      case 'bigint':
        return 'BIGINT';
      case 'smallint':
        return 'SMALLINT';
      case 'tinyint':
        return 'TINYINT';
      case 'double':
        return 'DOUBLE';
      case 'float':
        return 'FLOAT';
      case 'boolean':
        return 'BOOLEAN';
      case 'timestamp':
        return 'TIMESTAMP';
      case 'date':
        return 'DATE';
      case 'decimal':
        return 'DOUBLE';
      default:
        return 'VARCHAR';
    }
  };
  return parse();
}

/** The fake and what it saw. */
export interface FakeAthenaLake {
  /** Statements as received (before parameter binding). */
  readonly queries: string[];
  /** Lint findings other than grammar (which fails the query), per statement. */
  readonly findings: { sql: string; findings: LintFinding[] }[];
  /** Every GetQueryResults page served: rows in it. */
  readonly pages: number[];
}

/**
 * Installs the fake for the enclosing suite.
 *
 * @param deps - the lake engine, the Glue catalog, S3 access, a cache folder, hooks run before each statement
 * @param deps.lake - an in-memory DuckDbEngine (one connection, so `USE` holds for the next statement)
 * @param deps.glue - the Glue fake's databases
 * @param deps.s3 - S3 access (real HTTP)
 * @param deps.cache - where downloaded Parquet objects are kept
 * @param deps.beforeQuery - e.g. the Feature Store's offline writer
 * @returns the fake
 */
export function fakeAthenaLake(deps: { lake: () => DuckDbEngine; glue: Map<string, Map<string, TableInput>>; s3: FakeBucketIo; cache: string; beforeQuery?: () => Promise<void> }): FakeAthenaLake {
  const queries: string[] = [];
  const findings: { sql: string; findings: LintFinding[] }[] = [];
  const pages: number[] = [];
  const runs = new Map<string, FakeQueryRun>();
  const synced = new Map<string, { files: string; kind: 'view' | 'table' }>();
  let chain: Promise<unknown> = Promise.resolve();

  async function syncTable(lake: DuckDbEngine, db: string, t: TableInput): Promise<void> {
    const loc = t.StorageDescriptor?.Location;
    const name = t.Name ?? '';
    if (loc === undefined || name === '') {
      return;
    }
    const objects = (await deps.s3.list(loc.endsWith('/') ? loc : `${loc}/`)).filter((o) => o.size > 0 && !path.basename(o.uri).startsWith('_'));
    const signature = objects
      .map((o) => `${o.uri}@${o.etag}`)
      .sort()
      .join('|');
    const key = `${db}.${name}`;
    const prev = synced.get(key);
    if (prev?.files === signature) {
      return;
    }
    const files: string[] = [];
    for (const o of objects) {
      const local = path.join(deps.cache, Buffer.from(`${o.uri}@${o.etag}`).toString('base64url').slice(-120));
      if (!fs.existsSync(local)) {
        fs.writeFileSync(local, await deps.s3.get(o.uri));
      }
      files.push(local);
    }
    const cols = t.StorageDescriptor?.Columns ?? [];
    const parts = t.PartitionKeys ?? [];
    const q = `"${db}"."${name}"`;
    if (prev !== undefined) {
      await lake.query(`DROP ${prev.kind === 'view' ? 'VIEW' : 'TABLE'} IF EXISTS ${q}`);
    }
    if (files.length === 0) {
      await lake.query(`CREATE TABLE ${q} (${[...cols, ...parts].map((c) => `"${c.Name ?? ''}" ${glueToDuckType(c.Type ?? 'string')}`).join(', ')})`);
      synced.set(key, { files: signature, kind: 'table' });
      return;
    }
    // Hive-style partitions (`year=2024/…`) are read from the object keys; partition values are strings.
    const hive = parts.length > 0;
    const select = [...cols.map((c) => `"${c.Name ?? ''}"`), ...parts.map((c) => `CAST("${c.Name ?? ''}" AS VARCHAR) AS "${c.Name ?? ''}"`)].join(', ');
    const list = `[${files.map(sqlLiteral).join(', ')}]`;
    if (hive) {
      // The cache flattens keys: read each file with its partition values taken from its S3 key.
      const unions = objects.map((o, k) => {
        const vals = parts.map((p) => `${sqlLiteral(new RegExp(`${p.Name ?? ''}=([^/]+)`).exec(o.uri)?.[1] ?? '')} AS "${p.Name ?? ''}"`).join(', ');
        return `SELECT ${cols.map((c) => `"${c.Name ?? ''}"`).join(', ')}, ${vals} FROM read_parquet(${sqlLiteral(files[k] ?? '')})`;
      });
      await lake.query(`CREATE VIEW ${q} AS ${unions.join(' UNION ALL ')}`);
    } else {
      await lake.query(`CREATE VIEW ${q} AS SELECT ${select} FROM read_parquet(${list}, union_by_name = true)`);
    }
    synced.set(key, { files: signature, kind: 'view' });
  }

  async function syncCatalog(): Promise<void> {
    const lake = deps.lake();
    for (const [db, tables] of deps.glue) {
      await lake.query(`CREATE SCHEMA IF NOT EXISTS "${db}"`);
      for (const t of tables.values()) {
        await syncTable(lake, db, t);
      }
    }
  }

  async function execute(sql: string, params: readonly string[], database: string | undefined): Promise<FakeQueryRun> {
    const run: FakeQueryRun = { polls: 0, select: /^\s*(\(|select\b|with\b|values\b)/i.test(sql) };
    const lint = lintTrinoSql(sql);
    const grammar = lint.filter((f) => f.rule === 'trino-grammar');
    const rest = lint.filter((f) => f.rule !== 'trino-grammar');
    if (rest.length > 0) {
      findings.push({ sql, findings: rest });
    }
    if (grammar.length > 0) {
      run.error = `SYNTAX_ERROR: ${grammar.map((g) => g.detail).join('; ')}`;
      return run;
    }
    await deps.beforeQuery?.();
    await syncCatalog();
    const lake = deps.lake();
    const schemas = new Set((await lake.query<{ schema_name: string }>('SELECT schema_name FROM information_schema.schemata')).map((r) => r.schema_name));
    await lake.query(database !== undefined && schemas.has(database) ? `USE "${database}"` : 'USE main');
    try {
      run.result = await lake.queryResult(bind(sql, params));
    } catch (e) {
      run.error = e instanceof Error ? e.message : String(e);
    } finally {
      await lake.query('USE main');
    }
    return run;
  }

  suiteMock(() => {
    const mock = mockClient(AthenaClient);
    mock.on(StartQueryExecutionCommand).callsFake(async (input: { QueryString?: string; ExecutionParameters?: string[]; QueryExecutionContext?: { Database?: string } }) => {
      const sql = input.QueryString ?? '';
      queries.push(sql);
      const id = `q-${String(queries.length)}`;
      const next = chain.then(() => execute(sql, input.ExecutionParameters ?? [], input.QueryExecutionContext?.Database));
      chain = next.catch(() => undefined);
      runs.set(id, await next);
      return { QueryExecutionId: id };
    });
    answerQueryRuns(mock, runs, (n) => pages.push(n));
    return mock;
  });
  return { queries, findings, pages };
}
