/**
 * Renders one axial slice of a volume as a PNG (grey levels windowed to the 1st–99th percentile), optionally with
 * a mask outline in colour, for notebook display.
 */
import * as zlib from 'node:zlib';
import { HealthDataError } from '../errors';
import type { Volume } from './types';

const CRC_TABLE = (() => {
  const t = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) {
      c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    }
    t[n] = c >>> 0;
  }
  return t;
})();

function crc(bytes: Uint8Array): number {
  let c = 0xffffffff;
  for (const b of bytes) {
    c = (CRC_TABLE[(c ^ b) & 0xff] ?? 0) ^ (c >>> 8);
  }
  return (c ^ 0xffffffff) >>> 0;
}

function chunk(type: string, data: Uint8Array): Buffer {
  const head = Buffer.alloc(8);
  head.writeUInt32BE(data.length, 0);
  head.write(type, 4, 'ascii');
  const body = Buffer.concat([head.subarray(4), data]);
  const tail = Buffer.alloc(4);
  tail.writeUInt32BE(crc(body), 0);
  return Buffer.concat([head.subarray(0, 4), body, tail]);
}

/**
 * Encodes RGB pixels as a PNG.
 *
 * @param rgb - width × height × 3 bytes
 * @param width - columns
 * @param height - rows
 * @returns PNG bytes
 */
export function encodePngRgb(rgb: Uint8Array, width: number, height: number): Uint8Array {
  const raw = Buffer.alloc((width * 3 + 1) * height);
  for (let y = 0; y < height; y++) {
    raw[y * (width * 3 + 1)] = 0;
    raw.set(rgb.subarray(y * width * 3, (y + 1) * width * 3), y * (width * 3 + 1) + 1);
  }
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(width, 0);
  ihdr.writeUInt32BE(height, 4);
  ihdr[8] = 8;
  ihdr[9] = 2;
  return Buffer.concat([Buffer.from([137, 80, 78, 71, 13, 10, 26, 10]), chunk('IHDR', ihdr), chunk('IDAT', zlib.deflateSync(raw)), chunk('IEND', new Uint8Array(0))]);
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
  return encodePngRgb(rgb, nx, ny);
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
  return `<img alt="${alt.replace(/"/g, '&quot;')}" width="${String(width)}" style="image-rendering:pixelated" src="data:image/png;base64,${Buffer.from(png).toString('base64')}"/>`;
}
