/**
 * The PNG encoder (no native dependency: node:zlib deflates and checksums), and one axial slice of a volume as a
 * PNG (grey levels windowed to the 1st–99th percentile, optionally with a mask outline in colour) for notebooks.
 */
import * as zlib from 'node:zlib';
import { HealthDataError } from '../errors';
import type { Volume } from './types';

/** PNG colour types this encoder writes (PNG spec, ISO/IEC 15948 §11.2.2 IHDR). */
const COLOUR_TYPE = { grey: 0, rgb: 2 } as const;

function chunk(type: string, data: Uint8Array): Buffer {
  const out = Buffer.alloc(12 + data.length);
  out.writeUInt32BE(data.length, 0);
  out.write(type, 4, 'ascii');
  out.set(data, 8);
  // The chunk CRC covers type and data (ISO/IEC 15948 §5.3); node:zlib's crc32 is the same CRC-32 (IEEE).
  out.writeUInt32BE(zlib.crc32(out.subarray(4, 8 + data.length)) >>> 0, 8 + data.length);
  return out;
}

/**
 * Encodes 8-bit pixels as a PNG file (signature, IHDR, one deflated IDAT with filter 0 per scanline, IEND): the
 * library's one PNG encoder (notebook slices here, dashboard thumbnails in `viz/thumbnail.ts`).
 *
 * @param width - columns
 * @param height - rows
 * @param pixels - row-major bytes: `width * height` for grey, `width * height * 3` for RGB
 * @param colour - `grey` or `rgb`
 * @returns the PNG bytes
 * @throws {@link HealthDataError} (invalid-input) when the size is not a positive integer or the bytes do not fill it
 * @example
 * ```ts
 * const png = encodePng(2, 1, Uint8Array.of(0, 255), 'grey');
 * ```
 */
export function encodePng(width: number, height: number, pixels: Uint8Array, colour: keyof typeof COLOUR_TYPE): Buffer {
  const channels = colour === 'rgb' ? 3 : 1;
  if (!Number.isInteger(width) || !Number.isInteger(height) || width < 1 || height < 1 || pixels.length !== width * height * channels) {
    throw new HealthDataError(
      'invalid-input',
      `encodePng: ${String(pixels.length)} bytes do not fill ${String(width)}×${String(height)} ${colour} pixels; pass width*height*${String(channels)} bytes`,
      {
        path: 'pixels',
      },
    );
  }
  const stride = width * channels;
  const raw = Buffer.alloc((stride + 1) * height);
  for (let y = 0; y < height; y++) {
    raw[y * (stride + 1)] = 0; // filter type 0 (None)
    raw.set(pixels.subarray(y * stride, (y + 1) * stride), y * (stride + 1) + 1);
  }
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(width, 0);
  ihdr.writeUInt32BE(height, 4);
  ihdr[8] = 8; // bit depth
  ihdr[9] = COLOUR_TYPE[colour];
  return Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), chunk('IHDR', ihdr), chunk('IDAT', zlib.deflateSync(raw)), chunk('IEND', new Uint8Array(0))]);
}

/**
 * Renders slice `z` as a PNG with an optional mask outline (red).
 *
 * @param volume - the volume
 * @param z - slice index (default the middle one)
 * @param mask - binary mask of the same size
 * @returns PNG bytes
 * @throws {@link HealthDataError} (invalid-input) for a slice outside the volume
 */
export function slicePng(volume: Pick<Volume, 'voxels' | 'size'>, z = Math.floor(volume.size[2] / 2), mask?: ArrayLike<number>): Uint8Array {
  const [nx, ny, nz] = volume.size;
  if (z < 0 || z >= nz) {
    throw new HealthDataError('invalid-input', `slicePng: slice ${String(z)} is outside 0…${String(nz - 1)}`);
  }
  const plane = volume.voxels.subarray(z * nx * ny, (z + 1) * nx * ny);
  const sorted = Float32Array.from(plane).sort();
  const lo = sorted[Math.floor(sorted.length * 0.01)] ?? 0;
  const hi = sorted[Math.floor(sorted.length * 0.99)] ?? 1;
  const rgb = new Uint8Array(nx * ny * 3);
  for (let i = 0; i < nx * ny; i++) {
    const g = Math.max(0, Math.min(255, Math.round((((plane[i] ?? 0) - lo) / (hi - lo || 1)) * 255)));
    rgb[3 * i] = g;
    rgb[3 * i + 1] = g;
    rgb[3 * i + 2] = g;
    if (mask !== undefined) {
      const m = (k: number): boolean => mask[z * nx * ny + k] === 1;
      const x = i % nx;
      const y = Math.floor(i / nx);
      if (m(i) && ((x > 0 && !m(i - 1)) || (x < nx - 1 && !m(i + 1)) || (y > 0 && !m(i - nx)) || (y < ny - 1 && !m(i + nx)))) {
        rgb[3 * i] = 255;
        rgb[3 * i + 1] = 40;
        rgb[3 * i + 2] = 40;
      }
    }
  }
  return encodePng(nx, ny, rgb, 'rgb');
}

/**
 * An `<img>` tag embedding a PNG, for `tslabDisplay()?.html(…)`.
 *
 * @param png - PNG bytes
 * @param alt - alternative text
 * @param scale - display scale (default 3)
 * @returns HTML
 */
export function pngImgTag(png: Uint8Array, alt: string, scale = 3): string {
  const width = Buffer.from(png).readUInt32BE(16) * scale;
  const escaped = alt.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
  return `<img alt="${escaped}" width="${String(width)}" style="image-rendering:pixelated" src="data:image/png;base64,${Buffer.from(png).toString('base64')}"/>`;
}
