/**
 * The local NDJSON import job. The main thread cuts each `*.ndjson` file into chunks of whole lines and hands them
 * to a pool of worker threads (import-worker.ts; in process for small inputs), which parse, validate and shape every
 * line and write staging files (import-chunk.ts). Chunks commit strictly in file order: each DuckDB transaction
 * takes the next chunk and every following one already processed, up to `batchSize` resources (bulk loads of the
 * staging files, then an upsert of the resources, their events and their rows in the Athena-style per-type tables —
 * athena-tables.ts), so an interrupted job leaves every committed chunk readable and nothing half-written, while the
 * workers keep validating the next chunks. SUCCESS and FAILURE get one line per resource.
 *
 * Idempotence: a resource is keyed by (resourceType, id). Its body — the resource minus `meta.versionId` and
 * `meta.lastUpdated`, keys `resourceType`, `id`, `meta` first — is hashed (MD5, as DuckDB loads it);
 * re-importing the same body keeps the version and `lastUpdated`, a changed body
 * bumps `versionId` by one (HealthLake semantics for an update). A resource repeated in one file is applied in
 * file order (each changed occurrence bumps the version).
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { DuckDBConnection } from '@duckdb/node-api';
import { HealthDataError } from '../../errors';
import type { AthenaType } from '../../formats/fhir/athena-shape';
import { athenaTableName, mergeAthenaType } from '../../formats/fhir/athena-shape';
import { compiledFhirSchema } from '../../formats/fhir/structure';
import type { ChunkPool } from './import-pool';
import { acquirePool, releasePool } from './import-pool';
import type { FhirValidationLevel } from '../../formats/fhir/validate';
import type { DuckDbEngine } from '../../sql/duckdb-engine';
import { sqlLiteral } from '../../sql/literal';
import type { JobProgressReport } from '../fhir-store';
import type { ChunkResult, ImportChunk } from './import-chunk';
import { athenaStagingFile, EV_COLUMNS, KEY_COLUMNS, processChunk, RES_COLUMNS } from './import-chunk';
import type { ImportManifest, ImportSuccessLine } from './job-files';
import { athenaInsertSql, athenaMaxObjectBytes, builtTypeTables, countTypeTable, prepareTypeTable, repairTypeTables } from './athena-tables';
import { RESOURCE_TYPE_PATTERN } from './schema';

export { utcTimestampText } from './import-chunk';

/** Most resources one import transaction commits, by default. */
export const DEFAULT_BATCH_SIZE = 50_000;

/** What the runner needs. */
export interface LocalImportContext {
  /** The workspace DuckDB engine. */
  readonly engine: DuckDbEngine;
  /** The datastore's schema. */
  readonly schema: string;
  /** Validation level. */
  readonly level: FhirValidationLevel;
  /** Input folder of `*.ndjson` files. */
  readonly inputDir: string;
  /** The job's output folder. */
  readonly jobFolder: string;
  /** Whether to publish the per-type tables as views in `main`. */
  readonly publish: boolean;
  /** Most resources per transaction (default {@link DEFAULT_BATCH_SIZE}); chunks hold at most as many lines. */
  readonly batchSize?: number;
  /**
   * Worker threads validating in parallel: default one per CPU (at most 4) when the input exceeds 1 MB, else 0
   * (in process: starting workers costs more than they save on small inputs).
   */
  readonly threads?: number;
  /** Called after each committed chunk with the counts so far. */
  readonly onProgress?: (report: JobProgressReport) => void;
}

/** What the runner returns. */
export interface LocalImportResult {
  /** Final counts. */
  readonly report: JobProgressReport;
  /** The manifest written to the job folder. */
  readonly manifest: ImportManifest;
  /** Resource types the job touched. */
  readonly resourceTypes: readonly string[];
  /** Resources created, updated (version bumped) and unchanged. */
  readonly outcomes: { readonly created: number; readonly updated: number; readonly unchanged: number };
}

function emptyReport(): JobProgressReport {
  return {
    TotalNumberOfScannedFiles: 0,
    TotalSizeOfScannedFilesInMB: 0,
    TotalNumberOfImportedFiles: 0,
    TotalNumberOfResourcesScanned: 0,
    TotalNumberOfResourcesImported: 0,
    TotalNumberOfResourcesWithCustomerError: 0,
    TotalNumberOfFilesReadWithCustomerError: 0,
    Throughput: 0,
  };
}

/**
 * The `*.ndjson` files of an input folder, sorted by name.
 *
 * @param inputDir - the folder
 * @returns absolute file paths
 * @throws {@link HealthDataError} (not-found) when the folder is missing or holds no `.ndjson` file
 */
