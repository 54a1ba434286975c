/**
 * Converts one VCF into a Parquet file of the variant-store schema. DuckDB reads the data lines and builds every
 * column in SQL ({@link planVcfSql}), then `COPY … TO … (FORMAT parquet)`; no row passes through JavaScript.
 *
 * Two routes, same SQL, same rows:
 * - **fast** (lenient mode, the default): DuckDB reads the file itself (plain, gzip or BGZF) and writes every line,
 *   checking each with the clean-line predicate and stopping at the first it cannot prove valid, while JavaScript
 *   counts the data lines (and, for gzip, checks the whole stream decompresses — DuckDB accepts a truncated gzip
 *   silently). When the statement completed and every data line came out, nothing was rejected or warned about
 *   (beyond the counted undeclared INFO keys) and the result stands.
 * - **exact** (strict mode, or when the fast route left lines out or DuckDB could not read the file): our reader
 *   validates every record (strict: fails at the first fault; lenient: rejects structurally bad records and reports
 *   them with line and rule, counts value faults as warnings), writes the kept lines to a temporary plain file, and
 *   the same SQL converts that.
 *
 * The fast route keeps exactly the records the exact route keeps; it does not count the warnings of the rules that
 * look across records (duplicate-record, unsorted, chrom-contiguous), which keep the record in lenient mode.
 *
 * Uses the caller's (in-memory) DuckDB connection, so the workspace database stays free for readers during an import.
 */
import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as zlib from 'node:zlib';
import type { DuckDBConnection } from '@duckdb/node-api';
import { HealthDataError, isHealthDataError } from '../../errors';
import { openVcf, readVcfHead, readVcfHeadFromText } from '../../formats/vcf/reader';
import type { VcfHeader } from '../../formats/vcf/types';
import type { ImportFailure } from '../types';
import { sqlLiteral } from '../../sql/literal';
import { footerKvSql, planVcfSql, tableFromRawSelect, withFooterSelect } from './vcf-sql';
import type { RawFooter, VcfSqlBatch, VcfSqlPlan } from './vcf-sql';

/**
 * The configuration of the in-memory DuckDB instance an import converts with: one thread to start with. The
 * conversion is one ordered statement per file (or group of small files). Small files stay on one thread: a second
 * one cost about 25% more CPU on 821 small files (the parallel CSV reader's and the ordered Parquet writer's
 * coordination) for no shorter wall time. A file of at least {@link PARALLEL_CONVERSION_BYTES} converts on every
 * core ({@link useConversionThreads}, which the conversion functions call): on 1 M records (65 MB, 2 cores) it took
 * 0.70–0.80 s against 1.19–1.22 s on one thread, for about 13% more CPU. Pass it to `DuckDBInstance.create`.
 */
export const CONVERSION_DUCKDB_CONFIG: Readonly<Record<string, string>> = { threads: '1' };

/** Sources at least this large (bytes on disk) convert on every core; smaller ones on one thread. */
export const PARALLEL_CONVERSION_BYTES = 16 << 20;

// The threads each conversion connection was last set to (an instance made with CONVERSION_DUCKDB_CONFIG starts at 1).
const conversionThreads = new WeakMap<DuckDBConnection, number>();

/**
 * Sets the conversion instance's `threads` for a source of `bytes` (every core from
 * {@link PARALLEL_CONVERSION_BYTES}, else one), only when it changes: a switch stops or starts DuckDB's threads.
 *
 * @param conn - a connection of the conversion instance (made with {@link CONVERSION_DUCKDB_CONFIG})
 * @param bytes - the source's size on disk (0 for a group of small files)
 */
export async function useConversionThreads(conn: DuckDBConnection, bytes: number): Promise<void> {
  const want = bytes >= PARALLEL_CONVERSION_BYTES ? Math.max(1, os.availableParallelism()) : 1;
  if ((conversionThreads.get(conn) ?? 1) !== want) {
    await conn.run(`SET threads = ${String(want)}`);
    conversionThreads.set(conn, want);
  }
}

function sizeOf(file: string): number {
  try {
    return fs.statSync(file).size;
  } catch {
    return 0; // the reader reports the missing file
  }
}

