import assert from 'node:assert/strict';
import * as path from 'node:path';
import { featuresClinicalStep, importClinicalStep } from '../../src/pipeline-steps';
import { runPipeline } from '../../src/pipeline';
import { silentProgress } from '../../src/progress';
import { openWorkspace } from '../../src/workspace';
import type { Workspace } from '../../src/workspace';
import { MAX, REBA, tmpDir, writeBundleNdjson } from './fixtures/helpers';

describe('ws.clinical and the clinical pipeline steps', () => {
  let ws: Workspace;
  let data: string;

  before(async () => {
    const root = tmpDir('mmh-ws-clin-');
    data = path.join(root, 'dataset');
    ws = await openWorkspace({ dir: path.join(root, 'ws'), dataDir: data, create: true, progress: silentProgress });
  });

  after(async () => {
    await ws.close();
  });

  it('import-clinical is skipped with a note when <dataDir>/clinical is absent', async () => {
    const r = await importClinicalStep.run(ws);
    assert.deepEqual(r.counts, { skipped: 1 });
  });

  it('imports <dataDir>/clinical once, then is current; labels and features work through the handle', async () => {
    writeBundleNdjson(path.join(data, 'clinical'));
    const first = await runPipeline(ws, [importClinicalStep]);
    assert.equal(first.steps[0]?.status, 'ran', first.steps[0]?.error);
    assert.equal(first.steps[0].counts.rejected, 0);
    assert.equal(first.steps[0].counts.imported, first.steps[0].counts.scanned);
    const second = await runPipeline(ws, [importClinicalStep]);
    assert.equal(second.steps[0]?.status, 'skipped');
    const again = await ws.clinical.importFolder(path.join(data, 'clinical'), { validationLevel: 'minimal' });
    assert.match(again.Message ?? '', /created 0, updated 0/);
    const rows = await ws.sql.query<{ id: string }>('SELECT id FROM patient ORDER BY id');
    assert.equal(rows.length, 3);
    const { labels, features } = await ws.clinical.cohort({ outcome: 'stroke' });
    assert.equal(labels.rows.find((l) => l.patientId === REBA)?.label, 1);
    assert.equal(features.find((f) => f.patient_id === MAX)?.sex_male, 1);
    for (const design of ['prognostic', 'guidance'] as const) {
      const full = await ws.clinical.cohort({ outcome: 'stroke', design });
      assert.deepEqual(await ws.clinical.cohortLabels({ outcome: 'stroke', design }), full.labels, `${design}: the labels alone are the cohort's labels`);
    }
  });

  it('features-clinical writes one feature group per outcome', async () => {
    const r = await featuresClinicalStep.run(ws);
    assert.equal(r.counts.stroke_cases, 1);
    assert.deepEqual(r.outputs, ['clinical-hypertension', 'clinical-stroke', 'clinical-chd', 'clinical-alzheimers']);
    const g = await ws.features.describeFeatureGroup('clinical-stroke');
    assert.equal(g.recordIdentifierFeatureName, 'patient_id');
    assert.ok(g.featureDefinitions.some((d) => d.name === 'systolic_bp_mean' && d.type === 'Fractional'));
  });
});
