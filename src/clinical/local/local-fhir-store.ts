/**
 * The local FHIR datastore: HealthLake's API over DuckDB and files in the workspace folder.
 *
 * - Datastores are JSON records in `<workspace>/clinical/datastores/<id>.json`; data lives in the DuckDB schema
 *   `healthlake_<id>` (see schema.ts). The first datastore created in a workspace is the default one: its tables are
 *   published as views in `main`, so `SELECT … FROM patient` works as in the HealthLake Athena database.
 * - Import jobs run asynchronously in this process, one at a time per store (HealthLake queues jobs FIFO).
 *   Their status lives in `<outputDir>/<datastoreId>-FHIR_IMPORT-<jobId>/job.json`, so any process (another
 *   notebook kernel) can describe them; a job whose process died reports FAILED with an "interrupted" message.
 *   Between batches the database is released, so reads and searches keep working during an import.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { HealthDataError, normalizeErrorString } from '../../errors';
import { FHIR_VALIDATION_LEVELS } from '../../formats/fhir/validate';
import type { ProgressReporter } from '../../progress';
import { silentProgress } from '../../progress';
import type { DuckDbEngine } from '../../sql/duckdb-engine';
import type { CreateDatastoreInput, DatastoreProperties, FhirSearchParams, FhirStore, ImportJobProperties, SearchBundle, StartImportJobInput, StartImportJobOutput, WaitOptions } from '../fhir-store';
import type { WaiterSettings } from '../waiters';
import { waitForDatastoreActive, waitForImportJob } from '../waiters';
import { runLocalImport } from './import-job';
import type { StoredJob } from './job-files';
import { importJobFolder, settleInterruptedJobs, settleJobFile, toJobProperties, writeJsonAtomic } from './job-files';
import { datastoreDdl, datastoreSchema, RESOURCE_TYPE_PATTERN, withMetaSql } from './schema';
import { buildSearchSql } from './search-sql';

/** Options of {@link LocalFhirStore.create}. */
export interface LocalFhirStoreOptions {
  /** The workspace DuckDB engine. */
  readonly engine: DuckDbEngine;
  /** The workspace folder (datastore records under `clinical/`, job output under `jobs/`). */
  readonly dir: string;
  /** Progress reporter for waiters (default silent). */
  readonly progress?: ProgressReporter;
  /** Most resources per import transaction (default 50,000); smaller batches commit more often. */
  readonly importBatchSize?: number;
  /**
   * Worker threads validating an import in parallel (default: one per CPU, at most 4, for inputs over 1 MB; 0 for
   * smaller inputs). 0 validates in this thread.
   */
  readonly importThreads?: number;
}

interface StoredDatastore {
  readonly DatastoreId: string;
  readonly DatastoreName: string;
  readonly DatastoreStatus: DatastoreProperties['DatastoreStatus'];
  readonly CreatedAt: string;
}

/**
 * {@link FhirStore} on DuckDB.
 *
 * @example
 * ```ts
 * const store = await LocalFhirStore.create({ engine: ws.duckdb!, dir: ws.config.dir });
 * const ds = await store.createDatastore({ name: 'demo' });
 * const { JobId } = await store.startImportJob({ datastoreId: ds.DatastoreId, inputDir: 'dataset/clinical' });
 * await store.waitForImportJob(ds.DatastoreId, JobId);
 * ```
 */
export class LocalFhirStore implements FhirStore {
  /** Backend tag. */
  readonly backend = 'local' as const;
  private readonly engine: DuckDbEngine;
  private readonly dir: string;
  private readonly progress: ProgressReporter;
  private readonly importBatchSize: number | undefined;
  private readonly importThreads: number | undefined;
  private queue: Promise<unknown> = Promise.resolve();
  private readonly running = new Map<string, Promise<void>>();
  private readonly customOutputs = new Map<string, string>();
  private readonly waiter: WaiterSettings;

