/**
 * Point-in-time training sets, with the semantics of the SageMaker Python SDK's `DatasetBuilder`
 * (`sagemaker/feature_store/dataset_builder.py`; docs/aws-semantics.md §4 "Time travel"):
 *
 * - per group, the offline rows are deduplicated per (identifier, event time), keeping the latest
 *   `api_invocation_time`, then `write_time` (unless `includeDuplicatedRecords`);
 * - a record whose most recent offline row is a delete marker is dropped together with every row up to that delete;
 *   rows written after the delete stay (unless `includeDeletedRecords`, which only drops the markers themselves);
 * - each base row is joined to each group on the identifier with `base event time >= group event time`, keeping the
 *   group's latest row at or before the base row's time — so no feature from the future reaches a training row.
 *
 * One difference from the SDK, on purpose: the SDK ranks joined rows per *identifier* (so a base table with two rows
 * per patient keeps only the newest unless `number_of_recent_records` is raised); here each *base row* gets its
 * own as-of lookup, which is what a training set with several index dates per patient needs. The join is `LEFT`
 * by default (a patient without imaging keeps its row, with nulls); pass `joinType: 'inner'` for the SDK's default.
 *
 * A group named in `timeInvariantGroups` is joined on the identifier alone (its latest record, whatever its event
 * time): for facts that do not change over a life, such as a germline genotype, the event time records when the fact
 * was *read* (the genetic test date), not when it became true — a genotype sequenced after the index date was the
 * same at the index date, so using it there is no look-ahead (README "Cohort design").
 *
 * The SQL is written in the portable dialect (docs/aws-semantics.md §6): it runs unchanged on DuckDB and Athena. Base
 * rows passed inline become a `VALUES` list of SQL literals ({@link valuesRelation}): Athena binds `?` parameters
 * only in a `WHERE` clause, not inside `VALUES`.
 */
import { HealthDataError } from '../errors';
import type { ColumnInfo, QueryResult, Row, SqlDialect, SqlParam } from '../sql/engine';
import { sqlIdentifier, sqlLiteral } from '../sql/literal';
import type { FeatureGroupDescription, FeatureType } from './types';

/** The entity table: identifiers and event times (index dates), plus any columns to carry along (labels). */
export interface DatasetBase {
  /** A table or view visible to the workspace's SQL engine (e.g. `cohort_labels`). */
  readonly table?: string;
  /** Or the rows themselves. */
  readonly rows?: readonly Row[];
  /** Identifier column in the base (default: the first group's record identifier name). */
  readonly recordIdentifierName?: string;
  /** Event-time column in the base (default: the first group's event-time name). */
  readonly eventTimeName?: string;
}

/** Options of `buildDataset`. */
export interface DatasetOptions {
  /** The entity table. */
  readonly base: DatasetBase;
  /** Feature groups to join, in order. */
  readonly groups: readonly string[];
  /**
   * Features to take: `group.feature` or a bare `feature` found in exactly one group. Default: every feature of
   * every group except its identifier and event time.
   */
  readonly features?: readonly string[];
  /** Keep every offline row of a record, not only the latest per event time (SDK `include_duplicated_records`). */
  readonly includeDuplicatedRecords?: boolean;
  /** Ignore deletes: keep rows written before a delete marker (SDK `include_deleted_records`). */
  readonly includeDeletedRecords?: boolean;
  /** `left` (default; base rows without a match keep nulls) or `inner` (the SDK's default: drop them). */
  readonly joinType?: 'left' | 'inner';
  /** Time travel: only offline rows written at or before this time (SDK `as_of`). */
  readonly asOf?: Date;
  /**
   * Groups joined on the identifier alone, ignoring event times (their latest record): facts that never change,
   * like a germline genotype whose event time is only its test date. Default none.
   */
  readonly timeInvariantGroups?: readonly string[];
  /** Also store the result as this table (replaced if it exists on DuckDB). */
  readonly into?: string;
}

/** A built training set. */
export interface TrainingDataset {
  /** Output columns. */
  readonly columns: readonly ColumnInfo[];
  /** Rows (empty when `into` was given: read the table instead). */
  readonly rows: readonly Row[];
  /** Number of rows. */
  readonly rowCount: number;
  /** The table written, when `into` was given. */
  readonly table?: string;
  /** Output column → `group.feature` it came from (base columns are absent). */
  readonly featureSources: Readonly<Record<string, string>>;
  /** The query that built it (portable SQL, `?` placeholders). */
  readonly sql: string;
  /** The bound parameters. */
  readonly params: readonly SqlParam[];
}