/** What converting one VCF produced. */
export interface VcfParquetResult {
  /** Data lines read. */
  readonly lines: number;
  /** Records kept. */
  readonly records: number;
  /** Records rejected (lenient mode). */
  readonly rejected: number;
  /** Rows written. */
  readonly rows: number;
  /** The VCF header. */
  readonly header: VcfHeader;
  /** Record-level failures (rejected records), plus header errors lenient mode read past. */
  readonly failures: ImportFailure[];
  /** Warnings (kept records with faults). */
  readonly warnings: number;
  /** Which route produced the rows: `fast` (DuckDB read the file) or `exact` (validated record by record first). */
  readonly route: 'fast' | 'exact';
  /** Header errors lenient mode read past (they are also in `failures`, with their line). */
  readonly headerErrors: number;
  /**
   * SHA-256 (hex) of the source's bytes as the conversion's own pass read them (the line count of the fast route, the
   * in-memory copy of a small file), so an import need not read the file once more to hash it; absent when no such
   * pass ran (strict mode, `route: 'exact'`).
   */
  readonly sha256?: string;
}

/**
 * The suffixes of the staging files one conversion writes next to its output (`<out><suffix>`): the Parquet being
 * written and the validated lines of the exact route. They carry the job id, so the files a killed job left behind
 * can be found and removed.
 *
 * @param importJobId - the job id
 * @returns the suffixes
 */
export function stagingSuffixes(importJobId: string): readonly string[] {
  const tag = importJobId.replace(/[^A-Za-z0-9_-]/g, '_');
  return [`.${tag}.tmp`, `.${tag}.lines.vcf`];
}

/** Options of {@link writeVcfAsParquet}. */
export interface VcfParquetOptions {
  /** Written to the `importjobid` column. */
  readonly importJobId: string;
  /** Strict mode: the first spec violation fails the file (always the exact route). */
  readonly strict?: boolean;
  /** Called with the number of records done (per 10 000 on the exact route, once at the end on the fast route). */
  readonly onRecords?: (n: number) => void;
  /** Skip the fast route (for tests and benchmarks comparing both). */
  readonly route?: 'auto' | 'exact';
  /**
   * `table` (default): the variant table's columns (docs/aws-semantics.md §1.5), for Athena/Glue. `raw`: the
   * raw layout of `STORED_RAW_COLUMNS` (cheap columns typed, INFO/FORMAT/sample kept as text, the job id and a single sample in the footer), which {@link tableFromRawSelect} turns
   * into the table's columns at query time — what the local store writes, since building the maps and lists is most
   * of the conversion's cost.
   */
  readonly layout?: 'table' | 'raw';
}

function selectFor(plan: VcfSqlPlan, layout: 'table' | 'raw', clean: boolean): string {
  // The fast route stops at the first line not proven clean (the exact route then decides every line).
  const raw = clean ? plan.checkedRawSelect : plan.rawSelect;
  // The table layout cannot report the fast route's warnings: lines with warnings are left to the exact route.
  if (layout === 'raw') {
    return raw;
  }
  const rows = withFooterSelect(`(${raw})`, plan.footer);
  return tableFromRawSelect(clean ? `(SELECT * FROM (${rows}) WHERE vcf_warnings = 0)` : `(${rows})`, plan.formats);
}

function decompressError(source: string, e: unknown): HealthDataError {
  const reason = e instanceof Error ? e.message : String(e);
  return new HealthDataError(
    'invalid-input',
    `readVcf: ${source} could not be decompressed or read (${reason}); the file is corrupt or truncated — re-copy or re-compress it (bgzip) and import it again`,
    { path: source, cause: e },
  );
}

/**
 * Counts the non-blank lines of a file (as the reader splits them: `\n`, with `\r\n` and a lone `\r` line blank),
 * decompressing gzip/BGZF in full so a corrupt or truncated stream is noticed.
 *
 * @param file - the file
 * @param gzip - whether it is gzip/BGZF
 * @returns the number of non-blank lines, and whether the last one ends with a line break
 */
