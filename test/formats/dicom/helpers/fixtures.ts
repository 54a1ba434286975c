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
import { encodeHtj2k } from '../../../../src/formats/htj2k/codec';

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

/** One compressed or re-encoded test file and what the importer must make of it. */
export interface CorpusEntry {
  /** The file. */
  readonly file: string;
  /** Its layout. */
  readonly case: FixtureCase;
  /** Its TransferSyntaxUID. */
  readonly syntax: string;
  /** How it was made (tool and options), for messages. */
  readonly how: string;
  /** The independent reference: decoded samples per frame, components interleaved, little endian. */
  readonly reference: readonly Buffer[];
  /** BitsAllocated of the reference samples (JPEG baseline of a 16-bit source is 8-bit). */
  readonly referenceBits: number;
  /** Whether HealthImaging keeps this syntax's codestream as is (then stored frames equal the file's frames). */
  readonly keptAsIs: boolean;
}

function interleavedBuffer(c: FixtureCase, frame: number): Buffer {
  return sampleBytes(interleavedPixels(c, frame), c.bitsAllocated);
}

function planarToInterleaved(buf: Buffer, planar: number, samples: number, bytesPerSample: number): Buffer {
  if (samples === 1 || planar === 0) {
    return buf;
  }
  const n = buf.length / samples / bytesPerSample;
  const out = Buffer.alloc(buf.length);
  for (let s = 0; s < samples; s++) {
    for (let p = 0; p < n; p++) {
      for (let b = 0; b < bytesPerSample; b++) {
        out[(p * samples + s) * bytesPerSample + b] = buf[(s * n + p) * bytesPerSample + b] ?? 0;
      }
    }
  }
  return out;
}

/** Reads the header facts dcmtk's decoders wrote (bits, planar configuration) with dcmdump. */
function dcmtkHeader(file: string): { bitsAllocated: number; planar: number; rows: number; columns: number; samples: number; frames: number } {
  const dump = execFileSync('dcmdump', ['+L', file], { encoding: 'latin1' });
  const us = (tag: string, fallback: number): number => {
    const m = new RegExp(`\\(${tag}\\) (?:US|IS) \\[?(\\d+)`).exec(dump);
    return m === null ? fallback : Number(m[1]);
  };
  return { bitsAllocated: us('0028,0100', 16), planar: us('0028,0006', 0), rows: us('0028,0010', 0), columns: us('0028,0011', 0), samples: us('0028,0002', 1), frames: us('0028,0008', 1) };
}

/** dcmtk encoders per syntax: [syntax UID, tag, encoder, options, decoder, kept as is]. */
const DCMTK_SYNTAXES: readonly [string, string, string, readonly string[], string | undefined, boolean][] = [
  ['1.2.840.10008.1.2', 'implicit', 'dcmconv', ['+ti'], undefined, false],
  ['1.2.840.10008.1.2.1.99', 'deflated', 'dcmconv', ['+td'], undefined, false],
  ['1.2.840.10008.1.2.2', 'big-endian', 'dcmconv', ['+tb'], undefined, false],
  ['1.2.840.10008.1.2.5', 'rle', 'dcmcrle', [], 'dcmdrle', false],
  ['1.2.840.10008.1.2.4.50', 'jpeg-baseline', 'dcmcjpeg', ['+eb'], 'dcmdjpeg', true],
  ['1.2.840.10008.1.2.4.51', 'jpeg-extended', 'dcmcjpeg', ['+ee', '+s4'], 'dcmdjpeg', false],
  ['1.2.840.10008.1.2.4.57', 'jpeg-lossless', 'dcmcjpeg', ['+el'], 'dcmdjpeg', false],
  ['1.2.840.10008.1.2.4.70', 'jpeg-lossless-sv1', 'dcmcjpeg', ['+e1'], 'dcmdjpeg', false],
  ['1.2.840.10008.1.2.4.80', 'jpeg-ls', 'dcmcjpls', ['+el'], 'dcmdjpls', false],
  ['1.2.840.10008.1.2.4.81', 'jpeg-ls-near', 'dcmcjpls', ['+en'], 'dcmdjpls', false],
];

/**
 * Writes the corpus: for every layout, the uncompressed source, then each dcmtk syntax (with dcmtk's own decode
 * as the reference), and JPEG 2000 / HTJ2K files wrapped from OpenJPEG / OpenJPH codestreams (the source as the
 * reference of the lossless ones).
 *
 * @param dir - empty folder
 * @returns the entries (layouts a syntax cannot hold, such as near-lossless JPEG-LS of signed data, are left out)
 */