/** How a time column is turned into a timestamp. */
export type TimeKind = 'String' | 'Fractional' | 'Timestamp';

/** One group's part of the query. */
export interface DatasetGroupPlan {
  /** Group name. */
  readonly name: string;
  /** Quoted offline table. */
  readonly table: string;
  /** Identifier feature. */
  readonly recordIdentifierFeatureName: string;
  /** Event-time feature. */
  readonly eventTimeFeatureName: string;
  /** Event-time type. */
  readonly eventTimeType: FeatureType;
  /** Selected features and their output names. */
  readonly features: readonly { readonly name: string; readonly output: string }[];
  /** Joined on the identifier alone (latest record, any event time); default false. */
  readonly timeInvariant?: boolean;
}

/** Everything {@link pointInTimeSql} needs. */
export interface DatasetPlan {
  /** SQL relation of the base (a quoted table or a parenthesised query). */
  readonly baseSource: string;
  /** Parameters of the base source. */
  readonly baseParams: readonly SqlParam[];
  /** Base columns to output, in order. */
  readonly baseColumns: readonly string[];
  /** Base identifier column. */
  readonly baseKey: string;
  /** Base event-time column. */
  readonly baseEventTime: string;
  /** How the base event time becomes a timestamp. */
  readonly baseEventTimeKind: TimeKind;
  /** Groups. */
  readonly groups: readonly DatasetGroupPlan[];
  /** See {@link DatasetOptions}. */
  readonly includeDuplicatedRecords: boolean;
  /** See {@link DatasetOptions}. */
  readonly includeDeletedRecords: boolean;
  /** See {@link DatasetOptions}. */
  readonly joinType: 'left' | 'inner';
  /** See {@link DatasetOptions}. */
  readonly asOf: Date | undefined;
}

/**
 * Quotes a possibly schema-qualified table name after checking it is a plain identifier path.
 *
 * @param fn - calling function, for messages
 * @param table - e.g. `cohort` or `main.cohort`
 * @returns the quoted reference
 * @throws {@link HealthDataError} (invalid-input) for anything but letters, digits, `_` and one or two dots
 */
export function quoteTableName(fn: string, table: string): string {
  if (!/^[A-Za-z_][A-Za-z0-9_-]*(\.[A-Za-z_][A-Za-z0-9_-]*){0,2}$/.test(table)) {
    throw new HealthDataError('invalid-input', `${fn}: table name ${JSON.stringify(table)} is not a plain (optionally schema-qualified) identifier`, {
      path: 'table',
    });
  }
  return table.split('.').map(sqlIdentifier).join('.');
}

function tsExpr(expr: string, kind: TimeKind): string {
  switch (kind) {
    case 'String':
      return `from_iso8601_timestamp(${expr})`;
    case 'Fractional':
      return `from_unixtime(${expr})`;
    case 'Timestamp':
      return `CAST(${expr} AS TIMESTAMP)`;
  }
}

function groupEventTs(g: DatasetGroupPlan, alias: string): string {
  return tsExpr(`${alias}.${sqlIdentifier(g.eventTimeFeatureName)}`, g.eventTimeType === 'Fractional' ? 'Fractional' : 'String');
}

