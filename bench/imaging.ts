/**
 * Benchmark of DICOM reading, HTJ2K frame coding and the local import job (src/formats, src/imaging).
 *
 * Run: `node --import tsx bench/imaging.ts [studies]` (default 4 cohort studies of 128×128×64).
 *
 * Figures are ratios against references run in the same process on the same bytes: our `readDicom` vs a bare
 * dcmjs `DicomMessage.readFile`; OpenJPH HTJ2K decode and encode vs a raw copy of the same frame bytes; the
 * import job (parse + encode + verify + store) vs reading the files from disk.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import dcmjs from 'dcmjs';
import { writeMriStudy } from '../src/cohort/mri';
import { decodeFrame, readDicom } from '../src/formats/dicom';
import type { FramePixels } from '../src/formats/dicom';
import { decodeHtj2k, encodeHtj2k } from '../src/formats/htj2k';
import { LocalImagingStore } from '../src/imaging/local/datastore';
import { silentProgress } from '../src/progress';

const studies = Number(process.argv[2] ?? 4);

function time(fn: () => void, reps = 1): number {
  const t = process.hrtime.bigint();
  for (let i = 0; i < reps; i++) {
    fn();
  }
  return Number(process.hrtime.bigint() - t) / 1e9;
}

async function timeAsync(fn: () => Promise<void>): Promise<number> {
  const t = process.hrtime.bigint();
  await fn();
  return Number(process.hrtime.bigint() - t) / 1e9;
}

async function main(): Promise<void> {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'mmh-bench-imaging-'));
  try {
    const files: Uint8Array[] = [];
    for (let s = 0; s < studies; s++) {
      const uid = `1.2.840.99999999.77.${String(s + 1)}`;
      const bytes = writeMriStudy({
        seed: s + 1,
        effects: { atrophy: 0.3, ventricleEnlargement: 0.3, infarcts: 1, wmhLoad: 0.5, microbleeds: 2 },
        patientId: `bench-${String(s)}`,
        patientName: 'Bench^Patient',
        birthDate: '19500101',
        sex: 'F',
        studyInstanceUid: uid,
        seriesInstanceUid: `${uid}.1`,
        studyDate: '20200101',
      });
      files.push(bytes);
      fs.mkdirSync(path.join(root, 'dicom', uid), { recursive: true });
      fs.writeFileSync(path.join(root, 'dicom', uid, 'study.dcm'), bytes);
    }
    const mb = files.reduce((n, f) => n + f.byteLength, 0) / 1e6;
    const ref = time(() => {
      for (const f of files) {
        dcmjs.data.DicomMessage.readFile(Uint8Array.from(f).buffer);
      }
    }, 3);
    const ours = time(() => {
      for (const f of files) {
        readDicom(f);
      }
    }, 3);
    console.log(`DICOM parse: ${String(studies)} studies, ${mb.toFixed(1)} MB; readDicom / bare dcmjs readFile time = ${(ours / ref).toFixed(2)}×`);

    const inst = readDicom(files[0] ?? new Uint8Array());
    const frames: FramePixels[] = [];
    for (let f = 0; f < inst.storedFrames.length; f++) {
      frames.push(await decodeFrame(inst, f));
    }
    const info = { width: inst.pixel?.columns ?? 0, height: inst.pixel?.rows ?? 0, bitsPerSample: 16, componentCount: 1, isSigned: false };
    const encoded: Uint8Array[] = [];
    const enc = await timeAsync(async () => {
      for (const f of frames) {
        encoded.push(await encodeHtj2k(f, info));
      }
    });
    const dec = await timeAsync(async () => {
      for (const e of encoded) {
        await decodeHtj2k(e);
      }
    });
    const copy =
      time(() => {
        for (const f of frames) {
          Uint8Array.from(new Uint8Array(f.buffer, f.byteOffset, f.byteLength));
        }
      }, 10) / 10;
    const raw = frames.reduce((n, f) => n + f.byteLength, 0);
    const cmp = encoded.reduce((n, e) => n + e.byteLength, 0);
    console.log(
      `HTJ2K ${String(frames.length)} frames ${String(info.width)}×${String(info.height)}: encode ${(frames.length / enc).toFixed(0)} frames/s, decode ${(frames.length / dec).toFixed(0)} frames/s; ` +
        `decode / raw copy time = ${(dec / copy).toFixed(0)}×, encode / raw copy = ${(enc / copy).toFixed(0)}×; lossless ratio ${(raw / cmp).toFixed(2)}:1`,
    );

    const store = new LocalImagingStore({ root: path.join(root, 'imaging'), progress: silentProgress });
    const id = await store.ensureDatastore('bench');
    const readAll = time(() => {
      for (const d of fs.readdirSync(path.join(root, 'dicom'))) {
        fs.readFileSync(path.join(root, 'dicom', d, 'study.dcm'));
      }
    });
    const imp = await timeAsync(async () => {
      const j = await store.startDICOMImportJob({ datastoreId: id, inputDir: path.join(root, 'dicom'), outputDir: path.join(root, 'out') });
      await store.waitForDICOMImportJob(id, j.jobId);
    });
    const sets = await store.searchImageSets(id);
    const vol = await timeAsync(async () => {
      for (const s of sets) {
        await store.getVolume(id, s.imageSetId);
      }
    });
    console.log(
      `import job: ${(studies / imp).toFixed(2)} studies/s (${((studies * frames.length) / imp).toFixed(0)} frames/s incl. HTJ2K encode + verify); import / plain file read time = ${(imp / readAll).toFixed(0)}×; getVolume ${(sets.length / vol).toFixed(2)} volumes/s`,
    );
  } finally {
    fs.rmSync(root, { recursive: true, force: true });
  }
}

void main();
