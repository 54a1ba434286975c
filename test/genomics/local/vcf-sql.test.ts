import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as zlib from 'node:zlib';
import { DuckDBInstance } from '@duckdb/node-api';
import type { DuckDBConnection } from '@duckdb/node-api';
import { openVcf } from '../../../src/formats/vcf/reader';
import { CONVERSION_DUCKDB_CONFIG, PARALLEL_CONVERSION_BYTES, writeVcfAsParquet, writeVcfsAsParquet } from '../../../src/genomics/local/parquet-writer';
import { rawFootersSql, rawFromLegacyRawSelect, storedRawTableSelect, tableFromRawSelect } from '../../../src/genomics/local/vcf-sql';
import { sqlLiteral } from '../../../src/sql/literal';
import { VARIANT_COLUMNS, vcfRecordToRows } from '../../../src/genomics/schema';
import type { VariantRow } from '../../../src/genomics/schema';
import { tmpDir } from '../../helpers/tmp';
import { REFERENCE_DATA } from '../../helpers/reference-data';

const FIX = path.join(__dirname, '..', 'fixtures');
const VCF_DIR = path.join(REFERENCE_DATA, 'vcf');
const CLINVAR = path.join(REFERENCE_DATA, 'clinvar/clinvar_20241111_grch38_seqr_test_subset.vcf');

/** Rows as the JavaScript reader + vcfRecordToRows make them (the reference semantics). */
async function jsRows(file: string): Promise<{ rows: VariantRow[]; lines: number; records: number; rejected: number; warnings: number }> {
  const vcf = await openVcf(file);
  const rows: VariantRow[] = [];
  for await (const r of vcf.records) {
    rows.push(...vcfRecordToRows(r, vcf.header, 'job'));
  }
  return { rows, lines: vcf.stats.lines, records: vcf.stats.records, rejected: vcf.stats.rejected, warnings: vcf.stats.warnings };
}

/**
 * The raw-layout relation (`RAW_COLUMNS`) of a stored raw file: its rows joined to its footer (job id, single sample),
 * as the store's view reads them.
 */
async function storedRelation(conn: DuckDBConnection, file: string): Promise<string> {
  const footers = (await conn.runAndReadAll(rawFootersSql([file]))).getRowObjectsJS();
  const f = footers[0] ?? {};
  const value = (v: unknown): string => (typeof v === 'string' ? sqlLiteral(v) : 'CAST(NULL AS VARCHAR)');
  const footer = `(SELECT * FROM (VALUES (${sqlLiteral(file)}, ${value(f.importjobid)}, ${value(f.sampleid)})) t(vcf_file, vcf_jobid, vcf_sampleid))`;
  return `(${storedRawTableSelect(`[${sqlLiteral(file)}]`, footer)})`;
}