// The windows (dedup, latest delete, as-of pick) run on narrow key columns only — identifier, event timestamp,
// is_deleted, api_invocation_time, write_time — and the wide feature columns are joined back once at the end on
// that key. Carrying 100 features through three windows made the join several times slower (measured in
// bench/feature-store.ts).
function groupCtes(g: DatasetGroupPlan, i: number, plan: DatasetPlan, params: SqlParam[]): string[] {
  const rid = sqlIdentifier(g.recordIdentifierFeatureName);
  const src = `g${String(i)}_src`;
  let where = '';
  if (plan.asOf !== undefined) {
    where = '\n  WHERE o.write_time <= ?';
    params.push(plan.asOf);
  }
  const ctes: string[] = [
    `${src} AS (\n  SELECT o.${rid}, ${groupEventTs(g, 'o')} AS "__ts", o.is_deleted AS "__deleted", o.api_invocation_time AS "__api", o.write_time AS "__write"\n  FROM ${g.table} o${where}\n)`,
  ];
  const dedup = `g${String(i)}_dedup`;
  const del = `g${String(i)}_del`;
  const out = `g${String(i)}`;
  const dedupCte = (filter: string): string =>
    `${dedup} AS (\n  SELECT * FROM (\n    SELECT s.*, row_number() OVER (PARTITION BY s.${rid}, s."__ts" ORDER BY s."__api" DESC, s."__write" DESC) AS "__rn"\n    FROM ${src} s${filter}\n  ) d WHERE d."__rn" = 1\n)`;
  if (plan.includeDeletedRecords) {
    if (plan.includeDuplicatedRecords) {
      ctes.push(`${out} AS (\n  SELECT * FROM ${src} s WHERE NOT s."__deleted"\n)`);
    } else {
      ctes.push(dedupCte(' WHERE NOT s."__deleted"'));
      ctes.push(`${out} AS (\n  SELECT * FROM ${dedup}\n)`);
    }
    return ctes;
  }
  const rows = plan.includeDuplicatedRecords ? src : dedup;
  if (!plan.includeDuplicatedRecords) {
    ctes.push(dedupCte(''));
  }
  ctes.push(
    `${del} AS (\n  SELECT * FROM (\n    SELECT s.${rid}, s."__ts", s."__api", s."__write",\n      row_number() OVER (PARTITION BY s.${rid} ORDER BY s."__ts" DESC, s."__api" DESC, s."__write" DESC) AS "__rn"\n    FROM ${src} s WHERE s."__deleted"\n  ) d WHERE d."__rn" = 1\n)`,
  );
  // Keep rows of records never deleted, and rows after the record's latest delete (SDK `_construct_table_query`).
  ctes.push(
    `${out} AS (\n  SELECT t.* FROM ${rows} t LEFT JOIN ${del} x ON t.${rid} = x.${rid}\n  WHERE NOT t."__deleted" AND (x.${rid} IS NULL OR t."__ts" > x."__ts"\n    OR (t."__ts" = x."__ts" AND (t."__api" > x."__api" OR (t."__api" = x."__api" AND t."__write" > x."__write"))))\n)`,
  );
  return ctes;
}

/**
 * Writes the point-in-time join query.
 *
 * @param plan - base, groups and options
 * @returns the SQL and its parameters (base parameters first)
 */
export function pointInTimeSql(plan: DatasetPlan): { sql: string; params: SqlParam[] } {
  const params: SqlParam[] = [...plan.baseParams];
  const key = sqlIdentifier(plan.baseKey);
  const ctes: string[] = [
    `b AS (\n  SELECT ${plan.baseColumns.map((c) => `s.${sqlIdentifier(c)}`).join(', ')}, ${tsExpr(`s.${sqlIdentifier(plan.baseEventTime)}`, plan.baseEventTimeKind)} AS "__bts",\n    row_number() OVER (ORDER BY s.${key}, s.${sqlIdentifier(plan.baseEventTime)}) AS "__row"\n  FROM ${plan.baseSource} s\n)`,
  ];
  plan.groups.forEach((g, i) => {
    ctes.push(...groupCtes(g, i, plan, params));
    const n = String(i);
    const rid = sqlIdentifier(g.recordIdentifierFeatureName);
    const rank = plan.includeDuplicatedRecords ? 'rank()' : 'row_number()';
    const order = plan.includeDuplicatedRecords ? 'g."__ts" DESC' : 'g."__ts" DESC, g."__api" DESC, g."__write" DESC';
    ctes.push(
      `j${n} AS (\n  SELECT * FROM (\n    SELECT b."__row", g.${rid} AS "__id", g."__ts", g."__api", g."__write",\n      ${rank} OVER (PARTITION BY b."__row" ORDER BY ${order}) AS "__rk"\n    FROM b JOIN g${n} g ON b.${key} = g.${rid}${g.timeInvariant === true ? '' : ' AND b."__bts" >= g."__ts"'}\n  ) z WHERE z."__rk" = 1\n)`,
    );
    if (g.features.length > 0) {
      const picks = g.features.map((f) => `o.${sqlIdentifier(f.name)} AS ${sqlIdentifier(f.output)}`);
      // asOf needs no filter here: the key (id, event time, api time, write time) names the one chosen row.
      ctes.push(`f${n} AS (\n  SELECT o.${rid} AS "__id", ${groupEventTs(g, 'o')} AS "__ts", o.api_invocation_time AS "__api", o.write_time AS "__write", ${picks.join(', ')}\n  FROM ${g.table} o\n)`);
    }
  });
  const select = [...plan.baseColumns.map((c) => `b.${sqlIdentifier(c)}`), ...plan.groups.flatMap((g, i) => g.features.map((f) => `f${String(i)}.${sqlIdentifier(f.output)}`))];
  const join = plan.joinType === 'inner' ? 'JOIN' : 'LEFT JOIN';
  const joins = plan.groups.flatMap((g, i) => {
    const n = String(i);
    const parts = [`${join} j${n} ON j${n}."__row" = b."__row"`];
    if (g.features.length > 0) {
      parts.push(`LEFT JOIN f${n} ON f${n}."__id" = j${n}."__id" AND f${n}."__ts" = j${n}."__ts" AND f${n}."__api" = j${n}."__api" AND f${n}."__write" = j${n}."__write"`);
    }
    return parts;
  });
  const sql = `WITH ${ctes.join(',\n')}\nSELECT ${select.join(', ')}\nFROM b\n${joins.join('\n')}\nORDER BY b."__row"`;
  return { sql, params };
}

