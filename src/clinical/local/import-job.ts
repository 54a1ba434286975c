/**
 * The local NDJSON import job. The main thread cuts each `*.ndjson` file into chunks of whole lines and hands them
 * to a pool of worker threads (import-worker.ts; in process for small inputs), which parse, validate and shape every
 * line and write staging files (import-chunk.ts). Chunks commit strictly in file order, one DuckDB transaction each
 * (bulk `read_csv` of the staging file, then an upsert), so an interrupted job leaves every committed chunk readable
 * and nothing half-written, while the workers keep validating the next chunks. SUCCESS and FAILURE get one line per
 * resource; the Athena-style per-type tables are rebuilt at the end.
 *
 * Idempotence: a resource is keyed by (resourceType, id). Its body — the resource minus `meta.versionId` and
 * `meta.lastUpdated`, keys `resourceType`, `id`, `meta` first — is hashed (MD5, as DuckDB loads it); re-importing the same body keeps the version and `lastUpdated`, a changed body
 * bumps `versionId` by one (HealthLake semantics for an update). A resource repeated in one file is applied in
 * file order (each changed occurrence bumps the version).
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Worker } from 'node:worker_threads';
import type { DuckDBConnection } from '@duckdb/node-api';
import { HealthDataError, normalizeErrorString } from '../../errors';
import type { AthenaType } from '../../formats/fhir/athena-shape';
import { athenaTypeSql, mergeAthenaType } from '../../formats/fhir/athena-shape';
import { compiledFhirSchema } from '../../formats/fhir/structure';
import type { FhirValidationLevel } from '../../formats/fhir/validate';
import type { DuckDbEngine } from '../../sql/duckdb-engine';
import type { JobProgressReport } from '../fhir-store';
import type { ChunkResult, ImportChunk } from './import-chunk';
import { EV_COLUMNS, processChunk, RES_COLUMNS } from './import-chunk';
import type { ImportManifest, ImportSuccessLine } from './job-files';
import { athenaStructureDdl, athenaWithMetaSql, RESOURCE_TYPE_PATTERN } from './schema';

export { utcTimestampText } from './import-chunk';

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
  /** Most resources per transaction (default 5,000). */
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
  /** Resource types the job touched (their tables were rebuilt). */
  readonly resourceTypes: readonly string[];
  /** Resources created, updated (version bumped) and unchanged. */
  readonly outcomes: { readonly created: number; readonly updated: number; readonly unchanged: number };
}

function sqlString(s: string): string {
  return `'${s.replace(/'/g, "''")}'`;
}

interface DescribedColumn {
  column_name: string;
  column_type: string;
}

/**
 * Rebuilds the Athena-style table of each resource type from the `resource` table: writes the Athena-shaped JSON
 * (with `meta.versionid`/`meta.lastupdated`) to a scratch NDJSON file and reads it back with `read_json` under
 * the type's inferred column types (`athena_structure`: VARCHAR for ids and dates, as the Athena tables keep them;
 * use `from_iso8601_timestamp`), swapping the table in one statement. A type without a kept structure (a datastore
 * from before it was kept) has DuckDB infer the types over all rows first, with UUID-typed strings turned back into
 * VARCHAR.
 *
 * @param conn - a write connection
 * @param schema - the datastore schema
 * @param types - resource types to rebuild
 * @param scratchDir - folder for the scratch files (removed afterwards)
 * @param publish - also (re)create `main.<table>` views
 * @param structures - inferred row types by resource type (default: read from `athena_structure`)
 */
