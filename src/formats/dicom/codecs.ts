/**
 * Decoders for the encapsulated DICOM transfer syntaxes, on maintained WebAssembly builds of the reference
 * libraries: libjpeg-turbo (JPEG baseline, 8-bit), CharLS (JPEG-LS), OpenJPEG (JPEG 2000 Part 1), and
 * jpeg-lossless-decoder-js (JPEG lossless, process 14). JPEG extended 12-bit (process 4) has its own decoder in
 * `jpeg12.ts`. Every decoder returns samples row-major with the components interleaved.
 */
import { HealthDataError } from '../../errors';
import { decodeJpeg12 } from './jpeg12';
import type { RawDecoded } from './raw-decoded';

interface WasmCodec {
  getEncodedBuffer(length: number): Uint8Array;
  getDecodedBuffer(): Uint8Array;
  decode(): void;
  getFrameInfo(): { width: number; height: number; bitsPerSample: number; componentCount: number; isSigned?: boolean };
  getInterleaveMode?(): number;
  delete(): void;
}

type Factory = (options?: Record<string, unknown>) => Promise<Record<string, new () => WasmCodec>>;

const modules = new Map<string, Promise<Record<string, new () => WasmCodec>>>();

/** Loads one WebAssembly codec package once per process (its console output silenced). */
function load(pkg: string): Promise<Record<string, new () => WasmCodec>> {
  let m = modules.get(pkg);
  if (m === undefined) {
    // eslint-disable-next-line @typescript-eslint/no-require-imports -- the codec packages ship no type declarations; typed by WasmCodec
    const factory = require(`${pkg}/wasmjs`) as Factory;
    m = factory({ print: () => undefined, printErr: () => undefined }).catch((e: unknown) => {
      modules.delete(pkg);
      throw new HealthDataError('backend', `could not start the ${pkg} WebAssembly module (${String(e)}); check that ${pkg} is installed`, { cause: e });
    });
    modules.set(pkg, m);
  }
  return m;
}

/**
 * Colour-by-plane samples (planar configuration 1: all of R, then all of G…) to colour-by-pixel (R G B R G B…), as
 * every decoder here returns them.
 *
 * @param bytes - the planes, one after another
 * @param pixels - pixels per plane
 * @param components - planes (samples per pixel)
 * @param bytesPerSample - bytes of one sample
 * @returns the interleaved samples (a new array)
 */
export function planarToInterleaved(bytes: Uint8Array, pixels: number, components: number, bytesPerSample: number): Uint8Array {
  const out = new Uint8Array(bytes.length);
  const plane = pixels * bytesPerSample;
  for (let c = 0; c < components; c++) {
    for (let p = 0; p < pixels; p++) {
      for (let b = 0; b < bytesPerSample; b++) {
        out[(p * components + c) * bytesPerSample + b] = bytes[c * plane + p * bytesPerSample + b] ?? 0;
      }
    }
  }
  return out;
}

async function runWasm(pkg: string, className: string, codestream: Uint8Array, what: string): Promise<RawDecoded> {
  const m = await load(pkg);
  const Codec = m[className];
  if (Codec === undefined) {
    throw new HealthDataError('backend', `${pkg} has no ${className}; reinstall the package`);
  }
  const codec = new Codec();
  try {
    codec.getEncodedBuffer(codestream.length).set(codestream);
    codec.decode();
    const fi = codec.getFrameInfo();
    const bytesPerSample = fi.bitsPerSample > 8 ? 2 : 1;
    let bytes = Uint8Array.from(codec.getDecodedBuffer());
    if (fi.componentCount > 1 && codec.getInterleaveMode?.() === 0) {
      bytes = planarToInterleaved(bytes, fi.width * fi.height, fi.componentCount, bytesPerSample);
    }
    return { width: fi.width, height: fi.height, components: fi.componentCount, bitsPerSample: fi.bitsPerSample, isSigned: fi.isSigned === true, bytes };
  } catch (e) {
    if (e instanceof HealthDataError) {
      throw e;
    }
    throw new HealthDataError('invalid-input', `the ${String(codestream.length)}-byte ${what} frame could not be decoded (${String(e)})`, { cause: e });
  } finally {
    codec.delete();
  }
}

/**
 * Decodes a JPEG baseline (process 1) frame with libjpeg-turbo; colour frames come back as RGB (libjpeg's default
 * YCbCr→RGB conversion, as DICOM viewers show them).
 *
 * @param codestream - the JPEG frame
 * @returns the samples
 */
export function decodeJpegBaseline(codestream: Uint8Array): Promise<RawDecoded> {
  return runWasm('@cornerstonejs/codec-libjpeg-turbo-8bit', 'JPEGDecoder', codestream, 'JPEG baseline');
}

/**
 * Decodes a JPEG-LS frame (lossless or near-lossless) with CharLS.
 *
 * @param codestream - the JPEG-LS frame
 * @returns the samples
 */
export function decodeJpegLs(codestream: Uint8Array): Promise<RawDecoded> {
  return runWasm('@cornerstonejs/codec-charls', 'JpegLSDecoder', codestream, 'JPEG-LS');
}

/**
 * Decodes a JPEG 2000 Part 1 codestream (also HTJ2K, which OpenJPEG ≥ 2.5 reads) with OpenJPEG.
 *
 * @param codestream - the J2K codestream (a JP2 wrapper is not expected in DICOM)
 * @returns the samples
 */
