/**
 * The local feature store: DuckDB tables for the online store and the group catalog, Parquet files for the
 * offline store, exposed as a DuckDB view with the columns Athena shows for a SageMaker offline table
 * (the features, `write_time`, `api_invocation_time`, `is_deleted`).
 *
 * Layout in the workspace:
 * - table `featurestore_groups` (the catalog: one JSON description per group);
 * - table `fs_online_<group>` (one row per identifier, the latest by event time; soft deletes keep a tombstone);
 * - folder `feature-store/offline-store/<group>-<epoch>/data/*.parquet` (append-only, one file per write batch)
 *   and view `<offline table>` over it. Unlike S3, the files are not partitioned by event hour: hourly partitions
 *   would mean one file per hour per batch, and the view (what queries see) is the same either way.
 *
 * Every write runs inside one `DuckDbEngine.session` (other kernels wait rather than read half a write) and is
 * atomic: its online changes and its offline Parquet files commit together in one DuckDB transaction, files staged
 * under `offline-store/.staging/` until then (./write-log.ts). An `ingest` is one such write, recorded as a job in
 * `featurestore_ingest_jobs`; one killed part-way stores nothing and is listed FAILED with its reason.
 */
import { randomUUID } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { DuckDBAppender, DuckDBConnection } from '@duckdb/node-api';
import { HealthDataError } from '../../errors';
import type { ProgressReporter } from '../../progress';
import type { DuckDbEngine } from '../../sql/duckdb-engine';
import type { Row, SqlParam } from '../../sql/engine';
import { sqlIdentifier, sqlLiteral } from '../../sql/literal';
import type { FeatureStoreClock } from '../clock';
import type { IngestJob } from './write-log';
import { beginJob, endJob, ensureWriteLogTables, inTransaction, listJobs, LIVE_WRITES, recoverWrites, StagedFiles } from './write-log';
import { microsToTimestampText, systemClock } from '../clock';
import { checkBatchGetSize, defaultOfflineTableName, FEATURE_STORE_LIMITS, validateCreateInput, checkGroupName } from '../limits';
import type { CheckedRecord } from '../records';
import { checkRecord, coerceFeatureValue, parseIsoEventTime, pickFeatures, toReadValue } from '../records';
import type { IngestOptions } from '../store';
import { BaseFeatureStore } from '../store';
import type {
  BatchGetRequest,
  BatchGetResult,
  CreateFeatureGroupInput,
  DeleteRecordOptions,
  FeatureGroupDescription,
  FeatureGroupSummary,
  FeatureRecord,
  FeatureRecordInput,
  FeatureType,
  FeatureValue,
  IngestFailure,
  IngestReport,
  PutRecordOptions,
  TargetStore,
} from '../types';

/** The catalog table of the local store. */
export const FEATURE_GROUP_CATALOG_TABLE = 'featurestore_groups';

/** Options of {@link LocalFeatureStore}. */
export interface LocalFeatureStoreOptions {
  /** The workspace's DuckDB engine. */
  readonly engine: DuckDbEngine;
  /** Folder holding `offline-store/` (e.g. `<workspace>/feature-store`). */
  readonly dir: string;
  /** Default progress reporter. */
  readonly progress: ProgressReporter;
  /** Clock for `api_invocation_time` / `write_time` (default the system clock). */
  readonly clock?: FeatureStoreClock;
}

interface StoredDescription extends Omit<FeatureGroupDescription, 'creationTime'> {
  readonly creationTime: string;
}

const SQL_TYPE: Record<FeatureType, string> = { Integral: 'BIGINT', Fractional: 'DOUBLE', String: 'VARCHAR' };

function onlineTable(groupName: string): string {
  return sqlIdentifier(`fs_online_${groupName}`);
}

function fromStored(s: StoredDescription): FeatureGroupDescription {
  return { ...s, creationTime: new Date(s.creationTime) };
}

