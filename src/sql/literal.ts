/**
 * SQL text literals, for the places that take no parameters (file paths in `read_csv`/`COPY`, DDL, JSON specs).
 */

/**
 * Quotes a string as a SQL literal.
 *
 * @param s - the text
 * @returns `'text'` with quotes doubled
 * @example
 * ```ts
 * sqlLiteral("O'Brien.ndjson"); // → 'O''Brien.ndjson'
 * ```
 */
export function sqlLiteral(s: string): string {
  return `'${s.replace(/'/g, "''")}'`;
}

/**
 * Quotes a name as a SQL identifier (DuckDB and Athena/Trino).
 *
 * @param name - the name
 * @returns `"name"` with double quotes doubled
 * @example
 * ```ts
 * sqlIdentifier('end'); // → "end"
 * ```
 */
export function sqlIdentifier(name: string): string {
  return `"${name.replace(/"/g, '""')}"`;
}
