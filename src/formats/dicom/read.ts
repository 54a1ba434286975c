/**
 * Reads DICOM Part 10 files with dcmjs into a small typed record: identifiers, pixel description, geometry and
 * the (still encoded) frames; {@link decodeFrame} turns one frame into samples.
 */
import dcmjs from 'dcmjs';
import { HealthDataError } from '../../errors';
import { decodeHtj2k } from '../htj2k/codec';
import { decodeRleFrame } from './rle';
import { pixelCoding, unsupportedReason } from './transfer-syntax';

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
    throw new HealthDataError(
      'invalid-input',
      `readDicom: ${where} has ${String(parts.length)} pixel fragments for ${String(pixel.frames)} frames and no usable offset table; re-encode it with one fragment per frame`,
    );
  }
  const all = parts.length === 1 ? (parts[0] ?? new Uint8Array(0)) : Buffer.concat(parts);
  if (pixel.bitsAllocated === 1) {
    const perFrame = pixel.rows * pixel.columns * pixel.samplesPerPixel;
    if (all.byteLength * 8 < perFrame * pixel.frames) {
      throw new HealthDataError('invalid-input', `readDicom: ${where} has ${String(all.byteLength)} bytes of 1-bit pixel data, fewer than ${String(perFrame * pixel.frames)} bits; the file is truncated`);
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
    throw new HealthDataError('unsupported', `readDicom: ${where} has BitsAllocated ${String(pixel.bitsAllocated)}; only 8, 16 and 32 are read`);
  }
  const frameBytes = pixel.rows * pixel.columns * pixel.samplesPerPixel * (pixel.bitsAllocated / 8);
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
  let dict: ReturnType<typeof dcmjs.data.DicomMessage.readFile>;
  try {
    dict = dcmjs.data.DicomMessage.readFile(toArrayBuffer(bytes), { ignoreErrors: false });
  } catch (e) {
    throw new HealthDataError('invalid-input', `readDicom: ${name} could not be parsed (${e instanceof Error ? e.message : String(e)}); the file is truncated or corrupt`, {
      cause: e,
    });
  }
  const meta = dcmjs.data.DicomMetaDictionary.naturalizeDataset(dict.meta);
  const ds = dcmjs.data.DicomMetaDictionary.naturalizeDataset(dict.dict);
  const transferSyntaxUID = str(meta.TransferSyntaxUID);
  if (transferSyntaxUID === undefined) {
    throw new HealthDataError('invalid-input', `readDicom: ${name} has no TransferSyntaxUID in its file meta group`);
  }
  const pixelData = ds.PixelData;
  delete ds.PixelData;
  let pixel: PixelDescription | undefined;
  let storedFrames: Uint8Array[] = [];
  if (pixelData !== undefined) {
    const rows = num(ds.Rows);
    const columns = num(ds.Columns);
    if (rows === undefined || columns === undefined) {
      throw new HealthDataError('invalid-input', `readDicom: ${name} has PixelData but no Rows/Columns`);
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
      rescaleSlope: num(ds.RescaleSlope) ?? num(fromGroups(ds, 'PixelValueTransformationSequence', 'RescaleSlope')) ?? 1,
      rescaleIntercept: num(ds.RescaleIntercept) ?? num(fromGroups(ds, 'PixelValueTransformationSequence', 'RescaleIntercept')) ?? 0,
    };
    const coding = pixelCoding(transferSyntaxUID);
    const encapsulated = coding === 'rle' || coding === 'htj2k' || coding === 'unsupported';
    storedFrames = splitFrames(pixelData, pixel, encapsulated, name);
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
  };
}

function typed(bytes: Uint8Array, pixel: PixelDescription, isSigned: boolean): FramePixels {
  const copy = Uint8Array.from(bytes);
  if (pixel.bitsAllocated === 16) {
    return isSigned ? new Int16Array(copy.buffer) : new Uint16Array(copy.buffer);
  }
  if (pixel.bitsAllocated === 1) {
    return copy;
  }
  if (pixel.bitsAllocated === 8) {
    return isSigned ? new Int8Array(copy.buffer) : copy;
  }
  throw new HealthDataError('unsupported', `decodeFrame: BitsAllocated ${String(pixel.bitsAllocated)} is not decoded; only 8 and 16 bits are`);
}

/**
 * Decodes one frame of an instance into samples (row-major, components interleaved, stored values before rescale).
 *
 * @param instance - a parsed instance with pixel data
 * @param index - 0-based frame index
 * @returns the samples, Int16Array for signed 16-bit, Uint16Array for unsigned 16-bit, Uint8Array for 8-bit
 * @throws {@link HealthDataError} (unsupported) naming the transfer syntax when no decoder is available; (invalid-input) for a bad index or corrupt frame
 */
export async function decodeFrame(instance: DicomInstance, index: number): Promise<FramePixels> {
  const pixel = instance.pixel;
  const stored = instance.storedFrames[index];
  if (pixel === undefined || stored === undefined) {
    throw new HealthDataError('invalid-input', `decodeFrame: instance ${instance.sopInstanceUID ?? '?'} has no frame ${String(index)} (${String(instance.storedFrames.length)} frames)`);
  }
  const isSigned = pixel.pixelRepresentation === 1;
  const coding = pixelCoding(instance.transferSyntaxUID);
  switch (coding) {
    case 'native':
      return typed(stored, pixel, isSigned);
    case 'native-big-endian': {
      const copy = Uint8Array.from(stored);
      if (pixel.bitsAllocated === 16) {
        for (let i = 0; i + 1 < copy.length; i += 2) {
          const a = copy[i] ?? 0;
          copy[i] = copy[i + 1] ?? 0;
          copy[i + 1] = a;
        }
      }
      return typed(copy, pixel, isSigned);
    }
    case 'rle':
      return typed(decodeRleFrame(stored, pixel.rows, pixel.columns, pixel.bitsAllocated, pixel.samplesPerPixel), pixel, isSigned);
    case 'htj2k':
      return (await decodeHtj2k(stored)).pixels;
    case 'unsupported':
      throw new HealthDataError(
        'unsupported',
        `decodeFrame: instance ${instance.sopInstanceUID ?? '?'} uses transfer syntax ${instance.transferSyntaxUID} (${unsupportedReason(instance.transferSyntaxUID)}); convert it to an uncompressed, RLE or HTJ2K syntax (e.g. dcmtk dcmdjpeg/dcmconv)`,
      );
  }
}
