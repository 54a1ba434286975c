/**
 * Reads DICOM Part 10 files with dcmjs into a small typed record: identifiers, pixel description, geometry and
 * the (still encoded) frames; {@link decodeFrame} turns one frame into samples.
 */
import dcmjs from 'dcmjs';
import { HealthDataError } from '../../errors';
import { decodeHtj2k } from '../htj2k/codec';
import { RAW_CHARSET_TERM, decodeDatasetText } from './charset';
import { decodeJpeg2000, decodeJpegBaseline, decodeJpegExtended, decodeJpegLossless, decodeJpegLs, jpegPrecision, planarToInterleaved } from './codecs';
import type { RawDecoded } from './raw-decoded';
import { datasetLooksExplicit, peekSopInstanceUID, readFileMeta, scanElements, withTransferSyntax } from './raw-scan';
import { decodeRleFrame } from './rle';
import { TRANSFER_SYNTAX, isEncapsulated, pixelCoding, unsupportedReason } from './transfer-syntax';
import type { PixelCoding } from './transfer-syntax';

/** How the pixels of an instance are stored. */
export interface PixelDescription {
  /** Rows. */
  readonly rows: number;
  /** Columns. */
  readonly columns: number;
  /** NumberOfFrames (1 when absent). */
  readonly frames: number;
  /** BitsAllocated. */
  readonly bitsAllocated: number;
  /** BitsStored. */
  readonly bitsStored: number;
  /** HighBit. */
  readonly highBit: number;
  /** PixelRepresentation: 0 unsigned, 1 two's complement. */
  readonly pixelRepresentation: number;
  /** SamplesPerPixel. */
  readonly samplesPerPixel: number;
  /** PhotometricInterpretation. */
  readonly photometric: string;
  /** PlanarConfiguration: 0 samples interleaved per pixel, 1 one plane per sample (native colour data). */
  readonly planarConfiguration: number;
  /** RescaleSlope (1 when absent). */
  readonly rescaleSlope: number;
  /** RescaleIntercept (0 when absent). */
  readonly rescaleIntercept: number;
}

/** Patient-space geometry, from the classic tags or the enhanced functional groups. */
export interface DicomGeometry {
  /** PixelSpacing: [row spacing, column spacing] in mm. */
  readonly pixelSpacing: readonly [number, number] | undefined;
  /** SliceThickness in mm. */
  readonly sliceThickness: number | undefined;
  /** SpacingBetweenSlices in mm. */
  readonly spacingBetweenSlices: number | undefined;
  /** ImageOrientationPatient (row then column direction cosines). */
  readonly orientation: readonly number[] | undefined;
  /** ImagePositionPatient per frame (undefined where absent). */
  readonly positions: readonly (readonly number[] | undefined)[];
}

/** One parsed DICOM instance. */
export interface DicomInstance {
  /** TransferSyntaxUID from the file meta group. */
  readonly transferSyntaxUID: string;
  /** SOPClassUID. */
  readonly sopClassUID: string | undefined;
  /** SOPInstanceUID. */
  readonly sopInstanceUID: string | undefined;
  /** StudyInstanceUID. */
  readonly studyInstanceUID: string | undefined;
  /** SeriesInstanceUID. */
  readonly seriesInstanceUID: string | undefined;
  /** Naturalized data set (dcmjs keyword → value) without PixelData. */
  readonly dataset: Readonly<Record<string, unknown>>;
  /** Pixel description, undefined when the instance carries no PixelData. */
  readonly pixel: PixelDescription | undefined;
  /** Geometry. */
  readonly geometry: DicomGeometry;
  /** Frames as stored: raw sample bytes for native syntaxes, codestreams for encapsulated ones. */
  readonly storedFrames: readonly Uint8Array[];
  /** What the reader had to repair to read the file (e.g. a meta header naming the wrong VR encoding). */
  readonly notes?: readonly string[];
}

/** Samples of one decoded frame. */
export type FramePixels = Int16Array | Uint16Array | Uint8Array | Int8Array;

let quiet = false;
function silenceDcmjs(): void {
  if (!quiet) {
    dcmjs.log.setLevel?.('error');
    quiet = true;
  }
}

function str(v: unknown): string | undefined {
  if (typeof v === 'string') {
    return v.trim() === '' ? undefined : v.trim();
  }
  if (typeof v === 'number') {
    return String(v);
  }
  if (Array.isArray(v) && v.length > 0) {
    return str(v[0]);
  }
  return undefined;
}