export function listNdjsonFiles(inputDir: string): string[] {
  if (!fs.existsSync(inputDir) || !fs.statSync(inputDir).isDirectory()) {
    throw new HealthDataError('not-found', `startImportJob: input folder ${inputDir} does not exist; pass inputDir pointing at a folder of <ResourceType>.ndjson files`, {
      path: 'inputDir',
    });
  }
  const files = fs
    .readdirSync(inputDir)
    .filter((f) => f.endsWith('.ndjson'))
    .sort()
    .map((f) => path.join(inputDir, f));
  if (files.length === 0) {
    throw new HealthDataError('not-found', `startImportJob: input folder ${inputDir} holds no .ndjson file; HealthLake imports one FHIR resource per line in .ndjson files`, {
      path: 'inputDir',
    });
  }
  return files;
}

/** One chunk cut from an input file. */
interface RawChunk {
  readonly bytes: Uint8Array;
  readonly startLine: number;
  readonly lines: number;
}

/**
 * DuckDB's memory limit while an import commits, in MB, when DuckDB runs on one thread (beside the worker threads).
 * Left at DuckDB's default (80% of RAM) its buffer pool grew with the input: peak RSS 0.80 GB for 65 MB of NDJSON,
 * 1.28 GB for 261 MB. At 512 MB the same imports peaked at 0.84 and 0.94 GB, no slower (DuckDB spills what does not
 * fit), so the job's memory no longer follows the input's size. At 384 MB a 251 MB import peaked at 794 MB instead of
 * 870 MB, with the same CPU time (29.5 s against 29.4 s). Once the workers' and the main thread's heaps were bounded
 * (import-pool.ts), 256 MB took another ~100 MB off the peak (a 251 MB import, two runs each: 654–669 → 557–573 MiB;
 * its re-import 901 → 715 MiB), with the same CPU time: DuckDB holds ~110–135 MB of it between commits and spills the
 * uncheckpointed rows to its temporary files.
 */
const IMPORT_MEMORY_MB = 256;

/**
 * What each further DuckDB thread adds to {@link IMPORT_MEMORY_MB} (an in-process import keeps DuckDB's own threads):
 * every reading thread holds its own `read_csv` and `read_json` buffers (16–32 MiB each with the bounds a commit
 * passes), counted against the limit.
 */
const IMPORT_MEMORY_MB_PER_THREAD = 64;

/**
 * The import's `memory_limit` for DuckDB running on `threads` threads.
 *
 * @param threads - DuckDB's threads during the job
 * @returns the setting's value
 */
function importMemoryLimit(threads: number): string {
  return `${String(IMPORT_MEMORY_MB + IMPORT_MEMORY_MB_PER_THREAD * Math.max(0, threads - 1))}MB`;
}

// Per connection (the engine keeps one open across commits; a reopened database is a new connection and is configured
// again): its own `threads` setting, and whether an import runs it on one thread.
const configured = new WeakMap<DuckDBConnection, { readonly threads: number; single: boolean }>();

/**
 * Sets the import's DuckDB settings once per connection (a `SET memory_limit` per commit cost a few ms each). Commits
 * are durable in the WAL; a checkpoint in the middle of an import would rewrite the tables once per few commits, so
 * this open of the database checkpoints once, when the engine closes it after the job — bench/fhir.ts.
 *
 * With `singleThread` (worker threads take the cores), DuckDB runs on one thread until {@link restoreThreads}: its
 * parallel bulk loads only added coordination, and its CPU per commit fell by about a third (staging files of 100 MB
 * of Synthea NDJSON, 2 cores; same rows, same insertion order). Switching per commit cost ~70 ms (threads stopped and
 * started), so the setting stays for the job.
 */
async function configureImportConnection(conn: DuckDBConnection, singleThread: boolean): Promise<void> {
  let c = configured.get(conn);
  if (c === undefined) {
    const [row] = (await conn.runAndReadAll(`SELECT current_setting('threads')::INTEGER AS n`)).getRowObjectsJS() as { n: number }[];
    const threads = row?.n ?? 1;
    await conn.run(`SET checkpoint_threshold = '1GB'; SET memory_limit = '${importMemoryLimit(singleThread ? 1 : threads)}';`);
    c = { threads, single: false };
    configured.set(conn, c);
  }
  if (singleThread && !c.single && c.threads > 1) {
    await conn.run('SET threads = 1');
    c.single = true;
  }
}

/**
 * Gives the database its own `memory_limit` back — the engine's (the workspace's setting, e.g. half the machine), or
 * DuckDB's default when the engine sets none: the steps after an import in the same process must not run under the
 * import's limit (these settings are the database's, not the connection's) — its default `checkpoint_threshold`,
 * and its `threads` when the import ran on one thread; the next import configures the connection again.
 */