async function countLines(file: string, gzip: boolean): Promise<{ lines: number; finalNewline: boolean; sha256: string }> {
  const raw = fs.createReadStream(file, { highWaterMark: 1 << 20 });
  const hash = crypto.createHash('sha256');
  const stream = gzip ? raw.pipe(zlib.createGunzip({ chunkSize: 1 << 20 })) : raw;
  if (stream !== raw) {
    raw.on('error', (e) => stream.destroy(e));
    raw.on('data', (chunk: Buffer | string) => {
      hash.update(chunk);
    });
  }
  let lines = 0;
  // Length of the current line so far, and whether it is just "\r".
  let len = 0;
  let onlyCr = false;
  for await (const chunk of stream as AsyncIterable<Buffer>) {
    if (stream === raw) {
      hash.update(chunk);
    }
    let from = 0;
    for (;;) {
      const nl = chunk.indexOf(10, from);
      const end = nl < 0 ? chunk.length : nl;
      const n = end - from;
      if (n > 0) {
        onlyCr = len === 0 && n === 1 && chunk[from] === 13 ? true : len + n === 1 ? onlyCr : false;
        len += n;
      }
      if (nl < 0) {
        break;
      }
      if (len > 0 && !(len === 1 && onlyCr)) {
        lines++;
      }
      len = 0;
      onlyCr = false;
      from = nl + 1;
    }
  }
  const unterminated = len > 0 && !(len === 1 && onlyCr);
  if (unterminated) {
    lines++;
  }
  return { lines, finalNewline: !unterminated, sha256: hash.digest('hex') };
}

/** Counts non-blank lines in a buffer, as {@link countLines}. */
function countBufferLines(buf: Buffer): { lines: number; finalNewline: boolean } {
  let lines = 0;
  let from = 0;
  for (;;) {
    const nl = buf.indexOf(10, from);
    const end = nl < 0 ? buf.length : nl;
    const n = end - from;
    const blank = n === 0 || (n === 1 && buf[from] === 13);
    if (nl < 0) {
      return blank ? { lines, finalNewline: true } : { lines: lines + 1, finalNewline: false };
    }
    if (!blank) {
      lines++;
    }
    from = nl + 1;
  }
}

/**
 * What the fast route's raw file holds beyond its rows: the warnings counted per record (undeclared INFO keys,
 * `vcf_warnings`, repeated on each sample's row) and the rows whose INFO was not proven clean (`vcf_warnings` NULL).
 * The full-table layout has no place for either: its fast route keeps only lines without warnings (see `selectFor`).
 *
 * @param conn - the connection
 * @param file - the raw Parquet file just written
 * @param perRecord - rows per record
 * @returns warnings (per record) and rows not proven clean
 */
async function fastWarnings(conn: DuckDBConnection, file: string, perRecord: number): Promise<{ warnings: number; unproven: number }> {
  const r = await conn.runAndReadAll(`SELECT coalesce(sum(vcf_warnings), 0), count(*) - count(vcf_warnings) FROM read_parquet(${sqlLiteral(file)})`);
  const row = r.getRows()[0];
  return { warnings: Number(row?.[0] ?? 0) / perRecord, unproven: Number(row?.[1] ?? 0) };
}

/**
 * Parquet options per layout. The raw layout (read only by DuckDB, through the store's view) is written as Parquet
 * 2 without dictionaries: most of its text columns (POS-derived, ID, INFO, samples) are unique per row, where building
 * a dictionary is wasted work, and the delta encodings compress them to about a fifth of the dictionary file. The
 * full-table layout keeps DuckDB's defaults (Athena reads it).
 *
 * @param layout - the layout
 * @returns the COPY options after FORMAT
 */
function parquetOptions(layout: 'table' | 'raw'): string {
  return layout === 'raw' ? 'COMPRESSION zstd, PARQUET_VERSION V2, DICTIONARY_SIZE_LIMIT 1' : 'COMPRESSION zstd';
}

/**
 * The COPY options of a file: {@link parquetOptions}, and for the raw layout the footer with the per-file values its
 * rows leave out (the job id; the sample of a single-sample file).
 */
function copyOptions(layout: 'table' | 'raw', footer: RawFooter): string {
  return layout === 'raw' ? `${parquetOptions(layout)}, ${footerKvSql(footer)}` : parquetOptions(layout);
}

