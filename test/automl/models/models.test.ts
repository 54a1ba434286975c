import assert from 'node:assert/strict';
import { auroc, metricValue } from '../../../src/automl/metrics';
import { binMatrix, binOf } from '../../../src/automl/models/binning';
import { fitGbm } from '../../../src/automl/models/gbm';
import { fitLinear } from '../../../src/automl/models/linear';
import type { ModelKind } from '../../../src/automl/models/model';
import { MODEL_KINDS } from '../../../src/automl/models/model';
import { fitModel, loadModel } from '../../../src/automl/models/registry';
import { blobs, logistic, positive, separable, xor } from '../synthetic';

const SMALL = { RF: { nEstimators: 40 }, XT: { nEstimators: 40 }, GBM: { numRounds: 200 } };

describe('automl models', () => {
  it('bins values so that bin ≤ b ⇔ x ≤ edges[b]', () => {
    const x = { n: 6, p: 1, data: Float64Array.from([3, 1, 2, 2, 5, 4]) };
    const bm = binMatrix(x, 255);
    assert.deepEqual(Array.from(bm.edges[0]!), [1.5, 2.5, 3.5, 4.5]);
    assert.deepEqual(Array.from(bm.bins), [2, 0, 1, 1, 4, 3]);
    assert.equal(binOf(bm.edges[0]!, 2.5), 1);
    const wide = { n: 1000, p: 1, data: Float64Array.from({ length: 1000 }, (_, i) => i) };
    const b2 = binMatrix(wide, 16);
    assert.equal(b2.nBins[0], 16);
  });

  for (const kind of MODEL_KINDS) {
    it(`${kind}: separates linearly separable data and is deterministic`, () => {
      const tr = separable(200, 5, 1);
      const te = separable(300, 5, 2);
      const ctx = { nClasses: 2, seed: 3, valid: separable(60, 5, 4) };
      const m = fitModel(kind, tr.x, tr.y, ctx, SMALL);
      const p = m.predictProba(te.x);
      assert.ok(auroc(te.y, positive(p)) > 0.95, `${kind} auroc ${auroc(te.y, positive(p))}`);
      assert.ok(metricValue('accuracy', te.y, p, 2) > 0.85);
      const again = fitModel(kind, tr.x, tr.y, ctx, SMALL).predictProba(te.x);
      assert.deepEqual(again, p);
      // Save form round trip.
      assert.deepEqual(loadModel(m.state()).predictProba(te.x), p);
    });
  }

  it('trees learn XOR; logistic regression cannot', () => {
    const tr = xor(400, 4, 5);
    const te = xor(400, 4, 6);
    const valid = xor(100, 4, 7);
    const scores: Partial<Record<ModelKind, number>> = {};
    for (const kind of ['GBM', 'RF', 'XT', 'LR'] as const) {
      const m = fitModel(kind, tr.x, tr.y, { nClasses: 2, seed: 1, valid }, SMALL);
      scores[kind] = auroc(te.y, positive(m.predictProba(te.x)));
    }
    assert.ok(scores.GBM! > 0.9 && scores.RF! > 0.9 && scores.XT! > 0.9, JSON.stringify(scores));
    assert.ok(scores.LR! < 0.65, JSON.stringify(scores));
  });

  it('logistic regression recovers the signs and ratio of planted coefficients; L1 zeroes noise', () => {
    const tr = logistic(3000, 6, 8);
    const m = fitLinear(tr.x, tr.y, { nClasses: 2, seed: 1 }, { l2: 0, maxIter: 2000, tol: 1e-8 });
    // coef[j + 1] is on the standardised scale; divide by the scale to get the raw coefficient.
    const raw = (j: number): number => m.coef[j + 1]! / m.std.scale[j]!;
    assert.ok(raw(0) > 2.4 && raw(0) < 3.6, `b0 ${raw(0)}`);
    assert.ok(raw(1) < -1.5 && raw(1) > -2.5, `b1 ${raw(1)}`);
    for (let j = 2; j < 6; j++) {
      assert.ok(Math.abs(raw(j)) < 0.25, `noise b${j} ${raw(j)}`);
    }
    const lasso = fitLinear(tr.x, tr.y, { nClasses: 2, seed: 1 }, { l1: 0.05, l2: 0 });
    const zeros = [2, 3, 4, 5].filter((j) => lasso.coef[j + 1] === 0).length;
    assert.ok(zeros >= 3, `only ${zeros} of 4 noise coefficients are exactly zero`);
    assert.ok(lasso.coef[1]! > 0 && lasso.coef[2]! < 0);
  });

  for (const kind of MODEL_KINDS) {
    it(`${kind}: multiclass blobs`, () => {
      const tr = blobs(240, 4, 9);
      const te = blobs(300, 4, 10);
      const m = fitModel(kind, tr.x, tr.y, { nClasses: 3, seed: 2, valid: blobs(90, 4, 11) }, SMALL);
      const p = m.predictProba(te.x);
      for (let i = 0; i < te.x.n; i++) {
        assert.ok(Math.abs(p[i * 3]! + p[i * 3 + 1]! + p[i * 3 + 2]! - 1) < 1e-9);
      }
      assert.ok(metricValue('accuracy', te.y, p, 3) > 0.9, `${kind} accuracy ${metricValue('accuracy', te.y, p, 3)}`);
    });
  }

  it('GBM beats a constant model on a planted signal and stops early on noise', () => {
    const tr = logistic(600, 10, 12);
    const te = logistic(600, 10, 13);
    const m = fitGbm(tr.x, tr.y, { nClasses: 2, seed: 1, valid: logistic(200, 10, 14) });
    const prior = tr.y.reduce((a, b) => a + b, 0) / tr.y.length;
    const constant = Float64Array.from({ length: te.x.n * 2 }, (_, q) => (q % 2 === 1 ? prior : 1 - prior));
    assert.ok(metricValue('log_loss', te.y, m.predictProba(te.x), 2) < metricValue('log_loss', te.y, constant, 2) - 0.15);
    // Labels independent of features: early stopping keeps few rounds.
    const noise = { x: tr.x, y: Int32Array.from(tr.y, (_, i) => (i * 7919) % 2) };
    const mn = fitGbm(noise.x, noise.y, { nClasses: 2, seed: 1, valid: { x: te.x, y: Int32Array.from(te.y, (_, i) => (i * 104729) % 2) } });
    assert.ok(mn.bestRound < 30, `kept ${mn.bestRound} rounds on noise`);
  });

  it('iterative models stop when the time budget says so', () => {
    const tr = logistic(300, 5, 15);
    let calls = 0;
    const m = fitGbm(tr.x, tr.y, { nClasses: 2, seed: 1, shouldStop: () => ++calls > 5 }, { numRounds: 500 });
    assert.equal(m.trees.length, 6);
  });
});