function appendValue(ap: DuckDBAppender, type: FeatureType, v: bigint | number | string | null): void {
  if (v === null) {
    ap.appendNull();
    return;
  }
  switch (type) {
    case 'Integral':
      ap.appendBigInt(v as bigint);
      return;
    case 'Fractional':
      ap.appendDouble(v as number);
      return;
    case 'String':
      ap.appendVarchar(v as string);
      return;
  }
}

function targets(desc: FeatureGroupDescription, requested: readonly TargetStore[] | undefined, fn: string): { online: boolean; offline: boolean } {
  const want = new Set<TargetStore>(requested ?? ['OnlineStore', 'OfflineStore']);
  if (requested !== undefined) {
    if (want.has('OnlineStore') && !desc.onlineStoreEnabled) {
      throw new HealthDataError('invalid-input', `${fn}("${desc.name}"): targetStores names OnlineStore but the group has no online store`);
    }
    if (want.has('OfflineStore') && desc.offlineStore === undefined) {
      throw new HealthDataError('invalid-input', `${fn}("${desc.name}"): targetStores names OfflineStore but the group has no offline store`);
    }
  }
  return { online: want.has('OnlineStore') && desc.onlineStoreEnabled, offline: want.has('OfflineStore') && desc.offlineStore !== undefined };
}

/**
 * The local (DuckDB + Parquet) feature store. Create it with `new LocalFeatureStore(...)` — it opens nothing
 * until first used.
 *
 * @example
 * ```ts
 * const fs = new LocalFeatureStore({ engine: ws.duckdb!, dir: ws.path('feature-store'), progress: ws.progress });
 * await fs.putRecord('vitals', { patient_id: 'p1', event_time: '2020-01-01T00:00:00Z', bmi: 27.1 });
 * ```
 */
export class LocalFeatureStore extends BaseFeatureStore {
  /** Backend tag. */
  readonly backend = 'local' as const;
  private readonly engine: DuckDbEngine;
  private readonly dir: string;
  private readonly clock: FeatureStoreClock;
  private catalogReady = false;

  /**
   * @param options - engine, folder, progress, clock
   */
  constructor(options: LocalFeatureStoreOptions) {
    super(options.engine, options.progress);
    this.engine = options.engine;
    this.dir = options.dir;
    this.clock = options.clock ?? systemClock();
  }

  private get stagingRoot(): string {
    return path.join(this.dir, 'offline-store', '.staging');
  }

  /** On first use: creates the catalog and bookkeeping tables, and finishes or discards what a dead process left. */
  private async ensureCatalog(): Promise<void> {
    if (!this.catalogReady) {
      await this.engine.session('feature store recovery', async (conn) => {
        await this.engine.query(`CREATE TABLE IF NOT EXISTS ${FEATURE_GROUP_CATALOG_TABLE} (name VARCHAR PRIMARY KEY, description VARCHAR NOT NULL)`);
        await ensureWriteLogTables(this.engine);
        await recoverWrites(conn, this.stagingRoot);
      });
      this.catalogReady = true;
    }
  }

  /**
   * Runs one atomic write: `fn` changes tables and stages offline files inside one transaction; the files are put in
   * place after COMMIT (a crash in between is finished by the next recovery). A write that throws leaves nothing.
   */
  private async commitWrite<T>(conn: DuckDBConnection, id: string, fn: (staged: StagedFiles) => Promise<T>): Promise<T> {
    const staged = new StagedFiles(path.join(this.stagingRoot, id));
    LIVE_WRITES.add(id);
    try {
      let out: T;
      try {
        out = await inTransaction(conn, async () => {
          const r = await fn(staged);
          await staged.record(conn);
          return r;
        });
      } catch (e) {
        staged.discard();
        throw e;
      }
      await staged.promote(conn);
      return out;
    } finally {
      LIVE_WRITES.delete(id);
    }
  }

  /**
   * This workspace's ingestion jobs, newest first: IN_PROGRESS while one runs, COMPLETED with its counts, or FAILED
   * with its reason (an ingestion whose process was killed is FAILED, none of its records stored). Local only.
   *
   * @param groupName - only this group's jobs, if given
   * @returns the jobs
   */
  async listIngestJobs(groupName?: string): Promise<IngestJob[]> {
    await this.ensureCatalog();
    return listJobs(this.engine, groupName);
  }

