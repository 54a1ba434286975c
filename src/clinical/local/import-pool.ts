/**
 * The import's worker threads (import-worker.ts): a fixed pool, each worker taking one chunk at a time, shared by the
 * imports of a process. The compiled FHIR schema the workers validate with is built in a short-lived worker of its
 * own and handed to the pool's workers, so the main thread never holds the definitions it is compiled from.
 *
 * Memory: reading the 37 MB of definitions leaves ~130 MB of garbage in the heap that parsed them, and V8 collects it
 * only at that heap's next full garbage collection — on the main thread, which allocates little during an import,
 * not before the middle of a 250 MB import (its heap stayed at ~190 MB until then). Each pool worker's young
 * generation is capped ({@link WORKER_YOUNG_GENERATION_MB}): left to V8 it grew to ~100 MB per worker although a
 * chunk's live data is a few MB (its staging rows go to their files as they come; import-chunk.ts).
 */
import * as path from 'node:path';
import type { ResourceLimits } from 'node:worker_threads';
import { Worker } from 'node:worker_threads';
import { HealthDataError, normalizeErrorString } from '../../errors';
import type { CompiledFhirSchema } from '../../formats/fhir/structure';
import { useCompiledFhirSchema } from '../../formats/fhir/structure';
import type { ChunkResult, ImportChunk } from './import-chunk';

/**
 * The young generation of each import worker, in MB. With V8's default (sized for the machine: ~100 MB per worker
 * here) a 250 MB import's two workers held ~150 MB of heap each; at 32 MB they held ~55 MB each with no more CPU
 * (27.8 s against 29.7 s for the job); at 16 MB the extra scavenges cost ~10% more CPU.
 */
export const WORKER_YOUNG_GENERATION_MB = 32;

/** What a worker is started with (import-worker.ts reads it). */
export type ImportWorkerData = { readonly schema: CompiledFhirSchema } | { readonly compileSchema: true };

function startWorker(workerData: ImportWorkerData, resourceLimits?: ResourceLimits): Worker {
  const ext = path.extname(__filename);
  const file = path.join(__dirname, `import-worker${ext}`);
  const limits = resourceLimits === undefined ? {} : { resourceLimits };
  // Running from TypeScript sources (tests, bench): the worker registers the same on-the-fly compiler first.
  return ext === '.ts'
    ? new Worker(`require(${JSON.stringify(require.resolve('tsx/cjs'))}); require(${JSON.stringify(file)});`, { eval: true, workerData, execArgv: [], ...limits })
    : new Worker(file, { workerData, ...limits });
}

/**
 * Gives a compiled schema received from another thread back the null prototypes of its element tables. Structured
 * cloning makes every object an ordinary one, so looking up an element named `constructor`, `toString` or
 * `__proto__` found `Object.prototype`'s members: a resource with such an element threw in a worker (failing the
 * whole job) instead of being rejected as an invalid additional property, as in process.
 *
 * @param schema - a structured clone of a compiled schema (changed in place)
 * @returns the same schema
 */
export function restoreSchemaPrototypes(schema: CompiledFhirSchema): CompiledFhirSchema {
  for (const t of Object.values(schema.types)) {
    Object.setPrototypeOf(t.e, null);
  }
  return schema;
}

let schemaPromise: Promise<CompiledFhirSchema> | undefined;

/**
 * The compiled FHIR schema, built once per process in a worker of its own that exits when done (its heap, with the
 * parsed definitions, goes with it); the main thread keeps the compiled schema (a few MB) for later pools and
 * in-process imports.
 *
 * @returns the schema
 * @throws {@link HealthDataError} (backend) when the worker fails
 */
export function offThreadSchema(): Promise<CompiledFhirSchema> {
  schemaPromise ??= new Promise<CompiledFhirSchema>((resolve, reject) => {
    const w = startWorker({ compileSchema: true });
    let done = false;
    w.once('message', (received: CompiledFhirSchema) => {
      done = true;
      const schema = restoreSchemaPrototypes(received);
      useCompiledFhirSchema(schema);
      resolve(schema);
      void w.terminate();
    });
    w.once('error', (e) => {
      reject(new HealthDataError('backend', `import: compiling the FHIR definitions failed: ${normalizeErrorString(e)}`, { cause: e }));
    });
    w.once('exit', (code) => {
      if (!done) {
        reject(new HealthDataError('backend', `import: the worker compiling the FHIR definitions exited with code ${code}`));
      }
    });
  }).catch((e: unknown) => {
    schemaPromise = undefined;
    throw e;
  });
  return schemaPromise;
}

/** A fixed pool of import workers; each takes one chunk at a time. */
export class ChunkPool {
  /** Worker count. */
  readonly size: number;
  private readonly idle: Worker[] = [];
  private readonly waiting: { chunk: ImportChunk; resolve: (r: ChunkResult) => void; reject: (e: Error) => void }[] = [];
  private readonly busy = new Map<Worker, { resolve: (r: ChunkResult) => void; reject: (e: Error) => void }>();
  private readonly all: Worker[] = [];
  private failure: Error | undefined;

