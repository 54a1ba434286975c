/**
 * A decision tree stored in flat typed arrays (fast to walk, trivial to save). A node with `feature < 0` is a leaf;
 * its `width` values start at `values[node * width]`.
 */
import type { Matrix } from '../types';

/** A fitted tree. */
export interface FlatTree {
  /** Split feature per node, −1 for leaves. */
  readonly feature: Int32Array;
  /** Split threshold per node: go left when x ≤ threshold. */
  readonly threshold: Float64Array;
  /** Left child per node. */
  readonly left: Int32Array;
  /** Right child per node. */
  readonly right: Int32Array;
  /** Leaf values, `width` per node. */
  readonly values: Float64Array;
  /** Number of values per leaf (1 for a boosted tree, K classes for a forest tree). */
  readonly width: number;
}

/** Grows a tree node by node; `finish` returns the flat arrays. */
export class TreeBuilder {
  private feature: number[] = [];
  private threshold: number[] = [];
  private binThreshold: number[] = [];
  private left: number[] = [];
  private right: number[] = [];
  private values: number[] = [];

  /**
   * @param width - values per leaf
   */
  constructor(readonly width: number) {}

  /**
   * Adds a leaf node.
   *
   * @returns its id
   */
  addNode(): number {
    this.feature.push(-1);
    this.threshold.push(0);
    this.binThreshold.push(0);
    this.left.push(-1);
    this.right.push(-1);
    for (let k = 0; k < this.width; k++) {
      this.values.push(0);
    }
    return this.feature.length - 1;
  }

  /**
   * Turns a leaf into a split and creates its two children.
   *
   * @param node - the leaf id
   * @param feature - split feature
   * @param threshold - real threshold (x ≤ threshold goes left)
   * @param bin - the same threshold as a bin index
   * @returns the ids of the left and right children
   */
  split(node: number, feature: number, threshold: number, bin: number): [number, number] {
    const l = this.addNode();
    const r = this.addNode();
    this.feature[node] = feature;
    this.threshold[node] = threshold;
    this.binThreshold[node] = bin;
    this.left[node] = l;
    this.right[node] = r;
    return [l, r];
  }

  /**
   * Sets a leaf's values.
   *
   * @param node - the leaf id
   * @param v - `width` values
   */
  setValues(node: number, v: ArrayLike<number>): void {
    for (let k = 0; k < this.width; k++) {
      this.values[node * this.width + k] = v[k] as number;
    }
  }

  /**
   * Leaf reached by a binned row (used during training, before thresholds are needed).
   *
   * @param bins - column-major bins
   * @param n - rows of the binned matrix
   * @param i - row
   * @returns the leaf id
   */
  leafOfBinned(bins: Uint8Array, n: number, i: number): number {
    let node = 0;
    for (;;) {
      const f = this.feature[node] as number;
      if (f < 0) {
        return node;
      }
      node = (bins[f * n + i] as number) <= (this.binThreshold[node] as number) ? (this.left[node] as number) : (this.right[node] as number);
    }
  }

  /**
   * Value of a leaf.
   *
   * @param node - leaf id
   * @param k - value index
   * @returns the value
   */
  value(node: number, k = 0): number {
    return this.values[node * this.width + k] as number;
  }

  /**
   * Returns the finished tree.
   *
   * @returns the flat arrays
   */
  finish(): FlatTree {
    return {
      feature: Int32Array.from(this.feature),
      threshold: Float64Array.from(this.threshold),
      left: Int32Array.from(this.left),
      right: Int32Array.from(this.right),
      values: Float64Array.from(this.values),
      width: this.width,
    };
  }
}

/**
 * Leaf reached by row i of a raw matrix.
 *
 * @param t - the tree
 * @param x - the matrix
 * @param i - row
 * @returns the leaf id
 */
export function leafOf(t: FlatTree, x: Matrix, i: number): number {
  const base = i * x.p;
  let node = 0;
  for (;;) {
    const f = t.feature[node] as number;
    if (f < 0) {
      return node;
    }
    node = (x.data[base + f] as number) <= (t.threshold[node] as number) ? (t.left[node] as number) : (t.right[node] as number);
  }
}

/** Many trees packed into one set of arrays (for saving). */
export interface PackedTrees {
  /** Node offset of each tree, plus the total at the end. */
  readonly offsets: Int32Array;
  /** Concatenated split features. */
  readonly feature: Int32Array;
  /** Concatenated thresholds. */
  readonly threshold: Float64Array;
  /** Concatenated left children (tree-local ids). */
  readonly left: Int32Array;
  /** Concatenated right children (tree-local ids). */
  readonly right: Int32Array;
  /** Concatenated leaf values. */
  readonly values: Float64Array;
  /** Values per leaf. */
  readonly width: number;
}

/**
 * Packs trees for saving.
 *
 * @param trees - trees of the same width
 * @param width - values per leaf
 * @returns the packed arrays
 */
export function packTrees(trees: readonly FlatTree[], width: number): PackedTrees {
  const offsets = new Int32Array(trees.length + 1);
  trees.forEach((t, k) => {
    offsets[k + 1] = (offsets[k] as number) + t.feature.length;
  });
  const total = offsets[trees.length] as number;
  const feature = new Int32Array(total);
  const threshold = new Float64Array(total);
  const left = new Int32Array(total);
  const right = new Int32Array(total);
  const values = new Float64Array(total * width);
  trees.forEach((t, k) => {
    const o = offsets[k] as number;
    feature.set(t.feature, o);
    threshold.set(t.threshold, o);
    left.set(t.left, o);
    right.set(t.right, o);
    values.set(t.values, o * width);
  });
  return { offsets, feature, threshold, left, right, values, width };
}

/**
 * Unpacks trees saved with {@link packTrees}.
 *
 * @param p - the packed arrays
 * @returns the trees
 */
export function unpackTrees(p: PackedTrees): FlatTree[] {
  const out: FlatTree[] = [];
  for (let k = 0; k + 1 < p.offsets.length; k++) {
    const a = p.offsets[k] as number;
    const b = p.offsets[k + 1] as number;
    out.push({
      feature: p.feature.slice(a, b),
      threshold: p.threshold.slice(a, b),
      left: p.left.slice(a, b),
      right: p.right.slice(a, b),
      values: p.values.slice(a * p.width, b * p.width),
      width: p.width,
    });
  }
  return out;
}
