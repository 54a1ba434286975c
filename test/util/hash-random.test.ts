import * as assert from 'node:assert/strict';
import { fmix32, fnv1a32, hash53 } from '../../src/util/hash';
import { deriveSeed, mulberry32, Sfc32, streamSeed } from '../../src/util/random';

const M32 = (1n << 32n) - 1n;

/** sfc32 in BigInt arithmetic (an independent spelling of the algorithm, not the Math.imul one under test). */
function* sfc32Reference(a0: number, b0: number, c0: number, d0: number): Generator<number> {
  let [a, b, c, d] = [a0, b0, c0, d0].map((x) => BigInt(x >>> 0));
  for (;;) {
    const t = (a! + b! + d!) & M32;
    d = (d! + 1n) & M32;
    a = b! ^ (b! >> 9n);
    b = (c! + (c! << 3n)) & M32;
    c = (((c! << 21n) | (c! >> 11n)) + t) & M32;
    yield Number(t);
  }
}

/** Mulberry32 in BigInt arithmetic. */
function* mulberry32Reference(state: number): Generator<number> {
  let a = BigInt(state >>> 0);
  const mul = (x: bigint, y: bigint): bigint => (x * y) & M32;
  for (;;) {
    a = (a + 0x6d2b79f5n) & M32;
    let t = mul(a ^ (a >> 15n), a | 1n);
    t = ((t + mul(t ^ (t >> 7n), t | 61n)) & M32) ^ t;
    yield Number((t ^ (t >> 14n)) & M32) / 4294967296;
  }
}

describe('util/hash: the library’s one FNV-1a, fmix32 and cyrb53', function () {
  it('FNV-1a 32 gives the published test vectors', () => {
    // From the FNV reference test suite (draft-eastlake-fnv, FNV-1a 32-bit).
    assert.equal(fnv1a32(''), 0x811c9dc5);
    assert.equal(fnv1a32('a'), 0xe40c292c);
    assert.equal(fnv1a32('foobar'), 0xbf9cf968);
  });

  it("fmix32 is murmur3's finaliser (fmix32(1) = 0x514e28b7; 0 stays 0; a bijection on a sample)", () => {
    assert.equal(fmix32(0), 0);
    assert.equal(fmix32(1), 0x514e28b7);
    const seen = new Set<number>();
    for (let i = 0; i < 100000; i++) {
      seen.add(fmix32(i * 2654435761));
    }
    assert.equal(seen.size, 100000);
  });

  it("cyrb53 gives its author's examples and stays below 2^53", () => {
    // github.com/bryc/code, jshash/experimental/cyrb53.js: cyrb53('a') and cyrb53('b').
    assert.equal(hash53('a'), 7929297801672961);
    assert.equal(hash53('b'), 8684336938537663);
    assert.notEqual(hash53('a', 1), hash53('a'));
    assert.ok(Number.isSafeInteger(hash53('x'.repeat(1000), 0xffffffff)) && hash53('y') >= 0);
  });
});

describe('util/random: the sfc32 and Mulberry32 kernels and seed derivation', function () {
  it('Sfc32 agrees with a BigInt spelling of sfc32, one by one and through fillU32', () => {
    for (const [a, b, c, d] of [
      [1, 2, 3, 4],
      [0xdeadbeef, 0xffffffff, 0x80000000, 1],
      [-1, -2, 7, 0],
    ] as const) {
      const g = new Sfc32(a, b, c, d);
      const ref = sfc32Reference(a, b, c, d);
      for (let i = 0; i < 1000; i++) {
        assert.equal(g.nextU32(), ref.next().value);
      }
      const out = new Uint32Array(777);
      g.fillU32(out);
      for (const x of out) {
        assert.equal(x, ref.next().value);
      }
      g.discard(5);
      for (let i = 0; i < 5; i++) {
        ref.next();
      }
      assert.equal(g.nextU32(), ref.next().value, 'fillU32 and discard leave the state where nextU32 would');
    }
    assert.deepEqual(
      Array.from(
        { length: 3 },
        (
          (g) => () =>
            g.nextU32()
        )(new Sfc32(1, 2, 3, 4)),
      ),
      [7, 34, 56623200],
    );
  });

  it('mulberry32 agrees with a BigInt spelling and stays in [0, 1)', () => {
    for (const seed of [0, 42, 0xffffffff]) {
      const g = mulberry32(seed);
      const ref = mulberry32Reference(seed);
      for (let i = 0; i < 2000; i++) {
        const x = g();
        assert.equal(x, ref.next().value);
        assert.ok(x >= 0 && x < 1);
      }
    }
  });

  it('streamSeed and deriveSeed are stable (they seed every generated file and model) and separate their inputs', () => {
    // Pinned: a change here changes every cohort, MRI and fitted model for a given seed.
    assert.equal(streamSeed(42, 'noise'), 1203953395);
    assert.equal(deriveSeed(42, 1, 2), 1087230081);
    assert.notEqual(streamSeed(42, 'noise'), streamSeed(42, 'anatomy'));
    assert.notEqual(streamSeed(42, 'noise'), streamSeed(42 + 2 ** 32, 'noise'), 'the high half of the seed counts');
    assert.notEqual(deriveSeed(42, 1, 2), deriveSeed(42, 2, 1));
    assert.equal(deriveSeed(42), (42 ^ 0x27d4eb2d) >>> 0);
  });
});
