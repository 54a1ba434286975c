/**
 * A typed pool of worker threads: N workers, a queue, one task per worker at a time, each task's result by promise.
 * The main-thread side is {@link WorkerPool}; the worker entry calls {@link serveWorkerTasks}. The two speak a small
 * protocol: the pool posts `{ id, task }`, the worker answers `{ id, value }` or `{ id, error, code }`.
 *
 * Results are matched to tasks by id, so which worker finished first never changes what a caller receives: a caller
 * that awaits its promises in submission order (or uses {@link WorkerPool.map}) gets deterministic output.
 *
 * Works from the compiled `dist/` (plain `.js` entry) and from TypeScript sources under tsx (tests, bench): a `.ts`
 * entry first registers `tsx/cjs`. The entry is named without its extension; the pool adds the extension this
 * module itself was loaded with.
 *
 * A leaf module: it imports only Node and `../errors` (itself a leaf).
 */
import * as path from 'node:path';
import { parentPort, Worker } from 'node:worker_threads';
import { HealthDataError } from '../errors';
import type { HealthDataErrorCode } from '../errors';

/** What the pool posts to a worker. */
export interface WorkerTaskMessage<T> {
  /** Task id (unique within the pool). */
  readonly id: number;
  /** The task. */
  readonly task: T;
}

/** What a worker answers. */
export type WorkerReplyMessage<R> = { readonly id: number; readonly value: R } | { readonly id: number; readonly error: string; readonly code?: string };

/** Options of {@link WorkerPool}. */
export interface WorkerPoolOptions {
  /** Absolute path of the worker entry without its extension (e.g. `path.join(__dirname, 'mri-worker')`). */
  readonly entry: string;
  /** Number of worker threads (a positive integer). */
  readonly size: number;
  /** What the pool is, for error messages (e.g. `dashboard MRI encoder`). */
  readonly name: string;
  /**
   * Start workers on first use and let idle workers not keep the process alive (a process-wide, long-lived pool);
   * default false: all workers start at once and stay referenced until {@link WorkerPool.close}.
   */
  readonly lazy?: boolean;
  /**
   * What a crashed worker (an `error` event, or an exit the pool did not ask for; not an error answer) does: `'fail-pool'` (default) rejects every pending
   * task and every later submit; `'replace'` rejects only the task it held and a new worker takes the next task.
   */
  readonly onCrash?: 'fail-pool' | 'replace';
  /**
   * The error a task's error answer becomes (default: a {@link HealthDataError} with the worker's code, `backend`
   * when it sent none, and its message).
   */
  readonly taskError?: (message: string, code: string | undefined) => Error;
}

interface Job<T, R> {
  readonly id: number;
  readonly task: T;
  readonly transfer: readonly ArrayBuffer[];
  readonly resolve: (value: R) => void;
  readonly reject: (e: Error) => void;
}

/**
 * Worker threads running one kind of task.
 *
 * @typeParam T - the task posted to a worker (structured-cloneable)
 * @typeParam R - the value a worker answers with
 *
 * @example
 * ```ts
 * const pool = new WorkerPool<Volume, MriSeriesData>({ entry: path.join(__dirname, 'mri-worker'), size: 4, name: 'MRI encoder' });
 * const data = await pool.run(volume, [volume.voxels.buffer]);
 * await pool.close();
 * ```
 */
export class WorkerPool<T, R> {
  /** Number of worker threads. */
  readonly size: number;
  private readonly options: WorkerPoolOptions;
  private readonly idle: Worker[] = [];
  private readonly all: Worker[] = [];
  private readonly queue: Job<T, R>[] = [];
  private readonly running = new Map<Worker, Job<T, R>>();
  private nextId = 1;
  private failure: Error | undefined;

  /**
   * Starts the workers (or, with `lazy`, prepares to start them on first use).
   *
   * @param options - entry, size, name, lifecycle
   * @throws {@link HealthDataError} (invalid-input) when `size` is not a positive integer
   */
  constructor(options: WorkerPoolOptions) {
    if (!Number.isInteger(options.size) || options.size < 1) {
      throw new HealthDataError('invalid-input', `${options.name}: the pool size must be a positive integer, got ${String(options.size)}`, { path: 'size' });
    }
    this.options = options;
    this.size = options.size;
    if (options.lazy !== true) {
      for (let i = 0; i < options.size; i++) {
        this.idle.push(this.spawn());
      }
    }
  }

  /** Tasks submitted and not yet answered (queued or running). */
  get pending(): number {
    return this.queue.length + this.running.size;
  }

  /**
   * Runs one task in a worker.
   *
   * @param task - the task (structured-cloned to the worker)
   * @param transfer - buffers moved to the worker instead of copied (unusable by the caller afterwards)
   * @returns the worker's answer; rejected with the task's error, or the pool's when it failed or was closed
   */
  run(task: T, transfer: readonly ArrayBuffer[] = []): Promise<R> {
    if (this.failure !== undefined) {
      return Promise.reject(this.failure);
    }
    const id = this.nextId++;
    return new Promise<R>((resolve, reject) => {
      this.queue.push({ id, task, transfer, resolve, reject });
      this.pump();
    });
  }