  private async findGroup(name: string): Promise<FeatureGroupDescription | undefined> {
    await this.ensureCatalog();
    const rows = await this.engine.query<{ description: string }>(`SELECT description FROM ${FEATURE_GROUP_CATALOG_TABLE} WHERE name = ?`, [name]);
    const r = rows[0];
    return r === undefined ? undefined : fromStored(JSON.parse(r.description) as StoredDescription);
  }

  /** @inheritdoc */
  async createFeatureGroup(input: CreateFeatureGroupInput): Promise<FeatureGroupDescription> {
    validateCreateInput(input);
    await this.ensureCatalog();
    return this.engine.session(`create feature group ${input.name}`, (conn) =>
      inTransaction(conn, async () => {
        const all = await this.engine.query<{ name: string; description: string }>(`SELECT name, description FROM ${FEATURE_GROUP_CATALOG_TABLE}`);
        const clash = all.find((r) => r.name.toLowerCase() === input.name.toLowerCase());
        if (clash !== undefined) {
          throw new HealthDataError(
            'conflict',
            `createFeatureGroup: feature group "${clash.name}" already exists${clash.name === input.name ? '' : ' (names are case-insensitive locally)'}; use it, or deleteFeatureGroup("${clash.name}") first`,
            { path: 'name' },
          );
        }
        if (all.length >= FEATURE_STORE_LIMITS.maxFeatureGroups) {
          throw new HealthDataError(
            'invalid-input',
            `createFeatureGroup("${input.name}"): the workspace already holds ${String(all.length)} feature groups, SageMaker's quota (ResourceLimitExceeded); delete unused groups`,
          );
        }
        let created = new Date();
        const online = input.onlineStore?.enable ?? true;
        const offline = input.offlineStore?.enable ?? true;
        let offlineStore: FeatureGroupDescription['offlineStore'];
        if (offline) {
          const isTaken = async (name: string): Promise<boolean> => (await this.engine.query(`SELECT 1 FROM information_schema.tables WHERE lower(table_name) = lower(?)`, [name])).length > 0;
          // A group deleted and re-created within one second (its offline table kept, as SageMaker keeps it) would
          // get the same default name: the new one takes the next free second.
          for (let i = 0; input.offlineStore?.tableName === undefined && i < 60 && (await isTaken(defaultOfflineTableName(input.name, created))); i++) {
            created = new Date(created.getTime() + 1000);
          }
          const tableName = input.offlineStore?.tableName ?? defaultOfflineTableName(input.name, created);
          if (await isTaken(tableName)) {
            throw new HealthDataError('conflict', `createFeatureGroup("${input.name}"): a table or view named ${tableName} already exists in the workspace; pass offlineStore.tableName, or drop it`, {
              path: 'offlineStore.tableName',
            });
          }
          offlineStore = { database: 'main', tableName, location: path.join(this.dir, 'offline-store', `${input.name}-${String(Math.floor(created.getTime() / 1000))}`) };
        }
        const desc: FeatureGroupDescription = {
          name: input.name,
          arn: `arn:local:sagemaker:local:000000000000:feature-group/${input.name.toLowerCase()}`,
          recordIdentifierFeatureName: input.recordIdentifierFeatureName,
          eventTimeFeatureName: input.eventTimeFeatureName,
          featureDefinitions: input.featureDefinitions.map((d) => ({ name: d.name, type: d.type })),
          onlineStoreEnabled: online,
          offlineStore,
          status: 'Created',
          creationTime: created,
          ...(input.description === undefined ? {} : { description: input.description }),
        };
        const cols = desc.featureDefinitions.map((d) => `${sqlIdentifier(d.name)} ${SQL_TYPE[d.type]}${d.name === desc.recordIdentifierFeatureName ? ' PRIMARY KEY' : ''}`);
        if (online) {
          await this.engine.query(`DROP TABLE IF EXISTS ${onlineTable(desc.name)}`);
          await this.engine.query(`CREATE TABLE ${onlineTable(desc.name)} (${cols.join(', ')}, "__event_epoch" DOUBLE NOT NULL, "__deleted" BOOLEAN NOT NULL)`);
        }
        if (offlineStore !== undefined) {
          const dataDir = path.join(offlineStore.location, 'data');
          fs.mkdirSync(dataDir, { recursive: true });
          const empty = desc.featureDefinitions.map((d) => `CAST(NULL AS ${SQL_TYPE[d.type]}) AS ${sqlIdentifier(d.name)}`);
          // An empty file fixes the table's schema, so the view binds before the first record arrives. Written in
          // staging and renamed, so a crash never leaves a torn file where the view reads.
          const scratch = path.join(this.stagingRoot, randomUUID());
          fs.mkdirSync(scratch, { recursive: true });
          const tmp = path.join(scratch, 'schema.parquet');
          await this.engine.query(
            `COPY (SELECT ${empty.join(', ')}, CAST(NULL AS TIMESTAMP) AS write_time, CAST(NULL AS TIMESTAMP) AS api_invocation_time, CAST(NULL AS BOOLEAN) AS is_deleted LIMIT 0) TO ${sqlLiteral(tmp)} (FORMAT parquet)`,
          );
          fs.renameSync(tmp, path.join(dataDir, '00000000-schema.parquet'));
          fs.rmSync(scratch, { recursive: true, force: true });
          await this.createOfflineView(desc);
        }
        const stored: StoredDescription = { ...desc, creationTime: created.toISOString() };
        await this.engine.query(`INSERT INTO ${FEATURE_GROUP_CATALOG_TABLE} VALUES (?, ?)`, [desc.name, JSON.stringify(stored)]);
        return desc;
      }),
    );
  }