export async function buildCorpus(dir: string): Promise<CorpusEntry[]> {
  const out: CorpusEntry[] = [];
  for (const c of CASES) {
    const src = writeNative(dir, c);
    const source = Array.from({ length: c.frames }, (_, f) => interleavedBuffer(c, f));
    out.push({ file: src, case: c, syntax: '1.2.840.10008.1.2.1', how: 'explicit VR little endian source', reference: source, referenceBits: c.bitsAllocated, keptAsIs: false });
    for (const [syntax, tag, encoder, options, decoder, kept] of DCMTK_SYNTAXES) {
      if (syntax === '1.2.840.10008.1.2.4.81' && c.signed) {
        continue;
      }
      // 12-bit colour (JPEG extended of 16-bit RGB) stays YCbCr when decoded here, as the header says (YBR_FULL):
      // dcmtk is told not to convert it either (+cn).
      const keepYcc = syntax === '1.2.840.10008.1.2.4.51' && c.samples === 3 && c.bitsAllocated === 16;
      const file = path.join(dir, `${c.name}.${tag}.dcm`);
      dcmtk(encoder, ...options, src, file);
      let reference = source;
      let referenceBits: number = c.bitsAllocated;
      if (decoder !== undefined) {
        const decoded = `${file}.dcmtk.dcm`;
        dcmtk(decoder, '+te', ...(keepYcc ? ['+cn'] : []), file, decoded);
        const h = dcmtkHeader(decoded);
        const bps = h.bitsAllocated / 8;
        referenceBits = h.bitsAllocated;
        reference = nativeFrames(decoded, h.rows * h.columns * h.samples * bps, h.frames).map((b) => planarToInterleaved(b, h.planar, h.samples, bps));
      }
      out.push({ file, case: c, syntax, how: `${encoder} ${options.join(' ')}`.trim(), reference, referenceBits, keptAsIs: kept });
    }
    out.push(...(await wrapJ2k(dir, c, source)));
  }
  return out;
}

interface J2kEncoder {
  getDecodedBuffer(info: Record<string, unknown>): Uint8Array;
  getEncodedBuffer(): Uint8Array;
  setQuality(lossless: boolean, step: number): void;
  setDecompositions(n: number): void;
  setCompressionRatio(layer: number, ratio: number): void;
  encode(): void;
  delete(): void;
}

let openJpeg: Promise<{ J2KEncoder: new () => J2kEncoder }> | undefined;

async function openJpegEncode(pixels: Buffer, c: FixtureCase, lossless: boolean): Promise<Uint8Array> {
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- the codec package ships no declarations
  const factory = require('@cornerstonejs/codec-openjpeg/wasmjs') as (o: Record<string, unknown>) => Promise<{ J2KEncoder: new () => J2kEncoder }>;
  openJpeg ??= factory({ print: () => undefined, printErr: () => undefined });
  const m = await openJpeg;
  const e = new m.J2KEncoder();
  try {
    e.getDecodedBuffer({ width: c.columns, height: c.rows, bitsPerSample: c.bitsAllocated, componentCount: c.samples, isSigned: c.signed, isUsingColorTransform: false }).set(pixels);
    e.setDecompositions(2);
    e.setQuality(lossless, 0);
    if (!lossless) {
      e.setCompressionRatio(0, 6);
    }
    e.encode();
    return Uint8Array.from(e.getEncodedBuffer());
  } finally {
    e.delete();
  }
}

async function wrapJ2k(dir: string, c: FixtureCase, source: readonly Buffer[]): Promise<CorpusEntry[]> {
  const typed = (b: Buffer): Uint8Array | Uint16Array | Int16Array => {
    const copy = Uint8Array.from(b);
    return c.bitsAllocated === 8 ? copy : c.signed ? new Int16Array(copy.buffer) : new Uint16Array(copy.buffer);
  };
  const info = { width: c.columns, height: c.rows, bitsPerSample: c.bitsAllocated, componentCount: c.samples, isSigned: c.signed };
  const entries: CorpusEntry[] = [];
  const add = (syntax: string, tag: string, how: string, codestreams: Uint8Array[], keptAsIs: boolean): void => {
    const file = path.join(dir, `${c.name}.${tag}.dcm`);
    writeEncapsulated(file, c, `${c.name}.${tag}`, syntax, codestreams, c.samples === 3 ? { PlanarConfiguration: 0 } : {});
    entries.push({ file, case: { ...c, planar: 0 }, syntax, how, reference: source, referenceBits: c.bitsAllocated, keptAsIs });
  };
  const encodeAll = async (encode: (b: Buffer) => Promise<Uint8Array>): Promise<Uint8Array[]> => {
    const out: Uint8Array[] = [];
    for (const b of source) {
      out.push(await encode(b));
    }
    return out;
  };
  // OpenJPEG's WebAssembly encoder fails on 16-bit colour (memory access out of bounds): no J2K fixture for it.
  if (!(c.samples === 3 && c.bitsAllocated === 16)) {
    add('1.2.840.10008.1.2.4.90', 'j2k-lossless', 'OpenJPEG reversible 5/3', await encodeAll((b) => openJpegEncode(b, c, true)), false);
    add('1.2.840.10008.1.2.4.91', 'j2k', 'OpenJPEG irreversible 9/7', await encodeAll((b) => openJpegEncode(b, c, false)), true);
  }
  const ht = await encodeAll((b) => encodeHtj2k(typed(b), info));
  add('1.2.840.10008.1.2.4.201', 'htj2k-lossless', 'OpenJPH lossless', ht, false);
  add('1.2.840.10008.1.2.4.202', 'htj2k-rpcl', 'OpenJPH lossless RPCL', ht, false);
  add('1.2.840.10008.1.2.4.203', 'htj2k', 'OpenJPH (kept as is)', ht, true);
  return entries;
}

