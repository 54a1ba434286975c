/**
 * VCF benchmark: our import into the variant store against reference tools run on the same file in the same
 * process, printed as ratios (our records/s ÷ reference records/s; ≥ 1 means faster than the reference):
 * - `bcftools query` (CHROM, POS, REF, ALT and every GT, to /dev/null) and `bcftools view -Ou` when bcftools is
 *   installed (skipped with a note otherwise);
 * - DuckDB reading the same file as tab-separated text (`read_csv`, every column VARCHAR, `count(*)`).
 *
 * "Our import" is measured three ways: `writeVcfAsParquet` in the local store's raw layout (what an import job
 * writes; validation included; on a DuckDB instance configured as a job's, `CONVERSION_DUCKDB_CONFIG`), the same in the full-table layout (what the S3/Athena route uploads), and a whole
 * local import job (`startAnnotationImportJob` → `waitForAnnotationImportJob` into a fresh store — the same code as variant imports —
 * with its SHA-256, bookkeeping and view refresh).
 * Each timing is the best of `BENCH_VCF_REPEAT` runs (default 3), interleaved with the references, because the
 * machine is shared. The files are synthetic VCF 4.2: single-sample (`BENCH_VCF_RECORDS`, default 1,000,000) and
 * multi-sample (`BENCH_VCF_MULTI_RECORDS` records × `BENCH_VCF_SAMPLES` samples, default 100,000 × 10).
 * `BENCH_VCF_READERS=1` adds the record-by-record readers (ours strict and structural-only, @gmod/vcf).
 *
 * Many small files (`BENCH_VCF_SMALL_FILES`, default 821 — the default cohort's count — of ~50 records each, the
 * converter's header, one file in ten with an undeclared INFO key): a whole import (jobs of ≤ 1000 sources into a
 * fresh store) against a `bcftools query` loop over the same files (one process per file, from one shell loop), as a
 * time ratio (ours ÷ bcftools; the goal is ≤ 3×). The machine's load average is printed beside every section, and
 * CPU times (ours: this process's, DuckDB's threads included; bcftools: its processes', from bash's `time`) beside the
 * wall times, since on a shared machine wall times depend on the other load (best of the rounds for each).
 *
 * Run: `node --import tsx bench/vcf.ts`
 */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import VCF from '@gmod/vcf';
import { DuckDBInstance } from '@duckdb/node-api';
import type { DuckDBConnection } from '@duckdb/node-api';
import { openVcf, openVcfTextStream } from '../src/formats/vcf/reader';
import { CONVERSION_DUCKDB_CONFIG, writeVcfAsParquet } from '../src/genomics/local/parquet-writer';
import { LocalGenomicsStores } from '../src/genomics/local/local-stores';
import { silentProgress } from '../src/progress';
import { openWorkspace } from '../src/workspace';

function makeVcf(file: string, n: number, samples: number): void {
  const names = Array.from({ length: samples }, (_, i) => `S${String(i + 1)}`);
  const head = [
    '##fileformat=VCFv4.2',
    '##fileDate=20240101',
    '##contig=<ID=1,length=248956422>',
    '##INFO=<ID=DP,Number=1,Type=Integer,Description="Depth">',
    '##INFO=<ID=AF,Number=A,Type=Float,Description="Allele frequency">',
    '##FORMAT=<ID=GT,Number=1,Type=String,Description="Genotype">',
    '##FORMAT=<ID=GQ,Number=1,Type=Integer,Description="Genotype quality">',
    '##FORMAT=<ID=DP,Number=1,Type=Integer,Description="Depth">',
    `#CHROM\tPOS\tID\tREF\tALT\tQUAL\tFILTER\tINFO\tFORMAT\t${names.join('\t')}`,
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
    const calls = names.map(() => `${gts[rnd() % 5] ?? '0/1'}:${String(rnd() % 99)}:${String(rnd() % 60)}`).join('\t');
    buf.push(
      `1\t${String(10_000 + i * 37)}\trs${String(100_000 + i)}\t${ref}\t${alt}\t${String(20 + (rnd() % 80))}\tPASS\tDP=${String(10 + (rnd() % 50))};AF=0.${String(rnd() % 1000)}\tGT:GQ:DP\t${calls}`,
    );
    if (buf.length === 10_000) {
      fs.writeSync(fd, `${buf.join('\n')}\n`);
      buf = [];
    }
  }
  fs.writeSync(fd, buf.length > 0 ? `${buf.join('\n')}\n` : '');
  fs.closeSync(fd);
}

