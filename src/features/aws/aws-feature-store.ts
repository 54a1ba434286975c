/**
 * The AWS feature store: Amazon SageMaker Feature Store through `@aws-sdk/client-sagemaker` (group catalog) and
 * `@aws-sdk/client-sagemaker-featurestore-runtime` (records), with the offline store queried through Athena
 * (the workspace's SQL engine). Records are checked locally with the same rules as the local store before they go
 * on the wire, so a bad value fails fast with the feature named instead of as a 400 from the service.
 *
 * The offline store reaches S3 (and so Athena) within about 15 minutes of a put (docs/aws-semantics.md §4): the store
 * remembers what it put and `buildDataset` first waits (with progress) until those records are in the offline table.
 * Throttled PutRecords are retried with exponential backoff and jitter instead of becoming failed rows.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { CreateFeatureGroupCommand, DeleteFeatureGroupCommand, DescribeFeatureGroupCommand, ListFeatureGroupsCommand } from '@aws-sdk/client-sagemaker';
import type { DescribeFeatureGroupCommandOutput, SageMakerClient } from '@aws-sdk/client-sagemaker';
import { BatchGetRecordCommand, DeleteRecordCommand, GetRecordCommand, PutRecordCommand } from '@aws-sdk/client-sagemaker-featurestore-runtime';
import type { FeatureValue as AwsFeatureValue, SageMakerFeatureStoreRuntimeClient } from '@aws-sdk/client-sagemaker-featurestore-runtime';
import { HealthDataError, isHealthDataError } from '../../errors';
import type { HealthDataErrorCode } from '../../errors';
import type { ProgressReporter } from '../../progress';
import type { SqlEngine } from '../../sql/engine';
import { sqlIdentifier } from '../../sql/literal';
import type { DatasetOptions, TrainingDataset } from '../dataset';
import { checkBatchGetSize, checkGroupName, validateCreateInput } from '../limits';
import type { CheckedRecord } from '../records';
import { checkRecord, coerceFeatureValue, parseValueAsString, valueAsString } from '../records';
import type { IngestOptions } from '../store';
import { BaseFeatureStore } from '../store';
import type {
  BatchGetRequest,
  BatchGetResult,
  CreateFeatureGroupInput,
  DeleteRecordOptions,
  FeatureGroupDescription,
  FeatureGroupStatus,
  FeatureGroupSummary,
  FeatureRecord,
  FeatureRecordInput,
  FeatureValue,
  IngestFailure,
  IngestReport,
  PutRecordOptions,
} from '../types';

/** Options of {@link AwsFeatureStore}. */
export interface AwsFeatureStoreOptions {
  /** SageMaker client (one per region/credentials, owned by the workspace). */
  readonly sagemaker: SageMakerClient;
  /** Feature Store runtime client. */
  readonly runtime: SageMakerFeatureStoreRuntimeClient;
  /** The Athena engine the offline tables are queried with. */
  readonly sql: SqlEngine;
  /** Default progress reporter. */
  readonly progress: ProgressReporter;
  /** Default offline-store S3 prefix (e.g. `s3://bucket/mmh/feature-store/`). */
  readonly offlineS3Uri: string;
  /** IAM role SageMaker assumes to write the offline store (required for groups with an offline store). */
  readonly roleArn?: string;
  /** Glue database of explicitly named offline tables, and of queries (default: the one SageMaker reports). */
  readonly database?: string;
  /** First poll delay while a group is being created or deleted (ms, doubles up to 5 s). */
  readonly pollMs?: number;
  /** Give up waiting for a status change after this long (ms, default 10 min). */
  readonly timeoutMs?: number;
  /**
   * Attempts per PutRecord when SageMaker throttles (ThrottlingException / HTTP 429), on top of the SDK's own
   * retries, with exponential backoff and full jitter (default 8).
   */
  readonly throttleAttempts?: number;
  /** First backoff delay after a throttle (ms, default 200; doubles up to 20 s). */
  readonly throttleBaseMs?: number;
  /** How long to wait for ingested records to appear in the offline store (ms, default 20 min; AWS: within 15 min). */
  readonly offlineWaitMs?: number;
  /** Poll interval while waiting for the offline store (ms, default 30 s). */
  readonly offlinePollMs?: number;
}

