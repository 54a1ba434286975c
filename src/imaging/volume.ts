/**
 * Assembles a 3-D volume from an image set's metadata and frames: frames ordered along the slice normal, values
 * rescaled, spacing and orientation from the DICOM geometry.
 */
import { HealthDataError } from '../errors';
import { decodeJpeg2000, decodeJpegBaseline } from '../formats/dicom/codecs';
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

/** Stored syntaxes of frames the import transcoded (their samples are what the DICOM header describes). */
const TRANSCODED_DEFAULT = '1.2.840.10008.1.2.4.202';
const TRANSCODED: ReadonlySet<string> = new Set(['1.2.840.10008.1.2.4.201', TRANSCODED_DEFAULT]);

interface FrameRef {
  readonly id: string;
  /** Samples per pixel. */
  readonly samples: number;
  /** Whether the stored samples are Y, Cb, Cr (the first one is the luminance). */
  readonly ybr: boolean;
  readonly position: number[] | undefined;
  readonly order: number;
  readonly slope: number;
  readonly intercept: number;
}

/** Decodes a frame as `GetImageFrame` returns it: HTJ2K, or a lossy JPEG / JPEG 2000 codestream kept as imported. */
async function decodeStored(frame: ImageFrame): Promise<ArrayLike<number>> {
  if (frame.contentType === 'image/jpeg') {
    const d = await decodeJpegBaseline(frame.imageFrameBlob);
    return d.bitsPerSample > 8 ? new Uint16Array(d.bytes.buffer, d.bytes.byteOffset, d.bytes.byteLength / 2) : d.bytes;
  }
  if (frame.contentType === 'image/j2c') {
    const d = await decodeJpeg2000(frame.imageFrameBlob);
    if (d.bitsPerSample <= 8) {
      return d.isSigned === true ? new Int8Array(d.bytes.buffer, d.bytes.byteOffset, d.bytes.byteLength) : d.bytes;
    }
    return d.isSigned === true ? new Int16Array(d.bytes.buffer, d.bytes.byteOffset, d.bytes.byteLength / 2) : new Uint16Array(d.bytes.buffer, d.bytes.byteOffset, d.bytes.byteLength / 2);
  }
  return (await decodeHtj2k(frame.imageFrameBlob)).pixels;
}

/**
 * Decodes all frames of an image set (fetching them through `fetchFrame`, several at once) into a volume. Colour
 * frames become their luminance: the Y sample of YCbCr frames, ITU-R BT.601 weights (0.299 R + 0.587 G + 0.114 B)
 * of RGB ones.
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
        throw new HealthDataError(
          'invalid-input',
          `getVolume: image set ${meta.ImageSetID} mixes frame sizes (${String(rows)}×${String(cols)} and ${String(r)}×${String(c)}); read the frames one by one instead`,
        );
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
          samples: Number(d.SamplesPerPixel ?? 1),
          ybr: typeof d.PhotometricInterpretation === 'string' && d.PhotometricInterpretation.startsWith('YBR') && TRANSCODED.has(inst.StoredTransferSyntaxUID || TRANSCODED_DEFAULT),
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
      const samples = await decodeStored(frame);
      const n = samples.length / plane;
      if (n !== 1 && n !== 3) {
        throw new HealthDataError('invalid-input', `getVolume: frame ${ref.id} has ${String(samples.length)} samples, expected ${String(plane)} (grey) or ${String(3 * plane)} (colour)`);
      }
      const out = voxels.subarray(z * plane, (z + 1) * plane);
      for (let i = 0; i < plane; i++) {
        const v = n === 1 || ref.ybr ? (samples[i * n] ?? 0) : 0.299 * (samples[i * 3] ?? 0) + 0.587 * (samples[i * 3 + 1] ?? 0) + 0.114 * (samples[i * 3 + 2] ?? 0);
        out[i] = v * ref.slope + ref.intercept;
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
