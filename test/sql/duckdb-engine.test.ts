import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { setTimeout as sleep } from 'node:timers/promises';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { isHealthDataError } from '../../src/errors';
import { silentProgress } from '../../src/progress';
import { DuckDbEngine } from '../../src/sql/duckdb-engine';
import { PORTABLE_IDIOMS, PORTABLE_MACROS } from '../../src/sql/portable-macros';
import { openWorkspace } from '../../src/workspace';
import { tmpDir } from '../helpers/tmp';

const HOLDER = path.join(__dirname, '..', 'helpers', 'hold-workspace.ts');

function child(args: string[]): { done: Promise<number>; started: Promise<void> } {
  const p = spawn(process.execPath, ['--import', 'tsx', HOLDER, ...args], { stdio: ['ignore', 'pipe', 'inherit'] });
  const started = new Promise<void>((resolve) => {
    p.stdout.on('data', (d: Buffer) => {
      if (d.toString().includes('holding')) {
        resolve();
      }
    });
  });
  const done = new Promise<number>((resolve) => {
    p.on('exit', (code) => {
      resolve(code ?? -1);
    });
  });
  return { done, started };
}

describe('DuckDbEngine (local SQL engine contract)', () => {
  let sql: DuckDbEngine;
  before(async () => {
    sql = await DuckDbEngine.create({ path: ':memory:' });
  });
  after(async () => {
    await sql.close();
    await sql.close(); // twice is safe
  });

  it('binds parameters and returns typed rows', async () => {
    const rows = await sql.query<{ s: string; n: number; b: boolean; d: string; t: Date; big: bigint; l: number[]; m: Record<string, string> }>(
      "SELECT ?::VARCHAR AS s, ?::BIGINT AS n, ? AS b, DATE '2020-01-02' AS d, TIMESTAMP '2020-01-02 03:04:05' AS t, " +
        "9007199254740993::BIGINT AS big, [1, 2]::BIGINT[] AS l, MAP {'CLNSIG': 'Pathogenic'} AS m",
      ["O'Brien; DROP TABLE x", 7, true],
    );
    assert.deepEqual(rows[0], {
      s: "O'Brien; DROP TABLE x",
      n: 7,
      b: true,
      d: '2020-01-02',
      t: new Date('2020-01-02T03:04:05Z'),
      big: 9007199254740993n,
      l: [1, 2],
      m: { CLNSIG: 'Pathogenic' },
    });
  });

  it('reports column metadata', async () => {
    const r = await sql.queryResult('SELECT 1::INTEGER AS a, 2.5 AS b');
    assert.deepEqual(
      r.columns.map((c) => c.name),
      ['a', 'b'],
    );
    assert.equal(r.columns[0]?.type, 'INTEGER');
  });

  for (const m of PORTABLE_MACROS) {
    it(`portable macro ${m.name}: ${m.example.query}`, async () => {
      const [row] = await sql.query<{ v: unknown }>(m.example.query);
      assert.deepEqual(row?.v, m.example.expected);
    });
  }

  for (const q of PORTABLE_IDIOMS) {
    it(`portable idiom: ${q.query}`, async () => {
      const [row] = await sql.query<{ v: unknown }>(q.query);
      assert.deepEqual(row?.v, q.expected);
    });
  }

  it('runs the guidance idioms on the variant-store schema (quoted "end", map access, element_at)', async () => {
    await sql.exec(`CREATE TABLE v (contigname VARCHAR, start BIGINT, "end" BIGINT, alternatealleles VARCHAR[],
      attributes MAP(VARCHAR, VARCHAR), calls INTEGER[], filters VARCHAR[]);
      INSERT INTO v VALUES ('19', 44908683, 44908684, ['C'], MAP {'AF': '0.15'}, [1, 1], ['PASS']),
                           ('1', 55039973, 55039974, ['T', 'G'], MAP {'AF': '0.01,0.02'}, [0, 1], ['q10'])`);
    const rows = await sql.query<{ contigname: string; e: number; af: string }>(
      `SELECT contigname, "end" AS e, attributes['AF'] AS af FROM v
       WHERE filters[1] = 'PASS' AND element_at(calls, 1) = element_at(calls, 2) AND cardinality(alternatealleles) = ?`,
      [1],
    );
    assert.deepEqual(rows, [{ contigname: '19', e: 44908684, af: '0.15' }]);
  });

  it("fails a bad statement with DuckDB's reason", async () => {
    await assert.rejects(sql.query('SELEC 1'), (e: unknown) => {
      assert.ok(isHealthDataError(e));
      assert.equal(e.code, 'query-failed');
      assert.match(e.message, /sql\.query failed: Parser Error: syntax error at or near "SELEC"/);
      return true;
    });
    await assert.rejects(sql.query('SELECT * FROM no_such_table'), /Table with name no_such_table does not exist/);
  });

  it('builds a danfojs DataFrame', async () => {
    const df = await sql.toDataFrame("SELECT * FROM (VALUES (1, 'a'), (2, 'b')) AS t(id, name) ORDER BY id");
    assert.deepEqual(df.columns, ['id', 'name']);
    assert.deepEqual(df.shape, [2, 2]);
    const empty = await sql.toDataFrame('SELECT 1 AS x WHERE false');
    assert.deepEqual(empty.columns, ['x']);
  });
});