function num(v: unknown): number | undefined {
  if (typeof v === 'number' && Number.isFinite(v)) {
    return v;
  }
  if (typeof v === 'string' && v.trim() !== '' && Number.isFinite(Number(v))) {
    return Number(v);
  }
  if (Array.isArray(v) && v.length > 0) {
    return num(v[0]);
  }
  return undefined;
}

function nums(v: unknown): number[] | undefined {
  if (!Array.isArray(v)) {
    const one = num(v);
    return one === undefined ? undefined : [one];
  }
  const out = v.map((x) => num(x));
  return out.every((x): x is number => x !== undefined) ? out : undefined;
}

function item(v: unknown): Record<string, unknown> | undefined {
  if (Array.isArray(v)) {
    return item(v[0]);
  }
  return typeof v === 'object' && v !== null ? (v as Record<string, unknown>) : undefined;
}

function items(v: unknown): Record<string, unknown>[] {
  if (Array.isArray(v)) {
    return v.filter((x): x is Record<string, unknown> => typeof x === 'object' && x !== null);
  }
  const one = item(v);
  return one === undefined ? [] : [one];
}

/**
 * Reads a value from the data set, falling back to the shared then first per-frame functional group.
 *
 * @param ds - naturalized data set
 * @param macro - functional-group macro keyword, e.g. `PixelMeasuresSequence`
 * @param key - attribute keyword
 * @param frame - frame index for the per-frame lookup
 * @returns the value or undefined
 */
function fromGroups(ds: Record<string, unknown>, macro: string, key: string, frame = 0): unknown {
  const perFrame = items(ds.PerFrameFunctionalGroupsSequence)[frame];
  const fromPer = perFrame === undefined ? undefined : item(perFrame[macro])?.[key];
  if (fromPer !== undefined) {
    return fromPer;
  }
  const shared = item(ds.SharedFunctionalGroupsSequence);
  return shared === undefined ? undefined : item(shared[macro])?.[key];
}

function toArrayBuffer(bytes: Uint8Array): ArrayBuffer {
  if (bytes.byteOffset === 0 && bytes.byteLength === bytes.buffer.byteLength && bytes.buffer instanceof ArrayBuffer) {
    return bytes.buffer;
  }
  const copy = new Uint8Array(bytes.byteLength);
  copy.set(bytes);
  return copy.buffer;
}

function asBytes(v: unknown): Uint8Array | undefined {
  if (v instanceof ArrayBuffer) {
    return new Uint8Array(v);
  }
  if (ArrayBuffer.isView(v)) {
    return new Uint8Array(v.buffer, v.byteOffset, v.byteLength);
  }
  return undefined;
}

function splitFrames(pixelData: unknown, pixel: PixelDescription, encapsulated: boolean, where: string): Uint8Array[] {
  const parts = (Array.isArray(pixelData) ? pixelData : [pixelData]).map(asBytes).filter((b): b is Uint8Array => b !== undefined);
  if (parts.length === 0) {
    throw new HealthDataError('invalid-input', `readDicom: ${where} has a PixelData element without a value`);
  }
  if (encapsulated) {
    if (parts.length === pixel.frames) {
      return parts;
    }
    if (pixel.frames === 1) {
      return [Buffer.concat(parts)];
    }
    const grouped = groupFragments(parts);
    if (grouped.length === pixel.frames) {
      return grouped;
    }
    throw new HealthDataError(
      'invalid-input',
      `readDicom: ${where} has ${String(parts.length)} pixel fragments for ${String(pixel.frames)} frames and no usable offset table; re-encode it with one fragment per frame`,
    );
  }
  const all = parts.length === 1 ? (parts[0] ?? new Uint8Array(0)) : Buffer.concat(parts);
  if (pixel.bitsAllocated === 1) {
    const perFrame = pixel.rows * pixel.columns * pixel.samplesPerPixel;
    if (all.byteLength * 8 < perFrame * pixel.frames) {
      throw new HealthDataError(
        'invalid-input',
        `readDicom: ${where} has ${String(all.byteLength)} bytes of 1-bit pixel data, fewer than ${String(perFrame * pixel.frames)} bits; the file is truncated`,
      );
    }
    const frames: Uint8Array[] = [];
    for (let f = 0; f < pixel.frames; f++) {
      const out = new Uint8Array(perFrame);
      for (let i = 0; i < perFrame; i++) {
        const bit = f * perFrame + i;
        out[i] = ((all[bit >> 3] ?? 0) >> (bit & 7)) & 1;
      }
      frames.push(out);
    }
    return frames;
  }
  if (pixel.bitsAllocated % 8 !== 0) {
    throw new HealthDataError('unsupported', `readDicom: ${where} has BitsAllocated ${String(pixel.bitsAllocated)}; only 1, 8, 16 and 32 are read`);
  }
  const frameBytes = nativeFrameBytes(pixel);
  if (all.byteLength < frameBytes * pixel.frames) {
    throw new HealthDataError(
      'invalid-input',
      `readDicom: ${where} has ${String(all.byteLength)} pixel bytes, fewer than ${String(frameBytes * pixel.frames)} for ${String(pixel.frames)} frame(s) of ${String(pixel.rows)}×${String(pixel.columns)}; the file is truncated`,
    );
  }
  const frames: Uint8Array[] = [];
  for (let f = 0; f < pixel.frames; f++) {
    frames.push(all.subarray(f * frameBytes, (f + 1) * frameBytes));
  }
  return frames;
}

