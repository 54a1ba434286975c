/**
 * The local SQL engine: one DuckDB database file in the workspace.
 *
 * DuckDB lets one process write a database file at a time (it takes an OS file lock), and a writer also excludes
 * other processes' readers. Users keep several notebooks open on one workspace, each with its own kernel, so this
 * engine never holds the file for long: a statement opens the database (read-only for reads, so readers share),
 * runs, and the file is closed once no statement has come for `idleCloseMs` (200 ms; a cold open costs ≈30 ms on
 * DuckDB 1.5.6, so a burst of statements pays it once — `bench/sql.ts`). Long jobs hold it for their duration with
 * {@link DuckDbEngine.session}, and record who holds it in `<db>.holder.json`; a job whose statements come with pauses
 * between them keeps the file open for its length with {@link DuckDbEngine.keepOpen}. A process that finds the file locked
 * retries with backoff up to `lockTimeoutMs`, then fails with a message naming the holder and what to do — it
 * never hangs, and DuckDB's lock means it can never corrupt the file.
 *
 * A connection is never closed while a statement runs on it: DuckDB 1.5 deadlocks (the statement's thread waits
 * forever on its own lock) when the connection is destroyed under a running statement. Work that outlives its session
 * (a promise started inside and not awaited) queues like any other statement instead of reusing the session's
 * connection, and {@link DuckDbEngine.close} waits for the running statement.
 *
 * Memory: every open sets DuckDB's `memory_limit` and `temp_directory` (the workspace's `duckdbMemoryLimit` and
 * `duckdbTempDir`, config.ts: half the machine's memory, `<workspace>/tmp/duckdb`), so joins, sorts and
 * aggregates larger than the limit spill to files under the workspace instead of exhausting memory.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { AsyncLocalStorage } from 'node:async_hooks';
import * as fs from 'node:fs';
import * as os from 'node:os';
import { DuckDBInstance } from '@duckdb/node-api';
import type { DuckDBConnection, DuckDBValue } from '@duckdb/node-api';
import type { DataFrame } from 'danfojs-node';
import { HealthDataError, isHealthDataError } from '../errors';
import type { QueryResult, Row, SqlEngine, SqlParam } from './engine';
import { resultToDataFrame } from './dataframe';
import { convertDuckDbRows } from './duckdb-values';
import { PORTABLE_MACROS } from './portable-macros';

/** Options of {@link DuckDbEngine.create}. */
export interface DuckDbEngineOptions {
  /** Database file, or `:memory:`. */
  readonly path: string;
  /** How long to wait for another process's lock before failing (default 30 s). */
  readonly lockTimeoutMs?: number;
  /**
   * Keep the database open this long after the last statement (default 200 ms), so a burst of statements (a notebook
   * cell, a patient record) pays one open instead of one per statement; other processes wait at most this long.
   */
  readonly idleCloseMs?: number;
  /** DuckDB `memory_limit`, e.g. `4GB` (default: DuckDB's, 80 % of the machine's memory). */
  readonly memoryLimit?: string;
  /** DuckDB `temp_directory`, where it spills beyond the limit (created when missing; default: DuckDB's `<db>.tmp`). */
  readonly tempDirectory?: string;
}

/** Who holds the database for a long job, written beside it while a {@link DuckDbEngine.session} runs. */
export interface LockHolder {
  /** Process id. */
  readonly pid: number;
  /** Host name. */
  readonly host: string;
  /** What the holder is doing, e.g. `import clinical`. */
  readonly what: string;
  /** ISO time the hold began. */
  readonly since: string;
}

/** The connection of a {@link DuckDbEngine.withConnection} or session scope, for the statements inside it. */
interface Held {
  readonly conn: DuckDBConnection;
  readonly write: boolean;
  /** False once the scope has ended: work that outlived it queues for a connection like any other statement. */
  live: boolean;
}

