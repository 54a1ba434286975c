import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { DuckDbEngine } from '../../src/sql/duckdb-engine';

describe('DuckDbEngine memory limit and spilling', () => {
  let dir: string;
  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mmh-spill-'));
  });
  afterEach(() => {
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('opens every connection (write and read) with the memory_limit and temp_directory it was given', async () => {
    const temp = path.join(dir, 'ws', 'tmp', 'duckdb');
    const sql = await DuckDbEngine.create({ path: path.join(dir, 'x.duckdb'), memoryLimit: '300MB', tempDirectory: temp, idleCloseMs: 0 });
    try {
      assert.ok(fs.statSync(temp).isDirectory(), 'the temp directory is created');
      await sql.exec('CREATE TABLE t AS SELECT 1 AS a');
      const [r] = await sql.query<{ m: string; t: string }>("SELECT current_setting('memory_limit') AS m, current_setting('temp_directory') AS t");
      assert.ok(r !== undefined);
      // DuckDB reports 300MB as 286.1 MiB.
      assert.match(r.m, /^286\.\d MiB$/);
      assert.equal(r.t, temp);
    } finally {
      await sql.close();
    }
  });

  it('spills a sort larger than the limit into the temp directory instead of failing', async function () {
    this.timeout(120_000);
    const temp = path.join(dir, 'spill');
    const sql = await DuckDbEngine.create({ path: path.join(dir, 'y.duckdb'), memoryLimit: '32MB', tempDirectory: temp, idleCloseMs: 0 });
    try {
      let sawSpill = false;
      const watcher = fs.watch(temp, () => {
        sawSpill = true;
      });
      try {
        await sql.exec('SET threads = 1; SET preserve_insertion_order = false; CREATE TABLE big AS SELECT i, md5(i::VARCHAR) || md5((i * 7)::VARCHAR) AS s FROM range(1500000) r(i) ORDER BY s');
      } finally {
        watcher.close();
      }
      const [r] = await sql.query<{ n: number }>('SELECT count(*)::INTEGER AS n FROM big');
      assert.equal(r?.n, 1_500_000);
      assert.ok(sawSpill, 'DuckDB wrote spill files under the temp directory');
    } finally {
      await sql.close();
    }
  });
});
