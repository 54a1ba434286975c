import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { bestModalityResult, experimentFolds, fitBestModel, MIN_SUPPORT, modalitySets, modalityTable, runModalityExperiment, runPairedComparison, selectModel } from '../../src/automl/experiment';
import type { ExperimentDataset, ModalityExperimentResult, PairedComparison } from '../../src/automl/experiment';
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

  it('never uses identifier-like columns (UIDs, ids) as features', () => {
    const ds = dataset(20);
    const rows = ds.rows.map((r, i) => ({ ...r, study_instance_uid: `1.2.${String(i)}`, image_set_id: `s${String(i)}` }));
    const t = modalityTable(
      { rows, featureSources: { ...ds.featureSources, study_instance_uid: 'genomic.study_instance_uid', image_set_id: 'genomic.image_set_id' } },
      ['clinical-x', 'genomic'],
      'label',
    );
    assert.deepEqual(t.features, ['sig', 'noise']);
  });

  it('paired comparison: every set on the same patients (those with every modality of the largest set), with its DeLong difference to clinical', async function () {
    this.timeout(60000);
    const sets = [
      { name: 'clinical', groups: ['clinical-x'] },
      { name: 'genomic', groups: ['genomic'] },
      { name: 'clinical+genomic', groups: ['clinical-x', 'genomic'] },
      { name: 'imaging', groups: ['imaging'] },
    ];
    const { comparison, results } = await runPairedComparison(dataset(20), { outcome: 'x', design: 'prognostic', largest: sets[2]!, sets, folds: 3 });
    assert.deepEqual(
      results.map((r) => r.row.modalities),
      ['clinical', 'genomic', 'clinical+genomic'],
      'subsets of the largest only',
    );
    assert.equal(comparison.patients, 45);
    assert.ok(results.every((r) => r.row.patients === 45 && r.row.comparison === 'clinical+genomic' && r.row.design === 'prognostic'));
    assert.ok(
      results.every((r) => r.patientIds.join() === results[0]!.patientIds.join()),
      'same patients, same order',
    );
    const byName = new Map(comparison.sets.map((r) => [r.set, r]));
    assert.equal(byName.get('clinical')?.vsClinical, null);
    const g = byName.get('genomic')!.vsClinical!;
    // Noise against a separating feature: clearly worse, and the interval says so.
    assert.ok(g.difference < -0.2 && g.upper < 0, JSON.stringify(g));
    assert.ok(byName.get('clinical+genomic')!.vsClinical !== null);
    // Each row carries the in-fit logistic baseline's AUROC on the same folds (ensemble vs baseline, side by side).
    for (const r of results) {
      assert.equal(typeof r.row.baselineAuroc, 'number', r.row.modalities);
      assert.equal(byName.get(r.row.modalities)?.baselineAuroc, r.row.baselineAuroc);
    }
    // 45 patients, 15 cases: below the minimum support, and every evaluated row says so.
    assert.ok(
      comparison.sets.every((r) => /below minimum support \(45 patients, 15 cases\)/.test(r.note)),
      JSON.stringify(comparison.sets.map((r) => r.note)),
    );
  });

  it('selection: clinical on the full cohort unless a supported set beats it with a paired CI above 0; warnings', () => {
    const res = (modalities: string, patients: number, cases: number, auroc: number, lower: number, upper: number): ModalityExperimentResult => ({
      row: {
        outcome: 'x',
        modalities,
        patients,
        cases,
        folds: 5,
        accuracy: null,
        precision: null,
        recall: null,
        f1: null,
        auroc,
        aurocCi: `[${lower.toFixed(2)}, ${upper.toFixed(2)}]`,
        aurocLower: lower,
        aurocUpper: upper,
        note: '',
      },
      data: [],
      features: [],
      patientIds: [],
      y: [],
      score: [],
      aurocEstimate: { value: auroc, lower, upper },
    });
    const clinical = res('clinical', 1200, 120, 0.7, 0.65, 0.75);
    const cmp = (patients: number, cases: number, lower: number): { comparison: PairedComparison; results: ModalityExperimentResult[] } => ({
      comparison: {
        outcome: 'x',
        design: 'prognostic',
        largest: 'all three',
        patients,
        cases,
        sets: [
          { set: 'clinical', auroc: 0.7, lower: 0.6, upper: 0.8, vsClinical: null, note: '' },
          { set: 'all three', auroc: 0.9, lower: 0.7, upper: 1, vsClinical: { difference: 0.2, lower, upper: 0.3, pValue: 0.01 }, note: '' },
        ],
      },
      results: [res('clinical', patients, cases, 0.7, 0.6, 0.8), res('all three', patients, cases, 0.9, 0.7, 1)],
    });
    // A tiny-sample winner (18 patients, 2 cases, the example) is never chosen.
    assert.equal(selectModel(clinical, [cmp(18, 2, 0.1)]).chosen?.row.modalities, 'clinical');
    assert.equal(selectModel(clinical, [cmp(18, 2, 0.1)]).chosen?.row.patients, 1200);
    // Enough support but the paired interval includes 0: clinical stays.
    assert.equal(selectModel(clinical, [cmp(300, 40, -0.01)]).chosen?.row.modalities, 'clinical');
    // Enough support and the interval above 0: the multimodal set wins, with the reason stated.
    const win = selectModel(clinical, [cmp(MIN_SUPPORT.patients, MIN_SUPPORT.cases, 0.02)]);
    assert.equal(win.chosen?.row.modalities, 'all three');
    assert.match(win.reason, /lower bound 0\.020 > 0/);
    assert.deepEqual(win.warnings, []);
    // Clinical below minimum support, or at chance: visible warnings.
    const small = selectModel(res('clinical', 60, 8, 0.55, 0.4, 0.7), []);
    assert.equal(small.warnings.length, 2);
    assert.match(small.warnings[0]!, /below minimum support: 60 patients and 8 cases/);
    assert.match(small.warnings[1]!, /includes 0\.5/);
    assert.match(selectModel(res('clinical', 600, 80, 0.4, 0.35, 0.45), []).warnings[0]!, /lies below 0\.5/);
    assert.equal(selectModel(undefined, []).chosen, undefined);
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
    const row = (modalities: string, auroc: number | null, patients: number): ModalityExperimentResult => ({
      row: { outcome: 'x', modalities, patients, cases: 10, folds: 3, accuracy: null, precision: null, recall: null, f1: null, auroc, aurocCi: '', note: '' },
      data: [],
      features: [],
      patientIds: [],
      y: [],
      score: [],
    });
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