function literal(v: unknown): string {
  if (v === null || v === undefined) {
    return 'NULL';
  }
  if (typeof v === 'number') {
    return Number.isFinite(v) ? (Number.isInteger(v) ? String(v) : `CAST(${String(v)} AS DOUBLE)`) : 'NULL';
  }
  if (typeof v === 'bigint') {
    return String(v);
  }
  if (typeof v === 'boolean') {
    return v ? 'TRUE' : 'FALSE';
  }
  if (v instanceof Date) {
    return sqlLiteral(v.toISOString());
  }
  return sqlLiteral(typeof v === 'string' ? v : JSON.stringify(v));
}

/**
 * Inline base rows as a parenthesised `VALUES` relation of SQL literals — no `?` parameters, which Athena accepts only
 * in a `WHERE` clause. Strings are quoted with quotes doubled, numbers written as numbers (non-finite → NULL), dates
 * as ISO strings, anything else as its JSON text.
 *
 * @param rows - the base rows
 * @param columns - their column names, in order
 * @returns `(SELECT * FROM (VALUES (…), …) AS v("a", "b"))`
 * @example
 * ```ts
 * valuesRelation([{ id: "O'B", t: 1 }], ['id', 't']); // (SELECT * FROM (VALUES ('O''B', 1)) AS v("id", "t"))
 * ```
 */
export function valuesRelation(rows: readonly Row[], columns: readonly string[]): string {
  const tuples = rows.map((r) => `(${columns.map((c) => literal(r[c])).join(', ')})`);
  return `(SELECT * FROM (VALUES ${tuples.join(', ')}) AS v(${columns.map(sqlIdentifier).join(', ')}))`;
}

/** What {@link buildDatasetWith} needs from a store. */
export interface DatasetDeps {
  /** SQL dialect of the engine. */
  readonly dialect: SqlDialect;
  /** Describes a group. */
  describe(name: string): Promise<FeatureGroupDescription>;
  /** Quotes a group's offline table. */
  quoteOfflineTable(desc: FeatureGroupDescription): string;
  /** Runs a query. */
  queryResult(sql: string, params: readonly SqlParam[]): Promise<QueryResult>;
  /** Runs a statement. */
  run(sql: string, params: readonly SqlParam[]): Promise<void>;
  /** Makes base rows queryable (default {@link valuesRelation}, without parameters). */
  stageBaseRows?(rows: readonly Row[], columns: readonly string[]): Promise<{ source: string; params: SqlParam[] }>;
}

function timeKindOfSqlType(type: string): TimeKind {
  const t = type.toUpperCase();
  if (t.startsWith('TIMESTAMP') || t === 'DATE') {
    return 'Timestamp';
  }
  if (/^(DOUBLE|FLOAT|REAL|BIGINT|INTEGER|INT|SMALLINT|DECIMAL)/.test(t)) {
    return 'Fractional';
  }
  return 'String';
}

function timeKindOfValue(v: unknown): TimeKind {
  return typeof v === 'number' || typeof v === 'bigint' ? 'Fractional' : 'String';
}

