import { strict as assert } from 'node:assert';
import { parseCsvRows } from '../../src/formats/csv';

describe('parseCsvRows (RFC 4180)', () => {
  it('splits records on LF and CRLF, keeps quoted commas, quotes and line breaks', () => {
    assert.deepEqual(parseCsvRows('a,b\r\n"x, y","say ""hi"""\n"two\nlines",\n'), [
      ['a', 'b'],
      ['x, y', 'say "hi"'],
      ['two\nlines', ''],
    ]);
  });

  it('counts a last record without a line break, and an empty line as one empty cell', () => {
    assert.deepEqual(parseCsvRows('1,2\n\n3'), [['1', '2'], [''], ['3']]);
    assert.deepEqual(parseCsvRows(''), []);
  });
});