describe('workspace database shared by several processes', function () {
  this.timeout(120_000);
  let dir: string;
  beforeEach(async () => {
    dir = tmpDir('lock');
    const ws = await openWorkspace({ dir, create: true, progress: silentProgress, env: {} });
    await ws.sql.query('CREATE TABLE t (tag VARCHAR, i INTEGER)');
    await ws.close();
  });
  afterEach(() => {
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('fails fast with a message naming the holder when the wait runs out', async () => {
    const holder = child([dir, 'hold', '4000']);
    await holder.started;
    const ws = await openWorkspace({ dir, lockTimeoutMs: 300, progress: silentProgress, env: {} }).catch((e: unknown) => e);
    assert.ok(isHealthDataError(ws), 'opening while another process holds the database must fail');
    assert.equal(ws.code, 'locked');
    assert.match(ws.message, /held by process \d+ running "test hold" since/);
    assert.match(ws.message, /MMH_LOCK_TIMEOUT_MS/);
    assert.equal(await holder.done, 0);
  });

  it('waits for the holder and then proceeds', async () => {
    const holder = child([dir, 'hold', '800']);
    await holder.started;
    const ws = await openWorkspace({ dir, lockTimeoutMs: 20_000, progress: silentProgress, env: {} });
    const [row] = await ws.sql.query<{ n: number }>('SELECT count(*) AS n FROM t');
    assert.equal(row?.n, 0);
    await ws.close();
    assert.equal(await holder.done, 0);
  });

  it('two writing processes interleave without losing a row or corrupting the file', async () => {
    const a = child([dir, 'insert', '25', 'a']);
    const b = child([dir, 'insert', '25', 'b']);
    assert.deepEqual(await Promise.all([a.done, b.done]), [0, 0]);
    const ws = await openWorkspace({ dir, progress: silentProgress, env: {} });
    const rows = await ws.sql.query<{ tag: string; n: number }>('SELECT tag, count(*) AS n FROM t GROUP BY tag ORDER BY tag');
    assert.deepEqual(rows, [
      { tag: 'a', n: 25 },
      { tag: 'b', n: 25 },
    ]);
    await ws.close();
  });
});

describe('DuckDbEngine connection lifetime (database file)', function () {
  this.timeout(60_000);
  let dir: string;
  beforeEach(() => {
    dir = tmpDir('engine-life');
  });
  afterEach(() => {
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('closes only after the running statement ends (DuckDB hangs for good when a connection is closed under one)', async () => {
    const sql = await DuckDbEngine.create({ path: path.join(dir, 'a.duckdb') });
    const rows = 400_000_000;
    const running = sql.query<{ n: number }>(`SELECT count(*)::INTEGER AS n FROM range(${String(rows)}) t(i) WHERE i % 7 = 3`);
    await sleep(150); // the statement is inside DuckDB now (it takes seconds)
    await sql.close();
    assert.deepEqual(await running, [{ n: Math.floor((rows - 4) / 7) + 1 }]);
    await assert.rejects(sql.query('SELECT 1'), (e: unknown) => isHealthDataError(e) && e.code === 'conflict' && /closed/.test(e.message));
  });

  it('runs work that outlived its session as a statement of its own, not on the closed session connection', async () => {
    const sql = await DuckDbEngine.create({ path: path.join(dir, 'b.duckdb'), idleCloseMs: 10 });
    let leftover: Promise<unknown> = Promise.resolve();
    await sql.session('test leftover', async () => {
      await sql.exec('CREATE TABLE t AS SELECT 42 AS v');
      leftover = sleep(100).then(() => sql.query('SELECT v FROM t'));
    });
    assert.deepEqual(await leftover, [{ v: 42 }]);
    await sql.close();
  });

  it('does not close under a statement its session started and did not await, even with idleCloseMs 0', async () => {
    const sql = await DuckDbEngine.create({ path: path.join(dir, 'e.duckdb'), idleCloseMs: 0 });
    const rows = 400_000_000;
    let leftover: Promise<unknown> = Promise.resolve();
    await sql.session('test unawaited statement', () => {
      leftover = sql.query<{ n: number }>(`SELECT count(*)::INTEGER AS n FROM range(${String(rows)}) t(i) WHERE i % 7 = 3`);
      return Promise.resolve();
    });
    assert.deepEqual(await leftover, [{ n: Math.floor((rows - 4) / 7) + 1 }]);
    await sql.close();
  });

  it('keeps one open database through pauses inside keepOpen, and closes it when idle afterwards', async () => {
    const sql = await DuckDbEngine.create({ path: path.join(dir, 'c.duckdb'), idleCloseMs: 10 });
    await sql.keepOpen(async () => {
      await sql.exec('CREATE TEMP TABLE scratch AS SELECT 7 AS v');
      await sleep(100);
      assert.deepEqual(await sql.query('SELECT v FROM scratch'), [{ v: 7 }], 'a temporary table lives as long as its connection');
    });
    await sleep(100);
    await assert.rejects(sql.query('SELECT v FROM scratch'), /scratch/);
    await sql.close();
  });

  it('refuses to close from inside its own session', async () => {
    const sql = await DuckDbEngine.create({ path: path.join(dir, 'd.duckdb') });
    await sql.session('test close inside', async () => {
      await assert.rejects(sql.close(), (e: unknown) => isHealthDataError(e) && e.code === 'conflict' && /from inside/.test(e.message));
    });
    assert.deepEqual(await sql.query('SELECT 1 AS one'), [{ one: 1 }]);
    await sql.close();
  });
});
