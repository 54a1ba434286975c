import assert from 'node:assert/strict';
import { auroc, calibrationCurve, delongAuroc, evaluateProba, metricValue, normalQuantile, rocCurve } from '../../src/automl/metrics';
import { createRng } from '../../src/automl/rng';
import { studentTCdf, studentTQuantile } from '../../src/automl/stats';

const close = (a: number, b: number, tol = 1e-9): void => {
  assert.ok(Math.abs(a - b) <= tol, `${a} ≉ ${b}`);
};

function toProba(p: number[]): Float64Array {
  return Float64Array.from(p.flatMap((q) => [1 - q, q]));
}

describe('automl metrics', () => {
  it('AUROC matches hand-computed values, ties counted ½', () => {
    close(auroc([0, 0, 1, 1], [0.1, 0.4, 0.35, 0.8]), 0.75);
    close(auroc([0, 1, 0, 1], [0.5, 0.5, 0.2, 0.9]), 0.875);
    close(auroc([0, 0, 1, 1], [0.1, 0.2, 0.3, 0.4]), 1);
    close(auroc([1, 1, 0, 0], [0.1, 0.2, 0.3, 0.4]), 0);
    assert.ok(Number.isNaN(auroc([1, 1], [0.2, 0.3])));
  });

  it('AUROC equals the Mann–Whitney pair count on random data with ties', () => {
    const rng = createRng(3);
    const n = 300;
    const y = Array.from({ length: n }, () => (rng.next() < 0.3 ? 1 : 0));
    const s = Array.from({ length: n }, (_, i) => Math.round((y[i]! * 0.7 + rng.next()) * 10) / 10);
    let num = 0;
    let den = 0;
    for (let i = 0; i < n; i++) {
      for (let j = 0; j < n; j++) {
        if (y[i] === 1 && y[j] === 0) {
          den++;
          num += s[i]! > s[j]! ? 1 : s[i] === s[j] ? 0.5 : 0;
        }
      }
    }
    close(auroc(y, s), num / den, 1e-12);
  });

  it('DeLong standard error matches the hand computation', () => {
    // Positives 0.35, 0.8; negatives 0.1, 0.4: V10 = [0.5, 1], V01 = [1, 0.5], S10 = S01 = 0.125, var = 0.125.
    const d = delongAuroc([0, 0, 1, 1], [0.1, 0.4, 0.35, 0.8]);
    close(d.value, 0.75);
    close(d.se, Math.sqrt(0.125), 1e-12);
    close(d.lower, Math.max(0, 0.75 - 1.959963984540054 * Math.sqrt(0.125)), 1e-6);
    assert.equal(d.upper, 1);
    assert.throws(
      () => delongAuroc([0, 1, 1], [0.1, 0.2, 0.3]),
      (e: unknown) => (e as { code: string }).code === 'invalid-input',
    );
  });

  it('confusion-matrix metrics match hand-computed values', () => {
    // TP=2, FN=1, FP=1, TN=4 at threshold 0.5.
    const y = [1, 1, 1, 0, 0, 0, 0, 0];
    const p = toProba([0.9, 0.8, 0.3, 0.6, 0.2, 0.1, 0.1, 0.4]);
    close(metricValue('accuracy', y, p, 2), 0.75);
    close(metricValue('precision', y, p, 2), 2 / 3);
    close(metricValue('recall', y, p, 2), 2 / 3);
    close(metricValue('f1', y, p, 2), 2 / 3);
    close(metricValue('balanced_accuracy', y, p, 2), (2 / 3 + 4 / 5) / 2);
    close(metricValue('mcc', y, p, 2), 7 / 15);
    const ll = -(Math.log(0.9) + Math.log(0.8) + Math.log(0.3) + Math.log(0.4) + Math.log(0.8) + 2 * Math.log(0.9) + Math.log(0.6)) / 8;
    close(metricValue('log_loss', y, p, 2), ll);
    const brier = (0.01 + 0.04 + 0.49 + 0.36 + 0.04 + 0.01 + 0.01 + 0.16) / 8;
    close(metricValue('brier', y, p, 2), brier);
  });

  it('multiclass metrics: accuracy, macro recall and one-vs-rest AUROC', () => {
    const y = [0, 1, 2, 2];
    const p = Float64Array.from([0.8, 0.1, 0.1, 0.2, 0.7, 0.1, 0.1, 0.2, 0.7, 0.5, 0.3, 0.2]);
    close(metricValue('accuracy', y, p, 3), 0.75);
    close(metricValue('balanced_accuracy', y, p, 3), (1 + 1 + 0.5) / 3);
    // Class 0 vs rest: scores [0.8 | 0.2, 0.1, 0.5] → 1; class 1: [0.7 | 0.1, 0.2, 0.3] → 1; class 2: [0.7, 0.2 | 0.1, 0.1] → 1.
    close(metricValue('roc_auc', y, p, 3), 1);
  });

  it('bootstrap intervals bracket the estimate, are seeded, and narrow with more rows', () => {
    const make = (n: number): { y: number[]; p: Float64Array } => {
      const rng = createRng(11);
      const y = Array.from({ length: n }, () => (rng.next() < 0.4 ? 1 : 0));
      return { y, p: toProba(y.map((v) => Math.min(0.99, Math.max(0.01, 0.3 * v + 0.35 + 0.8 * (rng.next() - 0.5))))) };
    };
    const small = make(80);
    const a = evaluateProba(small.y, small.p, 2, { seed: 5, bootstrap: 300 });
    const b = evaluateProba(small.y, small.p, 2, { seed: 5, bootstrap: 300 });
    assert.deepEqual(a, b);
    for (const m of Object.values(a)) {
      assert.ok(m.lower <= m.value + 1e-12 && m.value <= m.upper + 1e-12, JSON.stringify(m));
    }
    const big = make(2000);
    const c = evaluateProba(big.y, big.p, 2, { seed: 5, bootstrap: 300 });
    assert.ok(c.accuracy.upper - c.accuracy.lower < a.accuracy.upper - a.accuracy.lower);
    assert.ok(c.roc_auc.upper - c.roc_auc.lower < a.roc_auc.upper - a.roc_auc.lower);
    const boot = evaluateProba(small.y, small.p, 2, { seed: 5, bootstrap: 300, aurocInterval: 'bootstrap' });
    assert.notEqual(boot.roc_auc.lower, a.roc_auc.lower);
    close(boot.roc_auc.value, a.roc_auc.value);
  });

  it('ROC and calibration curves', () => {
    const roc = rocCurve([0, 0, 1, 1], [0.1, 0.4, 0.35, 0.8]);
    assert.deepEqual(
      roc.map((r) => [r.fpr, r.tpr]),
      [
        [0, 0],
        [0, 0.5],
        [0.5, 0.5],
        [0.5, 1],
        [1, 1],
      ],
    );
    const cal = calibrationCurve([0, 1, 1, 0], [0.05, 0.15, 0.95, 0.91], 10);
    assert.deepEqual(
      cal.map((b) => b.count),
      [1, 1, 2],
    );
    close(cal[2]!.fractionPositive, 0.5);
  });

  it('normal and Student-t quantiles', () => {
    close(normalQuantile(0.975), 1.959963984540054, 1e-8);
    close(studentTQuantile(0.975, 4), 2.776445105, 1e-6);
    close(studentTCdf(0, 7), 0.5, 1e-12);
    close(studentTCdf(2.015048373, 5), 0.95, 1e-6);
  });
});
