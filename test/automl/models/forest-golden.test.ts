import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { fitModel } from '../../../src/automl/models/registry';
import { blobs, logistic } from '../synthetic';

/** SHA-256 (first 16 hex digits) of the probabilities' bytes. */
function digest(a: Float64Array): string {
  return createHash('sha256')
    .update(Buffer.from(a.buffer, a.byteOffset, a.byteLength))
    .digest('hex')
    .slice(0, 16);
}

// Digests of the predictions of the forest implementation before its rewrite onto reused typed-array scratch
// (commit c7accaa, src/automl/models/forest.ts): the rewrite keeps the random stream, so the trees are the same.
const BEFORE = {
  RF: { binary: 'c59f26ccb1df13ed', multiclass: '1a72f5b0213b77ca' },
  XT: { binary: 'c135d951e3f166ea', multiclass: 'ca88fed28c4beb22' },
};

describe('forests grow the same trees as before their rewrite', () => {
  for (const kind of ['RF', 'XT'] as const) {
    it(`${kind}: binary and multiclass predictions are bit-identical`, () => {
      const tr = logistic(300, 12, 21);
      const te = logistic(200, 12, 22);
      const binary = fitModel(kind, tr.x, tr.y, { nClasses: 2, seed: 5 }, { [kind]: { nEstimators: 30 } }).predictProba(te.x);
      const mb = blobs(240, 6, 23);
      const multi = fitModel(kind, mb.x, mb.y, { nClasses: 3, seed: 6 }, { [kind]: { nEstimators: 20, minSamplesLeaf: 2, maxDepth: 6 } }).predictProba(mb.x);
      assert.deepEqual({ binary: digest(binary), multiclass: digest(multi) }, BEFORE[kind]);
    });
  }
});