  /**
   * @param options - engine and workspace folder (no I/O happens here)
   */
  constructor(options: LocalFhirStoreOptions) {
    this.engine = options.engine;
    this.dir = options.dir;
    this.progress = options.progress ?? silentProgress;
    this.waiter = {
      defaultPollMs: { datastore: 200, job: 250 },
      progress: this.progress,
      progressLabel: 'import clinical',
      jobNoun: 'job',
      datastoreTimeoutAdvice: 'wait longer (maxWaitMs)',
      jobTimeoutAdvice: (ms) => ` after ${String(ms)} ms; wait again (the job keeps running)`,
      completedNote: (job) => `${(job.JobProgressReport?.TotalNumberOfResourcesImported ?? 0).toLocaleString('en-US')} resources`,
      // Wake as soon as the in-process job settles instead of sleeping the whole interval.
      pause: (ms, jobId) => Promise.race([sleep(ms), (jobId === undefined ? undefined : this.running.get(jobId)) ?? sleep(0)]),
    };
    this.importBatchSize = options.importBatchSize;
    this.importThreads = options.importThreads;
  }

  /**
   * Opens the local store (cheap: touches nothing until first use).
   *
   * @param options - engine and workspace folder
   * @returns the store
   */
  static create(options: LocalFhirStoreOptions): Promise<LocalFhirStore> {
    return Promise.resolve(new LocalFhirStore(options));
  }

  private get datastoreDir(): string {
    return path.join(this.dir, 'clinical', 'datastores');
  }

  /** Default output root for job folders. */
  get jobsDir(): string {
    return path.join(this.dir, 'jobs');
  }

  private toProperties(s: StoredDatastore): DatastoreProperties {
    return {
      DatastoreId: s.DatastoreId,
      DatastoreArn: `arn:local:healthlake:local:000000000000:datastore/fhir/${s.DatastoreId}`,
      DatastoreName: s.DatastoreName,
      DatastoreStatus: s.DatastoreStatus,
      DatastoreTypeVersion: 'R4',
      DatastoreEndpoint: `local://healthlake/datastore/${s.DatastoreId}/r4/`,
      CreatedAt: new Date(s.CreatedAt),
    };
  }

  private readStored(datastoreId: string): StoredDatastore {
    datastoreSchema(datastoreId);
    const file = path.join(this.datastoreDir, `${datastoreId}.json`);
    if (!fs.existsSync(file)) {
      throw new HealthDataError('not-found', `describeDatastore: no datastore ${datastoreId} in workspace ${this.dir}; list them with listDatastores() or create one`, {
        path: 'datastoreId',
      });
    }
    return JSON.parse(fs.readFileSync(file, 'utf8')) as StoredDatastore;
  }

  /** @inheritdoc */
  async createDatastore(input: CreateDatastoreInput): Promise<DatastoreProperties> {
    if (((input.fhirVersion ?? 'R4') as string) !== 'R4') {
      throw new HealthDataError('unsupported', `createDatastore: fhirVersion "${input.fhirVersion as string}" is not supported; HealthLake supports R4 only`, {
        path: 'fhirVersion',
      });
    }
    if (!/^[\p{L}\p{Z}\p{N}_.:/=+\-@]{1,256}$/u.test(input.name)) {
      throw new HealthDataError('invalid-input', `createDatastore: name "${input.name}" must be 1-256 letters, digits, spaces or _.:/=+-@`, { path: 'name' });
    }
    const id = randomBytes(16).toString('hex');
    const stored: StoredDatastore = { DatastoreId: id, DatastoreName: input.name, DatastoreStatus: 'CREATING', CreatedAt: new Date().toISOString() };
    const file = path.join(this.datastoreDir, `${id}.json`);
    writeJsonAtomic(file, stored);
    const schema = datastoreSchema(id);
    try {
      await this.engine.session('create FHIR datastore', async (conn) => {
        await conn.run(datastoreDdl(schema));
      });
    } catch (e) {
      writeJsonAtomic(file, { ...stored, DatastoreStatus: 'CREATE_FAILED' });
      throw new HealthDataError('backend', `createDatastore: could not create the tables of ${id}: ${normalizeErrorString(e)}`, { cause: e });
    }
    const active: StoredDatastore = { ...stored, DatastoreStatus: 'ACTIVE' };
    writeJsonAtomic(file, active);
    return this.toProperties(active);
  }

