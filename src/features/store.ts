/**
 * The `FeatureStore` interface (SageMaker Feature Store semantics, docs/aws-semantics.md §4) and an abstract base that
 * derives the conveniences — `ingestTable`, `buildDataset`, `offlineTable` — from the backend primitives, so the
 * local (DuckDB + Parquet) and AWS (SageMaker + Athena) stores share them.
 */
import { HealthDataError, isHealthDataError } from '../errors';
import type { ProgressReporter } from '../progress';
import type { ColumnInfo, Row, SqlEngine, SqlParam } from '../sql/engine';
import type { DatasetOptions, TrainingDataset } from './dataset';
import { buildDatasetWith, valuesRelation } from './dataset';
import { sqlIdentifier } from '../sql/literal';
import type { ColumnTypeHint } from './infer';
import { inferFeatureDefinitions, rowToRecord } from './infer';
import type {
  BatchGetRequest,
  BatchGetResult,
  CreateFeatureGroupInput,
  DeleteRecordOptions,
  FeatureDefinition,
  FeatureGroupDescription,
  FeatureGroupSummary,
  FeatureRecord,
  FeatureRecordInput,
  FeatureType,
  IngestReport,
  PutRecordOptions,
} from './types';

/** Options of `ingest`. */
export interface IngestOptions {
  /** Concurrent writers (AWS: parallel PutRecord calls, default 8; local: ignored, DuckDB has one writer). */
  readonly workers?: number;
  /** Rows per write batch (local: one Parquet file per batch; default 5,000). */
  readonly batchSize?: number;
  /** Progress reporter (default the workspace's). */
  readonly progress?: ProgressReporter;
}

/** Options of `ingestTable`: create-or-check a group from a table, then ingest it. */
export interface IngestTableOptions {
  /** Group name. */
  readonly groupName: string;
  /** The table rows (e.g. from `ws.sql.query`). */
  readonly rows: readonly Row[];
  /** SQL column types of the rows (e.g. `(await ws.sql.queryResult(q)).columns`), for exact type inference. */
  readonly columns?: readonly ColumnTypeHint[];
  /** Identifier column (e.g. `patient_id`). */
  readonly recordIdentifierFeatureName: string;
  /** Event-time column (Date, `YYYY-MM-DD`, ISO text or Unix seconds). */
  readonly eventTimeFeatureName: string;
  /** Group description, used when the group is created. */
  readonly description?: string;
  /** Force types for some columns. */
  readonly featureTypes?: Readonly<Record<string, FeatureType>>;
  /** Progress reporter (default the workspace's). */
  readonly progress?: ProgressReporter;
  /** Concurrent writers (AWS). */
  readonly workers?: number;
  /**
   * When the group exists with other feature definitions: `error` (default; a {@link HealthDataError} conflict) or
   * `recreate` (delete the group, then create it from this table: for groups wholly derived by a pipeline step, whose
   * columns change when the library that computes them does).
   */
  readonly onSchemaChange?: 'error' | 'recreate';
}

/**
 * A feature store with SageMaker Feature Store semantics: latest-wins online store, append-only offline store
 * with `write_time` / `api_invocation_time` / `is_deleted`, soft and hard deletes, point-in-time datasets.
 */
