/**
 * Test fixtures for the transfer-syntax tests: small uncompressed DICOM sources written here (dcmjs for the header,
 * pixel data appended by hand), compressed with dcmtk's own encoders (dcmcjpeg, dcmcjpls, dcmcrle, dcmconv) and
 * decoded again with dcmtk's own decoders (dcmdjpeg, dcmdjpls, dcmdrle) as the independent reference.
 * JPEG 2000 and HTJ2K sources (no dcmtk codec in the free toolkit) are wrapped from codestreams made by OpenJPEG and
 * OpenJPH, with the uncompressed source as the reference for the lossless ones.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';

// eslint-disable-next-line @typescript-eslint/no-require-imports -- dcmjs ships no type declarations
const dcmjs = require('dcmjs') as {
  data: {
    DicomDict: new (meta: Record<string, unknown>) => { dict: Record<string, unknown>; write(): ArrayBuffer };
    DicomMetaDictionary: { denaturalizeDataset(ds: Record<string, unknown>): Record<string, unknown> };
  };
};

/** One pixel layout to test. */
export interface FixtureCase {
  /** Short name (used in file names). */
  readonly name: string;
  /** Rows. */
  readonly rows: number;
  /** Columns. */
  readonly columns: number;
  /** Frames. */
  readonly frames: number;
  /** BitsAllocated. */
  readonly bitsAllocated: 8 | 16;
  /** BitsStored. */
  readonly bitsStored: number;
  /** PixelRepresentation. */
  readonly signed: boolean;
  /** SamplesPerPixel. */
  readonly samples: 1 | 3;
  /** PlanarConfiguration (colour only). */
  readonly planar?: 0 | 1;
  /** PhotometricInterpretation (default MONOCHROME2 / RGB). */
  readonly photometric?: string;
}

/** The layouts every syntax is tried with (where the syntax allows it). */
export const CASES: readonly FixtureCase[] = [
  { name: 'grey8', rows: 37, columns: 45, frames: 2, bitsAllocated: 8, bitsStored: 8, signed: false, samples: 1 },
  { name: 'grey12', rows: 40, columns: 33, frames: 2, bitsAllocated: 16, bitsStored: 12, signed: false, samples: 1 },
  { name: 'grey16', rows: 31, columns: 42, frames: 1, bitsAllocated: 16, bitsStored: 16, signed: false, samples: 1 },
  { name: 'grey16s', rows: 30, columns: 28, frames: 1, bitsAllocated: 16, bitsStored: 16, signed: true, samples: 1 },
  { name: 'rgb8p0', rows: 34, columns: 40, frames: 2, bitsAllocated: 8, bitsStored: 8, signed: false, samples: 3, planar: 0 },
  { name: 'rgb8p1', rows: 34, columns: 40, frames: 2, bitsAllocated: 8, bitsStored: 8, signed: false, samples: 3, planar: 1 },
  { name: 'rgb16p0', rows: 26, columns: 30, frames: 1, bitsAllocated: 16, bitsStored: 16, signed: false, samples: 3, planar: 0 },
  { name: 'rgb16p1', rows: 26, columns: 30, frames: 1, bitsAllocated: 16, bitsStored: 16, signed: false, samples: 3, planar: 1 },
];

/** Whether dcmtk's command-line tools are on the PATH. */
export function hasDcmtk(): boolean {
  return spawnSync('dcmcjpeg', ['--version'], { stdio: 'ignore' }).status === 0;
}

/**
 * Deterministic sample values of one frame: smooth gradients plus a little texture, using the full stored range.
 *
 * @param c - the layout
 * @param frame - frame index
 * @returns samples as the DICOM native layout stores them (interleaved for planar 0, planes for planar 1)
 */
