/**
 * CRC32 (IEEE, as zlib) of pixel bytes: HealthImaging's `PixelDataChecksumFromBaseToFullResolution` checksum.
 */
import * as zlib from 'node:zlib';

/**
 * Unsigned CRC32 of the bytes behind a typed array (little-endian sample bytes).
 *
 * @param data - decoded pixels
 * @returns the checksum, 0 … 2³²−1
 */
export function pixelCrc32(data: ArrayBufferView): number {
  return zlib.crc32(new Uint8Array(data.buffer, data.byteOffset, data.byteLength)) >>> 0;
}
