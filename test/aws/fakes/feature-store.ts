/**
 * A fake Amazon SageMaker Feature Store that holds data, behind aws-sdk-client-mock, written from the documentation
 * (docs/aws-semantics.md §4 and the pages it cites):
 * - CreateFeatureGroup (API Reference) answers with the ARN; the group is `Creating`, then `Created` (virtual)
 *   seconds later; DescribeFeatureGroup on an unknown name throws `ResourceNotFound`. With an offline store and no
 *   DataCatalogConfig, SageMaker registers the Glue table itself in database `sagemaker_featurestore`, named
 *   `<group name with - as _>_<creation epoch>` ("Amazon SageMaker Feature Store offline store data format", "Query
 *   Feature Store with Athena and AWS Glue"), and reports `ResolvedOutputS3Uri`
 *   `<S3Uri>/<account>/sagemaker/<region>/offline-store/<group>-<epoch>/data`.
 * - PutRecord (API Reference) takes every value as a string; the record needs its record-identifier and event-time
 *   features, names must be defined, a record is at most 350 KB ("Quotas, naming rules and data types"). A newer
 *   event time replaces the online record; every put is appended to the offline store. Under load SageMaker throttles
 *   (`ThrottlingException`, HTTP 400): the fake throttles every 20th call.
 * - The offline store: Parquet under the resolved URI, partitioned `year=/month=/day=/hour=` by event time, with the
 *   added columns `write_time`, `api_invocation_time` (timestamps) and `is_deleted` (boolean), written "within 15
 *   minutes" of the put: the fake writes a put's row 5 virtual minutes after it, when Athena next reads (the
 *   background writer runs as a hook of the Athena fake).
 * - GetRecord returns the online record (no `Record` for a missing id); ListFeatureGroups pages with NextToken.
 */
import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { CreateFeatureGroupCommand, DeleteFeatureGroupCommand, DescribeFeatureGroupCommand, ListFeatureGroupsCommand, SageMakerClient } from '@aws-sdk/client-sagemaker';
import type { FeatureDefinition } from '@aws-sdk/client-sagemaker';
import { GetRecordCommand, PutRecordCommand, SageMakerFeatureStoreRuntimeClient } from '@aws-sdk/client-sagemaker-featurestore-runtime';
import type { FeatureValue } from '@aws-sdk/client-sagemaker-featurestore-runtime';
import type { TableInput } from '@aws-sdk/client-glue';
import { DuckDBInstance } from '@duckdb/node-api';
import { mockClient } from 'aws-sdk-client-mock';
import { sqlLiteral } from '../../../src/sql/literal';
import { suiteMock } from '../suite-mock';
import type { FakeBucketIo } from './bucket';
import { serviceError } from './bucket';
import type { VirtualClock } from './virtual-clock';

const REGION = 'us-east-1';
const ACCOUNT = '123456789012';
const CREATE_MS = 30_000;
/** Offline-store lag (AWS: within 15 minutes). */
export const OFFLINE_LAG_MS = 5 * 60_000;
const MAX_RECORD_BYTES = 350 * 1024;

interface Group {
  readonly name: string;
  readonly createdAt: number;
  readonly recordId: string;
  readonly eventTime: string;
  readonly definitions: FeatureDefinition[];
  readonly s3Uri: string;
  readonly resolved: string;
  readonly table: string;
  readonly online: Map<string, { eventTime: number; record: FeatureValue[] }>;
  readonly pending: { values: Map<string, string>; api: number }[];
  offlineRows: number;
}

/** The fake. */
export interface FakeFeatureStore {
  /** Groups by name. */
  readonly groups: Map<string, Group>;
  /** PutRecord calls answered with ThrottlingException. */
  readonly throttled: () => number;
  /** Writes the offline rows whose lag has passed (the Athena fake calls it before each query). */
  flush(): Promise<void>;
}

function eventSeconds(v: string): number {
  const n = Number(v);
  return Number.isFinite(n) && /^[0-9.]+$/.test(v) ? n : Date.parse(v) / 1000;
}

function glueType(t: string | undefined): string {
  return t === 'Integral' ? 'bigint' : t === 'Fractional' ? 'double' : 'string';
}

function duckType(t: string | undefined): string {
  return t === 'Integral' ? 'BIGINT' : t === 'Fractional' ? 'DOUBLE' : 'VARCHAR';
}