  /**
   * Starts the workers.
   *
   * @param threads - worker count
   * @param schema - the compiled FHIR schema each worker validates with
   */
  constructor(threads: number, schema: CompiledFhirSchema) {
    this.size = threads;
    for (let i = 0; i < threads; i++) {
      const w = startWorker({ schema }, { maxYoungGenerationSizeMb: WORKER_YOUNG_GENERATION_MB });
      w.on('message', (m: ChunkResult | { seq: number; error: string }) => {
        const job = this.busy.get(w);
        this.busy.delete(w);
        if ('error' in m) {
          job?.reject(new HealthDataError('backend', `import worker failed on chunk ${m.seq}: ${m.error}`));
        } else {
          job?.resolve(m);
        }
        this.release(w);
      });
      w.on('error', (e) => {
        this.fail(new HealthDataError('backend', `import worker stopped: ${normalizeErrorString(e)}`, { cause: e }));
      });
      w.on('exit', (code) => {
        if (code !== 0) {
          this.fail(new HealthDataError('backend', `import worker exited with code ${code}`));
        }
      });
      this.all.push(w);
      this.idle.push(w);
    }
  }

  private fail(e: Error): void {
    this.failure ??= e;
    for (const job of this.busy.values()) {
      job.reject(e);
    }
    this.busy.clear();
    for (const job of this.waiting.splice(0)) {
      job.reject(e);
    }
  }

  private release(w: Worker): void {
    const next = this.waiting.shift();
    if (next === undefined) {
      this.idle.push(w);
    } else {
      this.dispatch(w, next);
    }
  }

  private dispatch(w: Worker, job: { chunk: ImportChunk; resolve: (r: ChunkResult) => void; reject: (e: Error) => void }): void {
    this.busy.set(w, job);
    w.postMessage(job.chunk, [job.chunk.bytes.buffer as ArrayBuffer]);
  }

  /**
   * Processes a chunk on the next free worker (queued while all are busy); its bytes are transferred to the worker.
   *
   * @param chunk - the chunk
   * @returns the worker's result
   */
  run(chunk: ImportChunk): Promise<ChunkResult> {
    if (this.failure !== undefined) {
      return Promise.reject(this.failure);
    }
    return new Promise((resolve, reject) => {
      const w = this.idle.pop();
      if (w === undefined) {
        this.waiting.push({ chunk, resolve, reject });
      } else {
        this.dispatch(w, { chunk, resolve, reject });
      }
    });
  }

  /**
   * Drops the queued (not yet started) chunks whose staging prefix starts with `prefix` — a failed job's — rejecting
   * them, so a failed job stops its queued work.
   *
   * @param prefix - the failed job's scratch folder
   */
  cancel(prefix: string): void {
    for (let i = this.waiting.length - 1; i >= 0; i--) {
      const job = this.waiting[i];
      if (job !== undefined && job.chunk.stagingPrefix.startsWith(prefix)) {
        this.waiting.splice(i, 1);
        job.reject(new HealthDataError('backend', 'import: chunk cancelled because its job failed'));
      }
    }
  }

  /** Whether a worker failed (the pool is then discarded). */
  get broken(): boolean {
    return this.failure !== undefined;
  }

  /**
   * Keeps the process alive while a job uses the pool (ref), or lets it exit while the pool idles (unref).
   *
   * @param busy - whether a job uses the pool
   */
  hold(busy: boolean): void {
    for (const w of this.all) {
      if (busy) {
        w.ref();
      } else {
        w.unref();
      }
    }
  }

  /** Stops the workers. */
  async close(): Promise<void> {
    await Promise.all(this.all.map((w) => w.terminate()));
  }
}

// One pool per process, shared by the imports of all stores: starting a worker (loading the modules and receiving
// the compiled definitions) costs far more than a chunk, so a notebook importing folder after folder pays it once.
// An idle pool does not keep the process alive and is closed after a minute.
let shared: { pool: ChunkPool; users: number; timer?: NodeJS.Timeout } | undefined;
const POOL_IDLE_MS = 60_000;

function acquireShared(threads: number, schema: CompiledFhirSchema): ChunkPool {
  if (shared !== undefined && (shared.pool.broken || (shared.users === 0 && shared.pool.size !== threads))) {
    void shared.pool.close();
    clearTimeout(shared.timer);
    shared = undefined;
  }
  if (shared === undefined || shared.pool.size !== threads) {
    // A concurrent job wanting another size gets a private pool (closed when it ends).
    if (shared !== undefined) {
      return new ChunkPool(threads, schema);
    }
    shared = { pool: new ChunkPool(threads, schema), users: 0 };
  }
  clearTimeout(shared.timer);
  shared.users++;
  shared.pool.hold(true);
  return shared.pool;
}

/**
 * The process's pool of `threads` workers for a job (started on first use, with the schema compiled off the main
 * thread); a concurrent job wanting another size gets a private pool. Give it back with {@link releasePool}.
 *
 * @param threads - worker count (at least 1)
 * @returns the pool
 * @throws {@link HealthDataError} (backend) when the schema cannot be compiled
 */
export async function acquirePool(threads: number): Promise<ChunkPool> {
  const schema = await offThreadSchema();
  return acquireShared(threads, schema);
}

/**
 * Gives a job's pool back: the shared pool idles (closed after a minute unused, not keeping the process alive), a
 * private or broken one is closed.
 *
 * @param pool - from {@link acquirePool}
 */
export async function releasePool(pool: ChunkPool): Promise<void> {
  const s = shared;
  if (s?.pool !== pool) {
    await pool.close();
    return;
  }
  s.users--;
  if (pool.broken) {
    shared = undefined;
    await pool.close();
  } else if (s.users === 0) {
    pool.hold(false);
    s.timer = setTimeout(() => {
      if (shared === s && s.users === 0) {
        shared = undefined;
        void pool.close();
      }
    }, POOL_IDLE_MS);
    s.timer.unref();
  }
}