async function restoreSettings(conn: DuckDBConnection, memoryLimit: string | undefined): Promise<void> {
  const c = configured.get(conn);
  if (c === undefined) {
    return;
  }
  const limit = memoryLimit === undefined ? 'RESET memory_limit' : `SET memory_limit = ${sqlLiteral(memoryLimit)}`;
  await conn.run(`${limit}; RESET checkpoint_threshold${c.single ? `; SET threads = ${String(c.threads)}` : ''}`);
  configured.delete(conn);
}

/** Reads a file into fresh buffers, each starting with the bytes carried over from the previous one. */
class BlockReader {
  eof = false;

  constructor(private readonly fd: number) {}

  /**
   * A fresh buffer: `carry`, then the file up to `size` bytes in all (or its end), grown until it holds a newline.
   *
   * @param carry - bytes not yet in a chunk
   * @param size - the buffer's size, if `carry` is not longer
   * @returns the bytes read (a view of the start of a buffer of its own)
   */
  read(carry: Buffer, size: number): Buffer {
    let buf = Buffer.allocUnsafeSlow(Math.max(size, carry.length, 1));
    let n = carry.copy(buf, 0);
    for (;;) {
      while (!this.eof && n < buf.length) {
        const r = fs.readSync(this.fd, buf, n, buf.length - n, null);
        this.eof = r === 0;
        n += r;
      }
      if (this.eof || buf.subarray(0, n).includes(0x0a)) {
        return buf.subarray(0, n);
      }
      // One line longer than the buffer: grow it until the line ends.
      const bigger = Buffer.allocUnsafeSlow(buf.length * 2);
      buf.copy(bigger, 0, 0, n);
      buf = bigger;
    }
  }
}

/**
 * Cuts a file into chunks of whole lines: at most `maxLines` lines and about `maxBytes` bytes — `first.bytes` for the
 * first `first.chunks` chunks (a longer line makes a chunk of its own). Each chunk is a buffer of its own, so it can
 * be transferred to a worker: a chunk that fills the block read for it is that block (no copy), a smaller one (the
 * line limit) a copy.
 */
function* fileChunks(file: string, maxLines: number, maxBytes: number, first: { chunks: number; bytes: number } = { chunks: 0, bytes: maxBytes }): Generator<RawChunk> {
  const fd = fs.openSync(file, 'r');
  try {
    const reader = new BlockReader(fd);
    let carry = Buffer.alloc(0);
    let line = 1;
    let chunks = 0;
    const limit = (): number => (chunks < first.chunks ? first.bytes : maxBytes);
    while (!reader.eof || carry.length > 0) {
      const data = reader.read(carry, limit());
      let pos = 0;
      let transferred = false;
      while (!transferred) {
        let cut = lastCut(data.subarray(pos), maxLines, limit());
        if (!cut.full && !reader.eof && pos > 0) {
          break; // more lines fit in this chunk: read on
        }
        if (reader.eof && !cut.full && pos + cut.cut < data.length) {
          cut = { cut: data.length - pos, count: cut.count + 1, full: false }; // the last line has no newline
        }
        if (cut.cut === 0) {
          break;
        }
        const end = pos + cut.cut;
        transferred = pos === 0 && data.length - end <= end;
        // What follows a transferred chunk is copied out first: its buffer is detached once posted to a worker.
        carry = transferred ? Buffer.from(data.subarray(end)) : carry;
        const bytes = transferred ? new Uint8Array(data.buffer, data.byteOffset, end) : Uint8Array.prototype.slice.call(data, pos, end);
        yield { bytes, startLine: line, lines: cut.count };
        chunks++;
        line += cut.count;
        pos = end;
      }
      if (!transferred) {
        carry = Buffer.from(data.subarray(pos));
      }
    }
  } finally {
    fs.closeSync(fd);
  }
}

/** Where a chunk of `data` ends: after at most `maxLines` whole lines and `limit` bytes (at least one line). */
function lastCut(data: Buffer, maxLines: number, limit: number): { cut: number; count: number; full: boolean } {
  let cut = 0;
  let count = 0;
  while (count < maxLines) {
    const nl = data.indexOf(0x0a, cut);
    if (nl < 0) {
      return { cut, count, full: false };
    }
    if (count > 0 && nl + 1 > limit) {
      return { cut, count, full: true };
    }
    cut = nl + 1;
    count++;
  }
  return { cut, count, full: true };
}

function csvSource(files: readonly string[], columns: Readonly<Record<string, string>>, maxRowBytes: number): string {
  const cols = Object.entries(columns)
    .map(([k, v]) => `'${k}': '${v}'`)
    .join(', ');
  const maxLine = Math.max(2 * 1024 * 1024, maxRowBytes + 1024);
  return `read_csv([${files.map(sqlLiteral).join(', ')}], columns := {${cols}}, delim := '\x01', quote := '', escape := '', header := false, auto_detect := false, max_line_size := ${maxLine}, buffer_size := ${Math.max(maxLine * 2, 16 * 1024 * 1024)})`;
}