/**
 * Whether an SDK error is SageMaker throttling the caller (to be retried with backoff, not counted as failed).
 *
 * @param e - the thrown value
 * @returns true for ThrottlingException, ProvisionedThroughputExceeded-style names and HTTP 429
 */
export function isThrottling(e: unknown): boolean {
  const err = (typeof e === 'object' && e !== null ? e : {}) as AwsErrorLike & { $retryable?: { throttling?: boolean } };
  return err.name === 'ThrottlingException' || err.name === 'Throttling' || err.name === 'TooManyRequestsException' || err.$retryable?.throttling === true || err.$metadata?.httpStatusCode === 429;
}

interface AwsErrorLike {
  readonly name?: string;
  readonly message?: string;
  readonly $metadata?: { readonly httpStatusCode?: number };
}

/**
 * Maps an SDK error to a {@link HealthDataError} by `e.name` and HTTP status (house style).
 *
 * @param fn - the library function that called AWS
 * @param e - the thrown value
 * @returns the typed error
 */
export function mapFeatureStoreError(fn: string, e: unknown): HealthDataError {
  if (isHealthDataError(e)) {
    return e;
  }
  const err = (typeof e === 'object' && e !== null ? e : {}) as AwsErrorLike;
  const name = err.name ?? 'Error';
  const status = err.$metadata?.httpStatusCode;
  let code: HealthDataErrorCode = 'backend';
  if (name === 'ResourceNotFound' || name === 'ResourceNotFoundException') {
    code = 'not-found';
  } else if (name === 'ResourceInUse' || name === 'ConflictException') {
    code = 'conflict';
  } else if (
    name === 'ValidationError' ||
    name === 'ValidationException' ||
    name === 'ResourceLimitExceeded' ||
    (status !== undefined && status >= 400 && status < 500 && name !== 'ThrottlingException' && name !== 'AccessDeniedException')
  ) {
    code = 'invalid-input';
  }
  return new HealthDataError(code, `${fn}: SageMaker answered ${name}${status === undefined ? '' : ` (HTTP ${String(status)})`}: ${err.message ?? String(e)}`, {
    cause: e,
    fault: code === 'backend' ? 'backend' : 'input',
  });
}

function toDescription(out: DescribeFeatureGroupCommandOutput): FeatureGroupDescription {
  const offline = out.OfflineStoreConfig;
  const catalog = offline?.DataCatalogConfig;
  const status = out.FeatureGroupStatus ?? 'Created';
  return {
    name: out.FeatureGroupName ?? '',
    arn: out.FeatureGroupArn ?? '',
    recordIdentifierFeatureName: out.RecordIdentifierFeatureName ?? '',
    eventTimeFeatureName: out.EventTimeFeatureName ?? '',
    featureDefinitions: (out.FeatureDefinitions ?? []).map((d) => ({ name: d.FeatureName ?? '', type: d.FeatureType ?? 'String' })),
    onlineStoreEnabled: out.OnlineStoreConfig?.EnableOnlineStore === true,
    offlineStore:
      offline === undefined
        ? undefined
        : {
            database: catalog?.Database ?? 'sagemaker_featurestore',
            tableName: catalog?.TableName ?? '',
            location: offline.S3StorageConfig?.ResolvedOutputS3Uri ?? offline.S3StorageConfig?.S3Uri ?? '',
          },
    status,
    ...(out.FailureReason === undefined ? {} : { failureReason: out.FailureReason }),
    creationTime: out.CreationTime ?? new Date(0),
    ...(out.Description === undefined ? {} : { description: out.Description }),
  };
}

function toWire(desc: FeatureGroupDescription, r: CheckedRecord): AwsFeatureValue[] {
  const out: AwsFeatureValue[] = [];
  desc.featureDefinitions.forEach((d, i) => {
    const v = r.values[i];
    if (v !== null && v !== undefined) {
      out.push({ FeatureName: d.name, ValueAsString: valueAsString(v) });
    }
  });
  return out;
}

function fromWire(desc: FeatureGroupDescription, values: readonly AwsFeatureValue[] | undefined): FeatureRecord {
  const types = new Map(desc.featureDefinitions.map((d) => [d.name, d.type]));
  const out: Record<string, FeatureValue> = {};
  for (const v of values ?? []) {
    if (v.FeatureName !== undefined && v.ValueAsString !== undefined) {
      out[v.FeatureName] = parseValueAsString(v.ValueAsString, types.get(v.FeatureName) ?? 'String');
    }
  }
  return out;
}

