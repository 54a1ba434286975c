/**
 * Benchmark of the local feature store (src/features): ingest records/s and the point-in-time join, for
 * `patients` patients × 3 groups × 100 features (default 10,000 patients, two records per patient per group, so
 * 60,000 records of 102 columns).
 *
 * Run: `node --import tsx bench/feature-store.ts [patients]`
 *
 * Figures are ratios against reference runs in this process, on the same workspace database:
 * - ingest: our `ingest` (checks every value, online upsert, offline Parquet with write/api times) vs DuckDB
 *   appending the same rows to a plain table and copying it to Parquet (the raw write floor);
 * - join: our `buildDataset` (SageMaker DatasetBuilder rules: dedup per id+event time, delete handling, as-of each
 *   base row) vs the same join written as one plain DuckDB query (`ASOF LEFT JOIN` on the offline tables, no
 *   dedup/delete handling — correct here because the bench data has neither). Both materialise a table; the
 *   results are checked to be identical. Target: join ratio ≥ 0.5.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { LocalFeatureStore } from '../src/features/local/local-feature-store';
import type { FeatureDefinition, FeatureRecordInput } from '../src/features/types';
import { silentProgress } from '../src/progress';
import { DuckDbEngine } from '../src/sql/duckdb-engine';
import { mulberry32 } from '../src/util/random';

const patients = Number(process.argv[2] ?? 10_000);
const GROUPS = ['clinical', 'genomic', 'imaging'] as const;
const FEATURES = 100;
const DAY = 86_400_000;

function defs(prefix: string): FeatureDefinition[] {
  return [
    { name: 'patient_id', type: 'String' },
    { name: 'event_time', type: 'String' },
    ...Array.from({ length: FEATURES }, (_v, i): FeatureDefinition => ({ name: `${prefix}_f${String(i).padStart(3, '0')}`, type: i % 10 === 0 ? 'Integral' : 'Fractional' })),
  ];
}

function records(prefix: string, seed: number): FeatureRecordInput[] {
  const r = mulberry32(seed);
  const out: FeatureRecordInput[] = [];
  const t0 = Date.parse('2018-01-01T00:00:00Z');
  for (let p = 0; p < patients; p++) {
    for (let v = 0; v < 2; v++) {
      const rec: Record<string, string | number> = {
        patient_id: `p${String(p).padStart(6, '0')}`,
        event_time: new Date(t0 + (v * 730 + Math.floor(r() * 300)) * DAY).toISOString(),
      };
      for (let i = 0; i < FEATURES; i++) {
        rec[`${prefix}_f${String(i).padStart(3, '0')}`] = i % 10 === 0 ? Math.floor(r() * 5) : Math.round(r() * 1e6) / 1e3;
      }
      out.push(rec);
    }
  }
  return out;
}

async function time<T>(fn: () => Promise<T>): Promise<{ ms: number; value: T }> {
  const t0 = performance.now();
  const value = await fn();
  return { ms: performance.now() - t0, value };
}

async function main(): Promise<void> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mmh-bench-fs-'));
  const engine = await DuckDbEngine.create({ path: path.join(dir, 'mmh.duckdb') });
  const store = new LocalFeatureStore({ engine, dir: path.join(dir, 'feature-store'), progress: silentProgress });
  try {
    const data = GROUPS.map((g, i) => records(g, 42 + i));
    const total = data.reduce((n, d) => n + d.length, 0);
    console.log(`feature-store bench: ${patients.toLocaleString('en-US')} patients × ${String(GROUPS.length)} groups × ${String(FEATURES)} features = ${total.toLocaleString('en-US')} records`);

    // Reference ingest: DuckDB appender into a plain table + COPY to Parquet, same rows, same types.
    const ref = await time(() =>
      engine.session('bench reference ingest', async (conn) => {
        for (const [gi, g] of GROUPS.entries()) {
          const d = defs(g);
          await conn.run(`CREATE OR REPLACE TABLE ref_${g} (${d.map((f) => `"${f.name}" ${f.type === 'String' ? 'VARCHAR' : f.type === 'Integral' ? 'BIGINT' : 'DOUBLE'}`).join(', ')})`);
          const ap = await conn.createAppender(`ref_${g}`);
          for (const rec of data[gi] ?? []) {
            for (const f of d) {
              const v = rec[f.name];
              if (f.type === 'String') {
                ap.appendVarchar(String(v));
              } else if (f.type === 'Integral') {
                ap.appendBigInt(BigInt(v as number));
              } else {
                ap.appendDouble(v as number);
              }
            }
            ap.endRow();
          }
          ap.flushSync();
          ap.closeSync();
          await conn.run(`COPY ref_${g} TO '${path.join(dir, `ref_${g}.parquet`)}' (FORMAT parquet)`);
        }
      }),
    );

    const ours = await time(async () => {
      let ok = 0;
      for (const [gi, g] of GROUPS.entries()) {
        await store.createFeatureGroup({ name: g, recordIdentifierFeatureName: 'patient_id', eventTimeFeatureName: 'event_time', featureDefinitions: defs(g) });
        const rep = await store.ingest(g, data[gi] ?? []);
        ok += rep.succeeded;
        if (rep.failed.length > 0) {
          throw new Error(`bench: ${String(rep.failed.length)} records failed: ${rep.failed[0]?.reason ?? ''}`);
        }
      }
      return ok;
    });
    if (ours.value !== total) {
      throw new Error(`bench: ingested ${String(ours.value)} of ${String(total)}`);
    }

    // Base: one index date per patient, between or after the two event times, so the as-of choice matters.
    const r = mulberry32(7);
    await engine.session('bench base', async (conn) => {
      await conn.run('CREATE OR REPLACE TABLE bench_base (patient_id VARCHAR, index_date TIMESTAMP, label INTEGER)');
      const ap = await conn.createAppender('bench_base');
      for (let p = 0; p < patients; p++) {
        ap.appendVarchar(`p${String(p).padStart(6, '0')}`);
        ap.appendVarchar(new Date(Date.parse('2018-12-01T00:00:00Z') + Math.floor(r() * 900) * DAY).toISOString().replace('T', ' ').replace('Z', ''));
        ap.appendInteger(Math.floor(r() * 2));
        ap.endRow();
      }
      ap.flushSync();
      ap.closeSync();
    });

    const tables = await Promise.all(GROUPS.map((g) => store.offlineTable(g)));
    const plainSql =
      `CREATE OR REPLACE TABLE ds_plain AS SELECT b.patient_id, b.index_date, b.label, ${GROUPS.map((g, i) =>
        defs(g)
          .slice(2)
          .map((f) => `g${String(i)}."${f.name}"`)
          .join(', '),
      ).join(', ')}\nFROM bench_base b\n` +
      GROUPS.map(
        (_g, i) =>
          `ASOF LEFT JOIN (SELECT *, from_iso8601_timestamp(event_time) AS ts FROM ${tables[i] ?? ''}) g${String(i)} ON b.patient_id = g${String(i)}.patient_id AND b.index_date >= g${String(i)}.ts`,
      ).join('\n');

    const runs = 2;
    let plainMs = Infinity;
    let oursMs = Infinity;
    for (let k = 0; k < runs; k++) {
      plainMs = Math.min(plainMs, (await time(() => engine.query(plainSql))).ms);
      oursMs = Math.min(oursMs, (await time(() => store.buildDataset({ base: { table: 'bench_base', eventTimeName: 'index_date' }, groups: [...GROUPS], into: 'ds_ours' }))).ms);
    }
    const [diff] = await engine.query<{ n: number }>(
      'SELECT (SELECT count(*) FROM (SELECT * FROM ds_ours EXCEPT SELECT * FROM ds_plain)) + (SELECT count(*) FROM (SELECT * FROM ds_plain EXCEPT SELECT * FROM ds_ours)) AS n',
    );
    const [rows] = await engine.query<{ n: number; nn: number }>(`SELECT count(*) AS n, count("clinical_f001") AS nn FROM ds_ours`);

    const fmt = (n: number): string => Math.round(n).toLocaleString('en-US');
    console.log(
      `ingest   ours: ${fmt(total / (ours.ms / 1000))} records/s (${(ours.ms / 1000).toFixed(2)} s)  reference (DuckDB appender + Parquet): ${fmt(total / (ref.ms / 1000))} records/s (${(ref.ms / 1000).toFixed(2)} s)`,
    );
    console.log(`ingest   ratio ours/reference throughput: ${(ref.ms / ours.ms).toFixed(2)}`);
    console.log(
      `join     ours (buildDataset): ${oursMs.toFixed(0)} ms  plain DuckDB ASOF query: ${plainMs.toFixed(0)} ms  (best of ${String(runs)}; ${fmt(rows?.n ?? 0)} rows, ${fmt(rows?.nn ?? 0)} with a clinical match)`,
    );
    console.log(`join     ratio plain/ours (speed relative to the plain query, target ≥ 0.5): ${(plainMs / oursMs).toFixed(2)}`);
    console.log(`join     results identical: ${diff?.n === 0 ? 'yes' : `NO (${String(diff?.n)} differing rows)`}`);
  } finally {
    await engine.close();
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((e: unknown) => {
  console.error(e);
  process.exitCode = 1;
});
