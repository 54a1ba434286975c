import assert from 'node:assert/strict';
import { pairedDelong } from '../../src/automl/delong';
import { delongAuroc } from '../../src/automl/metrics';
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