  private async createOfflineView(desc: FeatureGroupDescription): Promise<void> {
    if (desc.offlineStore === undefined) {
      return;
    }
    const glob = path.join(desc.offlineStore.location, 'data', '*.parquet');
    const cols = desc.featureDefinitions.map((d) => sqlIdentifier(d.name));
    await this.engine.query(
      `CREATE OR REPLACE VIEW ${sqlIdentifier(desc.offlineStore.tableName)} AS SELECT ${cols.join(', ')}, write_time, api_invocation_time, is_deleted FROM read_parquet(${sqlLiteral(glob)}, union_by_name = true)`,
    );
  }

  /** @inheritdoc */
  async describeFeatureGroup(name: string): Promise<FeatureGroupDescription> {
    checkGroupName('describeFeatureGroup', name);
    const desc = await this.findGroup(name);
    if (desc === undefined) {
      const names = (await this.listFeatureGroups()).map((g) => g.name);
      throw new HealthDataError(
        'not-found',
        `describeFeatureGroup: no feature group "${name}" in this workspace (${names.length === 0 ? 'none yet' : `groups: ${names.join(', ')}`}); create it with createFeatureGroup or ingestTable`,
        { path: 'name' },
      );
    }
    return desc;
  }

  /** @inheritdoc */
  async listFeatureGroups(options: { readonly nameContains?: string } = {}): Promise<FeatureGroupSummary[]> {
    await this.ensureCatalog();
    const rows = await this.engine.query<{ description: string }>(`SELECT description FROM ${FEATURE_GROUP_CATALOG_TABLE} ORDER BY name`);
    return rows
      .map((r) => fromStored(JSON.parse(r.description) as StoredDescription))
      .filter((d) => options.nameContains === undefined || d.name.includes(options.nameContains))
      .map((d) => ({ name: d.name, arn: d.arn, status: d.status, creationTime: d.creationTime }));
  }

