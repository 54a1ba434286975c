/**
 * The FHIR datastore interface, mirroring AWS HealthLake (docs/aws-semantics.md §2): datastores, asynchronous NDJSON
 * import jobs with HealthLake's statuses and output manifests, waiters, `read` and `search`. Field names follow the
 * HealthLake API (`DatastoreId`, `JobStatus`, `JobProgressReport`…) so code and notebooks read the same on both
 * backends. The local backend (DuckDB) is the reference the contract tests define; the AWS backend calls HealthLake.
 */
import type { FhirValidationLevel } from '../formats/fhir/validate';
import type { ProgressReporter } from '../progress';

/** HealthLake `DatastoreStatus`. */
export type DatastoreStatus = 'CREATING' | 'ACTIVE' | 'DELETING' | 'DELETED' | 'CREATE_FAILED';

/** HealthLake import `JobStatus`. */
export type ImportJobStatus =
  'SUBMITTED' | 'QUEUED' | 'IN_PROGRESS' | 'COMPLETED_WITH_ERRORS' | 'COMPLETED' | 'FAILED' | 'CANCEL_SUBMITTED' | 'CANCEL_IN_PROGRESS' | 'CANCEL_COMPLETED' | 'CANCEL_FAILED';

/** Job statuses after which a job no longer changes. */
export const TERMINAL_IMPORT_STATUSES: readonly ImportJobStatus[] = ['COMPLETED', 'COMPLETED_WITH_ERRORS', 'FAILED', 'CANCEL_COMPLETED', 'CANCEL_FAILED'];

/** A datastore, as `DescribeFHIRDatastore` returns it. */
export interface DatastoreProperties {
  /** Datastore id (32 hex characters on HealthLake). */
  readonly DatastoreId: string;
  /** ARN (a synthetic `arn:local:…` one locally). */
  readonly DatastoreArn: string;
  /** User-chosen name. */
  readonly DatastoreName: string;
  /** Lifecycle status. */
  readonly DatastoreStatus: DatastoreStatus;
  /** Always `R4`. */
  readonly DatastoreTypeVersion: 'R4';
  /** FHIR REST base URL (a `local://` URL locally). */
  readonly DatastoreEndpoint: string;
  /** When it was created. */
  readonly CreatedAt: Date;
}

/** `JobProgressReport` of `DescribeFHIRImportJob`. */
export interface JobProgressReport {
  /** Input files scanned. */
  readonly TotalNumberOfScannedFiles: number;
  /** Size of the scanned files in MB. */
  readonly TotalSizeOfScannedFilesInMB: number;
  /** Files that imported at least one resource. */
  readonly TotalNumberOfImportedFiles: number;
  /** Lines (resources) scanned. */
  readonly TotalNumberOfResourcesScanned: number;
  /** Resources imported (new, updated or unchanged). */
  readonly TotalNumberOfResourcesImported: number;
  /** Resources rejected for a problem in the input. */
  readonly TotalNumberOfResourcesWithCustomerError: number;
  /** Files with at least one rejected resource. */
  readonly TotalNumberOfFilesReadWithCustomerError: number;
  /** Resources per second. */
  readonly Throughput: number;
}

/** An import job, as `DescribeFHIRImportJob` returns it. */
export interface ImportJobProperties {
  /** Job id. */
  readonly JobId: string;
  /** Optional job name. */
  readonly JobName?: string;
  /** Status. */
  readonly JobStatus: ImportJobStatus;
  /** When it was submitted. */
  readonly SubmitTime: Date;
  /** When it ended (terminal statuses only). */
  readonly EndTime?: Date;
  /** Target datastore. */
  readonly DatastoreId: string;
  /** Input: an `s3://` prefix on AWS, a folder locally. */
  readonly InputDataConfig: { readonly S3Uri: string };
  /** Output location of the manifest and SUCCESS/FAILURE files. */
  readonly JobOutputDataConfig: { readonly S3Configuration: { readonly S3Uri: string } };
  /** Counts so far. */
  readonly JobProgressReport?: JobProgressReport;
  /** Validation level used. */
  readonly ValidationLevel?: FhirValidationLevel;
  /** Why a job failed, or a note. */
  readonly Message?: string;
}

/** Input of {@link FhirStore.createDatastore}. */
export interface CreateDatastoreInput {
  /** Datastore name. */
  readonly name: string;
  /** FHIR version; HealthLake supports only R4. */
  readonly fhirVersion?: 'R4';
}

/** Input of {@link FhirStore.startImportJob}. */
export interface StartImportJobInput {
  /** Target datastore id. */
  readonly datastoreId: string;
  /** Local folder of `*.ndjson` files (local backend). */
  readonly inputDir?: string;
  /** `s3://` prefix of `*.ndjson` files (AWS backend). */
  readonly inputS3Uri?: string;
  /** Output location; default `<workspace>/jobs/` locally, `<s3Uri>healthlake-import/` on AWS. */
  readonly outputUri?: string;
  /** Job name. */
  readonly jobName?: string;
  /** HealthLake validation level (default `structure-only`). */
  readonly validationLevel?: FhirValidationLevel;
}