async function copyToParquet(conn: DuckDBConnection, select: string, tmp: string, layout: 'table' | 'raw', footer: RawFooter): Promise<number> {
  const result = await conn.runAndReadAll(`COPY (${select}) TO ${sqlLiteral(tmp)} (FORMAT parquet, ${copyOptions(layout, footer)})`);
  const first = result.getRows()[0]?.[0];
  return Number(first ?? 0);
}

function finish(tmp: string, out: string, rows: number): void {
  if (rows > 0) {
    fs.renameSync(tmp, out);
  } else {
    fs.rmSync(tmp, { force: true });
    fs.rmSync(out, { force: true });
  }
}

/**
 * Writes one VCF as Parquet in the variant-store schema (see the module header for the two routes).
 *
 * @param conn - an in-memory DuckDB connection (its `threads` set for the source's size: {@link useConversionThreads})
 * @param source - VCF path (plain, gzip, BGZF)
 * @param out - Parquet path to write (staged as `out.<jobId>.tmp`, then renamed; removed when there are no rows)
 * @param options - job id, strict mode, progress callback
 * @returns counts, header, failures and the route taken
 * @throws {@link HealthDataError} (invalid-input) when the file cannot be read at all (not a VCF, corrupt gzip, strict-mode violation); (not-found) for a missing file
 */
export async function writeVcfAsParquet(conn: DuckDBConnection, source: string, out: string, options: VcfParquetOptions): Promise<VcfParquetResult> {
  const strict = options.strict === true;
  const head = await readVcfHead(source, { strict });
  await useConversionThreads(conn, sizeOf(source));
  const layout = options.layout ?? 'table';
  const [tmpSuffix = '.tmp'] = stagingSuffixes(options.importJobId);
  const tmp = `${out}${tmpSuffix}`;
  const headerFailures: ImportFailure[] = strict ? [] : head.issues.filter((i) => i.severity === 'error').map((i) => ({ source, line: i.line, code: i.code, reason: i.message }));
  const perRecord = Math.max(1, head.header.samples.length);
  const formats = [...new Set(head.dataLines.map((l) => l.split('\t', 10)[8]).filter((f): f is string => f !== undefined))];
  if (!strict && options.route !== 'exact') {
    const plan = planVcfSql({
      file: path.resolve(source),
      header: head.header,
      headerLines: head.headerLines,
      importJobId: options.importJobId,
      gzip: head.gzip,
      formats,
      firstLines: head.dataLines,
    });
    const counting = countLines(source, head.gzip).then(
      (n) => ({ ok: true as const, lines: n.lines - head.headerLines, finalNewline: n.finalNewline, sha256: n.sha256 }),
      (e: unknown) => ({ ok: false as const, error: e }),
    );
    let rows: number | undefined;
    let warnings = 0;
    try {
      rows = await copyToParquet(conn, selectFor(plan, layout, true), tmp, layout, plan.footer);
      if (layout === 'raw' && rows > 0) {
        const w = await fastWarnings(conn, tmp, perRecord);
        rows -= w.unproven;
        warnings = w.warnings;
      }
    } catch {
      // DuckDB could not read the file (mixed line endings, invalid UTF-8, …): the exact route decides.
      rows = undefined;
    }
    const counted = await counting;
    if (!counted.ok) {
      fs.rmSync(tmp, { force: true });
      throw decompressError(path.basename(source), counted.error);
    }
    // A missing final line break is a rule of VCF ≥ 4.3 the exact route reports (rule final-newline).
    const ending = counted.finalNewline || counted.lines === 0 || head.header.minor < 3;
    if (rows !== undefined && rows === counted.lines * perRecord && ending) {
      finish(tmp, out, rows);
      options.onRecords?.(counted.lines);
      return {
        lines: counted.lines,
        records: counted.lines,
        rejected: 0,
        rows,
        header: head.header,
        failures: headerFailures,
        warnings,
        route: 'fast',
        headerErrors: headerFailures.length,
        sha256: counted.sha256,
      };
    }
    fs.rmSync(tmp, { force: true });
    return { ...(await exactRoute(conn, source, out, options, formats)), sha256: counted.sha256 };
  }
  return exactRoute(conn, source, out, options, formats);
}

