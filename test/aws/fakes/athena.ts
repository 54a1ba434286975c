/**
 * A fake Amazon Athena behind aws-sdk-client-mock that executes each query on a DuckDB engine (with the
 * Trino-compatibility macros) and answers the way the Athena API Reference describes:
 * - StartQueryExecution returns an id; `ExecutionParameters` are literals substituted for the `?` in order
 *   ("Use parameterized queries"); GetQueryExecution reports QUEUED, then RUNNING, then SUCCEEDED (or FAILED with
 *   the engine's message as `StateChangeReason` and an `AthenaError`).
 * - GetQueryResults pages at most `MaxResults` (≤ 1,000) rows with a NextToken; for a SELECT the first row of the
 *   first page is the header; every value is text (`Datum.VarCharValue`), NULL is a Datum without a value; arrays
 *   print as `[a, b]`, maps and rows as `{k=v, …}`, timestamps as `yyyy-MM-dd HH:mm:ss.SSS` (with ` UTC` for `timestamp with time zone`); `ColumnInfo.Type` is
 *   the bare Trino type name (`varchar`, `bigint`, `array`, `map`, `row`, …).
 */
import { AthenaClient, GetQueryExecutionCommand, GetQueryResultsCommand, StartQueryExecutionCommand } from '@aws-sdk/client-athena';
import type { AthenaClientResolvedConfig, ServiceInputTypes, ServiceOutputTypes } from '@aws-sdk/client-athena';
import { mockClient } from 'aws-sdk-client-mock';
import type { AwsStub } from 'aws-sdk-client-mock';
import type { QueryResult } from '../../../src/sql/engine';
import type { DuckDbEngine } from '../../../src/sql/duckdb-engine';

/**
 * The Trino type name Athena reports in `ColumnInfo.Type` for a DuckDB column type.
 *
 * @param duck - DuckDB type text
 * @returns the bare Trino name (`varchar`, `array`, `row`, …)
 */
export function trinoType(duck: string): string {
  const t = duck.toUpperCase();
  if (t.endsWith('[]') || t.startsWith('LIST')) {
    return 'array';
  }
  if (t.startsWith('STRUCT')) {
    return 'row';
  }
  if (t.startsWith('MAP')) {
    return 'map';
  }
  if (t.startsWith('TIMESTAMP WITH TIME ZONE') || t === 'TIMESTAMPTZ') {
    return 'timestamp with time zone';
  }
  if (t.startsWith('TIMESTAMP')) {
    return 'timestamp';
  }
  if (t.startsWith('DECIMAL')) {
    return 'decimal';
  }
  return (
    (
      {
        VARCHAR: 'varchar',
        BIGINT: 'bigint',
        INTEGER: 'integer',
        SMALLINT: 'smallint',
        TINYINT: 'tinyint',
        HUGEINT: 'bigint',
        DOUBLE: 'double',
        FLOAT: 'real',
        BOOLEAN: 'boolean',
        DATE: 'date',
        JSON: 'json',
      } as Record<string, string>
    )[t] ?? 'varchar'
  );
}

/**
 * Athena's text for a value.
 *
 * @param v - a value in the engine's row shape
 * @param top - whether it is a column value (null → no VarCharValue) or nested (`null`)
 * @returns the text, or undefined for a top-level NULL
 */
export function athenaText(v: unknown, top = true): string | undefined {
  if (v === null || v === undefined) {
    return top ? undefined : 'null';
  }
  if (v instanceof Date) {
    return v.toISOString().replace('T', ' ').replace('Z', '');
  }
  if (Array.isArray(v)) {
    return `[${v.map((x) => athenaText(x, false) ?? 'null').join(', ')}]`;
  }
  if (typeof v === 'object') {
    return `{${Object.entries(v as Record<string, unknown>)
      .map(([k, x]) => `${k}=${athenaText(x, false) ?? 'null'}`)
      .join(', ')}}`;
  }
  return typeof v === 'string' ? v : typeof v === 'bigint' ? v.toString() : JSON.stringify(v);
}

/**
 * Substitutes `ExecutionParameters` for the `?` outside quotes, in order (Athena: "Use parameterized queries").
 *
 * @param sql - the statement
 * @param params - literal texts
 * @returns the bound statement
 */
export function bind(sql: string, params: readonly string[]): string {
  let i = 0;
  let out = '';
  let quote: string | undefined;
  for (const c of sql) {
    if (quote !== undefined) {
      out += c;
      if (c === quote) {
        quote = undefined;
      }
    } else if (c === "'" || c === '"') {
      quote = c;
      out += c;
    } else if (c === '?') {
      out += params[i++] ?? 'NULL';
    } else {
      out += c;
    }
  }
  return out;
}

