import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { generateCohort, generatorFingerprint, GENERATOR_MANIFEST, readGeneratorManifest } from '../../src/cohort/generate';
import { coherentDir, convertStep, generateStep } from '../../src/cohort/steps';
import { PIPELINE_STEPS } from '../../src/pipeline-steps';
import { silentProgress } from '../../src/progress';
import type { Workspace } from '../../src/workspace';
import { openWorkspace } from '../../src/workspace';
import { tmpDir } from './helpers';
import { readDicom } from '../../src/formats/dicom/read';

describe('cohort pipeline steps', function () {
  this.timeout(60_000);
  let ws: Workspace;

  before(async () => {
    const dir = tmpDir('ws');
    ws = await openWorkspace({ dir, create: true, progress: silentProgress, env: {}, preset: 'tiny', seed: 5 });
  });

  after(async () => {
    await ws.close();
  });

  it('are registered first in data-flow order: generate, then convert, before any import', () => {
    const names = PIPELINE_STEPS.map((s) => s.name);
    const g = names.indexOf('generate');
    assert.ok(g >= 0 && names[g + 1] === 'convert');
    for (const [i, n] of names.entries()) {
      if (n.startsWith('import')) {
        assert.ok(i > g + 1, `${n} runs after convert`);
      }
    }
  });

  it('generate skips a current cohort (same fingerprint), and its fingerprint follows preset and seed', async () => {
    const out = coherentDir(ws);
    await generateCohort({ out, patients: 5, seed: 5, mriSize: [16, 16, 8], oracleMcPatients: 2000 });
    // Mark the small cohort as the current tiny one: the step must then not regenerate it.
    const m = readGeneratorManifest(out);
    assert.ok(m);
    const tinyFp = generatorFingerprint({ preset: 'tiny', seed: 5 }).fingerprint;
    fs.writeFileSync(path.join(out, GENERATOR_MANIFEST), JSON.stringify({ ...m, fingerprint: tinyFp }));
    const res = await generateStep.run(ws);
    assert.deepEqual(res.counts, { patients: 5 });
    assert.equal(fs.readdirSync(path.join(out, 'output', 'fhir')).length, 5 + 2);
    assert.ok((await generateStep.fingerprint(ws)).includes('n=40|seed=5'));
  });

  it('generate writes MRIs of the workspace MRI size override, and skips them when current', async () => {
    const dir = tmpDir('ws-mri');
    const small = await openWorkspace({ dir, create: true, progress: silentProgress, env: { MMH_MRI_SIZE: '16x16x8' }, preset: 'tiny', patients: 6, seed: 5 });
    try {
      assert.ok((await generateStep.fingerprint(small)).includes('n=6|seed=5|cov=coherent|mri=true|size=16x16x8'));
      const first = await generateStep.run(small);
      const dicomDir = path.join(coherentDir(small), 'output', 'dicom');
      const files = fs.readdirSync(dicomDir);
      assert.ok(files.length > 0, 'at least one of 6 tiny-preset patients is imaged');
      for (const f of files) {
        const mri = readDicom(fs.readFileSync(path.join(dicomDir, f)), f);
        assert.deepEqual([mri.dataset.Columns, mri.dataset.Rows, mri.storedFrames.length], [16, 16, 8]);
      }
      const again = await generateStep.run(small);
      assert.deepEqual(again.counts, { patients: 6 });
      assert.equal(first.counts.patients, 6);
    } finally {
      await small.close();
    }
  });

  it('convert writes the dataset folder the import steps read', async () => {
    const res = await convertStep.run(ws);
    assert.equal(res.counts.patients, 5);
    assert.equal(res.counts.droppedRecords, 2 * (res.counts.vcfFiles ?? 0));
    assert.ok(fs.existsSync(path.join(ws.config.dataDir, 'clinical', 'Patient.ndjson')));
    assert.ok(fs.existsSync(path.join(ws.config.dataDir, 'ground-truth.json')));
    assert.ok(res.outputs.includes(ws.config.dataDir));
  });
});