export function framePixels(c: FixtureCase, frame: number): number[] {
  const max = 2 ** c.bitsStored - 1;
  const lo = c.signed ? -(2 ** (c.bitsStored - 1)) : 0;
  const interleaved: number[] = [];
  for (let y = 0; y < c.rows; y++) {
    for (let x = 0; x < c.columns; x++) {
      for (let s = 0; s < c.samples; s++) {
        const t = (x * (3 + s) + y * (5 - s) + frame * 17 + ((x * y * (s + 1)) % 13)) / (c.columns * 3 + c.rows * 5 + 40);
        interleaved.push(lo + Math.round(((t * 997 + s * 0.31) % 1) * max));
      }
    }
  }
  if (c.samples === 1 || c.planar !== 1) {
    return interleaved;
  }
  const planes: number[] = [];
  for (let s = 0; s < 3; s++) {
    for (let p = 0; p < c.rows * c.columns; p++) {
      planes.push(interleaved[p * 3 + s] ?? 0);
    }
  }
  return planes;
}

/**
 * The interleaved samples of a frame (what a decoder must return, whatever the planar configuration).
 *
 * @param c - the layout
 * @param frame - frame index
 * @returns interleaved samples
 */
export function interleavedPixels(c: FixtureCase, frame: number): number[] {
  return framePixels({ ...c, planar: 0 }, frame);
}

function sampleBytes(values: readonly number[], bitsAllocated: number): Buffer {
  const out = Buffer.alloc(values.length * (bitsAllocated / 8));
  values.forEach((v, i) => {
    if (bitsAllocated === 8) {
      out[i] = v & 0xff;
    } else {
      out.writeUInt16LE(v & 0xffff, i * 2);
    }
  });
  return out;
}

/** UIDs of one fixture (the SOP Instance UID names the case so failures are easy to read). */
export function uidsFor(name: string): { study: string; series: string; sop: string } {
  let h = 0;
  for (const ch of name) {
    h = (h * 31 + ch.charCodeAt(0)) >>> 0;
  }
  return { study: `1.2.826.0.1.3680043.8.498.1.${String(h)}`, series: `1.2.826.0.1.3680043.8.498.2.${String(h)}`, sop: `1.2.826.0.1.3680043.8.498.3.${String(h)}` };
}

function header(c: FixtureCase, name: string, transferSyntaxUID: string, extra: Record<string, unknown> = {}): Buffer {
  const uids = uidsFor(name);
  const meta = {
    FileMetaInformationVersion: new Uint8Array([0, 1]).buffer,
    MediaStorageSOPClassUID: '1.2.840.10008.5.1.4.1.1.7',
    MediaStorageSOPInstanceUID: uids.sop,
    TransferSyntaxUID: transferSyntaxUID,
    ImplementationClassUID: '1.2.826.0.1.3680043.8.498.9',
  };
  const ds: Record<string, unknown> = {
    SOPClassUID: '1.2.840.10008.5.1.4.1.1.7',
    SOPInstanceUID: uids.sop,
    StudyInstanceUID: uids.study,
    SeriesInstanceUID: uids.series,
    PatientID: 'FIXTURE',
    PatientName: 'Fixture^Pixel',
    Modality: 'OT',
    StudyDate: '20240102',
    SeriesNumber: 1,
    InstanceNumber: 1,
    ...(c.frames > 1 ? { NumberOfFrames: c.frames } : {}),
    SamplesPerPixel: c.samples,
    PhotometricInterpretation: c.photometric ?? (c.samples === 3 ? 'RGB' : 'MONOCHROME2'),
    ...(c.samples === 3 ? { PlanarConfiguration: c.planar ?? 0 } : {}),
    Rows: c.rows,
    Columns: c.columns,
    BitsAllocated: c.bitsAllocated,
    BitsStored: c.bitsStored,
    HighBit: c.bitsStored - 1,
    PixelRepresentation: c.signed ? 1 : 0,
    ...extra,
  };
  const dict = new dcmjs.data.DicomDict(dcmjs.data.DicomMetaDictionary.denaturalizeDataset(meta));
  dict.dict = dcmjs.data.DicomMetaDictionary.denaturalizeDataset(ds);
  return Buffer.from(dict.write());
}