interface StagedRow {
  chunk: number;
  line: number;
  resource_type: string;
  id: string;
  outcome: 'created' | 'updated' | 'unchanged';
}

// Outcomes and versions when a key may occur more than once in the group: a window over the occurrences of each
// key in file order (chunk, line), computed on the narrow key columns.
const STAGED_WITH_REPEATS = (schema: string): string => `
CREATE OR REPLACE TEMP TABLE staged AS
WITH j AS (
  SELECT s.chunk, s.line, s.resource_type, s.id, s.hash, o.hash AS old_hash, o.version_id AS old_version,
    row_number() OVER w AS occ, count(*) OVER (PARTITION BY s.resource_type, s.id) AS n, lag(s.hash) OVER w AS prev_hash
  FROM stage s LEFT JOIN ${schema}.resource o ON o.resource_type = s.resource_type AND o.id = s.id
  WINDOW w AS (PARTITION BY s.resource_type, s.id ORDER BY s.chunk, s.line)
), k AS (
  SELECT *, CASE WHEN occ = 1 AND old_hash IS NULL THEN 'created'
    WHEN hash = (CASE WHEN occ = 1 THEN old_hash ELSE prev_hash END) THEN 'unchanged' ELSE 'updated' END AS outcome
  FROM j
)
SELECT chunk, line, resource_type, id, occ, n, outcome,
  coalesce(old_version, 0) + sum(CASE WHEN outcome = 'unchanged' THEN 0 ELSE 1 END) OVER (PARTITION BY resource_type, id ORDER BY chunk, line) AS new_version,
  sum(CASE WHEN outcome = 'unchanged' THEN 0 ELSE 1 END) OVER (PARTITION BY resource_type, id) AS changes
FROM k;`;

// The same when every key occurs once (the usual case): a join, no window.
const STAGED_UNIQUE = (schema: string): string => `
CREATE OR REPLACE TEMP TABLE staged AS
SELECT s.chunk, s.line, s.resource_type, s.id, 1 AS occ, 1 AS n,
  CASE WHEN o.hash IS NULL THEN 'created' WHEN o.hash = s.hash THEN 'unchanged' ELSE 'updated' END AS outcome,
  coalesce(o.version_id, 0) + CASE WHEN o.hash = s.hash THEN 0 ELSE 1 END AS new_version,
  CASE WHEN o.hash = s.hash THEN 0 ELSE 1 END AS changes
FROM stage s LEFT JOIN ${schema}.resource o ON o.resource_type = s.resource_type AND o.id = s.id;`;

/** How a group is staged: the `read_csv` sources of its resources and events, and which path its commit takes. */
interface GroupStaging {
  /** The `.res` staging files. */
  readonly resources: string;
  /** The `.ev` staging files. */
  readonly events: string;
  /** Only new resources with distinct keys (a first import): every row is created at version 1, straight from the files. */
  readonly fresh: boolean;
  /** Whether some resources are updated (their old rows, events and table rows are replaced). */
  readonly replaces: boolean;
}

/**
 * Stages a group's keys and decides its commit path; unless the group is fresh, the bodies are hashed and each
 * row's outcome and version computed (temp tables `stage`, `staged`, `changed`).
 */
async function stageGroup(conn: DuckDBConnection, schema: string, group: readonly ChunkResult[]): Promise<GroupStaging> {
  const maxRowBytes = Math.max(...group.map((r) => r.maxRowBytes));
  const source = (ext: string, columns: Readonly<Record<string, string>>): string =>
    csvSource(
      group.map((r) => `${r.stagingPrefix}.${ext}`),
      columns,
      maxRowBytes,
    );
  const resources = source('res', RES_COLUMNS);
  // Stored keys are looked up among the group's resource types only: the resource table is filled file by file, so
  // its row groups hold few types each and DuckDB's zone maps skip the others instead of scanning the whole table.
  // The keys are read straight from the small `.keys` files (no staging table).
  const types = [...new Set(group.flatMap((r) => Object.keys(r.typeCounts)))].map(sqlLiteral).join(', ');
  const [keys] = (
    await conn.runAndReadAll(
      `WITH k AS MATERIALIZED (SELECT resource_type, id FROM ${source('keys', KEY_COLUMNS)}) ` +
        `SELECT count(*) = count(DISTINCT (resource_type, id)) AS unique_keys, (SELECT count(*) FROM k JOIN (SELECT resource_type, id FROM ${schema}.resource WHERE resource_type IN (${types})) o USING (resource_type, id))::INTEGER AS stored FROM k`,
    )
  ).getRowObjectsJS() as { unique_keys: boolean; stored: number }[];
  const fresh = keys?.unique_keys === true && keys.stored === 0;
  if (fresh) {
    return { resources, events: source('ev', EV_COLUMNS), fresh, replaces: false };
  }
  await conn.run(`
CREATE OR REPLACE TEMP TABLE stage AS SELECT *, md5(body) AS hash FROM ${resources};
${keys?.unique_keys === true ? STAGED_UNIQUE(schema) : STAGED_WITH_REPEATS(schema)}
CREATE OR REPLACE TEMP TABLE changed AS SELECT chunk, line, resource_type, id, new_version FROM staged WHERE occ = n AND changes > 0;`);
  // Only updated resources have rows and events to replace; skipping the deletes otherwise spares a scan of the
  // whole resource, event and type tables per commit.
  const [upd] = (await conn.runAndReadAll('SELECT count(*)::INTEGER AS n FROM changed WHERE new_version > 1')).getRowObjectsJS() as { n: number }[];
  return { resources, events: source('ev', EV_COLUMNS), fresh, replaces: (upd?.n ?? 0) > 0 };
}