/**
 * SageMaker Feature Store behind the {@link BaseFeatureStore} interface.
 *
 * @example
 * ```ts
 * const store = new AwsFeatureStore({ sagemaker, runtime, sql: ws.sql, progress: ws.progress,
 *   offlineS3Uri: 's3://bucket/mmh/feature-store/', roleArn });
 * await store.putRecord('vitals', { patient_id: 'p1', event_time: new Date(), bmi: 27.1 });
 * ```
 */
export class AwsFeatureStore extends BaseFeatureStore {
  /** Backend tag. */
  readonly backend = 'aws' as const;
  private readonly o: AwsFeatureStoreOptions;
  private readonly cache = new Map<string, FeatureGroupDescription>();

  /**
   * @param options - clients, SQL engine, S3 prefix, role
   */
  constructor(options: AwsFeatureStoreOptions) {
    super(options.sql, options.progress);
    this.o = options;
  }

  private async send<T>(fn: string, call: () => Promise<T>): Promise<T> {
    try {
      return await call();
    } catch (e) {
      throw mapFeatureStoreError(fn, e);
    }
  }

  private async waitWhile(name: string, status: FeatureGroupStatus): Promise<FeatureGroupDescription | undefined> {
    const t0 = Date.now();
    let delay = this.o.pollMs ?? 1000;
    const timeout = this.o.timeoutMs ?? 10 * 60_000;
    for (;;) {
      let desc: FeatureGroupDescription;
      try {
        desc = await this.describeUncached(name);
      } catch (e) {
        if (isHealthDataError(e) && e.code === 'not-found') {
          return undefined;
        }
        throw e;
      }
      if (desc.status !== status) {
        return desc;
      }
      if (Date.now() - t0 > timeout) {
        throw new HealthDataError('timeout', `feature store: group "${name}" still ${status} after ${String(timeout)} ms; check it in the SageMaker console`);
      }
      await sleep(delay);
      delay = Math.min(delay * 2, 5000);
    }
  }

  /** @inheritdoc */
  async createFeatureGroup(input: CreateFeatureGroupInput): Promise<FeatureGroupDescription> {
    validateCreateInput(input);
    const fn = 'createFeatureGroup';
    const online = input.onlineStore?.enable ?? true;
    const offline = input.offlineStore?.enable ?? true;
    if (offline && this.o.roleArn === undefined) {
      throw new HealthDataError('invalid-config', `${fn}("${input.name}"): a group with an offline store needs an IAM role SageMaker can assume; set MMH_ROLE_ARN (aws.roleArn)`, {
        path: 'aws.roleArn',
      });
    }
    const tableName = input.offlineStore?.tableName;
    const database = input.offlineStore?.database ?? this.o.database;
    await this.send(fn, () =>
      this.o.sagemaker.send(
        new CreateFeatureGroupCommand({
          FeatureGroupName: input.name,
          RecordIdentifierFeatureName: input.recordIdentifierFeatureName,
          EventTimeFeatureName: input.eventTimeFeatureName,
          FeatureDefinitions: input.featureDefinitions.map((d) => ({ FeatureName: d.name, FeatureType: d.type })),
          ...(online ? { OnlineStoreConfig: { EnableOnlineStore: true } } : {}),
          ...(offline
            ? {
                OfflineStoreConfig: {
                  S3StorageConfig: { S3Uri: input.offlineStore?.s3Uri ?? this.o.offlineS3Uri },
                  ...(tableName === undefined || database === undefined ? {} : { DataCatalogConfig: { TableName: tableName, Catalog: 'AwsDataCatalog', Database: database } }),
                  ...(input.offlineStore?.tableFormat === undefined ? {} : { TableFormat: input.offlineStore.tableFormat }),
                },
                RoleArn: this.o.roleArn,
              }
            : {}),
          ...(input.description === undefined ? {} : { Description: input.description }),
        }),
      ),
    );
    const desc = await this.waitWhile(input.name, 'Creating');
    if (desc === undefined) {
      throw new HealthDataError('backend', `${fn}("${input.name}"): the group disappeared while being created`);
    }
    if (desc.status === 'CreateFailed') {
      throw new HealthDataError('backend', `${fn}("${input.name}"): SageMaker could not create the group: ${desc.failureReason ?? 'no reason given'}`);
    }
    this.cache.set(desc.name, desc);
    return desc;
  }

