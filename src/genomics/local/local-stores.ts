/**
 * The local genomics backend: reference stores are FASTA + `.fai` files in the workspace, variant and annotation
 * stores are folders of Parquet files (one per imported source) exposed to SQL, in the HealthOmics table schema, as
 * a DuckDB view named after the store — the same name the service gives the Glue table.
 *
 * Layout under `<workspace>/genomics/`: `reference-stores/<id>/store.json`, `…/references/<refId>/reference.json`;
 * `variant-stores/<name>/{store.json,items.json,items.jsonl,data/*.raw3.parquet}` (the imported items: store-items.ts) (and `annotation-stores/…`); `jobs/<jobId>.json`
 * and `jobs/<jobId>.failures.jsonl`. Data files use the raw layout of `vcf-sql.ts` (INFO/FORMAT/sample kept as text,
 * the job id and a single sample's id in the file's footer); the store's view turns them into the table's columns
 * ({@link storedRawTableSelect} over the footer table of raw-footers.ts, {@link tableFromRawSelect}). Files of earlier versions are still read: `*.raw2.parquet`
 * (ids on every row), `*.raw.parquet` (ID/ALT/FILTER as lists) and plain `*.parquet` (the full table layout).
 */
import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { pipeline } from 'node:stream/promises';
import * as zlib from 'node:zlib';
import { DuckDBInstance } from '@duckdb/node-api';
import type { DuckDBConnection } from '@duckdb/node-api';
import { HealthDataError, isHealthDataError, normalizeErrorString } from '../../errors';
import { formatFai, indexFasta, parseFai, readFastaRange } from '../../formats/fasta/fasta';
import type { FaiEntry } from '../../formats/fasta/fasta';
import type { WorkspaceCore } from '../../workspace-core';
import type {
  GenomicDatasetFiles,
  GenomicDatasetImport,
  GenomicDatasetImportOptions,
  GenomicsBackendStores,
  ImportFailure,
  ImportItemDetail,
  OmicsJobStatus,
  ReferenceImportJob,
  ReferenceImportSource,
  ReferenceInfo,
  ReferenceStoreInfo,
  OmicsImportJobInput,
  VariantImportJob,
  VariantStoreInfo,
  OmicsWaitOptions,
} from '../types';
import { TERMINAL_JOB_STATUSES } from '../types';
import { importDatasetWithStores } from '../dataset-import';
import { VARIANT_COLUMNS, emptyVariantSelect } from '../schema';
import { sqlIdentifier, sqlLiteral } from '../../sql/literal';
import { CONVERSION_DUCKDB_CONFIG, stagingSuffixes, writeVcfsAsParquet } from './parquet-writer';
import type { VcfParquetResult } from './parquet-writer';
import { RAW_COLUMNS, rawFromLegacyRawSelect, storedRawTableSelect, tableFromRawSelect } from './vcf-sql';
import { rawFooterTable, syncRawFooters } from './raw-footers';
import { readJson, writeJson } from './json-files';
import { appendStoreItems, createStoreItems, readStoreItems } from './store-items';
import type { StoredItem } from './store-items';

/** Suffix of the raw-layout Parquet files (`STORED_RAW_COLUMNS`, ids in the footer) a store's view converts to the table's columns. */
const RAW_SUFFIX = '.raw3.parquet';
/** Suffix of the raw layout before the ids moved to the footer (`RAW_COLUMNS` on every row), still read. */
const PREV_RAW_SUFFIX = '.raw2.parquet';
/** Suffix of the earlier raw layout (ID, ALT and FILTER as lists), still read. */
const LEGACY_RAW_SUFFIX = '.raw.parquet';

/** Store name rule of CreateVariantStore / CreateAnnotationStore. */
export const STORE_NAME_PATTERN = /^[a-z][a-z0-9_]{2,254}$/;
/** Most sources one import job accepts (the service's limit). */
export const MAX_IMPORT_ITEMS = 1000;
const LOCAL_ACCOUNT = '000000000000';
const MAX_FAILURES_IN_JOB = 1000;
/** Sources converted together and committed to the store's items (one journal line) and the job file at once. */
const COMMIT_CHUNK = 100;

type Kind = 'variant' | 'annotation';

interface JobFile extends Omit<VariantImportJob, 'creationTime' | 'updateTime' | 'completionTime'> {
  readonly kind: Kind;
  readonly creationTime: string;
  readonly updateTime: string;
  readonly completionTime?: string;
  /** The process running the job (a job whose process is gone is marked FAILED by the next process to open the store). */
  readonly pid?: number;
}

/** Ids of the jobs running in this process (over every store instance), so recovery never touches a live job. */
const RUNNING_HERE = new Set<string>();

/** Statuses of a job that has not finished. */
const UNFINISHED: ReadonlySet<string> = new Set(['SUBMITTED', 'IN_PROGRESS']);

/**
 * Whether a process is alive (signal 0 probes without signalling; EPERM means it exists under another user).
 *
 * @param pid - process id
 * @returns true when it exists
 */
function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** One read buffer for {@link sha256File} (allocating and zeroing 1 MiB per file dominated imports of many small files). */
const HASH_BUFFER = Buffer.allocUnsafe(1 << 20);

function sha256File(file: string): string {
  const h = crypto.createHash('sha256');
  const fd = fs.openSync(file, 'r');
  try {
    for (;;) {
      const n = fs.readSync(fd, HASH_BUFFER, 0, HASH_BUFFER.length, null);
      if (n === 0) {
        break;
      }
      h.update(HASH_BUFFER.subarray(0, n));
    }
  } finally {
    fs.closeSync(fd);
  }
  return h.digest('hex');
}

/**
 * Removes a file when it exists (cheaper than `rmSync(…, { force: true })` on the common miss).
 *
 * @param file - the path
 */
function removeIfExists(file: string): boolean {
  if (fs.existsSync(file)) {
    fs.rmSync(file, { force: true });
    return true;
  }
  return false;
}

/**
 * Runs `fn` and turns a synchronous throw into a rejected promise (so callers can always `await` / `.catch`).
 *
 * @param fn - the work
 * @returns its result as a promise
 */
function settle<T>(fn: () => T | Promise<T>): Promise<T> {
  try {
    return Promise.resolve(fn());
  } catch (e) {
    return Promise.reject(e instanceof Error ? e : new Error(String(e)));
  }
}

function newId(): string {
  return crypto.randomBytes(6).toString('hex');
}

/**
 * The status message of an imported item: header faults first (with the first one's line and reason), then the
 * record counts (lines = imported + rejected).
 *
 * @param r - what the conversion produced
 * @returns the message
 */