interface Timing {
  ms: number;
  n: number;
  /** CPU time (user + system) of the work, over all its threads and child processes. */
  cpuMs: number;
}

/** CPU time of the child processes a task ran, reported by the task (see {@link timedShell}); 0 when it ran none. */
let childCpuMs = 0;

async function once(fn: () => Promise<number>): Promise<Timing> {
  childCpuMs = 0;
  const c0 = process.cpuUsage();
  const t0 = process.hrtime.bigint();
  const n = await fn();
  const c = process.cpuUsage(c0);
  return { ms: Number(process.hrtime.bigint() - t0) / 1e6, n, cpuMs: (c.user + c.system) / 1000 + childCpuMs };
}

/**
 * Runs a shell script under bash's `time` and adds the CPU time of its processes to {@link childCpuMs} (Node has
 * no getrusage of children).
 *
 * @param script - the script (its output is discarded)
 * @param args - positional arguments ($1…)
 */
function timedShell(script: string, args: readonly string[] = []): void {
  const r = spawnSync('bash', ['-c', `TIMEFORMAT='%U %S'; time { ${script} ; } > /dev/null 2>&1`, 'bench', ...args], { encoding: 'utf8' });
  if (r.status !== 0) {
    throw new Error(`bench: ${script} failed: ${r.stderr}`);
  }
  const [user = 0, sys = 0] = r.stderr.trim().split('\n').pop()?.split(' ').map(Number) ?? [];
  childCpuMs += (user + sys) * 1000;
}

/** Best wall time and best CPU time of a task over the rounds (each the minimum on its own). */
function keepBest(best: Record<string, Timing>, name: string, t: Timing): void {
  const prev = best[name];
  best[name] = prev === undefined ? t : { n: t.n, ms: Math.min(prev.ms, t.ms), cpuMs: Math.min(prev.cpuMs, t.cpuMs) };
}

/**
 * The CPU-time line of a result against a reference (the machine is shared: wall times depend on other load, CPU
 * times much less; a ratio ≥ 1 means less CPU than the reference).
 */
function cpuLine(t: Timing, ref: Timing, refName: string): string {
  return `CPU ${(t.cpuMs / 1000).toFixed(2)} s vs ${(ref.cpuMs / 1000).toFixed(2)} s: ${(ref.cpuMs / t.cpuMs).toFixed(2)}× ${refName} in CPU time`;
}

const rate = (t: Timing): number => t.n / (t.ms / 1000);

function line(label: string, t: Timing, ref: Timing | undefined, refName: string): void {
  const ratio = ref === undefined ? '' : `  ${(rate(t) / rate(ref)).toFixed(2)}× ${refName}`;
  console.log(`  ${label.padEnd(52)} ${(t.ms / 1000).toFixed(2).padStart(6)} s  ${Math.round(rate(t)).toLocaleString('en-US').padStart(10)} rec/s${ratio}`);
}

let jobRuns = 0;

/** The connections of a file's bench: DuckDB's defaults for the reference, an import job's configuration for ours. */
interface BenchConnections {
  readonly reference: DuckDBConnection;
  readonly conversion: DuckDBConnection;
}