  private async describeUncached(name: string): Promise<FeatureGroupDescription> {
    const out = await this.send('describeFeatureGroup', () => this.o.sagemaker.send(new DescribeFeatureGroupCommand({ FeatureGroupName: name })));
    return toDescription(out);
  }

  /** @inheritdoc */
  async describeFeatureGroup(name: string): Promise<FeatureGroupDescription> {
    checkGroupName('describeFeatureGroup', name);
    const cached = this.cache.get(name);
    if (cached !== undefined) {
      return cached;
    }
    const desc = await this.describeUncached(name);
    if (desc.status === 'Created') {
      this.cache.set(name, desc);
    }
    return desc;
  }

  /** @inheritdoc */
  async listFeatureGroups(options: { readonly nameContains?: string } = {}): Promise<FeatureGroupSummary[]> {
    const out: FeatureGroupSummary[] = [];
    let token: string | undefined;
    do {
      const page = await this.send('listFeatureGroups', () =>
        this.o.sagemaker.send(
          new ListFeatureGroupsCommand({
            MaxResults: 100,
            ...(options.nameContains === undefined ? {} : { NameContains: options.nameContains }),
            ...(token === undefined ? {} : { NextToken: token }),
          }),
        ),
      );
      for (const s of page.FeatureGroupSummaries ?? []) {
        out.push({
          name: s.FeatureGroupName ?? '',
          arn: s.FeatureGroupArn ?? '',
          status: s.FeatureGroupStatus ?? 'Created',
          creationTime: s.CreationTime ?? new Date(0),
        });
      }
      token = page.NextToken;
    } while (token !== undefined);
    return out.sort((a, b) => a.name.localeCompare(b.name));
  }

  /** @inheritdoc */
  async deleteFeatureGroup(name: string): Promise<void> {
    checkGroupName('deleteFeatureGroup', name);
    this.cache.delete(name);
    await this.send('deleteFeatureGroup', () => this.o.sagemaker.send(new DeleteFeatureGroupCommand({ FeatureGroupName: name })));
    const left = await this.waitWhile(name, 'Deleting');
    if (left?.status === 'DeleteFailed') {
      throw new HealthDataError('backend', `deleteFeatureGroup("${name}"): SageMaker could not delete the group: ${left.failureReason ?? 'no reason given'}`);
    }
  }

  /** @inheritdoc */
  async putRecord(groupName: string, record: FeatureRecordInput, options: PutRecordOptions = {}): Promise<void> {
    const desc = await this.describeFeatureGroup(groupName);
    const checked = checkRecord('putRecord', desc, record);
    await this.send('putRecord', () =>
      this.withThrottleRetry(() =>
        this.o.runtime.send(
          new PutRecordCommand({
            FeatureGroupName: groupName,
            Record: toWire(desc, checked),
            ...(options.targetStores === undefined ? {} : { TargetStores: [...options.targetStores] }),
          }),
        ),
      ),
    );
    if (options.targetStores === undefined || options.targetStores.includes('OfflineStore')) {
      this.notePending(groupName, [checked.recordId]);
    }
  }

  private async withThrottleRetry<T>(call: () => Promise<T>): Promise<T> {
    const attempts = Math.max(1, this.o.throttleAttempts ?? 8);
    const base = this.o.throttleBaseMs ?? 200;
    for (let i = 1; ; i++) {
      try {
        return await call();
      } catch (e) {
        if (!isThrottling(e) || i >= attempts) {
          throw e;
        }
        // Full jitter: a random delay up to the exponential cap, so parallel workers spread out.
        await sleep(Math.random() * Math.min(20_000, base * 2 ** (i - 1)));
      }
    }
  }

  private readonly pending = new Map<string, { since: Date; ids: Set<string> }>();

  private notePending(groupName: string, ids: readonly string[]): void {
    if (ids.length === 0) {
      return;
    }
    const p = this.pending.get(groupName) ?? { since: new Date(Date.now() - 1000), ids: new Set<string>() };
    for (const id of ids) {
      p.ids.add(id);
    }
    this.pending.set(groupName, p);
  }

