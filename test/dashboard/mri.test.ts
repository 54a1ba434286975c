import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vm from 'node:vm';
import { inflateSync } from 'node:zlib';
import { writeMriStudy } from '../../src/cohort/mri/dicom-writer';
import { MRI_FILE_FORMAT, MRI_VIEWER_MAX_DIM, encodeMriSeries, viewerVolume, writeMriFiles } from '../../src/dashboard/mri';
import { synthesizeBrainVolume } from '../../src/cohort/mri/phantom';
import type { MriSeriesData } from '../../src/dashboard/mri';
import { LocalImagingStore } from '../../src/imaging/local/datastore';
import { silentProgress } from '../../src/progress';
import { tmpDir } from '../helpers/tmp';
import { scriptJson } from '../../src/viz/show-figure';
import { referenceEncodeMriSeries, referenceViewerVolume } from './mri-reference';

/** Runs a `mri/*.js` data script the way the page does and returns what it hands over. */
function readSeriesFile(file: string): { setId: string; data: MriSeriesData } {
  let got: { setId: string; data: MriSeriesData } | undefined;
  const window = { mmhMriLoaded: (setId: string, data: MriSeriesData): void => void (got = { setId, data }) };
  vm.runInNewContext(fs.readFileSync(file, 'utf8'), { window });
  assert.ok(got !== undefined);
  return got;
}

