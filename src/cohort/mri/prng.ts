/**
 * Seeded pseudo-random numbers for the MRI phantom.
 *
 * Everything here is integer arithmetic on 32-bit words (`Math.imul`, shifts), so the same seed gives the same stream
 * on every platform and Node version. The Gaussian table is built once with `Math.log`/`Math.sqrt`, which V8
 * implements with its own fdlibm port, so it is identical wherever this library runs. The generator kernel (sfc32) and
 * the hashes are the library's own (`util/random.ts`, `util/hash.ts`); this module seeds them for the phantom and
 * adds the table-based normal draws.
 */
import { fmix32 } from '../../util/hash';
import { normalQuantile } from '../../util/normal';
import { Sfc32, streamSeed } from '../../util/random';

export { hash53 } from '../../util/hash';
/** Φ⁻¹(p) by Acklam's rational approximation (`util/normal.ts`), enough for a noise table. */
export { normalQuantile as inverseNormalCdf } from '../../util/normal';

/** A stream of uniform numbers. */
export interface Rng {
  /** Next unsigned 32-bit integer. */
  nextU32(): number;
  /** Next float in [0, 1) with 32 bits of resolution. */
  next(): number;
  /** Next float in [lo, hi). */
  range(lo: number, hi: number): number;
  /** Next standard normal deviate (table-based, |z| ≤ 4.2). */
  normal(): number;
  /** Fills `out` with the next `out.length` unsigned 32-bit integers (the same ones `nextU32` would give), fast. */
  fillU32(out: Uint32Array): void;
}

/**
 * Hashes a seed and a stream name to a 32-bit integer (`util/random.ts` {@link streamSeed}: FNV-1a over the name,
 * mixed with the seed's two 32-bit halves by murmur3's finaliser), so independent streams (`anatomy`, `noise`,
 * `infarcts`…) never share state.
 *
 * @param seed - any finite number (integers are the expected input)
 * @param stream - the stream name
 * @returns an unsigned 32-bit integer
 */
export function hashSeed(seed: number, stream: string): number {
  return streamSeed(seed, stream);
}

let normalTable: Float32Array | undefined;

/**
 * The 65,536 quantiles Φ⁻¹((i + ½) / 65536) of the standard normal, so one 16-bit draw gives one normal deviate
 * without a logarithm per voxel (Box–Muller would cost ~40 ns per pair; this costs a table read). The discretisation
 * (and the tail cut at |z| ≈ 4.2) is invisible in image noise.
 *
 * @returns the shared table (do not modify it)
 */
export function gaussianTable(): Float32Array {
  if (normalTable === undefined) {
    const t = new Float32Array(65536);
    for (let i = 0; i < 65536; i++) {
      t[i] = normalQuantile((i + 0.5) / 65536);
    }
    normalTable = t;
  }
  return normalTable;
}

/**
 * Creates an sfc32 generator (Chris Doty-Humphrey's Small Fast Counting RNG; passes PractRand to 2^40+ bytes)
 * seeded from a seed and a stream name.
 *
 * @param seed - the study seed
 * @param stream - an independent stream name
 * @returns a {@link Rng}
 */
export function createRng(seed: number, stream: string): Rng {
  const a = hashSeed(seed, stream);
  const b = fmix32(a ^ 0x9e3779b9);
  const sfc = new Sfc32(a, b, fmix32(b ^ 0x7f4a7c15), 1);
  sfc.discard(12);
  const table = gaussianTable();
  let spare = -1;
  const nextU32 = (): number => sfc.nextU32();
  return {
    nextU32,
    fillU32: (out) => {
      sfc.fillU32(out);
    },
    next: () => nextU32() / 4294967296,
    range: (lo, hi) => lo + (hi - lo) * (nextU32() / 4294967296),
    normal: () => {
      if (spare >= 0) {
        const z = table[spare] ?? 0;
        spare = -1;
        return z;
      }
      const u = nextU32();
      spare = u & 0xffff;
      return table[u >>> 16] ?? 0;
    },
  };
}