  /** @inheritdoc */
  async describeDatastore(datastoreId: string): Promise<DatastoreProperties> {
    await Promise.resolve();
    return this.toProperties(this.readStored(datastoreId));
  }

  /** @inheritdoc */
  listDatastores(): Promise<DatastoreProperties[]> {
    if (!fs.existsSync(this.datastoreDir)) {
      return Promise.resolve([]);
    }
    const all = fs
      .readdirSync(this.datastoreDir)
      .filter((f) => /^[0-9a-f]{32}\.json$/.test(f))
      .map((f) => this.toProperties(JSON.parse(fs.readFileSync(path.join(this.datastoreDir, f), 'utf8')) as StoredDatastore));
    return Promise.resolve(all.sort((a, b) => a.CreatedAt.getTime() - b.CreatedAt.getTime() || a.DatastoreId.localeCompare(b.DatastoreId)));
  }

  /**
   * Finds an ACTIVE datastore by name, or creates it.
   *
   * @param name - datastore name
   * @returns its properties
   */
  async ensureDatastore(name: string): Promise<DatastoreProperties> {
    const found = (await this.listDatastores()).find((d) => d.DatastoreName === name && d.DatastoreStatus === 'ACTIVE');
    return found ?? this.createDatastore({ name, fhirVersion: 'R4' });
  }

  /** @inheritdoc */
  waitForDatastoreActive(datastoreId: string, options: WaitOptions = {}): Promise<DatastoreProperties> {
    return waitForDatastoreActive(this, datastoreId, options, this.waiter);
  }

  private async isDefault(datastoreId: string): Promise<boolean> {
    const first = (await this.listDatastores()).find((d) => d.DatastoreStatus === 'ACTIVE');
    return first?.DatastoreId === datastoreId;
  }

  /** @inheritdoc */
  async startImportJob(input: StartImportJobInput): Promise<StartImportJobOutput> {
    const ds = await this.describeDatastore(input.datastoreId);
    if (ds.DatastoreStatus !== 'ACTIVE') {
      throw new HealthDataError('conflict', `startImportJob: datastore ${ds.DatastoreId} is ${ds.DatastoreStatus}, not ACTIVE; wait with waitForDatastoreActive`);
    }
    if (input.inputDir === undefined) {
      throw new HealthDataError('invalid-input', 'startImportJob: the local backend imports from a folder; pass inputDir (inputS3Uri is for the aws backend)', {
        path: 'inputDir',
      });
    }
    const level = input.validationLevel ?? 'structure-only';
    if (!FHIR_VALIDATION_LEVELS.includes(level)) {
      throw new HealthDataError('invalid-input', `startImportJob: validationLevel "${level as string}" is not one of ${FHIR_VALIDATION_LEVELS.join(', ')}`, {
        path: 'validationLevel',
      });
    }
    const inputDir = path.resolve(input.inputDir);
    const outputDir = path.resolve(input.outputUri ?? this.jobsDir);
    // Jobs of this datastore whose process was killed are recorded as FAILED and their staging removed first.
    settleInterruptedJobs(outputDir, ds.DatastoreId);
    const jobId = randomBytes(16).toString('hex');
    const folder = importJobFolder(outputDir, ds.DatastoreId, jobId);
    const jobFile = path.join(folder, 'job.json');
    let stored: StoredJob = {
      JobId: jobId,
      ...(input.jobName === undefined ? {} : { JobName: input.jobName }),
      JobStatus: 'SUBMITTED',
      SubmitTime: new Date().toISOString(),
      DatastoreId: ds.DatastoreId,
      InputDataConfig: { S3Uri: inputDir },
      JobOutputDataConfig: { S3Configuration: { S3Uri: outputDir } },
      ValidationLevel: level,
      pid: process.pid,
    };
    writeJsonAtomic(jobFile, stored);
    if (outputDir !== path.resolve(this.jobsDir)) {
      this.customOutputs.set(jobId, outputDir);
    }
    const update = (patch: Partial<StoredJob>): void => {
      stored = { ...stored, ...patch };
      writeJsonAtomic(jobFile, stored);
    };
    const publish = await this.isDefault(ds.DatastoreId);
    const run = async (): Promise<void> => {
      update({ JobStatus: 'IN_PROGRESS' });
      try {
        const result = await runLocalImport({
          engine: this.engine,
          schema: datastoreSchema(ds.DatastoreId),
          level,
          inputDir,
          jobFolder: folder,
          publish,
          ...(this.importBatchSize === undefined ? {} : { batchSize: this.importBatchSize }),
          ...(this.importThreads === undefined ? {} : { threads: this.importThreads }),
          onProgress: (report) => {
            update({ JobProgressReport: report });
          },
        });
        const withErrors = result.report.TotalNumberOfResourcesWithCustomerError > 0;
        update({
          JobStatus: withErrors ? 'COMPLETED_WITH_ERRORS' : 'COMPLETED',
          JobProgressReport: result.report,
          EndTime: new Date().toISOString(),
          Message: `created ${result.outcomes.created}, updated ${result.outcomes.updated}, unchanged ${result.outcomes.unchanged}${withErrors ? `; ${result.report.TotalNumberOfResourcesWithCustomerError} rejected — see ${path.join(folder, 'FAILURE')}` : ''}`,
        });
      } catch (e) {
        update({ JobStatus: 'FAILED', EndTime: new Date().toISOString(), Message: normalizeErrorString(e) });
      }
    };
    const p = this.queue.then(run, run);
    this.queue = p;
    this.running.set(jobId, p);
    void p.finally(() => this.running.delete(jobId));
    return { JobId: jobId, JobStatus: 'SUBMITTED', DatastoreId: ds.DatastoreId };
  }