function ts(ms: number): string {
  return new Date(ms).toISOString().replace('T', ' ').replace('Z', '');
}

/**
 * Installs the fake (SageMaker and the Feature Store runtime) for the enclosing suite.
 *
 * @param deps - S3 access, the Glue catalog to register offline tables in, the clock, a scratch folder
 * @param deps.s3 - S3 access (real HTTP)
 * @param deps.glue - the Glue fake's databases
 * @param deps.clock - virtual clock
 * @param deps.scratch - scratch folder for Parquet staging
 * @returns the fake
 */
export function fakeFeatureStore(deps: { s3: FakeBucketIo; glue: Map<string, Map<string, TableInput>>; clock: VirtualClock; scratch: string }): FakeFeatureStore {
  const groups = new Map<string, Group>();
  let puts = 0;
  let throttled = 0;
  const statusOf = (g: Group): string => (deps.clock.now() - g.createdAt >= CREATE_MS ? 'Created' : 'Creating');
  const find = (name: string | undefined): Group => {
    const g = groups.get(name ?? '');
    if (g === undefined) {
      throw serviceError('ResourceNotFound', `Resource Not Found: Amazon SageMaker can't find a FeatureGroup with name ${name ?? ''}`);
    }
    return g;
  };

  async function flushGroup(g: Group, instance: DuckDBInstance): Promise<void> {
    const due = g.pending.filter((p) => deps.clock.now() - p.api >= OFFLINE_LAG_MS);
    if (due.length === 0) {
      return;
    }
    g.pending.splice(0, g.pending.length, ...g.pending.filter((p) => !due.includes(p)));
    // One Parquet object per event-time hour partition.
    const byHour = new Map<string, typeof due>();
    for (const p of due) {
      const d = new Date(eventSeconds(p.values.get(g.eventTime) ?? '0') * 1000);
      const part = `year=${String(d.getUTCFullYear()).padStart(4, '0')}/month=${String(d.getUTCMonth() + 1).padStart(2, '0')}/day=${String(d.getUTCDate()).padStart(2, '0')}/hour=${String(d.getUTCHours()).padStart(2, '0')}`;
      byHour.set(part, [...(byHour.get(part) ?? []), p]);
    }
    const conn = await instance.connect();
    try {
      for (const [part, rows] of byHour) {
        const json = path.join(deps.scratch, `${crypto.randomUUID()}.ndjson`);
        const parquet = `${json}.parquet`;
        const write = deps.clock.now();
        fs.writeFileSync(
          json,
          `${rows
            .map((r) =>
              JSON.stringify({
                ...Object.fromEntries(g.definitions.map((d) => [d.FeatureName, r.values.get(d.FeatureName ?? '') ?? null])),
                write_time: ts(write),
                api_invocation_time: ts(r.api),
                is_deleted: 'false',
              }),
            )
            .join('\n')}\n`,
        );
        const cols = [...g.definitions.map((d) => [d.FeatureName ?? '', duckType(d.FeatureType)]), ['write_time', 'TIMESTAMP'], ['api_invocation_time', 'TIMESTAMP'], ['is_deleted', 'BOOLEAN']];
        const varchar = `{${cols.map(([c]) => `${sqlLiteral(c ?? '')}: 'VARCHAR'`).join(', ')}}`;
        await conn.run(
          `COPY (SELECT ${cols.map(([c, t]) => `CAST("${c ?? ''}" AS ${t ?? 'VARCHAR'}) AS "${c ?? ''}"`).join(', ')} FROM read_json(${sqlLiteral(json)}, format = 'newline_delimited', columns = ${varchar})) TO ${sqlLiteral(parquet)} (FORMAT parquet)`,
        );
        await deps.s3.put(`${g.resolved}/${part}/${crypto.randomUUID()}.parquet`, fs.readFileSync(parquet));
        g.offlineRows += rows.length;
        fs.rmSync(json, { force: true });
        fs.rmSync(parquet, { force: true });
      }
    } finally {
      conn.closeSync();
    }
  }

  let writer: Promise<DuckDBInstance> | undefined;
  const flush = async (): Promise<void> => {
    writer ??= DuckDBInstance.create(':memory:');
    const instance = await writer;
    for (const g of groups.values()) {
      await flushGroup(g, instance);
    }
  };

  suiteMock(() => {
    const mock = mockClient(SageMakerClient);
    mock.on(CreateFeatureGroupCommand).callsFake((i: Record<string, unknown>) => {
      const input = i as {
        FeatureGroupName?: string;
        RecordIdentifierFeatureName?: string;
        EventTimeFeatureName?: string;
        FeatureDefinitions?: FeatureDefinition[];
        OfflineStoreConfig?: { S3StorageConfig?: { S3Uri?: string } };
        OnlineStoreConfig?: unknown;
        RoleArn?: string;
      };
      const name = input.FeatureGroupName ?? '';
      if (groups.has(name)) {
        throw serviceError('ResourceInUse', `FeatureGroup ${name} already exists`);
      }
      if (!/^[a-zA-Z0-9]([_-]*[a-zA-Z0-9]){0,63}$/.test(name)) {
        throw serviceError('ValidationException', `FeatureGroupName ${name} does not match the naming rules`);
      }
      const defs = input.FeatureDefinitions ?? [];
      const names = new Set(defs.map((d) => d.FeatureName));
      if (!names.has(input.RecordIdentifierFeatureName) || !names.has(input.EventTimeFeatureName) || ['is_deleted', 'write_time', 'api_invocation_time'].some((r) => names.has(r))) {
        throw serviceError('ValidationException', 'the record identifier and event time must be defined features; is_deleted, write_time and api_invocation_time are reserved');
      }
      if (input.OfflineStoreConfig === undefined && input.OnlineStoreConfig === undefined) {
        throw serviceError('ValidationException', 'at least one of OnlineStoreConfig and OfflineStoreConfig is required');
      }
      if (input.OfflineStoreConfig !== undefined && input.RoleArn === undefined) {
        throw serviceError('ValidationException', 'RoleArn is required with an offline store');
      }
      const createdAt = deps.clock.now();
      const epoch = Math.floor(createdAt / 1000);
      const s3Uri = (input.OfflineStoreConfig?.S3StorageConfig?.S3Uri ?? '').replace(/\/+$/, '');
      const g: Group = {
        name,
        createdAt,
        recordId: input.RecordIdentifierFeatureName ?? '',
        eventTime: input.EventTimeFeatureName ?? '',
        definitions: defs,
        s3Uri,
        resolved: `${s3Uri}/${ACCOUNT}/sagemaker/${REGION}/offline-store/${name}-${String(epoch)}/data`,
        table: `${name.replace(/-/g, '_')}_${String(epoch)}`.toLowerCase(),
        online: new Map(),
        pending: [],
        offlineRows: 0,
      };
      groups.set(name, g);
      if (input.OfflineStoreConfig !== undefined) {
        const db = deps.glue.get('sagemaker_featurestore') ?? new Map<string, TableInput>();
        deps.glue.set('sagemaker_featurestore', db);
        db.set(g.table, {
          Name: g.table,
          TableType: 'EXTERNAL_TABLE',
          Parameters: { classification: 'parquet' },
          PartitionKeys: ['year', 'month', 'day', 'hour'].map((Name) => ({ Name, Type: 'string' })),
          StorageDescriptor: {
            Location: g.resolved,
            Columns: [
              ...defs.map((d) => ({ Name: d.FeatureName ?? '', Type: glueType(d.FeatureType) })),
              { Name: 'write_time', Type: 'timestamp' },
              { Name: 'api_invocation_time', Type: 'timestamp' },
              { Name: 'is_deleted', Type: 'boolean' },
            ],
          },
        });
      }
      return { FeatureGroupArn: `arn:aws:sagemaker:${REGION}:${ACCOUNT}:feature-group/${name.toLowerCase()}` };
    });
    mock.on(DescribeFeatureGroupCommand).callsFake((i: { FeatureGroupName?: string }) => {
      const g = find(i.FeatureGroupName);
      return {
        FeatureGroupArn: `arn:aws:sagemaker:${REGION}:${ACCOUNT}:feature-group/${g.name.toLowerCase()}`,
        FeatureGroupName: g.name,
        RecordIdentifierFeatureName: g.recordId,
        EventTimeFeatureName: g.eventTime,
        FeatureDefinitions: g.definitions,
        CreationTime: new Date(g.createdAt),
        OnlineStoreConfig: { EnableOnlineStore: true },
        OfflineStoreConfig: {
          S3StorageConfig: { S3Uri: g.s3Uri, ResolvedOutputS3Uri: g.resolved },
          DisableGlueTableCreation: false,
          DataCatalogConfig: { TableName: g.table, Catalog: 'AwsDataCatalog', Database: 'sagemaker_featurestore' },
        },
        FeatureGroupStatus: statusOf(g),
      };
    });
    mock.on(ListFeatureGroupsCommand).callsFake((i: { NextToken?: string; NameContains?: string; MaxResults?: number }) => {
      const all = [...groups.values()].filter((g) => i.NameContains === undefined || g.name.includes(i.NameContains));
      const start = i.NextToken === undefined ? 0 : Number(i.NextToken);
      const n = Math.min(3, i.MaxResults ?? 3);
      return {
        FeatureGroupSummaries: all.slice(start, start + n).map((g) => ({
          FeatureGroupName: g.name,
          FeatureGroupArn: `arn:aws:sagemaker:${REGION}:${ACCOUNT}:feature-group/${g.name.toLowerCase()}`,
          CreationTime: new Date(g.createdAt),
          FeatureGroupStatus: statusOf(g),
        })),
        ...(start + n < all.length ? { NextToken: String(start + n) } : {}),
      };
    });
    mock.on(DeleteFeatureGroupCommand).callsFake((i: { FeatureGroupName?: string }) => {
      find(i.FeatureGroupName);
      groups.delete(i.FeatureGroupName ?? '');
      return {};
    });
    return mock;
  });

  suiteMock(() => {
    const mock = mockClient(SageMakerFeatureStoreRuntimeClient);
    mock.on(PutRecordCommand).callsFake((i: { FeatureGroupName?: string; Record?: FeatureValue[]; TargetStores?: string[] }) => {
      puts++;
      if (puts % 20 === 0) {
        throttled++;
        throw serviceError('ThrottlingException', 'Rate exceeded');
      }
      const g = find(i.FeatureGroupName);
      if (statusOf(g) !== 'Created') {
        throw serviceError('ValidationError', `FeatureGroup ${g.name} is ${statusOf(g)}`);
      }
      const record = i.Record ?? [];
      const values = new Map<string, string>();
      const defined = new Set(g.definitions.map((d) => d.FeatureName));
      for (const v of record) {
        if (!defined.has(v.FeatureName) || v.ValueAsString === undefined) {
          throw serviceError('ValidationError', `Feature ${v.FeatureName ?? ''} is not defined in ${g.name}`);
        }
        values.set(v.FeatureName ?? '', v.ValueAsString);
      }
      if (JSON.stringify(record).length > MAX_RECORD_BYTES) {
        throw serviceError('ValidationError', 'Record exceeds 350 KB');
      }
      const id = values.get(g.recordId);
      const et = values.get(g.eventTime);
      if (id === undefined || et === undefined || !Number.isFinite(eventSeconds(et))) {
        throw serviceError('ValidationError', `Record must hold ${g.recordId} and a valid ${g.eventTime}`);
      }
      const stores = i.TargetStores ?? ['OnlineStore', 'OfflineStore'];
      const prev = g.online.get(id);
      if (stores.includes('OnlineStore') && (prev === undefined || eventSeconds(et) > prev.eventTime)) {
        g.online.set(id, { eventTime: eventSeconds(et), record });
      }
      if (stores.includes('OfflineStore')) {
        g.pending.push({ values, api: deps.clock.now() });
      }
      return {};
    });
    mock.on(GetRecordCommand).callsFake((i: { FeatureGroupName?: string; RecordIdentifierValueAsString?: string; FeatureNames?: string[] }) => {
      const g = find(i.FeatureGroupName);
      const r = g.online.get(i.RecordIdentifierValueAsString ?? '');
      // FeatureNames: "List of names of Features to be retrieved. If not specified, the latest value for all the Features are returned" (API Reference).
      return r === undefined ? {} : { Record: i.FeatureNames === undefined ? r.record : r.record.filter((v) => i.FeatureNames?.includes(v.FeatureName ?? '')) };
    });
    return mock;
  });
  return { groups, throttled: () => throttled, flush };
}
