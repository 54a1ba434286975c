import assert from 'node:assert/strict';
import { caruanaEnsemble } from '../../src/automl/ensemble';

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
});
