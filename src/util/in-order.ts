/**
 * Bounded concurrency with ordered results: what the AutoML evaluation uses to keep two fits in flight (one on the
 * main thread's preprocessing and decisions while the other's models fit in the worker threads) without letting the
 * scheduling change any result.
 */

/**
 * Runs `work` on every item with at most `limit` running at once, and hands the results to `consume` in item order
 * as soon as every earlier item is done (so sums over items, and so the result, do not depend on which item finished
 * first; finished results are released in order rather than all kept to the end). After a failure (of `work` or of
 * `consume`) no new item starts; the items already running are waited for, so when the call settles nothing it
 * started is still running (a caller may close what the work uses), and the first error is the one thrown.
 *
 * @param items - the items
 * @param limit - most items in flight (at least 1)
 * @param work - the work per item
 * @param consume - receives each result, in item order
 */
export async function inOrder<T, R>(items: readonly T[], limit: number, work: (item: T) => Promise<R>, consume: (item: T, result: R) => void): Promise<void> {
  const done = new Map<number, R>();
  let next = 0;
  let emitted = 0;
  const drain = (): void => {
    while (done.has(emitted)) {
      consume(items[emitted] as T, done.get(emitted) as R);
      done.delete(emitted);
      emitted++;
    }
  };
  // Read through a function: another runner may set it while this one awaits, which narrowing would not see.
  const state: { failure?: { readonly error: unknown } } = {};
  const failed = (): boolean => state.failure !== undefined;
  const runner = async (): Promise<void> => {
    while (next < items.length && !failed()) {
      const i = next++;
      try {
        done.set(i, await work(items[i] as T));
        if (!failed()) {
          drain();
        }
      } catch (error) {
        state.failure ??= { error };
      }
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(limit, items.length)) }, runner));
  if (state.failure !== undefined) {
    throw state.failure.error;
  }
}

/**
 * {@link inOrder} collecting the results.
 *
 * @param items - the items
 * @param limit - most items in flight
 * @param work - the work per item
 * @returns the results, in item order
 */
export async function mapInOrder<T, R>(items: readonly T[], limit: number, work: (item: T) => Promise<R>): Promise<R[]> {
  const out: R[] = [];
  await inOrder(items, limit, work, (_, r) => out.push(r));
  return out;
}