function resolveFeatures(
  fn: string,
  descs: readonly FeatureGroupDescription[],
  features: readonly string[] | undefined,
  baseColumns: readonly string[],
): { name: string; features: { name: string; output: string }[] }[] {
  const picked: { name: string; features: string[] }[] = descs.map((d) => ({ name: d.name, features: [] }));
  if (features === undefined) {
    descs.forEach((d, i) => {
      picked[i]?.features.push(...d.featureDefinitions.map((f) => f.name).filter((n) => n !== d.recordIdentifierFeatureName && n !== d.eventTimeFeatureName));
    });
  } else {
    for (const spec of features) {
      const dot = spec.indexOf('.');
      const groupName = dot >= 0 ? spec.slice(0, dot) : undefined;
      const featureName = dot >= 0 ? spec.slice(dot + 1) : spec;
      const candidates = descs.map((d, i) => ({ d, i })).filter(({ d }) => (groupName === undefined || d.name === groupName) && d.featureDefinitions.some((f) => f.name === featureName));
      if (candidates.length === 0) {
        throw new HealthDataError(
          'invalid-input',
          `${fn}: feature "${spec}" is not in ${groupName === undefined ? 'any of the groups' : `group "${groupName}"`} (${descs.map((d) => d.name).join(', ')})`,
          {
            path: spec,
          },
        );
      }
      if (candidates.length > 1) {
        throw new HealthDataError('invalid-input', `${fn}: feature "${spec}" is in several groups (${candidates.map((c) => c.d.name).join(', ')}); write it as group.feature`, {
          path: spec,
        });
      }
      const c = candidates[0];
      if (c !== undefined && !(picked[c.i]?.features.includes(featureName) ?? true)) {
        picked[c.i]?.features.push(featureName);
      }
    }
  }
  const counts = new Map<string, number>();
  for (const c of baseColumns) {
    counts.set(c.toLowerCase(), (counts.get(c.toLowerCase()) ?? 0) + 1);
  }
  for (const p of picked) {
    for (const f of p.features) {
      counts.set(f.toLowerCase(), (counts.get(f.toLowerCase()) ?? 0) + 1);
    }
  }
  return picked.map((p) => ({
    name: p.name,
    features: p.features.map((f) => ({ name: f, output: (counts.get(f.toLowerCase()) ?? 0) > 1 ? `${p.name}.${f}` : f })),
  }));
}

/**
 * Builds a point-in-time training set with a store's primitives (used by every backend).
 *
 * @param deps - the store's primitives
 * @param options - base, groups, features, options
 * @returns the dataset
 * @throws {@link HealthDataError} (invalid-input) for a missing base, an unknown group or feature, or a base without the key/event-time columns
 */
export async function buildDatasetWith(deps: DatasetDeps, options: DatasetOptions): Promise<TrainingDataset> {
  const fn = 'buildDataset';
  const descs = await describeGroups(deps, fn, options.groups);
  const base = await resolveBase(deps, fn, options.base, descs[0] as FeatureGroupDescription);
  const plan = planDataset(deps, fn, descs, base, options);
  const { sql, params } = pointInTimeSql(plan);
  const featureSources: Record<string, string> = {};
  for (const g of plan.groups) {
    for (const f of g.features) {
      featureSources[f.output] = `${g.name}.${f.name}`;
    }
  }
  if (options.into !== undefined) {
    return materializeDataset(deps, fn, options.into, sql, params, featureSources);
  }
  const result = await deps.queryResult(sql, params);
  return { columns: result.columns, rows: result.rows, rowCount: result.rows.length, featureSources, sql, params };
}

/** The dataset's base relation: where its rows come from, its columns and its key and event-time columns. */
interface ResolvedBase {
  readonly source: string;
  readonly params: SqlParam[];
  readonly columns: string[];
  readonly key: string;
  readonly eventTime: string;
  readonly kind: TimeKind;
}

/** Phase 1: describes every group, each of which must have an offline store (the history to join as of a time). */
async function describeGroups(deps: DatasetDeps, fn: string, names: readonly string[]): Promise<FeatureGroupDescription[]> {
  if (names.length === 0) {
    throw new HealthDataError('invalid-input', `${fn}: groups is empty; name at least one feature group`, { path: 'groups' });
  }
  const descs: FeatureGroupDescription[] = [];
  for (const name of names) {
    const d = await deps.describe(name);
    if (d.offlineStore === undefined) {
      throw new HealthDataError('invalid-input', `${fn}: group "${name}" has no offline store, so it keeps no history to join as of a time`, { path: name });
    }
    descs.push(d);
  }
  return descs;
}

