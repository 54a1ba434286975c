/**
 * Reads NRRD volumes (the format of pyradiomics' test images, 3D Slicer and ITK): an attached header, then raw or
 * gzip-encoded samples. Spacing is the length of each `space directions` vector; direction cosines and the origin
 * are kept for callers that need physical coordinates.
 */
import * as zlib from 'node:zlib';
import { HealthDataError } from '../errors';
import type { RadiomicsImage } from './radiomics/types';

/** A decoded NRRD volume. */
export interface NrrdVolume extends RadiomicsImage {
  /** Samples as stored, converted to float64 (x fastest). */
  readonly voxels: Float64Array;
  /** Physical position of voxel (0, 0, 0), in the file's `space` (mm), or zeros when absent. */
  readonly originMm: readonly [number, number, number];
  /** Unit direction of each axis, row-major 3×3 (row i = axis i); identity when absent. */
  readonly direction: readonly number[];
  /** `space` field, e.g. `left-posterior-superior`, or '' when absent. */
  readonly space: string;
  /** Header fields as read (keys lower-case). */
  readonly fields: Readonly<Record<string, string>>;
}

type Sample = (buf: Buffer, offset: number) => number;

const TYPES: readonly [readonly string[], number, Sample, Sample][] = [
  [['signed char', 'int8', 'int8_t'], 1, (b, o) => b.readInt8(o), (b, o) => b.readInt8(o)],
  [['uchar', 'unsigned char', 'uint8', 'uint8_t'], 1, (b, o) => b.readUInt8(o), (b, o) => b.readUInt8(o)],
  [['short', 'short int', 'signed short', 'signed short int', 'int16', 'int16_t'], 2, (b, o) => b.readInt16LE(o), (b, o) => b.readInt16BE(o)],
  [['ushort', 'unsigned short', 'unsigned short int', 'uint16', 'uint16_t'], 2, (b, o) => b.readUInt16LE(o), (b, o) => b.readUInt16BE(o)],
  [['int', 'signed int', 'int32', 'int32_t'], 4, (b, o) => b.readInt32LE(o), (b, o) => b.readInt32BE(o)],
  [['uint', 'unsigned int', 'uint32', 'uint32_t'], 4, (b, o) => b.readUInt32LE(o), (b, o) => b.readUInt32BE(o)],
  [['float'], 4, (b, o) => b.readFloatLE(o), (b, o) => b.readFloatBE(o)],
  [['double'], 8, (b, o) => b.readDoubleLE(o), (b, o) => b.readDoubleBE(o)],
];

function parseVector(text: string, field: string, name: string): number[] | undefined {
  const t = text.trim();
  if (t === 'none') {
    return undefined;
  }
  const m = /^\(([^)]*)\)$/.exec(t);
  if (m === null) {
    throw new HealthDataError('invalid-input', `readNrrd: ${name} has a malformed vector "${t}" in "${field}"; expected (a,b,c)`, { path: field });
  }
  return (m[1] ?? '').split(',').map((s) => Number(s.trim()));
}

/**
 * Parses an NRRD file with an attached header (NRRD0001–NRRD0005), 3-D (or 2-D, read as one slice), scalar samples,
 * `raw` or `gzip` encoding, either endianness.
 *
 * @param bytes - file content
 * @param name - file name for messages
 * @returns the volume with spacing, origin and direction
 * @throws {@link HealthDataError} (invalid-input) for a malformed or truncated file; (unsupported) for detached data,
 *   an encoding other than raw/gzip, vector samples or an unknown type
 */
export function readNrrd(bytes: Uint8Array, name = 'input'): NrrdVolume {
  const buf = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const { fields, dataStart } = readHeader(buf, name);
  const { voxels, size } = readSamples(buf.subarray(dataStart), fields, name);
  return { voxels, size, ...readGeometry(fields, name), space: fields.space ?? '', fields };
}

/** The header fields (keys lower-case; `key:=value` lines skipped) and where the samples start. */
function readHeader(buf: Buffer, name: string): { fields: Record<string, string>; dataStart: number } {
  if (buf.toString('latin1', 0, 4) !== 'NRRD') {
    throw new HealthDataError('invalid-input', `readNrrd: ${name} does not start with the NRRD magic; pass a .nrrd file`);
  }
  let end = -1;
  for (let i = 0; i + 1 < buf.length; i++) {
    if (buf[i] === 0x0a && (buf[i + 1] === 0x0a || (buf[i + 1] === 0x0d && buf[i + 2] === 0x0a))) {
      end = i;
      break;
    }
  }
  if (end < 0) {
    throw new HealthDataError('invalid-input', `readNrrd: ${name} has no blank line ending the header (detached headers are not supported)`);
  }
  const dataStart = buf[end + 1] === 0x0d ? end + 3 : end + 2;
  const fields: Record<string, string> = {};
  for (const line of buf.toString('latin1', 0, end).split(/\r?\n/).slice(1)) {
    if (line.startsWith('#') || line.trim() === '') {
      continue;
    }
    const kv = /^([^:]+):=(.*)$/.exec(line);
    if (kv !== null) {
      continue;
    }
    const f = /^([^:]+):\s?(.*)$/.exec(line);
    if (f === null) {
      throw new HealthDataError('invalid-input', `readNrrd: ${name} has a malformed header line "${line}"`);
    }
    fields[(f[1] ?? '').trim().toLowerCase()] = (f[2] ?? '').trim();
  }
  if (fields['data file'] !== undefined || fields.datafile !== undefined) {
    throw new HealthDataError('unsupported', `readNrrd: ${name} stores its samples in a detached data file; only attached data is supported`, { path: 'data file' });
  }
  return { fields, dataStart };
}

