/**
 * Random forest and extremely randomised trees (classification, Gini impurity) on binned features. Random forest:
 * bootstrap rows, best split among √p random features per node. Extra trees: all rows, one random threshold per
 * candidate feature, best of those (Geurts et al. 2006). Trees grow to purity (min 1 row per leaf) as scikit-learn's
 * defaults do; the forest averages the leaves' class distributions.
 */
import { HealthDataError } from '../../errors';
import { createRng } from '../rng';
import type { Rng } from '../rng';
import type { Matrix } from '../types';
import type { BinnedMatrix } from './binning';
import { binMatrix } from './binning';
import type { Classifier, FitContext, ModelKind, ModelState } from './model';
import { clipProba } from './model';
import type { FlatTree, PackedTrees } from './tree';
import { TreeBuilder, leafOf, packTrees, unpackTrees } from './tree';

/** Forest hyperparameters. */
export interface ForestParams {
  /** Number of trees. */
  readonly nEstimators: number;
  /** Features tried per node: 'sqrt', 'log2', or a share of p in (0, 1]. */
  readonly maxFeatures: 'sqrt' | 'log2' | number;
  /** Maximum depth (0 = no limit). */
  readonly maxDepth: number;
  /** Minimum rows per leaf. */
  readonly minSamplesLeaf: number;
  /** Maximum bins per feature. */
  readonly maxBins: number;
}

/** scikit-learn-like defaults (100 trees; the 'best' preset uses 300 as AutoGluon does). */
export const FOREST_DEFAULTS: ForestParams = { nEstimators: 100, maxFeatures: 'sqrt', maxDepth: 0, minSamplesLeaf: 1, maxBins: 255 };

/** A fitted forest. */
export class ForestModel implements Classifier {
  /**
   * @param kind - RF or XT
   * @param nClasses - number of classes
   * @param trees - the trees (width K)
   */
  constructor(
    readonly kind: ModelKind,
    readonly nClasses: number,
    readonly trees: readonly FlatTree[],
  ) {}

  /**
   * Class probabilities: the mean of the leaves' class distributions.
   *
   * @param x - rows
   * @returns n × K probabilities
   */
  predictProba(x: Matrix): Float64Array {
    const k = this.nClasses;
    const out = new Float64Array(x.n * k);
    for (const t of this.trees) {
      for (let i = 0; i < x.n; i++) {
        const leaf = leafOf(t, x, i);
        for (let c = 0; c < k; c++) {
          out[i * k + c] = (out[i * k + c] as number) + (t.values[leaf * k + c] as number);
        }
      }
    }
    const m = Math.max(1, this.trees.length);
    for (let q = 0; q < out.length; q++) {
      out[q] = (out[q] as number) / m;
    }
    return clipProba(out, k);
  }

  /**
   * Exports the state.
   *
   * @returns the state
   */
  state(): ModelState {
    return { kind: this.kind, nClasses: this.nClasses, trees: { ...packTrees(this.trees, this.nClasses) } };
  }

  /**
   * Rebuilds a forest from its state.
   *
   * @param s - the state
   * @returns the forest
   */
  static fromState(s: ModelState): ForestModel {
    return new ForestModel(s.kind, s.nClasses as number, unpackTrees(s.trees as unknown as PackedTrees));
  }
}

function gini(counts: Float64Array, off: number, k: number, total: number): number {
  if (total <= 0) {
    return 0;
  }
  let s = 0;
  for (let c = 0; c < k; c++) {
    const q = (counts[off + c] as number) / total;
    s += q * q;
  }
  return 1 - s;
}

interface TreeWork {
  bm: BinnedMatrix;
  y: Int32Array;
  k: number;
  mtry: number;
  extra: boolean;
  prm: ForestParams;
  rng: Rng;
}

/** One node waiting to be split: its rows are `idx[start, end)`. */
interface NodeJob {
  readonly node: number;
  readonly start: number;
  readonly end: number;
  readonly depth: number;
}

/** Buffers one tree reuses across its nodes. */
interface TreeScratch {
  readonly idx: Int32Array;
  readonly tmp: Int32Array;
  readonly perm: Int32Array;
  readonly hist: Float64Array;
  readonly leftC: Float64Array;
  readonly nodeC: Float64Array;
}

/** The best split found so far at a node: feature, bin (rows with bin ≤ it go left) and weighted Gini impurity. */
interface NodeSplit {
  feature: number;
  bin: number;
  imp: number;
}

