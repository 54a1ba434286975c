/**
 * HTJ2K (JPEG 2000 Part 15, High-Throughput) frame coding on top of OpenJPH's WebAssembly build.
 * Frames are encoded the way AWS HealthImaging stores them: lossless (reversible 5/3), RPCL progression.
 */
import openjphFactory from '@cornerstonejs/codec-openjph';
import { HealthDataError } from '../../errors';

/** Geometry and sample format of one frame. */
export interface Htj2kFrameInfo {
  /** Columns. */
  readonly width: number;
  /** Rows. */
  readonly height: number;
  /** Bits per sample (8 or 16 here). */
  readonly bitsPerSample: number;
  /** Samples per pixel (1 for MR; 3 for RGB). */
  readonly componentCount: number;
  /** Two's-complement samples. */
  readonly isSigned: boolean;
}

/** A decoded frame: the samples (interleaved when several components) and its geometry. */
export interface DecodedFrame {
  /** Samples, typed by bit depth and sign (Int16Array, Uint16Array, Uint8Array or Int8Array). */
  readonly pixels: Int16Array | Uint16Array | Uint8Array | Int8Array;
  /** Frame geometry. */
  readonly info: Htj2kFrameInfo;
  /** Whether the codestream uses the reversible (lossless) wavelet. */
  readonly reversible: boolean;
}

/** Options of {@link encodeHtj2k}. */
export interface Htj2kEncodeOptions {
  /** Wavelet decomposition levels (default 5, as HealthImaging; lowered automatically for small frames). */
  readonly decompositions?: number;
}

type OpenJph = Awaited<ReturnType<typeof openjphFactory>>;
let modulePromise: Promise<OpenJph> | undefined;

/** RPCL progression order code in OpenJPH (LRCP=0, RLCP=1, RPCL=2, PCRL=3, CPRL=4). */
const RPCL = 2;

/**
 * Loads the OpenJPH WebAssembly module once per process (later calls share it).
 *
 * @returns the module
 * @throws {@link HealthDataError} (backend) when the WebAssembly module cannot be instantiated
 */
export async function loadHtj2kCodec(): Promise<OpenJph> {
  modulePromise ??= openjphFactory().catch((e: unknown) => {
    modulePromise = undefined;
    throw new HealthDataError('backend', `loadHtj2kCodec: could not start the OpenJPH WebAssembly module (${String(e)}); check that @cornerstonejs/codec-openjph is installed`, {
      cause: e,
    });
  });
  return modulePromise;
}

function typedView(bytes: Uint8Array, info: Htj2kFrameInfo): DecodedFrame['pixels'] {
  const copy = new Uint8Array(bytes.length);
  copy.set(bytes);
  if (info.bitsPerSample > 8) {
    return info.isSigned ? new Int16Array(copy.buffer, 0, copy.length / 2) : new Uint16Array(copy.buffer, 0, copy.length / 2);
  }
  return info.isSigned ? new Int8Array(copy.buffer) : copy;
}

/**
 * Decodes one HTJ2K codestream (raw `.j2c`/`.jph` frame as HealthImaging's GetImageFrame returns it).
 *
 * @param codestream - the encoded frame
 * @returns samples and geometry
 * @throws {@link HealthDataError} (invalid-input) when the bytes are not a decodable HTJ2K codestream
 */
export async function decodeHtj2k(codestream: Uint8Array): Promise<DecodedFrame> {
  if (codestream.length < 4 || codestream[0] !== 0xff || codestream[1] !== 0x4f) {
    throw new HealthDataError('invalid-input', `decodeHtj2k: the ${String(codestream.length)}-byte frame does not start with the J2K SOC marker FF4F; pass a raw J2K/HTJ2K codestream`);
  }
  const m = await loadHtj2kCodec();
  const decoder = new m.HTJ2KDecoder();
  try {
    decoder.getEncodedBuffer(codestream.length).set(codestream);
    decoder.decode();
    const fi = decoder.getFrameInfo();
    const info: Htj2kFrameInfo = {
      width: fi.width,
      height: fi.height,
      bitsPerSample: fi.bitsPerSample,
      componentCount: fi.componentCount,
      isSigned: fi.isSigned,
    };
    return { pixels: typedView(decoder.getDecodedBuffer(), info), info, reversible: decoder.getIsReversible() };
  } catch (e) {
    if (e instanceof HealthDataError) {
      throw e;
    }
    throw new HealthDataError('invalid-input', `decodeHtj2k: the ${String(codestream.length)}-byte frame is not a decodable HTJ2K codestream (${String(e)}); pass a raw J2K/HTJ2K codestream (starts with FF4F)`, {
      cause: e,
    });
  } finally {
    decoder.delete();
  }
}

/**
 * Encodes one frame losslessly as HTJ2K (reversible 5/3 wavelet, RPCL, 64×64 code blocks).
 *
 * @param pixels - samples, row-major, components interleaved; typed by sign and depth
 * @param info - geometry; `width × height × componentCount` must equal `pixels.length`
 * @param options - decomposition levels
 * @returns the codestream bytes (a copy, safe to keep)
 * @throws {@link HealthDataError} (invalid-input) when the sample count does not match the geometry
 */
export async function encodeHtj2k(pixels: DecodedFrame['pixels'], info: Htj2kFrameInfo, options: Htj2kEncodeOptions = {}): Promise<Uint8Array> {
  const expected = info.width * info.height * info.componentCount;
  if (pixels.length !== expected) {
    throw new HealthDataError(
      'invalid-input',
      `encodeHtj2k: got ${String(pixels.length)} samples for a ${String(info.width)}×${String(info.height)}×${String(info.componentCount)} frame (expected ${String(expected)}); pass one frame's samples`,
    );
  }
  const m = await loadHtj2kCodec();
  const encoder = new m.HTJ2KEncoder();
  try {
    const maxLevels = Math.max(0, Math.floor(Math.log2(Math.max(1, Math.min(info.width, info.height)))) - 1);
    encoder.setDecompositions(Math.min(options.decompositions ?? 5, maxLevels));
    encoder.setQuality(true, 0);
    encoder.setProgressionOrder(RPCL);
    const target = encoder.getDecodedBuffer({ ...info, isUsingColorTransform: info.componentCount === 3 });
    target.set(new Uint8Array(pixels.buffer, pixels.byteOffset, pixels.byteLength));
    encoder.encode();
    return Uint8Array.from(encoder.getEncodedBuffer());
  } finally {
    encoder.delete();
  }
}