const NOW_SQL = "CAST(now() AT TIME ZONE 'UTC' AS TIMESTAMP)";

/** Writes a staged group's resources and events (inside the commit's transaction). */
async function writeResourcesAndEvents(conn: DuckDBConnection, schema: string, st: GroupStaging): Promise<void> {
  if (st.replaces) {
    await conn.run(`
DELETE FROM ${schema}.resource o USING changed c WHERE c.new_version > 1 AND o.resource_type = c.resource_type AND o.id = c.id;
DELETE FROM ${schema}.event e USING changed c WHERE c.new_version > 1 AND e.resource_type = c.resource_type AND e.resource_id = c.id;`);
  }
  const columns = 'resource_type, id, version_id, last_updated, hash, subject_ref, clinical_time, body';
  const eventColumns = 'ev.patient_id, ev.resource_type, ev.resource_id, CAST(ev.event_time AS TIMESTAMP), ev.system, ev.code, ev.value, ev.unit, ev.value_code, ev.category';
  await conn.run(
    st.fresh
      ? `
INSERT INTO ${schema}.resource (${columns})
SELECT s.resource_type, s.id, 1, ${NOW_SQL}, md5(s.body), s.subject_ref, CAST(s.clinical_time AS TIMESTAMP), s.body FROM ${st.resources} s;
INSERT INTO ${schema}.event SELECT ${eventColumns} FROM ${st.events} ev;`
      : `
INSERT INTO ${schema}.resource (${columns})
SELECT s.resource_type, s.id, c.new_version, ${NOW_SQL}, s.hash, s.subject_ref, CAST(s.clinical_time AS TIMESTAMP), s.body
FROM stage s JOIN changed c USING (chunk, line);
INSERT INTO ${schema}.event SELECT ${eventColumns}
FROM ${st.events} ev SEMI JOIN changed c ON ev.chunk = c.chunk AND ev.resource_type = c.resource_type AND ev.resource_id = c.id;`,
  );
}

/**
 * Writes a staged group's rows into the per-type Athena tables (inside the commit's transaction), widening a table
 * first when the group brings a field or type it has not seen.
 */
async function writeTypeRows(conn: DuckDBConnection, schema: string, group: readonly ChunkResult[], st: GroupStaging, tables: Map<string, AthenaType>, publish: boolean): Promise<void> {
  const observed = new Map<string, AthenaType>();
  for (const r of group) {
    for (const [type, t] of Object.entries(r.types)) {
      observed.set(type, mergeAthenaType(observed.get(type) ?? 'NULL', t));
    }
  }
  for (const [type, t] of observed) {
    if (!RESOURCE_TYPE_PATTERN.test(type)) {
      continue;
    }
    const before = tables.get(type);
    const after = mergeAthenaType(structuredClone(before ?? 'NULL'), t);
    const rowType = await prepareTypeTable(conn, schema, type, before, after, publish);
    tables.set(type, after);
    const table = `${schema}."${athenaTableName(type)}"`;
    if (st.replaces) {
      await conn.run(`DELETE FROM ${table} o USING changed c WHERE c.new_version > 1 AND c.resource_type = $1 AND o.id = c.id`, [type]);
    }
    const files = group.filter((r) => type in r.types).map((r) => athenaStagingFile(r.stagingPrefix, type));
    const maxObjectBytes = athenaMaxObjectBytes(Math.max(...group.map((r) => r.maxAthenaBytes)));
    if (st.fresh) {
      await conn.run(athenaInsertSql(table, rowType, { files, join: '', version: '1', lastUpdated: NOW_SQL, maxObjectBytes }));
      const added = group.reduce((n, r) => n + (r.typeCounts[type] ?? 0), 0);
      await countTypeTable(conn, schema, type, before === undefined ? undefined : added);
    } else {
      const join = 'JOIN changed c ON c.chunk = a.__chunk AND c.line = a.__line AND c.resource_type = $1';
      await conn.run(athenaInsertSql(table, rowType, { files, join, version: 'c.new_version', lastUpdated: NOW_SQL, maxObjectBytes }), [type]);
      await countTypeTable(conn, schema, type);
    }
  }
}

