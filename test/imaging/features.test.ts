import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { synthesizeBrainVolume, writeMriStudy } from '../../src/cohort/mri';
import { brainMasks, dice, extractImagingFeatures, DEFAULT_DATASTORE_NAME } from '../../src/imaging';
import { importImagingStep } from '../../src/pipeline-steps';
import { silentProgress } from '../../src/progress';
import { openWorkspace } from '../../src/workspace';
import { tmpDir } from '../helpers/tmp';

const EFFECTS = { atrophy: 0.3, ventricleEnlargement: 0.4, infarcts: 0, wmhLoad: 0.8, microbleeds: 0 };

describe('imaging: brain masks and per-study features on the cohort MRI', function () {
  this.timeout(120000);

  it('brain/parenchyma/hyperintense masks overlap the phantom labels (Dice)', () => {
    const v = synthesizeBrainVolume({ seed: 11, size: [64, 64, 32], effects: EFFECTS });
    const m = brainMasks({ voxels: v.voxels, size: v.size });
    const parenchyma = Uint8Array.from(v.labels, (l) => (l >= 3 ? 1 : 0));
    const wmh = Uint8Array.from(v.labels, (l) => (l === 6 ? 1 : 0));
    assert.ok(dice(m.parenchyma, parenchyma) > 0.9, `parenchyma Dice ${String(dice(m.parenchyma, parenchyma))}`);
    assert.ok(dice(m.hyperintense, wmh) > 0.5, `hyperintense Dice ${String(dice(m.hyperintense, wmh))}`);
    let skull = 0;
    v.labels.forEach((l, i) => {
      if (l === 1 && m.brain[i] === 1) {
        skull++;
      }
    });
    assert.ok(skull < 0.02 * v.labels.filter((l) => l === 1).length, 'the brain mask leaks into the skull');
  });

  it('imports cohort studies through the pipeline step and extracts features keyed by patient and study date', async () => {
    const root = tmpDir('imaging-features');
    try {
      const dataDir = path.join(root, 'dataset');
      const studies = [
        { seed: 1, patientId: 'patient-a', studyDate: '20190305', uid: '1.2.840.99999999.9.1', wmhLoad: 0.1 },
        { seed: 2, patientId: 'patient-b', studyDate: '20200607', uid: '1.2.840.99999999.9.2', wmhLoad: 0.9 },
      ];
      for (const s of studies) {
        const dir = path.join(dataDir, 'dicom', s.uid);
        fs.mkdirSync(dir, { recursive: true });
        const bytes = writeMriStudy({
          seed: s.seed,
          size: [64, 64, 32],
          effects: { ...EFFECTS, wmhLoad: s.wmhLoad },
          patientId: s.patientId,
          patientName: 'Doe^Jane',
          birthDate: '19500101',
          sex: 'F',
          studyInstanceUid: s.uid,
          seriesInstanceUid: `${s.uid}.1`,
          studyDate: s.studyDate,
        });
        fs.writeFileSync(path.join(dir, 'study.dcm'), bytes);
      }
      const ws = await openWorkspace({ dir: path.join(root, 'ws'), dataDir, create: true, progress: silentProgress, env: {} });
      try {
        const res = await importImagingStep.run(ws);
        assert.deepEqual(res.counts, { scannedFiles: 2, importedFiles: 2, failedFiles: 0, imageSets: 2 });
        const id = await ws.imaging.ensureDatastore(DEFAULT_DATASTORE_NAME);
        const sets = await ws.imaging.searchImageSets(id);
        const vol = await ws.imaging.getVolume(id, sets[0]?.imageSetId ?? '');
        assert.deepEqual(vol.size, [64, 64, 32]);
        const rows = await extractImagingFeatures(ws.imaging, id);
        assert.equal(rows.length, 2);
        const byPatient = new Map(rows.map((r) => [r.patient_id, r]));
        assert.equal(byPatient.get('patient-a')?.event_time, '2019-03-05T12:00:00Z');
        const a = byPatient.get('patient-a');
        const b = byPatient.get('patient-b');
        assert.ok(a && b);
        for (const r of rows) {
          assert.ok(!JSON.stringify(r).includes('Doe'), 'a name leaked into the features');
          assert.ok(typeof r.brain_original_glcm_Contrast === 'number');
          assert.ok(typeof r.brain_original_ngtdm_Busyness === 'number');
        }
        assert.ok(Number(b.hyperintense_volume_ml) > Number(a.hyperintense_volume_ml), 'more WMH load should give a larger hyperintense volume');
        const truth = synthesizeBrainVolume({ seed: 2, size: [64, 64, 32], effects: { ...EFFECTS, wmhLoad: 0.9 } });
        const voxelMl = (truth.spacingMm[0] * truth.spacingMm[1] * truth.spacingMm[2]) / 1000;
        const parenchymaMl = truth.labels.filter((l) => l >= 3).length * voxelMl;
        const got = Number(b.parenchyma_volume_ml);
        assert.ok(Math.abs(got - parenchymaMl) < 0.15 * parenchymaMl, `parenchyma ${String(got)} ml vs phantom ${String(parenchymaMl)} ml`);
      } finally {
        await ws.close();
      }
    } finally {
      fs.rmSync(root, { recursive: true, force: true });
    }
  });
});
