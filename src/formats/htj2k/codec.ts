/**
 * HTJ2K (JPEG 2000 Part 15, High-Throughput) frame coding on top of OpenJPH's WebAssembly build.
 * Frames are encoded the way AWS HealthImaging stores them: lossless (reversible 5/3), RPCL progression.
 */
import openjphFactory from '@cornerstonejs/codec-openjph';
import { HealthDataError } from '../../errors';
import { decodeJpeg2000 } from '../dicom/codecs';

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
    if (encodesByComponent(info)) {
      // OpenJPH's WebAssembly decoder repeats the first component at these depths; OpenJPEG reads HTJ2K correctly.
      const other = await decodeJpeg2000(codestream);
      return { pixels: typedView(other.bytes, info), info, reversible: decoder.getIsReversible() };
    }
    return { pixels: typedView(decoder.getDecodedBuffer(), info), info, reversible: decoder.getIsReversible() };
  } catch (e) {
    if (e instanceof HealthDataError) {
      throw e;
    }
    throw new HealthDataError(
      'invalid-input',
      `decodeHtj2k: the ${String(codestream.length)}-byte frame is not a decodable HTJ2K codestream (${String(e)}); pass a raw J2K/HTJ2K codestream (starts with FF4F)`,
      {
        cause: e,
      },
    );
  } finally {
    decoder.delete();
  }
}

/** The OpenJPH progression order code for CPRL (component outermost). */
const CPRL = 4;

async function encodeOne(pixels: DecodedFrame['pixels'], info: Htj2kFrameInfo, options: Htj2kEncodeOptions, progression: number): Promise<Uint8Array> {
  const m = await loadHtj2kCodec();
  const encoder = new m.HTJ2KEncoder();
  try {
    const maxLevels = Math.max(0, Math.floor(Math.log2(Math.max(1, Math.min(info.width, info.height)))) - 1);
    encoder.setDecompositions(Math.min(options.decompositions ?? 5, maxLevels));
    encoder.setQuality(true, 0);
    encoder.setProgressionOrder(progression);
    const target = encoder.getDecodedBuffer({ ...info, isUsingColorTransform: info.componentCount === 3 });
    target.set(new Uint8Array(pixels.buffer, pixels.byteOffset, pixels.byteLength));
    encoder.encode();
    return Uint8Array.from(encoder.getEncodedBuffer());
  } finally {
    encoder.delete();
  }
}

function u16(b: Uint8Array, i: number): number {
  return ((b[i] ?? 0) << 8) | (b[i + 1] ?? 0);
}

/** Splits a single-tile, single-tile-part codestream into its main-header segments and its tile body. */
function splitCodestream(cs: Uint8Array): { segments: { marker: number; bytes: Uint8Array }[]; body: Uint8Array } {
  const segments: { marker: number; bytes: Uint8Array }[] = [];
  let i = 2;
  while (i + 4 <= cs.length) {
    const marker = u16(cs, i);
    const len = u16(cs, i + 2);
    if (marker === 0xff90) {
      const psot = new DataView(cs.buffer, cs.byteOffset + i + 6, 4).getUint32(0);
      let j = i + 12;
      while (u16(cs, j) !== 0xff93) {
        j += 2 + u16(cs, j + 2);
      }
      if ((cs[i + 11] ?? 0) !== 1 || psot === 0) {
        throw new HealthDataError('backend', 'encodeHtj2k: OpenJPH wrote several tile-parts; the per-component merge expects one');
      }
      return { segments, body: cs.subarray(j + 2, i + psot) };
    }
    segments.push({ marker, bytes: cs.subarray(i, i + 2 + len) });
    i += 2 + len;
  }
  throw new HealthDataError('backend', 'encodeHtj2k: the OpenJPH codestream has no tile (SOT)');
}

/**
 * Encodes a multi-component frame of more than 8 bits. OpenJPH's WebAssembly encoder reads only the first
 * component's samples for every component at these depths (each sample came back three times), so each component
 * is encoded on its own and the three codestreams are joined into one: one SIZ listing every component, COD in
 * CPRL order (component outermost, so each component's packets are exactly its own codestream's packets, one
 * after the other) without a colour transform, and one tile holding the bodies in component order.
 */
async function encodeByComponent(pixels: DecodedFrame['pixels'], info: Htj2kFrameInfo, options: Htj2kEncodeOptions): Promise<Uint8Array> {
  const n = info.width * info.height;
  const parts: { segments: { marker: number; bytes: Uint8Array }[]; body: Uint8Array }[] = [];
  for (let c = 0; c < info.componentCount; c++) {
    const plane = info.isSigned ? new Int16Array(n) : new Uint16Array(n);
    for (let p = 0; p < n; p++) {
      plane[p] = pixels[p * info.componentCount + c] ?? 0;
    }
    parts.push(splitCodestream(await encodeOne(plane, { ...info, componentCount: 1 }, options, CPRL)));
  }
  const first = parts[0];
  if (first === undefined) {
    throw new HealthDataError('invalid-input', 'encodeHtj2k: a frame needs at least one component');
  }
  const header: Uint8Array[] = [Uint8Array.of(0xff, 0x4f)];
  for (const seg of first.segments) {
    if (seg.marker === 0xff51) {
      const siz = new Uint8Array(seg.bytes.length + 3 * (info.componentCount - 1));
      siz.set(seg.bytes.subarray(0, 40));
      const view = new DataView(siz.buffer);
      view.setUint16(2, siz.length - 2);
      view.setUint16(38, info.componentCount);
      for (let c = 0; c < info.componentCount; c++) {
        siz.set(seg.bytes.subarray(40, 43), 40 + 3 * c);
      }
      header.push(siz);
    } else if (seg.marker === 0xff52) {
      const cod = Uint8Array.from(seg.bytes);
      cod[5] = CPRL;
      cod[8] = 0;
      header.push(cod);
    } else if (seg.marker !== 0xff55) {
      header.push(seg.bytes);
    }
  }
  const bodyLength = parts.reduce((s, p) => s + p.body.length, 0);
  const sot = new Uint8Array(14);
  const v = new DataView(sot.buffer);
  v.setUint16(0, 0xff90);
  v.setUint16(2, 10);
  v.setUint16(4, 0);
  v.setUint32(6, 14 + bodyLength);
  sot[10] = 0;
  sot[11] = 1;
  v.setUint16(12, 0xff93);
  const all = [...header, sot, ...parts.map((p) => p.body), Uint8Array.of(0xff, 0xd9)];
  const out = new Uint8Array(all.reduce((s, b) => s + b.length, 0));
  let o = 0;
  for (const b of all) {
    out.set(b, o);
    o += b.length;
  }
  return out;
}

/**
 * Whether {@link encodeHtj2k} writes this frame in CPRL order (multi-component frames of more than 8 bits, see
 * the module notes) rather than RPCL; such frames are HTJ2K lossless (`1.2.840.10008.1.2.4.201`), not the RPCL
 * variant (`.202`).
 *
 * @param info - frame geometry
 * @returns true when the frame is encoded per component
 */
export function encodesByComponent(info: Pick<Htj2kFrameInfo, 'bitsPerSample' | 'componentCount'>): boolean {
  return info.bitsPerSample > 8 && info.componentCount > 1;
}

/**
 * Encodes one frame losslessly as HTJ2K (reversible 5/3 wavelet, 64×64 code blocks; RPCL progression, or CPRL for
 * multi-component frames of more than 8 bits — see {@link encodesByComponent}).
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
  if (encodesByComponent(info)) {
    return encodeByComponent(pixels, info, options);
  }
  return encodeOne(pixels, info, options, RPCL);
}
