/**
 * Crash safety of the local feature store: every write lands in the online table (DuckDB) and the offline store
 * (Parquet files) together or not at all, and an ingestion killed part-way is recorded as FAILED.
 *
 * How a write commits:
 * 1. its Parquet files are written under `offline-store/.staging/<write id>/` (never where the offline view reads);
 * 2. one DuckDB transaction changes the online table, records each staged file and its destination in
 *    `featurestore_pending_files`, and (for an ingestion) marks its job COMPLETED — this COMMIT is the commit point;
 * 3. the staged files are renamed into the group's `data/` folder and their pending rows deleted.
 *
 * A process killed before step 2 leaves only staging (removed by {@link recoverWrites}; the job, recorded
 * IN_PROGRESS when it began, becomes FAILED with the reason); killed during step 3, the pending rows let
 * {@link recoverWrites} finish the renames. Recovery runs inside a write session, which holds the database file
 * exclusively, so an IN_PROGRESS job it finds belongs to a process that has ended — unless it is one of this
 * process's own live jobs ({@link LIVE_WRITES}).
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { DuckDBConnection } from '@duckdb/node-api';
import type { DuckDbEngine } from '../../sql/duckdb-engine';

/** Staged offline files whose write committed but which are not yet in place. */
export const PENDING_FILES_TABLE = 'featurestore_pending_files';
/** One row per `ingest` call: its status, counts and reason. */
export const INGEST_JOBS_TABLE = 'featurestore_ingest_jobs';

/** The reason recorded for an ingestion whose process ended before it committed. */
export const INTERRUPTED_REASON = 'interrupted: the process ended before the ingestion committed, so none of its records were stored; run the ingestion again';

/** Status of a local ingestion job. */
export type IngestJobStatus = 'IN_PROGRESS' | 'COMPLETED' | 'FAILED';

/** A local ingestion job, as {@link LocalFeatureStore.listIngestJobs} lists it. */
export interface IngestJob {
  /** Job id (a UUID). */
  readonly jobId: string;
  /** Feature group. */
  readonly groupName: string;
  /** Status. */
  readonly status: IngestJobStatus;
  /** Why it failed (FAILED only). */
  readonly message?: string;
  /** Rows given. */
  readonly records: number;
  /** Rows written (0 unless COMPLETED). */
  readonly succeeded: number;
  /** Rows rejected (0 unless COMPLETED). */
  readonly failed: number;
  /** When it began (ISO). */
  readonly creationTime: string;
  /** When it ended (ISO), unless IN_PROGRESS. */
  readonly endTime?: string;
}

/** Writes (ingestion jobs, puts, deletes) running in this process, by id: recovery leaves their job and staging alone. */
export const LIVE_WRITES = new Set<string>();

/**
 * Creates the two bookkeeping tables if missing.
 *
 * @param engine - the workspace engine
 */
export async function ensureWriteLogTables(engine: DuckDbEngine): Promise<void> {
  await engine.query(`CREATE TABLE IF NOT EXISTS ${PENDING_FILES_TABLE} (staged VARCHAR PRIMARY KEY, final VARCHAR NOT NULL)`);
  await engine.query(
    `CREATE TABLE IF NOT EXISTS ${INGEST_JOBS_TABLE} (job_id VARCHAR PRIMARY KEY, group_name VARCHAR NOT NULL, status VARCHAR NOT NULL, message VARCHAR,
       records BIGINT NOT NULL, succeeded BIGINT NOT NULL, failed BIGINT NOT NULL, creation_time VARCHAR NOT NULL, end_time VARCHAR)`,
  );
}

/** The Parquet files one write stages, and where each goes when it commits. */
export class StagedFiles {
  private readonly moves: { staged: string; final: string }[] = [];

  /**
   * @param dir - this write's staging folder (`offline-store/.staging/<write id>`)
   */
  constructor(readonly dir: string) {}

  /**
   * Reserves a staging path for a file whose place is `final`.
   *
   * @param final - where the file goes on commit
   * @returns the path to write now
   */
  stage(final: string): string {
    fs.mkdirSync(this.dir, { recursive: true });
    const staged = path.join(this.dir, `${String(this.moves.length).padStart(6, '0')}-${path.basename(final)}`);
    this.moves.push({ staged, final });
    return staged;
  }

  /**
   * Inside the write's transaction: records the staged files, so a crash after COMMIT still puts them in place.
   *
   * @param conn - the transaction's connection
   */
  async record(conn: DuckDBConnection): Promise<void> {
    for (const m of this.moves) {
      await conn.run(`INSERT INTO ${PENDING_FILES_TABLE} VALUES ($1, $2)`, [m.staged, m.final]);
    }
  }

  /**
   * After COMMIT: moves the files into place, forgets them, removes the staging folder.
   *
   * @param conn - the session's connection
   */
  async promote(conn: DuckDBConnection): Promise<void> {
    for (const m of this.moves) {
      fs.mkdirSync(path.dirname(m.final), { recursive: true });
      fs.renameSync(m.staged, m.final);
    }
    if (this.moves.length > 0) {
      await conn.run(
        `DELETE FROM ${PENDING_FILES_TABLE} WHERE staged IN (${this.moves.map((_, i) => `$${String(i + 1)}`).join(', ')})`,
        this.moves.map((m) => m.staged),
      );
    }
    this.discard();
  }

  /** Removes the staging folder (after a rollback, or once promoted). */
  discard(): void {
    fs.rmSync(this.dir, { recursive: true, force: true });
  }
}

