import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { oracleExceedance, oracleFor, readOracles } from '../../src/automl/outcome-models';
import { tmpDir } from '../helpers/tmp';

describe('oracles in the outcome report', () => {
  it('flags an AUROC above its oracle: a point estimate (sampling noise) apart from a whole interval (a bug)', () => {
    const oracle = { auroc: 0.6, lower: 0.59, upper: 0.61 };
    assert.equal(oracleExceedance({ auroc: 0.6, lower: 0.5 }, oracle), undefined);
    assert.equal(oracleExceedance({ auroc: 0.61, lower: 0.5 }, oracle), undefined);
    assert.equal(oracleExceedance({ auroc: 0.69, lower: 0.49 }, oracle), 'point');
    assert.equal(oracleExceedance({ auroc: 0.7, lower: 0.62 }, oracle), 'interval');
    assert.equal(oracleExceedance({ auroc: null, lower: null }, oracle), undefined);
    assert.equal(oracleExceedance({ auroc: 0.9, lower: 0.8 }, undefined), undefined);
  });

  it('reads each oracle with the Monte Carlo population it was computed on', () => {
    const root = tmpDir('oracle-report');
    const ws = { path: (...parts: string[]): string => path.join(root, ...parts) };
    const file = path.join(root, 'coherent', 'ground-truth.json');
    fs.mkdirSync(path.dirname(file), { recursive: true });
    const est = (auroc: number): { auroc: number; lower: number; upper: number } => ({ auroc, lower: auroc - 0.01, upper: auroc + 0.01 });
    fs.writeFileSync(
      file,
      JSON.stringify({
        summary: {
          outcomes: {
            stroke: {
              oracles: { landmark: { clinical: est(0.78), 'all three': est(0.8) } },
              oraclePopulations: { landmark: { patients: 11339, cases: 401 } },
              ownPopulationOracles: { landmark: { clinical: { ...est(0.79), patients: 17780, cases: 487 }, 'clinical+imaging': { ...est(0.81), patients: 17780, cases: 487 } } },
            },
          },
        },
      }),
    );
    const tables = readOracles(ws as never).stroke;
    assert.deepEqual(oracleFor(tables, 'landmark', 'all three', 'clinical'), { ...est(0.78), patients: 11339, cases: 401 });
    assert.deepEqual(oracleFor(tables, 'landmark', 'clinical+imaging', 'clinical+imaging'), { ...est(0.81), patients: 17780, cases: 487 });
    assert.deepEqual(oracleFor(tables, 'landmark', 'full cohort', 'clinical'), { ...est(0.79), patients: 17780, cases: 487 });
    assert.equal(oracleFor(tables, 'landmark', 'clinical+imaging', 'clinical'), undefined, 'no oracle was computed for clinical-only on the MRI patients');
  });
});
