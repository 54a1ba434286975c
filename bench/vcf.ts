/**
 * VCF benchmark: our streaming reader and our import into the variant store, against reference readers run on the
 * same file in the same process, printed as ratios (records/s ÷ reference records/s):
 * - DuckDB reading the same file as tab-separated text (`read_csv`, all columns VARCHAR, `count(*)`);
 * - @gmod/vcf parsing every line with its samples (the well-kept JS parser);
 * - `bcftools query` and `bcftools view -Ou` when bcftools is installed (skipped with a note otherwise).
 * The file is a synthetic single-sample VCF 4.2 (default 100,000 records; `BENCH_VCF_RECORDS` to change).
 *
 * Run: `node --import tsx bench/vcf.ts`
 */
import { execFileSync, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import VCF from '@gmod/vcf';
import { DuckDBInstance } from '@duckdb/node-api';
import { openVcf, openVcfTextStream } from '../src/formats/vcf/reader';
import { writeVcfAsParquet } from '../src/genomics/local/parquet-writer';

function makeVcf(file: string, n: number): void {
  const head = [
    '##fileformat=VCFv4.2',
    '##fileDate=20240101',
    '##contig=<ID=1,length=248956422>',
    '##INFO=<ID=DP,Number=1,Type=Integer,Description="Depth">',
    '##INFO=<ID=AF,Number=A,Type=Float,Description="Allele frequency">',
    '##FORMAT=<ID=GT,Number=1,Type=String,Description="Genotype">',
    '##FORMAT=<ID=GQ,Number=1,Type=Integer,Description="Genotype quality">',
    '##FORMAT=<ID=DP,Number=1,Type=Integer,Description="Depth">',
    '#CHROM\tPOS\tID\tREF\tALT\tQUAL\tFILTER\tINFO\tFORMAT\tS1',
  ].join('\n');
  const bases = ['A', 'C', 'G', 'T'];
  const gts = ['0/1', '1/1', '0|1', '1|0', '0/0'];
  const fd = fs.openSync(file, 'w');
  fs.writeSync(fd, `${head}\n`);
  let buf: string[] = [];
  let seed = 12345;
  const rnd = (): number => {
    seed = (seed * 1103515245 + 12345) & 0x7fffffff;
    return seed;
  };
  for (let i = 0; i < n; i++) {
    const ref = bases[rnd() % 4] ?? 'A';
    const alt = bases[(bases.indexOf(ref) + 1 + (rnd() % 3)) % 4] ?? 'C';
    buf.push(`1\t${String(10_000 + i * 37)}\trs${String(100_000 + i)}\t${ref}\t${alt}\t${String(20 + (rnd() % 80))}\tPASS\tDP=${String(10 + (rnd() % 50))};AF=0.${String(rnd() % 1000)}\tGT:GQ:DP\t${gts[rnd() % 5] ?? '0/1'}:${String(rnd() % 99)}:${String(rnd() % 60)}`);
    if (buf.length === 10_000) {
      fs.writeSync(fd, `${buf.join('\n')}\n`);
      buf = [];
    }
  }
  fs.writeSync(fd, buf.length > 0 ? `${buf.join('\n')}\n` : '');
  fs.closeSync(fd);
}

async function timed(fn: () => Promise<number>): Promise<{ ms: number; n: number }> {
  const t0 = process.hrtime.bigint();
  const n = await fn();
  return { ms: Number(process.hrtime.bigint() - t0) / 1e6, n };
}

async function main(): Promise<void> {
  const n = Number(process.env.BENCH_VCF_RECORDS ?? 100_000);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mmh-bench-vcf-'));
  const file = path.join(dir, 'bench.vcf');
  makeVcf(file, n);
  const mb = fs.statSync(file).size / 1e6;
  console.log(`bench/vcf: ${n.toLocaleString('en-US')} records, single sample, ${mb.toFixed(1)} MB`);

  const instance = await DuckDBInstance.create(':memory:');
  const conn = await instance.connect();
  const duck = await timed(async () => {
    const r = await conn.runAndReadAll(
      `SELECT count(*) AS n FROM read_csv('${file}', delim = '\t', header = false, skip = 9, auto_detect = false, quote = '', escape = '', columns = {'c1':'VARCHAR','c2':'VARCHAR','c3':'VARCHAR','c4':'VARCHAR','c5':'VARCHAR','c6':'VARCHAR','c7':'VARCHAR','c8':'VARCHAR','c9':'VARCHAR','c10':'VARCHAR'})`,
    );
    return Number(r.getRowObjectsJS()[0]?.n ?? 0);
  });

  const ours = await timed(async () => {
    const vcf = await openVcf(file, { strict: true });
    let k = 0;
    for await (const r of vcf.records) {
      k += r.pos > 0 ? 1 : 0;
    }
    return k;
  });

  const oursFast = await timed(async () => {
    const vcf = await openVcf(file, { validate: false });
    let k = 0;
    for await (const r of vcf.records) {
      k += r.pos > 0 ? 1 : 0;
    }
    return k;
  });

  const gmod = await timed(async () => {
    const lines: string[] = [];
    let k = 0;
    let parser: VCF | undefined;
    let rest = '';
    for await (const chunk of openVcfTextStream(file) as AsyncIterable<string>) {
      const text = rest + chunk;
      const parts = text.split('\n');
      rest = parts.pop() ?? '';
      for (const line of parts) {
        if (line.startsWith('#')) {
          lines.push(line);
          continue;
        }
        parser ??= new VCF({ header: lines.join('\n') });
        const v = parser.parseLine(line);
        v.SAMPLES();
        k++;
      }
    }
    return k;
  });

  const store = await timed(async () => {
    const r = await writeVcfAsParquet(conn, file, path.join(dir, 'bench.parquet'), { importJobId: 'bench' });
    return r.records;
  });
  conn.closeSync();
  instance.closeSync();

  const rate = (t: { ms: number; n: number }): number => t.n / (t.ms / 1000);
  const line = (label: string, t: { ms: number; n: number }, ref: { ms: number; n: number }, refName: string): void => {
    console.log(`  ${label.padEnd(46)} ${(t.ms / 1000).toFixed(2).padStart(6)} s  ${Math.round(rate(t)).toLocaleString('en-US').padStart(10)} rec/s  ${(rate(t) / rate(ref)).toFixed(2)}× ${refName}`);
  };
  line('DuckDB read_csv as text (reference)', duck, duck, 'duckdb');
  line('our reader, strict (all checks)', ours, duck, 'duckdb');
  line('our reader, structural checks only', oursFast, duck, 'duckdb');
  line('@gmod/vcf parseLine + SAMPLES()', gmod, duck, 'duckdb');
  line('our import into the store (Parquet)', store, duck, 'duckdb');
  console.log(`  ratios vs @gmod/vcf: our strict reader ${(rate(ours) / rate(gmod)).toFixed(2)}×, our import ${(rate(store) / rate(gmod)).toFixed(2)}×`);

  const hasBcftools = spawnSync('bcftools', ['--version']).status === 0;
  if (hasBcftools) {
    const bq = await timed(() => Promise.resolve(execFileSync('bcftools', ['query', '-f', '%CHROM\t%POS\t%REF\t%ALT[\t%GT]\n', file], { maxBuffer: 1 << 30 }).toString().split('\n').length - 1));
    const bv = await timed(() => {
      execFileSync('bcftools', ['view', '-Ou', '-o', path.join(dir, 'bench.bcf'), file]);
      return Promise.resolve(n);
    });
    line('bcftools query', bq, bq, 'bcftools query');
    line('our import into the store vs bcftools query', store, bq, 'bcftools query');
    line('our import into the store vs bcftools view -Ou', store, bv, 'bcftools view -Ou');
  } else {
    console.log('  bcftools not installed: skipped the bcftools comparison (ratios above are against DuckDB and @gmod/vcf)');
  }
  fs.rmSync(dir, { recursive: true, force: true });
}

void main();
