/**
 * Files real archives hold that a strict reader gets wrong: ISO 2022 code extensions (PS3.5 Annex H/I examples),
 * a meta group naming the wrong VR encoding, native YBR_FULL_422 and planar-configuration-1 colour, 32-bit samples.
 */
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { isHealthDataError } from '../../../src/errors';
import { decodeFrame, decodedPhotometric, decodeIso2022, readDicom } from '../../../src/formats/dicom';
import { tmpDir } from '../../helpers/tmp';
import { imageElements, writeRaw } from './helpers/fixtures';

const EXPLICIT = '1.2.840.10008.1.2.1';
const IMPLICIT = '1.2.840.10008.1.2';

describe('formats/dicom readDicom repairs and clear refusals', () => {
  let dir: string;
  before(() => {
    dir = tmpDir('dicom-repairs');
  });
  after(() => {
    fs.rmSync(dir, { recursive: true, force: true });
  });
  const grey = (data: Buffer): Parameters<typeof imageElements>[1] => ({ rows: 2, columns: 2, samples: 1, photometric: 'MONOCHROME2', bitsAllocated: 8, data });

  it('decodes ISO 2022 IR 87 person names (PS3.5 H.3.1: Yamada^Tarou=山田^太郎)', () => {
    const file = path.join(dir, 'ir87.dcm');
    const name = Buffer.from('Yamada^Tarou=\x1b$B;3ED\x1b(B^\x1b$BB@O:\x1b(B', 'latin1');
    writeRaw(file, EXPLICIT, imageElements('1.2.3.87', grey(Buffer.from([1, 2, 3, 4])), { charset: '\\ISO 2022 IR 87', patientName: name }));
    const inst = readDicom(fs.readFileSync(file), 'ir87.dcm');
    assert.deepEqual(inst.dataset.PatientName, [{ Alphabetic: 'Yamada^Tarou', Ideographic: '山田^太郎' }]);
    assert.equal(inst.sopInstanceUID, '1.2.3.87');
  });

  it('decodes ISO 2022 IR 13 with IR 87 (half-width katakana and kanji, PS3.5 H.3.2)', () => {
    const file = path.join(dir, 'ir13.dcm');
    const name = Buffer.from([...Buffer.from([0xd4, 0xcf, 0xc0, 0xde, 0x5e, 0xc0, 0xdb, 0xb3, 0x3d]), ...Buffer.from('\x1b$B;3ED\x1b(J^\x1b$BB@O:\x1b(J', 'latin1')]);
    writeRaw(file, EXPLICIT, imageElements('1.2.3.13', grey(Buffer.from([1, 2, 3, 4])), { charset: 'ISO 2022 IR 13\\ISO 2022 IR 87', patientName: name }));
    const inst = readDicom(fs.readFileSync(file), 'ir13.dcm');
    assert.deepEqual(inst.dataset.PatientName, [{ Alphabetic: 'ﾔﾏﾀﾞ^ﾀﾛｳ', Ideographic: '山田^太郎' }]);
  });

  it('decodes ISO 2022 IR 149 Korean (KS X 1001 in the upper half, PS3.5 I.2: Hong^Gildong=洪^吉洞=홍^길동)', () => {
    const file = path.join(dir, 'ir149.dcm');
    const esc = [0x1b, 0x24, 0x29, 0x43];
    const name = Buffer.from([...Buffer.from('Hong^Gildong=', 'latin1'), ...esc, 0xfb, 0xf3, 0x5e, ...esc, 0xd1, 0xce, 0xd4, 0xd7, 0x3d, ...esc, 0xc8, 0xab, 0x5e, ...esc, 0xb1, 0xe6, 0xb5, 0xbf]);
    writeRaw(file, EXPLICIT, imageElements('1.2.3.149', grey(Buffer.from([1, 2, 3, 4])), { charset: '\\ISO 2022 IR 149', patientName: name }));
    const inst = readDicom(fs.readFileSync(file), 'ir149.dcm');
    assert.deepEqual(inst.dataset.PatientName, [{ Alphabetic: 'Hong^Gildong', Ideographic: '洪^吉洞', Phonetic: '홍^길동' }]);
  });

  it('keeps delimiter bytes inside two-byte characters (no split on = or ^ in JIS X 0208 mode)', () => {
    // 0x3D 0x5E is a JIS X 0208 code point; as ASCII it would read "=^"
    const bytes = Buffer.from('A^B=\x1b$B=^\x1b(B', 'latin1');
    const text = decodeIso2022(bytes, ['', 'ISO 2022 IR 87']);
    assert.equal(text.split('=').length, 2);
    assert.ok(!text.slice(4).includes('^'));
  });

  it('reads a file whose meta group says explicit VR over an implicit-VR data set, and says so', async () => {
    const file = path.join(dir, 'vr-mismatch.dcm');
    writeRaw(file, EXPLICIT, imageElements('1.2.3.99', grey(Buffer.from([5, 6, 7, 8]))), true);
    const inst = readDicom(fs.readFileSync(file), 'vr-mismatch.dcm');
    assert.equal(inst.sopClassUID, '1.2.840.10008.5.1.4.1.1.7');
    assert.equal(inst.transferSyntaxUID, IMPLICIT);
    assert.match(inst.notes?.[0] ?? '', /explicit VR.*implicit VRs/);
    assert.deepEqual(Array.from(await decodeFrame(inst, 0)), [5, 6, 7, 8]);
  });

  it('expands native YBR_FULL_422 (Y1 Y2 Cb Cr per pixel pair) to YBR_FULL samples', async () => {
    const file = path.join(dir, 'ybr422.dcm');
    // 2×4 image: pairs (Y1, Y2, Cb, Cr)
    const data = Buffer.from([10, 11, 100, 200, 12, 13, 101, 201, 14, 15, 102, 202, 16, 17, 103, 203]);
    writeRaw(file, EXPLICIT, imageElements('1.2.3.422', { rows: 2, columns: 4, samples: 3, photometric: 'YBR_FULL_422', bitsAllocated: 8, data }));
    const inst = readDicom(fs.readFileSync(file), 'ybr422.dcm');
    const px = Array.from(await decodeFrame(inst, 0));
    assert.deepEqual(px.slice(0, 12), [10, 100, 200, 11, 100, 200, 12, 101, 201, 13, 101, 201]);
    assert.equal(px.length, 2 * 4 * 3);
    assert.equal(decodedPhotometric(inst), 'YBR_FULL');
  });

  it('interleaves PlanarConfiguration 1 native colour', async () => {
    const file = path.join(dir, 'planar.dcm');
    const data = Buffer.from([1, 2, 3, 4, 11, 12, 13, 14, 21, 22, 23, 24]);
    writeRaw(file, EXPLICIT, imageElements('1.2.3.5', { rows: 2, columns: 2, samples: 3, photometric: 'RGB', bitsAllocated: 8, planar: 1, data }));
    const inst = readDicom(fs.readFileSync(file));
    assert.deepEqual(Array.from(await decodeFrame(inst, 0)), [1, 11, 21, 2, 12, 22, 3, 13, 23, 4, 14, 24]);
  });

  it('refuses 32-bit samples with their own reason (not as an unsupported transfer syntax)', async () => {
    const file = path.join(dir, 'int32.dcm');
    writeRaw(file, EXPLICIT, imageElements('1.2.3.32', { rows: 2, columns: 2, samples: 1, photometric: 'MONOCHROME2', bitsAllocated: 32, data: Buffer.alloc(16, 1) }));
    const inst = readDicom(fs.readFileSync(file), 'int32.dcm');
    await assert.rejects(
      decodeFrame(inst, 0),
      (e: unknown) => isHealthDataError(e) && e.code === 'unsupported' && /BitsAllocated 32/.test(e.message) && e.message.includes('1.2.3.32') && !/transfer syntax/i.test(e.message),
    );
  });

  it('names the file and the SOP Instance UID when a file does not parse', () => {
    const file = path.join(dir, 'cut.dcm');
    writeRaw(file, EXPLICIT, imageElements('1.2.3.77', { rows: 64, columns: 64, samples: 1, photometric: 'MONOCHROME2', bitsAllocated: 8, data: Buffer.alloc(4096, 9) }));
    const bytes = fs.readFileSync(file);
    assert.throws(
      () => readDicom(bytes.subarray(0, bytes.length - 100), 'cut.dcm'),
      (e: unknown) => isHealthDataError(e) && e.code === 'invalid-input' && /cut\.dcm \(SOPInstanceUID 1\.2\.3\.77\)/.test(e.message),
    );
  });
});
