/**
 * The two HealthLake waiters, derived from the store primitives (`describeDatastore`, `describeImportJob`) so the
 * local and AWS stores share one polling loop and differ only in their settings.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { HealthDataError } from '../errors';
import type { ProgressReporter } from '../progress';
import type { DatastoreProperties, FhirStore, ImportJobProperties, WaitOptions } from './fhir-store';
import { TERMINAL_IMPORT_STATUSES } from './fhir-store';

/** What differs between the backends' waiters. */
export interface WaiterSettings {
  /** Poll intervals when the caller gives none (ms), for datastore and import-job waits. */
  readonly defaultPollMs: { readonly datastore: number; readonly job: number };
  /** Progress reporter when the caller gives none. */
  readonly progress: ProgressReporter;
  /** Progress label of the import wait. */
  readonly progressLabel: string;
  /** How messages name an import job (e.g. `HealthLake job`). */
  readonly jobNoun: string;
  /** Advice when a datastore is still not ACTIVE at the deadline. */
  readonly datastoreTimeoutAdvice: string;
  /**
   * Advice when an import job is still running at the deadline.
   *
   * @param maxWaitMs - the wait that ran out
   * @returns the text after the job status
   */
  readonly jobTimeoutAdvice: (maxWaitMs: number) => string;
  /** Note the progress line ends with when a job completes (none when omitted). */
  readonly completedNote?: (job: ImportJobProperties) => string;
  /**
   * Pauses between polls; may return early (the local store wakes when its job settles).
   *
   * @param ms - the poll interval
   * @param jobId - the job waited for, if any
   */
  readonly pause?: (ms: number, jobId?: string) => Promise<unknown>;
}

const DEFAULT_MAX_WAIT_MS = 30 * 60_000;

/**
 * Polls a datastore until it is ACTIVE (`waitUntilFHIRDatastoreActive`: CREATE_FAILED and DELETED fail).
 *
 * @param store - the store to poll
 * @param datastoreId - the id
 * @param options - timeout and poll interval
 * @param settings - the backend's defaults and wording
 * @returns the final properties
 * @throws {@link HealthDataError} (backend) when the datastore failed or was deleted; (timeout) past the wait
 */
export async function waitForDatastoreActive(store: Pick<FhirStore, 'describeDatastore'>, datastoreId: string, options: WaitOptions, settings: WaiterSettings): Promise<DatastoreProperties> {
  const deadline = Date.now() + (options.maxWaitMs ?? DEFAULT_MAX_WAIT_MS);
  const pause = settings.pause ?? ((ms: number) => sleep(ms));
  for (;;) {
    const d = await store.describeDatastore(datastoreId);
    if (d.DatastoreStatus === 'ACTIVE') {
      return d;
    }
    if (d.DatastoreStatus === 'CREATE_FAILED' || d.DatastoreStatus === 'DELETED') {
      throw new HealthDataError('backend', `waitForDatastoreActive: datastore ${datastoreId} is ${d.DatastoreStatus}; create a new one`);
    }
    if (Date.now() > deadline) {
      throw new HealthDataError('timeout', `waitForDatastoreActive: datastore ${datastoreId} still ${d.DatastoreStatus}; ${settings.datastoreTimeoutAdvice}`);
    }
    await pause(options.pollMs ?? settings.defaultPollMs.datastore);
  }
}

/**
 * Polls an import job until it ends (`waitUntilFHIRImportJobCompleted`: COMPLETED and COMPLETED_WITH_ERRORS
 * succeed; FAILED and the cancel states fail), reporting resources scanned as progress.
 *
 * @param store - the store to poll
 * @param datastoreId - the datastore
 * @param jobId - the job
 * @param options - timeout, poll interval, progress
 * @param settings - the backend's defaults and wording
 * @returns the final job properties
 * @throws {@link HealthDataError} (backend) when the job failed; (timeout) past the wait (the job keeps running)
 */
export async function waitForImportJob(store: Pick<FhirStore, 'describeImportJob'>, datastoreId: string, jobId: string, options: WaitOptions, settings: WaiterSettings): Promise<ImportJobProperties> {
  const maxWaitMs = options.maxWaitMs ?? DEFAULT_MAX_WAIT_MS;
  const deadline = Date.now() + maxWaitMs;
  const pause = settings.pause ?? ((ms: number) => sleep(ms));
  const task = (options.progress ?? settings.progress).start(settings.progressLabel, 0);
  try {
    for (;;) {
      const job = await store.describeImportJob(datastoreId, jobId);
      task.update(job.JobProgressReport?.TotalNumberOfResourcesScanned ?? 0);
      if (TERMINAL_IMPORT_STATUSES.includes(job.JobStatus)) {
        if (job.JobStatus === 'COMPLETED' || job.JobStatus === 'COMPLETED_WITH_ERRORS') {
          if (settings.completedNote !== undefined) {
            task.finish(settings.completedNote(job));
          }
          return job;
        }
        throw new HealthDataError('backend', `waitForImportJob: ${settings.jobNoun} ${jobId} ended ${job.JobStatus}: ${job.Message ?? 'no message'}`);
      }
      if (Date.now() > deadline) {
        throw new HealthDataError('timeout', `waitForImportJob: job ${jobId} still ${job.JobStatus}${settings.jobTimeoutAdvice(maxWaitMs)}`);
      }
      await pause(options.pollMs ?? settings.defaultPollMs.job, jobId);
    }
  } finally {
    task.finish();
  }
}
