/**
 * Converts one VCF into a Parquet file of the variant-store schema. DuckDB reads the data lines and builds every
 * column in SQL ({@link planVcfSql}), then `COPY … TO … (FORMAT parquet)`; no row passes through JavaScript.
 *
 * Two routes, same SQL, same rows:
 * - **fast** (lenient mode, the default): DuckDB reads the file itself (plain, gzip or BGZF) and keeps the lines the
 *   clean-line predicate proves valid, while JavaScript counts the data lines (and, for gzip, checks the whole
 *   stream decompresses — DuckDB accepts a truncated gzip silently). When every data line came out, nothing was
 *   rejected or warned about and the result stands.
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
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as zlib from 'node:zlib';
import type { DuckDBConnection } from '@duckdb/node-api';
import { HealthDataError, isHealthDataError } from '../../errors';
import { openVcf, readVcfHead } from '../../formats/vcf/reader';
import type { VcfHeader } from '../../formats/vcf/types';
import type { ImportFailure } from '../types';
import { sqlLiteral } from '../../sql/literal';
import { planVcfSql, tableFromRawSelect } from './vcf-sql';
import type { VcfSqlPlan } from './vcf-sql';


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
   * raw layout of `RAW_COLUMNS` (cheap columns typed, INFO/FORMAT/sample kept as text), which {@link tableFromRawSelect} turns
   * into the table's columns at query time — what the local store writes, since building the maps and lists is most
   * of the conversion's cost.
   */
  readonly layout?: 'table' | 'raw';
}

function selectFor(plan: VcfSqlPlan, layout: 'table' | 'raw', clean: boolean): string {
  const raw = clean ? plan.cleanRawSelect : plan.rawSelect;
  return layout === 'raw' ? raw : tableFromRawSelect(`(${raw})`, plan.formats);
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
async function countLines(file: string, gzip: boolean): Promise<{ lines: number; finalNewline: boolean }> {
  const raw = fs.createReadStream(file, { highWaterMark: 1 << 20 });
  const stream = gzip ? raw.pipe(zlib.createGunzip({ chunkSize: 1 << 20 })) : raw;
  if (stream !== raw) {
    raw.on('error', (e) => stream.destroy(e));
  }
  let lines = 0;
  // Length of the current line so far, and whether it is just "\r".
  let len = 0;
  let onlyCr = false;
  for await (const chunk of stream as AsyncIterable<Buffer>) {
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
  return { lines, finalNewline: !unterminated };
}

async function copyToParquet(conn: DuckDBConnection, select: string, tmp: string): Promise<number> {
  const result = await conn.runAndReadAll(`COPY (${select}) TO ${sqlLiteral(tmp)} (FORMAT parquet, COMPRESSION zstd)`);
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
 * @param conn - an in-memory DuckDB connection
 * @param source - VCF path (plain, gzip, BGZF)
 * @param out - Parquet path to write (staged as `out.<jobId>.tmp`, then renamed; removed when there are no rows)
 * @param options - job id, strict mode, progress callback
 * @returns counts, header, failures and the route taken
 * @throws {@link HealthDataError} (invalid-input) when the file cannot be read at all (not a VCF, corrupt gzip, strict-mode violation); (not-found) for a missing file
 */
export async function writeVcfAsParquet(conn: DuckDBConnection, source: string, out: string, options: VcfParquetOptions): Promise<VcfParquetResult> {
  const strict = options.strict === true;
  const head = await readVcfHead(source, { strict });
  const layout = options.layout ?? 'table';
  const [tmpSuffix = '.tmp'] = stagingSuffixes(options.importJobId);
  const tmp = `${out}${tmpSuffix}`;
  const headerFailures: ImportFailure[] = strict
    ? []
    : head.issues.filter((i) => i.severity === 'error').map((i) => ({ source, line: i.line, code: i.code, reason: i.message }));
  const perRecord = Math.max(1, head.header.samples.length);
  const formats = [...new Set(head.dataLines.map((l) => l.split('\t', 10)[8]).filter((f): f is string => f !== undefined))];
  if (!strict && options.route !== 'exact') {
    const plan = planVcfSql({ file: path.resolve(source), header: head.header, headerLines: head.headerLines, importJobId: options.importJobId, gzip: head.gzip, formats });
    const counting = countLines(source, head.gzip).then(
      (n) => ({ ok: true as const, lines: n.lines - head.headerLines, finalNewline: n.finalNewline }),
      (e: unknown) => ({ ok: false as const, error: e }),
    );
    let rows: number | undefined;
    try {
      rows = await copyToParquet(conn, selectFor(plan, layout, true), tmp);
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
        warnings: 0,
        route: 'fast',
        headerErrors: headerFailures.length,
      };
    }
    fs.rmSync(tmp, { force: true });
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
      rows = await copyToParquet(conn, selectFor(plan, options.layout ?? 'table', false), tmp);
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
