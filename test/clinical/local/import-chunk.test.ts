import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { MAX_RESOURCE_BYTES, processChunk } from '../../../src/clinical/local/import-chunk';
import { tmpDir } from '../fixtures/helpers';

describe('processChunk: lines over the size limit', () => {
  it('refuses an oversize resource line as too-large by its byte length, skips an oversize blank line, and keeps the rest', () => {
    const dir = tmpDir('mmh-chunk-');
    const patient = (id: string, text = ''): string => JSON.stringify({ resourceType: 'Patient', id, ...(text === '' ? {} : { text: { status: 'generated', div: text } }) });
    const huge = patient('big', 'A'.repeat(MAX_RESOURCE_BYTES));
    const lines = [patient('a'), huge, ' '.repeat(MAX_RESOURCE_BYTES + 1), patient('b')];
    const bytes = Buffer.from(`${lines.join('\n')}\n`);
    const r = processChunk({ seq: 0, file: 'Patient.ndjson', startLine: 1, bytes, stagingPrefix: path.join(dir, 'c0'), level: 'structure-only' });
    assert.equal(r.scanned, 3, 'the blank line is not scanned');
    assert.equal(r.accepted, 2);
    assert.equal(r.failed, 1);
    const failure = JSON.parse(r.failureText) as { line: number; reason: string };
    assert.equal(failure.line, 2);
    assert.match(failure.reason, new RegExp(`^too-large: the line is ${String(Buffer.byteLength(huge))} bytes; one resource may be at most ${String(MAX_RESOURCE_BYTES)} bytes`));
    assert.equal(r.scanned, r.accepted + r.failed);
    assert.equal(
      fs
        .readFileSync(path.join(dir, 'c0.res'), 'utf8')
        .split('\n')
        .filter((l) => l !== '').length,
      2,
    );
    fs.rmSync(dir, { recursive: true, force: true });
  });
});
