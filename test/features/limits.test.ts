import assert from 'node:assert/strict';
import { checkBatchGetSize, FEATURE_STORE_LIMITS } from '../../src/features/limits';

describe('feature store limits: BatchGetRecord size', () => {
  const ids = (n: number): string[] => Array.from({ length: n }, (_, i) => `p${String(i)}`);

  it('takes up to the limit, counted over every group of the request', () => {
    const half = FEATURE_STORE_LIMITS.maxBatchGetIds / 2;
    assert.doesNotThrow(() => {
      checkBatchGetSize([{ recordIds: ids(half) }, { recordIds: ids(half) }]);
    });
  });

  it('refuses one identifier more, saying how many and what to do', () => {
    assert.throws(
      () => {
        checkBatchGetSize([{ recordIds: ids(FEATURE_STORE_LIMITS.maxBatchGetIds) }, { recordIds: ['x'] }]);
      },
      (e: unknown) => e instanceof Error && (e as { code?: string }).code === 'invalid-input' && /\d+ identifiers requested; SageMaker takes at most \d+ per call — split the request/.test(e.message),
    );
  });
});
