import * as assert from 'node:assert/strict';
import * as path from 'node:path';
import { WorkerPool } from '../../src/util/worker-pool';
import type { PoolTestTask } from './fixtures/pool-worker';

const entry = path.join(__dirname, 'fixtures', 'pool-worker');

describe('util/worker-pool: WorkerPool and serveWorkerTasks', function () {
  this.timeout(60000);

  it('answers each task by promise and in submission order with map, whichever worker finishes first', async () => {
    const pool = new WorkerPool<PoolTestTask, number>({ entry, size: 3, name: 'test pool' });
    try {
      // The first task is the slowest: the later ones finish first on other workers.
      const delays = [300, 0, 50, 0, 10, 0, 0];
      const got = await pool.map(delays.map((delayMs, x) => ({ kind: 'square', x, delayMs })));
      assert.deepEqual(got, [0, 1, 4, 9, 16, 25, 36]);
      assert.equal(await pool.run({ kind: 'square', x: 12 }), 144);
      assert.equal(pool.pending, 0);
    } finally {
      await pool.close();
    }
  });

  it('queues more tasks than workers and reports them as pending', async () => {
    const pool = new WorkerPool<PoolTestTask, number>({ entry, size: 1, name: 'test pool' });
    try {
      const a = pool.run({ kind: 'square', x: 2, delayMs: 50 });
      const b = pool.run({ kind: 'square', x: 3 });
      assert.equal(pool.pending, 2);
      assert.deepEqual(await Promise.all([a, b]), [4, 9]);
      assert.equal(pool.pending, 0);
    } finally {
      await pool.close();
    }
  });

  it('transfers buffers both ways (the caller’s array is detached; the answer arrives whole)', async () => {
    const pool = new WorkerPool<PoolTestTask, number | Float64Array>({ entry, size: 2, name: 'test pool' });
    try {
      const values = new Float64Array([1.5, 2.5, 3]);
      const sum = pool.run({ kind: 'sum', values }, [values.buffer]);
      assert.equal(values.length, 0, 'a transferred array is detached in the sender');
      assert.equal(await sum, 7);
      const filled = await pool.run({ kind: 'fill', n: 4, value: 0.25 });
      assert.ok(filled instanceof Float64Array);
      assert.deepEqual([...filled], [0.25, 0.25, 0.25, 0.25]);
    } finally {
      await pool.close();
    }
  });

  it('rejects a task with its own error (code kept) and goes on serving the others', async () => {
    const pool = new WorkerPool<PoolTestTask, number>({ entry, size: 2, name: 'test pool' });
    try {
      const bad = assert.rejects(pool.run({ kind: 'throw', message: 'no brain above threshold', code: 'invalid-input' }), {
        name: 'HealthDataError',
        code: 'invalid-input',
        message: 'no brain above threshold',
      });
      const plain = assert.rejects(pool.run({ kind: 'throw', message: 'plain failure' }), { code: 'backend', message: 'plain failure' });
      const good = pool.run({ kind: 'square', x: 5 });
      await bad;
      await plain;
      assert.equal(await good, 25);
      await assert.rejects(
        pool.map([
          { kind: 'square', x: 1 },
          { kind: 'throw', message: 'second' },
        ]),
        { message: 'second' },
      );
    } finally {
      await pool.close();
    }
  });

  it('maps a task error through taskError when given', async () => {
    const pool = new WorkerPool<PoolTestTask, number>({ entry, size: 1, name: 'test pool', taskError: (m, code) => new Error(`wrapped: ${m} (${code ?? 'none'})`) });
    try {
      await assert.rejects(pool.run({ kind: 'throw', message: 'x', code: 'conflict' }), { message: 'wrapped: x (conflict)' });
    } finally {
      await pool.close();
    }
  });

  it("fails the whole pool on a worker crash by default (pending and later tasks are rejected with the pool's error)", async () => {
    const pool = new WorkerPool<PoolTestTask, number>({ entry, size: 1, name: 'crashy pool' });
    try {
      const crashed = assert.rejects(pool.run({ kind: 'crash' }), { code: 'backend', message: /^crashy pool: worker stopped: / });
      const queued = assert.rejects(pool.run({ kind: 'square', x: 2 }), { code: 'backend', message: /crashy pool: worker stopped/ });
      await crashed;
      await queued;
      await assert.rejects(pool.run({ kind: 'square', x: 3 }), { code: 'backend', message: /crashy pool: worker stopped/ });
    } finally {
      await pool.close();
    }
  });

  it("with onCrash 'replace' rejects only the crashed worker's task and starts a new worker", async () => {
    const pool = new WorkerPool<PoolTestTask, number>({ entry, size: 1, name: 'replacing pool', onCrash: 'replace', lazy: true });
    try {
      const crashed = assert.rejects(pool.run({ kind: 'crash' }), { code: 'backend', message: /^replacing pool: worker stopped: / });
      const next = pool.run({ kind: 'square', x: 7 });
      await crashed;
      assert.equal(await next, 49);
      assert.deepEqual(
        await pool.map([
          { kind: 'square', x: 1 },
          { kind: 'square', x: 2 },
        ]),
        [1, 4],
      );
    } finally {
      await pool.close();
    }
  });

  it("rejects the task of a worker that exits, and (with 'replace') carries on", async () => {
    const failing = new WorkerPool<PoolTestTask, number>({ entry, size: 2, name: 'exiting pool' });
    try {
      await assert.rejects(failing.run({ kind: 'exit' }), { code: 'backend', message: 'exiting pool: worker stopped: exited with code 3' });
      await assert.rejects(failing.run({ kind: 'square', x: 2 }), { code: 'backend' });
    } finally {
      await failing.close();
    }
    const replacing = new WorkerPool<PoolTestTask, number>({ entry, size: 1, name: 'exiting pool', onCrash: 'replace' });
    try {
      await assert.rejects(replacing.run({ kind: 'exit' }), { message: 'exiting pool: worker stopped: exited with code 3' });
      assert.equal(await replacing.run({ kind: 'square', x: 6 }), 36);
    } finally {
      await replacing.close();
    }
  });

  it('close() rejects queued and running tasks as cancelled, and later submits too', async () => {
    const pool = new WorkerPool<PoolTestTask, number>({ entry, size: 1, name: 'closing pool' });
    const running = assert.rejects(pool.run({ kind: 'square', x: 1, delayMs: 200 }), { code: 'cancelled', message: 'closing pool closed' });
    const queued = assert.rejects(pool.run({ kind: 'square', x: 2 }), { code: 'cancelled' });
    await pool.close();
    await running;
    await queued;
    await assert.rejects(pool.run({ kind: 'square', x: 3 }), { code: 'cancelled' });
  });
  it('rejects a size that is not a positive integer', () => {
    for (const size of [0, -1, 1.5, NaN]) {
      assert.throws(() => new WorkerPool({ entry, size, name: 'bad pool' }), { code: 'invalid-input', message: /bad pool: the pool size must be a positive integer/ });
    }
  });
});
