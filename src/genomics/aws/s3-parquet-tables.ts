/**
 * AWS's recommended path since HealthOmics analytics stores closed to new customers (2025-11-07): write the same
 * variant-table schema as Parquet to S3 and register it in the Glue Data Catalog, so the guidance's Athena queries
 * run unchanged. VCFs are converted on this machine with the local writer, then uploaded.
 */
import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { CreateDatabaseCommand, CreateTableCommand, GetDatabaseCommand, GetTableCommand, GlueClient } from '@aws-sdk/client-glue';
import type { Column } from '@aws-sdk/client-glue';
import { S3Client } from '@aws-sdk/client-s3';
import { DuckDBInstance } from '@duckdb/node-api';
import type { DuckDBConnection } from '@duckdb/node-api';
import { contentKey, sha256File, uploadFile } from '../../aws/s3';
import { HealthDataError, isHealthDataError, normalizeErrorString } from '../../errors';
import type { WorkspaceCore } from '../../workspace-core';
import { writeVcfAsParquet } from '../local/parquet-writer';
import { STORE_NAME_PATTERN } from '../local/local-stores';
import { VARIANT_COLUMNS } from '../schema';
import { sqlLiteral } from '../../sql/literal';
import type { ImportFailure, ImportItemDetail, OmicsJobStatus, VariantImportJob } from '../types';
import { mapAwsError } from './omics-stores';

/** Options of {@link S3ParquetVariantTables}. */
export interface S3ParquetVariantTablesOptions {
  /** S3 client (default: one for the workspace region, destroyed on close). */
  readonly s3?: S3Client;
  /** Glue client (default: one for the workspace region, destroyed on close). */
  readonly glue?: GlueClient;
}

/**
 * Splits `s3://bucket/prefix/` into bucket and key prefix (ending in `/` unless empty).
 *
 * @param uri - an s3:// URI
 * @returns bucket and prefix
 * @throws {@link HealthDataError} (invalid-config) when the URI is not s3://bucket[/prefix]
 */
export function parseS3Uri(uri: string): { bucket: string; prefix: string } {
  const m = /^s3:\/\/([^/]+)\/?(.*)$/.exec(uri);
  if (m?.[1] === undefined) {
    throw new HealthDataError('invalid-config', `parseS3Uri: "${uri}" is not an s3://bucket/prefix URI; set MMH_S3_URI`, { path: 'aws.s3Uri' });
  }
  const p = m[2] ?? '';
  return { bucket: m[1], prefix: p === '' || p.endsWith('/') ? p : `${p}/` };
}

/**
 * Variant/annotation tables as Parquet on S3 + Glue (no HealthOmics store needed).
 */
export class S3ParquetVariantTables {
  private readonly s3: S3Client;
  private readonly glue: GlueClient;

  /**
   * @param ws - the workspace core (config: region, s3Uri, athenaDatabase)
   * @param options - clients
   */
  constructor(
    private readonly ws: WorkspaceCore,
    options: S3ParquetVariantTablesOptions = {},
  ) {
    const region = ws.config.aws.region;
    this.s3 = options.s3 ?? new S3Client({ region });
    this.glue = options.glue ?? new GlueClient({ region });
    if (options.s3 === undefined) {
      ws.onClose(() => {
        this.s3.destroy();
      });
    }
    if (options.glue === undefined) {
      ws.onClose(() => {
        this.glue.destroy();
      });
    }
  }

  /**
   * The S3 folder of a table.
   *
   * @param table - table name
   * @returns `s3://bucket/prefix/genomics/<table>/`
   */
  location(table: string): string {
    const { bucket, prefix } = parseS3Uri(this.ws.config.aws.s3Uri ?? '');
    return `s3://${bucket}/${prefix}genomics/${table}/`;
  }

