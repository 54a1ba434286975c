/**
 * The AWS SQL engine: Amazon Athena (engine v3, Trino dialect) through `@aws-sdk/client-athena`.
 *
 * Flow (AWS-SEMANTICS.md §6): StartQueryExecution with `ExecutionParameters` for the `?` placeholders →
 * poll GetQueryExecution with exponential backoff (there is no waiter; RUNNING can go back to QUEUED) →
 * page GetQueryResults (the first row of the first page of a SELECT is the header) → convert the string values by
 * the column metadata. FAILED and CANCELLED surface as {@link HealthDataError} with Athena's own reason.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import {
  GetQueryExecutionCommand,
  GetQueryResultsCommand,
  StartQueryExecutionCommand,
  StopQueryExecutionCommand,
} from '@aws-sdk/client-athena';
import type { AthenaClient, ColumnInfo as AthenaColumnInfo, Row as AthenaRow } from '@aws-sdk/client-athena';
import type { DataFrame } from 'danfojs-node';
import { HealthDataError } from '../errors';
import type { ColumnInfo, QueryResult, Row, SqlEngine, SqlParam } from './engine';
import { resultToDataFrame } from './dataframe';
import { sqlLiteral } from './literal';

/** Options of {@link AthenaEngine}. */
export interface AthenaEngineOptions {
  /** The Athena client (one per region/credentials, created once by the workspace). */
  readonly client: AthenaClient;
  /** Workgroup (must use engine v3). */
  readonly workGroup: string;
  /** Query result location, `s3://…`; optional when the workgroup enforces its own. */
  readonly outputLocation?: string;
  /** Default database. */
  readonly database: string;
  /** Catalog (default `AwsDataCatalog`). */
  readonly catalog?: string;
  /** First poll delay in ms (doubles up to `maxPollMs`). */
  readonly initialPollMs?: number;
  /** Longest poll delay in ms. */
  readonly maxPollMs?: number;
  /** Give up (and stop the query) after this many ms. */
  readonly timeoutMs?: number;
}

/**
 * Formats a bound value as the SQL literal Athena's `ExecutionParameters` expects (Athena substitutes each
 * parameter as a literal; strings must arrive quoted). Quotes are doubled, so a value can never end the literal.
 *
 * @param p - the value
 * @returns the literal text, e.g. `'O''Brien'`, `42`, `TIMESTAMP '2020-01-01 00:00:00.000'`
 * @throws {@link HealthDataError} (invalid-input) for non-finite numbers
 */
export function athenaLiteral(p: SqlParam): string {
  if (p === null) {
    return 'NULL';
  }
  if (typeof p === 'number') {
    if (!Number.isFinite(p)) {
      throw new HealthDataError('invalid-input', `sql.query: parameter ${String(p)} is not a finite number`);
    }
    return String(p);
  }
  if (typeof p === 'bigint') {
    return p.toString();
  }
  if (typeof p === 'boolean') {
    return p ? 'TRUE' : 'FALSE';
  }
  if (p instanceof Date) {
    return `TIMESTAMP '${p.toISOString().replace('T', ' ').replace('Z', '')}'`;
  }
  return sqlLiteral(p);
}

/**
 * Converts one Athena text value by its column type.
 *
 * @param text - the `VarCharValue` (undefined = SQL NULL)
 * @param type - Athena's type name (`varchar`, `bigint`, `double`, `boolean`, `date`, `timestamp`, …)
 * @returns the JS value in the shared row shape; arrays, maps and rows stay text
 */
export function convertAthenaValue(text: string | undefined, type: string): unknown {
  if (text === undefined) {
    return null;
  }
  switch (type.toLowerCase()) {
    case 'tinyint':
    case 'smallint':
    case 'integer':
    case 'int':
    case 'bigint': {
      const big = BigInt(text);
      return Number.isSafeInteger(Number(big)) ? Number(big) : big;
    }
    case 'double':
    case 'float':
    case 'real':
    case 'decimal':
      return Number(text);
    case 'boolean':
      return text === 'true';
    case 'date':
      return text;
    case 'timestamp':
    case 'timestamp with time zone': {
      const iso = text.replace(' ', 'T');
      return new Date(/[zZ]|[+-]\d\d:?\d\d$/.test(iso) ? iso : `${iso}Z`);
    }
    default:
      return text;
  }
}


/**
 * The Athena implementation of {@link SqlEngine}.
 *
 * @example
 * ```ts
 * const sql = new AthenaEngine({ client: new AthenaClient({ region }), workGroup: 'primary', database: 'mmh' });
 * const rows = await sql.query('SELECT count(*) AS n FROM patient WHERE gender = ?', ['female']);
 * ```
 */
export class AthenaEngine implements SqlEngine {
  /** Dialect tag. */
  readonly dialect = 'athena' as const;
  private readonly o: AthenaEngineOptions;

