import assert from 'node:assert/strict';
import { crossValidate } from '../../src/automl/evaluation';
import { plantedRows } from './synthetic';

describe('automl crossValidate with outer folds in parallel', function () {
  this.timeout(300000);
  const rows = plantedRows(240, 3);
  const fit = { presets: 'medium' as const, hyperparameters: { GBM: { numRounds: 40 }, RF: { nEstimators: 15 }, XT: { nEstimators: 15 } } };
  const predictor = { label: 'outcome', seed: 6, ignoredColumns: ['id'] };
  const fingerprint = (cv: Awaited<ReturnType<typeof crossValidate>>): string =>
    JSON.stringify({ proba: Array.from(cv.proba), best: cv.bestModels, lb: cv.leaderboard, thresholds: cv.thresholds, baseline: Array.from(cv.baseline?.proba ?? []), auc: cv.metrics.roc_auc });

  it('gives the same out-of-fold predictions, leaderboard, thresholds and baseline one fold at a time, two or three at once', async () => {
    const one = await crossValidate(rows, { predictor, fit: { ...fit, threads: 2 }, folds: 4, repeats: 2, parallelFolds: 1, evaluate: { bootstrap: 50 } });
    const two = await crossValidate(rows, { predictor, fit: { ...fit, threads: 2 }, folds: 4, repeats: 2, parallelFolds: 2, evaluate: { bootstrap: 50 } });
    const three = await crossValidate(rows, { predictor, fit: { ...fit, threads: 2 }, folds: 4, repeats: 2, parallelFolds: 3, evaluate: { bootstrap: 50 } });
    assert.equal(one.bestModels.length, 8);
    assert.ok(one.metrics.roc_auc.value > 0.6, `AUROC ${one.metrics.roc_auc.value}`);
    assert.equal(fingerprint(two), fingerprint(one));
    assert.equal(fingerprint(three), fingerprint(one));
  });

  it('reports a failing fold as a rejection and refuses a bad parallelFolds', async () => {
    await assert.rejects(
      crossValidate(rows, {
        predictor,
        fit: { presets: 'fast', threads: 2, hyperparameters: { LR: { l2: -1 } }, excludedModelTypes: ['GBM', 'RF', 'XT', 'KNN'] },
        folds: 3,
        repeats: 1,
        parallelFolds: 2,
      }),
      /penalties must be ≥ 0/,
    );
    await assert.rejects(crossValidate(rows, { predictor, folds: 3, repeats: 1, parallelFolds: 0 }), /parallelFolds = 0/);
  });
});
