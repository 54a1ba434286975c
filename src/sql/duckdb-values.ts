/**
 * Converts DuckDB's JS values into the row shape shared with the Athena engine (see `engine.ts`).
 */
import type { DuckDBType } from '@duckdb/node-api';
import type { Row } from './engine';

function plain(value: unknown): unknown {
  if (typeof value === 'bigint') {
    return Number.isSafeInteger(Number(value)) ? Number(value) : value;
  }
  if (Array.isArray(value)) {
    return value.map(plain);
  }
  if (value instanceof Date || value === null || typeof value !== 'object' || Buffer.isBuffer(value)) {
    return value;
  }
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) {
    out[k] = plain(v);
  }
  return out;
}

function convert(value: unknown, typeName: string): unknown {
  if (value === null || value === undefined) {
    return null;
  }
  if (typeName === 'DATE' && value instanceof Date) {
    return value.toISOString().slice(0, 10);
  }
  if (typeName.startsWith('MAP(') && Array.isArray(value)) {
    const out: Record<string, unknown> = {};
    for (const entry of value as { key: unknown; value: unknown }[]) {
      out[String(entry.key)] = plain(entry.value);
    }
    return out;
  }
  return plain(value);
}

/**
 * Converts rows read with `getRowObjectsJS()` to the shared row shape.
 *
 * @param rows - rows as DuckDB's JS conversion gives them
 * @param names - column names
 * @param types - column types
 * @returns rows with safe bigints as numbers, DATE as `YYYY-MM-DD`, MAP as plain objects
 */
export function convertDuckDbRows(rows: readonly Record<string, unknown>[], names: readonly string[], types: readonly DuckDBType[]): Row[] {
  const typeNames = types.map((t) => t.toString());
  return rows.map((r) => {
    const out: Row = {};
    names.forEach((name, i) => {
      out[name] = convert(r[name], typeNames[i] ?? '');
    });
    return out;
  });
}
