/**
 * Converts one VCF into a Parquet file of the variant-store schema, streaming: records → JSON lines → DuckDB
 * `read_json` with the schema's column types → `COPY … TO … (FORMAT parquet)`. Uses its own in-memory DuckDB, so
 * the workspace database stays free for readers while an import runs.
 */
import * as fs from 'node:fs';
import type { DuckDBConnection } from '@duckdb/node-api';
import { HealthDataError, isHealthDataError } from '../../errors';
import { openVcf } from '../../formats/vcf/reader';
import type { VcfHeader } from '../../formats/vcf/types';
import type { ImportFailure } from '../types';
import { duckdbColumnSpec, vcfRecordToRows } from '../schema';

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
  /** Record-level failures (rejected records). */
  readonly failures: ImportFailure[];
  /** Warnings (kept records with faults). */
  readonly warnings: number;
}

/**
 * Quotes a string as a SQL literal (for file paths in DDL/COPY, which take no parameters).
 *
 * @param s - the text
 * @returns `'text'` with quotes doubled
 */
export function sqlLiteral(s: string): string {
  return `'${s.replace(/'/g, "''")}'`;
}

/**
 * Writes one VCF as Parquet in the variant-store schema.
 *
 * @param conn - an in-memory DuckDB connection
 * @param source - VCF path (plain, gzip, BGZF)
 * @param out - Parquet path to write (written to `out.tmp` first, then renamed)
 * @param options - job id, strict mode, and a callback per 10 000 records
 * @returns counts, header and failures
 * @throws {@link HealthDataError} (invalid-input) when the file cannot be read at all (not a VCF, corrupt gzip, strict-mode violation)
 */
export async function writeVcfAsParquet(
  conn: DuckDBConnection,
  source: string,
  out: string,
  options: { importJobId: string; strict?: boolean; onRecords?: (n: number) => void },
): Promise<VcfParquetResult> {
  const vcf = await openVcf(source, { strict: options.strict === true });
  const jsonl = `${out}.jsonl`;
  const fd = fs.openSync(jsonl, 'w');
  let rows = 0;
  try {
    let buffer: string[] = [];
    let n = 0;
    for await (const record of vcf.records) {
      for (const row of vcfRecordToRows(record, vcf.header, options.importJobId)) {
        buffer.push(JSON.stringify(row));
        rows++;
      }
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
    if (rows > 0) {
      const tmp = `${out}.tmp`;
      await conn.run(
        `COPY (SELECT * FROM read_json(${sqlLiteral(jsonl)}, format = 'newline_delimited', columns = ${duckdbColumnSpec()}, maximum_object_size = 67108864)) TO ${sqlLiteral(tmp)} (FORMAT parquet, COMPRESSION zstd)`,
      );
      fs.renameSync(tmp, out);
    } else {
      fs.rmSync(out, { force: true });
    }
  } catch (e) {
    try {
      fs.closeSync(fd);
    } catch {
      // already closed
    }
    if (isHealthDataError(e)) {
      throw e;
    }
    throw new HealthDataError('backend', `writeVcfAsParquet: converting ${source} failed: ${e instanceof Error ? e.message : String(e)}`, { cause: e });
  } finally {
    fs.rmSync(jsonl, { force: true });
  }
  const failures: ImportFailure[] = vcf.issues
    .filter((i) => i.severity === 'error')
    .map((i) => ({ source, line: i.line, code: i.code, reason: i.message }));
  return {
    lines: vcf.stats.lines,
    records: vcf.stats.records,
    rejected: vcf.stats.rejected,
    rows,
    header: vcf.header,
    failures,
    warnings: vcf.stats.warnings,
  };
}
