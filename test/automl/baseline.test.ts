import assert from 'node:assert/strict';
import { crossValidate } from '../../src/automl/evaluation';
import { labelShuffleGuard } from '../../src/automl/leakage-guard';
import { TabularPredictor } from '../../src/automl/predictor';
import { createRng } from '../../src/automl/rng';
import { studentTQuantile } from '../../src/automl/stats';

/** A clinical-shaped table whose signal is purely linear (log-odds), with a rare outcome (~15%) and noise columns. */
function linearRows(n: number, seed: number): Record<string, unknown>[] {
  const rng = createRng(seed);
  return Array.from({ length: n }, () => {
    const row: Record<string, unknown> = {};
    let z = -2.2;
    for (let j = 0; j < 12; j++) {
      const v = rng.normal();
      row[`x${j}`] = v;
      z += j < 4 ? [0.9, -0.7, 0.5, 0.4][j]! * v : 0;
    }
    row.label = rng.next() < 1 / (1 + Math.exp(-z)) ? 1 : 0;
    return row;
  });
}

describe('automl ensemble vs its logistic baseline', function () {
  this.timeout(300000);

  it('every preset carries the L2 logistic regression in its leaderboard, and the fit reports both scores', async () => {
    for (const presets of ['fast', 'medium', 'best'] as const) {
      const p = new TabularPredictor({ label: 'label', seed: 1 });
      await p.fit(linearRows(120, 2), { presets, excludedModelTypes: ['RF', 'XT', 'KNN'], hyperparameters: { GBM: { numRounds: 30 } } });
      const names = p.leaderboard().map((r) => r.model);
      assert.ok(
        names.some((m) => m.startsWith('LinearModel')),
        `${presets}: ${names.join(', ')}`,
      );
      const sel = p.fitSummary.selection;
      assert.ok(sel?.baseline?.startsWith('LinearModel') === true && sel.baselineScoreVal !== undefined && sel.ensembleScoreVal !== undefined);
      assert.equal(sel.chosen, p.bestModel);
      // The chosen model never scores below the baseline on the validation rows.
      assert.ok(sel.chosenScoreVal >= sel.baselineScoreVal, JSON.stringify(sel));
    }
  });

  it("on a linear signal the AutoML's CV AUROC is at least the logistic baseline's − 0.005 on the same folds", async () => {
    const rows = linearRows(500, 7);
    const cv = await crossValidate(rows, { predictor: { label: 'label', seed: 3 }, fit: { presets: 'medium' }, folds: 5, repeats: 1, evaluate: { bootstrap: 0 } });
    assert.ok(cv.baseline !== undefined);
    const auto = cv.metrics.roc_auc.value;
    const lr = cv.baseline.metrics.roc_auc.value;
    assert.ok(lr > 0.7, `the baseline finds the signal (${lr})`);
    assert.ok(auto >= lr - 0.005, `AutoML ${auto.toFixed(4)} vs logistic ${lr.toFixed(4)}`);
  });

  it('the label-shuffle guard runs ≥ 3 permutations and reports their mean with a t interval', async () => {
    const rows = linearRows(160, 9);
    const fit = { presets: 'fast' as const, excludedModelTypes: ['RF' as const, 'XT' as const, 'KNN' as const], hyperparameters: { GBM: { numRounds: 30 } } };
    const guard = await labelShuffleGuard(rows, { predictor: { label: 'label', seed: 5 }, fit, folds: 4, repeats: 1 });
    assert.equal(guard.permutations, 3);
    assert.equal(guard.aurocs.length, 3);
    assert.equal(new Set(guard.aurocs).size, 3, 'each permutation differs');
    const mean = guard.aurocs.reduce((a, b) => a + b, 0) / 3;
    const sd = Math.sqrt(guard.aurocs.reduce((a, b) => a + (b - mean) ** 2, 0) / 2);
    const half = studentTQuantile(0.975, 2) * (sd / Math.sqrt(3));
    assert.ok(Math.abs(guard.mean - mean) < 1e-12 && Math.abs(guard.lower - (mean - half)) < 1e-9 && Math.abs(guard.upper - (mean + half)) < 1e-9);
    assert.ok(Math.abs(guard.mean - 0.5) < 0.12, `shuffled AUROC mean ${guard.mean}`);
    assert.equal(guard.passed, guard.lower <= 0.5);
    // The real labels are far from the guard's interval.
    const real = await crossValidate(rows, { predictor: { label: 'label', seed: 5 }, fit, folds: 4, repeats: 1, evaluate: { bootstrap: 0 } });
    assert.ok(real.metrics.roc_auc.value > guard.upper);
    await assert.rejects(labelShuffleGuard(rows, { predictor: { label: 'label' }, permutations: 2 }), /≥ 3/);
  });
});
