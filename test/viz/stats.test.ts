import * as assert from 'node:assert/strict';
import fc from 'fast-check';
import { calibrationCurve } from '../../src/automl/metrics';
import { calibrationFigure, modelCalibrationFigure, modelRocFigure, rocFigure } from '../../src/viz/figures-models';
import { histogramBins, binCounts, pca2, pearsonR } from '../../src/viz/stats';

describe('viz stats', () => {
  it('histogram puts the maximum in the last bin and keeps every finite value', () => {
    fc.assert(
      fc.property(fc.array(fc.double({ min: -1e6, max: 1e6, noNaN: true }), { minLength: 1, maxLength: 200 }), (xs) => {
        const e = histogramBins(xs, 7);
        assert.ok(e !== undefined);
        assert.equal(
          binCounts(xs, e).reduce((a, b) => a + b, 0),
          xs.length,
        );
      }),
    );
    assert.equal(histogramBins([NaN, Infinity]), undefined);
  });
  it('pearson: ±1 on lines, NaN on constants', () => {
    assert.equal(pearsonR([1, 2, 3, 4], [2, 4, 6, 8]), 1);
    assert.equal(pearsonR([1, 2, 3, 4], [8, 6, 4, 2]), -1);
    assert.ok(Number.isNaN(pearsonR([1, 1, 1], [1, 2, 3])));
  });
  it('the dashboard ROC legend shows the Mann-Whitney pair fraction (ties count half), from automl/metrics', () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.boolean(), fc.integer({ min: 0, max: 5 })), { minLength: 2, maxLength: 60 }), (pairs) => {
        const labels = pairs.map((p) => (p[0] ? 1 : 0));
        const scores = pairs.map((p) => p[1] / 5);
        const pos = pairs.filter((p) => p[0]).map((p) => p[1]);
        const neg = pairs.filter((p) => !p[0]).map((p) => p[1]);
        const fig = rocFigure([{ outcome: 'stroke', model: 'm', metrics: {}, labels, probabilities: scores }]);
        const name = String(fig.data[0]?.name);
        if (pos.length === 0 || neg.length === 0) {
          assert.match(name, /AUC n\/a/);
          return;
        }
        let wins = 0;
        for (const a of pos) {
          for (const b of neg) {
            wins += a > b ? 1 : a === b ? 0.5 : 0;
          }
        }
        assert.ok(name.endsWith(`(AUC ${(wins / (pos.length * neg.length)).toFixed(3)})`), name);
      }),
    );
  });
  it('dashboard and notebook draw the same ROC and calibration points (one implementation)', () => {
    const labels = [1, 0, 1, 1, 0, 0, 1, 0];
    const probabilities = [0.1, 0.1, 0.9, 0.7, 0.35, 0.6, 0.6, 0.05];
    const board = { outcome: 'stroke', model: 'm', metrics: {}, labels, probabilities };
    const series = { name: 'stroke', y: labels, score: probabilities };
    const r3 = (v: unknown): number[] => (v as number[]).map((x) => Math.round(x * 1000) / 1000);
    assert.deepEqual(r3(rocFigure([board]).data[0]?.x), modelRocFigure([series]).data[0]?.x);
    assert.deepEqual(r3(rocFigure([board]).data[0]?.y), modelRocFigure([series]).data[0]?.y);
    assert.deepEqual(r3(calibrationFigure([board], 2).data[0]?.x), modelCalibrationFigure([series], 2).data[0]?.x);
    const bins = calibrationCurve(labels, probabilities, 2).map((b) => ({ ...b, meanPredicted: Math.round(b.meanPredicted * 1e9) / 1e9 }));
    assert.deepEqual(bins, [
      { meanPredicted: 0.15, fractionPositive: 0.25, count: 4 },
      { meanPredicted: 0.7, fractionPositive: 0.75, count: 4 },
    ]);
  });
  it('PCA finds the dominant direction and explains most variance of near-collinear data', () => {
    const rows = Array.from({ length: 50 }, (_, i) => [i, 2 * i + (i % 3) * 0.01, 5]);
    const r = pca2(rows);
    assert.ok(r.explained[0] > 0.99, `explained ${String(r.explained[0])}`);
    const xs = r.points.map((p) => p[0]);
    assert.ok(
      Math.abs(
        pearsonR(
          xs,
          rows.map((row) => row[0] ?? 0),
        ),
      ) > 0.999,
    );
    assert.throws(() => pca2([[1, 2], [3]]), /rectangular/);
  });
});