  /**
   * Creates the Glue database unless it exists (GetDatabase, then CreateDatabase): CreateTable fails with
   * EntityNotFoundException in a database that does not exist.
   *
   * @returns true when it was created
   * @throws {@link HealthDataError} (backend) on Glue errors
   */
  async ensureDatabase(): Promise<boolean> {
    const Name = this.ws.config.aws.athenaDatabase;
    try {
      await this.glue.send(new GetDatabaseCommand({ Name }));
      return false;
    } catch (e) {
      if ((e as { name?: string }).name !== 'EntityNotFoundException') {
        throw mapAwsError('S3ParquetVariantTables.ensureDatabase', e);
      }
    }
    try {
      await this.glue.send(new CreateDatabaseCommand({ DatabaseInput: { Name, Description: 'multimodal-health tables (genomic Parquet, sample test dates)' } }));
      return true;
    } catch (e) {
      // Another process created it between the two calls.
      if ((e as { name?: string }).name === 'AlreadyExistsException') {
        return false;
      }
      throw mapAwsError('S3ParquetVariantTables.ensureDatabase', e);
    }
  }

  /**
   * Creates the Glue table (Parquet, the §1.5 columns) unless it exists; creates the database first when missing.
   *
   * @param table - table name (store-name rules)
   * @returns true when it was created
   * @throws {@link HealthDataError} (backend) on Glue errors
   */
  async ensureTable(table: string): Promise<boolean> {
    return this.ensureParquetTable(
      table,
      VARIANT_COLUMNS.map((c) => ({ Name: c.name, Type: c.glue })),
    );
  }

  /**
   * The name of the table holding each sample's genetic test date (the VCF's `##fileDate`) for a variant table.
   *
   * @param table - the variant table
   * @returns `<table>_test_dates`
   */
  static testDatesTable(table: string): string {
    return `${table}_test_dates`;
  }

  private async ensureParquetTable(table: string, columns: Column[]): Promise<boolean> {
    const DatabaseName = this.ws.config.aws.athenaDatabase;
    await this.ensureDatabase();
    try {
      await this.glue.send(new GetTableCommand({ DatabaseName, Name: table }));
      return false;
    } catch (e) {
      if ((e as { name?: string }).name !== 'EntityNotFoundException') {
        throw mapAwsError('S3ParquetVariantTables.ensureTable', e);
      }
    }
    try {
      await this.glue.send(
        new CreateTableCommand({
          DatabaseName,
          TableInput: {
            Name: table,
            TableType: 'EXTERNAL_TABLE',
            Parameters: { classification: 'parquet', EXTERNAL: 'TRUE' },
            StorageDescriptor: {
              Columns: columns,
              Location: this.location(table),
              InputFormat: 'org.apache.hadoop.hive.ql.io.parquet.MapredParquetInputFormat',
              OutputFormat: 'org.apache.hadoop.hive.ql.io.parquet.MapredParquetOutputFormat',
              SerdeInfo: { SerializationLibrary: 'org.apache.hadoop.hive.ql.io.parquet.serde.ParquetHiveSerDe' },
            },
          },
        }),
      );
      return true;
    } catch (e) {
      throw mapAwsError('S3ParquetVariantTables.ensureTable', e);
    }
  }

  private async uploadTestDates(conn: DuckDBConnection, table: string, digest: string, samples: readonly string[], fileDate: string | undefined, tmp: string): Promise<void> {
    const d = fileDate === undefined ? undefined : /^(\d{4})(\d{2})(\d{2})$/.exec(fileDate);
    const iso = fileDate === undefined ? undefined : d === null || d === undefined ? fileDate : `${d[1] ?? ''}-${d[2] ?? ''}-${d[3] ?? ''}`;
    if (iso === undefined || samples.length === 0) {
      return;
    }
    const datesTable = S3ParquetVariantTables.testDatesTable(table);
    await this.ensureParquetTable(datesTable, [
      { Name: 'sampleid', Type: 'string' },
      { Name: 'test_date', Type: 'string' },
    ]);
    const file = path.join(tmp, 'dates.parquet');
    const values = samples.map((sm) => `(${sqlLiteral(sm)}, ${sqlLiteral(iso)})`).join(', ');
    await conn.run(`COPY (SELECT * FROM (VALUES ${values}) AS t(sampleid, test_date)) TO ${sqlLiteral(file)} (FORMAT parquet)`);
    const { bucket, prefix } = parseS3Uri(this.location(datesTable));
    try {
      await uploadFile(this.s3, file, `s3://${bucket}/${contentKey(prefix, digest, '.parquet')}`, { contentType: 'application/vnd.apache.parquet' });
    } finally {
      fs.rmSync(file, { force: true });
    }
  }

