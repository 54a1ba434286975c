import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { ENHANCED_MR_IMAGE_STORAGE, EXPLICIT_VR_LITTLE_ENDIAN, encodeMriStudy, mriUid, readMriStudy, synthesizeBrainVolume, writeMriStudy } from '../../../src/cohort/mri/index';
import type { MriStudySpec } from '../../../src/cohort/mri/index';
import { tmpDir } from '../../helpers/tmp';

const SPEC: MriStudySpec = {
  seed: 20260412,
  size: [64, 64, 24],
  effects: { atrophy: 0.4, ventricleEnlargement: 0.6, infarcts: 1, wmhLoad: 0.5, microbleeds: 3 },
  patientId: '8b8f25df-81b5-1029-3439-98d1e4ea0241',
  patientName: 'Kerluke267^Maurice742',
  birthDate: '19470312',
  sex: 'M',
  studyInstanceUid: mriUid(42, 'study', 7),
  seriesInstanceUid: mriUid(42, 'series', 7),
  studyDate: '20190412',
  studyTime: '093015',
  accessionNumber: 'ACC-7',
};

/**
 * SHA-256 of `writeMriStudy(SPEC)`. It changes only when the phantom or the DICOM encoding changes on purpose;
 * then update it here and say why in the change.
 */
const GOLDEN_SHA256 = '01c0ab283c65b4fd3941ea14632dd4efbc3ec8976881176c0212147d1bfe0738';

function sha256(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}

function bytesOf(voxels: Uint16Array): Buffer {
  return Buffer.from(voxels.buffer, voxels.byteOffset, voxels.byteLength);
}

function which(cmd: string): string | undefined {
  const r = spawnSync('sh', ['-c', `command -v ${cmd}`], { encoding: 'utf8' });
  return r.status === 0 ? r.stdout.trim() : undefined;
}

function pythonWithPydicom(): string | undefined {
  for (const py of ['/usr/bin/python3', 'python3']) {
    const r = spawnSync(py, ['-c', 'import pydicom'], { encoding: 'utf8' });
    if (r.status === 0) {
      return py;
    }
  }
  return undefined;
}

