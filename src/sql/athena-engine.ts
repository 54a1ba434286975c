/**
 * The AWS SQL engine: Amazon Athena (engine v3, Trino dialect) through `@aws-sdk/client-athena`.
 *
 * Flow (docs/aws-semantics.md §6): StartQueryExecution with `ExecutionParameters` for the `?` placeholders →
 * poll GetQueryExecution with exponential backoff (there is no waiter; RUNNING can go back to QUEUED) →
 * page GetQueryResults (the first row of the first page of a SELECT is the header) → convert the string values by
 * the column metadata. FAILED and CANCELLED surface as {@link HealthDataError} with Athena's own reason.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { GetQueryExecutionCommand, GetQueryResultsCommand, StartQueryExecutionCommand, StopQueryExecutionCommand } from '@aws-sdk/client-athena';
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
 * Splits a Trino type into its name and parameters: `map(varchar, array(integer))` → `map`, [`varchar`,
 * `array(integer)`]; `row(a bigint, b varchar)` → `row`, [`a bigint`, `b varchar`]. Bare names (`array`, as
 * Athena's `ColumnInfo.Type` reports complex columns) have no parameters.
 */
function splitType(type: string): { name: string; args: string[] } {
  const t = type.trim();
  const open = t.indexOf('(');
  if (open < 0 || !t.endsWith(')')) {
    return { name: t.toLowerCase(), args: [] };
  }
  const name = t.slice(0, open).trim().toLowerCase();
  const inner = t.slice(open + 1, -1);
  const args: string[] = [];
  let depth = 0;
  let from = 0;
  for (let i = 0; i < inner.length; i++) {
    const c = inner[i];
    if (c === '(') {
      depth++;
    } else if (c === ')') {
      depth--;
    } else if (c === ',' && depth === 0) {
      args.push(inner.slice(from, i).trim());
      from = i + 1;
    }
  }
  args.push(inner.slice(from).trim());
  return { name, args };
}

/**
 * Splits the inside of an Athena complex value (`a, [b, c], {k=v}`) at top-level `, ` separators, one pass.
 */
function splitTop(inner: string): string[] {
  if (inner === '') {
    return [];
  }
  const parts: string[] = [];
  let depth = 0;
  let from = 0;
  for (let i = 0; i < inner.length; i++) {
    const c = inner[i];
    if (c === '[' || c === '{') {
      depth++;
    } else if (c === ']' || c === '}') {
      depth--;
    } else if (c === ',' && depth === 0 && inner[i + 1] === ' ') {
      parts.push(inner.slice(from, i));
      from = i + 2;
    }
  }
  parts.push(inner.slice(from));
  return parts;
}

/** Splits `key=value` at the first top-level `=`. */
function splitEntry(entry: string): [string, string] {
  let depth = 0;
  for (let i = 0; i < entry.length; i++) {
    const c = entry[i];
    if (c === '[' || c === '{') {
      depth++;
    } else if (c === ']' || c === '}') {
      depth--;
    } else if (c === '=' && depth === 0) {
      return [entry.slice(0, i), entry.slice(i + 1)];
    }
  }
  return [entry, ''];
}

/** Offset (minutes east of UTC) of an IANA zone at a UTC instant. */
function zoneOffsetMinutes(zone: string, utcMs: number): number {
  const parts = new Intl.DateTimeFormat('en-US', {
    timeZone: zone,
    hourCycle: 'h23',
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
    hour: '2-digit',
    minute: '2-digit',
    second: '2-digit',
  }).formatToParts(new Date(utcMs));
  const get = (t: string): number => Number(parts.find((p) => p.type === t)?.value ?? '0');
  const wall = Date.UTC(get('year'), get('month') - 1, get('day'), get('hour'), get('minute'), get('second'));
  return Math.round((wall - Math.floor(utcMs / 1000) * 1000) / 60_000);
}

/**
 * Parses Athena's timestamp text: `2020-01-02 03:04:05.678` (UTC assumed, as DuckDB's TIMESTAMP), with an offset
 * (`… +05:30`, `…Z`) or with a zone name (`… UTC`, `… America/New_York`, how `timestamp with time zone` prints).
 *
 * @param text - the value
 * @returns the instant
 * @throws {@link HealthDataError} (backend) when the text is not a timestamp
 */
