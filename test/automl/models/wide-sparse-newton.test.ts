import assert from 'node:assert/strict';
import { LINEAR_PENALTY_GRID, fitLinearPath } from '../../../src/automl/models/linear';
import { newtonProblem, solveNewton, sparseHessian, sparseRows } from '../../../src/automl/models/logistic-newton';
import { fitStandardizer, standardize } from '../../../src/automl/models/model';
import { expandCoefficients, rowSpace } from '../../../src/automl/models/row-space';
import { fitPreprocessor } from '../../../src/automl/preprocess';
import { createRng } from '../../../src/automl/rng';
import type { Matrix } from '../../../src/automl/types';
import { genotypeRows } from '../synthetic';

/** Standardised genotype-panel rows (sparse around each column's minimum) with a few dense columns. */
function panel(n: number, variants: number, seed: number): { x: Matrix; y: Int32Array } {
  const rng = createRng(seed);
  const rows: Record<string, unknown>[] = genotypeRows(n, variants, seed).map((r) => ({ ...r, bp: rng.normal(), bmi: rng.normal() }));
  const { matrix } = fitPreprocessor(rows, { exclude: ['label'] });
  return { x: standardize(fitStandardizer(matrix), matrix), y: Int32Array.from(rows, (r) => Number(r.label)) };
}

describe('logistic Newton on sparse and wide tables', () => {
  it('the base + offsets Hessian equals the plain sums XᵀWX', () => {
    const { x } = panel(150, 40, 3);
    const sp = sparseRows(x.data, x.n, x.p);
    assert.ok(sp !== undefined, 'a genotype panel should take the sparse form');
    const rng = createRng(9);
    const wt = Float64Array.from({ length: x.n }, () => rng.next());
    const h = sparseHessian(sp, x.n, x.p, wt);
    const P = x.p + 1;
    const at = (i: number, j: number): number => (j === 0 ? 1 : (x.data[i * x.p + j - 1] as number));
    let worst = 0;
    for (let a = 0; a < P; a++) {
      for (let b = 0; b < P; b++) {
        let s = 0;
        for (let i = 0; i < x.n; i++) {
          s += (wt[i] as number) * at(i, a) * at(i, b);
        }
        worst = Math.max(worst, Math.abs(s - (h[a * P + b] as number)));
      }
    }
    assert.ok(worst < 1e-10, `largest difference ${worst}`);
  });

  it('dense columns keep the dense form', () => {
    const rng = createRng(1);
    const n = 50;
    const p = 6;
    assert.equal(
      sparseRows(
        Float64Array.from({ length: n * p }, () => rng.normal()),
        n,
        p,
      ),
      undefined,
    );
  });

  it('solves to the same coefficients with the sparse form as with the dense one', () => {
    const { x, y } = panel(200, 40, 5);
    const sparse = newtonProblem(x.data, x.n, x.p, y);
    assert.ok(sparse.sparse !== undefined);
    const dense = { ...sparse, sparse: undefined };
    for (const [l1, l2] of [
      [0, 1],
      [0, 0.01],
      [0.01, 0.001],
    ] as const) {
      const a = solveNewton(sparse, l1, l2, undefined);
      const b = solveNewton({ ...dense, hess: undefined, factor: undefined }, l1, l2, undefined);
      const d = a.reduce((m, v, j) => Math.max(m, Math.abs(v - (b[j] as number))), 0);
      assert.ok(d < 1e-8, `l1 ${l1} l2 ${l2}: coefficients differ by ${d}`);
    }
  });

  it('the row space of a wide table is orthonormal and rebuilds every row', () => {
    const { x } = panel(40, 60, 7);
    const s = rowSpace(x.data, x.n, x.p);
    assert.ok(s.r < x.n, 'standardised columns make the rows dependent: the rank is below n');
    for (let a = 0; a < s.r; a++) {
      for (let b = 0; b < s.r; b++) {
        let d = 0;
        for (let j = 0; j < x.p; j++) {
          d += (s.q[a * x.p + j] as number) * (s.q[b * x.p + j] as number);
        }
        assert.ok(Math.abs(d - (a === b ? 1 : 0)) < 1e-10, `q${a}·q${b} = ${d}`);
      }
    }
    for (let i = 0; i < x.n; i++) {
      const gamma = new Float64Array(s.r + 1);
      gamma.set(s.z.subarray(i * s.r, (i + 1) * s.r), 1);
      const row = expandCoefficients(s, gamma);
      for (let j = 0; j < x.p; j++) {
        assert.ok(Math.abs((row[j + 1] as number) - (x.data[i * x.p + j] as number)) < 1e-9, `row ${i} column ${j}`);
      }
    }
  });

  it('a wide table (more columns than rows) reaches the optimum FISTA converges to, for every penalty of the grid', function () {
    this.timeout(120_000);
    const { x, y } = panel(60, 90, 11);
    assert.ok(x.p > x.n);
    const newton = fitLinearPath(x, y, { nClasses: 2, seed: 1 }, LINEAR_PENALTY_GRID);
    const reference = fitLinearPath(
      x,
      y,
      { nClasses: 2, seed: 1 },
      LINEAR_PENALTY_GRID.map((g) => ({ ...g, solver: 'fista' as const, maxIter: 100_000, tol: 1e-13 })),
    );
    LINEAR_PENALTY_GRID.forEach((g, i) => {
      const pa = newton[i]!.predictProba(x);
      const pb = reference[i]!.predictProba(x);
      const d = pa.reduce((m, v, q) => Math.max(m, Math.abs(v - (pb[q] as number))), 0);
      assert.ok(d < 1e-6, `${JSON.stringify(g)}: predictions differ by ${d}`);
    });
  });
});