describe('cohort/mri DICOM writer', () => {
  const bytes = writeMriStudy(SPEC);
  const dir = tmpDir('mri');
  const file = path.join(dir, 'study.dcm');
  fs.writeFileSync(file, bytes);

  after(() => {
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('is deterministic: same spec, byte-identical file; another seed, another file', () => {
    const again = writeMriStudy(SPEC);
    assert.equal(sha256(again), sha256(bytes));
    assert.notEqual(sha256(writeMriStudy({ ...SPEC, seed: SPEC.seed + 1 })), sha256(bytes));
    assert.equal(sha256(bytes), GOLDEN_SHA256, 'the file changed: update GOLDEN_SHA256 only if the change is intended');
  });

  it('is a Part 10 file: 128-byte preamble, DICM, explicit VR little endian meta', () => {
    assert.equal(Buffer.from(bytes.subarray(128, 132)).toString('latin1'), 'DICM');
    const back = readMriStudy(bytes);
    assert.equal(back.meta.TransferSyntaxUID, EXPLICIT_VR_LITTLE_ENDIAN);
    assert.equal(back.meta.MediaStorageSOPClassUID, ENHANCED_MR_IMAGE_STORAGE);
    assert.equal(back.meta.MediaStorageSOPInstanceUID, back.dataset.SOPInstanceUID);
    // The file ends with the Pixel Data element: (7FE0,0010) OW, 32-bit length = all the pixels.
    const pixelBytes = 64 * 64 * 24 * 2;
    const at = bytes.length - pixelBytes - 12;
    const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    assert.equal(view.getUint16(at, true), 0x7fe0);
    assert.equal(view.getUint16(at + 2, true), 0x0010);
    assert.equal(Buffer.from(bytes.subarray(at + 4, at + 6)).toString('latin1'), 'OW');
    assert.equal(view.getUint32(at + 8, true), pixelBytes);
  });

  it('reads back with dcmjs: dimensions, identifiers, geometry and pixel-exact voxels', () => {
    const back = readMriStudy(bytes);
    const ds = back.dataset;
    const vol = synthesizeBrainVolume(SPEC);
    assert.deepEqual(back.size, [64, 64, 24]);
    assert.equal(ds.Rows, 64);
    assert.equal(ds.Columns, 64);
    assert.equal(Number(ds.NumberOfFrames), 24);
    assert.equal(ds.BitsAllocated, 16);
    assert.equal(ds.BitsStored, 12);
    assert.equal(ds.HighBit, 11);
    assert.equal(ds.PixelRepresentation, 0);
    assert.equal(ds.SamplesPerPixel, 1);
    assert.equal(ds.PhotometricInterpretation, 'MONOCHROME2');
    assert.equal(ds.SOPClassUID, ENHANCED_MR_IMAGE_STORAGE);
    assert.equal(ds.Modality, 'MR');
    assert.equal(ds.BodyPartExamined, 'HEAD');
    assert.equal(ds.StudyInstanceUID, SPEC.studyInstanceUid);
    assert.equal(ds.SeriesInstanceUID, SPEC.seriesInstanceUid);
    assert.match(String(ds.SOPInstanceUID), /^1\.2\.840\.99999999\.1\.1\.\d{8}\.\d+$/);
    assert.equal(ds.PatientID, SPEC.patientId);
    assert.deepEqual(ds.PatientName, [{ Alphabetic: SPEC.patientName }]);
    assert.equal(ds.PatientBirthDate, SPEC.birthDate);
    assert.equal(ds.PatientSex, 'M');
    assert.equal(ds.StudyDate, SPEC.studyDate);
    assert.equal(ds.StudyTime, SPEC.studyTime);
    assert.equal(ds.AccessionNumber, SPEC.accessionNumber);
    assert.deepEqual(back.spacingMm, vol.spacingMm);
    assert.equal(back.positionsMm.length, 24);
    back.positionsMm.forEach((p, k) => {
      assert.equal(p[0], vol.originMm[0]);
      assert.equal(p[1], vol.originMm[1]);
      assert.ok(Math.abs(p[2] - (vol.originMm[2] + k * vol.spacingMm[2])) < 1e-5, `frame ${k} z ${p[2]}`);
    });
    const shared = (ds.SharedFunctionalGroupsSequence as Record<string, unknown>[])[0]!;
    const orientation = (shared.PlaneOrientationSequence as Record<string, unknown>[])[0]!;
    assert.deepEqual(orientation.ImageOrientationPatient, [1, 0, 0, 0, 1, 0]);
    const measures = (shared.PixelMeasuresSequence as Record<string, unknown>[])[0]!;
    assert.equal(measures.SliceThickness, vol.spacingMm[2]);
    assert.ok(bytesOf(back.voxels).equals(bytesOf(vol.voxels)), 'pixels equal synthesizeBrainVolume voxels');
    assert.ok(back.voxels.every((v) => v <= 4095));
  });

  it('uses the caller’s SOP Instance UID when given, and derives distinct ones per series otherwise', () => {
    const sop = mriUid(42, 'sop', 7);
    assert.equal(readMriStudy(writeMriStudy({ ...SPEC, size: [16, 16, 8], sopInstanceUid: sop })).dataset.SOPInstanceUID, sop);
    const a = readMriStudy(writeMriStudy({ ...SPEC, size: [16, 16, 8] })).dataset.SOPInstanceUID;
    const b = readMriStudy(writeMriStudy({ ...SPEC, size: [16, 16, 8], seriesInstanceUid: mriUid(42, 'series', 8) })).dataset.SOPInstanceUID;
    assert.notEqual(a, b);
  });

  it('round-trips non-ASCII names as UTF-8 (ISO_IR 192)', () => {
    const back = readMriStudy(writeMriStudy({ ...SPEC, size: [16, 16, 8], patientName: 'Müller^Zoë' }));
    assert.equal(back.dataset.SpecificCharacterSet, 'ISO_IR 192');
    assert.deepEqual(back.dataset.PatientName, [{ Alphabetic: 'Müller^Zoë' }]);
    assert.equal(readMriStudy(bytes).dataset.SpecificCharacterSet, undefined);
  });

  it('rejects bad identifiers with the field and the fix in the message', () => {
    const cases: [Partial<MriStudySpec>, string][] = [
      [{ studyInstanceUid: '1.2.03' }, 'studyInstanceUid'],
      [{ seriesInstanceUid: `1.${'2'.repeat(70)}` }, 'seriesInstanceUid'],
      [{ sopInstanceUid: 'abc' }, 'sopInstanceUid'],
      [{ studyDate: '2019-04-12' }, 'studyDate'],
      [{ birthDate: '19470231' }, 'birthDate'],
      [{ sex: 'X' as 'M' }, 'sex'],
      [{ patientId: '' }, 'patientId'],
      [{ patientName: 'A\\B' }, 'patientName'],
      [{ studyTime: '256000' }, 'studyTime'],
      [{ accessionNumber: 'x'.repeat(17) }, 'accessionNumber'],
    ];
    for (const [patch, field] of cases) {
      assert.throws(
        () => writeMriStudy({ ...SPEC, ...patch }),
        (e: unknown) => (e as { code?: string }).code === 'invalid-input' && (e as { path?: string }).path === field && (e as Error).message.startsWith('writeMriStudy:'),
        field,
      );
    }
  });

  it('encodeMriStudy refuses pixels above 12 bits and a voxel count that does not match the size', () => {
    const vol = synthesizeBrainVolume({ ...SPEC, size: [16, 16, 8] });
    const voxels = vol.voxels.slice();
    voxels[100] = 4096;
    assert.throws(
      () => encodeMriStudy(SPEC, { ...vol, voxels }),
      (e: unknown) => (e as { code?: string }).code === 'invalid-input' && /pixel 100 is 4096/.test((e as Error).message),
    );
    assert.throws(
      () => encodeMriStudy(SPEC, { ...vol, voxels: vol.voxels.subarray(1) }),
      (e: unknown) => (e as { code?: string }).code === 'invalid-input' && /needs 2048/.test((e as Error).message),
    );
    assert.deepEqual(readMriStudy(encodeMriStudy(SPEC, vol)).size, [16, 16, 8], 'the volume size wins over spec.size');
  });

  it('parses with dcmtk dcmdump (skipped when dcmtk is not installed)', function () {
    const dcmdump = which('dcmdump');
    if (dcmdump === undefined) {
      console.log('      (skip: dcmdump not installed; apt-get install dcmtk to run this cross-check)');
      this.skip();
    }
    const out = execFileSync(dcmdump, ['-q', '+L', file], { encoding: 'utf8' });
    assert.match(out, /\(0028,0010\) US 64 /);
    assert.match(out, /\(0028,0011\) US 64 /);
    assert.match(out, /\(0028,0008\) IS \[24\]/);
    assert.ok(out.includes(`(0020,000d) UI [${SPEC.studyInstanceUid}]`));
    assert.ok(out.includes(`(0020,000e) UI [${SPEC.seriesInstanceUid}]`));
    assert.match(out, /\(7fe0,0010\) OW .*# 196608, 1 PixelData/);
    assert.equal((out.match(/ImagePositionPatient/g) ?? []).length, 24);
    const ftest = which('dcmftest');
    if (ftest !== undefined) {
      assert.match(execFileSync(ftest, [file], { encoding: 'utf8' }), /^yes:/);
    }
  });

  it('reads with pydicom: same geometry, identifiers and pixel bytes (skipped when pydicom is missing)', function () {
    const py = pythonWithPydicom();
    if (py === undefined) {
      console.log('      (skip: pydicom not importable; apt-get install python3-pydicom to run this cross-check)');
      this.skip();
    }
    const script = [
      'import sys, json, hashlib, pydicom',
      'ds = pydicom.dcmread(sys.argv[1])',
      'sh = ds.SharedFunctionalGroupsSequence[0]',
      'pf = ds.PerFrameFunctionalGroupsSequence',
      'print(json.dumps({',
      ' "rows": ds.Rows, "cols": ds.Columns, "frames": int(ds.NumberOfFrames), "bits": ds.BitsAllocated,',
      ' "pr": ds.PixelRepresentation, "ts": str(ds.file_meta.TransferSyntaxUID), "sop_class": str(ds.SOPClassUID),',
      ' "study": ds.StudyInstanceUID, "series": ds.SeriesInstanceUID, "pid": ds.PatientID, "pn": str(ds.PatientName),',
      ' "spacing": [float(v) for v in sh.PixelMeasuresSequence[0].PixelSpacing],',
      ' "thickness": float(sh.PixelMeasuresSequence[0].SliceThickness),',
      ' "iop": [float(v) for v in sh.PlaneOrientationSequence[0].ImageOrientationPatient],',
      ' "ipp": [[float(v) for v in f.PlanePositionSequence[0].ImagePositionPatient] for f in pf],',
      ' "sha": hashlib.sha256(ds.PixelData).hexdigest()}))',
    ].join('\n');
    const got = JSON.parse(execFileSync(py, ['-c', script, file], { encoding: 'utf8' })) as {
      rows: number;
      cols: number;
      frames: number;
      bits: number;
      pr: number;
      ts: string;
      sop_class: string;
      study: string;
      series: string;
      pid: string;
      pn: string;
      spacing: number[];
      thickness: number;
      iop: number[];
      ipp: number[][];
      sha: string;
    };
    const vol = synthesizeBrainVolume(SPEC);
    assert.deepEqual([got.cols, got.rows, got.frames, got.bits, got.pr], [64, 64, 24, 16, 0]);
    assert.equal(got.ts, EXPLICIT_VR_LITTLE_ENDIAN);
    assert.equal(got.sop_class, ENHANCED_MR_IMAGE_STORAGE);
    assert.deepEqual([got.study, got.series, got.pid, got.pn], [SPEC.studyInstanceUid, SPEC.seriesInstanceUid, SPEC.patientId, SPEC.patientName]);
    assert.deepEqual(got.spacing, [vol.spacingMm[1], vol.spacingMm[0]]);
    assert.equal(got.thickness, vol.spacingMm[2]);
    assert.deepEqual(got.iop, [1, 0, 0, 0, 1, 0]);
    assert.equal(got.ipp.length, 24);
    assert.deepEqual(got.ipp[0], vol.originMm);
    assert.equal(got.sha, createHash('sha256').update(bytesOf(vol.voxels)).digest('hex'));
  });

  it('writes a Coherent-size 256³ study that reads back', function () {
    this.timeout(180_000);
    const big = writeMriStudy({ ...SPEC, size: [256, 256, 256] });
    assert.ok(big.length > 256 ** 3 * 2);
    const back = readMriStudy(big);
    assert.deepEqual(back.size, [256, 256, 256]);
    assert.equal(back.positionsMm.length, 256);
    assert.deepEqual(back.spacingMm, [0.9375, 0.9375, 0.625]);
  });
});
