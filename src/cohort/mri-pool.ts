/**
 * A pool of worker threads writing MRI studies ({@link MriModuleContract.writeMriStudy}) for the generator, so the
 * MRIs of a large cohort (a 256×256×256 volume costs ≈ 1.3 CPU-seconds) use every core while the main thread writes
 * the FHIR bundles. The bytes are those of an in-process call (each study is seeded on its own); the generator writes
 * them as each comes back, so only the order of file creation differs. Works from `dist/` and under tsx (a `.ts`
 * worker registers `tsx/cjs` first), as the dashboard's MRI pool does.
 */
import * as path from 'node:path';
import { Worker } from 'node:worker_threads';
import { HealthDataError } from '../errors';
import type { MriStudySpecContract } from './mri-bridge';

/** A request to a worker (internal). */
export interface MriPoolTask {
  /** Task id. */
  readonly id: number;
  /** The study. */
  readonly spec: MriStudySpecContract;
}

/** A worker's answer (internal). */
export type MriPoolReply = { readonly id: number; readonly bytes: Uint8Array } | { readonly id: number; readonly error: string };

/** Worker threads that write MRI studies. */
export class MriWriterPool {
  private readonly idle: Worker[] = [];
  private readonly all: Worker[] = [];
  private readonly queue: MriPoolTask[] = [];
  private readonly waiting = new Map<number, { resolve: (b: Uint8Array) => void; reject: (e: Error) => void }>();
  private nextId = 1;
  private failure: Error | undefined;

  /**
   * Starts the workers.
   *
   * @param size - number of worker threads (≥ 1)
   */
  constructor(readonly size: number) {
    const ext = path.extname(__filename);
    const file = path.join(__dirname, `mri-pool-worker${ext}`);
    for (let i = 0; i < size; i++) {
      const w = ext === '.ts' ? new Worker(`require(${JSON.stringify(require.resolve('tsx/cjs'))}); require(${JSON.stringify(file)});`, { eval: true, execArgv: [] }) : new Worker(file);
      w.on('message', (m: MriPoolReply) => {
        const job = this.waiting.get(m.id);
        this.waiting.delete(m.id);
        if ('error' in m) {
          job?.reject(new HealthDataError('backend', `generateCohort: MRI worker failed: ${m.error}`));
        } else {
          job?.resolve(m.bytes);
        }
        this.idle.push(w);
        this.pump();
      });
      w.on('error', (e: Error) => {
        this.fail(new HealthDataError('backend', `generateCohort: MRI worker stopped: ${e.message}`, { cause: e }));
      });
      this.all.push(w);
      this.idle.push(w);
    }
  }

  /** Studies submitted and not yet answered. */
  get pending(): number {
    return this.waiting.size;
  }

  /**
   * Writes one study in a worker.
   *
   * @param spec - the study
   * @returns the DICOM Part 10 bytes
   */
  write(spec: MriStudySpecContract): Promise<Uint8Array> {
    if (this.failure !== undefined) {
      return Promise.reject(this.failure);
    }
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.waiting.set(id, { resolve, reject });
      this.queue.push({ id, spec });
      this.pump();
    });
  }

  /** Stops the workers (pending studies are rejected). */
  async close(): Promise<void> {
    this.fail(new HealthDataError('cancelled', 'generateCohort: MRI pool closed'));
    await Promise.all(this.all.map((w) => w.terminate()));
  }

  private pump(): void {
    while (this.idle.length > 0 && this.queue.length > 0) {
      const w = this.idle.pop();
      const next = this.queue.shift();
      if (w === undefined || next === undefined) {
        return;
      }
      w.postMessage(next);
    }
  }

  private fail(e: Error): void {
    this.failure ??= e;
    for (const job of this.waiting.values()) {
      job.reject(e);
    }
    this.waiting.clear();
    this.queue.length = 0;
  }
}