  /**
   * Deletes a group: its catalog entry and online table. The offline Parquet files and their view stay, as the
   * S3 data and Glue table do on AWS, unless `purgeOfflineStore` is set.
   *
   * @param name - group name
   * @param options - `purgeOfflineStore: true` also removes the offline files and view (local only)
   * @throws {@link HealthDataError} (not-found) when there is no such group
   */
  async deleteFeatureGroup(name: string, options: { readonly purgeOfflineStore?: boolean } = {}): Promise<void> {
    const desc = await this.describeFeatureGroup(name);
    await this.engine.session(`delete feature group ${name}`, async () => {
      await this.engine.query(`DROP TABLE IF EXISTS ${onlineTable(desc.name)}`);
      if (options.purgeOfflineStore === true && desc.offlineStore !== undefined) {
        await this.engine.query(`DROP VIEW IF EXISTS ${sqlIdentifier(desc.offlineStore.tableName)}`);
        fs.rmSync(desc.offlineStore.location, { recursive: true, force: true });
      }
      await this.engine.query(`DELETE FROM ${FEATURE_GROUP_CATALOG_TABLE} WHERE name = ?`, [desc.name]);
    });
  }

  /** @inheritdoc */
  async putRecord(groupName: string, record: FeatureRecordInput, options: PutRecordOptions = {}): Promise<void> {
    const desc = await this.describeFeatureGroup(groupName);
    const to = targets(desc, options.targetStores, 'putRecord');
    const checked = checkRecord('putRecord', desc, record);
    await this.engine.session(`put record ${groupName}`, (conn) => this.commitWrite(conn, randomUUID(), (staged) => this.writeBatch(conn, desc, [checked], [this.clock.nowMicros()], to, staged)));
  }

  /**
   * Ingests rows as one atomic write, recorded as a job (see {@link LocalFeatureStore.listIngestJobs}): bad rows are
   * reported in `failed`, the good ones land in the online and offline stores together — all of them, or, if the
   * process dies or a statement fails before the commit, none.
   *
   * @inheritdoc
   */
  async ingest(groupName: string, rows: readonly FeatureRecordInput[], options: IngestOptions = {}): Promise<IngestReport> {
    const desc = await this.describeFeatureGroup(groupName);
    const to = targets(desc, undefined, 'ingest');
    const batchSize = Math.max(1, options.batchSize ?? 5000);
    const task = (options.progress ?? this.progress).start(`ingest ${groupName}`, rows.length);
    const failed: IngestFailure[] = [];
    let succeeded = 0;
    const jobId = randomUUID();
    try {
      await this.engine.session(`ingest ${groupName}`, async (conn) => {
        await recoverWrites(conn, this.stagingRoot);
        LIVE_WRITES.add(jobId);
        try {
          await beginJob(conn, { jobId, groupName: desc.name, records: rows.length });
          await this.commitWrite(conn, jobId, async (staged) => {
            for (let start = 0; start < rows.length; start += batchSize) {
              const end = Math.min(rows.length, start + batchSize);
              const { good, times } = this.checkBatch(desc, rows, start, end, failed);
              if (good.length > 0) {
                await this.writeBatch(conn, desc, good, times, to, staged);
                succeeded += good.length;
              }
              task.update(end);
            }
            await endJob(conn, jobId, { status: 'COMPLETED', succeeded, failed: failed.length });
          });
        } catch (e) {
          succeeded = 0;
          await endJob(conn, jobId, { status: 'FAILED', message: e instanceof Error ? e.message : String(e) }).catch(() => undefined);
          throw e;
        } finally {
          LIVE_WRITES.delete(jobId);
        }
      });
    } finally {
      task.finish(`${succeeded.toLocaleString('en-US')} records, ${failed.length.toLocaleString('en-US')} failed`);
    }
    return { groupName, records: rows.length, succeeded, failed };
  }

