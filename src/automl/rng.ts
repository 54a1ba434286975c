/**
 * A small seeded random number generator (Mulberry32) so every
 * model, fold split and bootstrap is reproducible from one integer seed. Math.random is never used in automl.
 */

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
  let a = (Math.imul(seed | 0, 0x9e3779b1) ^ 0x85ebca6b) >>> 0;
  const next = (): number => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
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
 * Derives a child seed, so sub-tasks (fold k, model m) get independent yet reproducible streams.
 *
 * @param seed - parent seed
 * @param salt - what the child is for (fold number, model index…)
 * @returns a 32-bit child seed
 */
export function deriveSeed(seed: number, ...salt: number[]): number {
  let h = (seed | 0) ^ 0x27d4eb2d;
  for (const s of salt) {
    h = Math.imul(h ^ (s | 0), 0x85ebca6b);
    h ^= h >>> 13;
    h = Math.imul(h, 0xc2b2ae35);
    h ^= h >>> 16;
  }
  return h >>> 0;
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
