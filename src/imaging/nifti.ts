/**
 * Reads NIfTI-1 volumes (gzip or plain) into the {@link RadiomicsImage} layout. (nifti-reader-js is ESM-only and
 * this library is CommonJS, so the 348-byte NIfTI-1 header is read here directly.)
 */
import * as zlib from 'node:zlib';
import { HealthDataError } from '../errors';
import type { RadiomicsImage } from './radiomics/types';

/**
 * Parses a NIfTI-1 file.
 *
 * @param bytes - file content (.nii or .nii.gz)
 * @param name - file name for messages
 * @returns voxels (scaled by scl_slope/scl_inter when set), size and spacing
 * @throws {@link HealthDataError} (invalid-input) for a non-NIfTI-1 file; (unsupported) for an unknown datatype
 */
export function readNifti(bytes: Uint8Array, name = 'input'): RadiomicsImage {
  const raw = bytes[0] === 0x1f && bytes[1] === 0x8b ? zlib.gunzipSync(bytes) : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (raw.length < 352) {
    throw new HealthDataError('invalid-input', `readNifti: ${name} is too short for a NIfTI-1 header`);
  }
  const le = raw.readInt32LE(0) === 348;
  if (!le && raw.readInt32BE(0) !== 348) {
    throw new HealthDataError('invalid-input', `readNifti: ${name} is not a NIfTI-1 file (sizeof_hdr is not 348)`);
  }
  const i16 = (o: number): number => (le ? raw.readInt16LE(o) : raw.readInt16BE(o));
  const f32 = (o: number): number => (le ? raw.readFloatLE(o) : raw.readFloatBE(o));
  const nx = Math.max(1, i16(42));
  const ny = i16(40) >= 2 ? Math.max(1, i16(44)) : 1;
  const nz = i16(40) >= 3 ? Math.max(1, i16(46)) : 1;
  const datatype = i16(70);
  const offset = Math.max(352, Math.round(f32(108)));
  const slopeRaw = f32(112);
  const slope = slopeRaw === 0 || Number.isNaN(slopeRaw) ? 1 : slopeRaw;
  const interRaw = f32(116);
  const inter = Number.isNaN(interRaw) ? 0 : interRaw;
  const n = nx * ny * nz;
  const readers: Record<number, [number, (o: number) => number]> = {
    2: [1, (o) => raw.readUInt8(o)],
    4: [2, (o) => (le ? raw.readInt16LE(o) : raw.readInt16BE(o))],
    8: [4, (o) => (le ? raw.readInt32LE(o) : raw.readInt32BE(o))],
    16: [4, (o) => (le ? raw.readFloatLE(o) : raw.readFloatBE(o))],
    64: [8, (o) => (le ? raw.readDoubleLE(o) : raw.readDoubleBE(o))],
    256: [1, (o) => raw.readInt8(o)],
    512: [2, (o) => (le ? raw.readUInt16LE(o) : raw.readUInt16BE(o))],
    768: [4, (o) => (le ? raw.readUInt32LE(o) : raw.readUInt32BE(o))],
  };
  const reader = readers[datatype];
  if (reader === undefined) {
    throw new HealthDataError('unsupported', `readNifti: ${name} has NIfTI datatype ${String(datatype)}; supported: ${Object.keys(readers).join(', ')}`);
  }
  const [width, read] = reader;
  if (raw.length < offset + n * width) {
    throw new HealthDataError('invalid-input', `readNifti: ${name} is truncated (${String(raw.length)} bytes; ${String(offset + n * width)} needed)`);
  }
  const voxels = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    voxels[i] = read(offset + i * width) * slope + inter;
  }
  return { voxels, size: [nx, ny, nz], spacingMm: [Math.abs(f32(80)) || 1, Math.abs(f32(84)) || 1, Math.abs(f32(88)) || 1] };
}
