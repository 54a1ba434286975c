/**
 * Preparing one file of a DICOM import job (import-job.ts): parse, check the required attributes, decode every frame
 * and keep it the way HealthImaging does — lossy JPEG baseline (.50), JPEG 2000 (.91) and HTJ2K (.203) codestreams as
 * they are, every other syntax re-encoded as lossless HTJ2K and checked by decoding it again and comparing CRC32s.
 * Runs in the job's thread or in a worker thread (import-worker.ts); its result is plain, cloneable data.
 */
import * as fs from 'node:fs';
import { isHealthDataError } from '../../errors';
import { decodeFrame, decodedPhotometric, readDicom } from '../../formats/dicom/read';
import type { DicomInstance, FramePixels } from '../../formats/dicom/read';
import { peekSopInstanceUID } from '../../formats/dicom/raw-scan';
import { TRANSFER_SYNTAX, pixelCoding, storedAsIs } from '../../formats/dicom/transfer-syntax';
import { decodeHtj2k, encodeHtj2k, encodesByComponent } from '../../formats/htj2k/codec';
import { pixelCrc32 } from '../../formats/htj2k/crc32';
import { STORED_TRANSFER_SYNTAX, levelAttributes } from '../metadata';
import type { LevelAttributes } from '../metadata';
import type { ImageFrameMetadata } from '../types';

/** A per-file failure with HealthImaging's exception type. */
class FileFailure extends Error {
  constructor(
    readonly exceptionType: string,
    message: string,
  ) {
    super(message);
  }
}

/** Smallest and largest sample (an indexed loop: `for…of` over a typed-array union was 8 % of an import's time). */
function minMax(p: FramePixels): [number, number] {
  let lo = Infinity;
  let hi = -Infinity;
  const n = p.length;
  for (let i = 0; i < n; i++) {
    const v = p[i] as number;
    if (v < lo) {
      lo = v;
    }
    if (v > hi) {
      hi = v;
    }
  }
  return [lo, hi];
}

const REQUIRED = ['SOPClassUID', 'SOPInstanceUID', 'StudyInstanceUID', 'SeriesInstanceUID'] as const;

/**
 * A parsed, re-encoded instance ready to land in an image set: plain data (structured-cloneable), so a worker thread
 * can prepare it and the job's thread land it.
 */
export interface PreparedInstance {
  readonly inputFile: string;
  /** SOPInstanceUID ('' when the data set has none). */
  readonly sopInstanceUID: string;
  /** The instance's attributes per level. */
  readonly levels: LevelAttributes;
  /** StoredTransferSyntaxUID of the frames. */
  readonly stored: string;
  /** Instance-level attributes that change with the stored form (photometric, planar configuration). */
  readonly attributes: Record<string, unknown>;
  readonly frames: { readonly codestream: Uint8Array; readonly meta: Omit<ImageFrameMetadata, 'ID'> }[];
}

/** What preparing one file gave: the instance, or its per-file failure with HealthImaging's exception type. */
export type Prepared = { readonly ok: true; readonly instance: PreparedInstance } | { readonly ok: false; readonly exceptionType: string; readonly message: string };

/** `<file> (SOPInstanceUID <uid>)`, as every failure message starts or ends. */
function named(rel: string, sop: string | undefined): string {
  return `${rel} (SOPInstanceUID ${sop ?? 'unknown'})`;
}

function parse(bytes: Uint8Array, rel: string): DicomInstance {
  try {
    return readDicom(bytes, rel);
  } catch (e) {
    const message = isHealthDataError(e) ? e.message : String(e);
    throw new FileFailure('InvalidDICOMFile', message.includes('SOPInstanceUID') ? message : `${named(rel, peekSopInstanceUID(bytes))}: ${message}`);
  }
}

function checkAttributes(inst: DicomInstance, where: string): NonNullable<DicomInstance['pixel']> {
  for (const k of REQUIRED) {
    if (inst.dataset[k] === undefined || inst.dataset[k] === '') {
      throw new FileFailure('MissingDICOMAttribute', `DICOM attribute ${k} does not exist in ${where}`);
    }
  }
  if (inst.pixel === undefined) {
    const float = ['FloatPixelData', 'DoubleFloatPixelData'].find((k) => inst.dataset[k] !== undefined);
    if (float !== undefined) {
      throw new FileFailure('UnsupportedPixelData', `${where} holds ${float} (floating-point samples); only integer PixelData is imported`);
    }
    throw new FileFailure('MissingDICOMAttribute', `DICOM attribute PixelData does not exist in ${where}`);
  }
  if (inst.pixel.bitsAllocated > 16) {
    throw new FileFailure(
      'UnsupportedPixelData',
      `${where} has BitsAllocated ${String(inst.pixel.bitsAllocated)}: samples wider than 16 bits are not imported, because the HTJ2K frames this store keeps hold at most 16 bits per sample; rescale the pixel data to 16 bits before importing`,
    );
  }
  return inst.pixel;
}