/** The samples (type, sizes, encoding, byte skip and endianness from the header) as float64, x fastest. */
function readSamples(payload: Buffer, fields: Readonly<Record<string, string>>, name: string): { voxels: Float64Array; size: [number, number, number] } {
  const typeName = (fields.type ?? '').toLowerCase();
  const type = TYPES.find(([names]) => names.includes(typeName));
  if (type === undefined) {
    throw new HealthDataError('unsupported', `readNrrd: ${name} has sample type "${typeName}"; supported: ${TYPES.map(([n]) => n[0]).join(', ')}`, { path: 'type' });
  }
  const dimension = Number(fields.dimension);
  const sizes = (fields.sizes ?? '').split(/\s+/).map(Number);
  if (!(dimension === 2 || dimension === 3) || sizes.length !== dimension || sizes.some((s) => !Number.isInteger(s) || s < 1)) {
    throw new HealthDataError('unsupported', `readNrrd: ${name} has dimension ${String(fields.dimension)} and sizes "${fields.sizes ?? ''}"; only 2-D and 3-D scalar volumes are supported`, {
      path: 'sizes',
    });
  }
  const [nx = 1, ny = 1, nz = 1] = sizes;
  const encoding = (fields.encoding ?? 'raw').toLowerCase();
  let data: Buffer;
  if (encoding === 'raw') {
    data = payload;
  } else if (encoding === 'gzip' || encoding === 'gz') {
    try {
      data = zlib.gunzipSync(payload);
    } catch (e) {
      throw new HealthDataError('invalid-input', `readNrrd: ${name} has a corrupt gzip payload`, { cause: e });
    }
  } else {
    throw new HealthDataError('unsupported', `readNrrd: ${name} uses encoding "${encoding}"; supported: raw, gzip`, { path: 'encoding' });
  }
  const [, width, le, be] = type;
  const n = nx * ny * nz;
  const skip = Math.max(0, Number(fields['byte skip'] ?? 0));
  if (data.length < skip + n * width) {
    throw new HealthDataError('invalid-input', `readNrrd: ${name} is truncated (${String(data.length)} data bytes; ${String(skip + n * width)} needed)`);
  }
  const read = (fields.endian ?? 'little').toLowerCase() === 'big' ? be : le;
  const voxels = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    voxels[i] = read(data, skip + i * width);
  }
  return { voxels, size: [nx, ny, nz] };
}

/** Spacing (length of each `space directions` vector, else `spacings`), unit direction rows and the origin. */
function readGeometry(fields: Readonly<Record<string, string>>, name: string): Pick<NrrdVolume, 'spacingMm' | 'originMm' | 'direction'> {
  const directions: number[][] = [];
  if (fields['space directions'] !== undefined) {
    const parts = fields['space directions'].match(/\([^)]*\)|none/g) ?? [];
    for (const p of parts) {
      const v = parseVector(p, 'space directions', name);
      if (v !== undefined) {
        directions.push(v);
      }
    }
  } else if (fields.spacings !== undefined) {
    fields.spacings
      .split(/\s+/)
      .map(Number)
      .forEach((s, i) => directions.push([0, 1, 2].map((j) => (j === i ? s : 0))));
  }
  while (directions.length < 3) {
    directions.push([0, 1, 2].map((j) => (j === directions.length ? 1 : 0)));
  }
  const spacing = directions.slice(0, 3).map((v) => Math.hypot(...v) || 1);
  const direction = directions.slice(0, 3).flatMap((v, i) => [0, 1, 2].map((j) => (v[j] ?? 0) / (spacing[i] ?? 1)));
  const origin = fields['space origin'] !== undefined ? (parseVector(fields['space origin'], 'space origin', name) ?? [0, 0, 0]) : [0, 0, 0];
  return {
    spacingMm: [spacing[0] ?? 1, spacing[1] ?? 1, spacing[2] ?? 1],
    originMm: [origin[0] ?? 0, origin[1] ?? 0, origin[2] ?? 0],
    direction,
  };
}