function itemMessage(r: VcfParquetResult): string {
  const counts =
    r.rejected > 0
      ? `${String(r.rejected)} of ${String(r.lines)} records rejected (see failures); ${String(r.records)} imported`
      : `${String(r.records)} records imported${r.warnings > 0 ? ` with ${String(r.warnings)} warnings` : ''}`;
  if (r.headerErrors === 0) {
    return counts;
  }
  return `the header breaks ${String(r.headerErrors)} rule(s) of the VCF spec (first: ${headerFault(r)}); ${counts}`;
}

/**
 * The first header fault of a conversion, as `line N: reason`.
 *
 * @param r - what the conversion produced
 * @returns the text
 */
function headerFault(r: VcfParquetResult): string {
  const first = r.failures.find((f) => f.line > 0);
  return `line ${String(first?.line ?? 0)}: ${first?.reason ?? 'see failures'}`;
}

/**
 * The job item of a source that is unchanged since an earlier job: what the store holds of it, with the faults found
 * when it was read.
 *
 * @param source - the source as given
 * @param prev - its stored entry
 * @returns the item
 */
function unchangedItem(source: string, prev: StoredItem): ImportItemDetail {
  const header = prev.headerErrors ?? 0;
  return {
    source,
    jobStatus: prev.rejected > 0 || header > 0 ? 'COMPLETED_WITH_FAILURES' : 'COMPLETED',
    statusMessage: `unchanged since job ${prev.jobId}; kept its ${String(prev.rows)} rows (re-import is idempotent)${prev.rejected > 0 ? `; ${String(prev.rejected)} records were rejected then (see that job's failure report)` : ''}${header > 0 ? `; its header breaks ${String(header)} rule(s) of the VCF spec (first: ${prev.headerFault ?? 'see that job'})` : ''}`,
    lines: prev.lines,
    records: prev.records,
    rejected: prev.rejected,
    rows: prev.rows,
    samples: prev.samples,
  };
}

/**
 * A running job's file and failure report: `save` rewrites the job file with the items' current state, `record`
 * appends failures to the report (the first {@link MAX_FAILURES_IN_JOB} are also kept in the job file).
 */
class JobLog {
  private readonly failures: ImportFailure[] = [];
  /** Failures reported so far. */
  failureCount = 0;

  constructor(
    private readonly jobFile: string,
    private readonly failureFile: string,
    private readonly initial: JobFile,
    private readonly items: readonly ImportItemDetail[],
  ) {}

  /** Writes the job file with `status` and the items as they are now. */
  save(status: OmicsJobStatus, extra: Partial<JobFile> = {}): void {
    writeJson(this.jobFile, {
      ...this.initial,
      status,
      updateTime: new Date().toISOString(),
      items: this.items,
      ...(this.failureCount > 0 ? { failures: this.failures.slice(0, MAX_FAILURES_IN_JOB), failureReport: this.failureFile } : {}),
      ...extra,
    });
  }

  /** Appends failures to the report. */
  record(list: readonly ImportFailure[]): void {
    if (list.length === 0) {
      return;
    }
    fs.appendFileSync(this.failureFile, list.map((f) => JSON.stringify(f)).join('\n') + '\n');
    this.failureCount += list.length;
    this.failures.push(...list.slice(0, Math.max(0, MAX_FAILURES_IN_JOB - this.failures.length)));
  }
}

/** What one chunk of a job's sources is imported with. */
interface ChunkContext {
  readonly conn: DuckDBConnection;
  /** The store's folder. */
  readonly dir: string;
  readonly jobId: string;
  readonly strict: boolean;
  /** The job's items (updated in place). */
  readonly items: ImportItemDetail[];
  readonly log: JobLog;
  /** The store's items, read once per job and kept up to date with what its chunks commit. */
  readonly stored: Record<string, StoredItem>;
  /** What the job's chunks changed in the store's data folder (for the view's refresh). */
  readonly changes: DataChanges;
}

/** The data files a job wrote, and whether it removed any file of another layout (which changes the view's text). */
interface DataChanges {
  readonly written: string[];
  removedOther: boolean;
}

/** A source of a chunk to convert. */
interface TodoSource {
  readonly i: number;
  readonly source: string;
  readonly abs: string;
  readonly key: string;
  /** SHA-256 of the source, when computed to compare with a stored entry (else the conversion gives it). */
  readonly sha: string | undefined;
  readonly file: string;
}

/** A chunk's sources sorted: to convert, listed again in the same chunk, or failed (missing, unreadable). */
interface ChunkPlan {
  readonly todo: TodoSource[];
  readonly repeats: { i: number; source: string; abs: string }[];
}

/**
 * The job item of a source that failed alone, and its failure line (line 0).
 *
 * @param source - the source as given
 * @param e - the error
 * @returns the item and failure
 */
function failedSource(source: string, e: unknown): { item: ImportItemDetail; failure: ImportFailure } {
  const reason = normalizeErrorString(e);
  return { item: { source, jobStatus: 'FAILED', statusMessage: reason }, failure: { source, line: 0, code: isHealthDataError(e) ? e.code : 'error', reason } };
}

/**
 * Sorts a chunk's sources: unchanged ones (same SHA-256 and mode as stored) become their stored item, a source listed
 * twice is converted once, missing ones fail.
 *
 * @param ctx - the chunk's context
 * @param chunk - item indexes
 * @param stored - the store's items (store-items.ts)
 * @param pending - failures per item index (filled for sources that fail here)
 * @returns the sources to convert and the repeats
 */
function planChunk(ctx: ChunkContext, chunk: readonly number[], stored: Record<string, StoredItem>, pending: Map<number, readonly ImportFailure[]>): ChunkPlan {
  const todo: TodoSource[] = [];
  const repeats: { i: number; source: string; abs: string }[] = [];
  for (const i of chunk) {
    const source = ctx.items[i]?.source ?? '';
    try {
      if (!fs.existsSync(source)) {
        throw new HealthDataError('not-found', `source ${source} does not exist`, { path: source });
      }
      const abs = path.resolve(source);
      const key = crypto.createHash('sha256').update(abs).digest('hex').slice(0, 24);
      const prev = stored[abs];
      // A source never imported into this store is converted whatever its content: its hash comes from the
      // conversion's own read of the file (VcfParquetResult.sha256) instead of a read of its own here.
      const sha = prev === undefined && fs.statSync(abs).isFile() ? undefined : sha256File(abs);
      const file = path.join(ctx.dir, 'data', `${key}${RAW_SUFFIX}`);
      if (prev !== undefined && prev.sha256 === sha && prev.strict === ctx.strict && (prev.rows === 0 || fs.existsSync(prev.file))) {
        ctx.items[i] = unchangedItem(source, prev);
      } else if (todo.some((t) => t.abs === abs)) {
        repeats.push({ i, source, abs }); // listed twice: the second is unchanged since the first
      } else {
        todo.push({ i, source, abs, key, sha, file });
      }
    } catch (e) {
      const f = failedSource(source, e);
      ctx.items[i] = f.item;
      pending.set(i, [f.failure]);
    }
  }
  return { todo, repeats };
}

/**
 * The stored item of a converted source.
 *
 * @param t - the source
 * @param r - its conversion
 * @param ctx - job id and mode
 * @returns the entry
 */
function storedEntry(t: TodoSource, r: VcfParquetResult, ctx: ChunkContext): StoredItem {
  const fileDate = r.header.meta.get('fileDate');
  return {
    source: t.abs,
    sha256: t.sha ?? r.sha256 ?? sha256File(t.abs),
    file: t.file,
    jobId: ctx.jobId,
    rows: r.rows,
    records: r.records,
    lines: r.lines,
    rejected: r.rejected,
    samples: r.header.samples,
    strict: ctx.strict,
    ...(fileDate === undefined ? {} : { fileDate }),
    ...(r.headerErrors > 0 ? { headerErrors: r.headerErrors, headerFault: headerFault(r) } : {}),
  };
}

/**
 * Imports one chunk of a job's sources: converts the changed ones together, appends their stored items once
 * (after their data files are in place: a kill in between re-imports them), then the chunk's failures in item order.
 *
 * @param ctx - the chunk's context
 * @param chunk - item indexes
 */
async function importChunk(ctx: ChunkContext, chunk: readonly number[]): Promise<void> {
  const { items, dir } = ctx;
  for (const i of chunk) {
    items[i] = { source: items[i]?.source ?? '', jobStatus: 'IN_PROGRESS' };
  }
  ctx.log.save('IN_PROGRESS');
  // Failures of a chunk are reported in item order.
  const pending = new Map<number, readonly ImportFailure[]>();
  const { todo, repeats } = planChunk(ctx, chunk, ctx.stored, pending);
  const outcomes =
    todo.length === 0
      ? []
      : await writeVcfsAsParquet(
          ctx.conn,
          todo.map((t) => ({ source: t.abs, out: t.file })),
          { importJobId: ctx.jobId, strict: ctx.strict, layout: 'raw' },
        );
  const entries: Record<string, StoredItem> = {};
  for (const [k, t] of todo.entries()) {
    const o = outcomes[k];
    if (o?.ok !== true) {
      const f = failedSource(t.source, o === undefined ? new Error('no result') : o.error);
      items[t.i] = f.item;
      pending.set(t.i, [f.failure]);
      continue;
    }
    const r = o.result;
    // A full-table or earlier raw file of this source (earlier versions) is replaced by the raw one.
    const removed = [`${t.key}.parquet`, `${t.key}${LEGACY_RAW_SUFFIX}`, `${t.key}${PREV_RAW_SUFFIX}`].map((f) => removeIfExists(path.join(dir, 'data', f)));
    ctx.changes.removedOther ||= removed.some(Boolean);
    if (fs.existsSync(t.file)) {
      ctx.changes.written.push(t.file);
    }
    pending.set(t.i, r.failures);
    entries[t.abs] = storedEntry(t, r, ctx);
    items[t.i] = {
      source: t.source,
      jobStatus: r.rejected > 0 || r.headerErrors > 0 ? 'COMPLETED_WITH_FAILURES' : 'COMPLETED',
      statusMessage: itemMessage(r),
      lines: r.lines,
      records: r.records,
      rejected: r.rejected,
      rows: r.rows,
      samples: r.header.samples,
    };
  }
  appendStoreItems(dir, entries);
  Object.assign(ctx.stored, entries);
  for (const r of repeats) {
    const entry = entries[r.abs];
    items[r.i] = entry === undefined ? { ...(items[todo.find((t) => t.abs === r.abs)?.i ?? -1] ?? { jobStatus: 'FAILED' }), source: r.source } : unchangedItem(r.source, entry);
  }
  for (const i of chunk) {
    ctx.log.record(pending.get(i) ?? []);
  }
}

/** Characters DuckDB's file globbing gives a meaning to. */
const GLOB_SPECIAL = /[*?[\]{}\\]/;

/**
 * Whether a store's view reads its raw files by the folder's `*.raw3.parquet` glob (a fixed text, so the view does
 * not grow with the store and new files need no new view): not when the folder's path holds a glob character.
 *
 * @param dataDir - the store's data folder
 * @returns true when the glob is used
 */
function readsRawByGlob(dataDir: string): boolean {
  return !GLOB_SPECIAL.test(dataDir);
}

/**
 * The raw files of a store's data folder for `read_parquet`: the glob ({@link readsRawByGlob}), else the files' list.
 *
 * @param dataDir - the store's data folder
 * @param raw - the raw file names in it (for the list)
 * @returns SQL of the files
 */
function rawFilesSql(dataDir: string, raw: readonly string[]): string {
  return readsRawByGlob(dataDir) ? sqlLiteral(path.join(dataDir, `*${RAW_SUFFIX}`)) : `[${raw.map((f) => sqlLiteral(path.join(dataDir, f))).join(', ')}]`;
}

/**
 * The SELECT of a store's view over its data folder: raw-layout files (`*.raw3.parquet`, what imports write, joined to
 * their footers' table; `*.raw2.parquet` with the ids on every row; `*.raw.parquet` of the earliest raw layout)
 * become the table's columns; full-table files (written by earlier versions) are read as they are.
 *
 * @param dataDir - the store's data folder
 * @param files - the Parquet file names in it, sorted
 * @param footerTable - the store's footer table
 * @returns the SELECT text
 */
function storeViewSelect(dataDir: string, files: readonly string[], footerTable: string): string {
  const list = (names: string[]): string => `read_parquet([${names.map((f) => sqlLiteral(path.join(dataDir, f))).join(', ')}])`;
  const raw = files.filter((f) => f.endsWith(RAW_SUFFIX));
  const prev = files.filter((f) => f.endsWith(PREV_RAW_SUFFIX));
  const legacy = files.filter((f) => f.endsWith(LEGACY_RAW_SUFFIX));
  const table = files.filter((f) => !f.endsWith(RAW_SUFFIX) && !f.endsWith(PREV_RAW_SUFFIX) && !f.endsWith(LEGACY_RAW_SUFFIX));
  const rawParts = [
    ...(raw.length > 0 ? [storedRawTableSelect(rawFilesSql(dataDir, raw), footerTable)] : []),
    ...(prev.length > 0 ? [`SELECT ${RAW_COLUMNS.map((c) => sqlIdentifier(c.name)).join(', ')} FROM ${list(prev)}`] : []),
    ...(legacy.length > 0 ? [rawFromLegacyRawSelect(list(legacy))] : []),
  ];
  const parts = [
    ...(rawParts.length > 0 ? [tableFromRawSelect(`(${rawParts.map((p) => `(${p})`).join(' UNION ALL ')})`)] : []),
    ...(table.length > 0 ? [`SELECT ${VARIANT_COLUMNS.map((c) => sqlIdentifier(c.name)).join(', ')} FROM ${list(table)}`] : []),
  ];
  return parts.length === 0 ? emptyVariantSelect() : parts.map((p) => `(${p})`).join(' UNION ALL ');
}

/** A local reference: its FASTA and index. */
interface StoredReference extends Omit<ReferenceInfo, 'contigs'> {
  readonly fasta: string;
  readonly fai: string;
  readonly creationTime: string;
}

/**
 * Local reference, variant and annotation stores (see the module header for the layout).
 */
export class LocalGenomicsStores implements GenomicsBackendStores {
  /** Backend tag. */
  readonly backend = 'local' as const;
  private readonly running = new Map<string, Promise<void>>();
  /** The view text this process last gave each store (`kind:name`), and whether it reads the raw files' glob. */
  private readonly views = new Map<string, { readonly select: string; readonly overGlob: boolean }>();
  /**
   * Settles when the recovery run at construction is done: jobs left unfinished by a dead process are marked FAILED
   * (synchronously) and the SQL views of their stores are rebuilt from the data files on disk (a kill between a data
   * file's rename and the view's refresh leaves the view naming the files of before).
   */
  readonly recovered: Promise<void>;

  /**
   * @param ws - the workspace core (paths, DuckDB engine, progress)
   */
  constructor(private readonly ws: WorkspaceCore) {
    ws.onClose(async () => {
      await Promise.allSettled([...this.running.values()]);
    });
    const stores = this.recoverInterruptedJobs();
    const refresh = Promise.all(stores.map(async ([kind, name]) => this.refreshView(kind, name))).then(() => undefined);
    this.recovered = refresh.catch(() => undefined);
    this.track('recovery', refresh);
  }

  /**
   * Marks FAILED every job left SUBMITTED or IN_PROGRESS by a process that no longer runs (killed, crashed, machine
   * restarted), with the reason, and removes the staging files it left in its store. What it had committed stays:
   * each source's data file is renamed into place before its stored item is written, so a re-run re-imports
   * exactly the sources without an entry (re-import of an unchanged source is a no-op).
   */
  private recoverInterruptedJobs(): (readonly [Kind, string])[] {
    const dir = this.root('jobs');
    const stores = new Map<string, readonly [Kind, string]>();
    if (!fs.existsSync(dir)) {
      return [];
    }
    for (const name of fs.readdirSync(dir)) {
      if (!name.endsWith('.json')) {
        continue;
      }
      const file = path.join(dir, name);
      let job: (Partial<JobFile> & { status?: string }) | undefined;
      try {
        job = readJson<Partial<JobFile> & { status?: string }>(file);
      } catch {
        continue; // a job file is written by rename, so an unreadable one is not ours
      }
      if (job.status === undefined || !UNFINISHED.has(job.status) || job.id === undefined || RUNNING_HERE.has(job.id)) {
        continue;
      }
      const pid = job.pid;
      if (pid !== undefined && pid !== process.pid && processAlive(pid)) {
        continue;
      }
      const reference = name.startsWith('reference-');
      this.failInterruptedJob(file, job as JobFile, reference);
      const j = job as JobFile;
      if (!reference && fs.existsSync(path.join(this.storeDir(j.kind, j.destinationName), 'store.json'))) {
        stores.set(`${j.kind}/${j.destinationName}`, [j.kind, j.destinationName]);
      }
    }
    return [...stores.values()];
  }

  private failInterruptedJob(file: string, job: JobFile, reference: boolean): void {
    const reason = `the process running this job${job.pid === undefined ? '' : ` (pid ${String(job.pid)})`} ended before the job finished (killed or crashed); sources marked COMPLETED were imported, re-run the import for the rest (unchanged sources are skipped)`;
    const now = new Date().toISOString();
    if (reference) {
      const r = job as unknown as { sources?: ReferenceImportSource[] };
      writeJson(file, {
        ...job,
        status: 'FAILED',
        statusMessage: reason,
        completionTime: now,
        sources: (r.sources ?? []).map((s) => (s.status === 'FINISHED' || s.status === 'FAILED' ? s : { ...s, status: 'FAILED', statusMessage: reason })),
      });
      return;
    }
    writeJson(file, {
      ...job,
      status: 'FAILED',
      statusMessage: reason,
      updateTime: now,
      completionTime: now,
      items: job.items.map((it) => (UNFINISHED.has(it.jobStatus) ? { ...it, jobStatus: 'FAILED', statusMessage: reason } : it)),
    });
    // A JSON file of the store (the items snapshot) is written to `<file>.tmp` and renamed: a kill in between leaves the temp.
    const storeDir = this.storeDir(job.kind, job.destinationName);
    if (fs.existsSync(storeDir)) {
      for (const f of fs.readdirSync(storeDir)) {
        if (f.endsWith('.json.tmp')) {
          fs.rmSync(path.join(storeDir, f), { force: true });
        }
      }
    }
    const data = path.join(storeDir, 'data');
    const suffixes = stagingSuffixes(job.id);
    if (fs.existsSync(data)) {
      for (const f of fs.readdirSync(data)) {
        if (suffixes.some((x) => f.endsWith(x))) {
          fs.rmSync(path.join(data, f), { recursive: true, force: true });
        }
      }
    }
  }

  /**
   * Every variant or annotation import job of this workspace, newest first (a job whose process died shows as FAILED
   * with the reason).
   *
   * @param kind - `variant` (default) or `annotation`
   * @returns the jobs
   */
  listImportJobs(kind: Kind = 'variant'): Promise<VariantImportJob[]> {
    return settle(() => {
      const dir = this.root('jobs');
      const ids = fs.existsSync(dir) ? fs.readdirSync(dir).filter((f) => f.endsWith('.json') && !f.startsWith('reference-')) : [];
      const jobs: VariantImportJob[] = [];
      for (const f of ids) {
        const j = readJson<JobFile>(path.join(dir, f));
        if (j.kind === kind) {
          jobs.push(this.getJob(kind, j.id));
        }
      }
      return Promise.resolve(jobs.sort((a, b) => b.creationTime.getTime() - a.creationTime.getTime()));
    });
  }

  private root(...parts: string[]): string {
    return this.ws.path('genomics', ...parts);
  }

  private arn(resource: string): string {
    return `arn:local:omics:local:${LOCAL_ACCOUNT}:${resource}`;
  }

  // ---------------------------------------------------------------- reference stores

  /** @inheritdoc */
  createReferenceStore(input: { name: string; description?: string }): Promise<ReferenceStoreInfo> {
    return settle(() => {
      if (input.name.trim() === '' || input.name.length > 127) {
        throw new HealthDataError('invalid-input', `createReferenceStore: name "${input.name}" must be 1–127 characters`, { path: 'name' });
      }
      const id = String(1_000_000_000 + crypto.randomInt(0, 999_999_999));
      const info = {
        id,
        arn: this.arn(`referenceStore/${id}`),
        name: input.name,
        creationTime: new Date().toISOString(),
      };
      writeJson(this.root('reference-stores', id, 'store.json'), info);
      return Promise.resolve({
        ...info,
        creationTime: new Date(info.creationTime),
      });
    });
  }

  /** @inheritdoc */
  listReferenceStores(): Promise<ReferenceStoreInfo[]> {
    return settle(() => {
      const dir = this.root('reference-stores');
      if (!fs.existsSync(dir)) {
        return Promise.resolve([]);
      }
      return Promise.resolve(
        fs
          .readdirSync(dir)
          .filter((d) => fs.existsSync(path.join(dir, d, 'store.json')))
          .map((d) => {
            const s = readJson<ReferenceStoreInfo & { creationTime: string }>(path.join(dir, d, 'store.json'));
            return { ...s, creationTime: new Date(s.creationTime) };
          }),
      );
    });
  }

  private requireReferenceStore(id: string): string {
    const dir = this.root('reference-stores', id);
    if (!fs.existsSync(path.join(dir, 'store.json'))) {
      throw new HealthDataError('not-found', `reference store ${id} does not exist; create it with createReferenceStore() or list them with listReferenceStores()`, {
        path: 'referenceStoreId',
      });
    }
    return dir;
  }

  /** @inheritdoc */
  startReferenceImportJob(input: {
    referenceStoreId: string;
    sources: readonly {
      sourceFile: string;
      name: string;
      description?: string;
    }[];
  }): Promise<{ id: string; status: OmicsJobStatus }> {
    const storeDir = this.requireReferenceStore(input.referenceStoreId);
    if (input.sources.length === 0) {
      throw new HealthDataError('invalid-input', 'startReferenceImportJob: sources is empty; pass at least one { sourceFile, name }', { path: 'sources' });
    }
    const id = newId();
    const now = new Date().toISOString();
    const jobFile = this.root('jobs', `reference-${id}.json`);
    const sources: ReferenceImportSource[] = input.sources.map((s) => ({
      sourceFile: s.sourceFile,
      name: s.name,
      status: 'NOT_STARTED',
    }));
    writeJson(jobFile, {
      id,
      pid: process.pid,
      referenceStoreId: input.referenceStoreId,
      status: 'SUBMITTED',
      creationTime: now,
      sources,
    });
    const run = async (): Promise<void> => {
      await Promise.resolve();
      const done: ReferenceImportSource[] = [];
      for (const s of sources) {
        writeJson(jobFile, {
          id,
          pid: process.pid,
          referenceStoreId: input.referenceStoreId,
          status: 'IN_PROGRESS',
          creationTime: now,
          sources: [...done, { ...s, status: 'IN_PROGRESS' }, ...sources.slice(done.length + 1)],
        });
        try {
          const referenceId = await this.importReference(storeDir, input.referenceStoreId, s.sourceFile, s.name);
          done.push({ ...s, status: 'FINISHED', referenceId });
        } catch (e) {
          done.push({
            ...s,
            status: 'FAILED',
            statusMessage: normalizeErrorString(e),
          });
        }
      }
      const failed = done.filter((s) => s.status === 'FAILED').length;
      const status: OmicsJobStatus = failed === 0 ? 'COMPLETED' : failed === done.length ? 'FAILED' : 'COMPLETED_WITH_FAILURES';
      writeJson(jobFile, {
        id,
        referenceStoreId: input.referenceStoreId,
        status,
        ...(failed > 0
          ? {
              statusMessage: `${String(failed)} of ${String(done.length)} sources failed`,
            }
          : {}),
        creationTime: now,
        completionTime: new Date().toISOString(),
        sources: done,
      });
    };
    this.track(id, run());
    return Promise.resolve({ id, status: 'SUBMITTED' });
  }

  private async importReference(storeDir: string, storeId: string, sourceFile: string, name: string): Promise<string> {
    if (!fs.existsSync(sourceFile)) {
      throw new HealthDataError('not-found', `reference source ${sourceFile} does not exist`, { path: sourceFile });
    }
    const refId = newId();
    const dir = path.join(storeDir, 'references', refId);
    fs.mkdirSync(dir, { recursive: true });
    const head = Buffer.alloc(2);
    const fd = fs.openSync(sourceFile, 'r');
    fs.readSync(fd, head, 0, 2, 0);
    fs.closeSync(fd);
    let fasta = path.resolve(sourceFile);
    let entries: FaiEntry[];
    if (head[0] === 0x1f && head[1] === 0x8b) {
      // A gzip (or BGZF without .gzi) FASTA cannot be read by offset: keep an uncompressed copy.
      fasta = path.join(dir, `${name}.fa`);
      try {
        await pipeline(fs.createReadStream(sourceFile), zlib.createGunzip(), fs.createWriteStream(fasta));
      } catch (e) {
        throw new HealthDataError('invalid-input', `reference ${sourceFile} could not be decompressed (${e instanceof Error ? e.message : String(e)}); the gzip is corrupt or truncated`, { cause: e });
      }
      entries = indexFasta(fasta);
    } else if (fs.existsSync(`${sourceFile}.fai`)) {
      entries = parseFai(fs.readFileSync(`${sourceFile}.fai`, 'utf8'), `${sourceFile}.fai`);
    } else {
      entries = indexFasta(sourceFile);
    }
    if (entries.length === 0) {
      throw new HealthDataError('invalid-input', `reference ${sourceFile} has no sequences; is it a FASTA file?`, { path: sourceFile });
    }
    const fai = path.join(dir, 'reference.fa.fai');
    fs.writeFileSync(fai, formatFai(entries));
    const ref: StoredReference = {
      id: refId,
      arn: this.arn(`referenceStore/${storeId}/reference/${refId}`),
      name,
      referenceStoreId: storeId,
      fasta,
      fai,
      creationTime: new Date().toISOString(),
    };
    writeJson(path.join(dir, 'reference.json'), ref);
    return refId;
  }

  /** @inheritdoc */
  getReferenceImportJob(input: { referenceStoreId: string; id: string }): Promise<ReferenceImportJob> {
    return settle(() => {
      const file = this.root('jobs', `reference-${input.id}.json`);
      if (!fs.existsSync(file)) {
        throw new HealthDataError('not-found', `reference import job ${input.id} does not exist in store ${input.referenceStoreId}`, { path: 'id' });
      }
      const j = readJson<ReferenceImportJob & { creationTime: string; completionTime?: string }>(file);
      return Promise.resolve({
        ...j,
        creationTime: new Date(j.creationTime),
        ...(j.completionTime === undefined ? {} : { completionTime: new Date(j.completionTime) }),
      });
    });
  }

  /** @inheritdoc */
  async waitForReferenceImportJob(input: { referenceStoreId: string; id: string }, options: OmicsWaitOptions = {}): Promise<ReferenceImportJob> {
    return this.poll(input.id, () => this.getReferenceImportJob(input), options);
  }

  private storedReferences(storeId: string): StoredReference[] {
    const dir = path.join(this.requireReferenceStore(storeId), 'references');
    if (!fs.existsSync(dir)) {
      return [];
    }
    return fs
      .readdirSync(dir)
      .filter((d) => fs.existsSync(path.join(dir, d, 'reference.json')))
      .map((d) => readJson<StoredReference>(path.join(dir, d, 'reference.json')));
  }

  /** @inheritdoc */
  listReferences(referenceStoreId: string): Promise<ReferenceInfo[]> {
    return settle(() => {
      return Promise.resolve(
        this.storedReferences(referenceStoreId).map((r) => ({
          id: r.id,
          arn: r.arn,
          name: r.name,
          referenceStoreId: r.referenceStoreId,
          contigs: parseFai(fs.readFileSync(r.fai, 'utf8')).map((e) => ({
            name: e.name,
            length: e.length,
          })),
        })),
      );
    });
  }

  private referenceByArn(referenceArn: string): StoredReference {
    const m = /referenceStore\/([^/]+)\/reference\/([^/]+)$/.exec(referenceArn);
    const ref = m === null ? undefined : this.storedReferences(m[1] ?? '').find((r) => r.id === m[2]);
    if (ref === undefined) {
      throw new HealthDataError('not-found', `reference ${referenceArn} does not exist; import one with startReferenceImportJob() and use its arn from listReferences()`, {
        path: 'referenceArn',
      });
    }
    return ref;
  }

  /**
   * Reads reference bases `[start, end)` (0-based, half-open, like the variant table). Besides whole contigs, a
   * compact panel reference may hold windows named `<contig>:<from>-<to>` (samtools region syntax, 1-based inclusive);
   * a range inside such a window is read from it.
   *
   * @param input - reference ARN, contig (as in the VCF), start and end
   * @returns the bases, upper-case
   * @throws {@link HealthDataError} (not-found) for an unknown reference or a contig/range no sequence covers
   */
  getReferenceBases(input: { referenceArn: string; contig: string; start: number; end: number }): Promise<string> {
    return settle(() => {
      const ref = this.referenceByArn(input.referenceArn);
      const entries = parseFai(fs.readFileSync(ref.fai, 'utf8'), ref.fai);
      let entry = entries.find((e) => e.name === input.contig);
      let shift = 0;
      if (entry === undefined) {
        for (const e of entries) {
          const m = /^(.+):(\d+)-(\d+)$/.exec(e.name);
          if (m?.[1] === input.contig && input.start >= Number(m[2]) - 1 && input.end <= Number(m[3])) {
            entry = e;
            shift = Number(m[2]) - 1;
            break;
          }
        }
      }
      if (entry === undefined) {
        throw new HealthDataError(
          'not-found',
          `getReferenceBases: no sequence of ${ref.name} covers ${input.contig}:[${String(input.start)}, ${String(input.end)}); contigs are ${entries
            .slice(0, 5)
            .map((e) => e.name)
            .join(', ')}${entries.length > 5 ? ', …' : ''}`,
          {
            path: 'contig',
          },
        );
      }
      const fd = fs.openSync(ref.fasta, 'r');
      try {
        return Promise.resolve(readFastaRange(fd, entry, input.start - shift, input.end - shift));
      } finally {
        fs.closeSync(fd);
      }
    });
  }

  // ---------------------------------------------------------------- variant and annotation stores

  private storeDir(kind: Kind, name: string): string {
    return this.root(`${kind}-stores`, name);
  }

  private createStore(
    kind: Kind,
    input: {
      name: string;
      reference?: { referenceArn: string };
      description?: string;
    },
  ): Promise<VariantStoreInfo> {
    const fn = kind === 'variant' ? 'createVariantStore' : 'createAnnotationStore';
    if (!STORE_NAME_PATTERN.test(input.name)) {
      throw new HealthDataError('invalid-input', `${fn}: name "${input.name}" must match ([a-z]){1}([a-z0-9_]){2,254} (lower-case, starts with a letter)`, {
        path: 'name',
      });
    }
    if (kind === 'variant' || input.reference !== undefined) {
      this.referenceByArn(input.reference?.referenceArn ?? '');
    }
    const dir = this.storeDir(kind, input.name);
    if (fs.existsSync(path.join(dir, 'store.json'))) {
      throw new HealthDataError('conflict', `${fn}: a ${kind} store named ${input.name} already exists; use it, or pick another name`, { path: 'name' });
    }
    const id = newId();
    const info = {
      id,
      name: input.name,
      status: 'ACTIVE' as const,
      storeArn: this.arn(`${kind}Store/${input.name}`),
      reference: { referenceArn: input.reference?.referenceArn ?? '' },
      creationTime: new Date().toISOString(),
      ...(kind === 'annotation' ? { storeFormat: 'VCF' as const } : {}),
    };
    writeJson(path.join(dir, 'store.json'), info);
    createStoreItems(dir);
    return this.refreshView(kind, input.name).then(() => ({
      ...info,
      creationTime: new Date(info.creationTime),
    }));
  }

  private getStore(kind: Kind, name: string): VariantStoreInfo {
    const file = path.join(this.storeDir(kind, name), 'store.json');
    if (!fs.existsSync(file)) {
      throw new HealthDataError('not-found', `${kind} store ${name} does not exist; create it with create${kind === 'variant' ? 'Variant' : 'Annotation'}Store()`, { path: 'name' });
    }
    const s = readJson<VariantStoreInfo & { creationTime: string }>(file);
    return { ...s, creationTime: new Date(s.creationTime) };
  }

  private listStores(kind: Kind): VariantStoreInfo[] {
    const dir = this.root(`${kind}-stores`);
    return fs.existsSync(dir)
      ? fs
          .readdirSync(dir)
          .filter((d) => fs.existsSync(path.join(dir, d, 'store.json')))
          .map((d) => this.getStore(kind, d))
      : [];
  }

  /**
   * The imported items of a store with their sample names and `##fileDate` (used for feature event times).
   *
   * @param kind - `variant` or `annotation`
   * @param name - store name
   * @returns the items keyed by source path
   */
  storeItems(kind: Kind, name: string): Record<string, StoredItem> {
    this.getStore(kind, name);
    return readStoreItems(this.storeDir(kind, name));
  }

  /**
   * Makes a store's SQL view show its data files. After a job that only wrote raw files into a store whose view this
   * process made (over the raw files' glob), only the job's files are read into the footer table; otherwise the data
   * folder is listed, every footer brought up to date and the view re-made when its text changed.
   */
  private async refreshView(kind: Kind, name: string, changes?: DataChanges): Promise<void> {
    const duck = this.ws.duckdb;
    if (duck === undefined) {
      throw new HealthDataError('unsupported', 'local genomics stores need the local DuckDB engine (backend local)');
    }
    if (changes !== undefined && !changes.removedOther && this.views.get(`${kind}:${name}`)?.overGlob === true) {
      await syncRawFooters(duck, rawFooterTable(name), changes.written, 'written');
      return;
    }
    const dataDir = path.join(this.storeDir(kind, name), 'data');
    const files = fs.existsSync(dataDir)
      ? fs
          .readdirSync(dataDir)
          .filter((f) => f.endsWith('.parquet'))
          .sort()
      : [];
    const raw = files.filter((f) => f.endsWith(RAW_SUFFIX));
    await syncRawFooters(
      duck,
      rawFooterTable(name),
      raw.map((f) => path.join(dataDir, f)),
    );
    const select = storeViewSelect(dataDir, files, rawFooterTable(name));
    if (this.views.get(`${kind}:${name}`)?.select !== select) {
      await duck.exec(`CREATE OR REPLACE VIEW ${this.tableName(name)} AS ${select}`);
    }
    this.views.set(`${kind}:${name}`, { select, overGlob: raw.length > 0 && readsRawByGlob(dataDir) });
  }

  private startImport(kind: Kind, input: OmicsImportJobInput): Promise<{ jobId: string }> {
    const fn = kind === 'variant' ? 'startVariantImportJob' : 'startAnnotationImportJob';
    this.getStore(kind, input.destinationName);
    if (input.items.length === 0 || input.items.length > MAX_IMPORT_ITEMS) {
      throw new HealthDataError('invalid-input', `${fn}: items has ${String(input.items.length)} sources; pass 1 to ${String(MAX_IMPORT_ITEMS)} (split larger imports into several jobs)`, {
        path: 'items',
      });
    }
    const jobId = crypto.randomUUID();
    const now = new Date().toISOString();
    const job: JobFile = {
      kind,
      id: jobId,
      pid: process.pid,
      destinationName: input.destinationName,
      status: 'SUBMITTED',
      creationTime: now,
      updateTime: now,
      items: input.items.map((i) => ({
        source: i.source,
        jobStatus: 'SUBMITTED',
      })),
    };
    writeJson(this.root('jobs', `${jobId}.json`), job);
    this.track(jobId, this.runImport(job, input.strict === true));
    return Promise.resolve({ jobId });
  }

  private track(id: string, p: Promise<void>): void {
    RUNNING_HERE.add(id);
    const guarded = p
      .catch(() => undefined)
      .finally(() => {
        this.running.delete(id);
        RUNNING_HERE.delete(id);
      });
    this.running.set(id, guarded);
  }

  private async runImport(initial: JobFile, strict: boolean): Promise<void> {
    await Promise.resolve();
    const dir = this.storeDir(initial.kind, initial.destinationName);
    const items: ImportItemDetail[] = [...initial.items];
    const log = new JobLog(this.root('jobs', `${initial.id}.json`), this.root('jobs', `${initial.id}.failures.jsonl`), initial, items);
    log.save('IN_PROGRESS');
    const task = this.ws.progress.start(`import ${initial.kind}s into ${initial.destinationName}`, items.length);
    let instance: DuckDBInstance | undefined;
    try {
      instance = await DuckDBInstance.create(':memory:', { ...CONVERSION_DUCKDB_CONFIG });
      const conn = await instance.connect();
      fs.mkdirSync(path.join(dir, 'data'), { recursive: true });
      const stored = readStoreItems(dir);
      const changes: DataChanges = { written: [], removedOther: false };
      // Sources go in chunks: one batched conversion, one journal line of stored items and one job-file write per
      // chunk, so the cost of a chunk does not grow with the number of files or the store's size (the items are
      // read once per job).
      for (let from = 0; from < items.length; from += COMMIT_CHUNK) {
        const chunk = Array.from({ length: Math.min(COMMIT_CHUNK, items.length - from) }, (_, k) => from + k);
        await importChunk({ conn, dir, jobId: initial.id, strict, items, log, stored, changes }, chunk);
        task.tick(chunk.length);
      }
      conn.closeSync();
      await this.refreshView(initial.kind, initial.destinationName, changes);
      const failed = items.filter((it) => it.jobStatus === 'FAILED').length;
      const partial = items.filter((it) => it.jobStatus === 'COMPLETED_WITH_FAILURES').length;
      const status: OmicsJobStatus = failed === items.length ? 'FAILED' : failed + partial > 0 ? 'COMPLETED_WITH_FAILURES' : 'COMPLETED';
      const rows = items.reduce((a, it) => a + (it.rows ?? 0), 0);
      log.save(status, {
        completionTime: new Date().toISOString(),
        statusMessage: `${String(items.length - failed)} of ${String(items.length)} items imported (${String(rows)} rows); ${String(failed)} items failed; ${String(log.failureCount)} failures reported`,
      });
      task.finish(status);
    } catch (e) {
      log.save('FAILED', {
        completionTime: new Date().toISOString(),
        statusMessage: normalizeErrorString(e),
      });
      task.finish('FAILED');
    } finally {
      instance?.closeSync();
    }
  }

  private getJob(kind: Kind, jobId: string): VariantImportJob {
    const file = this.root('jobs', `${jobId}.json`);
    const j = fs.existsSync(file) ? readJson<JobFile>(file) : undefined;
    if (j?.kind !== kind) {
      throw new HealthDataError('not-found', `${kind} import job ${jobId} does not exist; use the jobId returned by start${kind === 'variant' ? 'Variant' : 'Annotation'}ImportJob()`, {
        path: 'jobId',
      });
    }
    return {
      id: j.id,
      destinationName: j.destinationName,
      status: j.status,
      items: j.items,
      ...(j.statusMessage === undefined ? {} : { statusMessage: j.statusMessage }),
      ...(j.failures === undefined ? {} : { failures: j.failures }),
      ...(j.failureReport === undefined ? {} : { failureReport: j.failureReport }),
      creationTime: new Date(j.creationTime),
      updateTime: new Date(j.updateTime),
      ...(j.completionTime === undefined ? {} : { completionTime: new Date(j.completionTime) }),
    };
  }

  /**
   * Polls a job until it ends. A job of this process is waited for until it ends unless `timeoutMs` is given: a wait
   * that gave up would leave it running while the caller closes the workspace under it. Others: 10 minutes.
   */
  private async poll<T extends { status: OmicsJobStatus }>(id: string, get: () => Promise<T>, options: OmicsWaitOptions): Promise<T> {
    const timeoutMs = options.timeoutMs ?? (this.running.has(id) ? Number.POSITIVE_INFINITY : 600_000);
    const pollMs = options.pollMs ?? 250;
    const t0 = Date.now();
    for (;;) {
      const job = await get();
      if (TERMINAL_JOB_STATUSES.has(job.status)) {
        return job;
      }
      if (Date.now() - t0 > timeoutMs) {
        throw new HealthDataError('timeout', `wait: job ${id} is still ${job.status} after ${String(timeoutMs)} ms; wait longer (timeoutMs) or check the job`, {
          path: id,
        });
      }
      const running = this.running.get(id);
      await (running === undefined ? new Promise((r) => setTimeout(r, pollMs)) : Promise.race([running, new Promise((r) => setTimeout(r, pollMs))]));
    }
  }

  /** @inheritdoc */
  createVariantStore(input: { name: string; reference: { referenceArn: string }; description?: string }): Promise<VariantStoreInfo> {
    return settle(() => {
      return this.createStore('variant', input);
    });
  }

  /** @inheritdoc */
  getVariantStore(name: string): Promise<VariantStoreInfo> {
    return settle(() => {
      return Promise.resolve(this.getStore('variant', name));
    });
  }

  /** @inheritdoc */
  listVariantStores(): Promise<VariantStoreInfo[]> {
    return settle(() => {
      return Promise.resolve(this.listStores('variant'));
    });
  }

  /** @inheritdoc */
  startVariantImportJob(input: OmicsImportJobInput): Promise<{ jobId: string }> {
    return settle(() => {
      return this.startImport('variant', input);
    });
  }

  /** @inheritdoc */
  getVariantImportJob(jobId: string): Promise<VariantImportJob> {
    return settle(() => {
      return Promise.resolve(this.getJob('variant', jobId));
    });
  }

  /** @inheritdoc */
  waitForVariantImportJob(jobId: string, options: OmicsWaitOptions = {}): Promise<VariantImportJob> {
    return settle(() => {
      return this.poll(jobId, () => this.getVariantImportJob(jobId), options);
    });
  }

  /** @inheritdoc */
  createAnnotationStore(input: { name: string; storeFormat: 'VCF'; reference?: { referenceArn: string }; description?: string }): Promise<VariantStoreInfo> {
    return settle(() => {
      if ((input.storeFormat as string) !== 'VCF') {
        throw new HealthDataError('unsupported', `createAnnotationStore: storeFormat ${input.storeFormat as string} is not supported locally; use VCF`, {
          path: 'storeFormat',
        });
      }
      return this.createStore('annotation', input);
    });
  }

  /** @inheritdoc */
  getAnnotationStore(name: string): Promise<VariantStoreInfo> {
    return settle(() => {
      return Promise.resolve(this.getStore('annotation', name));
    });
  }

  /** @inheritdoc */
  listAnnotationStores(): Promise<VariantStoreInfo[]> {
    return settle(() => {
      return Promise.resolve(this.listStores('annotation'));
    });
  }

  /** @inheritdoc */
  startAnnotationImportJob(input: OmicsImportJobInput): Promise<{ jobId: string }> {
    return settle(() => {
      return this.startImport('annotation', input);
    });
  }

  /** @inheritdoc */
  getAnnotationImportJob(jobId: string): Promise<VariantImportJob> {
    return settle(() => {
      return Promise.resolve(this.getJob('annotation', jobId));
    });
  }

  /** @inheritdoc */
  waitForAnnotationImportJob(jobId: string, options: OmicsWaitOptions = {}): Promise<VariantImportJob> {
    return settle(() => {
      return this.poll(jobId, () => this.getAnnotationImportJob(jobId), options);
    });
  }

  /** @inheritdoc */
  importDatasetFiles(files: GenomicDatasetFiles, options: GenomicDatasetImportOptions): Promise<GenomicDatasetImport> {
    return importDatasetWithStores(this, files, options);
  }

  /** @inheritdoc */
  sampleTestDates(variantStore: string): Promise<Map<string, string> | undefined> {
    return settle(() => {
      const m = new Map<string, string>();
      for (const item of Object.values(this.storeItems('variant', variantStore))) {
        if (item.fileDate !== undefined) {
          const d = /^(\d{4})(\d{2})(\d{2})$/.exec(item.fileDate);
          for (const sample of item.samples) {
            m.set(sample, d === null ? item.fileDate : `${d[1] ?? ''}-${d[2] ?? ''}-${d[3] ?? ''}`);
          }
        }
      }
      return Promise.resolve(m);
    });
  }

  /** @inheritdoc */
  tableName(storeName: string): string {
    if (!STORE_NAME_PATTERN.test(storeName)) {
      throw new HealthDataError('invalid-input', `tableName: "${storeName}" is not a valid store name`, { path: 'name' });
    }
    return `"${storeName}"`;
  }
}
