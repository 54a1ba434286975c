import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { PREDICTOR_JSON } from '../../src/automl/persist';
import { TabularPredictor } from '../../src/automl/predictor';
import { fitPreprocessor, identifierReason } from '../../src/automl/preprocess';
import { createRng } from '../../src/automl/rng';

/** A small imaging-shaped table: a study UID, an image-set id, a patient id, a real feature, a label. */
function imagingRows(n: number, seed: number): Record<string, unknown>[] {
  const rng = createRng(seed);
  return Array.from({ length: n }, (_, i) => {
    const svd = rng.normal();
    return {
      patient_id: `pat-${String(1000 + i)}`,
      study_instance_uid: `1.2.826.0.1.3680043.8.498.${String(10000 + i * 7)}`,
      image_set_id: ((i * 2654435761) >>> 0).toString(16).padStart(32, 'a'),
      patientId: i,
      scanner: i % 2 === 0 ? 'GE' : 'Siemens',
      svd_volume: svd,
      label: svd + 0.5 * rng.normal() > 0 ? 1 : 0,
    };
  });
}

describe('automl identifier columns', () => {
  it('recognises identifiers by name, by value shape and by unique text per row', () => {
    assert.match(identifierReason('study_instance_uid', ['x', 'x'], false) ?? '', /name study_instance_uid/);
    assert.match(identifierReason('image_set_id', [1, 1, 2], true) ?? '', /names an identifier/);
    assert.match(identifierReason('imaging-features.image_set_id', ['a'], false) ?? '', /names an identifier/);
    assert.match(identifierReason('patientId', [3, 4], true) ?? '', /names an identifier/);
    assert.match(identifierReason('id', ['a', 'a'], false) ?? '', /names an identifier/);
    assert.match(identifierReason('PATIENT_ID', [1, 2], true) ?? '', /names an identifier/);
    assert.match(identifierReason('series', ['1.2.840.10008.1', '1.2.840.10008.2'], false) ?? '', /shaped like identifiers/);
    assert.match(identifierReason('token', ['0f8fad5b-d9cb-469f-a165-70867728950e', '7c9e6679-7425-40de-944b-e07fc1f90ae7'], false) ?? '', /shaped like identifiers/);
    assert.match(identifierReason('note_ref', ['alpha', 'beta', 'gamma'], false) ?? '', /different text value in every row \(3 of 3\)/);
    // Not identifiers: ordinary features, numbers (ages are unique too), repeated categories, words ending in "id".
    for (const [name, values, numeric] of [
      ['age_at_index', [61, 62, 63], true],
      ['valid', ['yes', 'no', 'yes'], false],
      ['fluid_intake', [1.5, 2.5], true],
      ['covid', ['a', 'b', 'a'], false],
      ['acid', [1, 2, 3], true],
      // Radiomics: GLCM inverse difference (pyradiomics' `Id`, `Idm`, `Idn`).
      ['brain_original_glcm_Id', [0.41, 0.52, 0.47], true],
      ['brain_original_glcm_Idm', [0.41, 0.52, 0.47], true],
      ['sex', ['M', 'F'], false],
    ] as const) {
      assert.equal(identifierReason(name, values, numeric), undefined, name);
    }
  });

  it('never become features, even on a handful of rows, and the reason is kept with the saved predictor', async () => {
    for (const n of [6, 18, 400]) {
      const { state } = fitPreprocessor(imagingRows(n, 1), { exclude: ['label'] });
      assert.deepEqual(
        state.columns.map((c) => c.name),
        ['scanner', 'svd_volume'],
        `n = ${n}`,
      );
      for (const id of ['patient_id', 'study_instance_uid', 'image_set_id', 'patientId']) {
        const d = state.dropped.find((q) => q.name === id);
        assert.equal(d?.reason, 'identifier', `${id} at n = ${n}`);
        assert.ok((d.detail ?? '') !== '', `${id} has a detail`);
      }
      assert.ok(!state.features.some((f) => f.startsWith('study_instance_uid') || f.startsWith('image_set_id')));
    }
    const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'mmh-automl-ids-'));
    try {
      const p = new TabularPredictor({ label: 'label', seed: 2, path: tmp });
      await p.fit(imagingRows(40, 3), { presets: 'fast', excludedModelTypes: ['KNN', 'RF', 'XT'] });
      assert.deepEqual(p.featureColumns, ['scanner', 'svd_volume']);
      p.save();
      const doc = JSON.parse(fs.readFileSync(path.join(tmp, PREDICTOR_JSON), 'utf8')) as { preprocess: { dropped: { name: string; reason: string; detail?: string }[] } };
      const uid = doc.preprocess.dropped.find((d) => d.name === 'study_instance_uid');
      assert.equal(uid?.reason, 'identifier');
      assert.match(uid.detail ?? '', /names an identifier/);
    } finally {
      fs.rmSync(tmp, { recursive: true, force: true });
    }
  });
});