export interface FeatureStore {
  /** Which backend answers. */
  readonly backend: 'local' | 'aws';
  /**
   * Creates a feature group.
   *
   * @param input - name, identifier and event-time features, definitions, stores
   * @returns the description (status `Created` locally; AWS waits until created)
   * @throws {@link HealthDataError} (invalid-input) for broken name rules or limits; (conflict) when it exists
   */
  createFeatureGroup(input: CreateFeatureGroupInput): Promise<FeatureGroupDescription>;
  /**
   * Describes a group.
   *
   * @param name - group name
   * @returns the description
   * @throws {@link HealthDataError} (not-found) when there is no such group
   */
  describeFeatureGroup(name: string): Promise<FeatureGroupDescription>;
  /**
   * Lists groups, by name.
   *
   * @param options - `nameContains` filter
   * @returns one summary per group
   */
  listFeatureGroups(options?: { readonly nameContains?: string }): Promise<FeatureGroupSummary[]>;
  /**
   * Deletes a group and its online store. As on AWS, the offline data and its table stay.
   *
   * @param name - group name
   * @throws {@link HealthDataError} (not-found) when there is no such group
   */
  deleteFeatureGroup(name: string): Promise<void>;
  /**
   * Writes one record. A newer event time replaces the online record; an older or equal one is historic and goes
   * to the offline store only. The offline store always appends.
   *
   * @param groupName - group name
   * @param record - feature name → value, with the identifier and event time
   * @param options - target stores
   * @throws {@link HealthDataError} (invalid-input) naming the feature and value at fault; (not-found) for an unknown group
   */
  putRecord(groupName: string, record: FeatureRecordInput, options?: PutRecordOptions): Promise<void>;
  /**
   * Reads the online record of one identifier.
   *
   * @param groupName - group name
   * @param recordId - identifier (as text)
   * @param options - features to return (default all)
   * @returns the record, or undefined when missing or deleted
   * @throws {@link HealthDataError} (invalid-input) when the group has no online store
   */
  getRecord(groupName: string, recordId: string, options?: { readonly featureNames?: readonly string[] }): Promise<FeatureRecord | undefined>;
  /**
   * Reads online records of several groups at once (at most 100 identifiers in all).
   *
   * @param requests - per group: identifiers and features
   * @returns found records, per-identifier errors, unprocessed identifiers
   * @throws {@link HealthDataError} (invalid-input) for more than 100 identifiers
   */
  batchGetRecord(requests: readonly BatchGetRequest[]): Promise<BatchGetResult>;
  /**
   * Deletes a record. Soft delete nulls the online record (reads stop returning it); hard delete removes it.
   * Both append an offline row with `is_deleted = true`. A delete whose event time is not newer than the stored
   * record keeps the online record (soft) or is refused (hard).
   *
   * @param groupName - group name
   * @param recordId - identifier
   * @param eventTime - the delete's event time (ISO text, Date, or Unix seconds for Fractional event times)
   * @param options - mode and target stores
   * @throws {@link HealthDataError} (conflict) for a hard delete not newer than the stored record
   */
  deleteRecord(groupName: string, recordId: string, eventTime: string | number | Date, options?: DeleteRecordOptions): Promise<void>;
  /**
   * Writes many records; bad rows are reported with reasons and the good ones land.
   *
   * @param groupName - group name
   * @param rows - input records
   * @param options - workers, batch size, progress
   * @returns counts and per-record failures (`records = succeeded + failed.length`)
   * @throws {@link HealthDataError} (not-found) for an unknown group
   */
  ingest(groupName: string, rows: readonly FeatureRecordInput[], options?: IngestOptions): Promise<IngestReport>;
  /**
   * Creates the group from a table if missing (definitions inferred like the SDK's `load_feature_definitions`),
   * or checks that the existing group matches, then ingests the rows.
   *
   * @param options - group name, rows, identifier and event-time columns
   * @returns the ingest report
   * @throws {@link HealthDataError} (conflict) when an existing group does not match the table
   */
  ingestTable(options: IngestTableOptions): Promise<IngestReport>;
  /**
   * The SQL name of a group's offline table (quoted, database-qualified on AWS), to use in `ws.sql.query`.
   *
   * @param groupName - group name
   * @returns e.g. `"clinical_features_1732800000"`
   * @throws {@link HealthDataError} (invalid-input) when the group has no offline store
   */
  offlineTable(groupName: string): Promise<string>;
  /**
   * The group's offline table with one row per (identifier, event time) — the latest write — and deleted records
   * left out: what a reader counting records wants (see {@link latestOfflineRowsSql}).
   *
   * @param groupName - group name
   * @returns a parenthesised subquery, to use where a table name goes (give it an alias)
   * @throws {@link HealthDataError} (not-found) for an unknown group; (invalid-input) when it has no offline store
   */
  latestOfflineRows(groupName: string): Promise<string>;
  /**
   * Builds a point-in-time correct training set: each base row gets, from each group, the latest record whose
   * event time is at or before the row's event time (SageMaker SDK DatasetBuilder semantics).
   *
   * @param options - base table, groups, features, duplicate/deleted handling
   * @returns the rows, columns and the SQL that produced them
   */
  buildDataset(options: DatasetOptions): Promise<TrainingDataset>;
}