export async function rebuildTypeTables(
  conn: DuckDBConnection,
  schema: string,
  types: Iterable<string>,
  scratchDir: string,
  publish: boolean,
  structures?: ReadonlyMap<string, AthenaType>,
): Promise<void> {
  fs.mkdirSync(scratchDir, { recursive: true });
  await conn.run(athenaStructureDdl(schema));
  for (const type of types) {
    if (!RESOURCE_TYPE_PATTERN.test(type)) {
      continue;
    }
    const table = type.toLowerCase();
    const file = path.join(scratchDir, `${table}.ndjson`);
    await conn.run(
      `COPY (SELECT ${athenaWithMetaSql()} FROM ${schema}.resource WHERE resource_type = ${sqlString(type)} ORDER BY id) TO ${sqlString(file)} (FORMAT csv, HEADER false, QUOTE '', ESCAPE '', DELIMITER '\x01')`,
    );
    const opts = `format := 'newline_delimited', dateformat := 'NONE', timestampformat := 'NONE', maximum_object_size := 268435456`;
    const size = fs.statSync(file).size;
    if (size === 0) {
      await conn.run(`DROP TABLE IF EXISTS ${schema}."${table}"`);
      if (publish) {
        await conn.run(`DROP VIEW IF EXISTS main."${table}"`);
      }
      await conn.run(`DELETE FROM ${schema}.resource_type_table WHERE resource_type = ${sqlString(type)}`);
      continue;
    }
    let columns: string[];
    const kept = structures?.get(type) ?? (await storedStructure(conn, schema, type));
    if (kept !== undefined && typeof kept === 'object' && 's' in kept) {
      // The rebuild adds meta.versionid and meta.lastupdated to every row.
      const meta = kept.s.meta;
      const withMeta: AthenaType = { s: { ...kept.s, meta: mergeAthenaType(meta === undefined ? { s: {} } : meta, { s: { versionid: 'VARCHAR', lastupdated: 'VARCHAR' } }) } };
      columns = Object.entries((withMeta as { s: Record<string, AthenaType> }).s)
        .filter(([k]) => /^[A-Za-z_][A-Za-z0-9_]*$/.test(k))
        .map(([k, t]) => `${sqlString(k)}: ${sqlString(athenaTypeSql(t))}`);
    } else {
      const described = (await conn.runAndReadAll(`DESCRIBE SELECT * FROM read_json(${sqlString(file)}, ${opts}, sample_size := -1)`)).getRowObjectsJS() as unknown as DescribedColumn[];
      columns = described
        .filter((c) => /^[A-Za-z_][A-Za-z0-9_]*$/.test(c.column_name))
        .map((c) => `${sqlString(c.column_name)}: ${sqlString(c.column_type.replace(/\bUUID\b/g, 'VARCHAR'))}`);
    }
    await conn.run(`CREATE OR REPLACE TABLE ${schema}."${table}" AS SELECT * FROM read_json(${sqlString(file)}, ${opts}, columns := {${columns.join(', ')}})`);
    await conn.run(
      `INSERT OR REPLACE INTO ${schema}.resource_type_table SELECT ${sqlString(type)}, ${sqlString(table)}, count(*) FROM ${schema}."${table}"`,
    );
    if (publish) {
      await conn.run(`CREATE OR REPLACE VIEW main."${table}" AS SELECT * FROM ${schema}."${table}"`);
    }
    fs.rmSync(file, { force: true });
  }
}

