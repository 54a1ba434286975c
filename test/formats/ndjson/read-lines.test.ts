import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { readNdjsonLines, toNdjson } from '../../../src/formats/ndjson/read-lines';
import { REFERENCE_DATA } from '../../helpers/reference-data';

async function collect(file: string, chunkBytes?: number): Promise<{ line: number; text: string; bytes: number }[]> {
  const out = [];
  for await (const l of readNdjsonLines(file, chunkBytes === undefined ? {} : { chunkBytes })) {
    out.push(l);
  }
  return out;
}

describe('readNdjsonLines', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mmh-ndjson-'));

  it('yields non-blank lines with 1-based file line numbers, across CRLF, blank lines and chunk borders', async () => {
    const file = path.join(dir, 'a.ndjson');
    const text = '{"a":1}\r\n\n{"b":"é"}\n   \n{"c":3}';
    fs.writeFileSync(file, text);
    for (const chunk of [3, 5, 7, 1024]) {
      const lines = await collect(file, chunk);
      assert.deepEqual(
        lines.map((l) => [l.line, l.text]),
        [
          [1, '{"a":1}'],
          [3, '{"b":"é"}'],
          [5, '{"c":3}'],
        ],
        `chunk ${chunk}`,
      );
    }
  });

  it('counts bytes so that scanned size matches the file (real Synthea NDJSON)', async () => {
    const file = path.join(REFERENCE_DATA, 'synthea-fhir/ndjson-r4-10-patients/Condition.000.ndjson');
    const lines = await collect(file, 64 * 1024);
    assert.equal(lines.length, 555);
    assert.equal(
      lines.reduce((a, l) => a + l.bytes, 0),
      fs.statSync(file).size,
    );
    for (const l of lines) {
      assert.equal((JSON.parse(l.text) as { resourceType: string }).resourceType, 'Condition');
    }
  });

  it('round-trips toNdjson and fails clearly on a missing file', async () => {
    const file = path.join(dir, 'b.ndjson');
    fs.writeFileSync(file, toNdjson([{ x: 1 }, { y: 'a\nb' }]));
    assert.deepEqual(
      (await collect(file)).map((l) => JSON.parse(l.text) as unknown),
      [{ x: 1 }, { y: 'a\nb' }],
    );
    await assert.rejects(collect(path.join(dir, 'missing.ndjson')), (e: { code?: string }) => e.code === 'not-found');
  });
});