/**
 * SQL for the latest offline row of every (identifier, event time): the offline store appends a row per write, so
 * writing the same record twice (a re-run notebook or step) leaves two rows. As SageMaker's offline-store guidance
 * does, the row with the newest `api_invocation_time`, then `write_time`, wins; a delete marker that wins hides the
 * record. Portable SQL (DuckDB and Athena), no extra columns: use it wherever a table name goes.
 *
 * @param table - the offline table, quoted (from {@link FeatureStore.offlineTable})
 * @param recordIdentifierName - the group's identifier feature
 * @param eventTimeName - the group's event-time feature
 * @returns a parenthesised subquery with the offline table's columns
 * @example
 * ```ts
 * const rows = await ws.sql.query(`SELECT patient_id, brain_volume_ml FROM ${latestOfflineRowsSql(table, 'patient_id', 'event_time')} t`);
 * ```
 */
export function latestOfflineRowsSql(table: string, recordIdentifierName: string, eventTimeName: string): string {
  const id = sqlIdentifier(recordIdentifierName);
  const et = sqlIdentifier(eventTimeName);
  return (
    `(SELECT o.* FROM ${table} o WHERE NOT o.is_deleted AND NOT EXISTS (SELECT 1 FROM ${table} n WHERE n.${id} = o.${id} AND n.${et} = o.${et}` +
    ` AND (n.api_invocation_time > o.api_invocation_time OR (n.api_invocation_time = o.api_invocation_time AND n.write_time > o.write_time))))`
  );
}

function definitionsDiffer(existing: FeatureGroupDescription, wanted: readonly FeatureDefinition[], idName: string, etName: string): string[] {
  const diffs: string[] = [];
  if (existing.recordIdentifierFeatureName !== idName) {
    diffs.push(`identifier is "${existing.recordIdentifierFeatureName}", not "${idName}"`);
  }
  if (existing.eventTimeFeatureName !== etName) {
    diffs.push(`event time is "${existing.eventTimeFeatureName}", not "${etName}"`);
  }
  const have = new Map(existing.featureDefinitions.map((d) => [d.name, d.type]));
  for (const d of wanted) {
    const t = have.get(d.name);
    if (t === undefined) {
      diffs.push(`column "${d.name}" is not a feature of the group`);
    } else if (t !== d.type && !(t === 'Fractional' && d.type === 'Integral') && t !== 'String') {
      diffs.push(`column "${d.name}" looks ${d.type} but the group declares ${t}`);
    }
  }
  return diffs;
}

/**
 * Shared conveniences over the backend primitives.
 */
export abstract class BaseFeatureStore implements FeatureStore {
  abstract readonly backend: 'local' | 'aws';
  /** The SQL engine the offline store is queried with. */
  protected readonly sql: SqlEngine;
  /** Default progress reporter. */
  protected readonly progress: ProgressReporter;

  /**
   * @param sql - the SQL engine over the offline tables
   * @param progress - default progress reporter
   */
  protected constructor(sql: SqlEngine, progress: ProgressReporter) {
    this.sql = sql;
    this.progress = progress;
  }

  abstract createFeatureGroup(input: CreateFeatureGroupInput): Promise<FeatureGroupDescription>;
  abstract describeFeatureGroup(name: string): Promise<FeatureGroupDescription>;
  abstract listFeatureGroups(options?: { readonly nameContains?: string }): Promise<FeatureGroupSummary[]>;
  abstract deleteFeatureGroup(name: string): Promise<void>;
  abstract putRecord(groupName: string, record: FeatureRecordInput, options?: PutRecordOptions): Promise<void>;
  abstract getRecord(groupName: string, recordId: string, options?: { readonly featureNames?: readonly string[] }): Promise<FeatureRecord | undefined>;
  abstract batchGetRecord(requests: readonly BatchGetRequest[]): Promise<BatchGetResult>;
  abstract deleteRecord(groupName: string, recordId: string, eventTime: string | number | Date, options?: DeleteRecordOptions): Promise<void>;
  abstract ingest(groupName: string, rows: readonly FeatureRecordInput[], options?: IngestOptions): Promise<IngestReport>;

  /**
   * Quotes a description's offline table for SQL (backend-specific qualification).
   *
   * @param desc - the group
   * @returns the quoted table reference
   */
  protected abstract quoteOfflineTable(desc: FeatureGroupDescription): string;

