import assert from 'node:assert/strict';
import { longFunctions } from './function-length';

/** The longest a function in src/ may be, in source lines (issue #17: split longer ones into named phases). */
const LIMIT = 100;

describe('architecture: function length in src/', function () {
  it(`has no function over ${String(LIMIT)} lines`, function () {
    assert.deepEqual(
      longFunctions(LIMIT).map((f) => `${f.where} (${String(f.lines)} lines)`),
      [],
      'split the function into named phases (list them with node --import tsx test/architecture/function-length.ts)',
    );
  });

  it('measures functions (the scanner sees methods and arrows; the check can fail)', function () {
    const long = longFunctions(60);
    assert.ok(long.length > 0 && long.every((f) => f.where.startsWith('src/') && f.lines > 60));
  });
});
