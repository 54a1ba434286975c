import * as assert from 'node:assert/strict';
import { inOrder, mapInOrder } from '../../src/util/in-order';

/** A promise resolved after `ms` milliseconds of timers. */
function after(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

describe('util/in-order', function () {
  it('hands results over in item order whatever order they finish in, with at most `limit` running', async () => {
    let running = 0;
    let most = 0;
    const delays = [30, 5, 20, 1, 10, 2];
    const seen: number[] = [];
    await inOrder(
      delays.map((_, i) => i),
      2,
      async (i) => {
        running++;
        most = Math.max(most, running);
        await after(delays[i] ?? 0);
        running--;
        return i * 10;
      },
      (i, r) => {
        assert.equal(r, i * 10);
        seen.push(i);
      },
    );
    assert.deepEqual(seen, [0, 1, 2, 3, 4, 5]);
    assert.equal(most, 2);
    assert.deepEqual(await mapInOrder([3, 1, 2], 3, (x) => after(x).then(() => x * x)), [9, 1, 4]);
    assert.deepEqual(await mapInOrder([], 2, (x: number) => Promise.resolve(x)), []);
  });

  it('after a failure starts nothing new, settles only when the running items are done, and throws the first error', async () => {
    const started: number[] = [];
    const finished: number[] = [];
    const consumed: number[] = [];
    const items = [0, 1, 2, 3, 4, 5];
    const work = async (i: number): Promise<number> => {
      started.push(i);
      if (i === 1) {
        await after(2);
        throw new Error('item 1 failed');
      }
      if (i === 2) {
        await after(25);
        throw new Error('item 2 failed later');
      }
      await after(i === 0 ? 40 : 1);
      finished.push(i);
      return i;
    };
    await assert.rejects(
      inOrder(items, 3, work, (i) => consumed.push(i)),
      /item 1 failed/,
    );
    // Item 0 was still running when item 1 failed: the call waited for it (and for item 2) before rejecting.
    assert.deepEqual(started, [0, 1, 2]);
    assert.deepEqual(finished, [0]);
    assert.deepEqual(consumed, []);
  });

  it('treats an error thrown by consume as a failure of the call', async () => {
    const started: number[] = [];
    await assert.rejects(
      inOrder(
        [0, 1, 2, 3],
        1,
        (i) => {
          started.push(i);
          return Promise.resolve(i);
        },
        (i) => {
          if (i === 1) {
            throw new Error('consume failed at 1');
          }
        },
      ),
      /consume failed at 1/,
    );
    assert.deepEqual(started, [0, 1]);
  });
});
