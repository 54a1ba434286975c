/**
 * DICOM RLE Lossless (PS3.5 Annex G) frame decoder: a 64-byte header of segment offsets, then one PackBits
 * segment per byte plane (most significant byte first, one set per sample).
 */
import { HealthDataError } from '../../errors';

function decodeSegment(src: Uint8Array, start: number, end: number, out: Uint8Array): void {
  let i = start;
  let o = 0;
  while (i < end && o < out.length) {
    const n = src[i++] ?? 0;
    if (n < 128) {
      const count = n + 1;
      if (i + count > end) {
        throw new HealthDataError(
          'invalid-input',
          `decodeRleFrame: a literal run of ${String(count)} bytes at byte ${String(i - 1)} has only ${String(end - i)} left in its segment; the pixel data is truncated`,
        );
      }
      if (o + count > out.length) {
        throw new HealthDataError(
          'invalid-input',
          `decodeRleFrame: a literal run of ${String(count)} bytes at byte ${String(i - 1)} overruns its plane (${String(out.length - o)} bytes left); the segment is malformed`,
        );
      }
      out.set(src.subarray(i, i + count), o);
      i += count;
      o += count;
    } else if (n > 128) {
      const count = 257 - n;
      const v = src[i++] ?? 0;
      out.fill(v, o, Math.min(out.length, o + count));
      o += count;
    }
  }
  if (o < out.length) {
    throw new HealthDataError('invalid-input', `decodeRleFrame: an RLE segment ended after ${String(o)} of ${String(out.length)} bytes; the pixel data is truncated`);
  }
}

/**
 * Decodes one RLE Lossless frame into little-endian sample bytes (components interleaved).
 *
 * @param frame - the encapsulated frame (header + segments)
 * @param rows - Rows
 * @param columns - Columns
 * @param bitsAllocated - 8, 16 or 32
 * @param samplesPerPixel - 1 or 3
 * @returns the decoded bytes, `rows × columns × samplesPerPixel × bitsAllocated/8` long
 * @throws {@link HealthDataError} (invalid-input) when the header or segments do not match the geometry
 */
export function decodeRleFrame(frame: Uint8Array, rows: number, columns: number, bitsAllocated: number, samplesPerPixel: number): Uint8Array {
  const bytesPerSample = bitsAllocated / 8;
  const view = new DataView(frame.buffer, frame.byteOffset, frame.byteLength);
  if (frame.byteLength < 64) {
    throw new HealthDataError('invalid-input', `decodeRleFrame: the frame has ${String(frame.byteLength)} bytes, fewer than the 64-byte RLE header`);
  }
  const segments = view.getUint32(0, true);
  const expected = bytesPerSample * samplesPerPixel;
  if (segments !== expected) {
    throw new HealthDataError(
      'invalid-input',
      `decodeRleFrame: the RLE header lists ${String(segments)} segments; ${String(expected)} expected for ${String(bitsAllocated)}-bit, ${String(samplesPerPixel)}-sample pixels`,
    );
  }
  const pixels = rows * columns;
  const out = new Uint8Array(pixels * expected);
  const plane = new Uint8Array(pixels);
  for (let s = 0; s < segments; s++) {
    const start = view.getUint32(4 + 4 * s, true);
    const end = s + 1 < segments ? view.getUint32(8 + 4 * s, true) : frame.byteLength;
    decodeSegment(frame, start, end, plane);
    const sample = Math.floor(s / bytesPerSample);
    const byteInSample = bytesPerSample - 1 - (s % bytesPerSample);
    const stride = expected;
    const offset = sample * bytesPerSample + byteInSample;
    for (let p = 0; p < pixels; p++) {
      out[p * stride + offset] = plane[p] ?? 0;
    }
  }
  return out;
}