/** Bytes of one native frame (YBR_FULL_422 keeps two luminance and one pair of chrominance samples per 2 pixels). */
function nativeFrameBytes(pixel: PixelDescription): number {
  const samples = pixel.photometric === 'YBR_FULL_422' && pixel.samplesPerPixel === 3 ? 2 : pixel.samplesPerPixel;
  return pixel.rows * pixel.columns * samples * (pixel.bitsAllocated / 8);
}

/** Groups fragments into frames when a frame spans several fragments: a JPEG (FFD8) or J2K (FF4F) start opens a frame. */
function groupFragments(parts: Uint8Array[]): Uint8Array[] {
  const frames: Uint8Array[][] = [];
  for (const p of parts) {
    const starts = p[0] === 0xff && (p[1] === 0xd8 || p[1] === 0x4f);
    const last = frames[frames.length - 1];
    if (starts || last === undefined) {
      frames.push([p]);
    } else {
      last.push(p);
    }
  }
  return frames.map((f) => (f.length === 1 ? (f[0] ?? new Uint8Array(0)) : Buffer.concat(f)));
}

/** Prepared bytes for dcmjs: the meta group corrected to the data set's real VR encoding, ISO 2022 text made readable. */
interface Prepared {
  readonly bytes: Uint8Array;
  readonly charsets: readonly string[] | undefined;
  readonly notes: string[];
}

function prepareBytes(bytes: Uint8Array): Prepared {
  const notes: string[] = [];
  let data = bytes;
  let meta = readFileMeta(data);
  if (meta !== undefined && (meta.transferSyntaxUID === undefined || !meta.hasGroupLength)) {
    const guess = datasetLooksExplicit(data, meta.datasetStart) === false ? TRANSFER_SYNTAX.implicitLittle : TRANSFER_SYNTAX.explicitLittle;
    const uid = meta.transferSyntaxUID ?? guess;
    notes.push(
      meta.transferSyntaxUID === undefined
        ? `the file meta group has no TransferSyntaxUID; the data set reads as ${uid} (${uid === TRANSFER_SYNTAX.explicitLittle ? 'explicit' : 'implicit'} VR little endian)`
        : 'the file meta group has no group length (0002,0000); it was recomputed',
    );
    data = withTransferSyntax(data, meta, uid);
    meta = readFileMeta(data);
  }
  const ts = meta?.transferSyntaxUID;
  if (meta !== undefined && (ts === TRANSFER_SYNTAX.explicitLittle || ts === TRANSFER_SYNTAX.implicitLittle)) {
    const explicit = datasetLooksExplicit(data, meta.datasetStart);
    const real = explicit === true ? TRANSFER_SYNTAX.explicitLittle : explicit === false ? TRANSFER_SYNTAX.implicitLittle : ts;
    if (real !== ts) {
      notes.push(
        `the file meta group names ${ts} (${ts === TRANSFER_SYNTAX.explicitLittle ? 'explicit' : 'implicit'} VR) but the data set is encoded with ${explicit === true ? 'explicit' : 'implicit'} VRs; it was read as ${real}`,
      );
      data = withTransferSyntax(data, meta, real);
      meta = readFileMeta(data);
    }
  }
  let charsets: string[] | undefined;
  const real = meta?.transferSyntaxUID;
  if (meta !== undefined && real !== TRANSFER_SYNTAX.deflatedExplicitLittle && real !== TRANSFER_SYNTAX.explicitBig) {
    const explicit = real !== TRANSFER_SYNTAX.implicitLittle;
    const el = scanElements(data, meta.datasetStart, explicit, 0x00080005).find((e) => e.tag === 0x00080005);
    if (el !== undefined) {
      const values = Buffer.from(data.buffer, data.byteOffset + el.valueOffset, el.length)
        .toString('latin1')
        .split('\\')
        .map((v) => v.trim());
      if (values.length > 1 && el.length >= RAW_CHARSET_TERM.length) {
        data = data === bytes ? Uint8Array.from(data) : data;
        Buffer.from(data.buffer, data.byteOffset + el.valueOffset, el.length).write(RAW_CHARSET_TERM.padEnd(el.length, ' '), 'latin1');
        charsets = values;
      }
    }
  }
  return { bytes: data, charsets, notes };
}

