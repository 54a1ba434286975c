import assert from 'node:assert/strict';
import { binMatrix, binOf } from '../../../src/automl/models/binning';
import { createRng } from '../../../src/automl/rng';

/** The midpoints of a column's sorted distinct values (what binning gives a column with at most maxBins values). */
function midpointEdges(values: number[]): number[] {
  const d = [...new Set(values.map((v) => (Object.is(v, -0) ? 0 : v)))].sort((a, b) => a - b);
  return d.slice(1).map((v, k) => ((d[k] as number) + v) / 2);
}

describe('binning of columns with few values', () => {
  it('gives the edges and bins of a sort of every value, for 1 to 9 distinct values, with −0 and 0', () => {
    const rng = createRng(4);
    const n = 300;
    const pools = [[1], [0, 1], [-0, 0, 2], [-3, -0, 5], [0.25, 0.5, 7, -2], [1, 2, 3, 4, 5, 6, 7], [1, 2, 3, 4, 5, 6, 7, 8], [1, 2, 3, 4, 5, 6, 7, 8, 9]];
    const cols = pools.map((pool) => Array.from({ length: n }, () => pool[rng.int(pool.length)] as number));
    const p = cols.length;
    const data = new Float64Array(n * p);
    cols.forEach((c, j) => {
      c.forEach((v, i) => (data[i * p + j] = v));
    });
    const bm = binMatrix({ n, p, data }, 255);
    cols.forEach((c, j) => {
      const e = midpointEdges(c);
      assert.deepEqual(Array.from(bm.edges[j] as Float64Array), e, `column ${j}`);
      c.forEach((v, i) => {
        assert.equal(bm.bins[j * n + i], binOf(Float64Array.from(e), v));
      });
    });
  });

  it('gives a column with NaN the edges it had before (each NaN a value of its own)', () => {
    const data = Float64Array.from([1, NaN, 2, 1, NaN]);
    const bm = binMatrix({ n: 5, p: 1, data }, 255);
    assert.deepEqual(Array.from(bm.edges[0] as Float64Array), [1.5, NaN, NaN]);
  });
});
