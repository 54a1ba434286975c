import * as assert from 'node:assert/strict';
import fc from 'fast-check';
import { histogramBins, computeCalibration, binCounts, pca2, pearsonR, computeRoc } from '../../src/viz/stats';

describe('viz stats', () => {
  it('histogram puts the maximum in the last bin and keeps every finite value', () => {
    fc.assert(
      fc.property(fc.array(fc.double({ min: -1e6, max: 1e6, noNaN: true }), { minLength: 1, maxLength: 200 }), (xs) => {
        const e = histogramBins(xs, 7);
        assert.ok(e !== undefined);
        assert.equal(binCounts(xs, e).reduce((a, b) => a + b, 0), xs.length);
      }),
    );
    assert.equal(histogramBins([NaN, Infinity]), undefined);
  });
  it('pearson: ±1 on lines, NaN on constants', () => {
    assert.equal(pearsonR([1, 2, 3, 4], [2, 4, 6, 8]), 1);
    assert.equal(pearsonR([1, 2, 3, 4], [8, 6, 4, 2]), -1);
    assert.ok(Number.isNaN(pearsonR([1, 1, 1], [1, 2, 3])));
  });
  it('ROC AUC equals the Mann-Whitney pair fraction (ties count half)', () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.boolean(), fc.integer({ min: 0, max: 5 })), { minLength: 2, maxLength: 60 }), (pairs) => {
        const labels = pairs.map((p) => p[0]);
        const scores = pairs.map((p) => p[1]);
        const pos = pairs.filter((p) => p[0]).map((p) => p[1]);
        const neg = pairs.filter((p) => !p[0]).map((p) => p[1]);
        const auc = computeRoc(labels, scores).auc;
        if (pos.length === 0 || neg.length === 0) {
          assert.ok(Number.isNaN(auc));
          return;
        }
        let wins = 0;
        for (const a of pos) {
          for (const b of neg) {
            wins += a > b ? 1 : a === b ? 0.5 : 0;
          }
        }
        assert.ok(Math.abs(auc - wins / (pos.length * neg.length)) < 1e-9);
      }),
    );
  });
  it('calibration bins average predictions and outcomes', () => {
    const c = computeCalibration([1, 0, 1, 1], [0.1, 0.1, 0.9, 0.7], 2);
    assert.deepEqual(c, [
      { predicted: 0.1, observed: 0.5, count: 2 },
      { predicted: 0.8, observed: 1, count: 2 },
    ]);
  });
  it('PCA finds the dominant direction and explains most variance of near-collinear data', () => {
    const rows = Array.from({ length: 50 }, (_, i) => [i, 2 * i + (i % 3) * 0.01, 5]);
    const r = pca2(rows);
    assert.ok(r.explained[0] > 0.99, `explained ${String(r.explained[0])}`);
    const xs = r.points.map((p) => p[0]);
    assert.ok(Math.abs(pearsonR(xs, rows.map((row) => row[0] ?? 0))) > 0.999);
    assert.throws(() => pca2([[1, 2], [3]]), /rectangular/);
  });
});
