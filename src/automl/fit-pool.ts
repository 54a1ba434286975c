/**
 * A small pool of worker threads that run the predictor's fit tasks (`fit-task.ts`) in parallel: one model kind on
 * one bagging split per task, so a 5-fold `medium` fit of five kinds is 25 independent tasks spread over the cores.
 * Workers start on first use, are shared by every predictor of the process, and do not keep the process alive while
 * idle (they are unreferenced between tasks). Results come back by task id, so their order — and so the fitted
 * predictor — never depends on which worker finished first.
 */
import * as os from 'node:os';
import * as path from 'node:path';
import { Worker } from 'node:worker_threads';
import type { HealthDataErrorCode } from '../errors';
import { HealthDataError } from '../errors';
import type { FitCandidate, FitTask, FitTaskReply } from './fit-task';
import type { FitWorkerRequest } from './fit-worker';
import type { ModelState } from './models/model';

/** What a pooled task returns: the candidates' states and probabilities, or that the time budget was spent first. */
export type PooledResult = { readonly candidates: readonly FitCandidate<ModelState>[] } | { readonly skipped: true };

interface Pending {
  readonly resolve: (r: PooledResult) => void;
  readonly reject: (e: Error) => void;
}

/**
 * The default number of fit threads: the machine's available parallelism (at least 1).
 *
 * @returns the thread count
 */
export function defaultFitThreads(): number {
  return Math.max(1, os.availableParallelism());
}

/** A pool of fit workers. */
export class FitWorkerPool {
  private readonly idle: Worker[] = [];
  private readonly all: Worker[] = [];
  private readonly queue: { request: FitWorkerRequest; pending: Pending }[] = [];
  private readonly running = new Map<number, Pending>();
  private readonly busy = new Map<Worker, number>();
  private nextId = 1;

  /**
   * @param threads - number of workers (≥ 1)
   * @throws {@link HealthDataError} (invalid-input) for fewer than one thread
   */
  constructor(readonly threads: number) {
    if (!Number.isInteger(threads) || threads < 1) {
      throw new HealthDataError('invalid-input', `FitWorkerPool: threads must be a positive integer, got ${String(threads)}`, { path: 'threads' });
    }
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
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.queue.push({ request: { id, task, mustRun, ...(deadline === undefined ? {} : { deadline }) }, pending: { resolve, reject } });
      this.pump();
    });
  }

  /** Stops the workers; queued and running tasks are rejected. */
  async close(): Promise<void> {
    const e = new HealthDataError('cancelled', 'FitWorkerPool closed');
    for (const q of this.queue) {
      q.pending.reject(e);
    }
    this.queue.length = 0;
    for (const p of this.running.values()) {
      p.reject(e);
    }
    this.running.clear();
    this.busy.clear();
    const workers = this.all.splice(0);
    this.idle.length = 0;
    await Promise.all(workers.map((w) => w.terminate()));
  }

  private spawn(): Worker {
    const ext = path.extname(__filename);
    const file = path.join(__dirname, `fit-worker${ext}`);
    const w = ext === '.ts' ? new Worker(`require(${JSON.stringify(require.resolve('tsx/cjs'))}); require(${JSON.stringify(file)});`, { eval: true, execArgv: [] }) : new Worker(file);
    w.on('message', (m: FitTaskReply) => {
      const job = this.running.get(m.id);
      this.running.delete(m.id);
      this.busy.delete(w);
      if ('error' in m) {
        job?.reject(new HealthDataError((m.code ?? 'backend') as HealthDataErrorCode, m.error));
      } else {
        job?.resolve('skipped' in m ? { skipped: true } : { candidates: m.candidates });
      }
      w.unref();
      this.idle.push(w);
      this.pump();
    });
    w.on('error', (err: Error) => {
      // A crashed worker fails the task it held; the pool starts a replacement for the next task.
      this.remove(w);
      const id = this.busy.get(w);
      this.busy.delete(w);
      const job = id === undefined ? undefined : this.running.get(id);
      if (id !== undefined) {
        this.running.delete(id);
      }
      job?.reject(new HealthDataError('backend', `automl fit worker stopped: ${err.message}`, { cause: err }));
      this.pump();
    });
    this.all.push(w);
    return w;
  }

  private remove(w: Worker): void {
    const a = this.all.indexOf(w);
    if (a >= 0) {
      this.all.splice(a, 1);
    }
    const b = this.idle.indexOf(w);
    if (b >= 0) {
      this.idle.splice(b, 1);
    }
  }

  private pump(): void {
    while (this.queue.length > 0) {
      let w = this.idle.pop();
      if (w === undefined && this.all.length < this.threads) {
        w = this.spawn();
      }
      if (w === undefined) {
        return;
      }
      const next = this.queue.shift();
      if (next === undefined) {
        this.idle.push(w);
        return;
      }
      this.running.set(next.request.id, next.pending);
      this.busy.set(w, next.request.id);
      w.ref();
      w.postMessage(next.request);
    }
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