function growTree(w: TreeWork, rowsIn: Int32Array, weight: Float64Array): FlatTree {
  const { bm, k, prm } = w;
  const builder = new TreeBuilder(k);
  const sc: TreeScratch = {
    idx: rowsIn.slice(),
    tmp: new Int32Array(rowsIn.length),
    perm: Int32Array.from({ length: bm.p }, (_, j) => j),
    hist: new Float64Array(Math.max(...Array.from(bm.nBins)) * k),
    leftC: new Float64Array(k),
    nodeC: new Float64Array(k),
  };
  const stack: NodeJob[] = [{ node: builder.addNode(), start: 0, end: sc.idx.length, depth: 0 }];
  while (stack.length > 0) {
    const job = stack.pop() as NodeJob;
    const tot = nodeCounts(w, sc, job, weight);
    const dist = Float64Array.from(sc.nodeC, (c) => c / tot);
    builder.setValues(job.node, dist);
    const pure = dist.some((v) => v === 1);
    if (pure || job.end - job.start < 2 * prm.minSamplesLeaf || (prm.maxDepth > 0 && job.depth >= prm.maxDepth)) {
      continue;
    }
    const best = chooseSplit(w, sc, job, weight, tot);
    if (best.feature < 0) {
      continue;
    }
    const wpos = partitionRows(bm, sc, job, best);
    if (wpos - job.start < prm.minSamplesLeaf || job.end - wpos < prm.minSamplesLeaf) {
      continue;
    }
    const [l, r] = builder.split(job.node, best.feature, (bm.edges[best.feature] as Float64Array)[best.bin] as number, best.bin);
    stack.push({ node: r, start: wpos, end: job.end, depth: job.depth + 1 });
    stack.push({ node: l, start: job.start, end: wpos, depth: job.depth + 1 });
  }
  return builder.finish();
}

/** Weighted class counts of a node's rows into `sc.nodeC`; returns their total weight. */
function nodeCounts(w: TreeWork, sc: TreeScratch, job: NodeJob, weight: Float64Array): number {
  const { y } = w;
  sc.nodeC.fill(0);
  let tot = 0;
  for (let r = job.start; r < job.end; r++) {
    const i = sc.idx[r] as number;
    const wi = weight[i] as number;
    sc.nodeC[y[i] as number] = (sc.nodeC[y[i] as number] as number) + wi;
    tot += wi;
  }
  return tot;
}

/**
 * Draws features without replacement until `mtry` non-constant ones were tried (as scikit-learn does) and keeps the
 * split with the lowest weighted Gini impurity below the parent's (feature −1 when none improves it).
 */
function chooseSplit(w: TreeWork, sc: TreeScratch, job: NodeJob, weight: Float64Array, tot: number): NodeSplit {
  const { bm, k, mtry, extra, rng } = w;
  const p = bm.p;
  const { perm } = sc;
  const best: NodeSplit = { feature: -1, bin: -1, imp: gini(sc.nodeC, 0, k, tot) - 1e-12 };
  let tried = 0;
  for (let q = 0; q < p && tried < mtry; q++) {
    const s = q + rng.int(p - q);
    const j = perm[s] as number;
    perm[s] = perm[q] as number;
    perm[q] = j;
    const [lo, hi] = binRange(bm, sc, job, j);
    if (lo >= hi) {
      continue;
    }
    tried++;
    if (extra) {
      tryRandomCut(w, sc, job, weight, tot, j, lo + rng.int(hi - lo), best);
    } else {
      tryEveryCut(w, sc, job, weight, tot, j, lo, hi, best);
    }
  }
  return best;
}

/** The lowest and highest bin of feature j among the node's rows. */
function binRange(bm: BinnedMatrix, sc: TreeScratch, job: NodeJob, j: number): [number, number] {
  const colOff = j * bm.n;
  let lo = 255;
  let hi = 0;
  for (let r = job.start; r < job.end; r++) {
    const b = bm.bins[colOff + (sc.idx[r] as number)] as number;
    if (b < lo) {
      lo = b;
    }
    if (b > hi) {
      hi = b;
    }
  }
  return [lo, hi];
}

/** Extra trees: scores the one random cut of feature j (both sides must keep `minSamplesLeaf` rows). */
function tryRandomCut(w: TreeWork, sc: TreeScratch, job: NodeJob, weight: Float64Array, tot: number, j: number, cut: number, best: NodeSplit): void {
  const { bm, y, k, prm } = w;
  const { leftC, nodeC } = sc;
  const colOff = j * bm.n;
  leftC.fill(0);
  let lt = 0;
  let ln = 0;
  for (let r = job.start; r < job.end; r++) {
    const i = sc.idx[r] as number;
    if ((bm.bins[colOff + i] as number) <= cut) {
      const wi = weight[i] as number;
      leftC[y[i] as number] = (leftC[y[i] as number] as number) + wi;
      lt += wi;
      ln++;
    }
  }
  const rn = job.end - job.start - ln;
  if (ln < prm.minSamplesLeaf || rn < prm.minSamplesLeaf) {
    return;
  }
  let rImp = 0;
  const rt = tot - lt;
  if (rt > 0) {
    let s2 = 0;
    for (let c = 0; c < k; c++) {
      const v = ((nodeC[c] as number) - (leftC[c] as number)) / rt;
      s2 += v * v;
    }
    rImp = 1 - s2;
  }
  const imp = (lt / tot) * gini(leftC, 0, k, lt) + (rt / tot) * rImp;
  if (imp < best.imp) {
    best.imp = imp;
    best.feature = j;
    best.bin = cut;
  }
}