/**
 * Runs `fn` inside one DuckDB transaction on `conn`: COMMIT when it resolves, ROLLBACK when it throws.
 *
 * @param conn - the session's connection
 * @param fn - the work
 * @returns what `fn` returns
 */
export async function inTransaction<T>(conn: DuckDBConnection, fn: () => Promise<T>): Promise<T> {
  await conn.run('BEGIN TRANSACTION');
  let result: T;
  try {
    result = await fn();
  } catch (e) {
    await conn.run('ROLLBACK').catch(() => undefined);
    throw e;
  }
  await conn.run('COMMIT');
  return result;
}

/**
 * Finishes or discards what an ended process left: renames committed staged files into place, removes every other
 * staging folder, and marks IN_PROGRESS jobs not live in this process FAILED with {@link INTERRUPTED_REASON}.
 * Call it inside a write session (so no other process is writing).
 *
 * @param conn - the session's connection
 * @param stagingRoot - `offline-store/.staging`
 * @returns how many files were put in place and jobs marked FAILED
 */
export async function recoverWrites(conn: DuckDBConnection, stagingRoot: string): Promise<{ promoted: number; failedJobs: number }> {
  const pending = (await conn.runAndReadAll(`SELECT staged, final FROM ${PENDING_FILES_TABLE}`)).getRowObjectsJS() as { staged: string; final: string }[];
  let promoted = 0;
  for (const p of pending) {
    if (fs.existsSync(p.staged)) {
      fs.mkdirSync(path.dirname(p.final), { recursive: true });
      fs.renameSync(p.staged, p.final);
      promoted++;
    }
  }
  if (pending.length > 0) {
    await conn.run(`DELETE FROM ${PENDING_FILES_TABLE}`);
  }
  for (const name of fs.existsSync(stagingRoot) ? fs.readdirSync(stagingRoot) : []) {
    if (!LIVE_WRITES.has(name)) {
      fs.rmSync(path.join(stagingRoot, name), { recursive: true, force: true });
    }
  }
  const stale = (await conn.runAndReadAll(`SELECT job_id FROM ${INGEST_JOBS_TABLE} WHERE status = 'IN_PROGRESS'`)).getRowObjectsJS() as { job_id: string }[];
  let failedJobs = 0;
  for (const { job_id: id } of stale) {
    if (!LIVE_WRITES.has(id)) {
      await conn.run(`UPDATE ${INGEST_JOBS_TABLE} SET status = 'FAILED', message = $1, end_time = $2 WHERE job_id = $3`, [INTERRUPTED_REASON, new Date().toISOString(), id]);
      failedJobs++;
    }
  }
  return { promoted, failedJobs };
}

/**
 * Records a job IN_PROGRESS (committed at once, so a crash leaves it to {@link recoverWrites}).
 *
 * @param conn - the session's connection (outside the write's transaction)
 * @param job - id, group, rows given
 */
export async function beginJob(conn: DuckDBConnection, job: { jobId: string; groupName: string; records: number }): Promise<void> {
  await conn.run(`INSERT INTO ${INGEST_JOBS_TABLE} VALUES ($1, $2, 'IN_PROGRESS', NULL, $3, 0, 0, $4, NULL)`, [job.jobId, job.groupName, job.records, new Date().toISOString()]);
}

/**
 * Records a job's end: COMPLETED with its counts (inside the write's transaction), or FAILED with its reason.
 *
 * @param conn - the session's connection
 * @param jobId - the job
 * @param end - status, counts or reason
 */
export async function endJob(conn: DuckDBConnection, jobId: string, end: { status: 'COMPLETED'; succeeded: number; failed: number } | { status: 'FAILED'; message: string }): Promise<void> {
  const now = new Date().toISOString();
  if (end.status === 'COMPLETED') {
    await conn.run(`UPDATE ${INGEST_JOBS_TABLE} SET status = 'COMPLETED', succeeded = $1, failed = $2, end_time = $3 WHERE job_id = $4`, [end.succeeded, end.failed, now, jobId]);
  } else {
    // Only a job still running fails: one whose write committed stays COMPLETED (recovery finishes its files).
    await conn.run(`UPDATE ${INGEST_JOBS_TABLE} SET status = 'FAILED', message = $1, end_time = $2 WHERE job_id = $3 AND status = 'IN_PROGRESS'`, [end.message, now, jobId]);
  }
}

/**
 * Lists ingestion jobs, newest first.
 *
 * @param engine - the workspace engine
 * @param groupName - only this group's jobs, if given
 * @returns the jobs
 */
export async function listJobs(engine: DuckDbEngine, groupName?: string): Promise<IngestJob[]> {
  const rows = await engine.query<{
    job_id: string;
    group_name: string;
    status: IngestJobStatus;
    message: string | null;
    records: number | bigint;
    succeeded: number | bigint;
    failed: number | bigint;
    creation_time: string;
    end_time: string | null;
  }>(`SELECT * FROM ${INGEST_JOBS_TABLE}${groupName === undefined ? '' : ' WHERE group_name = ?'} ORDER BY creation_time DESC, job_id`, groupName === undefined ? [] : [groupName]);
  return rows.map((r) => ({
    jobId: r.job_id,
    groupName: r.group_name,
    status: r.status,
    ...(r.message === null ? {} : { message: r.message }),
    records: Number(r.records),
    succeeded: Number(r.succeeded),
    failed: Number(r.failed),
    creationTime: r.creation_time,
    ...(r.end_time === null ? {} : { endTime: r.end_time }),
  }));
}
