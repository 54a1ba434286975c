import assert from 'node:assert/strict';
import { repeatedStratifiedSplits } from '../../src/automl/cv';
import { crossValidate } from '../../src/automl/evaluation';
import { applyPlatt, fitPlatt } from '../../src/automl/calibration';
import { auroc, chooseThreshold, evaluateProba } from '../../src/automl/metrics';
import { TabularPredictor } from '../../src/automl/predictor';
import { plantedRows } from './synthetic';

const close = (a: number, b: number, tol = 1e-9): void => {
  assert.ok(Math.abs(a - b) <= tol, `${a} ≉ ${b}`);
};
const toProba = (p: readonly number[]): Float64Array => Float64Array.from(p.flatMap((q) => [1 - q, q]));

describe('automl decision thresholds and calibration', () => {
  it('max-F1 threshold on a hand-computed example', () => {
    // Sorted by score: 0.6 (1), 0.4 (0), 0.3 (1), 0.2 (0), 0.1 (0). F1 when cutting after each: 2/3, 1/2, 4/5, 2/3, 4/7.
    // The best cut keeps 0.6, 0.4, 0.3 positive: the threshold is the midpoint (0.3 + 0.2) / 2.
    close(chooseThreshold([0, 0, 1, 1, 0], [0.1, 0.2, 0.3, 0.6, 0.4]), 0.25);
    // Perfect separation: cut between the lowest positive (0.7) and the highest negative (0.35).
    close(chooseThreshold([0, 1, 0, 1], [0.35, 0.7, 0.1, 0.9]), 0.525);
    // One class only: nothing to tune, the usual 0.5.
    assert.equal(chooseThreshold([1, 1], [0.2, 0.3]), 0.5);
  });

  it('metrics at per-row thresholds and the Brier score, by hand', () => {
    const y = [0, 1, 1, 0];
    const p = [0.2, 0.7, 0.4, 0.1];
    // At 0.5: only row 1 positive → TP 1, FN 1, FP 0: precision 1, recall 1/2, F1 2/3.
    const at05 = evaluateProba(y, toProba(p), 2, { bootstrap: 0 });
    close(at05.recall.value, 0.5);
    close(at05.f1.value, 2 / 3);
    // Brier = mean (p − y)² = (0.04 + 0.09 + 0.36 + 0.01) / 4 = 0.125.
    close(at05.brier.value, 0.125);
    // Per-row thresholds 0.3 for the first two rows and 0.35 for the last two: rows 1 and 2 positive → TP 2, FP 0.
    const tuned = evaluateProba(y, toProba(p), 2, { bootstrap: 0, rowThresholds: [0.3, 0.3, 0.35, 0.35] });
    close(tuned.recall.value, 1);
    close(tuned.precision.value, 1);
    close(tuned.accuracy.value, 1);
    close(tuned.brier.value, 0.125);
    close(tuned.roc_auc.value, at05.roc_auc.value);
    assert.throws(() => evaluateProba(y, toProba(p), 2, { rowThresholds: [0.5] }), /one threshold per row/);
  });

  it('Platt scaling recalibrates without changing the ranking, and refuses what it cannot fit', () => {
    // Scores twice too confident: the true risk at score p is about p / 2 (rows repeated to make the rates exact).
    const y: number[] = [];
    const p: number[] = [];
    for (const [score, pos, neg] of [
      [0.2, 1, 9],
      [0.4, 2, 8],
      [0.6, 3, 7],
      [0.8, 4, 6],
    ] as const) {
      for (let i = 0; i < pos + neg; i++) {
        y.push(i < pos ? 1 : 0);
        p.push(score);
      }
    }
    const s = fitPlatt(y, p);
    assert.ok(s !== undefined && s.a > 0);
    const q = p.map((v) => applyPlatt(s, v));
    close(auroc(y, q), auroc(y, p));
    // Calibrated means per score level follow the observed rates 0.1 … 0.4 (within Platt's smoothing and its
    // logistic shape) — far closer than the raw 0.2 … 0.8.
    for (const [score, rate] of [
      [0.2, 0.1],
      [0.8, 0.4],
    ] as const) {
      assert.ok(Math.abs(applyPlatt(s, score) - rate) < 0.06, `${score} → ${applyPlatt(s, score)} vs ${rate}`);
    }
    assert.equal(fitPlatt([1, 1, 1], [0.2, 0.5, 0.9]), undefined);
    // Scores that rank the classes backwards would need a negative slope: left uncalibrated.
    assert.equal(fitPlatt([1, 1, 0, 0], [0.1, 0.2, 0.8, 0.9]), undefined);
  });

  it('the predictor keeps the max-F1 threshold of its validation predictions; CV scores each fold at its own', async () => {
    const rows = plantedRows(240, 11);
    const fit = { presets: 'fast' as const, excludedModelTypes: ['KNN' as const, 'RF' as const, 'XT' as const] };
    const p = new TabularPredictor({ label: 'outcome', seed: 4, ignoredColumns: ['id'] });
    await p.fit(rows, fit);
    assert.ok(p.decisionThreshold > 0 && p.decisionThreshold < 1);
    const cv = await crossValidate(rows, { predictor: { label: 'outcome', seed: 4, ignoredColumns: ['id'] }, fit, folds: 4, repeats: 1, evaluate: { bootstrap: 0 } });
    assert.equal(cv.thresholds?.rule, 'max-f1');
    assert.equal(cv.thresholds.perFold.length, 4);
    // With one repeat each row is cut at its own fold's threshold: rebuild that by hand from the same seeds.
    const rowT = new Float64Array(cv.y.length);
    repeatedStratifiedSplits(cv.y, 4, 1, 4).forEach((sp, f) => {
      for (const i of sp.test) {
        rowT[i] = cv.thresholds!.perFold[f]!;
      }
    });
    const expected = evaluateProba(cv.y, cv.proba, 2, { bootstrap: 0, rowThresholds: rowT });
    // AUROC is threshold-free: the tuned metrics carry the same within-fold estimate as the metrics at 0.5 (the
    // pooled one, which evaluateProba computes, differs).
    assert.deepEqual(cv.tunedMetrics, { ...expected, roc_auc: cv.metrics.roc_auc });
    assert.deepEqual(cv.pooledAuroc, expected.roc_auc);
    assert.equal(cv.metrics.f1.value, evaluateProba(cv.y, cv.proba, 2, { bootstrap: 0 }).f1.value);
    // Calibration: the Brier score and bins whose counts add up to the rows.
    assert.equal(cv.calibration?.brier.value, cv.metrics.brier.value);
    assert.equal(
      cv.calibration.bins.reduce((a, b) => a + b.count, 0),
      cv.y.length,
    );
    // The baseline logistic regression comes from the same fold fits.
    assert.equal(cv.baseline?.model, 'LinearModel');
    assert.equal(cv.baseline.proba.length, cv.proba.length);
  });
});
