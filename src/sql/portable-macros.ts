/**
 * The Trino-compatibility macro pack installed on every DuckDB connection (docs/aws-semantics.md §6), so that the
 * queries the notebooks show run unchanged on DuckDB (local) and Athena engine v3 (aws).
 *
 * Each macro is `TEMP` so it also installs on read-only opens. What is left out, and why (checked on DuckDB 1.5.6):
 * - `transform(a, f)`: DuckDB macros cannot forward a lambda ("Invalid lambda expression") — use `filter`, or
 *   `CROSS JOIN UNNEST`, which both engines share.
 * - `date_parse(s, fmt)`: DuckDB's `strptime` needs a constant format — use `from_iso8601_date/timestamp`.
 * - `cardinality` on maps: DuckDB's built-in handles maps; the macro replaces it with the list version, which is
 *   what the guidance's queries use (`cardinality(alternatealleles)`).
 */

/** One portable function: its name, the DuckDB definition, and a query that runs identically on both engines. */
export interface PortableMacro {
  /** The Trino function name it provides on DuckDB. */
  readonly name: string;
  /** The DuckDB `CREATE TEMP MACRO` statement. */
  readonly sql: string;
  /** A portable example query and the single value it returns (used by the tests and docs). */
  readonly example: { readonly query: string; readonly expected: unknown };
}

/** The macro pack, in install order. */
export const PORTABLE_MACROS: readonly PortableMacro[] = [
  {
    name: 'element_at',
    sql: 'CREATE OR REPLACE TEMP MACRO element_at(a, i) AS a[i]',
    example: { query: 'SELECT element_at(ARRAY[10, 20, 30], 2) AS v', expected: 20 },
  },
  {
    name: 'cardinality',
    sql: 'CREATE OR REPLACE TEMP MACRO cardinality(a) AS len(a)',
    example: { query: "SELECT cardinality(ARRAY['A', 'T']) AS v", expected: 2 },
  },
  {
    name: 'array_join',
    sql: 'CREATE OR REPLACE TEMP MACRO array_join(a, sep) AS array_to_string(a, sep)',
    example: { query: "SELECT array_join(ARRAY['PASS', 'q10'], ';') AS v", expected: 'PASS;q10' },
  },
  {
    name: 'json_extract_scalar',
    sql: 'CREATE OR REPLACE TEMP MACRO json_extract_scalar(j, p) AS json_extract_string(j, p)',
    example: {
      query: 'SELECT json_extract_scalar(\'{"url":"us-core-race","valueString":"white"}\', \'$.valueString\') AS v',
      expected: 'white',
    },
  },
  {
    name: 'from_unixtime',
    sql: "CREATE OR REPLACE TEMP MACRO from_unixtime(s) AS CAST(to_timestamp(s) AT TIME ZONE 'UTC' AS TIMESTAMP)",
    example: { query: 'SELECT year(from_unixtime(86400)) AS v', expected: 1970 },
  },
  {
    name: 'to_unixtime',
    sql: 'CREATE OR REPLACE TEMP MACRO to_unixtime(t) AS CAST(epoch(t) AS DOUBLE)',
    example: { query: "SELECT to_unixtime(TIMESTAMP '1970-01-02 00:00:00') AS v", expected: 86400 },
  },
  {
    name: 'from_iso8601_timestamp',
    sql: "CREATE OR REPLACE TEMP MACRO from_iso8601_timestamp(s) AS CAST(CAST(s AS TIMESTAMPTZ) AT TIME ZONE 'UTC' AS TIMESTAMP)",
    example: { query: "SELECT hour(from_iso8601_timestamp('2020-03-01T10:30:00Z')) AS v", expected: 10 },
  },
  {
    name: 'from_iso8601_date',
    sql: 'CREATE OR REPLACE TEMP MACRO from_iso8601_date(s) AS CAST(s AS DATE)',
    example: { query: "SELECT year(from_iso8601_date('1961-07-15')) AS v", expected: 1961 },
  },
  {
    name: 'sequence',
    sql: 'CREATE OR REPLACE TEMP MACRO sequence(a, b) AS generate_series(a, b)',
    example: { query: 'SELECT cardinality(sequence(1, 5)) AS v', expected: 5 },
  },
  {
    name: 'regexp_like',
    sql: 'CREATE OR REPLACE TEMP MACRO regexp_like(s, p) AS regexp_matches(s, p)',
    example: { query: "SELECT regexp_like('rs429358', '^rs[0-9]+$') AS v", expected: true },
  },
];

/**
 * Portable idioms that need no macro: both engines give the same answer natively. Kept beside the macros so the
 * test suite proves each one on DuckDB.
 */
export const PORTABLE_IDIOMS: readonly { readonly query: string; readonly expected: unknown }[] = [
  { query: "SELECT date_diff('day', DATE '2020-01-01', DATE '2020-01-10') AS v", expected: 9 },
  { query: "SELECT CAST(DATE '2020-01-01' + INTERVAL '3' DAY AS DATE) AS v", expected: '2020-01-04' },
  { query: "SELECT year(DATE '2019-12-31') AS v", expected: 2019 },
  { query: 'SELECT CAST(7 AS DOUBLE) / 2 AS v', expected: 3.5 },
  { query: "SELECT 'a' || NULL AS v", expected: null },
  { query: "SELECT regexp_extract('Patient/abc-1', 'Patient/(.*)', 1) AS v", expected: 'abc-1' },
  { query: 'SELECT count(*) AS v FROM (SELECT ARRAY[1, 2, 3] AS l) CROSS JOIN UNNEST(l) AS t(x)', expected: 3 },
  { query: 'SELECT cardinality(filter(ARRAY[1, 2, 3], x -> x > 1)) AS v', expected: 2 },
  { query: "SELECT contains(ARRAY['PASS'], 'PASS') AS v", expected: true },
];
