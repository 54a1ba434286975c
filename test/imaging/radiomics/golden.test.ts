import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { GoldenSnapshot } from './golden-volume';
import { goldenSnapshot } from './golden-volume';

/**
 * Values written by the implementation before the speed work of issue 21 (`goldenSnapshot()` saved as JSON). Rewrite
 * the file only for a change that is meant to change values, and say so in the commit.
 */
const GOLDEN = path.join(__dirname, 'golden-generated.json');

describe('radiomics golden values: masks and all 7 families on a generated head volume stay bit for bit', function () {
  this.timeout(60000);
  const stored = JSON.parse(fs.readFileSync(GOLDEN, 'utf8')) as GoldenSnapshot;
  let now: GoldenSnapshot = { masks: {}, features: {} };
  before(() => {
    now = goldenSnapshot();
  });

  it('brain, csf, parenchyma and hyperintense masks and thresholds (uint16 and float32 input)', () => {
    assert.deepEqual(now.masks, stored.masks);
  });

  for (const name of Object.keys(stored.features)) {
    it(`features: ${name}`, () => {
      const want = stored.features[name] ?? {};
      const got = now.features[name] ?? {};
      assert.deepEqual(Object.keys(got), Object.keys(want), 'feature names or order');
      for (const [k, v] of Object.entries(want)) {
        assert.ok(Object.is(got[k], v), `${k}: ${String(got[k])}, golden ${String(v)}`);
      }
    });
  }

  it('covers every family in the study row', () => {
    const families = new Set(Object.keys(stored.features['uint16 study'] ?? {}).map((k) => /^brain_original_([a-z]+)_/.exec(k)?.[1]));
    assert.deepEqual([...families].filter((f) => f !== undefined).sort(), ['firstorder', 'glcm', 'gldm', 'glrlm', 'glszm', 'ngtdm', 'shape']);
  });
});
