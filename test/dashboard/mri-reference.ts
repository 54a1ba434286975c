/**
 * Test fixture: the dashboard's MRI encoding before issue 21's speed work (per-voxel `Math.floor` and `??` in the
 * box average, `for…of` with `Math.min`/`Math.max` and `Number.isFinite` in the quantization), kept verbatim in
 * behaviour so `mri.test.ts` can check that the faster one writes the same bytes.
 */
import { deflateSync } from 'node:zlib';
import { isHealthDataError } from '../../src/errors';
import { brainMasks } from '../../src/imaging/masks';
import type { MriSeriesData } from '../../src/dashboard/mri';

/** A volume as the encoder takes it. */
interface VolumeIn {
  readonly voxels: ArrayLike<number>;
  readonly size: readonly [number, number, number];
  readonly spacingMm: readonly [number, number, number];
}

/**
 * The previous `viewerVolume`.
 *
 * @param volume - decoded volume
 * @param maxDim - largest size along an axis
 * @returns the volume to encode
 */
export function referenceViewerVolume(volume: VolumeIn, maxDim = 128): VolumeIn {
  const [nx, ny, nz] = volume.size;
  const f = [nx, ny, nz].map((n) => Math.max(1, Math.ceil(n / maxDim))) as [number, number, number];
  if (f[0] === 1 && f[1] === 1 && f[2] === 1) {
    return volume;
  }
  const [mx, my, mz] = [Math.ceil(nx / f[0]), Math.ceil(ny / f[1]), Math.ceil(nz / f[2])];
  const sum = new Float64Array(mx * my * mz);
  const count = new Uint32Array(mx * my * mz);
  const v = volume.voxels;
  for (let z = 0, i = 0; z < nz; z++) {
    const oz = Math.floor(z / f[2]) * mx * my;
    for (let y = 0; y < ny; y++) {
      const oy = oz + Math.floor(y / f[1]) * mx;
      for (let x = 0; x < nx; x++, i++) {
        const value = v[i] ?? NaN;
        if (Number.isFinite(value)) {
          const o = oy + Math.floor(x / f[0]);
          sum[o] = (sum[o] ?? 0) + value;
          count[o] = (count[o] ?? 0) + 1;
        }
      }
    }
  }
  const voxels = new Float32Array(sum.length);
  for (let o = 0; o < voxels.length; o++) {
    const c = count[o] ?? 0;
    voxels[o] = c === 0 ? NaN : (sum[o] ?? 0) / c;
  }
  const [sx, sy, sz] = volume.spacingMm;
  return { voxels, size: [mx, my, mz], spacingMm: [sx * f[0], sy * f[1], sz * f[2]] };
}

/**
 * The previous `encodeMriSeries`.
 *
 * @param source - decoded volume
 * @returns the series data
 */
export function referenceEncodeMriSeries(source: VolumeIn): MriSeriesData {
  const volume = referenceViewerVolume(source);
  const v = volume.voxels;
  let low = Infinity;
  let high = -Infinity;
  for (const x of Array.from(v)) {
    if (Number.isFinite(x)) {
      low = Math.min(low, x);
      high = Math.max(high, x);
    }
  }
  if (!(high >= low)) {
    low = 0;
    high = 0;
  }
  const scale = high > low ? 255 / (high - low) : 0;
  const levels = new Uint8Array(v.length);
  for (let i = 0; i < v.length; i++) {
    const x = v[i] ?? low;
    levels[i] = Number.isFinite(x) ? Math.round((x - low) * scale) : 0;
  }
  let mask = '';
  let maskNote = '';
  try {
    mask = deflateSync(brainMasks({ voxels: v, size: volume.size }).brain, { level: 6 }).toString('base64');
  } catch (e) {
    if (!isHealthDataError(e) || e.code !== 'invalid-input') {
      throw e;
    }
    maskNote = e.message;
  }
  return { size: [...volume.size], spacingMm: [...volume.spacingMm], low, high, voxels: deflateSync(levels, { level: 6 }).toString('base64'), mask, maskNote, sourceSize: [...source.size] };
}
