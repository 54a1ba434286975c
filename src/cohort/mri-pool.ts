/**
 * A pool of worker threads writing MRI studies ({@link MriModuleContract.writeMriStudy}) for the generator, so the
 * MRIs of a large cohort (a 256×256×256 volume costs ≈ 1.3 CPU-seconds) use every core while the main thread writes
 * the FHIR bundles. The bytes are those of an in-process call (each study is seeded on its own); the generator writes
 * them as each comes back, so only the order of file creation differs. Built on the library's one worker pool
 * (`util/worker-pool.ts`), as the dashboard's MRI pool is.
 */
import * as path from 'node:path';
import { HealthDataError } from '../errors';
import { WorkerPool } from '../util/worker-pool';
import type { MriStudySpecContract } from './mri-bridge';

/** Worker threads that write MRI studies. */
export class MriWriterPool {
  private readonly pool: WorkerPool<MriStudySpecContract, Uint8Array>;

  /**
   * Starts the workers.
   *
   * @param size - number of worker threads (≥ 1)
   */
  constructor(readonly size: number) {
    this.pool = new WorkerPool({
      entry: path.join(__dirname, 'mri-pool-worker'),
      size,
      name: 'generateCohort: MRI pool',
      taskError: (message) => new HealthDataError('backend', `generateCohort: MRI worker failed: ${message}`),
    });
  }

  /** Studies submitted and not yet answered. */
  get pending(): number {
    return this.pool.pending;
  }

  /**
   * Writes one study in a worker.
   *
   * @param spec - the study
   * @returns the DICOM Part 10 bytes
   */
  write(spec: MriStudySpecContract): Promise<Uint8Array> {
    return this.pool.run(spec);
  }

  /** Stops the workers (pending studies are rejected). */
  close(): Promise<void> {
    return this.pool.close();
  }
}