async function benchFile(conns: BenchConnections, stores: LocalGenomicsStores, dir: string, file: string, n: number, samples: number, repeat: number, hasBcftools: boolean): Promise<void> {
  const conn = conns.reference;
  const mb = fs.statSync(file).size / 1e6;
  console.log(`\n${path.basename(file)}: ${n.toLocaleString('en-US')} records × ${String(samples)} sample(s), ${mb.toFixed(1)} MB; best of ${String(repeat)}, interleaved; ${loadAverage()}`);
  const cols = `{${Array.from({ length: 9 + samples }, (_, i) => `'c${String(i + 1)}': 'VARCHAR'`).join(', ')}}`;
  const tasks: Record<string, () => Promise<number>> = {
    duckdb: async () => {
      const r = await conn.runAndReadAll(`SELECT count(*) AS n FROM read_csv('${file}', delim = '\t', header = false, skip = 9, auto_detect = false, quote = '', escape = '', columns = ${cols})`);
      return Number(r.getRowObjectsJS()[0]?.n ?? 0);
    },
    raw: async () => {
      const r = await writeVcfAsParquet(conns.conversion, file, path.join(dir, 'raw.parquet'), { importJobId: 'bench', layout: 'raw' });
      if (r.route !== 'fast') {
        throw new Error(`bench: expected the fast route, got ${r.route}`);
      }
      return r.records;
    },
    table: async () => (await writeVcfAsParquet(conns.conversion, file, path.join(dir, 'table.parquet'), { importJobId: 'bench', layout: 'table' })).records,
    job: async () => {
      // A fresh store each run (a re-import of the same file into the same store would be skipped as unchanged).
      const name = `bench${String(++jobRuns)}`;
      await stores.createAnnotationStore({ name, storeFormat: 'VCF' });
      const job = await stores.waitForAnnotationImportJob((await stores.startAnnotationImportJob({ destinationName: name, items: [{ source: file }] })).jobId);
      return job.items[0]?.records ?? 0;
    },
  };
  if (hasBcftools) {
    tasks.query = () => {
      timedShell(`bcftools query -f '%CHROM\\t%POS\\t%REF\\t%ALT[\\t%GT]\\n' "$1"`, [file]);
      return Promise.resolve(n);
    };
    tasks.view = () => {
      timedShell('bcftools view -Ou -o "$1" "$2"', [path.join(dir, 'bench.bcf'), file]);
      return Promise.resolve(n);
    };
  }
  const best: Record<string, Timing> = {};
  for (let i = 0; i < repeat; i++) {
    for (const [name, fn] of Object.entries(tasks)) {
      const t = await once(fn);
      if (t.n !== n) {
        throw new Error(`bench: ${name} read ${String(t.n)} records, expected ${String(n)}`);
      }
      keepBest(best, name, t);
    }
  }
  const { duckdb, raw, table, job, query, view } = best;
  if (duckdb === undefined || raw === undefined || table === undefined || job === undefined) {
    return;
  }
  line('DuckDB read_csv as text (reference)', duckdb, undefined, '');
  if (query !== undefined && view !== undefined) {
    line('bcftools query (reference)', query, undefined, '');
    line('bcftools view -Ou (reference)', view, undefined, '');
  }
  for (const [label, t] of [
    ['import, store layout (writeVcfAsParquet raw)', raw],
    ['import, full-table layout (S3/Athena route)', table],
    ['import job end to end (start…ImportJob → wait)', job],
  ] as const) {
    line(label, t, duckdb, 'DuckDB text');
    if (query !== undefined && view !== undefined) {
      console.log(`  ${''.padEnd(52)} ${(rate(t) / rate(query)).toFixed(2)}× bcftools query, ${(rate(t) / rate(view)).toFixed(2)}× bcftools view -Ou`);
      console.log(`  ${''.padEnd(52)} ${cpuLine(t, query, 'bcftools query')}`);
    }
  }
  if (query === undefined) {
    console.log('  bcftools not installed: skipped the bcftools comparison (ratios above are against DuckDB)');
  }
  console.log(`  after: ${loadAverage()}`);
}

function loadAverage(): string {
  return `load average ${os
    .loadavg()
    .map((x) => x.toFixed(2))
    .join(', ')}`;
}

/**
 * Writes `count` small single-sample VCFs like the converter's (contigs, fileDate, GT only), ~50 records each; one
 * in ten has an undeclared INFO key on some lines (a warning, as in many real files).
 */