  private findJobFile(datastoreId: string, jobId: string): string {
    const root = this.customOutputs.get(jobId) ?? this.jobsDir;
    const file = path.join(importJobFolder(root, datastoreId, jobId), 'job.json');
    if (!fs.existsSync(file)) {
      throw new HealthDataError('not-found', `describeImportJob: no import job ${jobId} for datastore ${datastoreId} under ${root}; use the JobId startImportJob returned`, {
        path: 'jobId',
      });
    }
    return file;
  }

  /** @inheritdoc */
  async describeImportJob(datastoreId: string, jobId: string): Promise<ImportJobProperties> {
    await Promise.resolve();
    datastoreSchema(datastoreId);
    if (!/^[0-9a-f]{32}$/.test(jobId)) {
      throw new HealthDataError('invalid-input', `describeImportJob: "${jobId}" is not a job id (32 hex characters)`, { path: 'jobId' });
    }
    const file = this.findJobFile(datastoreId, jobId);
    return toJobProperties(settleJobFile(file));
  }

  /**
   * Waits for an import job to end. A job of this process is waited for until it ends unless `maxWaitMs` is given:
   * a wait that gave up would leave the job running in this process while the caller closes the workspace under it
   * (a 100,000-patient import outlasted the 30-minute default). Jobs of other processes keep the 30-minute default.
   *
   * @param datastoreId - the datastore
   * @param jobId - the job
   * @param options - poll interval, progress, `maxWaitMs`
   * @returns the final job properties
   * @throws {@link HealthDataError} (backend) when the job failed; (timeout) past `maxWaitMs` (the job keeps running)
   */
  waitForImportJob(datastoreId: string, jobId: string, options: WaitOptions = {}): Promise<ImportJobProperties> {
    const inProcess = options.maxWaitMs === undefined && this.running.has(jobId);
    return waitForImportJob(this, datastoreId, jobId, inProcess ? { ...options, maxWaitMs: Number.POSITIVE_INFINITY } : options, this.waiter);
  }

  /** @inheritdoc */
  async read(datastoreId: string, resourceType: string, id: string): Promise<Record<string, unknown>> {
    const schema = datastoreSchema(datastoreId);
    this.checkType(resourceType, 'read');
    const rows = await this.engine.query<{ j: string }>(`SELECT ${withMetaSql()}::VARCHAR AS j FROM ${schema}.resource WHERE resource_type = ? AND id = ?`, [resourceType, id]);
    const row = rows[0];
    if (row === undefined) {
      throw new HealthDataError('not-found', `read: ${resourceType}/${id} is not in datastore ${datastoreId}`, { path: `${resourceType}/${id}` });
    }
    return JSON.parse(row.j) as Record<string, unknown>;
  }

