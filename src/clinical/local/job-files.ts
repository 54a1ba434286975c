/**
 * The on-disk record of a local import job, in HealthLake's output layout (docs/aws-semantics.md §2):
 * `<outputDir>/<datastoreId>-FHIR_IMPORT-<jobId>/` holding `manifest.json` (HealthLake's field names),
 * `SUCCESS/<input file>` and `FAILURE/<input file>` (one JSON line per resource), and `job.json` — the job's
 * `DescribeFHIRImportJob` properties, rewritten atomically as the job advances.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { ImportJobProperties } from '../fhir-store';

/** HealthLake's import `manifest.json`. */
export interface ImportManifest {
  /** Input location. */
  readonly inputDataConfig: { readonly s3Uri: string };
  /** Output location. */
  readonly outputDataConfig: { readonly s3Uri: string; readonly encryptionKeyID?: string };
  /** Where the success files are. */
  readonly successOutput: { readonly successOutputS3Uri: string };
  /** Where the failure files are. */
  readonly failureOutput: { readonly failureOutputS3Uri: string };
  /** Input files scanned. */
  readonly numberOfScannedFiles: number;
  /** Files with at least one imported resource. */
  readonly numberOfFilesImported: number;
  /** MB scanned. */
  readonly sizeOfScannedFilesInMB: number;
  /** MB of the lines imported. */
  readonly sizeOfDataImportedSuccessfullyInMB: number;
  /** Lines scanned. */
  readonly numberOfResourcesScanned: number;
  /** Resources imported. */
  readonly numberOfResourcesImportedSuccessfully: number;
  /** Resources rejected for an input problem. */
  readonly numberOfResourcesWithCustomerError: number;
  /** Resources rejected for a store problem. */
  readonly numberOfResourcesWithServerError: number;
}

/** One line of a FAILURE file. */
export interface ImportFailureLine {
  /** Input file name. */
  readonly file: string;
  /** 1-based line number. */
  readonly line: number;
  /** Resource type, when the line parsed far enough. */
  readonly resourceType: string | null;
  /** Resource id, when present. */
  readonly id: string | null;
  /** Why it was rejected. */
  readonly reason: string;
}

/** One line of a SUCCESS file. */
export interface ImportSuccessLine {
  /** Input file name. */
  readonly file: string;
  /** 1-based line number. */
  readonly line: number;
  /** Resource type. */
  readonly resourceType: string;
  /** Resource id. */
  readonly id: string;
  /** `created`, `updated` (content changed: versionId bumped) or `unchanged`. */
  readonly outcome: 'created' | 'updated' | 'unchanged';
}

/**
 * The output folder of a job.
 *
 * @param outputDir - the job output root (`<workspace>/jobs` by default)
 * @param datastoreId - the datastore
 * @param jobId - the job
 * @returns `<outputDir>/<datastoreId>-FHIR_IMPORT-<jobId>`
 */
export function importJobFolder(outputDir: string, datastoreId: string, jobId: string): string {
  return path.join(outputDir, `${datastoreId}-FHIR_IMPORT-${jobId}`);
}

/** What `job.json` holds: the job properties plus the owning process, to detect interrupted jobs. */
export interface StoredJob extends Omit<ImportJobProperties, 'SubmitTime' | 'EndTime'> {
  /** ISO submit time. */
  readonly SubmitTime: string;
  /** ISO end time. */
  readonly EndTime?: string;
  /** Process running the job. */
  readonly pid: number;
}

/**
 * Writes a JSON file atomically (write a temp file, then rename), so readers never see half a file.
 *
 * @param file - target path
 * @param value - the JSON value
 */
export function writeJsonAtomic(file: string, value: unknown): void {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  const tmp = `${file}.${process.pid}.tmp`;
  fs.writeFileSync(tmp, `${JSON.stringify(value, null, 2)}\n`);
  fs.renameSync(tmp, file);
}

/**
 * Tells whether a process is alive (signal 0 probes without sending anything).
 *
 * @param pid - process id
 * @returns false when no such process exists
 */
export function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as { code?: string }).code === 'EPERM';
  }
}

/**
 * Turns a stored job into `DescribeFHIRImportJob` properties; a job whose process died while it ran is reported
 * as FAILED ("interrupted"), which is what HealthLake reports for a job it could not finish.
 *
 * @param stored - the parsed `job.json`
 * @returns the properties
 */
export function toJobProperties(stored: StoredJob): ImportJobProperties {
  const { pid, SubmitTime, EndTime, ...rest } = stored;
  const running = stored.JobStatus === 'SUBMITTED' || stored.JobStatus === 'QUEUED' || stored.JobStatus === 'IN_PROGRESS';
  if (running && !processAlive(pid)) {
    return {
      ...rest,
      JobStatus: 'FAILED',
      SubmitTime: new Date(SubmitTime),
      Message: `interrupted: process ${pid} stopped while the job was ${stored.JobStatus}; resources committed before the stop are readable — start the import again (it is idempotent)`,
    };
  }
  return { ...rest, SubmitTime: new Date(SubmitTime), ...(EndTime === undefined ? {} : { EndTime: new Date(EndTime) }) };
}

/**
 * Reads a job file and, when its process died while the job ran, records the end the reader sees: `job.json`
 * becomes FAILED ("interrupted", with the end time) and the job's `.scratch/` staging is removed, so a killed job
 * neither stays IN_PROGRESS on disk nor leaves its staging files behind.
 *
 * @param jobFile - the job's `job.json`
 * @returns the stored job as it now stands
 */
export function settleJobFile(jobFile: string): StoredJob {
  return settleStoredJob(jobFile, JSON.parse(fs.readFileSync(jobFile, 'utf8')) as StoredJob);
}

/** {@link settleJobFile} on a job already read: returns `stored` itself when it needed no change. */
function settleStoredJob(jobFile: string, stored: StoredJob): StoredJob {
  const props = toJobProperties(stored);
  if (props.JobStatus !== 'FAILED' || stored.JobStatus === 'FAILED') {
    return stored;
  }
  const settled: StoredJob = { ...stored, JobStatus: 'FAILED', EndTime: new Date().toISOString(), ...(props.Message === undefined ? {} : { Message: props.Message }) };
  writeJsonAtomic(jobFile, settled);
  fs.rmSync(path.join(path.dirname(jobFile), '.scratch'), { recursive: true, force: true });
  return settled;
}

/**
 * Settles every interrupted import job of a datastore under a jobs folder (see {@link settleJobFile}).
 *
 * @param jobsDir - the jobs folder
 * @param datastoreId - the datastore
 * @returns how many jobs were settled
 */
export function settleInterruptedJobs(jobsDir: string, datastoreId: string): number {
  if (!fs.existsSync(jobsDir)) {
    return 0;
  }
  let n = 0;
  const prefix = `${datastoreId}-FHIR_IMPORT-`;
  for (const name of fs.readdirSync(jobsDir)) {
    const file = path.join(jobsDir, name, 'job.json');
    if (name.startsWith(prefix) && fs.existsSync(file)) {
      const stored = JSON.parse(fs.readFileSync(file, 'utf8')) as StoredJob;
      n += settleStoredJob(file, stored) === stored ? 0 : 1;
    }
  }
  return n;
}