function makeSmallVcfs(dir: string, count: number, records: number): string[] {
  fs.mkdirSync(dir, { recursive: true });
  const bases = ['A', 'C', 'G', 'T'];
  const gts = ['0/1', '1/1', '0/0'];
  let seed = 777;
  const rnd = (): number => {
    seed = (seed * 1103515245 + 12345) & 0x7fffffff;
    return seed;
  };
  const files: string[] = [];
  for (let f = 0; f < count; f++) {
    const sample = `patient-${String(f).padStart(5, '0')}`;
    const head = [
      '##fileformat=VCFv4.2',
      `##fileDate=2016${String(1 + (f % 12)).padStart(2, '0')}15`,
      '##source=bench',
      ...Array.from({ length: 1 + (f % 22) }, (_, c) => `##contig=<ID=${String(c + 1)},length=100000000>`),
      '##INFO=<ID=GENE,Number=1,Type=String,Description="Gene">',
      '##FORMAT=<ID=GT,Number=1,Type=String,Description="Genotype">',
      `#CHROM\tPOS\tID\tREF\tALT\tQUAL\tFILTER\tINFO\tFORMAT\t${sample}`,
    ];
    const body: string[] = [];
    for (let r = 0; r < records; r++) {
      const ref = bases[rnd() % 4] ?? 'A';
      const alt = bases[(bases.indexOf(ref) + 1 + (rnd() % 3)) % 4] ?? 'C';
      const info = f % 10 === 0 && r % 5 === 0 ? `GENE=G${String(r)};SRC=panel` : `GENE=G${String(r)}`;
      body.push(`1\t${String(1000 + r * 100)}\trs${String(r)}\t${ref}\t${alt}\t.\tPASS\t${info}\tGT\t${gts[rnd() % 3] ?? '0/1'}`);
    }
    const file = path.join(dir, `${sample}_dna.vcf`);
    fs.writeFileSync(file, `${[...head, ...body].join('\n')}\n`);
    files.push(file);
  }
  return files;
}

async function benchSmallFiles(stores: LocalGenomicsStores, dir: string, count: number, repeat: number, hasBcftools: boolean): Promise<void> {
  const perFile = 50;
  const files = makeSmallVcfs(path.join(dir, 'small'), count, perFile);
  const n = count * perFile;
  console.log(`\n${String(count)} small VCFs × ${String(perFile)} records (1 sample); best of ${String(repeat)}, interleaved; ${loadAverage()}`);
  const tasks: Record<string, () => Promise<number>> = {
    job: async () => {
      const name = `bench${String(++jobRuns)}`;
      await stores.createAnnotationStore({ name, storeFormat: 'VCF' });
      let records = 0;
      for (let i = 0; i < files.length; i += 1000) {
        const { jobId } = await stores.startAnnotationImportJob({ destinationName: name, items: files.slice(i, i + 1000).map((source) => ({ source })) });
        const job = await stores.waitForAnnotationImportJob(jobId);
        records += job.items.reduce((a, it) => a + (it.records ?? 0), 0);
      }
      return records;
    },
  };
  if (hasBcftools) {
    tasks.query = () => {
      // One bcftools process per file, from one shell loop (its CPU time, children included, is measured).
      timedShell(`for f in "$@"; do bcftools query -f '%CHROM\\t%POS\\t%REF\\t%ALT[\\t%GT]\\n' "$f"; done`, files);
      return Promise.resolve(n);
    };
  }
  const best: Record<string, Timing> = {};
  for (let i = 0; i < repeat; i++) {
    for (const [name, fn] of Object.entries(tasks)) {
      const t = await once(fn);
      if (t.n !== n) {
        throw new Error(`bench: ${name} read ${String(t.n)} records, expected ${String(n)}`);
      }
      keepBest(best, name, t);
    }
  }
  const { job, query } = best;
  if (query !== undefined) {
    line('bcftools query, one process per file (reference)', query, undefined, '');
  }
  if (job !== undefined) {
    line('import jobs end to end (fresh store)', job, query, 'bcftools query loop');
    if (query !== undefined) {
      console.log(`  ${''.padEnd(52)} time ratio ${(job.ms / query.ms).toFixed(2)}× bcftools loop (goal ≤ 3×); ${loadAverage()}`);
      console.log(`  ${''.padEnd(52)} CPU ${(job.cpuMs / 1000).toFixed(2)} s vs ${(query.cpuMs / 1000).toFixed(2)} s: CPU-time ratio ${(job.cpuMs / query.cpuMs).toFixed(2)}× bcftools loop`);
    }
  }
  if (query === undefined) {
    console.log('  bcftools not installed: skipped the bcftools loop');
  }
}

