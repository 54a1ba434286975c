import assert from 'node:assert/strict';
import { crossValidate } from '../../src/automl/evaluation';
import { labelShuffleGuard } from '../../src/automl/leakage-guard';
import { SELECTION_SE_MULTIPLE } from '../../src/automl/fit-decisions';
import { ENSEMBLE_MIN_CLASS_ROWS, ENSEMBLE_NAME, TabularPredictor } from '../../src/automl/predictor';
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

/** Few rows, many noise columns: four linear signals among `noise` standard-normal columns (flexible models overfit). */
function noisyRows(n: number, noise: number, seed: number): Record<string, unknown>[] {
  const rng = createRng(seed);
  return Array.from({ length: n }, () => {
    const row: Record<string, unknown> = {};
    let z = -0.8;
    for (let j = 0; j < 4 + noise; j++) {
      const v = rng.normal();
      row[`x${j}`] = v;
      z += j < 4 ? [0.8, -0.6, 0.5, 0.4][j]! * v : 0;
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
      assert.ok(sel?.baseline?.startsWith('LinearModel') === true && sel.baselineScoreVal !== undefined);
      // ~18 cases in 120 rows: where a class has fewer than 50 validation rows only the baseline can be chosen, and
      // the other kinds are not fitted (said in fitSummary.skipped); otherwise the ensemble is scored beside it.
      if (p.models.length > 1) {
        assert.ok(sel.ensembleScoreVal !== undefined, presets);
      } else {
        assert.match(p.fitSummary.skipped.find((q) => q.kind === 'GBM')?.reason ?? '', /cannot be selected/, presets);
      }
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

  it('where the flexible models overfit (200 rows, 80 noise columns) the final model is not below the logistic baseline', async () => {
    const rows = noisyRows(200, 80, 3);
    const cv = await crossValidate(rows, { predictor: { label: 'label', seed: 42 }, fit: { presets: 'medium' }, folds: 5, repeats: 1, evaluate: { bootstrap: 0 } });
    assert.ok(cv.baseline !== undefined);
    const auto = cv.metrics.roc_auc.value;
    const lr = cv.baseline.metrics.roc_auc.value;
    assert.ok(lr > 0.65, `the baseline finds the signal (${lr})`);
    assert.ok(auto >= lr - 0.005, `AutoML ${auto.toFixed(4)} vs logistic ${lr.toFixed(4)}; chosen ${cv.bestModels.join(', ')}`);
    // The rule itself: the ensemble replaces the baseline only on a cross-fitted lead of more than two standard errors.
    const p = new TabularPredictor({ label: 'label', seed: 4 });
    await p.fit(rows, { presets: 'medium' });
    const sel = p.fitSummary.selection!;
    assert.ok(sel.ensembleScoreVal !== undefined && sel.margin !== undefined && sel.ensembleCrossFitScoreVal !== undefined, JSON.stringify(sel));
    const won = sel.margin.diff > SELECTION_SE_MULTIPLE * sel.margin.se;
    assert.equal(p.bestModel, won ? ENSEMBLE_NAME : sel.baseline);
    // Tuning the weights on the validation rows flatters the ensemble; its cross-fitted score does not exceed it.
    assert.ok(sel.ensembleCrossFitScoreVal <= sel.ensembleScoreVal + 1e-12, JSON.stringify(sel));
  });

  it('with fewer than 20 validation rows in a class the baseline is kept without a comparison', async () => {
    const p = new TabularPredictor({ label: 'label', seed: 1 });
    await p.fit(
      noisyRows(60, 10, 5).map((r, i) => ({ ...r, label: i % 4 === 0 ? 1 : 0 })),
      { presets: 'medium', hyperparameters: { GBM: { numRounds: 20 } } },
    );
    const sel = p.fitSummary.selection!;
    assert.equal(p.bestModel, sel.baseline);
    assert.equal(sel.margin, undefined);
    assert.deepEqual(
      p.models.map((m) => m.kind),
      ['LR'],
    );
    assert.deepEqual(p.fitSummary.skipped.map((q) => q.kind).sort(), ['GBM', 'KNN', 'RF', 'XT']);
  });

  it('with 20–49 validation rows in a class the penalty is tuned but only the baseline is fitted (the ensemble could not be selected)', async () => {
    const p = new TabularPredictor({ label: 'label', seed: 1 });
    // 200 rows, 40 cases: every case is a validation row of one bagging fold.
    await p.fit(
      noisyRows(200, 10, 5).map((r, i) => ({ ...r, label: i % 5 === 0 ? 1 : 0 })),
      { presets: 'medium', hyperparameters: { GBM: { numRounds: 20 } } },
    );
    assert.deepEqual(
      p.models.map((m) => m.kind),
      ['LR'],
    );
    assert.equal(p.bestModel, p.fitSummary.selection?.baseline);
    assert.ok(
      p.fitSummary.skipped.every((q) => q.reason.includes(`fewer than ${String(ENSEMBLE_MIN_CLASS_ROWS)} validation rows in a class (40)`)),
      JSON.stringify(p.fitSummary.skipped),
    );
    assert.deepEqual(p.fitSummary.skipped.map((q) => q.kind).sort(), ['GBM', 'KNN', 'RF', 'XT']);
    // The penalty is still chosen on the validation rows (≥ PENALTY_MIN_CLASS_ROWS): the grid's candidates were fitted.
    assert.ok(p.fitSummary.selection?.baselinePenalty !== undefined);
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