/** One query a fake Athena has started: its polls so far, its result or error, and whether it is a SELECT. */
export interface FakeQueryRun {
  polls: number;
  result?: QueryResult;
  error?: string;
  /** A SELECT's first result row is its header. */
  select: boolean;
}

/**
 * Answers GetQueryExecution and GetQueryResults for the runs a fake's StartQueryExecution recorded, as the Athena API
 * Reference describes: QUEUED, then RUNNING, then SUCCEEDED or FAILED (with `StateChangeReason` and an `AthenaError`);
 * pages of at most `MaxResults` (≤ 1,000) text rows with a NextToken, a SELECT's header first; a `timestamp with time
 * zone` value carries its zone (`… UTC`).
 *
 * @param mock - the Athena client mock
 * @param runs - the started runs by QueryExecutionId
 * @param onPage - told the row count of every page served
 */
export function answerQueryRuns(mock: AwsStub<ServiceInputTypes, ServiceOutputTypes, AthenaClientResolvedConfig>, runs: ReadonlyMap<string, FakeQueryRun>, onPage?: (rows: number) => void): void {
  mock.on(GetQueryExecutionCommand).callsFake((input: { QueryExecutionId?: string }) => {
    const run = runs.get(input.QueryExecutionId ?? '');
    if (run === undefined) {
      throw Object.assign(new Error('QueryExecution not found'), { name: 'InvalidRequestException' });
    }
    run.polls++;
    const state = run.polls === 1 ? 'QUEUED' : run.polls === 2 ? 'RUNNING' : run.error === undefined ? 'SUCCEEDED' : 'FAILED';
    return {
      QueryExecution: {
        QueryExecutionId: input.QueryExecutionId,
        Status: { State: state, ...(state === 'FAILED' ? { StateChangeReason: run.error, AthenaError: { ErrorCategory: 2, ErrorType: 1006, Retryable: false, ErrorMessage: run.error } } : {}) },
      },
    };
  });
  mock.on(GetQueryResultsCommand).callsFake((input: { QueryExecutionId?: string; NextToken?: string; MaxResults?: number }) => {
    const run = runs.get(input.QueryExecutionId ?? '');
    if (run?.result === undefined) {
      throw Object.assign(new Error('Query has not yet finished'), { name: 'InvalidRequestException' });
    }
    const max = Math.min(1000, input.MaxResults ?? 1000);
    const columns = run.result.columns;
    const types = columns.map((c) => trinoType(c.type));
    const all = [
      ...(run.select ? [{ Data: columns.map((c) => ({ VarCharValue: c.name })) }] : []),
      ...run.result.rows.map((r) => ({
        Data: columns.map((c, k) => {
          const t = athenaText(r[c.name]);
          return t === undefined ? {} : { VarCharValue: types[k] === 'timestamp with time zone' ? `${t} UTC` : t };
        }),
      })),
    ];
    const start = input.NextToken === undefined ? 0 : Number(input.NextToken);
    const rows = all.slice(start, start + max);
    onPage?.(rows.length);
    return {
      ResultSet: { ResultSetMetadata: { ColumnInfo: columns.map((c, k) => ({ Name: c.name, Label: c.name, Type: types[k] })) }, Rows: rows },
      ...(start + max < all.length ? { NextToken: String(start + max) } : {}),
    };
  });
}

/** The fake and what it saw. */
export interface FakeAthena {
  /** The mock (command assertions). */
  readonly mock: AwsStub<ServiceInputTypes, ServiceOutputTypes, AthenaClientResolvedConfig>;
  /** Queries as received. */
  readonly queries: string[];
}

/**
 * Installs the fake on every AthenaClient.
 *
 * @param engine - the DuckDB engine that executes the queries
 * @returns the fake
 */
export function fakeAthena(engine: DuckDbEngine): FakeAthena {
  const mock = mockClient(AthenaClient);
  const queries: string[] = [];
  const runs = new Map<string, FakeQueryRun>();
  mock.on(StartQueryExecutionCommand).callsFake(async (input: { QueryString?: string; ExecutionParameters?: string[] }) => {
    const sql = input.QueryString ?? '';
    queries.push(sql);
    const id = `q-${String(queries.length)}`;
    const run: FakeQueryRun = { polls: 0, select: /^\s*(\(|select\b|with\b|values\b)/i.test(sql) };
    try {
      run.result = await engine.queryResult(bind(sql, input.ExecutionParameters ?? []));
    } catch (e) {
      run.error = e instanceof Error ? e.message : String(e);
    }
    runs.set(id, run);
    return { QueryExecutionId: id };
  });
  answerQueryRuns(mock, runs);
  return { mock, queries };
}
