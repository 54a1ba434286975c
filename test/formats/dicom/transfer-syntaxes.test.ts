/**
 * Every transfer syntax HealthImaging imports, decoded here and compared sample for sample with an independent
 * decoder: dcmtk's dcmdjpeg / dcmdjpls / dcmdrle for the files dcmtk's encoders wrote, the uncompressed source for
 * the lossless JPEG 2000 / HTJ2K files. Skipped (with the reason) when dcmtk is not installed; CI installs it.
 */
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { decodeFrame, readDicom } from '../../../src/formats/dicom';
import { decodeHtj2k, pixelCrc32 } from '../../../src/formats/htj2k';
import { LocalImagingStore } from '../../../src/imaging/local/datastore';
import { silentProgress } from '../../../src/progress';
import { tmpDir } from '../../helpers/tmp';
import { buildCorpus, hasDcmtk } from './helpers/fixtures';
import type { CorpusEntry } from './helpers/fixtures';

function bytesOf(p: ArrayBufferView): Buffer {
  return Buffer.from(p.buffer, p.byteOffset, p.byteLength);
}

describe('formats/dicom every HealthImaging transfer syntax, pixel-exact against dcmtk', function () {
  this.timeout(120000);
  let dir = '';
  let corpus: CorpusEntry[] = [];

  before(async function () {
    if (!hasDcmtk()) {
      console.log('    (skipped: dcmtk is not installed — apt-get install dcmtk; CI installs it)');
      this.skip();
    }
    dir = tmpDir('dicom-syntaxes');
    corpus = await buildCorpus(dir);
  });
  after(() => {
    if (dir !== '') {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('covers every syntax for grey 8/12/16-bit (signed and unsigned) and RGB 8/16-bit, planar 0 and 1', () => {
    const syntaxes = new Set(corpus.map((e) => e.syntax));
    for (const uid of [
      '1.2.840.10008.1.2',
      '1.2.840.10008.1.2.1',
      '1.2.840.10008.1.2.1.99',
      '1.2.840.10008.1.2.2',
      '1.2.840.10008.1.2.5',
      '1.2.840.10008.1.2.4.50',
      '1.2.840.10008.1.2.4.51',
      '1.2.840.10008.1.2.4.57',
      '1.2.840.10008.1.2.4.70',
      '1.2.840.10008.1.2.4.80',
      '1.2.840.10008.1.2.4.81',
      '1.2.840.10008.1.2.4.90',
      '1.2.840.10008.1.2.4.91',
      '1.2.840.10008.1.2.4.201',
      '1.2.840.10008.1.2.4.202',
      '1.2.840.10008.1.2.4.203',
    ]) {
      assert.ok(syntaxes.has(uid), uid);
    }
    const layouts = new Set(corpus.map((e) => e.case.name));
    assert.deepEqual([...layouts].sort(), ['grey12', 'grey16', 'grey16s', 'grey8', 'rgb16p0', 'rgb16p1', 'rgb8p0', 'rgb8p1']);
    assert.ok(corpus.length >= 120, String(corpus.length));
  });

  it('decodes every file to exactly the reference samples (dcmtk decode, or the source for lossless J2K/HTJ2K)', async () => {
    const failures: string[] = [];
    for (const e of corpus.filter((x) => !(x.keptAsIs && x.syntax !== '1.2.840.10008.1.2.4.50'))) {
      const inst = readDicom(fs.readFileSync(e.file), path.basename(e.file));
      assert.equal(inst.transferSyntaxUID, e.syntax, e.file);
      for (let f = 0; f < e.reference.length; f++) {
        const got = bytesOf(await decodeFrame(inst, f));
        if (!got.equals(e.reference[f] ?? Buffer.alloc(0))) {
          failures.push(`${path.basename(e.file)} (${e.how}) frame ${String(f)}`);
        }
      }
    }
    assert.deepEqual(failures, []);
  });

  it('imports every file: lossless and lossy-transcoded frames come back as HTJ2K equal to the reference, lossy .50/.91/.203 as their original codestream', async () => {
    const store = new LocalImagingStore({ root: path.join(dir, 'imaging'), progress: silentProgress });
    const problems: string[] = [];
    const CONTENT: Record<string, string> = { '1.2.840.10008.1.2.4.50': 'image/jpeg', '1.2.840.10008.1.2.4.91': 'image/j2c', '1.2.840.10008.1.2.4.203': 'image/jphc' };
    for (const syntax of [...new Set(corpus.map((e) => e.syntax))]) {
      const entries = corpus.filter((e) => e.syntax === syntax);
      const input = path.join(dir, 'in', syntax);
      fs.mkdirSync(input, { recursive: true });
      for (const e of entries) {
        fs.copyFileSync(e.file, path.join(input, path.basename(e.file)));
      }
      const datastoreId = await store.ensureDatastore(`syntax-${syntax}`);
      const job = await store.startDICOMImportJob({ datastoreId, inputDir: input, outputDir: path.join(dir, 'out') });
      const report = await store.waitForDICOMImportJob(datastoreId, job.jobId);
      const summary = report.manifest?.jobSummary;
      assert.equal(summary?.numberOfScannedFiles, entries.length, syntax);
      assert.deepEqual(report.failures, [], syntax);
      for (const e of entries) {
        const inst = readDicom(fs.readFileSync(e.file));
        const line = report.successes.find((l) => l.inputFile === path.basename(e.file));
        const meta = await store.getImageSetMetadata(datastoreId, line?.importResponse.imageSetId ?? '');
        const stored = Object.values(meta.Study.Series)[0]?.Instances[inst.sopInstanceUID ?? ''];
        assert.ok(stored, e.file);
        const expectedSyntax = e.keptAsIs ? syntax : e.case.samples === 3 && e.case.bitsAllocated === 16 ? '1.2.840.10008.1.2.4.201' : '1.2.840.10008.1.2.4.202';
        if (stored.StoredTransferSyntaxUID !== expectedSyntax) {
          problems.push(`${path.basename(e.file)}: stored as ${stored.StoredTransferSyntaxUID}, expected ${expectedSyntax}`);
        }
        for (const [f, frameMeta] of stored.ImageFrames.entries()) {
          const frame = await store.getImageFrame(datastoreId, meta.ImageSetID, frameMeta.ID);
          const decoded = await decodeFrame(inst, f);
          const checksum = frameMeta.PixelDataChecksumFromBaseToFullResolution.at(-1)?.Checksum;
          if (checksum !== pixelCrc32(decoded)) {
            problems.push(`${path.basename(e.file)} frame ${String(f)}: checksum ${String(checksum)} is not the CRC32 of the decoded pixels`);
          }
          if (e.keptAsIs) {
            if (!Buffer.from(frame.imageFrameBlob).equals(Buffer.from(inst.storedFrames[f] ?? new Uint8Array(0))) || frame.contentType !== CONTENT[syntax]) {
              problems.push(`${path.basename(e.file)} frame ${String(f)}: not the original codestream (${frame.contentType})`);
            }
            continue;
          }
          const back = (await decodeHtj2k(frame.imageFrameBlob)).pixels;
          if (frame.contentType !== 'image/jph' || !bytesOf(back).equals(e.reference[f] ?? Buffer.alloc(0))) {
            problems.push(`${path.basename(e.file)} (${e.how}) frame ${String(f)}: stored HTJ2K frame differs from the reference`);
          }
        }
      }
    }
    assert.deepEqual(problems, []);
  });

  it('JPEG 2000 and HTJ2K lossy files decode within a small error of the source', async () => {
    for (const e of corpus.filter((x) => x.syntax === '1.2.840.10008.1.2.4.91')) {
      const inst = readDicom(fs.readFileSync(e.file));
      const got = await decodeFrame(inst, 0);
      const ref = e.reference[0] ?? Buffer.alloc(0);
      const wide = e.case.bitsAllocated === 16;
      let worst = 0;
      for (let i = 0; i < got.length; i++) {
        const r = wide ? (e.case.signed ? ref.readInt16LE(i * 2) : ref.readUInt16LE(i * 2)) : (ref[i] ?? 0);
        worst = Math.max(worst, Math.abs(r - (got[i] ?? 0)));
      }
      assert.ok(worst < 2 ** e.case.bitsStored / 8, `${path.basename(e.file)}: worst error ${String(worst)}`);
    }
  });
});
