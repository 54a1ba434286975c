import assert from 'node:assert/strict';
import * as path from 'node:path';
import { oracleAtSize, oracleFor, readOracles, trainOutcomeModels } from '../../src/automl/outcome-models';
import { featuresClinicalStep, importClinicalStep } from '../../src/pipeline-steps';
import { generateCohort } from '../../src/cohort/generate';
import { coherentDir, convertStep } from '../../src/cohort/steps';
import { featuresGenomicStep, importGenomicStep } from '../../src/pipeline-steps';
import { runPipeline } from '../../src/pipeline';
import { silentProgress } from '../../src/progress';
import type { Workspace } from '../../src/workspace';
import { openWorkspace } from '../../src/workspace';
import { tmpDir } from '../helpers/tmp';

/**
 * "A result that beats its oracle is a bug until explained": on a large generated cohort (1,000 patients; no MRIs, to
 * keep the test to minutes — the imaging sets are bounded the same way by the same code), train the prognostic
 * design and check that no cross-validated AUROC lies above the oracle of exactly its patients beyond its own
 * interval (the model's lower bound must not exceed the oracle's upper bound).
 */
describe('trained AUROCs stay within their oracles (large simulated cohort)', function () {
  this.timeout(1_800_000);
  let ws: Workspace;

  before(async () => {
    ws = await openWorkspace({ dir: path.join(tmpDir('oracle-bound'), 'ws'), create: true, progress: silentProgress, env: {}, seed: 42 });
    await generateCohort({ out: coherentDir(ws), patients: 1000, seed: 42, mri: false, oracleMcPatients: 20_000 });
    const r = await runPipeline(ws, [convertStep, importClinicalStep, featuresClinicalStep, importGenomicStep, featuresGenomicStep]);
    assert.ok(
      r.steps.every((s) => s.status === 'ran'),
      JSON.stringify(r.steps.map((s) => [s.name, s.status, s.error])),
    );
  });

  after(async () => {
    await ws.close();
  });

  it('no prognostic AUROC (clinical on everyone; genomic and clinical+genomic on the genome holders) exceeds its oracle beyond its CI', async () => {
    const tables = readOracles(ws);
    assert.deepEqual(Object.keys(tables).sort(), ['alzheimers', 'chd', 'hypertension', 'stroke'], 'the generator writes oracles for every outcome');
    const { reports } = await trainOutcomeModels(ws, { designs: ['prognostic'], folds: 3, fit: { presets: 'fast' } });
    assert.equal(reports.length, 4);
    let checked = 0;
    for (const r of reports) {
      const d = r.designs?.find((x) => x.design === 'prognostic');
      assert.ok(d !== undefined);
      const rows = [
        ...(d.fullCohort === null ? [] : [{ what: 'clinical, full cohort', lower: d.fullCohort.aurocLower ?? null, auroc: d.fullCohort.auroc, oracle: d.fullCohortOracle }]),
        ...d.comparisons.flatMap((c) => c.sets.map((s) => ({ what: `${s.set} on the ${c.largest} patients`, lower: s.lower, auroc: s.auroc, oracle: s.oracle }))),
      ];
      for (const row of rows) {
        if (row.auroc === null || row.lower === null || row.oracle === undefined) {
          continue;
        }
        checked++;
        assert.ok(
          row.lower <= row.oracle.upper,
          `${r.outcome}: ${row.what} AUROC ${String(row.auroc)} (lower ${String(row.lower)}) beats its oracle ${String(row.oracle.auroc)} [${String(row.oracle.lower)}, ${String(row.oracle.upper)}]`,
        );
      }
      // The oracle lookup is the one the report uses, at the full cohort's size (its sampling interval).
      const fullMc = oracleFor(tables[r.outcome], 'prognostic', 'full cohort', 'clinical');
      assert.ok(fullMc !== undefined && d.fullCohort !== null);
      assert.deepEqual(d.fullCohortOracle, oracleAtSize(fullMc, d.fullCohort.cases, d.fullCohort.patients - d.fullCohort.cases));
      for (const c of d.comparisons) {
        for (const s of c.sets) {
          assert.notEqual(s.exceedsOracle, 'interval', `${r.outcome}: ${s.set} on the ${c.largest} patients is flagged beyond its oracle`);
        }
      }
      // Same population: the oracle's Monte Carlo prevalence matches the pipeline's cohort within sampling error.
      const mc = d.fullCohortOracle;
      assert.ok(mc.patients !== undefined && mc.cases !== undefined, 'the full-cohort oracle carries its Monte Carlo population');
      const share = d.cases / d.patients;
      const mcShare = mc.cases / mc.patients;
      const se = Math.sqrt((mcShare * (1 - mcShare)) / d.patients);
      assert.ok(Math.abs(share - mcShare) <= 4 * se + 0.01, `${r.outcome}: pipeline prevalence ${share.toFixed(3)} vs oracle population ${mcShare.toFixed(3)}`);
    }
    // Per outcome: clinical on everyone, genomic and clinical+genomic on the genome holders.
    assert.ok(checked >= 12, `only ${String(checked)} AUROCs had an oracle to check`);
  });
});