/**
 * Commits a group of consecutive chunks in one transaction — resources, events and the rows of the per-type Athena
 * tables (athena-tables.ts), with the merged inferred types — and returns each row's outcome, in file order.
 * Outcomes and versions follow file order (a resource repeated in the group is applied occurrence by occurrence);
 * unchanged resources are not rewritten.
 *
 * @param conn - a write connection
 * @param schema - the datastore schema
 * @param group - the chunks' staging files and inferred types, in file order
 * @param tables - the inferred type each resource type's table was built with (updated here; absent: no table)
 * @param publish - whether the datastore is published as views in `main`
 * @returns outcomes by chunk and line, or `created` when every row was created (a fresh group: the chunks'
 *   `createdText` holds their SUCCESS lines)
 */
async function upsertGroup(conn: DuckDBConnection, schema: string, group: readonly ChunkResult[], tables: Map<string, AthenaType>, publish: boolean): Promise<StagedRow[] | 'created'> {
  const st = await stageGroup(conn, schema, group);
  await conn.run('BEGIN TRANSACTION');
  try {
    await writeResourcesAndEvents(conn, schema, st);
    await writeTypeRows(conn, schema, group, st, tables, publish);
    await conn.run('COMMIT');
  } catch (e) {
    await conn.run('ROLLBACK').catch(() => undefined);
    throw e;
  }
  if (st.fresh) {
    return 'created';
  }
  const reader = await conn.runAndReadAll('SELECT chunk, line, resource_type, id, outcome FROM staged ORDER BY chunk, line');
  return reader.getRowObjectsJS() as unknown as StagedRow[];
}

/** A job's files, output folders and sizing. */
interface JobPlan {
  readonly files: readonly string[];
  readonly batchSize: number;
  readonly successDir: string;
  readonly failureDir: string;
  /** Staging folder (removed at the end). */
  readonly scratch: string;
  readonly threads: number;
  /** Bytes per chunk. */
  readonly chunkBytes: number;
}

function planJob(ctx: LocalImportContext): JobPlan {
  const files = listNdjsonFiles(ctx.inputDir);
  const successDir = path.join(ctx.jobFolder, 'SUCCESS');
  const failureDir = path.join(ctx.jobFolder, 'FAILURE');
  const scratch = path.join(ctx.jobFolder, '.scratch');
  for (const dir of [successDir, failureDir, scratch]) {
    fs.mkdirSync(dir, { recursive: true });
  }
  const totalBytes = files.reduce((a, f) => a + fs.statSync(f).size, 0);
  const threads = Math.max(0, Math.floor(ctx.threads ?? (totalBytes > 1e6 ? Math.min(4, os.availableParallelism()) : 0)));
  // Chunks small enough that every worker has several to work on while the main thread commits; a commit takes every
  // chunk that is ready (up to batchSize resources), so transactions grow when the workers are ahead.
  const chunkBytes = Math.min(4 << 20, Math.max(256 << 10, Math.ceil(totalBytes / Math.max(1, threads * 4))));
  return { files, batchSize: Math.max(1, ctx.batchSize ?? DEFAULT_BATCH_SIZE), successDir, failureDir, scratch, threads, chunkBytes };
}

/**
 * A running job: submits the chunks of every file to the workers (or in process), commits them strictly in file
 * order, in groups, and keeps the counts and the SUCCESS/FAILURE output.
 */
class ImportRun {
  report = emptyReport();
  scannedBytes = 0;
  importedBytes = 0;
  readonly touched = new Set<string>();
  readonly counts = { created: 0, updated: 0, unchanged: 0 };
  private readonly importedFiles = new Set<string>();
  private readonly failedFiles = new Set<string>();
  private readonly t0 = Date.now();
  private readonly pending = new Map<number, Promise<ChunkResult>>();
  private readonly ready = new Map<number, ChunkResult>();
  /** A file counts as scanned once all its chunks are committed. */
  private readonly chunksOf = new Map<string, { committed: number; total?: number }>();
  private submitted = 0;
  private committed = 0;

  constructor(
    private readonly ctx: LocalImportContext,
    private readonly plan: JobPlan,
    private readonly tables: Map<string, AthenaType>,
    private readonly pool: ChunkPool | undefined,
  ) {}

  /** Submits every file's chunks, committing as they are processed, and commits the rest. */
  async run(): Promise<void> {
    for (const file of this.plan.files) {
      await this.submitFile(file);
    }
    while (this.committed < this.submitted) {
      await this.commitNext();
    }
  }

  /** Waits for the submitted chunks (after a failure), so their staging files can be removed. */
  async settle(): Promise<void> {
    await Promise.allSettled(this.pending.values());
  }

