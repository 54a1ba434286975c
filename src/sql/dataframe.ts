/**
 * Builds danfojs DataFrames from query results, at the notebook edge. danfojs-node (and its pure-JS TensorFlow) is
 * loaded only when a DataFrame is asked for, so the library's other paths stay light.
 */
import type { DataFrame } from 'danfojs-node';
import type * as Danfo from 'danfojs-node';
import type { QueryResult, Row } from './engine';

function cell(v: unknown): string | number | boolean | null {
  if (v === null || v === undefined) {
    return null;
  }
  if (typeof v === 'number' || typeof v === 'string' || typeof v === 'boolean') {
    return v;
  }
  if (typeof v === 'bigint') {
    return v.toString();
  }
  if (v instanceof Date) {
    return v.toISOString();
  }
  return JSON.stringify(v, (_k, x: unknown) => (typeof x === 'bigint' ? x.toString() : x));
}

/**
 * Converts a query result to a danfojs DataFrame. Complex values become JSON text, timestamps ISO text.
 *
 * @param result - columns and rows
 * @returns a DataFrame with the result's columns, in order (an empty frame keeps its column names)
 */
export function resultToDataFrame<T extends Row>(result: QueryResult<T>): DataFrame {
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- lazy: danfojs loads TensorFlow.js (~1 s)
  const dfd = require('danfojs-node') as typeof Danfo;
  const columns = result.columns.map((c) => c.name);
  if (result.rows.length === 0) {
    return new dfd.DataFrame([], { columns });
  }
  const data = result.rows.map((r) => columns.map((c) => cell(r[c])));
  return new dfd.DataFrame(data, { columns });
}
