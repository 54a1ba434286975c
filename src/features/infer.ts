/**
 * Inferring feature definitions from a table, like the SageMaker SDK's `FeatureGroup.load_feature_definitions`
 * (int64 → Integral, float64 → Fractional, everything else → String), and normalising rows for ingest (pure).
 */
import { HealthDataError } from '../errors';
import { checkFeatureName } from './limits';
import { formatEventTime } from './records';
import type { FeatureDefinition, FeatureInputValue, FeatureType } from './types';

/** A column's SQL type, when the rows came from a query (`{ name, type }` as `SqlEngine.queryResult` gives). */
export interface ColumnTypeHint {
  /** Column name. */
  readonly name: string;
  /** Engine type name (`BIGINT`, `DOUBLE`, `VARCHAR`, `bigint`, …). */
  readonly type: string;
}

/** Options of {@link inferFeatureDefinitions}. */
export interface InferOptions {
  /** Column SQL types (take precedence over the JS values: a DOUBLE column of whole numbers stays Fractional). */
  readonly columns?: readonly ColumnTypeHint[];
  /** The event-time column: Date / date values make it a String event time, numbers a Fractional one. */
  readonly eventTimeFeatureName?: string;
  /** Explicit types for some columns, overriding inference. */
  readonly overrides?: Readonly<Record<string, FeatureType>>;
}

/**
 * Maps an engine type name to a feature type.
 *
 * @param sqlType - e.g. `BIGINT`, `DOUBLE`, `DECIMAL(10,2)`, `VARCHAR`, `TIMESTAMP`, `boolean`
 * @returns the feature type
 */
export function featureTypeOfSqlType(sqlType: string): FeatureType {
  const t = sqlType.trim().toUpperCase();
  if (/^(TINYINT|SMALLINT|INTEGER|INT|BIGINT|HUGEINT|UTINYINT|USMALLINT|UINTEGER|UBIGINT|BOOLEAN|INT[1248])$/.test(t)) {
    return 'Integral';
  }
  if (/^(DOUBLE|FLOAT|REAL|FLOAT[48]|DECIMAL|NUMERIC)(\(.*\))?$/.test(t)) {
    return 'Fractional';
  }
  return 'String';
}

function typeOfValues(values: readonly unknown[]): FeatureType {
  let sawInt = false;
  let sawFrac = false;
  for (const v of values) {
    if (v === null || v === undefined) {
      continue;
    }
    if (typeof v === 'bigint' || typeof v === 'boolean') {
      sawInt = true;
    } else if (typeof v === 'number') {
      if (Number.isInteger(v)) {
        sawInt = true;
      } else {
        sawFrac = true;
      }
    } else {
      return 'String';
    }
  }
  if (sawFrac) {
    return 'Fractional';
  }
  return sawInt ? 'Integral' : 'String';
}

/**
 * Infers one feature definition per column of a table.
 *
 * @param rows - the table (every row's keys are columns; the union over rows is taken, in first-seen order)
 * @param options - column SQL types, the event-time column, overrides
 * @returns the definitions, in column order
 * @throws {@link HealthDataError} (invalid-input) for an empty table or a column name that is not a valid feature name
 * @example
 * ```ts
 * inferFeatureDefinitions([{ patient_id: 'p1', event_time: '2020-01-01T00:00:00Z', bmi: 27.4, smoker: 1 }]);
 * // [{ name: 'patient_id', type: 'String' }, { name: 'event_time', type: 'String' },
 * //  { name: 'bmi', type: 'Fractional' }, { name: 'smoker', type: 'Integral' }]
 * ```
 */
export function inferFeatureDefinitions(rows: readonly Readonly<Record<string, unknown>>[], options: InferOptions = {}): FeatureDefinition[] {
  const names: string[] = [];
  const seen = new Set<string>();
  for (const c of options.columns ?? []) {
    if (!seen.has(c.name)) {
      seen.add(c.name);
      names.push(c.name);
    }
  }
  for (const r of rows) {
    for (const k of Object.keys(r)) {
      if (!seen.has(k)) {
        seen.add(k);
        names.push(k);
      }
    }
  }
  if (names.length === 0) {
    throw new HealthDataError('invalid-input', 'inferFeatureDefinitions: the table has no columns (no rows and no column list); pass rows or columns');
  }
  const sqlTypes = new Map((options.columns ?? []).map((c) => [c.name, c.type]));
  return names.map((name) => {
    checkFeatureName('inferFeatureDefinitions', name);
    const override = options.overrides?.[name];
    if (override !== undefined) {
      return { name, type: override };
    }
    const sqlType = sqlTypes.get(name);
    if (name === options.eventTimeFeatureName) {
      const first = rows.map((r) => r[name]).find((v) => v !== null && v !== undefined);
      const upper = sqlType?.toUpperCase() ?? '';
      const numeric = typeof first === 'number' || typeof first === 'bigint' || /^(DOUBLE|FLOAT|REAL|BIGINT|INTEGER|DECIMAL)/.test(upper);
      return { name, type: numeric ? 'Fractional' : 'String' };
    }
    if (sqlType !== undefined) {
      return { name, type: featureTypeOfSqlType(sqlType) };
    }
    return { name, type: typeOfValues(rows.map((r) => r[name])) };
  });
}

/**
 * Normalises an event-time value from a table for ingest: a `Date` (SQL TIMESTAMP) or a `YYYY-MM-DD` date (SQL
 * DATE) becomes SageMaker's ISO form at UTC midnight; other values pass through (and are checked by the store).
 *
 * @param v - the value
 * @returns the value to put
 */
export function normalizeEventTime(v: unknown): FeatureInputValue {
  if (v instanceof Date) {
    return formatEventTime(v);
  }
  if (typeof v === 'string' && /^\d{4}-\d{2}-\d{2}$/.test(v)) {
    return `${v}T00:00:00Z`;
  }
  if (typeof v === 'string' && /^\d{4}-\d{2}-\d{2}[ T]\d{2}:\d{2}:\d{2}(\.\d+)?$/.test(v)) {
    // A naive timestamp text: read as UTC (DuckDB and Athena TIMESTAMPs carry no zone).
    return formatEventTime(new Date(`${v.replace(' ', 'T')}Z`));
  }
  return v as FeatureInputValue;
}

/**
 * Turns a table row into an input record: booleans stay (Integral takes them as 1/0), Dates become ISO text,
 * the event-time column is normalised with {@link normalizeEventTime}, and anything else non-scalar becomes JSON.
 *
 * @param row - the row
 * @param eventTimeFeatureName - the event-time column
 * @returns the record
 */
export function rowToRecord(row: Readonly<Record<string, unknown>>, eventTimeFeatureName: string): Record<string, FeatureInputValue> {
  const out: Record<string, FeatureInputValue> = {};
  for (const [k, v] of Object.entries(row)) {
    if (k === eventTimeFeatureName) {
      out[k] = normalizeEventTime(v);
    } else if (v === null || v === undefined || typeof v === 'string' || typeof v === 'number' || typeof v === 'bigint' || typeof v === 'boolean' || v instanceof Date) {
      out[k] = v;
    } else {
      out[k] = JSON.stringify(v, (_key, val: unknown) => (typeof val === 'bigint' ? val.toString() : val));
    }
  }
  return out;
}
