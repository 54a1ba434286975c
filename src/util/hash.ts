/**
 * The library's non-cryptographic hashes, each once: FNV-1a (32-bit) of a string, murmur3's 32-bit finaliser, and
 * cyrb53 (a 53-bit string hash). They derive stream seeds, stable per-patient choices and UID components, so their
 * output is part of every generated file: never change one — add a new function instead. Integer arithmetic on
 * 32-bit words only (`Math.imul`, shifts): the same value on every platform and Node version.
 *
 * For content digests (a file's identity, an import fingerprint) use `node:crypto` (SHA-256), not these.
 */

/** FNV-1a 32-bit offset basis. */
const FNV_OFFSET = 0x811c9dc5;
/** FNV-1a 32-bit prime. */
const FNV_PRIME = 0x01000193;

/**
 * 32-bit FNV-1a of a string's UTF-16 code units.
 *
 * @param text - the string
 * @returns an unsigned 32-bit integer
 * @example
 * ```ts
 * fnv1a32('a'); // 0xe40c292c
 * ```
 */
export function fnv1a32(text: string): number {
  let h = FNV_OFFSET;
  for (let i = 0; i < text.length; i++) {
    h = Math.imul(h ^ text.charCodeAt(i), FNV_PRIME);
  }
  return h >>> 0;
}

/**
 * murmur3's 32-bit finaliser (`fmix32`): a bijection on 32-bit words that spreads every input bit over the output.
 *
 * @param x - a 32-bit word (higher bits are dropped)
 * @returns an unsigned 32-bit integer
 */
export function fmix32(x: number): number {
  let h = x;
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

/**
 * A 53-bit string hash (cyrb53: two multiply-xor lanes over UTF-16 code units), for identifiers that need more than
 * 32 bits to stay unique.
 *
 * @param text - the text to hash
 * @param salt - a 32-bit salt
 * @returns a non-negative safe integer below 2^53
 */
export function hash53(text: string, salt = 0): number {
  let h1 = 0xdeadbeef ^ salt;
  let h2 = 0x41c6ce57 ^ salt;
  for (let i = 0; i < text.length; i++) {
    const ch = text.charCodeAt(i);
    h1 = Math.imul(h1 ^ ch, 2654435761);
    h2 = Math.imul(h2 ^ ch, 1597334677);
  }
  h1 = Math.imul(h1 ^ (h1 >>> 16), 2246822507) ^ Math.imul(h2 ^ (h2 >>> 13), 3266489909);
  h2 = Math.imul(h2 ^ (h2 >>> 16), 2246822507) ^ Math.imul(h1 ^ (h1 >>> 13), 3266489909);
  return 4294967296 * (2097151 & h2) + (h1 >>> 0);
}