export function decodeJpeg2000(codestream: Uint8Array): Promise<RawDecoded> {
  return runWasm('@cornerstonejs/codec-openjpeg', 'J2KDecoder', codestream, 'JPEG 2000');
}

interface LosslessDecoder {
  decode(buffer: ArrayBuffer, offset: number, length: number, numBytes?: number): Uint8Array | Uint16Array;
  xDim: number;
  yDim: number;
  numComp: number;
  precision: number | undefined;
  outputData: Uint8Array | Uint16Array | null;
  getValue8(index: number, component?: number): number;
  setValue8(index: number, value: number, component?: number): void;
  getValueRGB(index: number, component?: number): number;
  setValueRGB(index: number, value: number, component?: number): void;
  outputSingle(pred: number[]): void;
  outputRGB(pred: number[]): void;
}

/**
 * jpeg-lossless-decoder-js picks its three-component sample accessors only for 8-bit frames; for 16-bit colour it
 * uses the single-component ones and writes every component onto the same sample. This routes the 16-bit
 * accessors of one decoder to the three-component ones when the scan has three components.
 */
function withColour16(d: LosslessDecoder): LosslessDecoder {
  const getValue8 = d.getValue8.bind(d);
  const setValue8 = d.setValue8.bind(d);
  const outputSingle = d.outputSingle.bind(d);
  const getValueRGB = d.getValueRGB.bind(d);
  const setValueRGB = d.setValueRGB.bind(d);
  const outputRGB = d.outputRGB.bind(d);
  d.getValue8 = (index, component = 0) => (d.numComp === 3 ? getValueRGB(index, component) : getValue8(index, component));
  d.setValue8 = (index, value, component = 0) => {
    if (d.numComp === 3) {
      setValueRGB(index, value, component);
    } else {
      setValue8(index, value, component);
    }
  };
  d.outputSingle = (pred) => {
    if (d.numComp === 3) {
      outputRGB(pred);
    } else {
      outputSingle(pred);
    }
  };
  return d;
}

/**
 * The frame with a few zero bytes between the entropy-coded data and EOI. jpeg-lossless-decoder-js reads ahead
 * while decoding a three-component pixel and stops at a marker before writing that pixel, so without padding the
 * last pixel of some frames stays 0; the padding is never decoded (a decoder stops after the last pixel).
 */
function padBeforeEoi(codestream: Uint8Array): Uint8Array {
  let n = codestream.length;
  while (n > 0 && codestream[n - 1] === 0) {
    n--;
  }
  const end = n >= 2 && codestream[n - 2] === 0xff && codestream[n - 1] === 0xd9 ? n - 2 : n;
  const out = new Uint8Array(end + 8 + 2);
  out.set(codestream.subarray(0, end));
  out[out.length - 2] = 0xff;
  out[out.length - 1] = 0xd9;
  return out;
}

/**
 * Decodes a JPEG lossless (process 14, any selection value) frame with jpeg-lossless-decoder-js.
 *
 * @param codestream - the JPEG frame
 * @param bitsAllocated - 8 or 16 (the output sample width)
 * @returns the samples
 */
export function decodeJpegLossless(codestream: Uint8Array, bitsAllocated: number): RawDecoded {
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- CommonJS build of an ESM-first package; typed by LosslessDecoder
  const lib = require('jpeg-lossless-decoder-js') as { Decoder: new () => LosslessDecoder };
  const decoder = withColour16(new lib.Decoder());
  const copy = padBeforeEoi(codestream);
  let out: Uint8Array | Uint16Array;
  try {
    out = decoder.decode(copy.buffer, 0, copy.byteLength, bitsAllocated > 8 ? 2 : 1);
  } catch (e) {
    throw new HealthDataError('invalid-input', `the ${String(codestream.length)}-byte JPEG lossless frame could not be decoded (${String(e)})`, { cause: e });
  }
  return {
    width: decoder.xDim,
    height: decoder.yDim,
    components: decoder.numComp,
    bitsPerSample: decoder.precision ?? bitsAllocated,
    bytes: new Uint8Array(out.buffer, out.byteOffset, out.byteLength),
  };
}

/**
 * Decodes a JPEG extended (process 2 & 4) frame: 8-bit ones with libjpeg-turbo, 12-bit ones with the 12-bit
 * sequential DCT decoder.
 *
 * @param codestream - the JPEG frame
 * @returns the samples
 */
export async function decodeJpegExtended(codestream: Uint8Array): Promise<RawDecoded> {
  if (jpegPrecision(codestream) <= 8) {
    return decodeJpegBaseline(codestream);
  }
  return decodeJpeg12(codestream);
}

/**
 * The sample precision in a JPEG frame header (SOFn), 0 when none is found.
 *
 * @param codestream - the JPEG frame
 * @returns bits per sample
 */
export function jpegPrecision(codestream: Uint8Array): number {
  let i = 2;
  while (i + 4 < codestream.length) {
    if (codestream[i] !== 0xff) {
      return 0;
    }
    const marker = codestream[i + 1] ?? 0;
    if (marker >= 0xc0 && marker <= 0xcf && marker !== 0xc4 && marker !== 0xc8 && marker !== 0xcc) {
      return codestream[i + 4] ?? 0;
    }
    i += 2 + (((codestream[i + 2] ?? 0) << 8) | (codestream[i + 3] ?? 0));
  }
  return 0;
}