  /** @inheritdoc */
  async offlineTable(groupName: string): Promise<string> {
    const desc = await this.describeFeatureGroup(groupName);
    if (desc.offlineStore === undefined) {
      throw new HealthDataError('invalid-input', `offlineTable("${groupName}"): the group has no offline store; create it with offlineStore: { enable: true }`);
    }
    return this.quoteOfflineTable(desc);
  }

  /** @inheritdoc */
  async latestOfflineRows(groupName: string): Promise<string> {
    const desc = await this.describeFeatureGroup(groupName);
    return latestOfflineRowsSql(await this.offlineTable(groupName), desc.recordIdentifierFeatureName, desc.eventTimeFeatureName);
  }

  /** @inheritdoc */
  async ingestTable(options: IngestTableOptions): Promise<IngestReport> {
    const fn = 'ingestTable';
    const { groupName, recordIdentifierFeatureName: idName, eventTimeFeatureName: etName } = options;
    const records = options.rows.map((r) => rowToRecord(r, etName));
    const defs = inferFeatureDefinitions(records, {
      ...(options.columns === undefined ? {} : { columns: options.columns }),
      eventTimeFeatureName: etName,
      ...(options.featureTypes === undefined ? {} : { overrides: options.featureTypes }),
    });
    for (const [what, name] of [
      ['recordIdentifierFeatureName', idName],
      ['eventTimeFeatureName', etName],
    ] as const) {
      if (!defs.some((d) => d.name === name)) {
        throw new HealthDataError('invalid-input', `${fn}("${groupName}"): ${what} "${name}" is not a column of the table (columns: ${defs.map((d) => d.name).join(', ')})`, {
          path: what,
        });
      }
    }
    let existing: FeatureGroupDescription | undefined;
    try {
      existing = await this.describeFeatureGroup(groupName);
    } catch (e) {
      if (!(isHealthDataError(e) && e.code === 'not-found')) {
        throw e;
      }
    }
    const diffs = existing === undefined ? [] : definitionsDiffer(existing, defs, idName, etName);
    if (diffs.length > 0 && options.onSchemaChange !== 'recreate') {
      throw new HealthDataError(
        'conflict',
        `${fn}("${groupName}"): the existing feature group does not match the table: ${diffs.join('; ')}. Delete the group (deleteFeatureGroup) to re-create it, pass onSchemaChange: 'recreate', or ingest under a new name`,
      );
    }
    if (diffs.length > 0) {
      await this.deleteFeatureGroup(groupName);
    }
    if (existing === undefined || diffs.length > 0) {
      await this.createFeatureGroup({
        name: groupName,
        recordIdentifierFeatureName: idName,
        eventTimeFeatureName: etName,
        featureDefinitions: defs,
        ...(options.description === undefined ? {} : { description: options.description }),
      });
    }
    return this.ingest(groupName, records, {
      ...(options.progress === undefined ? {} : { progress: options.progress }),
      ...(options.workers === undefined ? {} : { workers: options.workers }),
    });
  }

  /** @inheritdoc */
  async buildDataset(options: DatasetOptions): Promise<TrainingDataset> {
    return buildDatasetWith(
      {
        dialect: this.sql.dialect,
        describe: (name) => this.describeFeatureGroup(name),
        quoteOfflineTable: (desc) => this.quoteOfflineTable(desc),
        queryResult: (sql, params) => this.sql.queryResult(sql, params),
        run: (sql, params) => this.sql.query(sql, params).then(() => undefined),
        stageBaseRows: (rows, columns) => this.stageBaseRows(rows, columns),
      },
      options,
    );
  }

  /**
   * Makes base rows available to the dataset query. The default inlines them as a `VALUES` list of SQL literals
   * ({@link valuesRelation}; fine for thousands of rows).
   *
   * @param rows - the base rows
   * @param columns - their column names, in order
   * @returns the SQL source (a parenthesised relation with an alias-less column list) and its parameters
   */
  protected stageBaseRows(rows: readonly Row[], columns: readonly string[]): Promise<{ source: string; params: SqlParam[]; columns?: readonly ColumnInfo[] }> {
    // SQL literals, not `?` parameters: Athena binds parameters only in WHERE clauses, never inside VALUES.
    return Promise.resolve({ source: valuesRelation(rows, columns), params: [] });
  }
}
