import assert from 'node:assert/strict';
import { HealthDataError, isHealthDataError, normalizeErrorString, unexpectedErrorTrace } from '../src/errors';

describe('errors', () => {
  it('derives fault from the code and keeps path and cause', () => {
    const cause = new Error('inner');
    const e = new HealthDataError('locked', 'sql: busy', { path: '/x', cause });
    assert.equal(e.fault, 'backend');
    assert.equal(e.path, '/x');
    assert.equal(e.cause, cause);
    assert.equal(new HealthDataError('invalid-input', 'bad').fault, 'input');
  });

  it('recognises errors by shape, not class', () => {
    assert.equal(isHealthDataError(new HealthDataError('not-found', 'x')), true);
    assert.equal(isHealthDataError({ name: 'HealthDataError', code: 'not-found', message: 'x' }), true);
    assert.equal(isHealthDataError(new Error('x')), false);
    assert.equal(isHealthDataError(null), false);
  });

  it('normalizes anything thrown to one line', () => {
    assert.equal(normalizeErrorString(new HealthDataError('not-found', 'gone')), '[not-found] gone');
    assert.equal(normalizeErrorString(new Error('plain')), 'plain');
    assert.equal(normalizeErrorString('text'), 'text');
    assert.equal(normalizeErrorString({ a: 1 }), '{"a":1}');
    assert.equal(normalizeErrorString(undefined), 'undefined');
  });

  it('gives where an unexpected error was thrown, and nothing for expected errors', () => {
    function recurse(n: number): number {
      return n <= 0 ? [0].concat(...new Array<number[]>(1_000_000).fill([1])).length : recurse(n - 1);
    }
    let overflow: unknown;
    try {
      recurse(3);
    } catch (e) {
      overflow = e;
    }
    assert.ok(overflow instanceof RangeError);
    const trace = unexpectedErrorTrace(overflow);
    assert.ok(trace !== undefined);
    const lines = trace.split('\n');
    assert.ok(lines.length >= 2 && lines.length <= 8, trace);
    assert.ok(lines.every((l) => /^\s+at /.test(l)));
    assert.match(trace, /recurse .*errors\.test\.ts/);
    assert.equal(unexpectedErrorTrace(new HealthDataError('invalid-input', 'bad row')), undefined);
    assert.equal(unexpectedErrorTrace('text'), undefined);
    const bare = new Error('no stack');
    bare.stack = undefined;
    assert.equal(unexpectedErrorTrace(bare), undefined);
  });
});