  /**
   * Runs every task and returns the answers in submission order.
   *
   * @param tasks - the tasks
   * @returns one answer per task, in the order of `tasks`; rejected with the first task error in that order
   */
  map(tasks: Iterable<T>): Promise<R[]> {
    return Promise.all([...tasks].map((t) => this.run(t)));
  }

  /** Stops the workers; queued and running tasks are rejected (`cancelled`). */
  async close(): Promise<void> {
    this.fail(new HealthDataError('cancelled', `${this.options.name} closed`));
    const workers = this.all.splice(0);
    this.idle.length = 0;
    await Promise.all(workers.map((w) => w.terminate()));
  }

  private spawn(): Worker {
    const ext = path.extname(__filename);
    const file = `${this.options.entry}${ext}`;
    const w = ext === '.ts' ? new Worker(`require(${JSON.stringify(require.resolve('tsx/cjs'))}); require(${JSON.stringify(file)});`, { eval: true, execArgv: [] }) : new Worker(file);
    w.on('message', (m: WorkerReplyMessage<R>) => {
      this.answer(w, m);
    });
    w.on('error', (e: Error) => {
      this.crash(w, e);
    });
    w.on('exit', (code: number) => {
      // After close() the pool has let go of its workers; an exit of one it still holds is a crash.
      this.crash(w, new Error(`exited with code ${String(code)}`));
    });
    this.all.push(w);
    return w;
  }

  private answer(w: Worker, m: WorkerReplyMessage<R>): void {
    const job = this.running.get(w);
    this.running.delete(w);
    if (job !== undefined && job.id === m.id) {
      if ('error' in m) {
        job.reject(this.options.taskError?.(m.error, m.code) ?? new HealthDataError((m.code ?? 'backend') as HealthDataErrorCode, m.error));
      } else {
        job.resolve(m.value);
      }
    }
    if (this.options.lazy === true) {
      w.unref();
    }
    if (this.all.includes(w)) {
      this.idle.push(w);
    }
    this.pump();
  }

  private crash(w: Worker, e: Error): void {
    if (!this.all.includes(w)) {
      return; // closed, or already handled (an `error` event is followed by `exit`)
    }
    const error = new HealthDataError('backend', `${this.options.name}: worker stopped: ${e.message === '' ? e.name : e.message}`, { cause: e });
    remove(this.all, w);
    remove(this.idle, w);
    if (this.options.onCrash !== 'replace') {
      this.fail(error);
      return;
    }
    const job = this.running.get(w);
    this.running.delete(w);
    job?.reject(error);
    this.pump();
  }

  private pump(): void {
    while (this.queue.length > 0 && this.failure === undefined) {
      let w = this.idle.pop();
      if (w === undefined && this.all.length < this.size && (this.options.lazy === true || this.options.onCrash === 'replace')) {
        w = this.spawn();
      }
      const job = w === undefined ? undefined : this.queue.shift();
      if (w === undefined || job === undefined) {
        return;
      }
      this.running.set(w, job);
      w.ref();
      const message: WorkerTaskMessage<T> = { id: job.id, task: job.task };
      w.postMessage(message, [...job.transfer]);
    }
  }

  private fail(e: Error): void {
    this.failure ??= e;
    for (const job of [...this.running.values(), ...this.queue]) {
      job.reject(e);
    }
    this.running.clear();
    this.queue.length = 0;
  }
}

/** What a task handler returns when some of its answer's buffers should be moved, not copied, to the main thread. */
export interface TransferredValue<R> {
  /** The answer. */
  readonly value: R;
  /** Buffers of the answer to transfer. */
  readonly transfer: readonly ArrayBuffer[];
}

/**
 * The worker side of {@link WorkerPool}: answers each task with the handler's value, or with its error's message and
 * `code` (so a {@link HealthDataError} keeps its code across the thread boundary). Does nothing outside a worker.
 *
 * @param handler - runs one task (a promise it returns is awaited before answering)
 * @param transferOf - the buffers of an answer to transfer (default none)
 */
// T names the task type at the call site (serveWorkerTasks<MriPoolTask, …>) so both sides of the protocol read alike.
// eslint-disable-next-line @typescript-eslint/no-unnecessary-type-parameters
export function serveWorkerTasks<T, R>(handler: (task: T) => R | Promise<R>, transferOf?: (value: R) => readonly ArrayBuffer[]): void {
  const port = parentPort;
  if (port === null) {
    return;
  }
  port.on('message', (m: WorkerTaskMessage<T>) => {
    const fail = (e: unknown): void => {
      const code = typeof e === 'object' && e !== null && 'code' in e ? String(e.code) : undefined;
      const reply: WorkerReplyMessage<R> = { id: m.id, error: e instanceof Error ? e.message : String(e), ...(code === undefined ? {} : { code }) };
      port.postMessage(reply);
    };
    const answer = (value: R): void => {
      const reply: WorkerReplyMessage<R> = { id: m.id, value };
      port.postMessage(reply, [...(transferOf?.(value) ?? [])]);
    };
    let value: R | Promise<R>;
    try {
      value = handler(m.task);
    } catch (e) {
      fail(e);
      return;
    }
    if (value instanceof Promise) {
      value.then(answer, fail);
      return;
    }
    answer(value);
  });
}

function remove<X>(list: X[], x: X): void {
  const i = list.indexOf(x);
  if (i >= 0) {
    list.splice(i, 1);
  }
}