/** Random forest: scores every cut of feature j between bins lo and hi from a class histogram of the node's rows. */
function tryEveryCut(w: TreeWork, sc: TreeScratch, job: NodeJob, weight: Float64Array, tot: number, j: number, lo: number, hi: number, best: NodeSplit): void {
  const { bm, y, k } = w;
  const { hist, leftC, nodeC } = sc;
  const colOff = j * bm.n;
  // Clear only the bins this node uses: small nodes would otherwise pay for the whole histogram.
  hist.fill(0, lo * k, (hi + 1) * k);
  for (let r = job.start; r < job.end; r++) {
    const i = sc.idx[r] as number;
    const b = bm.bins[colOff + i] as number;
    hist[b * k + (y[i] as number)] = (hist[b * k + (y[i] as number)] as number) + (weight[i] as number);
  }
  leftC.fill(0);
  let lt = 0;
  for (let b = lo; b < hi; b++) {
    for (let c = 0; c < k; c++) {
      const v = hist[b * k + c] as number;
      leftC[c] = (leftC[c] as number) + v;
      lt += v;
    }
    if (lt <= 0) {
      continue;
    }
    const rt = tot - lt;
    if (rt <= 0) {
      break;
    }
    let sl = 0;
    let sr = 0;
    for (let c = 0; c < k; c++) {
      const l = leftC[c] as number;
      const rr = (nodeC[c] as number) - l;
      sl += l * l;
      sr += rr * rr;
    }
    // Weighted Gini of the split: (lt·(1 − Σl²/lt²) + rt·(1 − Σr²/rt²)) / tot.
    const imp = (lt - sl / lt + rt - sr / rt) / tot;
    if (imp < best.imp) {
      best.imp = imp;
      best.feature = j;
      best.bin = b;
    }
  }
}

/** Stable partition of the node's rows: bin ≤ the split bin first; returns where the right child starts. */
function partitionRows(bm: BinnedMatrix, sc: TreeScratch, job: NodeJob, split: NodeSplit): number {
  const { idx, tmp } = sc;
  const colOff = split.feature * bm.n;
  let wpos = job.start;
  let tn = 0;
  for (let r = job.start; r < job.end; r++) {
    const i = idx[r] as number;
    if ((bm.bins[colOff + i] as number) <= split.bin) {
      idx[wpos++] = i;
    } else {
      tmp[tn++] = i;
    }
  }
  idx.set(tmp.subarray(0, tn), wpos);
  return wpos;
}

/**
 * Fits a random forest (`RF`) or extra trees (`XT`).
 *
 * @param kind - 'RF' or 'XT'
 * @param x - training matrix
 * @param y - class indices
 * @param ctx - classes, seed and time budget (trees stop being added when it is spent)
 * @param overrides - hyperparameters to change
 * @returns the fitted forest
 * @throws {@link HealthDataError} (invalid-input) when x and y differ in length
 */
export function fitForest(kind: 'RF' | 'XT', x: Matrix, y: Int32Array, ctx: FitContext, overrides: Partial<ForestParams> = {}): ForestModel {
  if (x.n !== y.length) {
    throw new HealthDataError('invalid-input', `fitForest: x has ${x.n} rows but y has ${y.length} labels; pass one label per row`);
  }
  const prm: ForestParams = { ...FOREST_DEFAULTS, ...overrides };
  const bm = binMatrix(x, prm.maxBins);
  const p = x.p;
  const mtry = prm.maxFeatures === 'sqrt' ? Math.max(1, Math.floor(Math.sqrt(p))) : prm.maxFeatures === 'log2' ? Math.max(1, Math.floor(Math.log2(p))) : Math.max(1, Math.floor(prm.maxFeatures * p));
  const rng = createRng(ctx.seed);
  const work: TreeWork = { bm, y, k: ctx.nClasses, mtry, extra: kind === 'XT', prm, rng };
  const n = x.n;
  const trees: FlatTree[] = [];
  const weight = new Float64Array(n);
  for (let m = 0; m < prm.nEstimators; m++) {
    if (m > 0 && ctx.shouldStop?.() === true) {
      break;
    }
    let rows: Int32Array;
    if (kind === 'RF') {
      weight.fill(0);
      for (let i = 0; i < n; i++) {
        const r = rng.int(n);
        weight[r] = (weight[r] as number) + 1;
      }
      const list: number[] = [];
      for (let i = 0; i < n; i++) {
        if ((weight[i] as number) > 0) {
          list.push(i);
        }
      }
      rows = Int32Array.from(list);
    } else {
      weight.fill(1);
      rows = new Int32Array(n);
      for (let i = 0; i < n; i++) {
        rows[i] = i;
      }
    }
    trees.push(growTree(work, rows, weight));
  }
  return new ForestModel(kind, ctx.nClasses, trees);
}
