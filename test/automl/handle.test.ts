import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { silentProgress } from '../../src/progress';
import { openWorkspace } from '../../src/workspace';
import { plantedRows } from './synthetic';

describe('automl workspace handle', function () {
  this.timeout(60000);
  it('creates predictors that save under models/ and loads them back by name', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mmh-automl-ws-'));
    const ws = await openWorkspace({ dir, create: true, progress: silentProgress, env: {} });
    try {
      const rows = plantedRows(120, 3);
      const p = ws.automl.createPredictor({ label: 'outcome', name: 'planted', ignoredColumns: ['id'] });
      await p.fit(rows, { presets: 'fast', excludedModelTypes: ['KNN', 'RF', 'XT'] });
      const saved = p.save();
      assert.equal(saved, path.join(ws.path('models'), 'planted'));
      assert.deepEqual(ws.automl.listModels(), ['planted']);
      const back = ws.automl.loadPredictor('planted');
      assert.deepEqual(back.predictPositive(rows), p.predictPositive(rows));
      assert.throws(() => ws.automl.createPredictor({ label: 'outcome', name: '../escape' }), /model name/);
      assert.throws(
        () => ws.automl.sagemaker(),
        (e: unknown) => (e as { code: string }).code === 'unsupported',
      );
    } finally {
      await ws.close();
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