  private async submitFile(file: string): Promise<void> {
    const { threads, batchSize, chunkBytes, scratch } = this.plan;
    const name = path.basename(file);
    fs.writeFileSync(path.join(this.plan.successDir, name), '');
    fs.writeFileSync(path.join(this.plan.failureDir, name), '');
    const perFile: { committed: number; total?: number } = { committed: 0 };
    this.chunksOf.set(name, perFile);
    let total = 0;
    // The first chunks of a job are small, so the first commit starts early instead of waiting on whole chunks.
    const first = this.submitted === 0 ? { chunks: Math.max(1, threads), bytes: Math.max(64 << 10, chunkBytes >> 2) } : undefined;
    for (const raw of fileChunks(file, batchSize, chunkBytes, first)) {
      total++;
      const seq = this.submitted++;
      const chunk: ImportChunk = { seq, file: name, startLine: raw.startLine, bytes: raw.bytes, stagingPrefix: path.join(scratch, `chunk-${seq}`), level: this.ctx.level };
      const p = this.pool === undefined ? Promise.resolve().then(() => processChunk(chunk)) : this.pool.run(chunk);
      p.then((r) => this.ready.set(r.seq, r)).catch(() => undefined);
      this.pending.set(seq, p);
      // Keep every worker busy while the main thread commits, without reading far ahead of the commits.
      while (this.submitted - this.committed > Math.max(1, threads) * 4 || (this.pool === undefined && this.submitted > this.committed)) {
        await this.commitNext();
      }
    }
    perFile.total = total;
    this.fileDone(name);
  }

  private fileDone(name: string): void {
    const c = this.chunksOf.get(name);
    if (c !== undefined && c.committed === c.total) {
      this.chunksOf.delete(name);
      this.report = { ...this.report, TotalNumberOfScannedFiles: this.report.TotalNumberOfScannedFiles + 1 };
    }
  }

  /** The next chunk with every following chunk already processed, up to batchSize resources; FAILURE lines written. */
  private async takeGroup(): Promise<ChunkResult[]> {
    const first = this.pending.get(this.committed);
    if (first === undefined) {
      throw new HealthDataError('backend', `import: chunk ${this.committed} was never submitted`);
    }
    const head = await first;
    const group = [head];
    let lines = head.scanned;
    for (let next = this.ready.get(this.committed + 1); next !== undefined && lines + next.scanned <= this.plan.batchSize; next = this.ready.get(this.committed + group.length)) {
      group.push(next);
      lines += next.scanned;
    }
    for (const r of group) {
      this.pending.delete(r.seq);
      this.ready.delete(r.seq);
      if (r.failureText !== '') {
        fs.appendFileSync(path.join(this.plan.failureDir, r.file), r.failureText);
        this.failedFiles.add(r.file);
      }
    }
    this.committed += group.length;
    return group;
  }

  /** Commits the next group (one transaction) and writes its SUCCESS lines. */
  private async commitNext(): Promise<void> {
    const group = await this.takeGroup();
    const accepted = group.filter((r) => r.accepted > 0);
    if (accepted.length > 0) {
      const { ctx } = this;
      const rows = await ctx.engine.session('import clinical', async (conn) => {
        // With worker threads busy on the cores, DuckDB commits on one thread; in process it keeps its own threads.
        await configureImportConnection(conn, this.pool !== undefined);
        return upsertGroup(conn, ctx.schema, accepted, this.tables, ctx.publish);
      });
      this.writeSuccess(accepted, rows);
    }
    for (const r of group) {
      this.account(r);
    }
    this.ctx.onProgress?.(this.report);
  }

  private writeSuccess(accepted: readonly ChunkResult[], rows: readonly StagedRow[] | 'created'): void {
    const text = new Map<string, string>();
    if (rows === 'created') {
      for (const r of accepted) {
        this.counts.created += r.accepted;
        text.set(r.file, `${text.get(r.file) ?? ''}${r.createdText}`);
      }
    } else {
      const fileOf = new Map(accepted.map((r) => [r.seq, r.file]));
      for (const row of rows) {
        this.counts[row.outcome]++;
        const file = fileOf.get(row.chunk) ?? '';
        const line: ImportSuccessLine = { file, line: row.line, resourceType: row.resource_type, id: row.id, outcome: row.outcome };
        text.set(file, `${text.get(file) ?? ''}${JSON.stringify(line)}\n`);
      }
    }
    for (const [file, t] of text) {
      fs.appendFileSync(path.join(this.plan.successDir, file), t);
      this.importedFiles.add(file);
    }
    for (const r of accepted) {
      for (const t of Object.keys(r.types)) {
        this.touched.add(t);
      }
    }
  }

