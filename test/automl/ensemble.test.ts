import assert from 'node:assert/strict';
import { blend, caruanaEnsemble, crossFittedEnsemble } from '../../src/automl/ensemble';
import { stratifiedFolds } from '../../src/automl/cv';
import { createRng } from '../../src/automl/rng';
import { auroc } from '../../src/automl/metrics';

describe('automl Caruana ensemble', () => {
  it('weights the better model more', () => {
    const y = [0, 0, 1, 1];
    // Row-major class probabilities: [p(0), p(1)] per row.
    const good = Float64Array.from([0.9, 0.1, 0.8, 0.2, 0.2, 0.8, 0.1, 0.9]);
    const bad = Float64Array.from([0.1, 0.9, 0.2, 0.8, 0.8, 0.2, 0.9, 0.1]); // inverted: AUROC 0
    const w = caruanaEnsemble([bad, good], y, 2, 'roc_auc', 10);
    assert.ok((w.weights[1] ?? 0) > (w.weights[0] ?? 0));
  });

  it('keeps the first model when every score is undefined (one-class validation split)', () => {
    const y = [1, 1, 1];
    const a = Float64Array.from([0.4, 0.6, 0.3, 0.7, 0.2, 0.8]);
    const b = Float64Array.from([0.6, 0.4, 0.7, 0.3, 0.8, 0.2]);
    const w = caruanaEnsemble([a, b], y, 2, 'roc_auc', 5);
    assert.deepEqual([...w.weights], [1, 0]);
  });

  it('keeps the weights of the best round, not the last (hand-checked AUROCs 7/9 → 8/9 → 7.5/9)', () => {
    const y = [0, 0, 0, 1, 1, 1];
    const pos = [
      [0.2, 0.3, 0.7, 0.1, 0.8, 0.8], // A: AUROC 6/9
      [0.6, 1, 0.4, 0.4, 0.8, 0.9], // B: AUROC 4.5/9
      [0.8, 0, 0.7, 0.8, 0.7, 1], // C: AUROC 7/9, the best alone
    ];
    const preds = pos.map((p) => Float64Array.from(p.flatMap((v) => [1 - v, v])));
    const e = caruanaEnsemble(preds, y, 2, 'roc_auc', 3);
    // Round 1 takes C (7/9); round 2 adds B: (B + C) / 2 ranks 8 of 9 pairs; round 3 can only lose (7.5/9).
    assert.deepEqual(
      e.roundScores.map((s) => Math.round(s * 9 * 2) / 2),
      [7, 8, 7.5],
    );
    assert.equal(e.bestRound, 2);
    assert.deepEqual([...e.weights], [0, 0.5, 0.5]);
    assert.ok(Math.abs(e.score - 8 / 9) < 1e-12);
    const mixed = blend(preds, e.weights);
    assert.ok(
      Math.abs(
        auroc(
          y,
          Float64Array.from(y, (_, i) => mixed[i * 2 + 1]!),
        ) -
          8 / 9,
      ) < 1e-12,
    );
  });

  it('never scores below the best single model on validation', () => {
    const y = [0, 1, 0, 1, 1, 0, 0, 1];
    const best = Float64Array.from([0.3, 0.9, 0.2, 0.6, 0.7, 0.4, 0.1, 0.8].flatMap((v) => [1 - v, v])); // AUROC 1
    const noisy = Float64Array.from([0.9, 0.1, 0.8, 0.2, 0.3, 0.7, 0.6, 0.4].flatMap((v) => [1 - v, v]));
    const e = caruanaEnsemble([noisy, best], y, 2, 'roc_auc', 25);
    assert.equal(e.score, 1);
    assert.equal(e.bestRound, 1);
    assert.deepEqual([...e.weights], [0, 1]);
  });

  it('cross-fitting removes the optimism of tuning the weights: 30 pure-noise models score ~0.5 out of fold, above it in sample', () => {
    const rng = createRng(11);
    const n = 300;
    const y = Int32Array.from({ length: n }, () => (rng.next() < 0.3 ? 1 : 0));
    const preds = Array.from({ length: 30 }, () => Float64Array.from(Array.from({ length: n }, () => rng.next()).flatMap((v) => [1 - v, v])));
    const positive = (p: Float64Array): number[] => Array.from({ length: n }, (_, i) => p[i * 2 + 1] as number);
    const inSample = auroc(y, positive(blend(preds, caruanaEnsemble(preds, y, 2, 'roc_auc', 25).weights)));
    const groups = { of: stratifiedFolds(y, 5, 3), count: 5 };
    const honest = auroc(y, positive(crossFittedEnsemble(preds, y, 2, 'roc_auc', 25, groups)));
    assert.ok(inSample > 0.6, `in-sample ${inSample}`);
    assert.ok(Math.abs(honest - 0.5) < 0.07 && honest < inSample - 0.05, `cross-fitted ${honest}, in-sample ${inSample}`);
  });
});
