import assert from 'node:assert/strict';
import { experimentFolds, modalityTable, runModalityExperiment } from '../../src/automl/experiment';
import type { ExperimentDataset } from '../../src/automl/experiment';

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
});