/**
 * Parses a DICOM Part 10 file.
 *
 * @param bytes - the whole file
 * @param name - how to name the file in error messages (default `input`)
 * @returns the parsed instance (frames still encoded)
 * @throws {@link HealthDataError} (invalid-input) for a non-DICOM or truncated file; (unsupported) for pixel layouts this reader cannot split
 */
export function readDicom(bytes: Uint8Array, name = 'input'): DicomInstance {
  silenceDcmjs();
  if (bytes.byteLength < 132 || bytes[128] !== 0x44 || bytes[129] !== 0x49 || bytes[130] !== 0x43 || bytes[131] !== 0x4d) {
    throw new HealthDataError('invalid-input', `readDicom: ${name} is not a DICOM Part 10 file (no "DICM" prefix at byte 128); pass .dcm files with a file meta header`);
  }
  const prepared = prepareBytes(bytes);
  let dict: ReturnType<typeof dcmjs.data.DicomMessage.readFile>;
  try {
    dict = dcmjs.data.DicomMessage.readFile(toArrayBuffer(prepared.bytes), { ignoreErrors: false });
  } catch (e) {
    const message = e instanceof Error ? e.message : String(e);
    const who = `${name} (SOPInstanceUID ${peekSopInstanceUID(bytes) ?? 'unknown'})`;
    if (/multiple character sets|Unsupported character set/i.test(message)) {
      throw new HealthDataError(
        'unsupported',
        `readDicom: ${who} declares a character set the reader cannot decode there (${message}); ISO 2022 code extensions are decoded when the data set's own SpecificCharacterSet declares them, not when a sequence item switches to them`,
        { cause: e },
      );
    }
    throw new HealthDataError('invalid-input', `readDicom: ${who} could not be parsed (${message}); the file is truncated or corrupt`, { cause: e });
  }
  const meta = dcmjs.data.DicomMetaDictionary.naturalizeDataset(dict.meta);
  const ds = dcmjs.data.DicomMetaDictionary.naturalizeDataset(dict.dict);
  if (prepared.charsets !== undefined) {
    decodeDatasetText(ds, prepared.charsets);
  }
  const where = `${name} (SOPInstanceUID ${str(ds.SOPInstanceUID) ?? 'unknown'})`;
  const transferSyntaxUID = str(meta.TransferSyntaxUID);
  if (transferSyntaxUID === undefined) {
    throw new HealthDataError('invalid-input', `readDicom: ${where} has no TransferSyntaxUID in its file meta group`);
  }
  const pixelData = ds.PixelData;
  delete ds.PixelData;
  let pixel: PixelDescription | undefined;
  let storedFrames: Uint8Array[] = [];
  if (pixelData !== undefined) {
    const rows = num(ds.Rows);
    const columns = num(ds.Columns);
    if (rows === undefined || columns === undefined) {
      throw new HealthDataError('invalid-input', `readDicom: ${where} has PixelData but no Rows/Columns`);
    }
    const bitsAllocated = num(ds.BitsAllocated) ?? 16;
    pixel = {
      rows,
      columns,
      frames: num(ds.NumberOfFrames) ?? 1,
      bitsAllocated,
      bitsStored: num(ds.BitsStored) ?? bitsAllocated,
      highBit: num(ds.HighBit) ?? bitsAllocated - 1,
      pixelRepresentation: num(ds.PixelRepresentation) ?? 0,
      samplesPerPixel: num(ds.SamplesPerPixel) ?? 1,
      photometric: str(ds.PhotometricInterpretation) ?? 'MONOCHROME2',
      planarConfiguration: num(ds.PlanarConfiguration) ?? 0,
      rescaleSlope: num(ds.RescaleSlope) ?? num(fromGroups(ds, 'PixelValueTransformationSequence', 'RescaleSlope')) ?? 1,
      rescaleIntercept: num(ds.RescaleIntercept) ?? num(fromGroups(ds, 'PixelValueTransformationSequence', 'RescaleIntercept')) ?? 0,
    };
    storedFrames = splitFrames(pixelData, pixel, isEncapsulated(transferSyntaxUID), where);
  }
  const frames = pixel?.frames ?? 0;
  const spacing = nums(ds.PixelSpacing) ?? nums(fromGroups(ds, 'PixelMeasuresSequence', 'PixelSpacing'));
  const positions: (number[] | undefined)[] = [];
  for (let f = 0; f < frames; f++) {
    positions.push(frames === 1 && ds.ImagePositionPatient !== undefined ? nums(ds.ImagePositionPatient) : nums(fromGroups(ds, 'PlanePositionSequence', 'ImagePositionPatient', f)));
  }
  const geometry: DicomGeometry = {
    pixelSpacing: spacing !== undefined && spacing.length >= 2 ? [spacing[0] ?? 1, spacing[1] ?? 1] : undefined,
    sliceThickness: num(ds.SliceThickness) ?? num(fromGroups(ds, 'PixelMeasuresSequence', 'SliceThickness')),
    spacingBetweenSlices: num(ds.SpacingBetweenSlices) ?? num(fromGroups(ds, 'PixelMeasuresSequence', 'SpacingBetweenSlices')),
    orientation: nums(ds.ImageOrientationPatient) ?? nums(fromGroups(ds, 'PlaneOrientationSequence', 'ImageOrientationPatient')),
    positions,
  };
  return {
    transferSyntaxUID,
    sopClassUID: str(ds.SOPClassUID),
    sopInstanceUID: str(ds.SOPInstanceUID),
    studyInstanceUID: str(ds.StudyInstanceUID),
    seriesInstanceUID: str(ds.SeriesInstanceUID),
    dataset: ds,
    pixel,
    geometry,
    storedFrames,
    ...(prepared.notes.length > 0 ? { notes: prepared.notes } : {}),
  };
}