  /**
   * Converts local VCFs to Parquet, uploads one object per source under a key derived from the VCF's bytes (the
   * same file gives the same key from any checkout, so re-running replaces rather than duplicates), writes each
   * sample's genetic test date (`##fileDate`) to `<table>_test_dates`, and registers the tables (and the database). Runs synchronously; the result has the job shape of the stores.
   *
   * @param input - table name, local VCF paths, strict mode
   * @returns the finished job with per-item statuses and record failures
   * @throws {@link HealthDataError} (invalid-input) for a bad table name; (backend) when Glue fails
   */
  async importVcfs(input: { table: string; sources: readonly string[]; strict?: boolean }): Promise<VariantImportJob> {
    if (!STORE_NAME_PATTERN.test(input.table)) {
      throw new HealthDataError('invalid-input', `importVcfs: table "${input.table}" must match [a-z][a-z0-9_]{2,254}`, { path: 'table' });
    }
    const jobId = crypto.randomUUID();
    const creationTime = new Date();
    await this.ensureTable(input.table);
    const { bucket, prefix } = parseS3Uri(this.location(input.table));
    const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'mmh-s3parquet-'));
    const instance = await DuckDBInstance.create(':memory:');
    const conn = await instance.connect();
    const items: ImportItemDetail[] = [];
    const failures: ImportFailure[] = [];
    const task = this.ws.progress.start(`upload ${input.table}`, input.sources.length);
    try {
      for (const source of input.sources) {
        const file = path.join(tmp, 'item.parquet');
        let key = '';
        try {
          const digest = await sha256File(source);
          key = contentKey(prefix, digest, '.parquet');
          const r = await writeVcfAsParquet(conn, source, file, { importJobId: jobId, strict: input.strict === true });
          failures.push(...r.failures);
          if (r.rows > 0) {
            await uploadFile(this.s3, file, `s3://${bucket}/${key}`, { contentType: 'application/vnd.apache.parquet' });
            await this.uploadTestDates(conn, input.table, digest, r.header.samples, r.header.meta.get('fileDate'), tmp);
          }
          items.push({
            source,
            jobStatus: r.rejected > 0 ? 'COMPLETED_WITH_FAILURES' : 'COMPLETED',
            statusMessage: `${String(r.records)} records, ${String(r.rows)} rows → s3://${bucket}/${key}`,
            lines: r.lines,
            records: r.records,
            rejected: r.rejected,
            rows: r.rows,
            samples: r.header.samples,
          });
        } catch (e) {
          const reason = normalizeErrorString(isHealthDataError(e) ? e : mapAwsError('importVcfs', e));
          failures.push({ source, line: 0, code: isHealthDataError(e) ? e.code : 'backend', reason });
          items.push({ source, jobStatus: 'FAILED', statusMessage: reason });
        } finally {
          fs.rmSync(file, { force: true });
        }
        task.tick();
      }
    } finally {
      conn.closeSync();
      instance.closeSync();
      fs.rmSync(tmp, { recursive: true, force: true });
    }
    const failed = items.filter((i) => i.jobStatus === 'FAILED').length;
    const partial = items.filter((i) => i.jobStatus === 'COMPLETED_WITH_FAILURES').length;
    const status: OmicsJobStatus = failed === items.length ? 'FAILED' : failed + partial > 0 ? 'COMPLETED_WITH_FAILURES' : 'COMPLETED';
    task.finish(status);
    const now = new Date();
    return { id: jobId, destinationName: input.table, status, creationTime, updateTime: now, completionTime: now, items, failures };
  }
}