export function parseAthenaTimestamp(text: string): Date {
  const m = /^(\d{4}-\d{2}-\d{2})[ T](\d{2}:\d{2}(?::\d{2}(?:\.\d{1,9})?)?)\s*(Z|[+-]\d{2}:?\d{2}|[A-Za-z][A-Za-z0-9_+\-/]*)?$/.exec(text.trim());
  if (m === null) {
    throw new HealthDataError('backend', `sql.query: Athena returned "${text}" for a timestamp column; expected YYYY-MM-DD hh:mm:ss[.fff] [zone]`);
  }
  const [, day, time = '', zone] = m;
  const frac = /\.(\d+)$/.exec(time);
  const base = `${day ?? ''}T${time.replace(/\.\d+$/, '')}${frac === null ? '' : `.${(frac[1] ?? '').slice(0, 3).padEnd(3, '0')}`}`;
  if (zone === undefined || zone === 'Z' || zone === 'UTC' || zone === 'GMT') {
    return new Date(`${base}Z`);
  }
  if (/^[+-]/.test(zone)) {
    return new Date(`${base}${zone.length === 5 ? `${zone.slice(0, 3)}:${zone.slice(3)}` : zone}`);
  }
  const asUtc = Date.parse(`${base}Z`);
  try {
    // Two passes settle the offset across a DST change.
    let utc = asUtc - zoneOffsetMinutes(zone, asUtc) * 60_000;
    utc = asUtc - zoneOffsetMinutes(zone, utc) * 60_000;
    return new Date(utc);
  } catch {
    throw new HealthDataError('backend', `sql.query: Athena returned an unknown time zone "${zone}" in "${text}"`);
  }
}

/**
 * Converts one Athena text value by its column type. Athena returns every value as text
 * (GetQueryResults: `VarCharValue`); complex values print as `[a, b]` (array), `{k=v, …}` (map) and
 * `{field=v, …}` (row). They are decoded into the shapes DuckDB returns: arrays as arrays, maps and rows as plain
 * objects, numbers as numbers, timestamps as `Date`. With a full type (`array(integer)`, `map(varchar, varchar)`,
 * `row(a bigint, b varchar)`) the leaves are typed; with Athena's bare column type (`array`, `map`, `row`) leaves
 * stay text, and `null` leaves are null. Text inside a complex value that itself contains `, ` or `=` cannot be
 * told apart from structure (Athena does not quote it): project such fields as scalars.
 *
 * @param text - the `VarCharValue` (undefined = SQL NULL)
 * @param type - Athena's type name (`varchar`, `bigint`, `double`, `boolean`, `date`, `timestamp`, `array`, …)
 * @returns the JS value in the shared row shape
 */
export function convertAthenaValue(text: string | undefined, type: string): unknown {
  if (text === undefined) {
    return null;
  }
  const { name, args } = splitType(type);
  switch (name) {
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
      return text === 'NaN' ? Number.NaN : text === 'Infinity' ? Number.POSITIVE_INFINITY : text === '-Infinity' ? Number.NEGATIVE_INFINITY : Number(text);
    case 'boolean':
      return text === 'true';
    case 'date':
      return text;
    case 'timestamp':
    case 'timestamp with time zone':
      return parseAthenaTimestamp(text);
    case 'json':
      return JSON.parse(text) as unknown;
    case 'array':
    case 'map':
    case 'row':
      return decodeComplex(text, name, args);
    default:
      if (name.startsWith('timestamp')) {
        return parseAthenaTimestamp(text);
      }
      return text;
  }
}

function leaf(text: string, type: string | undefined): unknown {
  if (type === undefined) {
    if (text === 'null') {
      return null;
    }
    if (text.startsWith('[') && text.endsWith(']')) {
      return decodeComplex(text, 'array', []);
    }
    if (text.startsWith('{') && text.endsWith('}')) {
      return decodeComplex(text, 'map', []);
    }
    return text;
  }
  return text === 'null' && !/^(varchar|char|string)/i.test(type) ? null : convertAthenaValue(text, type);
}

function decodeComplex(text: string, name: string, args: readonly string[]): unknown {
  const open = name === 'array' ? '[' : '{';
  const close = name === 'array' ? ']' : '}';
  if (!text.startsWith(open) || !text.endsWith(close)) {
    return text;
  }
  const parts = splitTop(text.slice(1, -1));
  if (name === 'array') {
    return parts.map((p) => leaf(p, args[0]));
  }
  const out: Record<string, unknown> = {};
  if (name === 'map') {
    for (const p of parts) {
      const [k, v] = splitEntry(p);
      out[k] = leaf(v, args[1]);
    }
    return out;
  }
  // row(a bigint, b varchar): field types by name.
  const fieldTypes = new Map(
    args.map((a) => {
      const sp = a.indexOf(' ');
      return [a.slice(0, sp).replace(/"/g, ''), a.slice(sp + 1)] as const;
    }),
  );
  for (const p of parts) {
    const [k, v] = splitEntry(p);
    out[k] = leaf(v, fieldTypes.get(k));
  }
  return out;
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
      const page = await this.o.client.send(new GetQueryResultsCommand({ QueryExecutionId: id, MaxResults: 1000, ...(token === undefined ? {} : { NextToken: token }) }));
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