/**
 * The photometric interpretation of the samples {@link decodeFrame} returns, which can differ from the header:
 * native YBR_FULL_422 is expanded to YBR_FULL; libjpeg-turbo converts 8-bit YCbCr JPEG frames to RGB; JPEG 2000
 * and HTJ2K decoders undo the YBR_ICT/YBR_RCT component transform. Planar configuration is always 0 after decoding.
 *
 * @param instance - a parsed instance with pixel data
 * @returns the PhotometricInterpretation of the decoded samples
 */
export function decodedPhotometric(instance: DicomInstance): string {
  const pixel = instance.pixel;
  if (pixel === undefined || pixel.samplesPerPixel !== 3) {
    return pixel?.photometric ?? 'MONOCHROME2';
  }
  const coding = pixelCoding(instance.transferSyntaxUID);
  const ybr = pixel.photometric.startsWith('YBR');
  if ((coding === 'native' || coding === 'native-big-endian') && pixel.photometric === 'YBR_FULL_422') {
    return 'YBR_FULL';
  }
  if (ybr && coding === 'jpeg-baseline') {
    return 'RGB';
  }
  if (ybr && coding === 'jpeg-extended' && jpegPrecision(instance.storedFrames[0] ?? new Uint8Array(0)) <= 8) {
    return 'RGB';
  }
  if ((pixel.photometric === 'YBR_ICT' || pixel.photometric === 'YBR_RCT') && (coding === 'jpeg2000' || coding === 'htj2k')) {
    return 'RGB';
  }
  return pixel.photometric;
}

