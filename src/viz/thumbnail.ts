/**
 * Grey-level PNG thumbnails: window the pixels to 8 bits, down-sample, and encode with the library's one PNG
 * encoder (`imaging/png.ts`).
 */
import { HealthDataError } from '../errors';
import { encodePng } from '../imaging/png';
import type { GreySlice } from './rows';
import { baseLayout } from './figure';
import type { PlotlyFigure } from './figure';

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
  return `data:image/png;base64,${encodePng(width, height, grey, 'grey').toString('base64')}`;
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
