import assert from 'node:assert/strict';
import type { LinearModel } from '../../../src/automl/models/linear';
import { LINEAR_PENALTY_GRID, fitLinear, fitLinearPath } from '../../../src/automl/models/linear';
import { fitPreprocessor } from '../../../src/automl/preprocess';
import { createRng } from '../../../src/automl/rng';
import type { Matrix } from '../../../src/automl/types';
import { genotypeRows } from '../synthetic';

/** A genotype panel (sparse signal, rare alleles) beside correlated clinical-like columns: the shapes the path meets. */
function realShaped(n: number, seed: number): { x: Matrix; y: Int32Array } {
  const rng = createRng(seed);
  const rows: Record<string, unknown>[] = genotypeRows(n, 30, seed).map((r) => {
    const bp = rng.normal();
    // Correlated measurements (two readings of one quantity), a binary flag, a one-hot-like pair.
    const flag = rng.next() < 0.2 ? 1 : 0;
    return { ...r, bp, bp2: bp + 0.1 * rng.normal(), bmi: 0.5 * bp + rng.normal(), flag, notFlag: 1 - flag + (rng.next() < 0.05 ? 1 : 0) };
  });
  const { matrix } = fitPreprocessor(rows, { exclude: ['label'] });
  return { x: matrix, y: Int32Array.from(rows, (r) => Number(r.label)) };
}

function maxProbaDiff(a: LinearModel, b: LinearModel, x: Matrix): number {
  const pa = a.predictProba(x);
  const pb = b.predictProba(x);
  return pa.reduce((m, v, q) => Math.max(m, Math.abs(v - (pb[q] as number))), 0);
}

describe('logistic regression by Newton steps', () => {
  const { x, y } = realShaped(300, 4);

  it('reaches the optimum FISTA converges to, for every penalty of the grid', function () {
    this.timeout(60_000);
    const newton = fitLinearPath(x, y, { nClasses: 2, seed: 1 }, LINEAR_PENALTY_GRID);
    const reference = fitLinearPath(
      x,
      y,
      { nClasses: 2, seed: 1 },
      LINEAR_PENALTY_GRID.map((g) => ({ ...g, solver: 'fista' as const, maxIter: 30_000, tol: 1e-12 })),
    );
    LINEAR_PENALTY_GRID.forEach((g, i) => {
      const d = maxProbaDiff(newton[i]!, reference[i]!, x);
      assert.ok(d < 1e-6, `${JSON.stringify(g)}: predictions differ by ${d}`);
      // The lasso keeps the same coefficients at exactly zero.
      const zeros = (m: LinearModel): string => Array.from(m.coef, (c, j) => (j > 0 && Math.abs(c) < 1e-9 ? 'z' : '.')).join('');
      if (g.l1Fraction > 0) {
        assert.equal(zeros(newton[i]!), zeros(reference[i]!), JSON.stringify(g));
      }
    });
  });

  it('the FISTA of the default settings (300 iterations) stops short of that optimum on the weak penalties', () => {
    const newton = fitLinear(x, y, { nClasses: 2, seed: 1 }, { l2: 0.001, l1Fraction: 0.05 });
    const capped = fitLinear(x, y, { nClasses: 2, seed: 1 }, { l2: 0.001, l1Fraction: 0.05, solver: 'fista' });
    assert.ok(maxProbaDiff(newton, capped, x) > 1e-6, 'the capped first-order answer is the optimum already: this test would not tell the solvers apart');
  });

  it('a warm-started path gives what independent fits give', () => {
    const path = fitLinearPath(x, y, { nClasses: 2, seed: 1 }, LINEAR_PENALTY_GRID);
    LINEAR_PENALTY_GRID.forEach((g, i) => {
      const alone = fitLinear(x, y, { nClasses: 2, seed: 1 }, g);
      assert.ok(maxProbaDiff(path[i]!, alone, x) < 1e-7, JSON.stringify(g));
    });
  });

  it('stays finite on separable data with a light ridge', () => {
    const n = 200;
    const data = Float64Array.from({ length: n * 2 }, (_, q) => (q % 2 === 0 ? Math.floor(q / 2) - n / 2 : (q * 7919) % 13));
    const ys = Int32Array.from({ length: n }, (_, i) => (i >= n / 2 ? 1 : 0));
    const m = fitLinear({ n, p: 2, data }, ys, { nClasses: 2, seed: 1 }, { l2: 1e-4 });
    assert.ok(Array.from(m.coef).every(Number.isFinite));
    const p = m.predictProba({ n, p: 2, data });
    assert.ok(p[1]! < 0.05 && p[(n - 1) * 2 + 1]! > 0.95);
  });
});