  private checkType(resourceType: string, fn: string): void {
    if (!RESOURCE_TYPE_PATTERN.test(resourceType)) {
      throw new HealthDataError('invalid-input', `${fn}: "${resourceType}" is not a FHIR resource type name (e.g. Patient, Observation)`, { path: 'resourceType' });
    }
  }

  /** @inheritdoc */
  async search(datastoreId: string, resourceType: string, params: FhirSearchParams = {}): Promise<SearchBundle> {
    const schema = datastoreSchema(datastoreId);
    this.checkType(resourceType, 'search');
    const q = buildSearchSql(resourceType, params);
    const [total] = await this.engine.query<{ n: number }>(`SELECT count(*) AS n FROM ${schema}.resource WHERE ${q.where}`, q.params);
    const rows = await this.engine.query<{ id: string; j: string }>(
      `SELECT id, ${withMetaSql()}::VARCHAR AS j FROM ${schema}.resource WHERE ${q.where} ORDER BY clinical_time NULLS LAST, id LIMIT ? OFFSET ?`,
      [...q.params, q.count, q.offset],
    );
    const n = total?.n ?? 0;
    const endpoint = `local://healthlake/datastore/${datastoreId}/r4/`;
    const query = (offset: number): string => {
      const sp = new URLSearchParams();
      for (const [k, v] of Object.entries(params)) {
        if (k !== '_offset' && k !== '_count') {
          for (const x of Array.isArray(v) ? (v as (string | number)[]) : [v as string | number]) {
            sp.append(k, String(x));
          }
        }
      }
      sp.set('_count', String(q.count));
      sp.set('_offset', String(offset));
      return `${endpoint}${resourceType}?${sp.toString()}`;
    };
    const link: { relation: 'self' | 'next'; url: string }[] = [{ relation: 'self', url: query(q.offset) }];
    if (q.offset + rows.length < n) {
      link.push({ relation: 'next', url: query(q.offset + q.count) });
    }
    return {
      resourceType: 'Bundle',
      type: 'searchset',
      total: n,
      link,
      entry: rows.map((r) => ({ fullUrl: `${endpoint}${resourceType}/${r.id}`, resource: JSON.parse(r.j) as Record<string, unknown>, search: { mode: 'match' as const } })),
    };
  }

  /**
   * Follows a searchset `next` link.
   *
   * @param url - the `link[relation=next].url` of a previous page
   * @returns the next page
   * @throws {@link HealthDataError} (invalid-input) when the URL is not a local datastore search link
   */
  async searchNext(url: string): Promise<SearchBundle> {
    const m = /^local:\/\/healthlake\/datastore\/([0-9a-f]{32})\/r4\/([A-Za-z]+)\?(.*)$/.exec(url);
    if (m?.[1] === undefined || m[2] === undefined) {
      throw new HealthDataError('invalid-input', `searchNext: "${url}" is not a link from a local search Bundle`, { path: 'url' });
    }
    const params: Record<string, string[]> = {};
    for (const [k, v] of new URLSearchParams(m[3] ?? '')) {
      (params[k] ??= []).push(v);
    }
    return this.search(m[1], m[2], params);
  }

  /**
   * The DuckDB schema holding a datastore's tables (for SQL against a non-default datastore).
   *
   * @param datastoreId - the datastore
   * @returns e.g. `healthlake_0123…`
   */
  schemaOf(datastoreId: string): string {
    return datastoreSchema(datastoreId);
  }

  /**
   * Resource counts per type (the Athena tables and their row counts).
   *
   * @param datastoreId - the datastore
   * @returns rows of resource type, table name and row count
   */
  async tables(datastoreId: string): Promise<{ resource_type: string; table_name: string; rows: number }[]> {
    const schema = datastoreSchema(datastoreId);
    return this.engine.query(`SELECT resource_type, table_name, rows FROM ${schema}.resource_type_table ORDER BY resource_type`);
  }

  /**
   * Waits for every job this store started in this process (used by close and tests).
   *
   * @returns when the queue is empty
   */
  async drain(): Promise<void> {
    await this.queue.catch(() => undefined);
  }
}
