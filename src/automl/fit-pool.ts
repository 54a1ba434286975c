/**
 * A small pool of worker threads that run the predictor's fit tasks (`fit-task.ts`) in parallel: one model kind on
 * one bagging split per task, so a 5-fold `medium` fit of five kinds is 25 independent tasks spread over the cores.
 * Workers start on first use, are shared by every predictor of the process, and do not keep the process alive while
 * idle (they are unreferenced between tasks). Results come back by task id, so their order — and so the fitted
 * predictor — never depends on which worker finished first.
 */
import * as os from 'node:os';
import * as path from 'node:path';
import { HealthDataError } from '../errors';
import { WorkerPool } from '../util/worker-pool';
import type { FitTask, FitWorkerRequest, PooledResult } from './fit-task';

export type { PooledResult } from './fit-task';

/**
 * The default number of fit threads: the machine's available parallelism (at least 1).
 *
 * @returns the thread count
 */
export function defaultFitThreads(): number {
  return Math.max(1, os.availableParallelism());
}

/**
 * A pool of fit workers, on the generic {@link WorkerPool} (`src/util/worker-pool.ts`): started lazily, unreferenced
 * while idle, a crashed worker fails only the task it held and is replaced.
 */
export class FitWorkerPool {
  private readonly pool: WorkerPool<FitWorkerRequest, PooledResult>;

  /**
   * @param threads - number of workers (≥ 1)
   * @throws {@link HealthDataError} (invalid-input) for fewer than one thread
   */
  constructor(readonly threads: number) {
    if (!Number.isInteger(threads) || threads < 1) {
      throw new HealthDataError('invalid-input', `FitWorkerPool: threads must be a positive integer, got ${String(threads)}`, { path: 'threads' });
    }
    this.pool = new WorkerPool({ entry: path.join(__dirname, 'fit-worker'), size: threads, name: 'automl fit worker', lazy: true, onCrash: 'replace' });
  }

  /**
   * Runs one task in a worker.
   *
   * @param task - the task
   * @param deadline - wall-clock deadline (ms since the epoch) of the time budget, if any
   * @param mustRun - run even past the deadline
   * @returns the candidates, or `{ skipped: true }`
   */
  run(task: FitTask, deadline: number | undefined, mustRun: boolean): Promise<PooledResult> {
    return this.pool.run({ task, mustRun, ...(deadline === undefined ? {} : { deadline }) });
  }

  /** Stops the workers; queued and running tasks are rejected. */
  close(): Promise<void> {
    return this.pool.close();
  }
}

const shared = new Map<number, FitWorkerPool>();

/**
 * The process-wide fit pool with the given number of threads (one pool per count; idle workers never keep the
 * process alive).
 *
 * @param threads - worker threads
 * @returns the pool
 */
export function sharedFitPool(threads: number): FitWorkerPool {
  let pool = shared.get(threads);
  if (pool === undefined) {
    pool = new FitWorkerPool(threads);
    shared.set(threads, pool);
  }
  return pool;
}
