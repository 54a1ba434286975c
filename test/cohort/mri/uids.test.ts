import assert from 'node:assert/strict';
import { isValidDicomUid, mriFileName, mriUid, SYNTHEA_UID_ROOT } from '../../../src/cohort/mri/index';
import { createRng, hashSeed, inverseNormalCdf } from '../../../src/cohort/mri/prng';

describe('cohort/mri UIDs and file names', () => {
  it('makes valid, deterministic Synthea-root UIDs of at most 64 characters', () => {
    for (const seed of [0, 1, 42, 2 ** 31, Number.MAX_SAFE_INTEGER, -7]) {
      for (const kind of ['study', 'series', 'sop'] as const) {
        for (const n of [0, 1, 1278, Number.MAX_SAFE_INTEGER]) {
          const uid = mriUid(seed, kind, n);
          assert.ok(isValidDicomUid(uid), uid);
          assert.ok(uid.startsWith(`${SYNTHEA_UID_ROOT}.`));
          assert.ok(uid.length <= 64);
          assert.equal(mriUid(seed, kind, n), uid);
        }
      }
    }
    assert.match(mriUid(42, 'study', 7), /^1\.2\.840\.99999999\.[1-9]\d{7}\.7$/);
    assert.match(mriUid(42, 'series', 7), /^1\.2\.840\.99999999\.1\.[1-9]\d{7}\.7$/);
    assert.match(mriUid(42, 'sop', 7), /^1\.2\.840\.99999999\.1\.1\.[1-9]\d{7}\.7$/);
  });

  it('never repeats a UID across kinds and n for one seed', () => {
    const seen = new Set<string>();
    for (const kind of ['study', 'series', 'sop'] as const) {
      for (let n = 0; n < 2000; n++) {
        seen.add(mriUid(9, kind, n));
      }
    }
    assert.equal(seen.size, 6000);
    assert.notEqual(mriUid(9, 'study', 1), mriUid(10, 'study', 1));
  });

  it('rejects bad arguments', () => {
    for (const [seed, kind, n] of [
      [1.5, 'study', 1],
      [1, 'study', -1],
      [1, 'study', 0.5],
      [1, 'image', 1],
    ] as const) {
      assert.throws(
        () => mriUid(seed, kind as 'study', n),
        (e: unknown) => (e as { code?: string }).code === 'invalid-input',
      );
    }
  });

  it('validates the UID grammar (PS3.5 §9.1)', () => {
    assert.ok(isValidDicomUid('1.2.840.10008.1.2.1'));
    assert.ok(isValidDicomUid('0.0'));
    for (const bad of ['', '1', '1.02', '1..2', '1.2.', 'a.b', `1.${'2'.repeat(63)}`, '1.2 ']) {
      assert.equal(isValidDicomUid(bad), false, bad);
    }
  });

  it('names files like Coherent: <stem><StudyInstanceUID>.dcm, no separator', () => {
    const uid = mriUid(42, 'study', 3);
    const stem = 'Maurice742_Kerluke267_8b8f25df-81b5-1029-3439-98d1e4ea0241';
    assert.equal(mriFileName(stem, uid), `${stem}${uid}.dcm`);
    assert.throws(() => mriFileName(`fhir/${stem}`, uid), /bare file stem/);
    assert.throws(() => mriFileName(`${stem}.json`, uid), /bare file stem/);
    assert.throws(() => mriFileName(stem, '1.02'), /not a DICOM UID/);
  });
});

describe('cohort/mri PRNG', () => {
  it('gives reproducible, independent streams', () => {
    const a = createRng(5, 'noise');
    const b = createRng(5, 'noise');
    const c = createRng(5, 'anatomy');
    const xa = Array.from({ length: 8 }, () => a.nextU32());
    assert.deepEqual(
      Array.from({ length: 8 }, () => b.nextU32()),
      xa,
    );
    assert.notDeepEqual(
      Array.from({ length: 8 }, () => c.nextU32()),
      xa,
    );
    assert.notEqual(hashSeed(1, 'x'), hashSeed(2 ** 32 + 1, 'x'), 'the high half of the seed counts');
  });

  it('fillU32 continues the same sequence as nextU32', () => {
    const a = createRng(77, 's');
    const b = createRng(77, 's');
    const buf = new Uint32Array(10);
    b.fillU32(buf);
    assert.deepEqual(
      Array.from(buf),
      Array.from({ length: 10 }, () => a.nextU32()),
    );
    assert.equal(b.nextU32(), a.nextU32());
  });

  it('has a correct inverse normal CDF and normal deviates with unit variance', () => {
    assert.ok(Math.abs(inverseNormalCdf(0.975) - 1.959963985) < 1e-8);
    assert.ok(Math.abs(inverseNormalCdf(0.5)) < 1e-12);
    assert.ok(Math.abs(inverseNormalCdf(0.001) + 3.090232306) < 1e-8);
    const r = createRng(3, 'n');
    let s = 0;
    let s2 = 0;
    const n = 200_000;
    for (let i = 0; i < n; i++) {
      const z = r.normal();
      s += z;
      s2 += z * z;
    }
    assert.ok(Math.abs(s / n) < 0.01);
    assert.ok(Math.abs(s2 / n - 1) < 0.01);
    const u = createRng(3, 'u');
    let mean = 0;
    for (let i = 0; i < n; i++) {
      mean += u.next();
    }
    assert.ok(Math.abs(mean / n - 0.5) < 0.005);
  });
});