/** One raw data element: tag, VR and value bytes (padded to even length here). */
export type RawElement = readonly [group: number, element: number, vr: string, value: Buffer | string];

/**
 * Writes a Part 10 file element by element (for files other writers refuse to make: ISO 2022 text, a meta group
 * that names the wrong VR encoding, 32-bit or YBR_FULL_422 native pixel data).
 *
 * @param file - target path
 * @param metaTransferSyntax - the TransferSyntaxUID the meta group names
 * @param elements - data set elements in tag order
 * @param implicitBody - encode the data set with implicit VRs (whatever the meta group says)
 */
export function writeRaw(file: string, metaTransferSyntax: string, elements: readonly RawElement[], implicitBody = false): void {
  const metaBytes = header({ name: 'raw', rows: 1, columns: 1, frames: 1, bitsAllocated: 8, bitsStored: 8, signed: false, samples: 1 }, 'raw', metaTransferSyntax);
  const groupLength = metaBytes.readUInt32LE(140);
  const meta = Buffer.from(metaBytes.subarray(0, 144 + groupLength));
  const parts: Buffer[] = [meta];
  for (const [group, el, vr, value] of elements) {
    let v = typeof value === 'string' ? Buffer.from(value, 'latin1') : value;
    if (v.length % 2 === 1) {
      v = Buffer.concat([v, Buffer.from(vr === 'UI' || vr === 'OB' ? [0] : [0x20])]);
    }
    if (implicitBody) {
      const h = Buffer.alloc(8);
      h.writeUInt16LE(group, 0);
      h.writeUInt16LE(el, 2);
      h.writeUInt32LE(v.length, 4);
      parts.push(h, v);
    } else if (['OB', 'OW', 'SQ', 'UN', 'UT', 'OL', 'OF'].includes(vr)) {
      parts.push(element(group, el, vr, v));
    } else {
      const h = Buffer.alloc(8);
      h.writeUInt16LE(group, 0);
      h.writeUInt16LE(el, 2);
      h.write(vr, 4, 'latin1');
      h.writeUInt16LE(v.length, 6);
      parts.push(h, v);
    }
  }
  fs.writeFileSync(file, Buffer.concat(parts));
}

/** A US value. */
export function us(n: number): Buffer {
  const b = Buffer.alloc(2);
  b.writeUInt16LE(n, 0);
  return b;
}

/**
 * The elements of a small secondary-capture image (identifiers, pixel module, pixel data).
 *
 * @param sop - SOPInstanceUID
 * @param pixel - pixel module values and the pixel bytes
 * @param extra - elements to add before the identifiers (e.g. SpecificCharacterSet) and after (e.g. PatientName)
 * @returns the elements in tag order
 */
export function imageElements(
  sop: string,
  pixel: { rows: number; columns: number; samples: number; photometric: string; bitsAllocated: number; planar?: number; data: Buffer },
  extra: { charset?: string; patientName?: Buffer } = {},
): RawElement[] {
  return [
    ...(extra.charset === undefined ? [] : [[0x0008, 0x0005, 'CS', extra.charset] as const]),
    [0x0008, 0x0016, 'UI', '1.2.840.10008.5.1.4.1.1.7'],
    [0x0008, 0x0018, 'UI', sop],
    [0x0008, 0x0060, 'CS', 'OT'],
    ...(extra.patientName === undefined ? [] : [[0x0010, 0x0010, 'PN', extra.patientName] as const]),
    [0x0010, 0x0020, 'LO', 'RAW1'],
    [0x0020, 0x000d, 'UI', `${sop}.1`],
    [0x0020, 0x000e, 'UI', `${sop}.2`],
    [0x0028, 0x0002, 'US', us(pixel.samples)],
    [0x0028, 0x0004, 'CS', pixel.photometric],
    ...(pixel.samples > 1 ? [[0x0028, 0x0006, 'US', us(pixel.planar ?? 0)] as const] : []),
    [0x0028, 0x0010, 'US', us(pixel.rows)],
    [0x0028, 0x0011, 'US', us(pixel.columns)],
    [0x0028, 0x0100, 'US', us(pixel.bitsAllocated)],
    [0x0028, 0x0101, 'US', us(pixel.bitsAllocated)],
    [0x0028, 0x0102, 'US', us(pixel.bitsAllocated - 1)],
    [0x0028, 0x0103, 'US', us(0)],
    [0x7fe0, 0x0010, pixel.bitsAllocated === 8 ? 'OB' : 'OW', pixel.data],
  ];
}
