/**
 * Grey-level PNG thumbnails without native dependencies: window the pixels to 8 bits, down-sample, deflate with
 * node:zlib, and wrap in the PNG chunks (PNG spec, ISO/IEC 15948: signature, IHDR, IDAT, IEND; CRC-32 per chunk).
 */
import { deflateSync } from 'node:zlib';
import { HealthDataError } from '../errors';
import type { GreySlice } from './rows';
import { baseLayout } from './figure';
import type { PlotlyFigure } from './figure';

const CRC_TABLE = ((): Uint32Array => {
  const t = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) {
      c = (c & 1) !== 0 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    }
    t[n] = c >>> 0;
  }
  return t;
})();

/**
 * CRC-32 (the PNG/zlib polynomial) of bytes.
 *
 * @param bytes - input
 * @returns the unsigned CRC
 */
export function pngCrc32(bytes: Uint8Array): number {
  let c = 0xffffffff;
  for (const b of bytes) {
    c = (CRC_TABLE[(c ^ b) & 0xff] ?? 0) ^ (c >>> 8);
  }
  return (c ^ 0xffffffff) >>> 0;
}

function chunk(type: string, data: Uint8Array): Buffer {
  const out = Buffer.alloc(12 + data.length);
  out.writeUInt32BE(data.length, 0);
  out.write(type, 4, 'ascii');
  out.set(data, 8);
  out.writeUInt32BE(pngCrc32(out.subarray(4, 8 + data.length)), 8 + data.length);
  return out;
}

/**
 * Encodes 8-bit grey pixels as a PNG file.
 *
 * @param width - columns
 * @param height - rows
 * @param grey - row-major bytes, `width * height` of them
 * @returns the PNG bytes
 * @throws {@link HealthDataError} (invalid-input) when the size does not match
 */
export function encodeGreyPng(width: number, height: number, grey: Uint8Array): Buffer {
  if (!Number.isInteger(width) || !Number.isInteger(height) || width < 1 || height < 1 || grey.length !== width * height) {
    throw new HealthDataError('invalid-input', `encodeGreyPng: ${String(grey.length)} pixels do not fill ${String(width)}×${String(height)}; pass width*height bytes`, { path: 'grey' });
  }
  const raw = Buffer.alloc((width + 1) * height);
  for (let y = 0; y < height; y++) {
    raw[y * (width + 1)] = 0; // filter type 0 (None) per scanline
    raw.set(grey.subarray(y * width, (y + 1) * width), y * (width + 1) + 1);
  }
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(width, 0);
  ihdr.writeUInt32BE(height, 4);
  ihdr[8] = 8; // bit depth
  ihdr[9] = 0; // colour type: greyscale
  return Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), chunk('IHDR', ihdr), chunk('IDAT', deflateSync(raw)), chunk('IEND', new Uint8Array(0))]);
}

/**
 * Windows a slice to 8 bits (1st–99th percentile → 0–255, so a few hot pixels do not wash the image out) and
 * down-samples it (nearest neighbour) to fit `maxSize`.
 *
 * @param slice - the slice
 * @param maxSize - longest side of the result in pixels (default 128)
 * @returns width, height and grey bytes
 * @throws {@link HealthDataError} (invalid-input) when the pixel count does not match the size
 */
export function windowSlice(slice: GreySlice, maxSize = 128): { width: number; height: number; grey: Uint8Array } {
  const { width, height, pixels } = slice;
  if (pixels.length !== width * height || width < 1 || height < 1) {
    throw new HealthDataError('invalid-input', `windowSlice: ${String(pixels.length)} pixels do not fill ${String(width)}×${String(height)}`, { path: 'pixels' });
  }
  const sample: number[] = [];
  const step = Math.max(1, Math.floor(pixels.length / 4096));
  for (let i = 0; i < pixels.length; i += step) {
    sample.push(pixels[i] ?? 0);
  }
  sample.sort((a, b) => a - b);
  const lo = sample[Math.floor(0.01 * (sample.length - 1))] ?? 0;
  const hi = sample[Math.ceil(0.99 * (sample.length - 1))] ?? 0;
  const scale = Math.min(1, maxSize / Math.max(width, height));
  const w = Math.max(1, Math.round(width * scale));
  const h = Math.max(1, Math.round(height * scale));
  const grey = new Uint8Array(w * h);
  for (let y = 0; y < h; y++) {
    const sy = Math.min(height - 1, Math.floor(y / scale));
    for (let x = 0; x < w; x++) {
      const sx = Math.min(width - 1, Math.floor(x / scale));
      const v = pixels[sy * width + sx] ?? 0;
      grey[y * w + x] = hi > lo ? Math.round(255 * Math.min(1, Math.max(0, (v - lo) / (hi - lo)))) : 0;
    }
  }
  return { width: w, height: h, grey };
}

/**
 * The middle slice of a volume stored slice after slice.
 *
 * @param volume - voxels, `width * height * depth`, slice-major
 * @param width - columns
 * @param height - rows
 * @param depth - slices
 * @returns the middle slice
 * @throws {@link HealthDataError} (invalid-input) when the voxel count does not match
 */
export function middleSliceOf(volume: ArrayLike<number> & { subarray?: unknown }, width: number, height: number, depth: number): GreySlice {
  if (volume.length !== width * height * depth || depth < 1) {
    throw new HealthDataError('invalid-input', `middleSliceOf: ${String(volume.length)} voxels do not fill ${String(width)}×${String(height)}×${String(depth)}`, { path: 'volume' });
  }
  const z = Math.floor(depth / 2);
  const n = width * height;
  const pixels = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    pixels[i] = volume[z * n + i] ?? 0;
  }
  return { width, height, pixels };
}

/**
 * A PNG thumbnail of a slice as a `data:` URI (for `<img src>` and plotly image traces).
 *
 * @param slice - the slice
 * @param maxSize - longest side in pixels (default 128)
 * @returns `data:image/png;base64,…`
 */
export function sliceThumbnail(slice: GreySlice, maxSize = 128): string {
  const { width, height, grey } = windowSlice(slice, maxSize);
  return `data:image/png;base64,${encodeGreyPng(width, height, grey).toString('base64')}`;
}

/**
 * A figure showing a thumbnail image (plotly `image` trace with a `source` URI).
 *
 * @param dataUri - the PNG data URI from {@link sliceThumbnail}
 * @param title - figure title
 * @returns the figure
 */
export function thumbnailFigure(dataUri: string, title = 'MRI, middle slice'): PlotlyFigure {
  return {
    data: [{ type: 'image', source: dataUri, hoverinfo: 'skip' }],
    layout: baseLayout(title, { xaxis: { visible: false }, yaxis: { visible: false, scaleanchor: 'x' }, margin: { l: 10, r: 10, t: 40, b: 10 } }),
  };
}