  /** Checks rows `start`..`end`: the good ones with their API times, the bad ones appended to `failed`. */
  private checkBatch(desc: FeatureGroupDescription, rows: readonly FeatureRecordInput[], start: number, end: number, failed: IngestFailure[]): { good: CheckedRecord[]; times: bigint[] } {
    const good: CheckedRecord[] = [];
    const times: bigint[] = [];
    for (let i = start; i < end; i++) {
      const row = rows[i] ?? {};
      try {
        good.push(checkRecord('ingest', desc, row));
        times.push(this.clock.nowMicros());
      } catch (e) {
        const idValue = row[desc.recordIdentifierFeatureName];
        failed.push({
          recordId: idValue === null || idValue === undefined || idValue === '' ? `row ${String(i + 1)}` : String(idValue),
          reason: e instanceof Error ? e.message : String(e),
        });
      }
    }
    return { good, times };
  }

  private async writeBatch(
    conn: DuckDBConnection,
    desc: FeatureGroupDescription,
    recs: readonly CheckedRecord[],
    apiTimes: readonly bigint[],
    to: { online: boolean; offline: boolean },
    staged: StagedFiles,
  ): Promise<void> {
    const defs = desc.featureDefinitions;
    const stage = `fs_stage_${randomUUID().replace(/-/g, '')}`;
    const cols = defs.map((d) => sqlIdentifier(d.name));
    await conn.run(`CREATE TEMP TABLE ${stage} (${defs.map((d) => `${sqlIdentifier(d.name)} ${SQL_TYPE[d.type]}`).join(', ')}, "__seq" BIGINT, "__epoch" DOUBLE, "__api" BIGINT)`);
    try {
      const ap = await conn.createAppender(stage, 'main', 'temp');
      try {
        recs.forEach((r, i) => {
          defs.forEach((d, j) => {
            appendValue(ap, d.type, r.values[j] ?? null);
          });
          ap.appendBigInt(BigInt(i));
          ap.appendDouble(r.eventEpoch);
          ap.appendBigInt(apiTimes[i] ?? 0n);
          ap.endRow();
        });
        ap.flushSync();
      } finally {
        ap.closeSync();
      }
      const rid = sqlIdentifier(desc.recordIdentifierFeatureName);
      if (to.online) {
        // Latest event time wins; a tie keeps what is there (a put must be strictly newer), and within the batch
        // the first of equal event times wins — the same outcome as putting the rows one by one in order.
        await conn.run(
          `INSERT OR REPLACE INTO ${onlineTable(desc.name)} (${cols.join(', ')}, "__event_epoch", "__deleted")
           SELECT ${cols.map((c) => `s.${c}`).join(', ')}, s."__epoch", false
           FROM (SELECT *, row_number() OVER (PARTITION BY ${rid} ORDER BY "__epoch" DESC, "__seq") AS "__rn" FROM temp.main.${stage}) s
           LEFT JOIN ${onlineTable(desc.name)} o ON o.${rid} = s.${rid}
           WHERE s."__rn" = 1 AND (o.${rid} IS NULL OR s."__epoch" > o."__event_epoch")`,
        );
      }
      if (to.offline && desc.offlineStore !== undefined) {
        const writeTime = microsToTimestampText(this.clock.nowMicros());
        await conn.run(
          `COPY (SELECT ${cols.join(', ')}, TIMESTAMP ${sqlLiteral(writeTime)} AS write_time, make_timestamp("__api") AS api_invocation_time, false AS is_deleted
                 FROM temp.main.${stage} ORDER BY "__seq") TO ${sqlLiteral(staged.stage(this.newOfflineFile(desc)))} (FORMAT parquet)`,
        );
      }
    } finally {
      await conn.run(`DROP TABLE IF EXISTS temp.main.${stage}`);
    }
  }

  private newOfflineFile(desc: FeatureGroupDescription): string {
    if (desc.offlineStore === undefined) {
      throw new HealthDataError('invalid-input', `feature store: group "${desc.name}" has no offline store`);
    }
    const dataDir = path.join(desc.offlineStore.location, 'data');
    fs.mkdirSync(dataDir, { recursive: true });
    return path.join(dataDir, `${new Date().toISOString().replace(/[-:.]/g, '')}-${randomUUID()}.parquet`);
  }

