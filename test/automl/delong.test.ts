import assert from 'node:assert/strict';
import { stratifiedFolds } from '../../src/automl/cv';
import { hanleyMcNeilSe, pairedDelong, pairedWithinFoldDelong, withinFoldAuroc } from '../../src/automl/delong';
import { auroc, delongAuroc } from '../../src/automl/metrics';
import { createRng } from '../../src/automl/rng';

/** DeLong's components straight from the definition (ψ over every case–control pair), independent of the midrank code. */
function bruteForce(y: number[], a: number[], b: number[]): { diff: number; se: number } {
  const pos = y.flatMap((v, i) => (v === 1 ? [i] : []));
  const neg = y.flatMap((v, i) => (v === 0 ? [i] : []));
  const psi = (x: number, z: number): number => (x > z ? 1 : x === z ? 0.5 : 0);
  const comp = (s: number[]): { v10: number[]; v01: number[]; auc: number } => {
    const v10 = pos.map((i) => neg.reduce((t, j) => t + psi(s[i]!, s[j]!), 0) / neg.length);
    const v01 = neg.map((j) => pos.reduce((t, i) => t + psi(s[i]!, s[j]!), 0) / pos.length);
    return { v10, v01, auc: v10.reduce((t, v) => t + v, 0) / pos.length };
  };
  const cov = (u: number[], v: number[]): number => {
    const mu = u.reduce((t, x) => t + x, 0) / u.length;
    const mv = v.reduce((t, x) => t + x, 0) / v.length;
    return u.reduce((t, x, k) => t + (x - mu) * (v[k]! - mv), 0) / (u.length - 1);
  };
  const A = comp(a);
  const B = comp(b);
  const variance = (cov(A.v10, A.v10) + cov(B.v10, B.v10) - 2 * cov(A.v10, B.v10)) / pos.length + (cov(A.v01, A.v01) + cov(B.v01, B.v01) - 2 * cov(A.v01, B.v01)) / neg.length;
  return { diff: A.auc - B.auc, se: Math.sqrt(variance) };
}

describe('paired DeLong test for two correlated ROC curves', () => {
  const rng = createRng(5);
  const n = 120;
  const y = Array.from({ length: n }, (_, i) => (i % 3 === 0 ? 1 : 0));
  const signal = y.map((v) => 2 * v + rng.normal());
  // A sees the signal; B sees it through more noise, with ties (rounded to quarters).
  const a = signal;
  const b = signal.map((s) => Math.round((s + 2 * rng.normal()) * 4) / 4);

  it('matches the definition (pairwise ψ components), ties included', () => {
    const d = pairedDelong(y, a, b);
    const ref = bruteForce(y, a, b);
    assert.ok(Math.abs(d.difference - ref.diff) < 1e-12);
    assert.ok(Math.abs(d.se - ref.se) < 1e-12, `${String(d.se)} vs ${String(ref.se)}`);
    assert.ok(Math.abs(d.upper - d.lower - 2 * 1.959964 * d.se) < 1e-5);
    assert.ok(d.difference > 0 && d.lower > 0 && d.pValue < 0.05, JSON.stringify(d));
  });

  it('is paired: far narrower than two independent intervals for correlated scores; equal scores give 0 with p = 1', () => {
    const close = a.map((v, i) => v + 0.05 * Math.sin(i));
    const d = pairedDelong(y, a, close);
    const sa = delongAuroc(y, a).se;
    const sb = delongAuroc(y, close).se;
    assert.ok(d.se < 0.25 * Math.sqrt(sa * sa + sb * sb), `paired se ${String(d.se)}`);
    const same = pairedDelong(y, a, a);
    assert.equal(same.difference, 0);
    assert.equal(same.se, 0);
    assert.equal(same.pValue, 1);
  });

  it('against a constant score its standard error is the single-curve DeLong error', () => {
    const d = pairedDelong(
      y,
      a,
      y.map(() => 0.5),
    );
    assert.ok(Math.abs(d.se - delongAuroc(y, a).se) < 1e-12);
    assert.ok(Math.abs(d.aurocB - 0.5) < 1e-12);
  });

  it('refuses scores on other rows or a class under two rows', () => {
    assert.throws(() => pairedDelong([1, 0, 1], [0.1, 0.2], [0.1, 0.2, 0.3]), /same rows/);
    assert.throws(() => pairedDelong([1, 0, 0], [0.1, 0.2, 0.3], [0.1, 0.2, 0.3]), /≥ 2 positives/);
  });
});