describe('dashboard MRI files', function () {
  this.timeout(120000);
  let root: string;
  before(() => {
    root = tmpDir('dash-mri');
  });
  after(() => {
    fs.rmSync(root, { recursive: true, force: true });
  });

  it("writes each patient's latest series from the imaging store (workers), reuses them, removes stale ones", async () => {
    const dicom = path.join(root, 'dicom');
    fs.mkdirSync(dicom);
    const study = (patientId: string, n: number, date: string): Uint8Array =>
      writeMriStudy({
        seed: n,
        size: [48, 48, 12],
        effects: { atrophy: 0.2, ventricleEnlargement: 0.2, infarcts: 0, wmhLoad: 0, microbleeds: 0 },
        patientId,
        patientName: 'Secret^Name',
        birthDate: '19600101',
        sex: 'M',
        studyInstanceUid: `1.2.826.0.1.3680043.8.498.${String(n)}`,
        seriesInstanceUid: `1.2.826.0.1.3680043.8.498.${String(n)}.1`,
        studyDate: date,
      });
    fs.writeFileSync(path.join(dicom, 'a1.dcm'), study('pa', 1, '20190101'));
    fs.writeFileSync(path.join(dicom, 'a2.dcm'), study('pa', 2, '20210101'));
    fs.writeFileSync(path.join(dicom, 'b.dcm'), study('pb', 3, '20200101'));
    fs.writeFileSync(path.join(dicom, 'c.dcm'), study('not-in-dashboard', 4, '20200101'));
    const store = new LocalImagingStore({ root: path.join(root, 'imaging'), progress: silentProgress });
    const ds = await store.ensureDatastore('mmh-imaging');
    const job = await store.startDICOMImportJob({ datastoreId: ds, inputDir: dicom, outputDir: path.join(root, 'import-output') });
    await store.waitForDICOMImportJob(ds, job.jobId);
    const out = path.join(root, 'site');
    fs.mkdirSync(path.join(out, 'mri'), { recursive: true });
    fs.writeFileSync(path.join(out, 'mri', 'stale.js'), '');
    const refs = await writeMriFiles(store, ds, { out, patientIds: new Set(['pa', 'pb']), workers: 2 });
    assert.deepEqual([...refs.keys()].sort(), ['pa', 'pb']);
    assert.equal(refs.get('pa')?.studyDate, '2021-01-01', 'the latest study');
    const files = fs.readdirSync(path.join(out, 'mri')).sort();
    assert.equal(files.length, 2, 'stale and unlisted files are gone');
    assert.ok(files.every((f) => f.startsWith(`${MRI_FILE_FORMAT}-`)));
    const a = readSeriesFile(path.join(out, refs.get('pa')!.file));
    assert.equal(a.setId, refs.get('pa')!.imageSetId);
    assert.deepEqual([...a.data.size], [48, 48, 12]);
    const levels = inflateSync(Buffer.from(a.data.voxels, 'base64'));
    const mask = inflateSync(Buffer.from(a.data.mask, 'base64'));
    assert.equal(levels.length, 48 * 48 * 12);
    assert.equal(mask.length, 48 * 48 * 12);
    const inside = mask.reduce((n, m) => n + m, 0);
    assert.ok(inside > 0.05 * mask.length && inside < 0.9 * mask.length, `brain mask voxels: ${String(inside)}`);
    assert.ok(a.data.high > a.data.low && Math.max(...levels) === 255);
    const text = fs.readFileSync(path.join(out, refs.get('pa')!.file), 'utf8');
    assert.ok(!text.includes('Secret') && !text.includes('19600101'), 'no DICOM header text');
    // A re-build decodes nothing new: the files are kept as they are.
    const before = fs.statSync(path.join(out, refs.get('pb')!.file)).mtimeMs;
    await writeMriFiles(store, ds, { out, patientIds: new Set(['pa', 'pb']), workers: 2 });
    assert.equal(fs.statSync(path.join(out, refs.get('pb')!.file)).mtimeMs, before);
    // In-process and worker encodings are the same bytes.
    const again = await writeMriFiles(store, ds, { out: path.join(root, 'site2'), patientIds: new Set(['pb']), workers: 1 });
    assert.equal(fs.readFileSync(path.join(root, 'site2', again.get('pb')!.file), 'utf8'), fs.readFileSync(path.join(out, refs.get('pb')!.file), 'utf8'));
    // The workers decode the frames themselves: the file is what the store's getVolume and the previous encoder give.
    for (const pid of ['pa', 'pb']) {
      const ref = refs.get(pid)!;
      const expected = `window.mmhMriLoaded(${scriptJson(ref.imageSetId)}, ${scriptJson(referenceEncodeMriSeries(await store.getVolume(ds, ref.imageSetId)))});\n`;
      assert.equal(fs.readFileSync(path.join(out, ref.file), 'utf8'), expected, pid);
    }
  });

  it('encodes the same bytes as the previous implementation (random volumes with NaN, ±Infinity, -0, constant, averaged down)', () => {
    let seed = 7;
    const rand = (): number => {
      seed = (seed * 1103515245 + 12345) % 2147483648;
      return seed / 2147483648;
    };
    const halves = (): Float32Array => {
      const v = new Float32Array(16 * 16 * 4);
      const below = (x: number): number => {
        const f = new Float32Array([x]);
        new Uint32Array(f.buffer)[0]! -= 1; // the next float32 below a positive x
        return f[0]!;
      };
      for (let k = 0; k < 255; k++) {
        v[4 * k] = k + 0.5;
        v[4 * k + 1] = below(k + 0.5);
        v[4 * k + 2] = k;
        v[4 * k + 3] = k + 0.25;
      }
      v[1020] = 255;
      v[1021] = 1e-45; // the smallest float32: a level far below 0.5
      return v;
    };
    const brain = synthesizeBrainVolume({ seed: 3, size: [40, 36, 10], effects: { atrophy: 0.1, ventricleEnlargement: 0.1, infarcts: 0, wmhLoad: 0, microbleeds: 0 } });
    const cases: { voxels: Float32Array; size: [number, number, number] }[] = [
      { voxels: Float32Array.from(brain.voxels), size: brain.size },
      { voxels: Float32Array.from(brain.voxels, (v, i) => (i % 97 === 0 ? NaN : i % 89 === 0 ? Infinity : i % 83 === 0 ? -Infinity : i % 79 === 0 ? -0 : v - 300)), size: brain.size },
      { voxels: Float32Array.from({ length: 7 * 5 * 3 }, () => rand() * 2000 - 1000), size: [7, 5, 3] },
      { voxels: new Float32Array(6 * 6 * 2).fill(42), size: [6, 6, 2] },
      { voxels: new Float32Array(4 * 4 * 2).fill(NaN), size: [4, 4, 2] },
      { voxels: Float32Array.from({ length: 131 * 3 * 130 }, (_, i) => (i % 31 === 0 ? NaN : rand() * 100)), size: [131, 3, 130] },
      // Levels on and just below each half (low 0, high 255: one level per unit), where rounding half up decides.
      { voxels: halves(), size: [16, 16, 4] },
    ];
    for (const c of cases) {
      const volume = { voxels: c.voxels, size: c.size, spacingMm: [0.9, 1.1, 3] as [number, number, number] };
      assert.deepEqual(scriptJson(encodeMriSeries(volume)), scriptJson(referenceEncodeMriSeries(volume)), c.size.join('×'));
    }
    const odd = {
      voxels: Float32Array.from({ length: 300 * 7 * 260 }, (_, i) => (i % 13 === 0 ? NaN : i % 17 === 0 ? Infinity : rand() * 500)),
      size: [300, 7, 260] as [number, number, number],
      spacingMm: [1, 1, 1] as [number, number, number],
    };
    const a = viewerVolume(odd);
    const b = referenceViewerVolume(odd);
    assert.deepEqual(a.size, b.size);
    assert.deepEqual(a.spacingMm, b.spacingMm);
    assert.deepEqual(Buffer.from((a.voxels as Float32Array).buffer), Buffer.from((b.voxels as Float32Array).buffer), 'averaged voxels, bit for bit (NaN where a cell has no finite voxel)');
  });

  it('sends volumes that fit as they are, and box-averages larger ones (a 256-wide MRI) by whole factors per axis', () => {
    const small = { voxels: new Float32Array([1, 2, 3, 4]), size: [2, 2, 1] as [number, number, number], spacingMm: [1, 1, 1] as [number, number, number] };
    assert.equal(viewerVolume(small), small);
    // 5 × 2 × 1 with at most 2 per axis: x factor 3 → 2 columns (the last averages the one voxel left), y as is.
    const v = viewerVolume({ voxels: new Float32Array([1, 2, 3, 4, NaN, 10, 20, 30, 40, 50]), size: [5, 2, 1], spacingMm: [0.5, 1, 2] }, 2);
    assert.deepEqual(v.size, [2, 2, 1]);
    assert.deepEqual([...v.spacingMm], [1.5, 1, 2]);
    assert.deepEqual([...v.voxels], [2, 4, 20, 45]);
    assert.equal(MRI_VIEWER_MAX_DIM, 128);
    const brain = synthesizeBrainVolume({ seed: 5, size: [256, 256, 24], effects: { atrophy: 0.2, ventricleEnlargement: 0.2, infarcts: 0, wmhLoad: 0, microbleeds: 0 } });
    const data = encodeMriSeries({ voxels: Float32Array.from(brain.voxels), size: brain.size, spacingMm: brain.spacingMm });
    assert.deepEqual(data.size, [128, 128, 24]);
    assert.deepEqual(data.sourceSize, [256, 256, 24]);
    assert.deepEqual(data.spacingMm, [brain.spacingMm[0] * 2, brain.spacingMm[1] * 2, brain.spacingMm[2]]);
    const mask = inflateSync(Buffer.from(data.mask, 'base64'));
    assert.equal(mask.length, 128 * 128 * 24);
    const inside = mask.reduce((n, m) => n + m, 0);
    assert.ok(inside > 0.05 * mask.length && inside < 0.9 * mask.length, `brain mask voxels: ${String(inside)}`);
  });

  it('a volume with no brain still shows its slices, with the reason there is no mask', () => {
    const data = encodeMriSeries({ voxels: new Float32Array(8 * 8 * 2), size: [8, 8, 2], spacingMm: [1, 1, 1] });
    assert.equal(data.mask, '');
    assert.match(data.maskNote, /no voxel is above the foreground threshold/);
    assert.equal(inflateSync(Buffer.from(data.voxels, 'base64')).length, 128);
  });
});
