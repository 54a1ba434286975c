import assert from 'node:assert/strict';
import { longFunctions } from './function-length';

/** The longest a function in src/ may be, in source lines (issue #17: split longer ones into named phases). */
const LIMIT = 100;

/**
 * Functions over the limit that predate this check. The list only shrinks: the test fails on a new long function and
 * on an entry that is no longer long (remove it when you split the function).
 */
const KNOWN_LONG: readonly string[] = [
];

describe('architecture: function length in src/', function () {
  const long = longFunctions(LIMIT).map((f) => f.where);

  it(`has no function over ${LIMIT} lines beyond the listed ones`, function () {
    assert.deepEqual(
      long.filter((w) => !KNOWN_LONG.includes(w)),
      [],
      'split the function into named phases (list them with node --import tsx test/architecture/function-length.ts)',
    );
  });

  it('lists no function that is no longer long (the list only shrinks)', function () {
    assert.deepEqual(
      KNOWN_LONG.filter((w) => !long.includes(w)),
      [],
      'remove the entry from KNOWN_LONG',
    );
  });

  it('measures a long function (the scanner sees methods and arrows)', function () {
    assert.ok(longFunctions(20).some((f) => f.where.startsWith('src/')));
  });
});