describe('cross-validated AUROC estimated within folds', () => {
  const psi = (x: number, z: number): number => (x > z ? 1 : x === z ? 0.5 : 0);
  /** The definition: per repeat, concordant case–control pairs of the same fold over all such pairs; mean over repeats. */
  function bruteWithinFold(y: number[], repeats: { score: number[]; fold: number[] }[]): number {
    return (
      repeats.reduce((t, r) => {
        let c = 0;
        let pairs = 0;
        y.forEach((yi, i) => {
          y.forEach((yj, j) => {
            if (yi === 1 && yj === 0 && r.fold[i] === r.fold[j] && (r.fold[i] as number) >= 0) {
              c += psi(r.score[i] as number, r.score[j] as number);
              pairs++;
            }
          });
        });
        return t + c / pairs;
      }, 0) / repeats.length
    );
  }
  const rng = createRng(11);
  const n = 90;
  const y = Array.from({ length: n }, (_, i) => (i % 3 === 0 ? 1 : 0));
  const a = y.map((v) => v + rng.normal());
  const b = a.map((s) => Math.round((s + rng.normal()) * 2) / 2);

  it('with one fold is DeLong exactly (single curve and paired)', () => {
    const one = y.map(() => 0);
    const w = withinFoldAuroc(y, [{ score: a, fold: one }]);
    const d = delongAuroc(y, a);
    assert.ok(Math.abs(w.value - d.value) < 1e-12 && Math.abs(w.se - d.se) < 1e-12);
    const p = pairedWithinFoldDelong(y, [{ score: a, fold: one }], [{ score: b, fold: one }]);
    const q = pairedDelong(y, a, b);
    assert.ok(Math.abs(p.difference - q.difference) < 1e-12 && Math.abs(p.se - q.se) < 1e-12);
  });

  it('counts only pairs held out in the same fold, averaged over repeats (ties ½, rows left out of a repeat skipped)', () => {
    const f1 = stratifiedFolds(y, 5, 1);
    const f2 = Array.from(stratifiedFolds(y, 4, 2), (f, i) => (i === 7 ? -1 : f));
    const reps = [
      { score: a, fold: Array.from(f1) },
      { score: b, fold: f2 },
    ];
    const w = withinFoldAuroc(y, reps);
    assert.ok(Math.abs(w.value - bruteWithinFold(y, reps)) < 1e-12, String(w.value));
    assert.ok(w.lower < w.value && w.value < w.upper);
  });

  it('is not biased low on a weak three-level signal where pooling the folds is (the APOE ε4 case)', () => {
    // A learner that scores each genotype by its training folds' case rate: its AUROC is the genotype's own (0.57).
    const r = createRng(3);
    const draw = (): [number, number] => {
      const g = (r.next() < 0.14 ? 1 : 0) + (r.next() < 0.14 ? 1 : 0);
      return [g, r.next() < 1 / (1 + Math.exp(1.6 - 0.6 * g)) ? 1 : 0];
    };
    const big = Array.from({ length: 100000 }, draw);
    const truth = auroc(
      big.map((d) => d[1]),
      big.map((d) => d[0]),
    );
    let pooled = 0;
    let within = 0;
    const sims = 80;
    for (let s = 0; s < sims; s++) {
      const data = Array.from({ length: 600 }, draw);
      const yy = data.map((d) => d[1]);
      const fold = stratifiedFolds(yy, 5, s);
      const score = new Float64Array(data.length);
      for (let f = 0; f < 5; f++) {
        const cases = [0, 0, 0];
        const total = [0, 0, 0];
        data.forEach(([g, v], i) => {
          if (fold[i] !== f) {
            total[g] = (total[g] as number) + 1;
            cases[g] = (cases[g] as number) + v;
          }
        });
        data.forEach(([g], i) => {
          if (fold[i] === f) {
            score[i] = ((cases[g] as number) + 0.5) / ((total[g] as number) + 1);
          }
        });
      }
      pooled += auroc(yy, score) / sims;
      within += withinFoldAuroc(yy, [{ score, fold }]).value / sims;
    }
    assert.ok(Math.abs(within - truth) < 0.01, `within-fold ${within.toFixed(4)} vs the genotype's AUROC ${truth.toFixed(4)}`);
    assert.ok(within - pooled > 0.015, `pooled ${pooled.toFixed(4)} is not below within-fold ${within.toFixed(4)}`);
  });

  it('covers 0.5 about 95% of the time for scores unrelated to the label', () => {
    const r = createRng(8);
    let covered = 0;
    const sims = 200;
    for (let s = 0; s < sims; s++) {
      const yy = Array.from({ length: 150 }, () => (r.next() < 0.2 ? 1 : 0));
      const fold = stratifiedFolds(yy, 5, s);
      const w = withinFoldAuroc(yy, [{ score: yy.map(() => r.normal()), fold }]);
      covered += w.lower <= 0.5 && 0.5 <= w.upper ? 1 : 0;
    }
    assert.ok(covered / sims >= 0.9 && covered / sims <= 0.99, `coverage ${String(covered / sims)}`);
  });

  it('refuses different folds for a paired comparison, and lengths that disagree', () => {
    const f1 = Array.from(stratifiedFolds(y, 5, 1));
    const f2 = Array.from(stratifiedFolds(y, 5, 2));
    assert.throws(() => pairedWithinFoldDelong(y, [{ score: a, fold: f1 }], [{ score: b, fold: f2 }]), /different folds/);
    assert.throws(() => withinFoldAuroc(y, [{ score: a.slice(1), fold: f1 }]), /one of each per row/);
    assert.throws(() => withinFoldAuroc(y, []), /no repeat/);
  });
});

describe('Hanley–McNeil standard error of an AUROC at a sample size', () => {
  it('matches the spread of AUROCs of a binormal score on samples of that size', () => {
    const r = createRng(4);
    const m = 15;
    const n = 150;
    const aucs: number[] = [];
    for (let s = 0; s < 1500; s++) {
      const yy = [...Array.from({ length: m }, () => 1), ...Array.from({ length: n }, () => 0)];
      aucs.push(
        auroc(
          yy,
          yy.map((v) => 0.5 * v + r.normal()),
        ),
      );
    }
    const mean = aucs.reduce((t, v) => t + v, 0) / aucs.length;
    const sd = Math.sqrt(aucs.reduce((t, v) => t + (v - mean) ** 2, 0) / (aucs.length - 1));
    const se = hanleyMcNeilSe(mean, m, n);
    assert.ok(Math.abs(se - sd) / sd < 0.15, `Hanley–McNeil ${se.toFixed(4)} vs simulated ${sd.toFixed(4)}`);
    assert.ok(Number.isNaN(hanleyMcNeilSe(0.7, 0, 10)));
  });
});