/** Phase 2: the base (a table or inline rows), its columns and event-time kind; checks the key and event-time columns exist. */
async function resolveBase(deps: DatasetDeps, fn: string, base: DatasetOptions['base'], first: FeatureGroupDescription): Promise<ResolvedBase> {
  const key = base.recordIdentifierName ?? first.recordIdentifierFeatureName;
  const eventTime = base.eventTimeName ?? first.eventTimeFeatureName;
  let resolved: ResolvedBase;
  if (base.table !== undefined) {
    const source = quoteTableName(fn, base.table);
    const probe = await deps.queryResult(`SELECT * FROM ${source} WHERE 1 = 0`, []);
    const etCol = probe.columns.find((c) => c.name === eventTime);
    resolved = { source, params: [], columns: probe.columns.map((c) => c.name), key, eventTime, kind: etCol === undefined ? 'String' : timeKindOfSqlType(etCol.type) };
  } else if (base.rows !== undefined) {
    resolved = await stageRows(deps, fn, base.rows, key, eventTime);
  } else {
    throw new HealthDataError('invalid-input', `${fn}: base needs a table name or rows (identifiers and event times)`, { path: 'base' });
  }
  for (const [what, col] of [
    ['recordIdentifierName', key],
    ['eventTimeName', eventTime],
  ] as const) {
    if (!resolved.columns.includes(col)) {
      throw new HealthDataError('invalid-input', `${fn}: the base has no column "${col}" (columns: ${resolved.columns.join(', ')}); set base.${what}`, {
        path: `base.${what}`,
      });
    }
  }
  return resolved;
}

/** Inline base rows: their columns in first-seen order, dates as ISO text, staged by the backend (or a VALUES list). */
async function stageRows(deps: DatasetDeps, fn: string, input: NonNullable<DatasetOptions['base']['rows']>, key: string, eventTime: string): Promise<ResolvedBase> {
  const seen = new Set<string>();
  const columns: string[] = [];
  const rows = input.map((r) => {
    const out: Row = {};
    for (const [k, v] of Object.entries(r)) {
      if (!seen.has(k)) {
        seen.add(k);
        columns.push(k);
      }
      out[k] = v instanceof Date ? v.toISOString() : v;
    }
    return out;
  });
  if (rows.length === 0) {
    throw new HealthDataError('invalid-input', `${fn}: base.rows is empty; give at least one row with ${key} and ${eventTime}`, { path: 'base.rows' });
  }
  const kind = timeKindOfValue(rows.map((r) => r[eventTime]).find((v) => v !== null && v !== undefined));
  const staged = deps.stageBaseRows === undefined ? { source: valuesRelation(rows, columns), params: [] } : await deps.stageBaseRows(rows, columns);
  return { source: staged.source, params: staged.params, columns, key, eventTime, kind };
}

/** Phase 3: the join plan (each group's table, time column, chosen features and whether it is time-invariant). */
function planDataset(deps: DatasetDeps, fn: string, descs: readonly FeatureGroupDescription[], base: ResolvedBase, options: DatasetOptions): DatasetPlan {
  const resolved = resolveFeatures(fn, descs, options.features, base.columns);
  return {
    baseSource: base.source,
    baseParams: base.params,
    baseColumns: base.columns,
    baseKey: base.key,
    baseEventTime: base.eventTime,
    baseEventTimeKind: base.kind,
    groups: descs.map((d, i) => {
      const et = d.featureDefinitions.find((f) => f.name === d.eventTimeFeatureName);
      return {
        name: d.name,
        table: deps.quoteOfflineTable(d),
        recordIdentifierFeatureName: d.recordIdentifierFeatureName,
        eventTimeFeatureName: d.eventTimeFeatureName,
        eventTimeType: et?.type ?? 'String',
        features: resolved[i]?.features ?? [],
        timeInvariant: options.timeInvariantGroups?.includes(d.name) ?? false,
      };
    }),
    includeDuplicatedRecords: options.includeDuplicatedRecords ?? false,
    includeDeletedRecords: options.includeDeletedRecords ?? false,
    joinType: options.joinType ?? 'left',
    asOf: options.asOf,
  };
}

/** Phase 4 (`into`): writes the dataset to a table and returns its columns and row count instead of the rows. */
async function materializeDataset(deps: DatasetDeps, fn: string, into: string, sql: string, params: SqlParam[], featureSources: Record<string, string>): Promise<TrainingDataset> {
  const target = quoteTableName(fn, into);
  await deps.run(`${deps.dialect === 'duckdb' ? 'CREATE OR REPLACE TABLE' : 'CREATE TABLE'} ${target} AS ${sql}`, params);
  const probe = await deps.queryResult(`SELECT * FROM ${target} WHERE 1 = 0`, []);
  const count = await deps.queryResult(`SELECT count(*) AS n FROM ${target}`, []);
  return { columns: probe.columns, rows: [], rowCount: Number(count.rows[0]?.n ?? 0), table: into, featureSources, sql, params };
}
