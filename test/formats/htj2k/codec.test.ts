import assert from 'node:assert/strict';
import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as zlib from 'node:zlib';
import { isHealthDataError } from '../../../src/errors';
import { decodeHtj2k, encodeHtj2k, pixelCrc32 } from '../../../src/formats/htj2k';
import { REFERENCE_DATA } from '../../helpers/reference-data';

const REF = path.join(REFERENCE_DATA, 'htj2k');

function csv(): Record<string, string>[] {
  const lines = fs.readFileSync(path.join(REF, 'expected_htj2k.csv'), 'utf8').trim().split('\n');
  const head = (lines[0] ?? '').split(',');
  return lines.slice(1).map((l) => {
    const cells: string[] = [];
    let cur = '';
    let q = false;
    for (const ch of l) {
      if (ch === '"') {
        q = !q;
      } else if (ch === ',' && !q) {
        cells.push(cur);
        cur = '';
      } else {
        cur += ch;
      }
    }
    cells.push(cur);
    return Object.fromEntries(cells.map((v, i) => [head[i] ?? String(i), v]));
  });
}

const minOf = (a: ArrayLike<number>): number => Array.from(a).reduce((m, v) => Math.min(m, v), Infinity);
const maxOf = (a: ArrayLike<number>): number => Array.from(a).reduce((m, v) => Math.max(m, v), -Infinity);

describe('formats/htj2k codec against reference-data/htj2k', () => {
  for (const row of csv()) {
    it(`${row.file ?? '?'} decodes to the expected pixels`, async () => {
      const bytes = fs.readFileSync(path.join(REF, path.basename(row.file ?? '')));
      const d = await decodeHtj2k(bytes);
      assert.equal(d.info.width, Number(row.width));
      assert.equal(d.info.height, Number(row.height));
      assert.equal(d.info.isSigned, row.signed === 'True');
      assert.equal(d.reversible, true);
      const px = d.pixels;
      assert.equal(
        crypto
          .createHash('sha256')
          .update(new Uint8Array(px.buffer, px.byteOffset, px.byteLength))
          .digest('hex'),
        row.decoded_sha256,
      );
      assert.equal(minOf(px), Number(row.decoded_min));
      assert.equal(maxOf(px), Number(row.decoded_max));
      assert.equal(px[0], Number(row.pixel_0_0));
      const expectedRow = JSON.parse(row.pixel_row256_cols250_255 ?? '[]') as number[];
      assert.deepEqual(Array.from(px.subarray(256 * 512 + 250, 256 * 512 + 256)), expectedRow);
      const raw = path.join(REF, path.basename(row.file ?? '').replace('.j2c', '.RAW'));
      if (fs.existsSync(raw)) {
        assert.ok(Buffer.from(px.buffer, px.byteOffset, px.byteLength).equals(fs.readFileSync(raw)));
      }
    });
  }

  it('round-trips signed and unsigned 16-bit frames losslessly and the CRC32 matches zlib', async () => {
    const u = new Uint16Array(40 * 24);
    const s = new Int16Array(40 * 24);
    for (let i = 0; i < u.length; i++) {
      u[i] = (i * 977) % 65536;
      s[i] = ((i * 131) % 4000) - 2000;
    }
    for (const [px, signed] of [
      [u, false],
      [s, true],
    ] as const) {
      const cs = await encodeHtj2k(px, { width: 40, height: 24, bitsPerSample: 16, componentCount: 1, isSigned: signed });
      assert.equal(cs[0], 0xff);
      assert.equal(cs[1], 0x4f);
      const back = await decodeHtj2k(cs);
      assert.deepEqual(Array.from(back.pixels), Array.from(px));
      assert.equal(pixelCrc32(back.pixels), zlib.crc32(Buffer.from(px.buffer)) >>> 0);
    }
  });

  it('rejects garbage and mismatched geometry with typed errors', async () => {
    await assert.rejects(decodeHtj2k(new Uint8Array([1, 2, 3, 4, 5])), (e: unknown) => isHealthDataError(e) && e.code === 'invalid-input');
    await assert.rejects(
      encodeHtj2k(new Uint16Array(10), { width: 4, height: 4, bitsPerSample: 16, componentCount: 1, isSigned: false }),
      (e: unknown) => isHealthDataError(e) && e.code === 'invalid-input' && /expected 16/.test(e.message),
    );
  });
});