/** Samples per pixel after decoding (YBR_FULL_422 native data is expanded to three samples per pixel). */
function typed(bytes: Uint8Array, pixel: PixelDescription, isSigned: boolean, where: string): FramePixels {
  const copy = Uint8Array.from(bytes);
  if (pixel.bitsAllocated === 16) {
    if (!isSigned) {
      return new Uint16Array(copy.buffer);
    }
    const out = new Int16Array(copy.buffer);
    const shift = 32 - pixel.bitsStored;
    if (pixel.bitsStored < 16) {
      for (let i = 0; i < out.length; i++) {
        out[i] = ((out[i] ?? 0) << shift) >> shift;
      }
    }
    return out;
  }
  if (pixel.bitsAllocated === 1) {
    return copy;
  }
  if (pixel.bitsAllocated === 8) {
    return isSigned ? new Int8Array(copy.buffer) : copy;
  }
  throw new HealthDataError(
    'unsupported',
    `decodeFrame: ${where} has BitsAllocated ${String(pixel.bitsAllocated)}: samples wider than 16 bits are not imported, because the HTJ2K frames this store keeps hold at most 16 bits per sample; rescale the pixel data to 16 bits (e.g. dcmtk dcmconv or a modality LUT) before importing`,
  );
}

/** YBR_FULL_422 native samples (Y1 Y2 Cb Cr per pair of pixels) to three samples per pixel (YBR_FULL). */
function expandYbr422(bytes: Uint8Array, pixel: PixelDescription): Uint8Array {
  const bps = pixel.bitsAllocated / 8;
  const pairs = (pixel.rows * pixel.columns) / 2;
  const out = new Uint8Array(pixel.rows * pixel.columns * 3 * bps);
  const copySample = (from: number, to: number): void => {
    for (let b = 0; b < bps; b++) {
      out[to * bps + b] = bytes[from * bps + b] ?? 0;
    }
  };
  for (let q = 0; q < pairs; q++) {
    const y1 = q * 4;
    const p = q * 2;
    copySample(y1, p * 3);
    copySample(y1 + 2, p * 3 + 1);
    copySample(y1 + 3, p * 3 + 2);
    copySample(y1 + 1, (p + 1) * 3);
    copySample(y1 + 2, (p + 1) * 3 + 1);
    copySample(y1 + 3, (p + 1) * 3 + 2);
  }
  return out;
}

function swap16(stored: Uint8Array, bitsAllocated: number): Uint8Array {
  const copy = Uint8Array.from(stored);
  const width = bitsAllocated / 8;
  if (width > 1) {
    for (let i = 0; i + width <= copy.length; i += width) {
      copy.subarray(i, i + width).reverse();
    }
  }
  return copy;
}

async function decodeCompressed(coding: PixelCoding, stored: Uint8Array, pixel: PixelDescription): Promise<RawDecoded> {
  switch (coding) {
    case 'jpeg-baseline':
      return decodeJpegBaseline(stored);
    case 'jpeg-extended':
      return decodeJpegExtended(stored);
    case 'jpeg-lossless':
      return decodeJpegLossless(stored, pixel.bitsAllocated);
    case 'jpeg-ls':
      return decodeJpegLs(stored);
    case 'jpeg2000':
    case 'htj2k':
      return decodeJpeg2000(stored);
    case 'native':
    case 'native-big-endian':
    case 'rle':
    case 'unsupported':
      throw new HealthDataError('invalid-input', `decodeFrame: ${coding} pixel data is not a compressed codestream`);
  }
}