  private readRow(desc: FeatureGroupDescription, row: Row): FeatureRecord {
    const out: Record<string, FeatureValue> = {};
    for (const d of desc.featureDefinitions) {
      const v = toReadValue(row[d.name]);
      if (v !== undefined) {
        out[d.name] = v;
      }
    }
    return out;
  }

  /** @inheritdoc */
  async getRecord(groupName: string, recordId: string, options: { readonly featureNames?: readonly string[] } = {}): Promise<FeatureRecord | undefined> {
    const desc = await this.describeFeatureGroup(groupName);
    if (!desc.onlineStoreEnabled) {
      throw new HealthDataError('invalid-input', `getRecord("${groupName}"): the group has no online store; query its offline table with ws.sql instead`);
    }
    const rid = sqlIdentifier(desc.recordIdentifierFeatureName);
    const rows = await this.engine.query(`SELECT * FROM ${onlineTable(desc.name)} WHERE CAST(${rid} AS VARCHAR) = ? AND NOT "__deleted"`, [recordId]);
    const row = rows[0];
    return row === undefined ? undefined : pickFeatures('getRecord', desc, this.readRow(desc, row), options.featureNames);
  }

  /** @inheritdoc */
  async batchGetRecord(requests: readonly BatchGetRequest[]): Promise<BatchGetResult> {
    checkBatchGetSize(requests);
    const records: { groupName: string; recordId: string; record: FeatureRecord }[] = [];
    const errors: { groupName: string; recordId: string; errorCode: string; errorMessage: string }[] = [];
    for (const req of requests) {
      const desc = await this.findGroup(req.groupName);
      if (desc?.onlineStoreEnabled !== true) {
        const why = desc === undefined ? `feature group "${req.groupName}" not found` : `feature group "${req.groupName}" has no online store`;
        for (const id of req.recordIds) {
          errors.push({ groupName: req.groupName, recordId: id, errorCode: desc === undefined ? 'ResourceNotFound' : 'ValidationError', errorMessage: why });
        }
        continue;
      }
      if (req.recordIds.length === 0) {
        continue;
      }
      const rid = sqlIdentifier(desc.recordIdentifierFeatureName);
      const rows = await this.engine.query(
        `SELECT *, CAST(${rid} AS VARCHAR) AS "__id" FROM ${onlineTable(desc.name)} WHERE CAST(${rid} AS VARCHAR) IN (${req.recordIds.map(() => '?').join(', ')}) AND NOT "__deleted"`,
        req.recordIds.map(String),
      );
      const byId = new Map(rows.map((r) => [String(r.__id), r]));
      for (const id of req.recordIds) {
        const row = byId.get(id);
        if (row !== undefined) {
          records.push({ groupName: req.groupName, recordId: id, record: pickFeatures('batchGetRecord', desc, this.readRow(desc, row), req.featureNames) });
        }
      }
    }
    return { records, errors, unprocessed: [] };
  }

