/**
 * The footer values (job id, single sample) of a local store's raw data files, kept in a table of the workspace
 * database with each file's identity (inode, size, modification time) when read. The store's view joins its files to
 * this table, so a refresh reads the footers of new or replaced files only — in this process or any later one — and
 * the view's text does not name every file (at 63,000 files, a view naming each took 4 s to bind, for every query
 * and every refresh). A file not in the table yet (in place before its job's refresh, or left by a kill) is not part
 * of the view until the next refresh reads it, as when the view named its files.
 */
import * as fs from 'node:fs';
import type { DuckDbEngine } from '../../sql/duckdb-engine';
import { sqlIdentifier, sqlLiteral } from '../../sql/literal';
import { rawFootersSql } from './vcf-sql';

/** Files whose footers one statement reads, and rows one INSERT writes. */
const BATCH = 2000;

/**
 * The footer table of a store (its name cannot clash with a store's: store names start with a letter).
 *
 * @param storeName - the store's name
 * @returns the quoted table name
 */
export function rawFooterTable(storeName: string): string {
  return sqlIdentifier(`_mmh_raw_footers:${storeName}`);
}

function stampOf(file: string): string {
  const st = fs.statSync(file, { bigint: true });
  return `${String(st.ino)}:${String(st.size)}:${String(st.mtimeNs)}`;
}

/**
 * Brings a store's footer table in line with its raw files: reads the footers of the files not in the table or
 * changed since (a re-import renames a new file into place), and drops the rows of files gone. With `scope`
 * `written`, `files` are only the files a job has just written: their footers are (re)read and nothing else is
 * looked at, so a job's refresh costs its own files, not the store's.
 *
 * @param duck - the workspace's DuckDB engine
 * @param table - the footer table ({@link rawFooterTable})
 * @param files - every raw file of the store, or (scope `written`) the files just written (absolute paths)
 * @param scope - `all` (default) or `written`
 */
export async function syncRawFooters(duck: DuckDbEngine, table: string, files: readonly string[], scope: 'all' | 'written' = 'all'): Promise<void> {
  await duck.exec(`CREATE TABLE IF NOT EXISTS ${table} (vcf_file VARCHAR PRIMARY KEY, vcf_jobid VARCHAR, vcf_sampleid VARCHAR, stamp VARCHAR)`);
  const stamped = files.map((file) => ({ file, stamp: stampOf(file) }));
  if (scope === 'written') {
    await writeFooters(duck, table, files, await readFooters(duck, stamped));
    return;
  }
  const known = new Map((await duck.query<{ vcf_file: string; stamp: string }>(`SELECT vcf_file, stamp FROM ${table}`)).map((r) => [r.vcf_file, r.stamp]));
  const present = new Set(files);
  const missing = stamped.filter((f) => known.get(f.file) !== f.stamp);
  const drop = [...[...known.keys()].filter((f) => !present.has(f)), ...missing.filter((m) => known.has(m.file)).map((m) => m.file)];
  if (missing.length > 0 || drop.length > 0) {
    await writeFooters(duck, table, drop, await readFooters(duck, missing));
  }
}

/** The footer rows (SQL VALUES tuples) of files, read from the files. */
async function readFooters(duck: DuckDbEngine, files: readonly { readonly file: string; readonly stamp: string }[]): Promise<string[]> {
  const rows: string[] = [];
  for (let i = 0; i < files.length; i += BATCH) {
    const part = files.slice(i, i + BATCH);
    const read = await duck.query<{ file_name: string; importjobid: string | null; sampleid: string | null }>(rawFootersSql(part.map((m) => m.file)));
    const byFile = new Map(read.map((r) => [r.file_name, r]));
    for (const { file, stamp } of part) {
      const r = byFile.get(file);
      rows.push(`(${sqlLiteral(file)}, ${value(r?.importjobid)}, ${value(r?.sampleid)}, ${sqlLiteral(stamp)})`);
    }
  }
  return rows;
}

/** Deletes the rows of `drop` and inserts `rows`, in one transaction. */
async function writeFooters(duck: DuckDbEngine, table: string, drop: readonly string[], rows: readonly string[]): Promise<void> {
  await duck.session('genomics: store footers', async (conn) => {
    await conn.run('BEGIN TRANSACTION');
    try {
      for (let i = 0; i < drop.length; i += BATCH) {
        await conn.run(
          `DELETE FROM ${table} WHERE vcf_file IN (${drop
            .slice(i, i + BATCH)
            .map((f) => sqlLiteral(f))
            .join(', ')})`,
        );
      }
      for (let i = 0; i < rows.length; i += BATCH) {
        await conn.run(`INSERT INTO ${table} VALUES ${rows.slice(i, i + BATCH).join(', ')}`);
      }
      await conn.run('COMMIT');
    } catch (e) {
      await conn.run('ROLLBACK');
      throw e;
    }
  });
}

function value(v: string | null | undefined): string {
  return typeof v === 'string' ? sqlLiteral(v) : 'CAST(NULL AS VARCHAR)';
}
