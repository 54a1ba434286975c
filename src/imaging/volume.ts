/**
 * Assembles a 3-D volume from an image set's metadata and frames: frames ordered along the slice normal, values
 * rescaled, spacing and orientation from the DICOM geometry.
 */
import { HealthDataError } from '../errors';
import { decodeHtj2k } from '../formats/htj2k/codec';
import type { ImageFrame, ImageSetMetadata, Volume } from './types';

function numbers(v: unknown): number[] | undefined {
  if (Array.isArray(v) && v.every((x) => typeof x === 'number' || (typeof x === 'string' && x.trim() !== ''))) {
    return v.map(Number);
  }
  return typeof v === 'number' ? [v] : undefined;
}

function firstItem(v: unknown): Record<string, unknown> | undefined {
  const x: unknown = Array.isArray(v) ? v[0] : v;
  return typeof x === 'object' && x !== null ? (x as Record<string, unknown>) : undefined;
}

function group(dicom: Record<string, unknown>, macro: string, key: string, frame: number): unknown {
  const per = Array.isArray(dicom.PerFrameFunctionalGroupsSequence) ? firstItem(dicom.PerFrameFunctionalGroupsSequence[frame]) : undefined;
  const fromPer = per === undefined ? undefined : firstItem(per[macro])?.[key];
  if (fromPer !== undefined) {
    return fromPer;
  }
  const shared = firstItem(dicom.SharedFunctionalGroupsSequence);
  return shared === undefined ? undefined : firstItem(shared[macro])?.[key];
}

interface FrameRef {
  readonly id: string;
  readonly position: number[] | undefined;
  readonly order: number;
  readonly slope: number;
  readonly intercept: number;
}

/**
 * Decodes all frames of an image set (fetching them through `fetchFrame`, several at once) into a volume.
 *
 * @param meta - image set metadata
 * @param fetchFrame - returns the HTJ2K frame for a frame id
 * @param concurrency - frames fetched and decoded at once (default 8)
 * @returns the volume
 * @throws {@link HealthDataError} (invalid-input) when frames differ in size or the set holds no frames
 */
export async function assembleVolume(meta: ImageSetMetadata, fetchFrame: (id: string) => Promise<ImageFrame>, concurrency = 8): Promise<Volume> {
  const refs: FrameRef[] = [];
  let rows = 0;
  let cols = 0;
  let spacing: number[] | undefined;
  let orientation: number[] | undefined;
  let thickness: number | undefined;
  let betweenSlices: number | undefined;
  for (const series of Object.values(meta.Study.Series)) {
    for (const inst of Object.values(series.Instances)) {
      const d = inst.DICOM;
      const r = Number(d.Rows);
      const c = Number(d.Columns);
      if ((rows !== 0 && r !== rows) || (cols !== 0 && c !== cols)) {
        throw new HealthDataError('invalid-input', `getVolume: image set ${meta.ImageSetID} mixes frame sizes (${String(rows)}×${String(cols)} and ${String(r)}×${String(c)}); read the frames one by one instead`);
      }
      rows = r;
      cols = c;
      spacing ??= numbers(d.PixelSpacing) ?? numbers(group(d, 'PixelMeasuresSequence', 'PixelSpacing', 0));
      orientation ??= numbers(d.ImageOrientationPatient) ?? numbers(group(d, 'PlaneOrientationSequence', 'ImageOrientationPatient', 0));
      thickness ??= numbers(d.SliceThickness)?.[0] ?? numbers(group(d, 'PixelMeasuresSequence', 'SliceThickness', 0))?.[0];
      betweenSlices ??= numbers(d.SpacingBetweenSlices)?.[0] ?? numbers(group(d, 'PixelMeasuresSequence', 'SpacingBetweenSlices', 0))?.[0];
      const instanceNumber = Number(d.InstanceNumber ?? 0);
      inst.ImageFrames.forEach((f, i) => {
        const pos = inst.ImageFrames.length === 1 && d.ImagePositionPatient !== undefined ? numbers(d.ImagePositionPatient) : numbers(group(d, 'PlanePositionSequence', 'ImagePositionPatient', i));
        refs.push({
          id: f.ID,
          position: pos,
          order: instanceNumber * 100000 + i,
          slope: Number(d.RescaleSlope ?? group(d, 'PixelValueTransformationSequence', 'RescaleSlope', i) ?? 1),
          intercept: Number(d.RescaleIntercept ?? group(d, 'PixelValueTransformationSequence', 'RescaleIntercept', i) ?? 0),
        });
      });
    }
  }
  if (refs.length === 0) {
    throw new HealthDataError('invalid-input', `getVolume: image set ${meta.ImageSetID} holds no frames`);
  }
  const rowDir = orientation?.slice(0, 3) ?? [1, 0, 0];
  const colDir = orientation?.slice(3, 6) ?? [0, 1, 0];
  const normal = [
    (rowDir[1] ?? 0) * (colDir[2] ?? 0) - (rowDir[2] ?? 0) * (colDir[1] ?? 0),
    (rowDir[2] ?? 0) * (colDir[0] ?? 0) - (rowDir[0] ?? 0) * (colDir[2] ?? 0),
    (rowDir[0] ?? 0) * (colDir[1] ?? 0) - (rowDir[1] ?? 0) * (colDir[0] ?? 0),
  ];
  const along = (p: number[] | undefined): number => (p === undefined ? 0 : (p[0] ?? 0) * (normal[0] ?? 0) + (p[1] ?? 0) * (normal[1] ?? 0) + (p[2] ?? 0) * (normal[2] ?? 0));
  const allPositioned = refs.every((r) => r.position !== undefined);
  refs.sort((a, b) => (allPositioned ? along(a.position) - along(b.position) : 0) || a.order - b.order);
  let sliceSpacing = betweenSlices ?? thickness ?? 1;
  if (allPositioned && refs.length > 1) {
    const d = Math.abs(along(refs[1]?.position) - along(refs[0]?.position));
    if (d > 0) {
      sliceSpacing = d;
    }
  }
  const plane = rows * cols;
  const voxels = new Float32Array(plane * refs.length);
  let next = 0;
  const worker = async (): Promise<void> => {
    for (;;) {
      const z = next++;
      const ref = refs[z];
      if (ref === undefined) {
        return;
      }
      const frame = await fetchFrame(ref.id);
      const decoded = await decodeHtj2k(frame.imageFrameBlob);
      if (decoded.pixels.length !== plane) {
        throw new HealthDataError('invalid-input', `getVolume: frame ${ref.id} has ${String(decoded.pixels.length)} samples, expected ${String(plane)}`);
      }
      const out = voxels.subarray(z * plane, (z + 1) * plane);
      for (let i = 0; i < plane; i++) {
        out[i] = (decoded.pixels[i] ?? 0) * ref.slope + ref.intercept;
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, refs.length) }, worker));
  const first = refs[0]?.position;
  return {
    voxels,
    size: [cols, rows, refs.length],
    spacingMm: [spacing?.[1] ?? 1, spacing?.[0] ?? 1, sliceSpacing],
    origin: [first?.[0] ?? 0, first?.[1] ?? 0, first?.[2] ?? 0],
    direction: [...rowDir, ...colDir, ...normal],
  };
}
