/**
 * Minimal NumPy .npy reader (format 1.x/2.x, little-endian float64/int, C or Fortran order) for the pyradiomics
 * baseline texture matrices.
 */

/** A decoded array, values in C (row-major) order. */
export interface NpyArray {
  readonly shape: number[];
  readonly data: Float64Array;
}

/**
 * Parses a .npy file.
 *
 * @param bytes - file content
 * @returns shape and values in row-major order
 */
export function readNpy(bytes: Uint8Array): NpyArray {
  const buf = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (buf.toString('latin1', 1, 6) !== 'NUMPY') {
    throw new Error('readNpy: not a .npy file');
  }
  const major = buf[6] ?? 1;
  const headerLen = major === 1 ? buf.readUInt16LE(8) : buf.readUInt32LE(8);
  const start = major === 1 ? 10 : 12;
  const header = buf.toString('latin1', start, start + headerLen);
  const descr = /'descr':\s*'([^']+)'/.exec(header)?.[1] ?? '';
  const fortran = /'fortran_order':\s*True/.test(header);
  const shape = (/'shape':\s*\(([^)]*)\)/.exec(header)?.[1] ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '')
    .map(Number);
  const n = shape.reduce((a, b) => a * b, 1);
  const off = start + headerLen;
  const readers: Record<string, [number, (o: number) => number]> = {
    '<f8': [8, (o) => buf.readDoubleLE(o)],
    '<f4': [4, (o) => buf.readFloatLE(o)],
    '<i8': [8, (o) => Number(buf.readBigInt64LE(o))],
    '<i4': [4, (o) => buf.readInt32LE(o)],
  };
  const r = readers[descr];
  if (r === undefined) {
    throw new Error(`readNpy: dtype ${descr} not supported`);
  }
  const raw = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    raw[i] = r[1](off + i * r[0]);
  }
  if (!fortran || shape.length < 2) {
    return { shape, data: raw };
  }
  // Fortran order: first index fastest; convert to C order
  const data = new Float64Array(n);
  const idx = new Array<number>(shape.length).fill(0);
  for (let f = 0; f < n; f++) {
    let c = 0;
    for (let d = 0; d < shape.length; d++) {
      c = c * (shape[d] ?? 1) + (idx[d] ?? 0);
    }
    data[c] = raw[f] ?? 0;
    for (let d = 0; d < shape.length; d++) {
      idx[d] = (idx[d] ?? 0) + 1;
      if ((idx[d] ?? 0) < (shape[d] ?? 1)) {
        break;
      }
      idx[d] = 0;
    }
  }
  return { shape, data };
}