/** Rows of a Parquet file in the same plain-JSON shape (maps as objects, BIGINT as number). */
async function parquetRows(conn: DuckDBConnection, file: string, layout: 'table' | 'raw'): Promise<VariantRow[]> {
  if (!fs.existsSync(file)) {
    return [];
  }
  const from = `read_parquet('${file}')`;
  const r = await conn.runAndReadAll(layout === 'raw' ? tableFromRawSelect(await storedRelation(conn, file)) : `SELECT * FROM ${from}`);
  assert.deepEqual(
    r.columnNames(),
    VARIANT_COLUMNS.map((c) => c.name),
  );
  const unquoted = (t: string): string => t.replace(/"/g, '');
  assert.deepEqual(
    r.columnTypes().map((t) => unquoted(t.toString())),
    VARIANT_COLUMNS.map((c) => unquoted(c.duckdb)),
  );
  return r.getRowObjectsJS().map((row) => {
    const out: Record<string, unknown> = {};
    for (const c of VARIANT_COLUMNS) {
      const v = row[c.name];
      if (c.duckdb.startsWith('MAP')) {
        const entries = (v as { key: string; value: string }[] | null) ?? [];
        out[c.name] = Object.fromEntries(entries.map((e) => [e.key, e.value]));
        assert.equal(Object.keys(out[c.name] as object).length, entries.length, `${c.name}: map keys are unique`);
      } else if (typeof v === 'bigint') {
        out[c.name] = Number(v);
      } else if (Array.isArray(v)) {
        out[c.name] = v.map((x) => (typeof x === 'bigint' ? Number(x) : x));
      } else {
        out[c.name] = v ?? null;
      }
    }
    return out as unknown as VariantRow;
  });
}

// Files with value faults (warnings) or rejected records: the fast route cannot prove them clean.
const EXACT_ROUTE = new Set([
  'bcftools_stats_counts_multisample.vcf',
  'hts-specs_failed_body_info_000_v4.3.vcf',
  'hts-specs_passed_body_alt_v4.3.vcf',
  'htslib_tabix_vcf_file_multiallelic.vcf',
  // No line break after its last data line (VCF ≥ 4.3 rule final-newline): the exact route reports it.
  'htslib_vcf44_phasing_missing.vcf',
  'p3_faulty.vcf',
]);

describe('VCF → variant table in SQL (fast and exact routes)', function () {
  this.timeout(60_000);
  let dir = '';
  let instance: DuckDBInstance;
  let conn: DuckDBConnection;
  const files: string[] = [];

  before(async () => {
    dir = tmpDir('vcf-sql');
    instance = await DuckDBInstance.create(':memory:');
    conn = await instance.connect();
    for (const f of fs.readdirSync(VCF_DIR)) {
      files.push(path.join(VCF_DIR, f));
    }
    for (const f of fs.readdirSync(FIX).filter((x) => x.endsWith('.vcf'))) {
      files.push(path.join(FIX, f));
    }
    files.push(CLINVAR);
  });

  after(() => {
    conn.closeSync();
    instance.closeSync();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('writes the same rows and counts as the JavaScript reader for every reference and fixture VCF', async () => {
    for (const file of files) {
      const base = path.basename(file);
      let js: Awaited<ReturnType<typeof jsRows>>;
      try {
        js = await jsRows(file);
      } catch (e) {
        await assert.rejects(writeVcfAsParquet(conn, file, path.join(dir, `${base}.parquet`), { importJobId: 'job' }), { message: (e as Error).message }, base);
        continue;
      }
      for (const route of ['auto', 'exact'] as const) {
        for (const layout of ['table', 'raw'] as const) {
          const out = path.join(dir, `${base}.${route}.${layout}.parquet`);
          const r = await writeVcfAsParquet(conn, file, out, { importJobId: 'job', route, layout });
          assert.equal(r.route, route === 'exact' || EXACT_ROUTE.has(base) ? 'exact' : 'fast', `${base} ${route} route`);
          assert.deepEqual([r.lines, r.records, r.rejected, r.rows, r.warnings], [js.lines, js.records, js.rejected, js.rows.length, js.warnings], `${base} ${route} counts`);
          assert.deepEqual(await parquetRows(conn, out, layout), js.rows, `${base} ${route} ${layout} rows`);
        }
      }
    }
  });

  it('converts a large file on every core with the same rows in file order, and small files on one thread', async () => {
    const big = path.join(dir, 'big.vcf');
    const head = [
      '##fileformat=VCFv4.2',
      '##contig=<ID=1,length=248956422>',
      '##INFO=<ID=DP,Number=1,Type=Integer,Description="Depth">',
      '##INFO=<ID=AF,Number=A,Type=Float,Description="Allele frequency">',
      '##INFO=<ID=DB,Number=0,Type=Flag,Description="dbSNP">',
      '##FILTER=<ID=q10,Description="Quality below 10">',
      '##FORMAT=<ID=GT,Number=1,Type=String,Description="Genotype">',
      '##FORMAT=<ID=DP,Number=1,Type=Integer,Description="Depth">',
      '#CHROM\tPOS\tID\tREF\tALT\tQUAL\tFILTER\tINFO\tFORMAT\tS1',
    ];
    const alts = ['C', 'G,T', 'TA', '.'];
    const gts = ['0/1', '1|1', './.', '0|0', '1/2'];
    const lines: string[] = [];
    let bytes = head.join('\n').length;
    for (let i = 0; bytes < PARALLEL_CONVERSION_BYTES + 1024; i++) {
      const alt = alts[i % alts.length] ?? 'C';
      const gt = alt.includes(',') ? (gts[i % gts.length] ?? '0/1') : (gts[i % 4] ?? '0/1');
      const af =
        alt === '.'
          ? ''
          : `;AF=${alt
              .split(',')
              .map((_, k) => `0.${String((i + k) % 97)}`)
              .join(',')}`;
      const line = `1\t${String(1000 + i * 7)}\t${i % 3 === 0 ? `rs${String(i)}` : '.'}\tA\t${alt}\t${i % 5 === 0 ? '.' : String(i % 90)}\t${i % 11 === 0 ? 'q10' : 'PASS'}\tDP=${String(i % 60)}${af}${i % 13 === 0 ? ';DB' : ''}\tGT:DP\t${gt}:${String(i % 40)}`;
      lines.push(line);
      bytes += line.length + 1;
    }
    fs.writeFileSync(big, `${head.join('\n')}\n${lines.join('\n')}\n`);
    const job = await DuckDBInstance.create(':memory:', { ...CONVERSION_DUCKDB_CONFIG });
    const jobConn = await job.connect();
    const threads = async (): Promise<number> => Number((await jobConn.runAndReadAll("SELECT current_setting('threads')")).getRows()[0]?.[0]);
    try {
      const out = path.join(dir, 'big.raw.parquet');
      const r = await writeVcfAsParquet(jobConn, big, out, { importJobId: 'job', layout: 'raw' });
      assert.equal(await threads(), Math.max(1, os.availableParallelism()));
      assert.deepEqual([r.route, r.records, r.rows], ['fast', lines.length, lines.length]);
      // The raw layout keeps each record's text columns: compare them, in the file's row order, with the lines.
      const got = (
        await conn.runAndReadAll(`SELECT start, vcf_id, vcf_alt, qual, vcf_filter, vcf_info, vcf_sample FROM read_parquet('${out}', file_row_number = true) ORDER BY file_row_number`)
      ).getRows();
      const want = lines.map((l) => {
        const f = l.split('\t');
        return [BigInt(Number(f[1]) - 1), f[2], f[4], f[5] === '.' ? null : Number(f[5]), f[6], f[7], f[9]];
      });
      assert.deepEqual(got, want);
      await writeVcfAsParquet(jobConn, path.join(FIX, 'p1_dna.vcf'), path.join(dir, 'small.raw.parquet'), { importJobId: 'job', layout: 'raw' });
      assert.equal(await threads(), 1);
    } finally {
      jobConn.closeSync();
      job.closeSync();
    }
  });

  it('fails a BGZF file truncated past its first lines, which DuckDB alone would read silently', async () => {
    const full = fs.readFileSync(path.join(VCF_DIR, 'bcftools_roh1_bgzf.vcf.gz'));
    const cut = path.join(dir, 'cut.vcf.gz');
    fs.writeFileSync(cut, full.subarray(0, Math.floor(full.length * 0.8)));
    await assert.rejects(writeVcfAsParquet(conn, cut, path.join(dir, 'cut.parquet'), { importJobId: 'job' }), /cut\.vcf\.gz could not be decompressed or read .*corrupt or truncated/);
    assert.equal(fs.existsSync(path.join(dir, 'cut.parquet')), false);
    // No staging file (`cut.parquet.<job>.tmp`, `….lines.vcf`) is left behind.
    assert.deepEqual(
      fs.readdirSync(dir).filter((f) => f.startsWith('cut.parquet')),
      [],
    );
  });

  it('reads plain gzip (one member) on the fast route', async () => {
    const gz = path.join(dir, 'p1.vcf.gz');
    fs.writeFileSync(gz, zlib.gzipSync(fs.readFileSync(path.join(FIX, 'p1_dna.vcf'))));
    const r = await writeVcfAsParquet(conn, gz, path.join(dir, 'p1gz.parquet'), { importJobId: 'job' });
    assert.equal(r.route, 'fast');
    assert.deepEqual(await parquetRows(conn, path.join(dir, 'p1gz.parquet'), 'table'), (await jsRows(path.join(FIX, 'p1_dna.vcf'))).rows);
  });

  it('handles CRLF and mixed line endings and blank lines with the same rows and line numbers as the reader', async () => {
    const text = fs.readFileSync(path.join(FIX, 'p3_faulty.vcf'), 'utf8');
    const variants = {
      crlf: text.replace(/\n/g, '\r\n'),
      mixed: text
        .split('\n')
        .map((l, i) => (i % 2 === 0 ? `${l}\r` : l))
        .join('\n'),
      blank: text.replace(/\n(1\t69314)/, '\n\n$1'),
      good: text
        .split('\n')
        .filter((l) => !/\tseventy\t|\t0\/3$|\tGT$|AA=A,G/.test(l))
        .join('\r\n'),
    };
    for (const [name, body] of Object.entries(variants)) {
      const file = path.join(dir, `${name}.vcf`);
      fs.writeFileSync(file, body);
      const js = await jsRows(file);
      const out = path.join(dir, `${name}.parquet`);
      const r = await writeVcfAsParquet(conn, file, out, { importJobId: 'job', layout: 'raw' });
      assert.deepEqual([r.lines, r.records, r.rejected, r.warnings], [js.lines, js.records, js.rejected, js.warnings], name);
      assert.deepEqual(await parquetRows(conn, out, 'raw'), js.rows, name);
      if (name === 'good') {
        assert.equal(r.route, 'fast');
      } else {
        assert.equal(r.route, 'exact');
        const vcf = await openVcf(file);
        let read = 0;
        for await (const rec of vcf.records) {
          read += rec.line > 0 ? 1 : 0;
        }
        assert.equal(read, js.records);
        assert.deepEqual(
          r.failures.map((f) => [f.line, f.code]),
          vcf.issues.filter((i) => i.severity === 'error').map((i) => [i.line, i.code]),
          name,
        );
      }
    }
  });

  it("keeps lines whose only warnings are undeclared INFO keys on the fast route, with the reader's warning count", async () => {
    const text = fs.readFileSync(path.join(FIX, 'p1_dna.vcf'), 'utf8');
    const withInfo = (infos: Record<string, string>): string =>
      text
        .split('\n')
        .map((l) => {
          const pos = l.split('\t')[1] ?? '';
          const extra = infos[pos];
          return extra === undefined ? l : l.replace(/\t(DP=\d+|\.)\t(GT)/, (_m, info: string, fmt: string) => `\t${info === '.' ? extra : `${info};${extra}`}\t${fmt}`);
        })
        .join('\n');
    // name → [content, whether the fast route proves it]
    const cases: Record<string, [string, boolean]> = {
      undeclared: [withInfo({ '69134': 'SRC=panel;XF', '69314': 'SRC=a', '13112': 'Z.1=x=y' }), true],
      duplicate: [withInfo({ '69134': 'SRC=a;SRC=b' }), false],
      badDeclared: [withInfo({ '69314': 'SRC=a;DP=x' }), false],
      badKey: [withInfo({ '69134': '1SRC=a' }), false],
      emptyPart: [withInfo({ '69134': 'SRC=a;' }), false],
    };
    const items: { source: string; out: string }[] = [];
    for (const [name, [body, fast]] of Object.entries(cases)) {
      const file = path.join(dir, `info-${name}.vcf`);
      fs.writeFileSync(file, body);
      const js = await jsRows(file);
      assert.ok(js.warnings > 0, `${name}: the reader warns`);
      for (const layout of ['raw', 'table'] as const) {
        const out = path.join(dir, `info-${name}.${layout}.parquet`);
        const r = await writeVcfAsParquet(conn, file, out, { importJobId: 'job', layout });
        // The full-table layout has no place for the warnings: such files take the exact route there.
        assert.equal(r.route, fast && layout === 'raw' ? 'fast' : 'exact', `${name} ${layout} route`);
        assert.deepEqual([r.lines, r.records, r.rejected, r.rows, r.warnings], [js.lines, js.records, js.rejected, js.rows.length, js.warnings], `${name} ${layout} counts`);
        assert.deepEqual(await parquetRows(conn, out, layout), js.rows, `${name} ${layout} rows`);
      }
      items.push({ source: file, out: path.join(dir, `info-${name}.batch.parquet`) });
    }
    // The batched route (many small files in one statement) gives the same routes, counts and rows.
    const outcomes = await writeVcfsAsParquet(conn, items, { importJobId: 'job', layout: 'raw' });
    for (const [k, [name, [, fast]]] of Object.entries(cases).entries()) {
      const o = outcomes[k];
      assert.ok(o?.ok === true, name);
      const js = await jsRows(items[k]?.source ?? '');
      assert.equal(o.result.route, fast ? 'fast' : 'exact', `${name} batch route`);
      assert.deepEqual([o.result.records, o.result.rejected, o.result.warnings], [js.records, js.rejected, js.warnings], `${name} batch counts`);
      assert.deepEqual(await parquetRows(conn, items[k]?.out ?? '', 'raw'), js.rows, `${name} batch rows`);
    }
  });

  it('checks the common CHROM, POS, REF/ALT, QUAL and FILTER texts (lists, integer casts) as the reader does', async () => {
    const text = fs.readFileSync(path.join(FIX, 'p1_dna.vcf'), 'utf8').replace('##INFO', '##FILTER=<ID=q10,Description="Low quality">\n##INFO');
    // Replaces the fixed columns of the record at POS 69134 (CHROM POS ID REF ALT QUAL FILTER).
    const variant = (cols: string): string => text.replace('1\t69134\trs1\tA\tG\t50\tPASS', cols);
    // name → [fixed columns, whether the fast route proves the file clean]
    const cases: Record<string, [string, boolean]> = {
      lowercase: ['1\t69134\trs1\ta\tg\t50\tPASS', true],
      indel: ['1\t69134\trs1\tAC\tA\t50\tPASS', true],
      refIsAlt: ['1\t69134\trs1\tA\tA\t50\tPASS', false],
      refIsAltCase: ['1\t69134\trs1\tA\ta\t50\tPASS', false],
      nIsN: ['1\t69134\trs1\tN\tN\t50\tPASS', false],
      leadingZeroPos: ['1\t069134\trs1\tA\tG\t50\tPASS', true],
      signedPos: ['1\t+69134\trs1\tA\tG\t50\tPASS', false],
      longPos: ['1\t1234567890123456\trs1\tA\tG\t50\tPASS', false],
      qualForms: ['1\t69134\trs1\tA\tG\t050\tPASS', true],
      qualFloat: ['1\t69134\trs1\tA\tG\t1.5e3\tPASS', true],
      qualBad: ['1\t69134\trs1\tA\tG\t5x\tPASS', false],
      filterDeclared: ['1\t69134\trs1\tA\tG\t50\tq10', true],
      filterList: ['1\t69134\trs1\tA\tG\t50\tq10;s50', true],
      filterZero: ['1\t69134\trs1\tA\tG\t50\t0', false],
      chromOther: ['chrUn_1\t69134\trs1\tA\tG\t50\tPASS', true],
      chromBad: ['*1\t69134\trs1\tA\tG\t50\tPASS', false],
    };
    for (const [name, [cols, fast]] of Object.entries(cases)) {
      const file = path.join(dir, `fixed-${name}.vcf`);
      fs.writeFileSync(file, variant(cols));
      const js = await jsRows(file);
      const out = path.join(dir, `fixed-${name}.parquet`);
      const r = await writeVcfAsParquet(conn, file, out, { importJobId: 'job', layout: 'raw' });
      assert.equal(r.route, fast ? 'fast' : 'exact', `${name} route`);
      assert.deepEqual([r.lines, r.records, r.rejected, r.rows, r.warnings], [js.lines, js.records, js.rejected, js.rows.length, js.warnings], `${name} counts`);
      assert.deepEqual(await parquetRows(conn, out, 'raw'), js.rows, `${name} rows`);
    }
  });

  it('reads files of the earlier raw layout (ID, ALT and FILTER as lists) to the same rows', async () => {
    for (const file of [
      path.join(FIX, 'p1_dna.vcf'),
      path.join(FIX, 'p3_faulty.vcf'),
      path.join(VCF_DIR, 'htslib_tabix_vcf_file_multiallelic.vcf'),
      path.join(VCF_DIR, 'bcftools_stats_counts_multisample.vcf'),
      CLINVAR,
    ]) {
      const base = path.basename(file);
      const out = path.join(dir, `${base}.current.parquet`);
      await writeVcfAsParquet(conn, file, out, { importJobId: 'job', layout: 'raw' });
      // The earlier layout, as its writer built it from the same text columns.
      const list = (col: string, sep: string): string => `(CASE WHEN ${col} = '.' THEN []::VARCHAR[] ELSE string_split(${col}, '${sep}') END)`;
      const legacy = path.join(dir, `${base}.legacy.parquet`);
      await conn.run(
        `COPY (SELECT importjobid, contigname, start, "end", ${list('vcf_id', ';')} AS names, referenceallele, ${list('vcf_alt', ',')} AS alternatealleles, qual, ` +
          `${list('vcf_filter', ';')} AS filters, false AS splitfrommultiallelic, vcf_info, vcf_format, vcf_sample, sampleid FROM ${await storedRelation(conn, out)}) TO '${legacy}' (FORMAT parquet)`,
      );
      const rows = async (select: string): Promise<unknown[]> => (await conn.runAndReadAll(`SELECT * EXCLUDE (importjobid) FROM (${select}) t ORDER BY ALL`)).getRowObjectsJS();
      assert.deepEqual(await rows(tableFromRawSelect(`(${rawFromLegacyRawSelect(`read_parquet('${legacy}')`)})`)), await rows(tableFromRawSelect(await storedRelation(conn, out))), base);
    }
  });

  it('strict mode takes the exact route and fails at the first fault', async () => {
    const ok = await writeVcfAsParquet(conn, path.join(FIX, 'p1_dna.vcf'), path.join(dir, 'strict.parquet'), { importJobId: 'job', strict: true });
    assert.equal(ok.route, 'exact');
    assert.equal(ok.rows, 5);
    await assert.rejects(writeVcfAsParquet(conn, path.join(FIX, 'p3_faulty.vcf'), path.join(dir, 'strict3.parquet'), { importJobId: 'job', strict: true }), /p3_faulty\.vcf:6: .*\[rule info-value\]/);
  });
});
