/**
 * The SQL engine interface shared by the local (DuckDB) and AWS (Athena) backends.
 *
 * Both engines return rows of the same shape: scalars as JS numbers, strings, booleans; `DATE` as an ISO
 * `YYYY-MM-DD` string; `TIMESTAMP` as a `Date`; `BIGINT` as a number when it is a safe integer (a `bigint`
 * otherwise); arrays as arrays, maps and structs (rows) as plain objects. Athena returns every value as text; the
 * Athena engine decodes `[a, b]` / `{k=v}` / zone-suffixed timestamps back into these shapes (leaves of complex
 * values stay text unless the full type is known), so code reading nested columns works on both engines; text
 * fields that themselves contain `, ` or `=` inside a complex value are ambiguous on Athena, so project those as
 * scalars (docs/aws-semantics.md §6).
 */
import type { DataFrame } from 'danfojs-node';

/** A value that can be bound to a `?` placeholder. */
export type SqlParam = string | number | bigint | boolean | Date | null;

/** A result row: column name → value. */
export type Row = Record<string, unknown>;

/** A column of a result, with the engine's type name (`VARCHAR`, `BIGINT`, `varchar`, `bigint`, …). */
export interface ColumnInfo {
  /** Column name as the engine reports it. */
  readonly name: string;
  /** Engine type name, upper-case on DuckDB, lower-case on Athena. */
  readonly type: string;
}

/** A query result with its column metadata. */
export interface QueryResult<T extends Row = Row> {
  /** Columns in select order. */
  readonly columns: readonly ColumnInfo[];
  /** Rows, converted to JS values as described in this module's header. */
  readonly rows: T[];
}

/** Which engine answers queries. */
export type SqlDialect = 'duckdb' | 'athena';

/**
 * Runs SQL. Parameters are always bound to `?` placeholders, never spliced into the text.
 *
 * @example
 * ```ts
 * const rows = await ws.sql.query<{ n: number }>('SELECT count(*) AS n FROM patient WHERE gender = ?', ['female']);
 * ```
 */
export interface SqlEngine {
  /** The engine's SQL dialect. */
  readonly dialect: SqlDialect;
  /**
   * Runs one statement and returns its rows.
   *
   * @param sql - the statement, with `?` placeholders
   * @param params - values bound in order to the placeholders
   * @returns the rows
   * @throws {@link HealthDataError} (query-failed) with the engine's reason; (locked) when another process holds the database
   */
  query<T extends Row = Row>(sql: string, params?: readonly SqlParam[]): Promise<T[]>;
  /**
   * Runs one statement and returns rows with column metadata.
   *
   * @param sql - the statement, with `?` placeholders
   * @param params - values bound in order to the placeholders
   * @returns the columns and rows
   * @throws {@link HealthDataError} (query-failed) with the engine's reason
   */
  queryResult<T extends Row = Row>(sql: string, params?: readonly SqlParam[]): Promise<QueryResult<T>>;
  /**
   * Runs one statement and returns a danfojs DataFrame, for display in notebooks.
   *
   * @param sql - the statement, with `?` placeholders
   * @param params - values bound in order to the placeholders
   * @returns a DataFrame with one column per result column (complex values as JSON text)
   */
  toDataFrame(sql: string, params?: readonly SqlParam[]): Promise<DataFrame>;
  /** Releases the engine's resources. Safe to call twice. */
  close(): Promise<void>;
}