/** What `StartFHIRImportJob` returns. */
export interface StartImportJobOutput {
  /** Job id. */
  readonly JobId: string;
  /** Initial status (`SUBMITTED`). */
  readonly JobStatus: ImportJobStatus;
  /** Target datastore. */
  readonly DatastoreId: string;
}

/** Waiter options. */
export interface WaitOptions {
  /** Give up after this many ms (default 30 minutes). */
  readonly maxWaitMs?: number;
  /** Poll interval in ms (default 1 s locally, 30 s on AWS, as HealthLake's waiter). */
  readonly pollMs?: number;
  /** Progress reporter (resources scanned). */
  readonly progress?: ProgressReporter;
}

/** FHIR search parameters: name (with optional `:modifier`) → value(s); repeated values are AND-ed. */
export type FhirSearchParams = Readonly<Record<string, string | number | readonly (string | number)[]>>;

/** A `searchset` Bundle. */
export interface SearchBundle {
  /** Always `Bundle`. */
  readonly resourceType: 'Bundle';
  /** Always `searchset`. */
  readonly type: 'searchset';
  /** Total matches across pages. */
  readonly total: number;
  /** `self` and, when more pages exist, `next`. */
  readonly link: readonly { readonly relation: 'self' | 'next'; readonly url: string }[];
  /** This page's matches. */
  readonly entry: readonly { readonly fullUrl: string; readonly resource: Record<string, unknown>; readonly search: { readonly mode: 'match' } }[];
}

/**
 * A FHIR R4 datastore service (HealthLake or its local twin).
 *
 * @example
 * ```ts
 * const ds = await ws.clinical.createDatastore({ name: 'demo', fhirVersion: 'R4' });
 * const job = await ws.clinical.startImportJob({ datastoreId: ds.DatastoreId, inputDir: 'dataset/clinical' });
 * const done = await ws.clinical.waitForImportJob(ds.DatastoreId, job.JobId);
 * const bundle = await ws.clinical.search(ds.DatastoreId, 'Condition', { code: 'http://snomed.info/sct|26929004' });
 * ```
 */
export interface FhirStore {
  /** `local` or `aws`. */
  readonly backend: 'local' | 'aws';
  /**
   * Creates a datastore (`CreateFHIRDatastore`).
   *
   * @param input - name and FHIR version
   * @returns its properties (status `CREATING` on AWS, `ACTIVE` locally)
   */
  createDatastore(input: CreateDatastoreInput): Promise<DatastoreProperties>;
  /**
   * Describes a datastore (`DescribeFHIRDatastore`).
   *
   * @param datastoreId - the id
   * @returns its properties
   */
  describeDatastore(datastoreId: string): Promise<DatastoreProperties>;
  /**
   * Lists datastores (`ListFHIRDatastores`).
   *
   * @returns all datastores
   */
  listDatastores(): Promise<DatastoreProperties[]>;
  /**
   * Waits until the datastore is ACTIVE (`waitUntilFHIRDatastoreActive`: CREATE_FAILED and DELETED fail).
   *
   * @param datastoreId - the id
   * @param options - timeout and poll interval
   * @returns the final properties
   */
  waitForDatastoreActive(datastoreId: string, options?: WaitOptions): Promise<DatastoreProperties>;
  /**
   * Starts an NDJSON import job (`StartFHIRImportJob`); returns at once with status `SUBMITTED`.
   *
   * @param input - datastore, input folder or S3 prefix, validation level
   * @returns job id and status
   */
  startImportJob(input: StartImportJobInput): Promise<StartImportJobOutput>;
  /**
   * Describes an import job (`DescribeFHIRImportJob`).
   *
   * @param datastoreId - the datastore
   * @param jobId - the job
   * @returns its properties and progress report
   */
  describeImportJob(datastoreId: string, jobId: string): Promise<ImportJobProperties>;
  /**
   * Waits for an import job (`waitUntilFHIRImportJobCompleted`): COMPLETED and COMPLETED_WITH_ERRORS succeed.
   *
   * @param datastoreId - the datastore
   * @param jobId - the job
   * @param options - timeout, poll interval, progress
   * @returns the final properties
   */
  waitForImportJob(datastoreId: string, jobId: string, options?: WaitOptions): Promise<ImportJobProperties>;
  /**
   * Reads one resource (`GET /{type}/{id}`).
   *
   * @param datastoreId - the datastore
   * @param resourceType - e.g. `Patient`
   * @param id - the resource id
   * @returns the resource with `meta.versionId` and `meta.lastUpdated`
   */
  read(datastoreId: string, resourceType: string, id: string): Promise<Record<string, unknown>>;
  /**
   * Searches (`GET /{type}?…`): `_id`, `subject`/`patient`, `code` (`system|code`), `date` (`ge`/`le`/`gt`/`lt`/`eq`
   * prefixes), `_count`, and the page cursor `_offset` from a `next` link.
   *
   * @param datastoreId - the datastore
   * @param resourceType - e.g. `Observation`
   * @param params - search parameters
   * @returns a searchset Bundle
   */
  search(datastoreId: string, resourceType: string, params?: FhirSearchParams): Promise<SearchBundle>;
}
