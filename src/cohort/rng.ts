/**
 * Deterministic random numbers for the cohort generator.
 *
 * Every patient draws from its own stream, derived from (cohort seed, patient index, purpose), so the output of one
 * patient never depends on how many numbers another patient consumed: generation can stream patient by patient and
 * stays byte-identical for a given seed and size.
 */

import { fnv1a32 } from '../util/hash';
import { Sfc32 } from '../util/random';

/**
 * 32-bit FNV-1a hash of a string (used to derive stream seeds from labels): `util/hash.ts` {@link fnv1a32}.
 *
 * @param s - the string
 * @returns an unsigned 32-bit integer
 */
export function hashString(s: string): number {
  return fnv1a32(s);
}

/** A seeded random stream (the sfc32 kernel of `util/random.ts`, seeded from the cohort seed and a label). */
export class Rng {
  private readonly sfc: Sfc32;
  private spare: number | undefined;

  /**
   * Creates a stream from a seed and a label.
   *
   * @param seed - cohort seed (any non-negative integer)
   * @param label - what the stream is for, e.g. `patient:12:clinical`
   */
  constructor(seed: number, label = '') {
    this.sfc = new Sfc32(fnv1a32(`${String(seed)}|${label}`), fnv1a32(`${label}|${String(seed)}|b`), (seed >>> 0) ^ 0x9e3779b9, 1);
    this.sfc.discard(15);
  }

  /**
   * Next unsigned 32-bit integer.
   *
   * @returns an integer in [0, 2^32)
   */
  nextUint32(): number {
    return this.sfc.nextU32();
  }

  /**
   * Uniform in [0, 1).
   *
   * @returns the number
   */
  next(): number {
    return this.nextUint32() / 4294967296;
  }

  /**
   * Uniform in [lo, hi).
   *
   * @param lo - lower bound
   * @param hi - upper bound
   * @returns the number
   */
  uniform(lo: number, hi: number): number {
    return lo + (hi - lo) * this.next();
  }

  /**
   * Integer in [lo, hi] inclusive.
   *
   * @param lo - lower bound
   * @param hi - upper bound
   * @returns the integer
   */
  int(lo: number, hi: number): number {
    return lo + Math.floor(this.next() * (hi - lo + 1));
  }

  /**
   * True with probability p.
   *
   * @param p - probability
   * @returns the draw
   */
  chance(p: number): boolean {
    return this.next() < p;
  }

  /**
   * Standard normal (Box–Muller, caching the second value).
   *
   * @param mean - mean
   * @param sd - standard deviation
   * @returns the draw
   */
  normal(mean = 0, sd = 1): number {
    if (this.spare !== undefined) {
      const s = this.spare;
      this.spare = undefined;
      return mean + sd * s;
    }
    let u = this.next();
    while (u <= 1e-12) {
      u = this.next();
    }
    const v = this.next();
    const r = Math.sqrt(-2 * Math.log(u));
    this.spare = r * Math.sin(2 * Math.PI * v);
    return mean + sd * r * Math.cos(2 * Math.PI * v);
  }

  /**
   * Picks one element.
   *
   * @param items - non-empty list
   * @returns an element
   */
  pick<T>(items: readonly T[]): T {
    const v = items[Math.floor(this.next() * items.length)];
    if (v === undefined) {
      throw new RangeError('Rng.pick: empty list');
    }
    return v;
  }

  /**
   * Hex digits.
   *
   * @param n - number of digits
   * @returns lower-case hex
   */
  hex(n: number): string {
    let s = '';
    while (s.length < n) {
      s += this.nextUint32().toString(16).padStart(8, '0');
    }
    return s.slice(0, n);
  }

  /**
   * A Synthea-style UUID: 8-4-4-4-12 lower-case hex with no RFC 4122 version/variant bits (Coherent's are not v4).
   *
   * @returns the UUID
   */
  uuid(): string {
    const h = this.hex(32);
    return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
  }
}

/**
 * Logistic function.
 *
 * @param x - log-odds
 * @returns probability
 */
export function sigmoid(x: number): number {
  return 1 / (1 + Math.exp(-x));
}
