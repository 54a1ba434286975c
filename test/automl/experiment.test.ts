import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { bestModalityResult, experimentFolds, fitBestModel, modalitySets, modalityTable, runModalityExperiment } from '../../src/automl/experiment';
import type { ExperimentDataset, ModalityExperimentResult } from '../../src/automl/experiment';
import { silentProgress } from '../../src/progress';
import { openWorkspace } from '../../src/workspace';

/** 60 patients: `sig` (clinical) separates the classes, `noise` (genomic) does not; every 4th has no genomic record. */
function dataset(cases: number): ExperimentDataset {
  const rows = Array.from({ length: 60 }, (_, i) => {
    const label = i < cases ? 1 : 0;
    return {
      patient_id: `p${String(i)}`,
      index_date: '2020-01-01',
      label,
      sig: label * 2 + ((i * 37) % 11) / 10,
      'clinical-x.label': label,
      noise: i % 4 === 3 ? null : (i * 17) % 5,
    };
  });
  return { rows, featureSources: { sig: 'clinical-x.sig', 'clinical-x.label': 'clinical-x.label', noise: 'genomic.noise' } };
}

describe('automl modality experiment', () => {
  it('reduces folds to the smaller class and skips classes under two rows', () => {
    assert.equal(experimentFolds(20, 40, 5), 5);
    assert.equal(experimentFolds(3, 40, 5), 3);
    assert.equal(experimentFolds(1, 40, 5), 0);
    assert.equal(experimentFolds(0, 40, 5), 0);
  });

  it('keeps the set’s columns without the group’s label copy, and only patients with every group', () => {
    const one = modalityTable(dataset(20), ['clinical-x'], 'label');
    assert.deepEqual(one.features, ['sig']);
    assert.equal(one.rows.length, 60);
    assert.deepEqual(Object.keys(one.rows[0] ?? {}).sort(), ['label', 'sig']);
    const both = modalityTable(dataset(20), ['clinical-x', 'genomic'], 'label');
    assert.deepEqual(both.features, ['sig', 'noise']);
    assert.equal(both.rows.length, 45);
    assert.throws(() => modalityTable(dataset(20), ['imaging'], 'label'), /imaging/);
  });

  it('recovers the separating feature and reports a skipped row instead of failing', async function () {
    this.timeout(20000);
    const good = await runModalityExperiment(dataset(20), { outcome: 'x', modalities: 'clinical', groups: ['clinical-x'], folds: 3 });
    assert.equal(good.row.folds, 3);
    assert.equal(good.y.length, 60);
    assert.ok((good.row.auroc ?? 0) > 0.9, `AUROC ${String(good.row.auroc)}`);
    assert.match(good.row.aurocCi, /^\[\d\.\d\d, \d\.\d\d\]$/);
    const few = await runModalityExperiment(dataset(2), { outcome: 'x', modalities: 'clinical', groups: ['clinical-x'], folds: 5 });
    assert.equal(few.row.folds, 2);
    assert.match(few.row.note, /2 folds/);
    const none = await runModalityExperiment(dataset(1), { outcome: 'x', modalities: 'clinical', groups: ['clinical-x'] });
    assert.equal(none.row.folds, 0);
    assert.equal(none.row.auroc, null);
    assert.match(none.row.note, /skipped: 1 case/);
  });

  it('lists the seven modality sets: singles, pairs, all three', () => {
    assert.deepEqual(
      modalitySets('stroke').map((m) => `${m.name}=${m.groups.join(',')}`),
      [
        'clinical=clinical-stroke',
        'genomic=genomic',
        'imaging=imaging-features',
        'clinical+genomic=clinical-stroke,genomic',
        'clinical+imaging=clinical-stroke,imaging-features',
        'genomic+imaging=genomic,imaging-features',
        'all three=clinical-stroke,genomic,imaging-features',
      ],
    );
  });

  it('picks the best evaluated set (AUROC, then patients, then fewer groups), fits and saves it with metadata', async function () {
    this.timeout(30000);
    const row = (modalities: string, auroc: number | null, patients: number): ModalityExperimentResult =>
      ({ row: { outcome: 'x', modalities, patients, cases: 10, folds: 3, accuracy: null, precision: null, recall: null, f1: null, auroc, aurocCi: '', note: '' }, data: [], features: [], patientIds: [], y: [], score: [] });
    assert.equal(bestModalityResult([row('clinical', 0.7, 50), row('genomic', null, 60), row('all three', 0.8, 20)], 'x')?.row.modalities, 'all three');
    assert.equal(bestModalityResult([row('clinical', 0.8, 20), row('clinical+genomic', 0.8, 30)], 'x')?.row.modalities, 'clinical+genomic');
    assert.equal(bestModalityResult([row('all three', 0.8, 20), row('clinical+genomic', 0.8, 20)], 'x')?.row.modalities, 'clinical+genomic');
    assert.equal(bestModalityResult([row('clinical', null, 20)], 'x'), undefined);
    assert.equal(bestModalityResult([row('clinical', 0.9, 20)], 'y'), undefined);

    const ds = dataset(20);
    const results = [
      await runModalityExperiment(ds, { outcome: 'x', modalities: 'clinical', groups: ['clinical-x'], folds: 3 }),
      await runModalityExperiment(ds, { outcome: 'x', modalities: 'genomic', groups: ['genomic'], folds: 3 }),
    ];
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mmh-automl-best-'));
    const ws = await openWorkspace({ dir, create: true, progress: silentProgress, env: {} });
    try {
      const saved = await fitBestModel(ws.automl, results, 'x');
      assert.ok(saved !== undefined);
      assert.equal(saved.modalities, 'clinical');
      assert.equal(saved.patients, 60);
      assert.equal(saved.inputs, 1);
      assert.deepEqual(ws.automl.listModels(), ['x']);
      const back = ws.automl.loadPredictor('x');
      assert.deepEqual(back.options.metadata, { outcome: 'x', modalities: 'clinical', patients: 60, cases: 20, cvAuroc: results[0]?.row.auroc, cvAurocCi: results[0]?.row.aurocCi, cvFolds: 3 });
      assert.deepEqual(back.featureColumns, ['sig']);
      assert.equal(await fitBestModel(ws.automl, results, 'nothing'), undefined);
    } finally {
      await ws.close();
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