async function exactRoute(conn: DuckDBConnection, source: string, out: string, options: VcfParquetOptions, formats: readonly string[]): Promise<VcfParquetResult> {
  const strict = options.strict === true;
  const vcf = await openVcf(source, { strict, keepText: true });
  const [tmpSuffix = '.tmp', linesSuffix = '.lines.vcf'] = stagingSuffixes(options.importJobId);
  const linesFile = `${out}${linesSuffix}`;
  const tmp = `${out}${tmpSuffix}`;
  const fd = fs.openSync(linesFile, 'w');
  let closed = false;
  try {
    let buffer: string[] = [];
    let n = 0;
    for await (const record of vcf.records) {
      buffer.push(record.text ?? '');
      n++;
      if (buffer.length >= 20_000) {
        fs.writeSync(fd, `${buffer.join('\n')}\n`);
        buffer = [];
      }
      if (n % 10_000 === 0) {
        options.onRecords?.(n);
      }
    }
    if (buffer.length > 0) {
      fs.writeSync(fd, `${buffer.join('\n')}\n`);
    }
    fs.closeSync(fd);
    closed = true;
    let rows = 0;
    if (n > 0) {
      const plan = planVcfSql({ file: linesFile, header: vcf.header, headerLines: 0, importJobId: options.importJobId, gzip: false, formats });
      rows = await copyToParquet(conn, selectFor(plan, options.layout ?? 'table', false), tmp, options.layout ?? 'table', plan.footer);
      const perRecord = Math.max(1, vcf.header.samples.length);
      if (rows !== n * perRecord) {
        throw new HealthDataError('backend', `writeVcfAsParquet: ${source}: ${String(n)} records gave ${String(rows)} rows, expected ${String(n * perRecord)}; please report this file`);
      }
    }
    finish(tmp, out, rows);
    const failures: ImportFailure[] = vcf.issues.filter((i) => i.severity === 'error').map((i) => ({ source, line: i.line, code: i.code, reason: i.message }));
    return {
      lines: vcf.stats.lines,
      records: vcf.stats.records,
      rejected: vcf.stats.rejected,
      rows,
      header: vcf.header,
      failures,
      warnings: vcf.stats.warnings,
      route: 'exact',
      headerErrors: vcf.issues.filter((i) => i.severity === 'error' && i.line <= vcf.headerLines).length,
    };
  } catch (e) {
    fs.rmSync(tmp, { force: true });
    if (isHealthDataError(e)) {
      throw e;
    }
    throw new HealthDataError('backend', `writeVcfAsParquet: converting ${source} failed: ${e instanceof Error ? e.message : String(e)}`, { cause: e });
  } finally {
    if (!closed) {
      fs.closeSync(fd);
    }
    await vcf.close();
    fs.rmSync(linesFile, { force: true });
  }
}

/** Files up to this size are converted together (one DuckDB statement per group of files); larger ones one by one. */
export const BATCH_FILE_BYTES = 8 << 20;
/** Most files one batched statement reads. */
export const BATCH_MAX_FILES = 200;

/** One source of {@link writeVcfsAsParquet}: the VCF and the Parquet file to write. */
export interface VcfBatchItem {
  readonly source: string;
  readonly out: string;
}

/** The outcome of one source of {@link writeVcfsAsParquet}: its result, or the error that failed it alone. */
export type VcfBatchOutcome = { readonly ok: true; readonly result: VcfParquetResult } | { readonly ok: false; readonly error: unknown };

/** A small file read and checked, ready for its group's statement. */
interface Prepared {
  readonly index: number;
  readonly item: VcfBatchItem;
  readonly head: Awaited<ReturnType<typeof readVcfHead>>;
  readonly formats: readonly string[];
  readonly lines: number;
  readonly finalNewline: boolean;
  /** SHA-256 of the file's bytes (as stored, before decompression). */
  readonly sha256: string;
}

async function settleOutcome(fn: () => Promise<VcfParquetResult>): Promise<VcfBatchOutcome> {
  try {
    return { ok: true, result: await fn() };
  } catch (e) {
    return { ok: false, error: e };
  }
}

/**
 * Reads a small file's head and counts its lines from one in-memory copy (decompressed in full, so a corrupt or
 * truncated gzip is noticed as on the single-file route).
 */
