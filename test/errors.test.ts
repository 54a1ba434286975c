import assert from 'node:assert/strict';
import { HealthDataError, isHealthDataError, normalizeErrorString } from '../src/errors';

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
});