  /** @inheritdoc */
  async deleteRecord(groupName: string, recordId: string, eventTime: string | number | Date, options: DeleteRecordOptions = {}): Promise<void> {
    const fn = 'deleteRecord';
    const desc = await this.describeFeatureGroup(groupName);
    const to = targets(desc, options.targetStores, fn);
    const mode = options.mode ?? 'SoftDelete';
    const etDef = desc.featureDefinitions.find((d) => d.name === desc.eventTimeFeatureName);
    const idDef = desc.featureDefinitions.find((d) => d.name === desc.recordIdentifierFeatureName);
    if (etDef === undefined || idDef === undefined) {
      throw new HealthDataError('backend', `${fn}("${groupName}"): the stored description lacks its identifier or event-time definition`);
    }
    const etValue = coerceFeatureValue(fn, groupName, etDef, eventTime);
    const idValue = coerceFeatureValue(fn, groupName, idDef, recordId);
    const epoch = etDef.type === 'Fractional' ? (etValue as number) : parseIsoEventTime(String(etValue));
    if (epoch === undefined || idValue === null || etValue === null) {
      throw new HealthDataError('invalid-input', `${fn}("${groupName}"): event time ${JSON.stringify(String(eventTime))} is not yyyy-MM-ddTHH:mm:ss[.SSS]Z (or a Date)`, {
        path: desc.eventTimeFeatureName,
      });
    }
    const apiTime = this.clock.nowMicros();
    const rid = sqlIdentifier(desc.recordIdentifierFeatureName);
    const et = sqlIdentifier(desc.eventTimeFeatureName);
    const table = onlineTable(desc.name);
    await this.engine.session(`delete record ${groupName}`, (conn) =>
      this.commitWrite(conn, randomUUID(), async (staged) => {
        if (to.online) {
          const current = await this.engine.query<{ e: number }>(`SELECT "__event_epoch" AS e FROM ${table} WHERE CAST(${rid} AS VARCHAR) = ?`, [recordId]);
          const stored = current[0]?.e;
          const newer = stored === undefined || epoch > stored;
          if (mode === 'HardDelete') {
            if (!newer) {
              throw new HealthDataError(
                'conflict',
                `${fn}("${groupName}"): HardDelete of record "${recordId}" at ${String(etValue)} is not newer than its stored event time; SageMaker refuses it (ValidationException) — use a later event time`,
                { path: desc.eventTimeFeatureName },
              );
            }
            await this.engine.query(`DELETE FROM ${table} WHERE CAST(${rid} AS VARCHAR) = ?`, [recordId]);
          } else if (newer) {
            // Soft delete: a tombstone with null features, carrying the delete's event time, so an older put
            // still cannot resurrect the record and a newer one can.
            await this.engine.query(`DELETE FROM ${table} WHERE CAST(${rid} AS VARCHAR) = ?`, [recordId]);
            await this.engine.query(`INSERT INTO ${table} (${rid}, ${et}, "__event_epoch", "__deleted") VALUES (?, ?, ?, true)`, [idValue as SqlParam, etValue as SqlParam, epoch]);
          }
        }
        if (to.offline && desc.offlineStore !== undefined) {
          const nulls = desc.featureDefinitions
            .filter((d) => d.name !== desc.recordIdentifierFeatureName && d.name !== desc.eventTimeFeatureName)
            .map((d) => `CAST(NULL AS ${SQL_TYPE[d.type]}) AS ${sqlIdentifier(d.name)}`);
          const writeTime = microsToTimestampText(this.clock.nowMicros());
          const file = staged.stage(this.newOfflineFile(desc));
          await this.engine.query(
            `COPY (SELECT CAST(? AS ${SQL_TYPE[idDef.type]}) AS ${rid}, CAST(? AS ${SQL_TYPE[etDef.type]}) AS ${et}${nulls.length > 0 ? `, ${nulls.join(', ')}` : ''},
                 TIMESTAMP ${sqlLiteral(writeTime)} AS write_time, TIMESTAMP ${sqlLiteral(microsToTimestampText(apiTime))} AS api_invocation_time, true AS is_deleted)
           TO ${sqlLiteral(file)} (FORMAT parquet)`,
            [idValue as SqlParam, etValue as SqlParam],
          );
        }
      }),
    );
  }

  /** @inheritdoc */
  protected quoteOfflineTable(desc: FeatureGroupDescription): string {
    if (desc.offlineStore === undefined) {
      throw new HealthDataError('invalid-input', `feature store: group "${desc.name}" has no offline store`);
    }
    return sqlIdentifier(desc.offlineStore.tableName);
  }

  /**
   * Re-creates the offline views of every group (after the workspace folder moved: views hold absolute paths).
   *
   * @returns the number of views written
   */
  async refreshOfflineViews(): Promise<number> {
    const groups = await this.listFeatureGroups();
    let n = 0;
    await this.engine.session('refresh offline views', async () => {
      for (const g of groups) {
        const desc = await this.describeFeatureGroup(g.name);
        if (desc.offlineStore !== undefined) {
          await this.createOfflineView(desc);
          n++;
        }
      }
    });
    return n;
  }
}