function element(group: number, el: number, vr: string, value: Buffer): Buffer {
  const h = Buffer.alloc(12);
  h.writeUInt16LE(group, 0);
  h.writeUInt16LE(el, 2);
  h.write(vr, 4, 'latin1');
  h.writeUInt32LE(value.length, 8);
  return Buffer.concat([h, value]);
}

/**
 * Writes an uncompressed explicit-VR little-endian source file.
 *
 * @param dir - folder
 * @param c - layout
 * @param raw - optional pixel bytes (default {@link framePixels} of every frame)
 * @returns the path
 */
export function writeNative(dir: string, c: FixtureCase, raw?: Buffer): string {
  const pixels = raw ?? Buffer.concat(Array.from({ length: c.frames }, (_, f) => sampleBytes(framePixels(c, f), c.bitsAllocated)));
  const padded = pixels.length % 2 === 1 ? Buffer.concat([pixels, Buffer.alloc(1)]) : pixels;
  const file = path.join(dir, `${c.name}.native.dcm`);
  fs.writeFileSync(file, Buffer.concat([header(c, c.name, '1.2.840.10008.1.2.1'), element(0x7fe0, 0x0010, c.bitsAllocated === 8 ? 'OB' : 'OW', padded)]));
  return file;
}

/**
 * Writes an encapsulated file from codestreams (one fragment per frame, empty basic offset table).
 *
 * @param file - target path
 * @param c - layout
 * @param name - fixture name (for the UIDs)
 * @param transferSyntaxUID - the syntax
 * @param codestreams - one per frame
 * @param extra - attributes to add or override
 */
export function writeEncapsulated(file: string, c: FixtureCase, name: string, transferSyntaxUID: string, codestreams: readonly Uint8Array[], extra: Record<string, unknown> = {}): void {
  const parts: Buffer[] = [header(c, name, transferSyntaxUID, extra)];
  const tag = Buffer.alloc(12);
  tag.writeUInt16LE(0x7fe0, 0);
  tag.writeUInt16LE(0x0010, 2);
  tag.write('OB', 4, 'latin1');
  tag.writeUInt32LE(0xffffffff, 8);
  parts.push(tag);
  const item = (bytes: Uint8Array): Buffer => {
    const b = Buffer.from(bytes);
    const body = b.length % 2 === 1 ? Buffer.concat([b, Buffer.alloc(1)]) : b;
    const h = Buffer.alloc(8);
    h.writeUInt16LE(0xfffe, 0);
    h.writeUInt16LE(0xe000, 2);
    h.writeUInt32LE(body.length, 4);
    return Buffer.concat([h, body]);
  };
  parts.push(item(new Uint8Array(0)));
  for (const cs of codestreams) {
    parts.push(item(cs));
  }
  const end = Buffer.alloc(8);
  end.writeUInt16LE(0xfffe, 0);
  end.writeUInt16LE(0xe0dd, 2);
  parts.push(end);
  fs.writeFileSync(file, Buffer.concat(parts));
}

/**
 * Runs a dcmtk tool.
 *
 * @param tool - program
 * @param args - arguments (input and output last)
 */
export function dcmtk(tool: string, ...args: string[]): void {
  execFileSync(tool, args, { stdio: ['ignore', 'ignore', 'pipe'] });
}

/**
 * The pixel bytes of an uncompressed little-endian file written by dcmtk (the decoders' output), per frame.
 *
 * @param file - an explicit-VR little-endian file
 * @param frameBytes - bytes per frame
 * @param frames - frame count
 * @returns one buffer per frame
 */
export function nativeFrames(file: string, frameBytes: number, frames: number): Buffer[] {
  const bytes = fs.readFileSync(file);
  const at = bytes.lastIndexOf(Buffer.from([0xe0, 0x7f, 0x10, 0x00]));
  if (at < 0) {
    throw new Error(`${file}: no PixelData element`);
  }
  const vr = bytes.toString('latin1', at + 4, at + 6);
  const start = vr === 'OB' || vr === 'OW' ? at + 12 : at + 8;
  return Array.from({ length: frames }, (_, f) => bytes.subarray(start + f * frameBytes, start + (f + 1) * frameBytes));
}
