/**
 * Union–find over integer labels held in an `Int32Array` of parents (a root is its own parent), the lower root kept
 * on a join so a set's root is its first label in scan order. Used by the brain masks' connected runs and the
 * radiomics size zones.
 */

/**
 * The root of label `x`, halving the path on the way.
 *
 * @param parent - parents (changed: path halving)
 * @param x - a label
 * @returns its set's root
 */
export function unionRoot(parent: Int32Array, x: number): number {
  let r = x;
  let p = parent[r] ?? r;
  while (p !== r) {
    const g = parent[p] ?? p;
    parent[r] = g;
    r = g;
    p = parent[r] ?? r;
  }
  return r;
}

/**
 * Joins the sets of labels `a` and `b`: the larger root points to the smaller.
 *
 * @param parent - parents (changed)
 * @param a - a label
 * @param b - another label
 * @returns the joined set's root
 */
export function unionJoin(parent: Int32Array, a: number, b: number): number {
  const ra = unionRoot(parent, a);
  const rb = unionRoot(parent, b);
  if (ra < rb) {
    parent[rb] = ra;
    return ra;
  }
  if (rb < ra) {
    parent[ra] = rb;
  }
  return rb;
}