async function decodeOrFail(inst: DicomInstance, f: number, rel: string): Promise<FramePixels> {
  try {
    return await decodeFrame(inst, f);
  } catch (e) {
    const message = isHealthDataError(e) ? e.message : String(e);
    const unsupported = isHealthDataError(e) && e.code === 'unsupported';
    const type = unsupported && pixelCoding(inst.transferSyntaxUID) === 'unsupported' ? 'UnsupportedTransferSyntax' : unsupported ? 'UnsupportedPixelData' : 'InvalidPixelData';
    throw new FileFailure(type, `${named(rel, inst.sopInstanceUID)}: frame ${String(f + 1)}: ${message}`);
  }
}

function frameMeta(pixels: FramePixels, columns: number, rows: number, crc: number = pixelCrc32(pixels)): Omit<ImageFrameMetadata, 'ID'> {
  const [lo, hi] = minMax(pixels);
  return {
    PixelDataChecksumFromBaseToFullResolution: [{ Width: columns, Height: rows, Checksum: crc }],
    MinPixelValue: lo,
    MaxPixelValue: hi,
    FrameSizeInBytes: pixels.byteLength,
  };
}

async function prepare(file: string, rel: string): Promise<PreparedInstance> {
  const bytes = fs.readFileSync(file);
  const inst = parse(bytes, rel);
  // A data set without its SOPInstanceUID is named by the file meta group's MediaStorageSOPInstanceUID.
  const where = named(rel, inst.sopInstanceUID ?? peekSopInstanceUID(bytes));
  const pixel = checkAttributes(inst, where);
  const keep = storedAsIs(inst.transferSyntaxUID);
  const info = {
    width: pixel.columns,
    height: pixel.rows,
    bitsPerSample: pixel.bitsAllocated,
    componentCount: pixel.samplesPerPixel,
    isSigned: pixel.pixelRepresentation === 1,
  };
  const stored = keep ? inst.transferSyntaxUID : encodesByComponent(info) ? TRANSFER_SYNTAX.htj2kLossless : STORED_TRANSFER_SYNTAX;
  const frames: PreparedInstance['frames'] = [];
  for (let f = 0; f < inst.storedFrames.length; f++) {
    const pixels = await decodeOrFail(inst, f, rel);
    if (keep) {
      frames.push({ codestream: inst.storedFrames[f] ?? new Uint8Array(0), meta: frameMeta(pixels, pixel.columns, pixel.rows) });
      continue;
    }
    const codestream = await encodeHtj2k(pixels, info);
    const round = await decodeHtj2k(codestream);
    const crc = pixelCrc32(pixels);
    if (pixelCrc32(round.pixels) !== crc) {
      throw new FileFailure('PixelDataVerificationFailed', `${where}: frame ${String(f + 1)}: the HTJ2K round trip changed the pixels (CRC32 mismatch); the instance was not stored`);
    }
    frames.push({ codestream, meta: frameMeta(pixels, pixel.columns, pixel.rows, crc) });
  }
  const attributes: Record<string, unknown> = keep ? {} : { PhotometricInterpretation: decodedPhotometric(inst), ...(pixel.samplesPerPixel > 1 ? { PlanarConfiguration: 0 } : {}) };
  return { inputFile: rel, sopInstanceUID: inst.sopInstanceUID ?? '', levels: levelAttributes(inst), stored, attributes, frames };
}

/**
 * Reads, checks, decodes and re-encodes one DICOM file (every frame's HTJ2K round trip verified by CRC32). Per-file
 * problems come back as a failure; anything else (an internal error) is thrown.
 *
 * @param file - absolute path
 * @param rel - its path relative to the job's input folder (named in failure messages)
 * @returns the prepared instance or its failure
 */
export async function prepareInstance(file: string, rel: string): Promise<Prepared> {
  try {
    return { ok: true, instance: await prepare(file, rel) };
  } catch (e) {
    if (e instanceof FileFailure) {
      return { ok: false, exceptionType: e.exceptionType, message: e.message };
    }
    throw e;
  }
}

/** The transferable buffers of a prepared instance (its codestreams, when each owns its buffer). */
export function preparedBuffers(p: Prepared): ArrayBuffer[] {
  if (!p.ok) {
    return [];
  }
  const out: ArrayBuffer[] = [];
  for (const f of p.instance.frames) {
    const b = f.codestream.buffer;
    if (b instanceof ArrayBuffer && f.codestream.byteOffset === 0 && f.codestream.byteLength === b.byteLength && !out.includes(b)) {
      out.push(b);
    }
  }
  return out;
}