const READ_ONLY_STATEMENT = /^\s*(\(|select\b|with\b|from\b|describe\b|show\b|explain\b|summarize\b|values\b)/i;
// One promise chain per database path: statements of one process take turns, so two engines opened on the same
// file in one process (two workspaces in one kernel) never open it twice at once.
const chains = new Map<string, Promise<unknown>>();

async function exclusive<T>(key: string, fn: () => Promise<T>): Promise<T> {
  const prev = chains.get(key) ?? Promise.resolve();
  let release: () => void = () => undefined;
  const mine = new Promise<void>((resolve) => {
    release = resolve;
  });
  const chained = prev.then(() => mine);
  chains.set(key, chained);
  await prev.catch(() => undefined);
  try {
    return await fn();
  } finally {
    release();
    if (chains.get(key) === chained) {
      chains.delete(key);
    }
  }
}

function toDuckValue(p: SqlParam): DuckDBValue {
  if (p instanceof Date) {
    return p.toISOString();
  }
  return p;
}

function lockPid(message: string): number | undefined {
  const m = /Conflicting lock is held in .*\(PID (\d+)\)/.exec(message);
  return m?.[1] === undefined ? undefined : Number(m[1]);
}

/**
 * The DuckDB implementation of {@link SqlEngine}.
 *
 * @example
 * ```ts
 * const sql = await DuckDbEngine.create({ path: 'workspace/mmh.duckdb' });
 * const [row] = await sql.query<{ v: number }>('SELECT element_at(ARRAY[1, 2], ?) AS v', [2]);
 * await sql.close();
 * ```
 */
export class DuckDbEngine implements SqlEngine {
  /** Dialect tag. */
  readonly dialect = 'duckdb' as const;
  /** Database file (or `:memory:`). */
  readonly path: string;
  private readonly lockTimeoutMs: number;
  private readonly als = new AsyncLocalStorage<Held>();
  private readonly idleCloseMs: number;
  private readonly settings: Readonly<Record<string, string>>;
  private memory: { instance: DuckDBInstance; conn: DuckDBConnection } | undefined;
  private open: { instance: DuckDBInstance; conn: DuckDBConnection; write: boolean } | undefined;
  private idleTimer: NodeJS.Timeout | undefined;
  private closed = false;
  /** Statements (scopes) running now, on any path. */
  private running = 0;
  private readonly idleWaiters: (() => void)[] = [];
  /** {@link DuckDbEngine.keepOpen} scopes running now: the idle close waits for them. */
  private pins = 0;

  private constructor(options: DuckDbEngineOptions) {
    this.path = options.path;
    this.lockTimeoutMs = options.lockTimeoutMs ?? 30_000;
    this.idleCloseMs = options.idleCloseMs ?? 200;
    const settings: Record<string, string> = {};
    if (options.memoryLimit !== undefined) {
      settings.memory_limit = options.memoryLimit;
    }
    if (options.tempDirectory !== undefined) {
      fs.mkdirSync(options.tempDirectory, { recursive: true });
      settings.temp_directory = options.tempDirectory;
    }
    this.settings = settings;
  }

  /** The DuckDB settings every open uses (`memory_limit`, `temp_directory` when given). */
  get duckdbSettings(): Readonly<Record<string, string>> {
    return this.settings;
  }

  /**
   * Opens (and creates, if missing) the database once to check it, then releases it.
   *
   * @param options - file and lock wait
   * @returns the engine
   * @throws {@link HealthDataError} (locked) when another process holds the file past the wait; (backend) when the file is not a DuckDB database
   */
  static async create(options: DuckDbEngineOptions): Promise<DuckDbEngine> {
    const engine = new DuckDbEngine(options);
    if (options.path === ':memory:') {
      const instance = await DuckDBInstance.create(':memory:', { ...engine.settings });
      const conn = await instance.connect();
      await installMacros(conn);
      engine.memory = { instance, conn };
    } else if (!fs.existsSync(options.path)) {
      await engine.session('create database', () => Promise.resolve(undefined));
    } else {
      await engine.withConnection(false, () => Promise.resolve(undefined));
    }
    return engine;
  }

  /** The file recording who holds the database during a session. */
  get holderFile(): string {
    return `${this.path}.holder.json`;
  }

  /**
   * Holds the database open for writing while `fn` runs; every statement inside reuses the one connection.
   * Other processes wait (up to their lock timeout) and are told who holds it.
   *
   * @param what - what the holder does, shown to waiting processes (no patient data)
   * @param fn - the work
   * @returns what `fn` returns
   */
  async session<T>(what: string, fn: (conn: DuckDBConnection) => Promise<T>): Promise<T> {
    const held = this.liveScope();
    if (held?.write === true) {
      return this.counted(() => fn(held.conn));
    }
    if (held !== undefined) {
      throw new HealthDataError('conflict', `DuckDbEngine.session("${what}"): cannot start a write session inside a read`);
    }
    return this.withConnection(true, async (conn) => {
      const holder: LockHolder = { pid: process.pid, host: os.hostname(), what, since: new Date().toISOString() };
      const writeHolder = this.path !== ':memory:';
      if (writeHolder) {
        fs.writeFileSync(this.holderFile, JSON.stringify(holder));
      }
      try {
        return await this.inScope(conn, true, fn);
      } finally {
        if (writeHolder) {
          fs.rmSync(this.holderFile, { force: true });
        }
      }
    });
  }

  /**
   * Keeps the database open while `fn` runs, however long the pauses between its statements: for a job that commits
   * in many transactions with waits between them (an import waiting on its worker threads). Without it, every pause
   * longer than `idleCloseMs` closes the file — a checkpoint of its write-ahead log — and the next statement opens it
   * again. Statements still take turns with the process's others; other processes wait until `fn` ends.
   *
   * @param fn - the work
   * @returns what `fn` returns
   */
  async keepOpen<T>(fn: () => Promise<T>): Promise<T> {
    this.pins++;
    try {
      return await fn();
    } finally {
      this.pins--;
      if (this.pins === 0 && this.open !== undefined) {
        this.scheduleIdleClose();
      }
    }
  }

  /** @inheritdoc */
  async query<T extends Row = Row>(sql: string, params: readonly SqlParam[] = []): Promise<T[]> {
    return (await this.queryResult<T>(sql, params)).rows;
  }

  /** @inheritdoc */
  async queryResult<T extends Row = Row>(sql: string, params: readonly SqlParam[] = []): Promise<QueryResult<T>> {
    const write = !READ_ONLY_STATEMENT.test(sql);
    return this.withConnection(write, async (conn) => {
      try {
        const reader = await conn.runAndReadAll(sql, params.length > 0 ? params.map(toDuckValue) : undefined);
        const names = reader.columnNames();
        const types = reader.columnTypes();
        return {
          columns: names.map((name, i) => ({ name, type: types[i]?.toString() ?? 'UNKNOWN' })),
          rows: convertDuckDbRows(reader.getRowObjectsJS(), names, types) as T[],
        };
      } catch (e) {
        throw new HealthDataError('query-failed', `sql.query failed: ${e instanceof Error ? e.message : String(e)}`, {
          cause: e,
          fault: 'input',
        });
      }
    });
  }

  /**
   * Runs several statements (DDL, scripts) in one go, without parameters.
   *
   * @param sql - statements separated by semicolons
   * @throws {@link HealthDataError} (query-failed) with DuckDB's reason
   */
  async exec(sql: string): Promise<void> {
    await this.withConnection(true, async (conn) => {
      try {
        await conn.run(sql);
      } catch (e) {
        throw new HealthDataError('query-failed', `sql.exec failed: ${e instanceof Error ? e.message : String(e)}`, {
          cause: e,
          fault: 'input',
        });
      }
    });
  }

  /** @inheritdoc */
  async toDataFrame(sql: string, params: readonly SqlParam[] = []): Promise<DataFrame> {
    return resultToDataFrame(await this.queryResult(sql, params));
  }

  /**
   * Closes the database once the statements already running or waiting have finished; later statements fail.
   *
   * @throws {@link HealthDataError} (conflict) when called from inside one of this engine's statements or sessions
   */
  async close(): Promise<void> {
    if (this.closed) {
      return;
    }
    if (this.liveScope() !== undefined) {
      throw new HealthDataError('conflict', `sql: the engine for ${this.path} cannot be closed from inside its own statement or session; close it after the work returns`);
    }
    this.closed = true;
    clearTimeout(this.idleTimer);
    if (this.memory !== undefined) {
      await this.idle();
      this.memory.conn.closeSync();
      this.memory.instance.closeSync();
      this.memory = undefined;
      return;
    }
    await exclusive(this.path, async () => {
      clearTimeout(this.idleTimer);
      await this.idle();
      this.closeOpen();
    });
  }

  /**
   * Runs `fn` with a connection: the session's, the in-memory one, or a fresh open of the file.
   *
   * @param write - whether the work writes (a read-write open); reads open read-only so processes share
   * @param fn - the work
   * @returns what `fn` returns
   */
  async withConnection<T>(write: boolean, fn: (conn: DuckDBConnection) => Promise<T>): Promise<T> {
    if (this.closed) {
      throw new HealthDataError('conflict', `sql: the engine for ${this.path} is closed; open the workspace again`);
    }
    const held = this.liveScope();
    if (held !== undefined && (held.write || !write)) {
      return this.counted(() => fn(held.conn));
    }
    if (held !== undefined) {
      throw new HealthDataError('conflict', 'sql: a write statement cannot run inside a read-only connection; run it outside, or inside sql.session()');
    }
    if (this.memory !== undefined) {
      const { conn } = this.memory;
      return this.inScope(conn, true, fn);
    }
    return exclusive(this.path, async () => {
      clearTimeout(this.idleTimer);
      if (this.open !== undefined && write && !this.open.write) {
        this.closeOpen();
      }
      if (this.open === undefined) {
        const instance = await this.openWithRetry(write);
        try {
          const conn = await instance.connect();
          await installMacros(conn);
          this.open = { instance, conn, write };
        } catch (e) {
          instance.closeSync();
          throw e;
        }
      }
      const { conn } = this.open;
      try {
        return await this.inScope(conn, write, fn);
      } finally {
        this.scheduleIdleClose();
      }
    });
  }

  /** The scope the caller runs in, if it is still running (a scope's leftover async work does not count). */
  private liveScope(): Held | undefined {
    const held = this.als.getStore();
    return held?.live === true ? held : undefined;
  }

  /** Runs `fn` as a new scope on `conn`: statements inside reuse it until `fn` settles. */
  private async inScope<T>(conn: DuckDBConnection, write: boolean, fn: (conn: DuckDBConnection) => Promise<T>): Promise<T> {
    const scope: Held = { conn, write, live: true };
    try {
      return await this.counted(() => this.als.run(scope, () => fn(conn)));
    } finally {
      scope.live = false;
    }
  }

  /** Runs `fn` counted as a running statement, so nothing closes the connection under it. */
  private async counted<T>(fn: () => Promise<T>): Promise<T> {
    this.running++;
    try {
      return await fn();
    } finally {
      this.running--;
      if (this.running === 0) {
        for (const wake of this.idleWaiters.splice(0)) {
          wake();
        }
      }
    }
  }

  /** Resolves once no statement runs. */
  private idle(): Promise<void> {
    return this.running === 0 ? Promise.resolve() : new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  private scheduleIdleClose(): void {
    if (this.pins > 0) {
      return;
    }
    // A statement the scope started and did not await may still run: then the close waits for it, as after a delay.
    if (this.idleCloseMs <= 0 && this.running === 0) {
      this.closeOpen();
      return;
    }
    const timer = setTimeout(() => {
      void exclusive(this.path, async () => {
        if (this.idleTimer === timer && this.pins === 0) {
          await this.idle();
          this.closeOpen();
        }
      });
    }, this.idleCloseMs);
    timer.unref();
    this.idleTimer = timer;
  }

  /** Closes the file's connection and database; callers hold `exclusive` and have waited for {@link idle}. */
  private closeOpen(): void {
    if (this.open !== undefined) {
      this.open.conn.closeSync();
      this.open.instance.closeSync();
      this.open = undefined;
    }
  }

  private async openWithRetry(write: boolean): Promise<DuckDBInstance> {
    const deadline = Date.now() + this.lockTimeoutMs;
    let wait = 25;
    for (;;) {
      try {
        return await DuckDBInstance.create(this.path, write ? { ...this.settings } : { ...this.settings, access_mode: 'READ_ONLY' });
      } catch (e) {
        const message = e instanceof Error ? e.message : String(e);
        const pid = lockPid(message);
        if (pid === undefined) {
          throw new HealthDataError('backend', `sql: cannot open workspace database ${this.path}: ${message}. If the file is damaged, move it aside and re-run the import steps.`, {
            cause: e,
            path: this.path,
          });
        }
        if (Date.now() >= deadline) {
          throw this.lockedError(pid, e);
        }
        await sleep(wait);
        wait = Math.min(wait * 2, 1000);
      }
    }
  }

  private lockedError(pid: number, cause: unknown): HealthDataError {
    let holder: LockHolder | undefined;
    try {
      holder = JSON.parse(fs.readFileSync(this.holderFile, 'utf8')) as LockHolder;
    } catch {
      holder = undefined;
    }
    const doing = holder?.pid === pid ? ` running "${holder.what}" since ${holder.since}` : ' (an open connection, e.g. another kernel mid-query)';
    return new HealthDataError(
      'locked',
      `sql: workspace database ${this.path} is held by process ${String(pid)}${doing}; waited ${String(this.lockTimeoutMs)} ms. ` +
        'DuckDB allows one writer per file: wait for that job to finish and re-run this cell, or stop it ' +
        "(interrupt or restart that notebook's kernel); raise the wait with MMH_LOCK_TIMEOUT_MS.",
      { cause, path: this.path },
    );
  }
}

async function installMacros(conn: DuckDBConnection): Promise<void> {
  for (const m of PORTABLE_MACROS) {
    await conn.run(m.sql);
  }
}

/**
 * Tells whether an error is the workspace-lock error of {@link DuckDbEngine}.
 *
 * @param e - any thrown value
 * @returns true for a HealthDataError with code `locked`
 */
export function isLockedError(e: unknown): boolean {
  return isHealthDataError(e) && e.code === 'locked';
}