  /**
   * Waits until the records this store put since the last wait are in the group's offline store: SageMaker writes
   * them to S3 (and so to Athena) within about 15 minutes of PutRecord ("Amazon SageMaker Feature Store offline
   * store data format"). Polls `count(DISTINCT <record id>)` of rows received since the first pending put, with
   * progress, until it reaches the number of records put. Called by `buildDataset` for the groups it joins.
   *
   * @param groupName - the group
   * @param options - progress, timeout (default `offlineWaitMs`, 20 min) and poll interval (default 30 s)
   * @returns the number of records seen in the offline store
   * @throws {@link HealthDataError} (timeout) naming how many arrived, when they do not all arrive in time
   */
  async waitForOfflineStore(groupName: string, options: { readonly progress?: ProgressReporter; readonly timeoutMs?: number; readonly pollMs?: number } = {}): Promise<number> {
    const p = this.pending.get(groupName);
    if (p === undefined) {
      return 0;
    }
    const desc = await this.describeFeatureGroup(groupName);
    const table = this.quoteOfflineTable(desc);
    const rid = sqlIdentifier(desc.recordIdentifierFeatureName);
    const want = p.ids.size;
    const timeout = options.timeoutMs ?? this.o.offlineWaitMs ?? 20 * 60_000;
    const pollMs = options.pollMs ?? this.o.offlinePollMs ?? 30_000;
    const task = (options.progress ?? this.progress).start(`offline store ${groupName} (SageMaker writes within ~15 min)`, want);
    const t0 = Date.now();
    for (;;) {
      const rows = await this.sql.query<{ n: unknown }>(`SELECT count(DISTINCT ${rid}) AS n FROM ${table} WHERE api_invocation_time >= ?`, [p.since]);
      const n = Number(rows[0]?.n ?? 0);
      task.update(Math.min(n, want));
      if (n >= want) {
        task.finish(`${String(n)} records`);
        this.pending.delete(groupName);
        return n;
      }
      if (Date.now() - t0 > timeout) {
        task.finish('timed out');
        throw new HealthDataError(
          'timeout',
          `feature store: ${String(n)} of ${String(want)} records put into "${groupName}" reached the offline store after ${String(Math.round(timeout / 1000))} s; SageMaker usually writes within 15 minutes — wait and build the dataset again`,
        );
      }
      await sleep(pollMs);
    }
  }

  /**
   * The group's offline table, once the records this store put into it have reached it: a reader of the table (the
   * imaging study dates of the training step, the dashboard) would otherwise see none of the rows SageMaker has not
   * written yet (up to ~15 minutes after the put).
   *
   * @param groupName - group name
   * @returns the quoted table name
   */
  override async offlineTable(groupName: string): Promise<string> {
    await this.waitForOfflineStore(groupName);
    return super.offlineTable(groupName);
  }

  /** @inheritdoc */
  override async buildDataset(options: DatasetOptions): Promise<TrainingDataset> {
    for (const g of options.groups) {
      await this.waitForOfflineStore(g);
    }
    return super.buildDataset(options);
  }

  /** @inheritdoc */
  async ingest(groupName: string, rows: readonly FeatureRecordInput[], options: IngestOptions = {}): Promise<IngestReport> {
    const desc = await this.describeFeatureGroup(groupName);
    const workers = Math.max(1, Math.min(64, options.workers ?? 8));
    const task = (options.progress ?? this.progress).start(`ingest ${groupName}`, rows.length);
    const failed: (IngestFailure & { readonly index: number })[] = [];
    let succeeded = 0;
    let next = 0;
    const putIds: string[] = [];
    const idOf = (i: number): string => {
      const v = rows[i]?.[desc.recordIdentifierFeatureName];
      return v === null || v === undefined || v === '' ? `row ${String(i + 1)}` : String(v);
    };
    const worker = async (): Promise<void> => {
      for (;;) {
        const i = next++;
        if (i >= rows.length) {
          return;
        }
        try {
          const checked = checkRecord('ingest', desc, rows[i] ?? {});
          await this.send('ingest', () => this.withThrottleRetry(() => this.o.runtime.send(new PutRecordCommand({ FeatureGroupName: groupName, Record: toWire(desc, checked) }))));
          succeeded++;
          putIds.push(checked.recordId);
        } catch (e) {
          failed.push({ index: i, recordId: idOf(i), reason: e instanceof Error ? e.message : String(e) });
        }
        task.tick();
      }
    };
    try {
      await Promise.all(Array.from({ length: Math.min(workers, Math.max(1, rows.length)) }, () => worker()));
    } finally {
      task.finish(`${succeeded.toLocaleString('en-US')} records, ${failed.length.toLocaleString('en-US')} failed`);
    }
    if (desc.offlineStore !== undefined) {
      this.notePending(groupName, putIds);
    }
    failed.sort((a, b) => a.index - b.index);
    return { groupName, records: rows.length, succeeded, failed: failed.map(({ recordId, reason }) => ({ recordId, reason })) };
  }

