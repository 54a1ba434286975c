import assert from 'node:assert/strict';
import { TabularPredictor } from '../../src/automl/predictor';
import { plantedRows } from './synthetic';

/** Everything of a fit that must not depend on threads: leaderboard, weights, selection, predictions. */
function fingerprint(p: TabularPredictor, rows: Record<string, unknown>[]): string {
  return JSON.stringify({
    leaderboard: p.leaderboard().map((r) => [r.model, r.scoreVal]),
    weights: p.models.map((m) => m.weights ?? null),
    best: p.bestModel,
    selection: p.fitSummary.selection,
    threshold: p.decisionThreshold,
    proba: Array.from(p.predictPositive(rows.slice(0, 50))),
  });
}

describe('automl fit in worker threads', function () {
  this.timeout(300000);
  const rows = plantedRows(300, 11);
  const fit = { presets: 'medium' as const, hyperparameters: { GBM: { numRounds: 60 }, RF: { nEstimators: 20 }, XT: { nEstimators: 20 } } };

  it('gives the same leaderboard, weights, selection and predictions with 2 threads (twice) as in the calling thread', async () => {
    const inline = await new TabularPredictor({ label: 'outcome', seed: 4, ignoredColumns: ['id'] }).fit(rows, { ...fit, threads: 0 });
    const a = await new TabularPredictor({ label: 'outcome', seed: 4, ignoredColumns: ['id'] }).fit(rows, { ...fit, threads: 2 });
    const b = await new TabularPredictor({ label: 'outcome', seed: 4, ignoredColumns: ['id'] }).fit(rows, { ...fit, threads: 2 });
    const sync = new TabularPredictor({ label: 'outcome', seed: 4, ignoredColumns: ['id'] }).fitSync(rows, fit);
    assert.equal(a.models.length, 6);
    assert.equal(fingerprint(a, rows), fingerprint(inline, rows));
    assert.equal(fingerprint(b, rows), fingerprint(inline, rows));
    assert.equal(fingerprint(sync, rows), fingerprint(inline, rows));
    // A different seed does change the fit (the fingerprint is not trivially constant).
    const other = await new TabularPredictor({ label: 'outcome', seed: 5, ignoredColumns: ['id'] }).fit(rows, { ...fit, threads: 2 });
    assert.notEqual(fingerprint(other, rows), fingerprint(inline, rows));
  });

  it('keeps the event loop free while the workers fit', async () => {
    let ticks = 0;
    const timer = setInterval(() => {
      ticks++;
    }, 5);
    try {
      await new TabularPredictor({ label: 'outcome', seed: 4, ignoredColumns: ['id'] }).fit(rows, { ...fit, threads: 2 });
    } finally {
      clearInterval(timer);
    }
    assert.ok(ticks >= 3, `timer ran ${ticks} times during the fit`);
  });

  it('reports an error from a worker as a rejection with the model error', async () => {
    await assert.rejects(
      new TabularPredictor({ label: 'outcome' }).fit(rows, { presets: 'fast', threads: 2, hyperparameters: { LR: { l2: -1 } }, excludedModelTypes: ['GBM', 'RF', 'XT', 'KNN'] }),
      /penalties must be ≥ 0/,
    );
    await assert.rejects(new TabularPredictor({ label: 'outcome' }).fit(rows, { threads: -1 }), /threads = -1/);
  });
});
