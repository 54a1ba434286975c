import * as assert from 'node:assert/strict';
import { groupBy } from '../../src/util/collections';

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