  /**
   * @param options - client, workgroup, output location and database
   */
  constructor(options: AthenaEngineOptions) {
    this.o = options;
  }

  /** @inheritdoc */
  async query<T extends Row = Row>(sql: string, params: readonly SqlParam[] = []): Promise<T[]> {
    return (await this.queryResult<T>(sql, params)).rows;
  }

  /** @inheritdoc */
  async queryResult<T extends Row = Row>(sql: string, params: readonly SqlParam[] = []): Promise<QueryResult<T>> {
    const id = await this.start(sql, params);
    await this.waitFor(id);
    return this.fetch<T>(id, /^\s*(\(|select\b|with\b|values\b)/i.test(sql));
  }

  /** @inheritdoc */
  async toDataFrame(sql: string, params: readonly SqlParam[] = []): Promise<DataFrame> {
    return resultToDataFrame(await this.queryResult(sql, params));
  }

  /** @inheritdoc */
  close(): Promise<void> {
    // The client belongs to the workspace, which destroys it.
    return Promise.resolve();
  }

  private async start(sql: string, params: readonly SqlParam[]): Promise<string> {
    const out = await this.o.client.send(
      new StartQueryExecutionCommand({
        QueryString: sql,
        QueryExecutionContext: { Database: this.o.database, Catalog: this.o.catalog ?? 'AwsDataCatalog' },
        WorkGroup: this.o.workGroup,
        ...(this.o.outputLocation === undefined ? {} : { ResultConfiguration: { OutputLocation: this.o.outputLocation } }),
        ...(params.length > 0 ? { ExecutionParameters: params.map(athenaLiteral) } : {}),
      }),
    );
    if (out.QueryExecutionId === undefined) {
      throw new HealthDataError('backend', 'sql.query: Athena StartQueryExecution returned no QueryExecutionId');
    }
    return out.QueryExecutionId;
  }

  private async waitFor(id: string): Promise<void> {
    const t0 = Date.now();
    let delay = this.o.initialPollMs ?? 200;
    const maxDelay = this.o.maxPollMs ?? 5000;
    const timeout = this.o.timeoutMs ?? 30 * 60_000;
    for (;;) {
      const { QueryExecution: q } = await this.o.client.send(new GetQueryExecutionCommand({ QueryExecutionId: id }));
      const state = q?.Status?.State;
      if (state === 'SUCCEEDED') {
        return;
      }
      if (state === 'FAILED' || state === 'CANCELLED') {
        const err = q?.Status?.AthenaError;
        const reason = err?.ErrorMessage ?? q?.Status?.StateChangeReason ?? 'no reason given';
        const kind = err?.ErrorCategory === 1 ? 'system' : err?.ErrorCategory === 2 ? 'user' : 'unknown';
        throw new HealthDataError(
          state === 'CANCELLED' ? 'cancelled' : 'query-failed',
          `sql.query: Athena query ${id} ${state}: ${reason}${err?.ErrorType === undefined ? '' : ` (ErrorType ${String(err.ErrorType)}, ${kind} error)`}`,
          { fault: kind === 'user' ? 'input' : 'backend' },
        );
      }
      if (Date.now() - t0 > timeout) {
        await this.o.client.send(new StopQueryExecutionCommand({ QueryExecutionId: id }));
        throw new HealthDataError('timeout', `sql.query: Athena query ${id} still ${state ?? 'unknown'} after ${String(timeout)} ms; stopped it`);
      }
      await sleep(delay);
      delay = Math.min(delay * 2, maxDelay);
    }
  }

  private async fetch<T extends Row>(id: string, hasHeader: boolean): Promise<QueryResult<T>> {
    let columns: ColumnInfo[] = [];
    const rows: T[] = [];
    let token: string | undefined;
    let first = true;
    do {
      const page = await this.o.client.send(
        new GetQueryResultsCommand({ QueryExecutionId: id, MaxResults: 1000, ...(token === undefined ? {} : { NextToken: token }) }),
      );
      const info: AthenaColumnInfo[] = page.ResultSet?.ResultSetMetadata?.ColumnInfo ?? [];
      if (first) {
        columns = info.map((c) => ({ name: c.Name ?? '', type: c.Type ?? 'varchar' }));
      }
      const data: AthenaRow[] = page.ResultSet?.Rows ?? [];
      data.forEach((r, i) => {
        if (first && hasHeader && i === 0) {
          return;
        }
        const out: Row = {};
        columns.forEach((c, j) => {
          out[c.name] = convertAthenaValue(r.Data?.[j]?.VarCharValue, c.type);
        });
        rows.push(out as T);
      });
      first = false;
      token = page.NextToken;
    } while (token !== undefined);
    return { columns, rows };
  }
}