  /** @inheritdoc */
  async getRecord(groupName: string, recordId: string, options: { readonly featureNames?: readonly string[] } = {}): Promise<FeatureRecord | undefined> {
    const desc = await this.describeFeatureGroup(groupName);
    const out = await this.send('getRecord', () =>
      this.o.runtime.send(
        new GetRecordCommand({
          FeatureGroupName: groupName,
          RecordIdentifierValueAsString: recordId,
          ...(options.featureNames === undefined ? {} : { FeatureNames: [...options.featureNames] }),
        }),
      ),
    );
    return out.Record === undefined || out.Record.length === 0 ? undefined : fromWire(desc, out.Record);
  }

  /** @inheritdoc */
  async batchGetRecord(requests: readonly BatchGetRequest[]): Promise<BatchGetResult> {
    checkBatchGetSize(requests);
    const descs = new Map<string, FeatureGroupDescription>();
    for (const r of requests) {
      try {
        descs.set(r.groupName, await this.describeFeatureGroup(r.groupName));
      } catch (e) {
        if (!(isHealthDataError(e) && e.code === 'not-found')) {
          throw e;
        }
      }
    }
    const out = await this.send('batchGetRecord', () =>
      this.o.runtime.send(
        new BatchGetRecordCommand({
          Identifiers: requests.map((r) => ({
            FeatureGroupName: r.groupName,
            RecordIdentifiersValueAsString: [...r.recordIds],
            ...(r.featureNames === undefined ? {} : { FeatureNames: [...r.featureNames] }),
          })),
        }),
      ),
    );
    return {
      records: (out.Records ?? []).map((r) => {
        const g = r.FeatureGroupName ?? '';
        const desc = descs.get(g);
        return {
          groupName: g,
          recordId: r.RecordIdentifierValueAsString ?? '',
          record: desc === undefined ? {} : fromWire(desc, r.Record),
        };
      }),
      errors: (out.Errors ?? []).map((e) => ({
        groupName: e.FeatureGroupName ?? '',
        recordId: e.RecordIdentifierValueAsString ?? '',
        errorCode: e.ErrorCode ?? '',
        errorMessage: e.ErrorMessage ?? '',
      })),
      unprocessed: (out.UnprocessedIdentifiers ?? []).map((u) => ({ groupName: u.FeatureGroupName ?? '', recordIds: u.RecordIdentifiersValueAsString ?? [] })),
    };
  }

  /** @inheritdoc */
  async deleteRecord(groupName: string, recordId: string, eventTime: string | number | Date, options: DeleteRecordOptions = {}): Promise<void> {
    const desc = await this.describeFeatureGroup(groupName);
    const etDef = desc.featureDefinitions.find((d) => d.name === desc.eventTimeFeatureName) ?? { name: desc.eventTimeFeatureName, type: 'String' as const };
    const et = coerceFeatureValue('deleteRecord', groupName, etDef, eventTime);
    if (et === null) {
      throw new HealthDataError('invalid-input', `deleteRecord("${groupName}"): an event time is required`, { path: desc.eventTimeFeatureName });
    }
    await this.send('deleteRecord', () =>
      this.o.runtime.send(
        new DeleteRecordCommand({
          FeatureGroupName: groupName,
          RecordIdentifierValueAsString: recordId,
          EventTime: valueAsString(et),
          DeletionMode: options.mode ?? 'SoftDelete',
          ...(options.targetStores === undefined ? {} : { TargetStores: [...options.targetStores] }),
        }),
      ),
    );
  }

  /** @inheritdoc */
  protected quoteOfflineTable(desc: FeatureGroupDescription): string {
    if (desc.offlineStore === undefined || desc.offlineStore.tableName === '') {
      throw new HealthDataError('invalid-input', `feature store: group "${desc.name}" has no offline table in the data catalog (offline store disabled, or Glue table creation disabled)`);
    }
    return `${sqlIdentifier(desc.offlineStore.database)}.${sqlIdentifier(desc.offlineStore.tableName)}`;
  }
}
