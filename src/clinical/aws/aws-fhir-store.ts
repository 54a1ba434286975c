/**
 * The AWS FHIR datastore: AWS HealthLake through `@aws-sdk/client-healthlake` (CreateFHIRDatastore,
 * DescribeFHIRDatastore, ListFHIRDatastores, StartFHIRImportJob, DescribeFHIRImportJob). A local input folder is
 * first uploaded to `<s3Uri>clinical-input/<content digest>/`, streamed (multipart above 8 MiB, so files of any size
 * upload without being read into memory), because HealthLake imports from S3 only. The prefix is named by the
 * files' content, so a re-run reuses the objects already there instead of uploading to a new prefix each time.
 * HealthLake runs one import job per datastore at a time (quota "concurrent StartFHIRImportJob jobs: 1", AWS
 * HealthLake endpoints and quotas): `startImportJob` waits for a running one to end before submitting.
 *
 * The waiters poll as the SDK's `waitUntilFHIRDatastoreActive` / `waitUntilFHIRImportJobCompleted` do (ACTIVE;
 * COMPLETED and COMPLETED_WITH_ERRORS succeed; CREATE_FAILED, DELETED, FAILED fail), with a progress report from
 * `JobProgressReport`. Resource reads and searches go over HealthLake's FHIR REST API, which no SDK client wraps:
 * SigV4-signed GETs (healthlake-fhir-rest.ts), with the region of the HealthLake client unless given.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { DatastoreProperties as SdkDatastore, HealthLakeClient, ImportJobProperties as SdkImportJob } from '@aws-sdk/client-healthlake';
import {
  CreateFHIRDatastoreCommand,
  DescribeFHIRDatastoreCommand,
  DescribeFHIRImportJobCommand,
  ListFHIRDatastoresCommand,
  ListFHIRImportJobsCommand,
  StartFHIRImportJobCommand,
} from '@aws-sdk/client-healthlake';
import type { S3Client } from '@aws-sdk/client-s3';
import * as crypto from 'node:crypto';
import { headSize, joinS3, sha256File, uploadFile } from '../../aws/s3';
import { HealthDataError, normalizeErrorString } from '../../errors';
import type { ProgressReporter } from '../../progress';
import { silentProgress } from '../../progress';
import type {
  CreateDatastoreInput,
  DatastoreProperties,
  FhirSearchParams,
  FhirStore,
  ImportJobProperties,
  JobProgressReport,
  SearchBundle,
  StartImportJobInput,
  StartImportJobOutput,
  WaitOptions,
} from '../fhir-store';
import type { WaiterSettings } from '../waiters';
import { waitForDatastoreActive, waitForImportJob } from '../waiters';
import type { FetchLike, SigningCredentials } from './healthlake-fhir-rest';
import { HealthLakeFhirRest } from './healthlake-fhir-rest';

/** Options of {@link AwsFhirStore}. */
export interface AwsFhirStoreOptions {
  /** The HealthLake client (one per region/credentials, reused). */
  readonly healthlake: HealthLakeClient;
  /** S3 client, needed only to upload a local input folder. */
  readonly s3?: S3Client;
  /** Workspace S3 prefix (`s3://bucket/prefix/`), for uploads and job output. */
  readonly s3Uri: string;
  /** IAM role HealthLake assumes to read the input and write the output. */
  readonly roleArn?: string;
  /** KMS key for the job output (HealthLake requires one; default the AWS-managed `alias/aws/s3`). */
  readonly kmsKeyId?: string;
  /** Progress reporter for waiters. */
  readonly progress?: ProgressReporter;
  /** Region of the FHIR REST endpoint for read/search (default: the HealthLake client's region). */
  readonly region?: string;
  /** Credentials signing read/search requests (default: the Node default provider chain). */
  readonly credentials?: SigningCredentials;
  /** HTTP client for read/search (default: global `fetch`). */
  readonly fetch?: FetchLike;
  /** FHIR REST base URL (default `https://healthlake.<region>.amazonaws.com`). */
  readonly fhirEndpoint?: string;
  /** Poll interval while waiting for a running import job before starting the next (default 30 s). */
  readonly queuePollMs?: number;
}

