/**
 * SQL engine benchmark: what our local engine costs over using DuckDB directly, on the same database.
 *
 * Figures are ratios against a reference run in the same process (a raw `@duckdb/node-api` connection held open):
 * - a cold open/close per statement (`idleCloseMs: 0`, the worst case of sharing a workspace between kernels);
 * - a burst of statements (the database stays open `idleCloseMs` between them);
 * - the same small query inside a held session;
 * - converting a 200,000-row result to the shared row shape.
 *
 * Run: `node --import tsx bench/sql.ts`
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { DuckDbEngine } from '../src/sql/duckdb-engine';

async function time(label: string, reps: number, fn: () => Promise<unknown>): Promise<number> {
  await fn();
  const t0 = process.hrtime.bigint();
  for (let i = 0; i < reps; i++) {
    await fn();
  }
  const ms = Number(process.hrtime.bigint() - t0) / 1e6 / reps;
  console.log(`  ${label.padEnd(44)} ${ms.toFixed(3)} ms/op`);
  return ms;
}

async function main(): Promise<void> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mmh-bench-sql-'));
  const file = path.join(dir, 'bench.duckdb');
  const engine = await DuckDbEngine.create({ path: file });
  await engine.exec("CREATE TABLE t AS SELECT i AS id, 'p' || (i % 1000) AS patient, i * 0.5 AS value, DATE '2020-01-01' + (i % 365)::INTEGER AS d FROM range(200000) r(i)");
  const raw = await DuckDBInstance.create(file, { access_mode: 'READ_ONLY' });
  const conn = await raw.connect();
  const small = 'SELECT count(*) AS n, avg(value) AS v FROM t WHERE patient = ?';
  const big = 'SELECT * FROM t';

  console.log('small parameterised query');
  const rawSmall = await time('reference: raw connection held open', 50, () => conn.runAndReadAll(small, ['p7']));
  // The engine must open read-only while the reference connection stays open (both are readers).
  const cold = await DuckDbEngine.create({ path: file, idleCloseMs: 0 });
  const perStatement = await time('engine: cold open, query, close', 20, () => cold.query(small, ['p7']));
  await cold.close();
  const burst = await time('engine: burst (kept open between statements)', 50, () => engine.query(small, ['p7']));
  conn.closeSync();
  raw.closeSync();

  const raw2 = await DuckDBInstance.create(file);
  const conn2 = await raw2.connect();
  const rawSmall2 = await time('reference: raw connection (read-write)', 50, () => conn2.runAndReadAll(small, ['p7']));
  const rawBig = await time('reference: 200k rows, getRowObjectsJS', 3, async () => (await conn2.runAndReadAll(big)).getRowObjectsJS());
  conn2.closeSync();
  raw2.closeSync();

  let inSession = 0;
  let bigRows = 0;
  await engine.session('bench', async () => {
    inSession = await time('engine: inside a held session', 50, () => engine.query(small, ['p7']));
    bigRows = await time('engine: 200k rows, shared row shape', 3, () => engine.query(big));
  });
  await engine.close();
  fs.rmSync(dir, { recursive: true, force: true });

  console.log('\nratios (engine / reference; 1.0 = no overhead)');
  console.log(`  cold open/close per statement           ${(perStatement / rawSmall).toFixed(1)}×`);
  console.log(`  burst of statements                     ${(burst / rawSmall).toFixed(2)}×`);
  console.log(`  held session, small query               ${(inSession / rawSmall2).toFixed(2)}×`);
  console.log(`  200k-row result conversion              ${(bigRows / rawBig).toFixed(2)}×`);
}

main().catch((e: unknown) => {
  console.error(e);
  process.exitCode = 1;
});
