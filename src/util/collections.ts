/**
 * Small collection helpers the layers share.
 */

/**
 * Groups items by a key, keeping the first-seen order of the keys and the input order within each group.
 *
 * @param items - the items
 * @param key - an item's group
 * @returns key → the items with that key
 * @example
 * ```ts
 * groupBy([{ t: 'a' }, { t: 'b' }, { t: 'a' }], (x) => x.t); // Map { 'a' => [1st, 3rd], 'b' => [2nd] }
 * ```
 */
export function groupBy<T, K>(items: Iterable<T>, key: (item: T) => K): Map<K, T[]> {
  const out = new Map<K, T[]>();
  for (const item of items) {
    const k = key(item);
    const list = out.get(k);
    if (list === undefined) {
      out.set(k, [item]);
    } else {
      list.push(item);
    }
  }
  return out;
}
