import assert from 'node:assert/strict';
import { binMatrix } from '../../../src/automl/models/binning';
import type { ForestParams } from '../../../src/automl/models/forest';
import { FOREST_DEFAULTS, ForestModel, fitForest } from '../../../src/automl/models/forest';
import { TreeBuilder } from '../../../src/automl/models/tree';
import type { FlatTree } from '../../../src/automl/models/tree';
import { createRng } from '../../../src/automl/rng';
import type { Rng } from '../../../src/automl/rng';
import type { Matrix } from '../../../src/automl/types';

/** 1 − Σ (c / total)², 0 for an empty side: the impurity formula forest.ts uses. */
function gini(counts: number[], total: number): number {
  return total <= 0 ? 0 : 1 - counts.reduce((s, c) => s + (c / total) * (c / total), 0);
}

/**
 * A straightforward forest with the same random stream as forest.ts: per node, every drawn feature's bins from its
 * rows; RF scores every cut between the lowest and highest bin by counting the rows on each side; XT one random cut.
 */
function referenceForest(kind: 'RF' | 'XT', x: Matrix, y: Int32Array, k: number, seed: number, prm: ForestParams): ForestModel {
  const bm = binMatrix(x, prm.maxBins);
  const { n, p } = x;
  const mtry = Math.max(1, Math.floor(Math.sqrt(p)));
  const rng: Rng = createRng(seed);
  const bin = (i: number, j: number): number => bm.bins[j * n + i] as number;
  const trees: FlatTree[] = [];
  for (let m = 0; m < prm.nEstimators; m++) {
    const weight = new Array<number>(n).fill(kind === 'RF' ? 0 : 1);
    if (kind === 'RF') {
      for (let i = 0; i < n; i++) {
        const r = rng.int(n);
        weight[r] = (weight[r] as number) + 1;
      }
    }
    const perm = Array.from({ length: p }, (_, j) => j);
    const builder = new TreeBuilder(k);
    const grow = (node: number, rows: number[], depth: number): void => {
      const nodeC = new Array<number>(k).fill(0);
      let tot = 0;
      for (const i of rows) {
        nodeC[y[i] as number] = (nodeC[y[i] as number] as number) + (weight[i] as number);
        tot += weight[i] as number;
      }
      const dist = nodeC.map((c) => c / tot);
      builder.setValues(node, dist);
      if (dist.some((v) => v === 1) || rows.length < 2 * prm.minSamplesLeaf || (prm.maxDepth > 0 && depth >= prm.maxDepth)) {
        return;
      }
      let best = { feature: -1, bin: -1, imp: gini(nodeC, tot) - 1e-12 };
      const side = (j: number, b: number): { left: number[]; lt: number; ln: number } => {
        const left = new Array<number>(k).fill(0);
        let lt = 0;
        let ln = 0;
        for (const i of rows) {
          if (bin(i, j) <= b) {
            left[y[i] as number] = (left[y[i] as number] as number) + (weight[i] as number);
            lt += weight[i] as number;
            ln++;
          }
        }
        return { left, lt, ln };
      };
      let tried = 0;
      for (let q = 0; q < p && tried < mtry; q++) {
        const s = q + rng.int(p - q);
        const j = perm[s] as number;
        perm[s] = perm[q] as number;
        perm[q] = j;
        const bs = rows.map((i) => bin(i, j));
        const lo = Math.min(...bs);
        const hi = Math.max(...bs);
        if (lo >= hi) {
          continue;
        }
        tried++;
        if (kind === 'XT') {
          const cut = lo + rng.int(hi - lo);
          const { left, lt, ln } = side(j, cut);
          if (ln < prm.minSamplesLeaf || rows.length - ln < prm.minSamplesLeaf) {
            continue;
          }
          const rt = tot - lt;
          const right = nodeC.map((c, ci) => c - (left[ci] as number));
          const imp = (lt / tot) * gini(left, lt) + (rt / tot) * gini(right, rt);
          best = imp < best.imp ? { feature: j, bin: cut, imp } : best;
          continue;
        }
        for (let b = lo; b < hi; b++) {
          const { left, lt } = side(j, b);
          const rt = tot - lt;
          if (lt <= 0 || rt <= 0) {
            continue;
          }
          const sl = left.reduce((a, l) => a + l * l, 0);
          const sr = nodeC.reduce((a, c, ci) => a + (c - (left[ci] as number)) ** 2, 0);
          const imp = (lt - sl / lt + rt - sr / rt) / tot;
          best = imp < best.imp ? { feature: j, bin: b, imp } : best;
        }
      }
      if (best.feature < 0) {
        return;
      }
      const l = rows.filter((i) => bin(i, best.feature) <= best.bin);
      const r = rows.filter((i) => bin(i, best.feature) > best.bin);
      if (l.length < prm.minSamplesLeaf || r.length < prm.minSamplesLeaf) {
        return;
      }
      const [ln, rn] = builder.split(node, best.feature, (bm.edges[best.feature] as Float64Array)[best.bin] as number, best.bin);
      grow(ln, l, depth + 1);
      grow(rn, r, depth + 1);
    };
    const rows = Array.from({ length: n }, (_, i) => i).filter((i) => (weight[i] as number) > 0);
    grow(builder.addNode(), rows, 0);
    trees.push(builder.finish());
  }
  return new ForestModel(kind, k, trees);
}

/** Random rows: integer columns with many ties, continuous ones, a constant one; labels partly from the features. */
function randomTable(n: number, p: number, k: number, seed: number): { x: Matrix; y: Int32Array } {
  const rng = createRng(seed);
  const data = new Float64Array(n * p);
  const y = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < p; j++) {
      data[i * p + j] = j === p - 1 ? 1 : j % 3 === 0 ? rng.int(3) : j % 3 === 1 ? rng.int(40) : rng.normal();
    }
    y[i] = rng.next() < 0.6 ? ((data[i * p] as number) + ((data[i * p + 1] as number) > 20 ? 1 : 0)) % k : rng.int(k);
  }
  return { x: { n, p, data }, y };
}

describe('forest split search matches a straightforward reference', () => {
  const cases: { k: number; prm: Partial<ForestParams> }[] = [
    { k: 2, prm: {} },
    { k: 3, prm: { minSamplesLeaf: 3, maxDepth: 5 } },
    { k: 2, prm: { maxBins: 8 } },
    { k: 4, prm: { minSamplesLeaf: 2, maxBins: 16 } },
  ];
  for (const kind of ['RF', 'XT'] as const) {
    cases.forEach(({ k, prm }, ci) => {
      it(`${kind}, ${k} classes, ${JSON.stringify(prm)}: the same trees, bit for bit`, () => {
        const { x, y } = randomTable(150 + 40 * ci, 10, k, 31 + ci);
        const params: ForestParams = { ...FOREST_DEFAULTS, nEstimators: 8, ...prm };
        const got = fitForest(kind, x, y, { nClasses: k, seed: 9 + ci }, params);
        const want = referenceForest(kind, x, y, k, 9 + ci, params);
        assert.equal(got.trees.length, want.trees.length);
        got.trees.forEach((t, ti) => {
          const r = want.trees[ti] as FlatTree;
          assert.deepEqual([t.feature, t.threshold, t.left, t.right, t.values], [r.feature, r.threshold, r.left, r.right, r.values], `tree ${ti}`);
        });
        assert.ok(
          got.trees.some((t) => t.feature.length > 5),
          'the trees split',
        );
      });
    });
  }
});