async function readers(file: string): Promise<void> {
  const ours = await once(async () => {
    const vcf = await openVcf(file, { strict: true });
    let k = 0;
    for await (const r of vcf.records) {
      k += r.pos > 0 ? 1 : 0;
    }
    return k;
  });
  const oursFast = await once(async () => {
    const vcf = await openVcf(file, { validate: false });
    let k = 0;
    for await (const r of vcf.records) {
      k += r.pos > 0 ? 1 : 0;
    }
    return k;
  });
  const gmod = await once(async () => {
    const lines: string[] = [];
    let k = 0;
    let parser: VCF | undefined;
    let rest = '';
    for await (const chunk of openVcfTextStream(file) as AsyncIterable<string>) {
      const text = rest + chunk;
      const parts = text.split('\n');
      rest = parts.pop() ?? '';
      for (const l of parts) {
        if (l.startsWith('#')) {
          lines.push(l);
          continue;
        }
        parser ??= new VCF({ header: lines.join('\n') });
        parser.parseLine(l).SAMPLES();
        k++;
      }
    }
    return k;
  });
  console.log('\nrecord-by-record readers (single run):');
  line('@gmod/vcf parseLine + SAMPLES() (reference)', gmod, undefined, '');
  line('our reader, strict (all checks)', ours, gmod, '@gmod/vcf');
  line('our reader, structural checks only', oursFast, gmod, '@gmod/vcf');
}

async function main(): Promise<void> {
  const n = Number(process.env.BENCH_VCF_RECORDS ?? 1_000_000);
  const nMulti = Number(process.env.BENCH_VCF_MULTI_RECORDS ?? 100_000);
  const samples = Number(process.env.BENCH_VCF_SAMPLES ?? 10);
  const repeat = Number(process.env.BENCH_VCF_REPEAT ?? 3);
  const smallFiles = Number(process.env.BENCH_VCF_SMALL_FILES ?? 821);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mmh-bench-vcf-'));
  const hasBcftools = spawnSync('bcftools', ['--version']).status === 0;
  const instance = await DuckDBInstance.create(':memory:');
  const conn = await instance.connect();
  // Our conversions run on an instance configured as an import job's (CONVERSION_DUCKDB_CONFIG).
  const conversionInstance = await DuckDBInstance.create(':memory:', { ...CONVERSION_DUCKDB_CONFIG });
  const conversion = await conversionInstance.connect();
  const conns = { reference: conn, conversion };
  const ws = await openWorkspace({ dir: path.join(dir, 'ws'), create: true, progress: silentProgress });
  const stores = new LocalGenomicsStores(ws);
  try {
    const single = path.join(dir, 'single.vcf');
    if (n > 0) {
      makeVcf(single, n, 1);
      await benchFile(conns, stores, dir, single, n, 1, repeat, hasBcftools);
    }
    if (nMulti > 0 && samples > 1) {
      const multi = path.join(dir, 'multi.vcf');
      makeVcf(multi, nMulti, samples);
      await benchFile(conns, stores, dir, multi, nMulti, samples, repeat, hasBcftools);
    }
    if (smallFiles > 0) {
      await benchSmallFiles(stores, dir, smallFiles, repeat, hasBcftools);
    }
    if (process.env.BENCH_VCF_READERS === '1') {
      await readers(single);
    }
  } finally {
    await ws.close();
    conn.closeSync();
    instance.closeSync();
    conversion.closeSync();
    conversionInstance.closeSync();
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

void main();
