import assert from 'node:assert/strict';
import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { isHealthDataError } from '../../../src/errors';
import { decodeFrame, readDicom } from '../../../src/formats/dicom';
import { pixelCoding } from '../../../src/formats/dicom/transfer-syntax';
import { REFERENCE_DATA } from '../../helpers/reference-data';

const REF = REFERENCE_DATA;

interface Row {
  readonly file: string;
  readonly transfer_syntax_uid: string;
  readonly rows: string;
  readonly columns: string;
  readonly frames: string;
  readonly bits_allocated: string;
  readonly pixel_representation: string;
  readonly samples_per_pixel: string;
  readonly decoded_sha256: string;
}

function parseCsv(text: string): Record<string, string>[] {
  const lines = text.trim().split(/\r?\n/);
  const split = (line: string): string[] => {
    const out: string[] = [];
    let cur = '';
    let q = false;
    for (const ch of line) {
      if (ch === '"') {
        q = !q;
      } else if (ch === ',' && !q) {
        out.push(cur);
        cur = '';
      } else {
        cur += ch;
      }
    }
    out.push(cur);
    return out;
  };
  const head = split(lines[0] ?? '');
  return lines.slice(1).map((l) => Object.fromEntries(split(l).map((v, i) => [head[i] ?? String(i), v])));
}

const rows = parseCsv(fs.readFileSync(path.join(REF, 'dicom', 'expected_dicom.csv'), 'utf8')) as unknown as Row[];

describe('formats/dicom readDicom + decodeFrame against reference-data/dicom', () => {
  it('has every reference file listed', () => {
    assert.ok(rows.length >= 12);
  });
  for (const row of rows) {
    const file = path.join(REF, row.file);
    it(`${row.file}: header facts and decoded pixels (or a named unsupported syntax)`, async () => {
      const inst = readDicom(fs.readFileSync(file), row.file);
      assert.equal(inst.transferSyntaxUID, row.transfer_syntax_uid);
      assert.ok(inst.pixel);
      assert.equal(inst.pixel.rows, Number(row.rows));
      assert.equal(inst.pixel.columns, Number(row.columns));
      assert.equal(inst.pixel.frames, Number(row.frames));
      assert.equal(inst.pixel.bitsAllocated, Number(row.bits_allocated));
      assert.equal(inst.pixel.samplesPerPixel, Number(row.samples_per_pixel));
      assert.equal(inst.storedFrames.length, Number(row.frames));
      if (pixelCoding(row.transfer_syntax_uid) === 'unsupported') {
        await assert.rejects(decodeFrame(inst, 0), (e: unknown) => {
          assert.ok(isHealthDataError(e));
          assert.equal(e.code, 'unsupported');
          assert.ok(e.message.includes(row.transfer_syntax_uid));
          assert.ok(e.message.includes(inst.sopInstanceUID ?? 'x'));
          return true;
        });
        return;
      }
      const h = crypto.createHash('sha256');
      for (let f = 0; f < inst.storedFrames.length; f++) {
        const p = await decodeFrame(inst, f);
        h.update(new Uint8Array(p.buffer, p.byteOffset, p.byteLength));
      }
      assert.equal(h.digest('hex'), row.decoded_sha256);
    });
  }

  it('emri_small.dcm: every frame matches emri_small_frame_sha256.csv (hash, min, max)', async () => {
    const inst = readDicom(fs.readFileSync(path.join(REF, 'dicom', 'emri_small.dcm')));
    const expected = parseCsv(fs.readFileSync(path.join(REF, 'dicom', 'emri_small_frame_sha256.csv'), 'utf8'));
    assert.equal(expected.length, 10);
    for (const e of expected) {
      const p = await decodeFrame(inst, Number(e.frame_index_1based) - 1);
      assert.equal(
        crypto
          .createHash('sha256')
          .update(new Uint8Array(p.buffer, p.byteOffset, p.byteLength))
          .digest('hex'),
        e.decoded_sha256_uint16_le,
      );
      assert.equal(
        Array.from(p).reduce((m, v) => Math.min(m, v), Infinity),
        Number(e.min),
      );
      assert.equal(
        Array.from(p).reduce((m, v) => Math.max(m, v), -Infinity),
        Number(e.max),
      );
    }
  });

  it('MR_small.dcm spot pixels from pydicom pixels_reference.py', async () => {
    const inst = readDicom(fs.readFileSync(path.join(REF, 'dicom', 'MR_small.dcm')));
    const p = await decodeFrame(inst, 0);
    assert.ok(p instanceof Int16Array);
    assert.deepEqual([p[31], p[32], p[33]], [422, 319, 361]);
    assert.deepEqual([p[31 * 64], p[31 * 64 + 1], p[31 * 64 + 2]], [366, 363, 322]);
    assert.deepEqual(inst.geometry.pixelSpacing, [0.3125, 0.3125]);
  });

  it('rejects a non-DICOM file and a truncated file with invalid-input', () => {
    assert.throws(
      () => readDicom(new TextEncoder().encode('hello, not dicom'), 'x.txt'),
      (e: unknown) => isHealthDataError(e) && e.code === 'invalid-input' && /x\.txt is not a DICOM/.test(e.message),
    );
    const full = fs.readFileSync(path.join(REF, 'dicom', 'emri_small.dcm'));
    assert.throws(
      () => readDicom(full.subarray(0, 40000), 'cut.dcm'),
      (e: unknown) => isHealthDataError(e) && e.code === 'invalid-input' && /cut\.dcm/.test(e.message),
    );
  });
});