function mapError(fn: string, e: unknown): HealthDataError {
  const name = (e as { name?: string }).name ?? '';
  const status = (e as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode;
  const code = name === 'ResourceNotFoundException' || status === 404 ? 'not-found' : name === 'ValidationException' ? 'invalid-input' : name === 'ConflictException' ? 'conflict' : 'backend';
  return new HealthDataError(code, `${fn}: HealthLake answered ${name || 'an error'}${status === undefined ? '' : ` (HTTP ${status})`}: ${normalizeErrorString(e)}`, { cause: e });
}

function toDatastore(d: SdkDatastore | undefined): DatastoreProperties {
  if (d?.DatastoreId === undefined) {
    throw new HealthDataError('backend', 'describeDatastore: HealthLake returned no DatastoreProperties');
  }
  return {
    DatastoreId: d.DatastoreId,
    DatastoreArn: d.DatastoreArn ?? '',
    DatastoreName: d.DatastoreName ?? '',
    DatastoreStatus: d.DatastoreStatus ?? 'CREATING',
    DatastoreTypeVersion: 'R4',
    DatastoreEndpoint: d.DatastoreEndpoint ?? '',
    CreatedAt: d.CreatedAt ?? new Date(0),
  };
}

function toReport(r: SdkImportJob['JobProgressReport']): JobProgressReport | undefined {
  if (r === undefined) {
    return undefined;
  }
  return {
    TotalNumberOfScannedFiles: r.TotalNumberOfScannedFiles ?? 0,
    TotalSizeOfScannedFilesInMB: r.TotalSizeOfScannedFilesInMB ?? 0,
    TotalNumberOfImportedFiles: r.TotalNumberOfImportedFiles ?? 0,
    TotalNumberOfResourcesScanned: r.TotalNumberOfResourcesScanned ?? 0,
    TotalNumberOfResourcesImported: r.TotalNumberOfResourcesImported ?? 0,
    TotalNumberOfResourcesWithCustomerError: r.TotalNumberOfResourcesWithCustomerError ?? 0,
    TotalNumberOfFilesReadWithCustomerError: r.TotalNumberOfFilesReadWithCustomerError ?? 0,
    Throughput: r.Throughput ?? 0,
  };
}

function toJob(j: SdkImportJob | undefined): ImportJobProperties {
  if (j?.JobId === undefined || j.DatastoreId === undefined) {
    throw new HealthDataError('backend', 'describeImportJob: HealthLake returned no ImportJobProperties');
  }
  const report = toReport(j.JobProgressReport);
  const level = j.ValidationLevel;
  return {
    JobId: j.JobId,
    ...(j.JobName === undefined ? {} : { JobName: j.JobName }),
    JobStatus: j.JobStatus ?? 'SUBMITTED',
    SubmitTime: j.SubmitTime ?? new Date(0),
    ...(j.EndTime === undefined ? {} : { EndTime: j.EndTime }),
    DatastoreId: j.DatastoreId,
    InputDataConfig: { S3Uri: j.InputDataConfig?.S3Uri ?? '' },
    JobOutputDataConfig: { S3Configuration: { S3Uri: j.JobOutputDataConfig?.S3Configuration?.S3Uri ?? '' } },
    ...(report === undefined ? {} : { JobProgressReport: report }),
    ...(level === undefined ? {} : { ValidationLevel: level }),
    ...(j.Message === undefined ? {} : { Message: j.Message }),
  };
}

function splitS3(uri: string): { bucket: string; key: string } {
  const m = /^s3:\/\/([^/]+)\/?(.*)$/.exec(uri);
  if (m?.[1] === undefined) {
    throw new HealthDataError('invalid-config', `AwsFhirStore: "${uri}" is not an s3:// URI; set MMH_S3_URI`, { path: 'aws.s3Uri' });
  }
  return { bucket: m[1], key: m[2] ?? '' };
}

/**
 * {@link FhirStore} on AWS HealthLake.
 *
 * @example
 * ```ts
 * const store = new AwsFhirStore({ healthlake: new HealthLakeClient({ region }), s3: new S3Client({ region }), s3Uri, roleArn });
 * const ds = await store.waitForDatastoreActive((await store.createDatastore({ name: 'demo' })).DatastoreId);
 * ```
 */
export class AwsFhirStore implements FhirStore {
  /** Backend tag. */
  readonly backend = 'aws' as const;
  private readonly options: AwsFhirStoreOptions;
  private readonly waiter: WaiterSettings;
  private rest: Promise<HealthLakeFhirRest> | undefined;

  /**
   * @param options - clients, S3 prefix, role
   */
  constructor(options: AwsFhirStoreOptions) {
    this.options = { ...options, s3Uri: options.s3Uri.replace(/\/*$/, '/') };
    splitS3(this.options.s3Uri);
    // Datastore creation can take ~30 min; import jobs are polled every 30 s.
    this.waiter = {
      defaultPollMs: { datastore: 60_000, job: 30_000 },
      progress: options.progress ?? silentProgress,
      progressLabel: 'import clinical (HealthLake)',
      jobNoun: 'HealthLake job',
      datastoreTimeoutAdvice: 'HealthLake can take ~30 min to create a datastore — wait again',
      jobTimeoutAdvice: () => '; it keeps running — wait again',
    };
  }

  /** @inheritdoc */
  async createDatastore(input: CreateDatastoreInput): Promise<DatastoreProperties> {
    try {
      const out = await this.options.healthlake.send(new CreateFHIRDatastoreCommand({ DatastoreName: input.name, DatastoreTypeVersion: input.fhirVersion ?? 'R4' }));
      return {
        DatastoreId: out.DatastoreId ?? '',
        DatastoreArn: out.DatastoreArn ?? '',
        DatastoreName: input.name,
        DatastoreStatus: out.DatastoreStatus ?? 'CREATING',
        DatastoreTypeVersion: 'R4',
        DatastoreEndpoint: out.DatastoreEndpoint ?? '',
        CreatedAt: new Date(),
      };
    } catch (e) {
      throw mapError('createDatastore', e);
    }
  }

  /** @inheritdoc */
  async describeDatastore(datastoreId: string): Promise<DatastoreProperties> {
    try {
      const out = await this.options.healthlake.send(new DescribeFHIRDatastoreCommand({ DatastoreId: datastoreId }));
      return toDatastore(out.DatastoreProperties);
    } catch (e) {
      throw mapError('describeDatastore', e);
    }
  }

  /** @inheritdoc */
  async listDatastores(): Promise<DatastoreProperties[]> {
    const all: DatastoreProperties[] = [];
    let token: string | undefined;
    try {
      do {
        const out = await this.options.healthlake.send(new ListFHIRDatastoresCommand({ ...(token === undefined ? {} : { NextToken: token }) }));
        all.push(...(out.DatastorePropertiesList ?? []).map(toDatastore));
        token = out.NextToken;
      } while (token !== undefined);
    } catch (e) {
      throw mapError('listDatastores', e);
    }
    return all;
  }

  /** @inheritdoc */
  waitForDatastoreActive(datastoreId: string, options: WaitOptions = {}): Promise<DatastoreProperties> {
    return waitForDatastoreActive(this, datastoreId, options, this.waiter);
  }

  private async upload(inputDir: string): Promise<string> {
    const s3 = this.options.s3;
    if (s3 === undefined) {
      throw new HealthDataError('invalid-config', 'startImportJob: uploading a local inputDir needs an S3 client; pass s3, or pass inputS3Uri');
    }
    const files = fs.existsSync(inputDir)
      ? fs
          .readdirSync(inputDir)
          .filter((f) => f.endsWith('.ndjson'))
          .sort()
      : [];
    if (files.length === 0) {
      throw new HealthDataError('not-found', `startImportJob: input folder ${inputDir} holds no .ndjson file`, { path: 'inputDir' });
    }
    const digests = new Map<string, string>();
    for (const f of files) {
      digests.set(f, await sha256File(path.join(inputDir, f)));
    }
    const setDigest = crypto
      .createHash('sha256')
      .update(files.map((f) => `${f}:${digests.get(f) ?? ''}`).join('\n'))
      .digest('hex')
      .slice(0, 32);
    const prefix = `${this.options.s3Uri}clinical-input/${setDigest}/`;
    const task = (this.options.progress ?? silentProgress).start(`upload clinical NDJSON to ${prefix}`, files.length);
    for (const f of files) {
      const local = path.join(inputDir, f);
      const uri = joinS3(prefix, f);
      // Same content → same prefix: skip objects already uploaded whole.
      if ((await headSize(s3, uri)) !== fs.statSync(local).size) {
        await uploadFile(s3, local, uri, { contentType: 'application/fhir+ndjson' });
      }
      task.tick();
    }
    task.finish(`${String(files.length)} files`);
    return prefix;
  }

  /**
   * The import job still running on a datastore (SUBMITTED, QUEUED or IN_PROGRESS), if any (ListFHIRImportJobs,
   * every page).
   *
   * @param datastoreId - the datastore
   * @returns the running job's id, or undefined
   */
  async runningImportJob(datastoreId: string): Promise<string | undefined> {
    let token: string | undefined;
    try {
      do {
        const out = await this.options.healthlake.send(new ListFHIRImportJobsCommand({ DatastoreId: datastoreId, ...(token === undefined ? {} : { NextToken: token }) }));
        const running = (out.ImportJobPropertiesList ?? []).find((j) => j.JobStatus === 'SUBMITTED' || j.JobStatus === 'QUEUED' || j.JobStatus === 'IN_PROGRESS');
        if (running?.JobId !== undefined) {
          return running.JobId;
        }
        token = out.NextToken;
      } while (token !== undefined);
    } catch (e) {
      throw mapError('startImportJob', e);
    }
    return undefined;
  }

  /** @inheritdoc */
  async startImportJob(input: StartImportJobInput): Promise<StartImportJobOutput> {
    if (this.options.roleArn === undefined) {
      throw new HealthDataError('invalid-config', 'startImportJob: HealthLake needs a DataAccessRoleArn; set MMH_ROLE_ARN to a role that can read the input and write the output', {
        path: 'aws.roleArn',
      });
    }
    const jobName = input.jobName ?? `mmh-import-${Date.now()}`;
    const inputUri = input.inputS3Uri ?? (input.inputDir === undefined ? undefined : await this.upload(input.inputDir));
    if (inputUri === undefined) {
      throw new HealthDataError('invalid-input', 'startImportJob: pass inputS3Uri (s3://…/) or inputDir', { path: 'inputS3Uri' });
    }
    // One import job per datastore at a time: wait for the running one (its own result is its caller's to read).
    const running = await this.runningImportJob(input.datastoreId);
    if (running !== undefined) {
      try {
        await this.waitForImportJob(input.datastoreId, running, { ...(this.options.queuePollMs === undefined ? {} : { pollMs: this.options.queuePollMs }) });
      } catch (e) {
        // A running job that ended FAILED frees the datastore just the same; a timeout does not.
        if (!(e instanceof HealthDataError && e.code === 'backend')) {
          throw e;
        }
      }
    }
    try {
      const out = await this.options.healthlake.send(
        new StartFHIRImportJobCommand({
          JobName: jobName,
          DatastoreId: input.datastoreId,
          InputDataConfig: { S3Uri: inputUri },
          JobOutputDataConfig: { S3Configuration: { S3Uri: input.outputUri ?? `${this.options.s3Uri}healthlake-import/`, KmsKeyId: this.options.kmsKeyId ?? 'alias/aws/s3' } },
          DataAccessRoleArn: this.options.roleArn,
          ValidationLevel: input.validationLevel ?? 'structure-only',
        }),
      );
      return { JobId: out.JobId ?? '', JobStatus: out.JobStatus ?? 'SUBMITTED', DatastoreId: out.DatastoreId ?? input.datastoreId };
    } catch (e) {
      throw mapError('startImportJob', e);
    }
  }

  /** @inheritdoc */
  async describeImportJob(datastoreId: string, jobId: string): Promise<ImportJobProperties> {
    try {
      const out = await this.options.healthlake.send(new DescribeFHIRImportJobCommand({ DatastoreId: datastoreId, JobId: jobId }));
      return toJob(out.ImportJobProperties);
    } catch (e) {
      throw mapError('describeImportJob', e);
    }
  }

  /** @inheritdoc */
  waitForImportJob(datastoreId: string, jobId: string, options: WaitOptions = {}): Promise<ImportJobProperties> {
    return waitForImportJob(this, datastoreId, jobId, options, this.waiter);
  }

  private fhirRest(): Promise<HealthLakeFhirRest> {
    this.rest ??= (async () => {
      const region = this.options.region ?? (await this.options.healthlake.config.region());
      return new HealthLakeFhirRest({
        region,
        ...(this.options.credentials === undefined ? {} : { credentials: this.options.credentials }),
        ...(this.options.fetch === undefined ? {} : { fetch: this.options.fetch }),
        ...(this.options.fhirEndpoint === undefined ? {} : { endpoint: this.options.fhirEndpoint }),
      });
    })();
    return this.rest;
  }

  /** @inheritdoc */
  async read(datastoreId: string, resourceType: string, id: string): Promise<Record<string, unknown>> {
    return (await this.fhirRest()).read(datastoreId, resourceType, id);
  }

  /** @inheritdoc */
  async search(datastoreId: string, resourceType: string, params: FhirSearchParams = {}): Promise<SearchBundle> {
    return (await this.fhirRest()).search(datastoreId, resourceType, params);
  }

  /**
   * Follows a searchset `next` link (HealthLake's own paging token).
   *
   * @param url - the `link[relation=next].url` of a previous page
   * @returns the next page
   */
  async searchNext(url: string): Promise<SearchBundle> {
    return (await this.fhirRest()).searchNext(url);
  }
}
