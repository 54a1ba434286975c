import assert from 'node:assert/strict';
import { defaultHoldoutFrac, repeatedStratifiedSplits, stratifiedFolds, stratifiedHoldout } from '../../src/automl/cv';

describe('automl cross-validation folds', () => {
  const y = Int32Array.from({ length: 103 }, (_, i) => (i % 10 < 3 ? 1 : i % 10 < 4 ? 2 : 0));

  it('stratifies: every fold holds each class within one row of its share', () => {
    const folds = stratifiedFolds(y, 5, 1);
    for (const c of [0, 1, 2]) {
      const total = y.filter((v) => v === c).length;
      for (let f = 0; f < 5; f++) {
        const inFold = [...y.keys()].filter((i) => folds[i] === f && y[i] === c).length;
        assert.ok(Math.abs(inFold - total / 5) <= 1, `class ${c} fold ${f}: ${inFold} of ${total}`);
      }
    }
    const sizes = [0, 1, 2, 3, 4].map((f) => folds.filter((v) => v === f).length);
    assert.ok(Math.max(...sizes) - Math.min(...sizes) <= 1, String(sizes));
  });

  it('is deterministic with a seed and changes with another seed', () => {
    assert.deepEqual(stratifiedFolds(y, 5, 7), stratifiedFolds(y, 5, 7));
    assert.notDeepEqual(stratifiedFolds(y, 5, 7), stratifiedFolds(y, 5, 8));
  });

  it('repeated splits test every row exactly once per repeat, and repeats differ', () => {
    const splits = repeatedStratifiedSplits(y, 4, 3, 2);
    assert.equal(splits.length, 12);
    for (let r = 0; r < 3; r++) {
      const seen = new Int32Array(y.length);
      for (const s of splits.filter((q) => q.repeat === r)) {
        assert.equal(s.train.length + s.test.length, y.length);
        for (const i of s.test) {
          seen[i] = seen[i]! + 1;
        }
        const trainSet = new Set(s.train);
        assert.ok([...s.test].every((i) => !trainSet.has(i)));
      }
      assert.ok(seen.every((v) => v === 1));
    }
    assert.notDeepEqual(splits[0]!.test, splits[4]!.test);
  });

  it('holdout is stratified; the default share follows AutoGluon', () => {
    const { train, holdout } = stratifiedHoldout(y, 0.2, 3);
    assert.equal(train.length + holdout.length, y.length);
    for (const c of [0, 1, 2]) {
      const total = y.filter((v) => v === c).length;
      const held = [...holdout].filter((i) => y[i] === c).length;
      assert.equal(held, Math.max(1, Math.round(total * 0.2)));
    }
    assert.equal(defaultHoldoutFrac(151), 0.2);
    assert.equal(defaultHoldoutFrac(4000), 0.125);
    assert.equal(defaultHoldoutFrac(100000), 0.025);
  });

  it('rejects k out of range', () => {
    assert.throws(
      () => stratifiedFolds(y, 1, 0),
      (e: unknown) => (e as { code: string }).code === 'invalid-input',
    );
    assert.throws(() => stratifiedFolds(y, 500, 0), /between 2 and the row count/);
  });
});