async function storedStructure(conn: DuckDBConnection, schema: string, type: string): Promise<AthenaType | undefined> {
  const rows = (await conn.runAndReadAll(`SELECT structure FROM ${schema}.athena_structure WHERE resource_type = $1`, [type])).getRowObjectsJS() as { structure: string }[];
  return rows[0] === undefined ? undefined : (JSON.parse(rows[0].structure) as AthenaType);
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


/** A fixed pool of import workers; each takes one chunk at a time. */
class ChunkPool {
  /** Worker count. */
  readonly size: number;
  private readonly idle: Worker[] = [];
  private readonly waiting: { chunk: ImportChunk; resolve: (r: ChunkResult) => void; reject: (e: Error) => void }[] = [];
  private readonly busy = new Map<Worker, { resolve: (r: ChunkResult) => void; reject: (e: Error) => void }>();
  private readonly all: Worker[] = [];
  private failure: Error | undefined;

  constructor(threads: number) {
    this.size = threads;
    const ext = path.extname(__filename);
    const file = path.join(__dirname, `import-worker${ext}`);
    const schema = compiledFhirSchema();
    for (let i = 0; i < threads; i++) {
      // Running from TypeScript sources (tests, bench): the worker registers the same on-the-fly compiler first.
      const w =
        ext === '.ts'
          ? new Worker(`require(${JSON.stringify(require.resolve('tsx/cjs'))}); require(${JSON.stringify(file)});`, { eval: true, workerData: { schema }, execArgv: [] })
          : new Worker(file, { workerData: { schema } });
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

  async close(): Promise<void> {
    await Promise.all(this.all.map((w) => w.terminate()));
  }
}

// One pool per process, shared by the imports of all stores: starting a worker (loading the modules and receiving
// the compiled definitions) costs far more than a chunk, so a notebook importing folder after folder pays it once.
// An idle pool does not keep the process alive and is closed after a minute.
let shared: { pool: ChunkPool; users: number; timer?: NodeJS.Timeout } | undefined;
const POOL_IDLE_MS = 60_000;

function acquirePool(threads: number): ChunkPool {
  if (shared !== undefined && (shared.pool.broken || (shared.users === 0 && shared.pool.size !== threads))) {
    void shared.pool.close();
    clearTimeout(shared.timer);
    shared = undefined;
  }
  if (shared === undefined || shared.pool.size !== threads) {
    // A concurrent job wanting another size gets a private pool (closed when it ends).
    if (shared !== undefined) {
      return new ChunkPool(threads);
    }
    shared = { pool: new ChunkPool(threads), users: 0 };
  }
  clearTimeout(shared.timer);
  shared.users++;
  shared.pool.hold(true);
  return shared.pool;
}

async function releasePool(pool: ChunkPool): Promise<void> {
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

/** One chunk cut from an input file. */
interface RawChunk {
  readonly bytes: Uint8Array;
  readonly startLine: number;
  readonly lines: number;
}

/**
 * Cuts a file into chunks of whole lines: at most `maxLines` lines and about `maxBytes` bytes (a longer line makes
 * a chunk of its own). Each chunk is a fresh buffer, so it can be transferred to a worker.
 */
function* fileChunks(file: string, maxLines: number, maxBytes: number): Generator<RawChunk> {
  const fd = fs.openSync(file, 'r');
  try {
    const block = Buffer.allocUnsafe(Math.max(maxBytes, 1 << 20));
    let carry = Buffer.alloc(0);
    let line = 1;
    let eof = false;
    while (!eof) {
      const n = fs.readSync(fd, block, 0, block.length, null);
      eof = n === 0;
      const data = carry.length === 0 ? block.subarray(0, n) : Buffer.concat([carry, block.subarray(0, n)]);
      let pos = 0;
      for (;;) {
        let cut = pos;
        let count = 0;
        let full = false;
        while (count < maxLines) {
          const nl = data.indexOf(0x0a, cut);
          if (nl < 0) {
            break;
          }
          if (count > 0 && nl + 1 - pos > maxBytes) {
            full = true;
            break;
          }
          cut = nl + 1;
          count++;
        }
        if (count === maxLines) {
          full = true;
        }
        if (!full && !eof) {
          break;
        }
        if (eof && cut < data.length && !full) {
          // The last line has no newline.
          cut = data.length;
          count++;
        }
        if (cut === pos) {
          break;
        }
        yield { bytes: new Uint8Array(data.subarray(pos, cut)), startLine: line, lines: count };
        line += count;
        pos = cut;
      }
      carry = Buffer.from(data.subarray(pos));
    }
  } finally {
    fs.closeSync(fd);
  }
}

function csvSource(file: string, columns: Readonly<Record<string, string>>, maxRowBytes: number): string {
  const cols = Object.entries(columns)
    .map(([k, v]) => `'${k}': '${v}'`)
    .join(', ');
  const maxLine = Math.max(2 * 1024 * 1024, maxRowBytes + 1024);
  return `read_csv(${sqlString(file)}, columns := {${cols}}, delim := '\x01', quote := '', escape := '', header := false, auto_detect := false, max_line_size := ${maxLine}, buffer_size := ${Math.max(maxLine * 2, 16 * 1024 * 1024)})`;
}

interface StagedRow {
  line: number;
  resource_type: string;
  id: string;
  outcome: 'created' | 'updated' | 'unchanged';
}

/** The kept Athena row type of a resource type during a job; `legacy` types (rows without one) are not kept. */
interface KeptStructure {
  type: AthenaType;
  readonly legacy: boolean;
}

/**
 * Commits one chunk's staging files in one transaction (with the merged Athena row types) and returns each row's
 * outcome, in line order. Outcomes and versions follow file order within the chunk (a window over the occurrences
 * of a key, computed on the narrow key columns); unchanged resources are not rewritten.
 */
async function upsertChunk(conn: DuckDBConnection, schema: string, r: ChunkResult, kept: Map<string, KeptStructure>): Promise<StagedRow[]> {
  // Commits are durable in the WAL; a checkpoint in the middle of an import would rewrite the tables once per few
  // chunks, so this open of the database checkpoints once, when the engine closes it (idle) — bench/fhir.ts.
  await conn.run(`
SET checkpoint_threshold = '1GB';
${athenaStructureDdl(schema)}
CREATE OR REPLACE TEMP TABLE stage AS SELECT *, md5(body) AS hash FROM ${csvSource(`${r.stagingPrefix}.res`, RES_COLUMNS, r.maxRowBytes)};
CREATE OR REPLACE TEMP TABLE staged AS
WITH j AS (
  SELECT s.line, s.resource_type, s.id, s.hash, o.hash AS old_hash, o.version_id AS old_version,
    row_number() OVER w AS occ, count(*) OVER (PARTITION BY s.resource_type, s.id) AS n, lag(s.hash) OVER w AS prev_hash
  FROM stage s LEFT JOIN ${schema}.resource o ON o.resource_type = s.resource_type AND o.id = s.id
  WINDOW w AS (PARTITION BY s.resource_type, s.id ORDER BY s.line)
), k AS (
  SELECT *, CASE WHEN occ = 1 AND old_hash IS NULL THEN 'created'
    WHEN hash = (CASE WHEN occ = 1 THEN old_hash ELSE prev_hash END) THEN 'unchanged' ELSE 'updated' END AS outcome
  FROM j
)
SELECT line, resource_type, id, occ, n, outcome,
  coalesce(old_version, 0) + sum(CASE WHEN outcome = 'unchanged' THEN 0 ELSE 1 END) OVER (PARTITION BY resource_type, id ORDER BY line) AS new_version,
  sum(CASE WHEN outcome = 'unchanged' THEN 0 ELSE 1 END) OVER (PARTITION BY resource_type, id) AS changes
FROM k;
CREATE OR REPLACE TEMP TABLE changed AS SELECT line, resource_type, id, new_version FROM staged WHERE occ = n AND changes > 0;`);
  const updates: [string, string][] = [];
  for (const [type, t] of Object.entries(r.types)) {
    let k = kept.get(type);
    if (k === undefined) {
      const stored = (await conn.runAndReadAll(`SELECT structure FROM ${schema}.athena_structure WHERE resource_type = $1`, [type])).getRowObjectsJS() as { structure: string }[];
      const first = stored[0];
      if (first === undefined) {
        const n = (await conn.runAndReadAll(`SELECT count(*)::INTEGER AS n FROM ${schema}.resource WHERE resource_type = $1`, [type])).getRowObjectsJS() as { n: number }[];
        k = { type: 'NULL', legacy: (n[0]?.n ?? 0) > 0 };
      } else {
        k = { type: JSON.parse(first.structure) as AthenaType, legacy: false };
      }
      kept.set(type, k);
    }
    k.type = mergeAthenaType(k.type, t);
    if (!k.legacy) {
      updates.push([type, JSON.stringify(k.type)]);
    }
  }
  // Only updated resources have a row and events to replace; skipping the deletes otherwise spares a scan of the
  // whole resource and event tables per chunk.
  const [upd] = (await conn.runAndReadAll('SELECT count(*)::INTEGER AS n FROM changed WHERE new_version > 1')).getRowObjectsJS() as { n: number }[];
  const replaces = (upd?.n ?? 0) > 0;
  await conn.run('BEGIN TRANSACTION');
  try {
    if (replaces) {
      await conn.run(`
DELETE FROM ${schema}.resource o USING changed c WHERE c.new_version > 1 AND o.resource_type = c.resource_type AND o.id = c.id;
DELETE FROM ${schema}.event e USING changed c WHERE c.new_version > 1 AND e.resource_type = c.resource_type AND e.resource_id = c.id;`);
    }
    await conn.run(`
INSERT INTO ${schema}.resource
SELECT s.resource_type, s.id, c.new_version, CAST(now() AT TIME ZONE 'UTC' AS TIMESTAMP), s.hash, s.subject_ref, CAST(s.clinical_time AS TIMESTAMP), s.body, s.athena_body
FROM stage s JOIN changed c USING (line);
INSERT INTO ${schema}.event
SELECT ev.patient_id, ev.resource_type, ev.resource_id, CAST(ev.event_time AS TIMESTAMP), ev.system, ev.code, ev.value, ev.unit, ev.value_code, ev.category
FROM ${csvSource(`${r.stagingPrefix}.ev`, EV_COLUMNS, r.maxRowBytes)} ev SEMI JOIN changed c ON ev.resource_type = c.resource_type AND ev.resource_id = c.id;`);
    for (const [type, structure] of updates) {
      await conn.run(`INSERT OR REPLACE INTO ${schema}.athena_structure VALUES ($1, $2)`, [type, structure]);
    }
    await conn.run('COMMIT');
  } catch (e) {
    await conn.run('ROLLBACK').catch(() => undefined);
    throw e;
  }
  const reader = await conn.runAndReadAll('SELECT line, resource_type, id, outcome FROM staged ORDER BY line');
  return reader.getRowObjectsJS() as unknown as StagedRow[];
}

/**
 * Runs a local import job to the end (the caller records status transitions).
 *
 * @param ctx - engine, schema, level, folders
 * @returns counts, manifest and touched types
 * @throws {@link HealthDataError} (not-found) for a missing input folder; (backend) when DuckDB or a worker fails
 */
export async function runLocalImport(ctx: LocalImportContext): Promise<LocalImportResult> {
  const files = listNdjsonFiles(ctx.inputDir);
  const batchSize = Math.max(1, ctx.batchSize ?? 5000);
  const successDir = path.join(ctx.jobFolder, 'SUCCESS');
  const failureDir = path.join(ctx.jobFolder, 'FAILURE');
  const scratch = path.join(ctx.jobFolder, '.scratch');
  fs.mkdirSync(successDir, { recursive: true });
  fs.mkdirSync(failureDir, { recursive: true });
  fs.mkdirSync(scratch, { recursive: true });
  const totalBytes = files.reduce((a, f) => a + fs.statSync(f).size, 0);
  const threads = Math.max(0, Math.floor(ctx.threads ?? (totalBytes > 1e6 ? Math.min(4, os.availableParallelism()) : 0)));
  // Chunks small enough that every worker has one to work on, large enough to amortise a transaction (each costs a
  // staging load, an upsert and a commit).
  const chunkBytes = Math.min(8 << 20, Math.max(256 << 10, Math.ceil(totalBytes / Math.max(1, threads))));
  const t0 = Date.now();
  let report = emptyReport();
  let scannedBytes = 0;
  let importedBytes = 0;
  const touched = new Set<string>();
  const counts = { created: 0, updated: 0, unchanged: 0 };
  const importedFiles = new Set<string>();
  const failedFiles = new Set<string>();
  compiledFhirSchema();
  const pool = threads > 0 ? acquirePool(threads) : undefined;
  const pending = new Map<number, Promise<ChunkResult>>();
  const kept = new Map<string, KeptStructure>();
  // A file counts as scanned once all its chunks are committed.
  const chunksOf = new Map<string, { committed: number; total?: number }>();
  const fileDone = (name: string): void => {
    const c = chunksOf.get(name);
    if (c !== undefined && c.committed === c.total) {
      chunksOf.delete(name);
      report = { ...report, TotalNumberOfScannedFiles: report.TotalNumberOfScannedFiles + 1 };
    }
  };
  let submitted = 0;
  let committed = 0;

  const commitNext = async (): Promise<void> => {
    const seq = committed++;
    const next = pending.get(seq);
    if (next === undefined) {
      throw new HealthDataError('backend', `import: chunk ${seq} was never submitted`);
    }
    const result = await next;
    pending.delete(seq);
    if (result.failureText !== '') {
      fs.appendFileSync(path.join(failureDir, result.file), result.failureText);
      failedFiles.add(result.file);
    }
    if (result.accepted > 0) {
      const rows = await ctx.engine.session('import clinical', (conn) => upsertChunk(conn, ctx.schema, result, kept));
      let text = '';
      for (const row of rows) {
        counts[row.outcome]++;
        const line: ImportSuccessLine = { file: result.file, line: row.line, resourceType: row.resource_type, id: row.id, outcome: row.outcome };
        text += `${JSON.stringify(line)}\n`;
      }
      fs.appendFileSync(path.join(successDir, result.file), text);
      importedFiles.add(result.file);
      for (const t of Object.keys(result.types)) {
        touched.add(t);
      }
    }
    fs.rmSync(`${result.stagingPrefix}.res`, { force: true });
    fs.rmSync(`${result.stagingPrefix}.ev`, { force: true });
    scannedBytes += result.scannedBytes;
    importedBytes += result.acceptedBytes;
    const imported = report.TotalNumberOfResourcesImported + result.accepted;
    report = {
      ...report,
      TotalSizeOfScannedFilesInMB: scannedBytes / 1e6,
      TotalNumberOfResourcesScanned: report.TotalNumberOfResourcesScanned + result.scanned,
      TotalNumberOfResourcesImported: imported,
      TotalNumberOfResourcesWithCustomerError: report.TotalNumberOfResourcesWithCustomerError + result.failed,
      Throughput: Math.round((imported / Math.max(1, Date.now() - t0)) * 1000),
    };
    const c = chunksOf.get(result.file);
    if (c !== undefined) {
      c.committed++;
      fileDone(result.file);
    }
    ctx.onProgress?.(report);
  };

  try {
    for (const file of files) {
      const name = path.basename(file);
      fs.writeFileSync(path.join(successDir, name), '');
      fs.writeFileSync(path.join(failureDir, name), '');
      const perFile: { committed: number; total?: number } = { committed: 0 };
      chunksOf.set(name, perFile);
      let total = 0;
      for (const raw of fileChunks(file, batchSize, chunkBytes)) {
        total++;
        const chunk: ImportChunk = { seq: submitted, file: name, startLine: raw.startLine, bytes: raw.bytes, stagingPrefix: path.join(scratch, `chunk-${submitted}`), level: ctx.level };
        const p = pool === undefined ? Promise.resolve().then(() => processChunk(chunk)) : pool.run(chunk);
        p.catch(() => undefined);
        pending.set(submitted++, p);
        // Keep every worker busy while the main thread commits, without reading far ahead of the commits.
        while (submitted - committed > Math.max(1, threads) * 2 || (pool === undefined && submitted > committed)) {
          await commitNext();
        }
      }
      perFile.total = total;
      fileDone(name);
    }
    while (committed < submitted) {
      await commitNext();
    }
  } finally {
    if (pool !== undefined) {
      await releasePool(pool);
    }
  }
  report = {
    ...report,
    TotalNumberOfImportedFiles: importedFiles.size,
    TotalNumberOfFilesReadWithCustomerError: failedFiles.size,
  };
  ctx.onProgress?.(report);
  const structures = new Map<string, AthenaType>();
  for (const [type, k] of kept) {
    if (!k.legacy) {
      structures.set(type, k.type);
    }
  }
  if (touched.size > 0) {
    await ctx.engine.session('import clinical: tables', (conn) => rebuildTypeTables(conn, ctx.schema, [...touched].sort(), scratch, ctx.publish, structures));
  }
  fs.rmSync(scratch, { recursive: true, force: true });
  const manifest: ImportManifest = {
    inputDataConfig: { s3Uri: ctx.inputDir },
    outputDataConfig: { s3Uri: ctx.jobFolder },
    successOutput: { successOutputS3Uri: `${successDir}/` },
    failureOutput: { failureOutputS3Uri: `${failureDir}/` },
    numberOfScannedFiles: report.TotalNumberOfScannedFiles,
    numberOfFilesImported: report.TotalNumberOfImportedFiles,
    sizeOfScannedFilesInMB: Math.round((scannedBytes / 1e6) * 1e4) / 1e4,
    sizeOfDataImportedSuccessfullyInMB: Math.round((importedBytes / 1e6) * 1e4) / 1e4,
    numberOfResourcesScanned: report.TotalNumberOfResourcesScanned,
    numberOfResourcesImportedSuccessfully: report.TotalNumberOfResourcesImported,
    numberOfResourcesWithCustomerError: report.TotalNumberOfResourcesWithCustomerError,
    numberOfResourcesWithServerError: 0,
  };
  fs.writeFileSync(path.join(ctx.jobFolder, 'manifest.json'), `${JSON.stringify(manifest, null, 2)}\n`);
  return { report, manifest, resourceTypes: [...touched].sort(), outcomes: counts };
}