async function prepare(index: number, item: VcfBatchItem): Promise<Prepared> {
  let buf = fs.readFileSync(item.source);
  const sha256 = crypto.createHash('sha256').update(buf).digest('hex');
  const gzip = buf.length >= 2 && buf[0] === 0x1f && buf[1] === 0x8b;
  if (gzip) {
    try {
      buf = zlib.gunzipSync(buf);
    } catch (e) {
      throw decompressError(path.basename(item.source), e);
    }
  }
  const head = await readVcfHeadFromText(buf.toString('utf8'), gzip, { strict: false, source: path.basename(item.source) });
  const counted = countBufferLines(buf);
  const formats = [...new Set(head.dataLines.map((l) => l.split('\t', 10)[8]).filter((f): f is string => f !== undefined))];
  return { index, item, head, formats, lines: counted.lines - head.headerLines, finalNewline: counted.finalNewline, sha256 };
}

function fastResult(p: Prepared, rows: number, warnings: number): VcfParquetResult {
  const failures = p.head.issues.filter((i) => i.severity === 'error').map((i) => ({ source: p.item.source, line: i.line, code: i.code, reason: i.message }));
  return { lines: p.lines, records: p.lines, rejected: 0, rows, header: p.head.header, failures, warnings, route: 'fast', headerErrors: failures.length, sha256: p.sha256 };
}

/**
 * Converts many VCFs, each to its own Parquet file (as {@link writeVcfAsParquet} would, same rows and counts), with
 * the small ones (≤ {@link BATCH_FILE_BYTES}) read together: files whose headers plan the same statement (same
 * definitions, sample count, compression, FORMAT layouts) go through one `read_csv` over all of them with the file
 * name as a column, one clean-line filter, and one partitioned `COPY`; a file whose lines were not all proven clean
 * then takes the exact route alone, and a group DuckDB cannot read falls back to one file at a time. Strict mode,
 * the full-table layout and large files take the single-file route.
 *
 * @param conn - an in-memory DuckDB connection
 * @param items - sources and outputs (staging files carry the job id, see {@link stagingSuffixes})
 * @param options - as {@link writeVcfAsParquet}
 * @returns one outcome per item, in order
 */
export async function writeVcfsAsParquet(conn: DuckDBConnection, items: readonly VcfBatchItem[], options: VcfParquetOptions): Promise<VcfBatchOutcome[]> {
  const out: VcfBatchOutcome[] = [];
  const groups = new Map<string, Prepared[]>();
  const batchable = options.strict !== true && options.route !== 'exact' && options.layout === 'raw';
  for (const [index, item] of items.entries()) {
    let small = false;
    try {
      small = batchable && fs.statSync(item.source).size <= BATCH_FILE_BYTES;
    } catch {
      small = false; // the single-file route reports the missing file
    }
    if (!small) {
      out[index] = await settleOutcome(() => writeVcfAsParquet(conn, item.source, item.out, options));
      continue;
    }
    try {
      const p = await prepare(index, item);
      const h = p.head.header;
      const sig = [h.samples.length, p.head.gzip, JSON.stringify([...h.info]), JSON.stringify([...h.format]), p.formats.join('\n')].join('\u0000');
      const group = groups.get(sig) ?? [];
      groups.set(sig, group);
      group.push(p);
    } catch (e) {
      out[index] = { ok: false, error: e };
    }
  }
  for (const group of groups.values()) {
    for (let i = 0; i < group.length; i += BATCH_MAX_FILES) {
      const part = group.slice(i, i + BATCH_MAX_FILES);
      const done = await convertGroup(conn, part, options).catch(() => undefined);
      for (const p of part) {
        const got = done?.get(p.index);
        // Not all lines proven clean, or the group could not be read: this file alone, fast route first.
        out[p.index] = got !== undefined ? { ok: true, result: fastResult(p, got.rows, got.warnings) } : await settleOutcome(() => writeVcfAsParquet(conn, p.item.source, p.item.out, options));
      }
    }
  }
  return out;
}

/**
 * One statement for a group of small files: the clean rows into a temporary table, rows per file, then one
 * partitioned COPY of the files whose every line came out, each partition renamed to its file's output.
 *
 * @returns rows per item index for the files done (the others are left to the caller)
 */
