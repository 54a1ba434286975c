import * as assert from 'node:assert/strict';
import { appendAll, groupBy, numericRange } from '../../src/util/collections';

describe('util/collections: groupBy', function () {
  it('keeps first-seen key order and input order within a group', () => {
    const items = [
      { t: 'b', n: 1 },
      { t: 'a', n: 2 },
      { t: 'b', n: 3 },
      { t: 'c', n: 4 },
      { t: 'a', n: 5 },
    ];
    const g = groupBy(items, (x) => x.t);
    assert.deepEqual([...g.keys()], ['b', 'a', 'c']);
    assert.deepEqual(
      [...g.values()].map((l) => l.map((x) => x.n)),
      [[1, 3], [2, 5], [4]],
    );
  });

  it('reads any iterable once and gives an empty map for no items', () => {
    function* gen(): Generator<number> {
      for (const x of [3, 1, 4, 1, 5, 9, 2, 6]) {
        yield x;
      }
    }
    assert.deepEqual(
      [...groupBy(gen(), (x) => x % 2)].map(([k, v]) => [k, v]),
      [
        [1, [3, 1, 1, 5, 9]],
        [0, [4, 2, 6]],
      ],
    );
    assert.equal(groupBy([], String).size, 0);
  });
});

describe('util/collections: appendAll and numericRange at any length', function () {
  const big = Array.from({ length: 600_000 }, (_, i) => (i * 7919) % 600_011);

  it('appends more items than a spread call can take, in order', () => {
    assert.throws(() => [0].push(...big), RangeError, 'the spread this replaces overflows at this length');
    const target = [-1];
    appendAll(target, big);
    assert.equal(target.length, big.length + 1);
    assert.equal(target[0], -1);
    assert.deepEqual(target.slice(1, 4), big.slice(0, 3));
    assert.equal(target[target.length - 1], big[big.length - 1]);
  });

  it('gives Math.min/Math.max results, NaN and empty input included, for any count', () => {
    assert.throws(() => Math.max(...big), RangeError);
    const r = numericRange(big);
    let min = Infinity;
    let max = -Infinity;
    for (const x of big) {
      min = x < min ? x : min;
      max = x > max ? x : max;
    }
    assert.deepEqual(r, { min, max });
    assert.deepEqual(numericRange([3, -2.5, 9]), { min: Math.min(3, -2.5, 9), max: Math.max(3, -2.5, 9) });
    assert.deepEqual(numericRange([1, NaN, 2]), { min: NaN, max: NaN });
    assert.deepEqual(numericRange([]), { min: Math.min(), max: Math.max() });
  });
});
