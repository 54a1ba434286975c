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

/**
 * Appends every item to the end of `target`, one at a time. Unlike `target.push(...items)`, which passes each item as
 * a call argument and throws "Maximum call stack size exceeded" beyond a few hundred thousand, it takes any length.
 *
 * @param target - the array to grow
 * @param items - the items to add, in order
 * @example
 * ```ts
 * const rows = [1];
 * appendAll(rows, [2, 3]); // rows is [1, 2, 3]
 * ```
 */
export function appendAll<T>(target: T[], items: Iterable<T>): void {
  for (const item of items) {
    target.push(item);
  }
}

/**
 * The smallest and largest of some numbers, read in one pass whatever their count (`Math.min(...nums)` throws
 * beyond a few hundred thousand arguments). Like `Math.min` and `Math.max`, a NaN anywhere makes both NaN, and no
 * numbers give `Infinity` and `-Infinity`.
 *
 * @param nums - the numbers
 * @returns their minimum and maximum
 * @example
 * ```ts
 * numericRange([3, 1, 2]); // { min: 1, max: 3 }
 * ```
 */
export function numericRange(nums: Iterable<number>): { readonly min: number; readonly max: number } {
  let min = Infinity;
  let max = -Infinity;
  for (const x of nums) {
    min = Math.min(min, x);
    max = Math.max(max, x);
  }
  return { min, max };
}
