/**
 * AutoML's seeded random numbers, so every model, fold split and bootstrap is reproducible from one integer seed:
 * the Mulberry32 kernel of `util/random.ts`, seeded here, with integer and normal draws. Math.random is never used
 * in automl.
 */
import { mulberry32 } from '../util/random';

export { deriveSeed } from '../util/random';

/** A seeded source of uniform numbers in [0, 1). */
export interface Rng {
  /** Next uniform number in [0, 1). */
  next(): number;
  /**
   * Next integer in [0, n).
   *
   * @param n - exclusive upper bound (≥ 1)
   */
  int(n: number): number;
  /** Standard normal deviate (Box–Muller). */
  normal(): number;
}

/**
 * Creates a Mulberry32 generator from a 32-bit seed.
 *
 * @param seed - any integer; the same seed gives the same stream
 * @returns the generator
 * @example
 * ```ts
 * const rng = createRng(42);
 * rng.int(10); // same value on every run
 * ```
 */
export function createRng(seed: number): Rng {
  const next = mulberry32((Math.imul(seed | 0, 0x9e3779b1) ^ 0x85ebca6b) >>> 0);
  return {
    next,
    int: (n: number) => Math.floor(next() * n),
    normal: () => {
      const u = 1 - next();
      const v = next();
      return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
    },
  };
}

/**
 * Shuffles an array in place (Fisher–Yates).
 *
 * @param arr - the array to shuffle
 * @param rng - the generator
 * @returns the same array
 */
export function shuffleInPlace<T extends { length: number; [i: number]: number }>(arr: T, rng: Rng): T {
  for (let i = arr.length - 1; i > 0; i--) {
    const j = rng.int(i + 1);
    const t = arr[i] as number;
    arr[i] = arr[j] as number;
    arr[j] = t;
  }
  return arr;
}
