import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { auroc } from '../../src/automl/metrics';
import { oracleAtSize, oracleExceedance, oracleFor, readOracles } from '../../src/automl/outcome-models';
import { createRng } from '../../src/automl/rng';
import { tmpDir } from '../helpers/tmp';

describe('oracles in the outcome report', () => {
  it('flags an AUROC above its oracle: beyond the sampling interval at its size (point) or with its whole interval (a bug)', () => {
    const oracle = { auroc: 0.6, lower: 0.59, upper: 0.61 };
    // Without a sample size the Monte Carlo interval is all there is.
    assert.equal(oracleExceedance({ auroc: 0.6, lower: 0.5 }, oracle), undefined);
    assert.equal(oracleExceedance({ auroc: 0.61, lower: 0.5 }, oracle), undefined);
    assert.equal(oracleExceedance({ auroc: 0.69, lower: 0.49 }, oracle), 'point');
    assert.equal(oracleExceedance({ auroc: 0.7, lower: 0.62 }, oracle), 'interval');
    assert.equal(oracleExceedance({ auroc: null, lower: null }, oracle), undefined);
    assert.equal(oracleExceedance({ auroc: 0.9, lower: 0.8 }, undefined), undefined);
    // Last session's landmark Alzheimer's genomic set: 0.657 on 143 patients with 13 cases, oracle 0.600 [0.583, 0.617].
    const landmark = oracleAtSize({ auroc: 0.6, lower: 0.583, upper: 0.617 }, 13, 130);
    assert.ok(landmark.sampleUpper! > 0.74 && landmark.sampleUpper! < 0.8 && landmark.sampleLower! < 0.46, JSON.stringify(landmark));
    assert.equal(oracleExceedance({ auroc: 0.657, lower: 0.49 }, landmark), undefined, 'inside the sampling interval of 13 cases: noise, not a bug');
    assert.equal(oracleExceedance({ auroc: 0.82, lower: 0.6 }, landmark), 'point', 'beyond what even the Bayes-optimal score shows on 13 cases');
    assert.equal(oracleExceedance({ auroc: 0.82, lower: 0.65 }, landmark), 'interval');
    // On 100,000 patients the sampling interval shrinks to the Monte Carlo one.
    const large = oracleAtSize(oracle, 20000, 80000);
    assert.ok(large.sampleUpper! - 0.61 < 0.005, JSON.stringify(large));
    assert.deepEqual(oracleAtSize(oracle, 0, 10), oracle);
  });

  it("the sampling interval holds the oracle score's AUROC on samples of that size about 95% of the time", () => {
    // A binormal score with population AUROC 0.6 (separation 0.358), 13 cases and 130 controls per sample.
    const rng = createRng(21);
    const oracle = { auroc: 0.6, lower: 0.6, upper: 0.6 };
    const at = oracleAtSize(oracle, 13, 130);
    let inside = 0;
    const sims = 1000;
    for (let s = 0; s < sims; s++) {
      const y = [...Array.from({ length: 13 }, () => 1), ...Array.from({ length: 130 }, () => 0)];
      const a = auroc(
        y,
        y.map((v) => 0.358 * v + rng.normal()),
      );
      inside += a >= at.sampleLower! && a <= at.sampleUpper! ? 1 : 0;
    }
    assert.ok(inside / sims > 0.92 && inside / sims < 0.98, `coverage ${String(inside / sims)}`);
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
