import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { ablationContributions, buildOutcomeDataset, OUTCOME_MODEL_REPORT, readOutcomeModelReports, trainOutcomeModels } from '../../src/automl/outcome-models';
import { TabularPredictor } from '../../src/automl/predictor';
import { auroc } from '../../src/automl/metrics';
import { withinFoldAuroc } from '../../src/automl/delong';
import { featuresClinicalStep, importClinicalStep } from '../../src/pipeline-steps';
import { convertStep, generateStep } from '../../src/cohort/steps';
import { loadDashboardInput } from '../../src/dashboard/load';
import { trainModelsStep } from '../../src/pipeline-steps';
import { runPipeline } from '../../src/pipeline';
import { silentProgress } from '../../src/progress';
import type { Workspace } from '../../src/workspace';
import { openWorkspace } from '../../src/workspace';
import { tmpDir } from '../helpers/tmp';
import { plantedRows } from './synthetic';

describe('outcome models (train-test job for the pipeline, notebook 09 and the dashboard)', function () {
  this.timeout(180_000);

  it('ablation contributions: the feature the model relies on moves the probability, noise barely does', async () => {
    const rows = plantedRows(400, 3, 2).map((r) => Object.fromEntries(Object.entries(r).filter(([k]) => k !== 'id')));
    const p = new TabularPredictor({ label: 'outcome', seed: 1, progress: silentProgress });
    await p.fit(rows, { presets: 'fast', excludedModelTypes: ['KNN'] });
    const c = ablationContributions(p, rows.slice(0, 200), ['a', 'n0']);
    const meanAbs = (f: string): number => c.reduce((s, r) => s + Math.abs(r[f] ?? 0), 0) / c.length;
    assert.ok(meanAbs('a') > 0.15, `a: ${String(meanAbs('a'))}`);
    assert.ok(meanAbs('a') > 4 * meanAbs('n0'), `a ${String(meanAbs('a'))} vs n0 ${String(meanAbs('n0'))}`);
  });

  describe('on a generated tiny cohort (real DuckDB, clinical modality)', () => {
    let ws: Workspace;
    before(async () => {
      ws = await openWorkspace({ dir: path.join(tmpDir('outcome-models'), 'ws'), create: true, progress: silentProgress, env: {}, preset: 'tiny', seed: 7 });
      const r = await runPipeline(ws, [generateStep, convertStep, importClinicalStep, featuresClinicalStep]);
      assert.ok(
        r.steps.every((s) => s.status === 'ran'),
        JSON.stringify(r.steps.map((s) => [s.name, s.error])),
      );
    });
    after(async () => {
      await ws.close();
    });

    it('builds a point-in-time training set from the groups that exist', async () => {
      const ds = await buildOutcomeDataset(ws, 'hypertension');
      assert.ok(ds.rowCount > 20);
      assert.ok(
        Object.values(ds.featureSources).every((s) => s.startsWith('clinical-hypertension.')),
        'no genomic/imaging group exists yet',
      );
      assert.ok(ds.rows.every((r) => r.label === 0 || r.label === 1));
    });

    it('saves the best model per outcome with a report whose numbers agree with its own predictions', async () => {
      const { reports, experiment } = await trainOutcomeModels(ws, { outcomes: ['hypertension', 'alzheimers'], folds: 3, fit: { presets: 'fast' } });
      assert.equal(experiment.length, 2, 'only the clinical set exists for each outcome (prognostic, full cohort)');
      assert.deepEqual(
        reports.map((r) => r.outcome),
        ['hypertension', 'alzheimers'],
      );
      for (const r of reports) {
        // Every design is reported side by side; the comparisons that need missing modalities say why.
        assert.deepEqual(
          r.designs?.map((d) => d.design),
          ['prognostic', 'landmark', 'guidance'],
        );
        const designs = r.designs ?? [];
        assert.match(designs.at(0)?.notes.join(' ') ?? '', /all three comparison skipped: no genomic, imaging-features feature group/);
        assert.equal(designs.at(2)?.isPrediction, false);
        assert.ok((designs.at(2)?.patients ?? 0) > 0, 'the guidance cohort is labelled even without other modalities');
        // The tiny cohort is below the minimum support: the saved clinical model says so, with the rule stated.
        assert.equal(r.design, 'prognostic');
        assert.match(r.selection?.rule ?? '', /≥ 100 patients and ≥ 20 cases/);
        assert.ok(
          r.warnings?.some((w) => /below minimum support/.test(w)),
          JSON.stringify(r.warnings),
        );
        const n = r.metrics.patients!;
        assert.equal(r.modalities, 'clinical');
        assert.equal(r.labels.length, n);
        assert.equal(r.probabilities.length, n);
        assert.equal(r.patientIds.length, n);
        assert.equal(new Set(r.patientIds).size, n);
        assert.equal(r.labels.filter((y) => y === 1).length, r.metrics.cases);
        assert.ok(r.probabilities.every((p) => p >= 0 && p <= 1));
        // The reported AUROC is that of the reported out-of-fold predictions within the reported folds (one repeat);
        // the pooled AUROC of the same predictions is reported beside it.
        const folds = r.folds ?? [];
        assert.equal(folds.length, 1);
        const within = withinFoldAuroc(r.labels, [{ score: r.probabilities, fold: folds[0] ?? [] }]).value;
        assert.ok(Math.abs(within - r.metrics.roc_auc!) < 1e-3, `${r.outcome}: ${String(r.metrics.roc_auc)} vs ${String(within)}`);
        assert.ok(Math.abs(auroc(r.labels, r.probabilities) - r.metrics.roc_auc_pooled!) < 1e-3, `${r.outcome}: pooled ${String(r.metrics.roc_auc_pooled)}`);
        assert.ok(r.metrics.roc_auc_lower! <= r.metrics.roc_auc! && r.metrics.roc_auc! <= r.metrics.roc_auc_upper!);
        assert.deepEqual(
          r.risks.map((k) => [k.patientId, k.probability]),
          r.patientIds.map((id, i) => [id, r.probabilities[i]]),
        );
        assert.ok(r.risks.every((k) => k.topFeatures.length <= 3 && k.topFeatures.every((f) => f.contribution !== 0)));
        assert.ok(fs.existsSync(path.join(ws.automl.modelsDir, r.outcome, OUTCOME_MODEL_REPORT)));
        assert.ok(!fs.existsSync(path.join(ws.automl.modelsDir, `${r.outcome}-importance`)), 'the importance model is not left behind');
        const saved = ws.automl.loadPredictor(r.outcome);
        assert.equal(saved.bestModel, r.bestModel);
      }
      assert.deepEqual(
        readOutcomeModelReports(ws.automl.modelsDir)
          .map((r) => r.outcome)
          .sort(),
        ['alzheimers', 'hypertension'],
      );
      // A foreign file beside a model is not a report.
      fs.mkdirSync(path.join(ws.automl.modelsDir, 'junk'), { recursive: true });
      fs.writeFileSync(path.join(ws.automl.modelsDir, 'junk', OUTCOME_MODEL_REPORT), '{"version":99}');
      assert.equal(readOutcomeModelReports(ws.automl.modelsDir).length, 2);
    });

    it('the dashboard draws the saved reports: models sheet and per-patient risks', async () => {
      const input = await loadDashboardInput(ws, { asOf: '2026-01-01' });
      assert.deepEqual(input.models.map((m) => m.outcome).sort(), ['alzheimers', 'hypertension']);
      const ids = new Set(input.patients.map((p) => p.id));
      assert.ok(input.risks.length > 0 && input.risks.every((r) => ids.has(r.patientId)), 'risks join the FHIR patients by id');
    });

    it('the train-models step re-runs only when a feature step changed', async () => {
      const step = trainModelsStep([featuresClinicalStep]);
      const first = await runPipeline(ws, [step]);
      assert.equal(first.steps[0]?.status, 'ran', first.steps[0]?.error);
      assert.ok(first.steps[0].outputs.every((o) => o.endsWith(OUTCOME_MODEL_REPORT) && fs.existsSync(o)));
      assert.equal((await runPipeline(ws, [step])).steps[0]?.status, 'skipped');
    });
  });
});