/** The sample bytes of one frame, components interleaved, before they are typed. */
async function frameBytes(instance: DicomInstance, pixel: PixelDescription, stored: Uint8Array, where: string): Promise<Uint8Array> {
  const coding = pixelCoding(instance.transferSyntaxUID);
  const bps = pixel.bitsAllocated / 8;
  const pixels = pixel.rows * pixel.columns;
  switch (coding) {
    case 'native':
    case 'native-big-endian': {
      const bytes = coding === 'native' ? stored : swap16(stored, pixel.bitsAllocated);
      if (pixel.samplesPerPixel > 1 && pixel.photometric === 'YBR_FULL_422') {
        return expandYbr422(bytes, pixel);
      }
      return pixel.samplesPerPixel > 1 && pixel.planarConfiguration === 1 ? planarToInterleaved(bytes, pixels, pixel.samplesPerPixel, bps) : bytes;
    }
    case 'rle':
      return decodeRleFrame(stored, pixel.rows, pixel.columns, pixel.bitsAllocated, pixel.samplesPerPixel);
    case 'htj2k':
      return bytesOf((await decodeHtj2k(stored)).pixels);
    case 'unsupported':
      throw new HealthDataError(
        'unsupported',
        `decodeFrame: ${where} uses transfer syntax ${instance.transferSyntaxUID} (${unsupportedReason(instance.transferSyntaxUID)}); convert it to a syntax HealthImaging imports (e.g. dcmtk dcmconv +te)`,
      );
    case 'jpeg-baseline':
    case 'jpeg-extended':
    case 'jpeg-lossless':
    case 'jpeg-ls':
    case 'jpeg2000': {
      let raw: RawDecoded;
      try {
        raw = await decodeCompressed(coding, stored, pixel);
      } catch (e) {
        throw new HealthDataError(isHealthDataErrorCode(e, 'unsupported') ? 'unsupported' : 'invalid-input', `decodeFrame: ${where}: ${e instanceof Error ? e.message : String(e)}`, { cause: e });
      }
      if (raw.width !== pixel.columns || raw.height !== pixel.rows || raw.components !== pixel.samplesPerPixel) {
        throw new HealthDataError(
          'invalid-input',
          `decodeFrame: ${where}: the ${instance.transferSyntaxUID} frame decodes to ${String(raw.width)}×${String(raw.height)}×${String(raw.components)} but the header says ${String(pixel.columns)}×${String(pixel.rows)}×${String(pixel.samplesPerPixel)}`,
        );
      }
      const want = pixels * pixel.samplesPerPixel * bps;
      if (raw.bytes.length === want) {
        return raw.bytes;
      }
      if (bps === 2 && raw.bytes.length === want / 2) {
        return widen(raw.bytes);
      }
      throw new HealthDataError(
        'invalid-input',
        `decodeFrame: ${where}: the frame decodes to ${String(raw.bytes.length)} bytes, ${String(want)} expected for BitsAllocated ${String(pixel.bitsAllocated)}`,
      );
    }
  }
}

function bytesOf(p: FramePixels): Uint8Array {
  return new Uint8Array(p.buffer, p.byteOffset, p.byteLength);
}

/** 8-bit samples into 16-bit little-endian ones (a JPEG of 8-bit precision in a 16-bit DICOM frame). */
function widen(bytes: Uint8Array): Uint8Array {
  const out = new Uint8Array(bytes.length * 2);
  for (let i = 0; i < bytes.length; i++) {
    out[i * 2] = bytes[i] ?? 0;
  }
  return out;
}

function isHealthDataErrorCode(e: unknown, code: string): boolean {
  return e instanceof HealthDataError && e.code === code;
}

/**
 * Decodes one frame of an instance into samples (row-major, components interleaved whatever the planar
 * configuration, stored values before rescale). Native YBR_FULL_422 frames come back as three samples per pixel
 * (YBR_FULL); JPEG baseline/extended colour frames as libjpeg converts them (RGB).
 *
 * @param instance - a parsed instance with pixel data
 * @param index - 0-based frame index
 * @returns the samples, Int16Array for signed 16-bit, Uint16Array for unsigned 16-bit, Uint8Array for 8-bit
 * @throws {@link HealthDataError} (unsupported) naming the file's SOP Instance UID and the reason (transfer syntax
 *   or bit depth) when no decoder applies; (invalid-input) for a bad index or corrupt frame
 */
export async function decodeFrame(instance: DicomInstance, index: number): Promise<FramePixels> {
  const pixel = instance.pixel;
  const stored = instance.storedFrames[index];
  const where = `SOPInstanceUID ${instance.sopInstanceUID ?? 'unknown'}`;
  if (pixel === undefined || stored === undefined) {
    throw new HealthDataError('invalid-input', `decodeFrame: ${where} has no frame ${String(index)} (${String(instance.storedFrames.length)} frames)`);
  }
  if (pixel.bitsAllocated > 16) {
    return typed(stored, pixel, pixel.pixelRepresentation === 1, where);
  }
  if (pixelCoding(instance.transferSyntaxUID) === 'htj2k') {
    return (await decodeHtj2k(stored)).pixels;
  }
  return typed(await frameBytes(instance, pixel, stored, where), pixel, pixel.pixelRepresentation === 1, where);
}
