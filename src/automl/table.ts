/**
 * Reading the accepted table shapes (row objects or columns) into plain columns, and label handling.
 */
import { HealthDataError } from '../errors';
import type { TabularData } from './types';

/** A plain column of values as read from the input table. */
export type RawColumn = readonly unknown[];

/**
 * Number of rows of a table.
 *
 * @param data - rows or columns
 * @returns the row count
 * @throws {@link HealthDataError} (invalid-input) when columns differ in length
 */
export function rowCount(data: TabularData): number {
  if (Array.isArray(data)) {
    return data.length;
  }
  let n = -1;
  for (const [name, col] of Object.entries(data as Readonly<Record<string, ArrayLike<unknown>>>)) {
    if (n >= 0 && col.length !== n) {
      throw new HealthDataError('invalid-input', `automl: column ${name} has ${col.length} values but the others have ${n}; give columns of equal length`, {
        path: name,
      });
    }
    n = col.length;
  }
  return Math.max(n, 0);
}

/**
 * Column names of a table (the keys of the first row for row input, the union of keys of the first 100 rows).
 *
 * @param data - rows or columns
 * @returns the names, in first-seen order
 */
export function columnNames(data: TabularData): string[] {
  if (Array.isArray(data)) {
    const rows = data as readonly Readonly<Record<string, unknown>>[];
    const seen = new Set<string>();
    for (const row of rows.slice(0, 100)) {
      for (const k of Object.keys(row)) {
        seen.add(k);
      }
    }
    return [...seen];
  }
  return Object.keys(data);
}

/**
 * Reads one column.
 *
 * @param data - rows or columns
 * @param name - the column
 * @param caller - function name for the error message
 * @returns the values (undefined where a row lacks the key)
 * @throws {@link HealthDataError} (invalid-input) when a column table lacks the column
 */
export function readColumn(data: TabularData, name: string, caller: string): RawColumn {
  if (Array.isArray(data)) {
    const rows = data as readonly Readonly<Record<string, unknown>>[];
    return rows.map((r) => r[name]);
  }
  const col = (data as Readonly<Record<string, ArrayLike<unknown>>>)[name];
  if (col === undefined) {
    throw new HealthDataError('invalid-input', `${caller}: column ${JSON.stringify(name)} is missing; the model was trained with it, so pass it (values may be null)`, {
      path: name,
    });
  }
  return Array.from(col);
}

/**
 * Whether a value counts as missing (null, undefined, NaN, empty string).
 *
 * @param v - any value
 * @returns true when missing
 */
export function isMissing(v: unknown): boolean {
  return v === null || v === undefined || (typeof v === 'number' && Number.isNaN(v)) || v === '';
}

/**
 * A label value as a stable string key (classes are compared by this key).
 *
 * @param v - a label value
 * @returns the key
 */
export function labelKey(v: unknown): string {
  if (typeof v === 'string') {
    return v;
  }
  if (typeof v === 'number' || typeof v === 'boolean' || typeof v === 'bigint') {
    return String(v);
  }
  return JSON.stringify(v);
}

/**
 * Sorts class values: numbers (and booleans as 0/1) numerically, then strings lexically. For binary problems the
 * second class after sorting is the positive class (1 over 0, true over false), as in AutoGluon.
 *
 * @param values - distinct label values
 * @returns sorted copy
 */
export function sortClasses(values: readonly unknown[]): unknown[] {
  const num = (v: unknown): number | undefined => (typeof v === 'number' ? v : typeof v === 'boolean' ? Number(v) : typeof v === 'bigint' ? Number(v) : undefined);
  return [...values].sort((a, b) => {
    const na = num(a);
    const nb = num(b);
    if (na !== undefined && nb !== undefined) {
      return na - nb;
    }
    if (na !== undefined) {
      return -1;
    }
    if (nb !== undefined) {
      return 1;
    }
    return labelKey(a) < labelKey(b) ? -1 : labelKey(a) > labelKey(b) ? 1 : 0;
  });
}