async function convertGroup(conn: DuckDBConnection, group: readonly Prepared[], options: VcfParquetOptions): Promise<Map<number, { rows: number; warnings: number }>> {
  const first = group[0];
  if (first === undefined) {
    return new Map();
  }
  const header = first.head.header;
  const batch: VcfSqlBatch = { files: group.map((p, k) => ({ file: path.resolve(p.item.source), key: `f${String(k)}`, samples: p.head.header.samples })) };
  const plan = planVcfSql({ file: '', header, headerLines: 0, importJobId: options.importJobId, gzip: first.head.gzip, formats: first.formats, batch, firstLines: first.head.dataLines });
  const [tmpSuffix = '.tmp'] = stagingSuffixes(options.importJobId);
  const staging = `${path.join(path.dirname(first.item.out), 'batch')}${tmpSuffix}`;
  const done = new Map<number, { rows: number; warnings: number }>();
  try {
    await useConversionThreads(conn, 0);
    await conn.run(`CREATE OR REPLACE TEMP TABLE vcf_batch AS ${plan.cleanRawSelect}`);
    // Rows with a NULL vcf_warnings were not proven clean (their file then takes the exact route).
    const rowsOf = await conn.runAndReadAll('SELECT vcf_source, count(vcf_warnings) AS n, coalesce(sum(vcf_warnings), 0) AS w FROM vcf_batch GROUP BY vcf_source');
    const counts = new Map(rowsOf.getRows().map((r) => [String(r[0]), Number(r[1])]));
    const warnings = new Map(rowsOf.getRows().map((r) => [String(r[0]), Number(r[2])]));
    const keep: string[] = [];
    for (const [k, p] of group.entries()) {
      const key = `f${String(k)}`;
      const rows = counts.get(key) ?? 0;
      const perRecord = Math.max(1, p.head.header.samples.length);
      // A missing final line break is a rule of VCF ≥ 4.3 the exact route reports (rule final-newline).
      const ending = p.finalNewline || p.lines === 0 || p.head.header.minor < 3;
      if (rows === p.lines * perRecord && ending) {
        done.set(p.index, { rows, warnings: (warnings.get(key) ?? 0) / perRecord });
        if (rows > 0) {
          keep.push(key);
        }
      }
    }
    if (keep.length > 0) {
      await conn.run(
        `COPY (SELECT * FROM vcf_batch WHERE vcf_source IN (${keep.map((k) => sqlLiteral(k)).join(', ')})) TO ${sqlLiteral(staging)} ` +
          `(FORMAT parquet, ${copyOptions('raw', plan.footer)}, PARTITION_BY (vcf_source), FILENAME_PATTERN 'part_{i}')`,
      );
    }
    for (const [k, p] of group.entries()) {
      const rows = done.get(p.index)?.rows;
      if (rows === undefined) {
        continue;
      }
      if (rows === 0) {
        if (fs.existsSync(p.item.out)) {
          fs.rmSync(p.item.out, { force: true });
        }
        continue;
      }
      const dir = path.join(staging, `vcf_source=f${String(k)}`);
      const parts = fs.readdirSync(dir).filter((f) => f.endsWith('.parquet'));
      const tmp = `${p.item.out}${tmpSuffix}`;
      if (parts.length === 1) {
        fs.renameSync(path.join(dir, parts[0] ?? ''), tmp);
      } else {
        await conn.run(`COPY (SELECT * FROM read_parquet(${sqlLiteral(path.join(dir, '*.parquet'))})) TO ${sqlLiteral(tmp)} (FORMAT parquet, ${copyOptions('raw', plan.footer)})`);
      }
      fs.renameSync(tmp, p.item.out);
      if (parts.length === 1) {
        fs.rmdirSync(dir);
      } else {
        fs.rmSync(dir, { recursive: true });
      }
      options.onRecords?.(p.lines);
    }
    return done;
  } finally {
    // Each partition's folder is removed as its file is renamed: usually only the empty staging folder is left.
    if (fs.existsSync(staging)) {
      try {
        fs.rmdirSync(staging);
      } catch {
        fs.rmSync(staging, { recursive: true, force: true });
      }
    }
    await conn.run('DROP TABLE IF EXISTS vcf_batch');
  }
}
