/**
 * The library's seeded pseudo-random generators and seed derivation, each once. Two generator kernels live here, and
 * both stay, because existing outputs depend on their exact streams:
 *
 * - **sfc32** ({@link Sfc32}, Chris Doty-Humphrey's Small Fast Counting RNG; passes PractRand to 2^40 bytes): the
 *   cohort generator (`cohort/rng.ts`) and the MRI phantom (`cohort/mri/prng.ts`) — every generated file.
 * - **Mulberry32** ({@link mulberry32}): AutoML's folds, bagging, bootstraps and permutations (`automl/rng.ts`) and
 *   the dashboard's synthetic demo data — every model and metric a seed reproduces.
 *
 * Replacing one by the other would change every generated cohort or every fitted model for a given seed. The domain
 * modules only seed these kernels (each in its own documented way) and draw from them.
 *
 * Integer arithmetic on 32-bit words only (`Math.imul`, shifts): the same stream on every platform and Node version.
 */
import { fmix32, fnv1a32 } from './hash';

/**
 * An sfc32 generator: four 32-bit words of state, one counter.
 *
 * @example
 * ```ts
 * const g = new Sfc32(0x12345678, 0x9abcdef0, 0x0f1e2d3c, 1);
 * g.nextU32(); // an unsigned 32-bit integer
 * ```
 */
export class Sfc32 {
  private a: number;
  private b: number;
  private c: number;
  private d: number;

  /**
   * Starts a stream from its state (the caller seeds it and usually discards the first dozen outputs).
   *
   * @param a - first word
   * @param b - second word
   * @param c - third word
   * @param d - the counter
   */
  constructor(a: number, b: number, c: number, d: number) {
    this.a = a | 0;
    this.b = b | 0;
    this.c = c | 0;
    this.d = d | 0;
  }

  /**
   * Next unsigned 32-bit integer.
   *
   * @returns an integer in [0, 2^32)
   */
  nextU32(): number {
    const t = (((this.a + this.b) | 0) + this.d) | 0;
    this.d = (this.d + 1) | 0;
    this.a = this.b ^ (this.b >>> 9);
    this.b = (this.c + (this.c << 3)) | 0;
    this.c = (this.c << 21) | (this.c >>> 11);
    this.c = (this.c + t) | 0;
    return t >>> 0;
  }

  /**
   * Skips outputs (seeding: the first outputs of a fresh state are poorly mixed).
   *
   * @param n - how many
   */
  discard(n: number): void {
    for (let i = 0; i < n; i++) {
      this.nextU32();
    }
  }

  /**
   * Fills `out` with the next `out.length` outputs (the same ones {@link Sfc32.nextU32} would give), with the state
   * in locals: the MRI phantom's noise draws one per voxel.
   *
   * @param out - where the outputs go
   */
  fillU32(out: Uint32Array): void {
    let a = this.a;
    let b = this.b;
    let c = this.c;
    let d = this.d;
    for (let i = 0; i < out.length; i++) {
      const t = (((a + b) | 0) + d) | 0;
      d = (d + 1) | 0;
      a = b ^ (b >>> 9);
      b = (c + (c << 3)) | 0;
      c = (c << 21) | (c >>> 11);
      c = (c + t) | 0;
      out[i] = t;
    }
    this.a = a;
    this.b = b;
    this.c = c;
    this.d = d;
  }
}

/**
 * A Mulberry32 generator of uniform numbers in [0, 1) from its 32-bit state (the caller seeds it).
 *
 * @param state - the initial state (an unsigned 32-bit integer)
 * @returns the next uniform number on each call
 */
export function mulberry32(state: number): () => number {
  let a = state >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * A seed for a named stream: FNV-1a of the name mixed with the seed's two 32-bit halves by murmur3's finaliser, so
 * independent streams (`anatomy`, `noise`, `infarcts`…) never share state.
 *
 * @param seed - any finite number (integers are the expected input)
 * @param stream - the stream name
 * @returns an unsigned 32-bit integer
 */
export function streamSeed(seed: number, stream: string): number {
  const lo = seed >>> 0;
  const hi = Math.floor(seed / 4294967296) >>> 0;
  const h = fmix32(fnv1a32(stream) ^ lo);
  return fmix32(h ^ Math.imul(hi, 0x9e3779b1));
}

/**
 * A child seed from a parent seed and integer salts (fold k, model m…), so sub-tasks get independent yet
 * reproducible streams: each salt is folded in by murmur3's multiply-xorshift steps.
 *
 * @param seed - parent seed
 * @param salt - what the child is for
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