  /** Removes a committed chunk's staging files and adds it to the counts. */
  private account(r: ChunkResult): void {
    for (const file of [`${r.stagingPrefix}.res`, `${r.stagingPrefix}.keys`, `${r.stagingPrefix}.ev`, ...Object.keys(r.types).map((t) => athenaStagingFile(r.stagingPrefix, t))]) {
      fs.rmSync(file, { force: true });
    }
    this.scannedBytes += r.scannedBytes;
    this.importedBytes += r.acceptedBytes;
    const imported = this.report.TotalNumberOfResourcesImported + r.accepted;
    this.report = {
      ...this.report,
      TotalSizeOfScannedFilesInMB: this.scannedBytes / 1e6,
      TotalNumberOfResourcesScanned: this.report.TotalNumberOfResourcesScanned + r.scanned,
      TotalNumberOfResourcesImported: imported,
      TotalNumberOfResourcesWithCustomerError: this.report.TotalNumberOfResourcesWithCustomerError + r.failed,
      Throughput: Math.round((imported / Math.max(1, Date.now() - this.t0)) * 1000),
    };
    const c = this.chunksOf.get(r.file);
    if (c !== undefined) {
      c.committed++;
      this.fileDone(r.file);
    }
  }

  /** The final report (file counts added) and the manifest, written to the job folder. */
  finish(): ImportManifest {
    this.report = { ...this.report, TotalNumberOfImportedFiles: this.importedFiles.size, TotalNumberOfFilesReadWithCustomerError: this.failedFiles.size };
    this.ctx.onProgress?.(this.report);
    const { report, ctx, plan } = this;
    const manifest: ImportManifest = {
      inputDataConfig: { s3Uri: ctx.inputDir },
      outputDataConfig: { s3Uri: ctx.jobFolder },
      successOutput: { successOutputS3Uri: `${plan.successDir}/` },
      failureOutput: { failureOutputS3Uri: `${plan.failureDir}/` },
      numberOfScannedFiles: report.TotalNumberOfScannedFiles,
      numberOfFilesImported: report.TotalNumberOfImportedFiles,
      sizeOfScannedFilesInMB: Math.round((this.scannedBytes / 1e6) * 1e4) / 1e4,
      sizeOfDataImportedSuccessfullyInMB: Math.round((this.importedBytes / 1e6) * 1e4) / 1e4,
      numberOfResourcesScanned: report.TotalNumberOfResourcesScanned,
      numberOfResourcesImportedSuccessfully: report.TotalNumberOfResourcesImported,
      numberOfResourcesWithCustomerError: report.TotalNumberOfResourcesWithCustomerError,
      numberOfResourcesWithServerError: 0,
    };
    fs.writeFileSync(path.join(ctx.jobFolder, 'manifest.json'), `${JSON.stringify(manifest, null, 2)}\n`);
    return manifest;
  }
}

/**
 * Runs a local import job to the end (the caller records status transitions).
 *
 * @param ctx - engine, schema, level, folders
 * @returns counts, manifest and touched types
 * @throws {@link HealthDataError} (not-found) for a missing input folder; (backend) when DuckDB or a worker fails
 */
export async function runLocalImport(ctx: LocalImportContext): Promise<LocalImportResult> {
  const plan = planJob(ctx);
  // Datastores written before the type tables were kept in step with each commit are repaired first.
  const tables = await ctx.engine.session('import clinical: tables', async (conn) => {
    await repairTypeTables(conn, ctx.schema, plan.scratch, ctx.publish);
    return builtTypeTables(conn, ctx.schema);
  });
  // In process, the schema is compiled here; workers get one compiled off the main thread (import-pool.ts).
  const pool = plan.threads > 0 ? await acquirePool(plan.threads) : undefined;
  if (pool === undefined) {
    compiledFhirSchema();
  }
  const job = new ImportRun(ctx, plan, tables, pool);
  try {
    // One open of the database for the whole job: between commits the job waits on its workers, and each wait past
    // the engine's idle close would close the file (a checkpoint of a WAL that may hold a GB) and reopen it.
    await ctx.engine.keepOpen(() => job.run());
  } catch (e) {
    // Stop the job's queued chunks, let the running ones finish writing, then drop all its staging.
    pool?.cancel(plan.scratch);
    await job.settle();
    fs.rmSync(plan.scratch, { recursive: true, force: true });
    throw e;
  } finally {
    if (pool !== undefined) {
      await releasePool(pool);
    }
    // A failed job's DuckDB error is the one reported.
    await ctx.engine.session('import clinical: settings', (conn) => restoreSettings(conn, ctx.engine.duckdbSettings.memory_limit)).catch(() => undefined);
  }
  const manifest = job.finish();
  fs.rmSync(plan.scratch, { recursive: true, force: true });
  return { report: job.report, manifest, resourceTypes: [...job.touched].sort(), outcomes: job.counts };
}
