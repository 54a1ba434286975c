/**
 * Per-study imaging features: decode an image set, build brain masks, compute radiomics per mask (prefixed
 * `brain_`, `csf_`, `hyperintense_`) plus compartment volumes. One row per image set, keyed by the DICOM PatientID
 * with `event_time` = study date/time, ready for the feature store. Image sets are computed in parallel on a pool of
 * worker threads ({@link RadiomicsWorkerPool}).
 */
import * as os from 'node:os';
import * as path from 'node:path';
import type { ProgressReporter } from '../progress';
import { WorkerPool } from '../util/worker-pool';
import { brainMasks } from './masks';
import { computeRadiomics } from './radiomics/extract';
import type { RadiomicsFeatures, RadiomicsImage, RadiomicsSettings } from './radiomics/types';
import type { ImagingStore, Volume } from './types';

/** One row of imaging features. */
export type ImagingFeatureRow = Record<string, string | number>;

/** Options of {@link imagingFeaturesOfVolume} and {@link extractImagingFeatures}. */
export interface ImagingFeatureOptions {
  /** Radiomics settings for the brain mask (default binWidth 25, all families). */
  readonly settings?: RadiomicsSettings;
  /** Progress. */
  readonly progress?: ProgressReporter;
  /**
   * Worker threads for {@link extractImagingFeatures}: default min(available cores, image sets); 0 computes in this
   * thread.
   */
  readonly workers?: number;
}

function prefixed(prefix: string, f: Record<string, number>): Record<string, number> {
  return Object.fromEntries(Object.entries(f).map(([k, v]) => [`${prefix}_${k}`, Number.isFinite(v) ? v : 0]));
}

/**
 * Voxels of a 0/1 mask that are 1: four bytes at a time (a 32-bit word times 0x01010101 carries the sum of its four
 * bytes in its top byte while each byte is at most 63), the unaligned ends byte by byte. An indexed loop over
 * millions of voxels, never an iterator (several times slower).
 */
function count(m: Uint8Array): number {
  const len = m.length;
  const head = Math.min(len, (4 - (m.byteOffset & 3)) & 3);
  let n = 0;
  let i = 0;
  for (; i < head; i++) {
    n += m[i] ?? 0;
  }
  const words = (len - i) >>> 2;
  if (words > 0) {
    const w = new Uint32Array(m.buffer, m.byteOffset + i, words);
    for (let k = 0; k < words; k++) {
      n += Math.imul(w[k] ?? 0, 0x01010101) >>> 24;
    }
    i += 4 * words;
  }
  for (; i < len; i++) {
    n += m[i] ?? 0;
  }
  return n;
}

/**
 * Features of one volume: compartment volumes (ml), all families on the brain mask, first-order and shape on the
 * fluid and hyperintense masks (when they hold enough voxels).
 *
 * @param volume - decoded volume
 * @param options - settings
 * @returns the feature values
 */
export function imagingFeaturesOfVolume(volume: Volume, options: ImagingFeatureOptions = {}): Record<string, number> {
  const masks = brainMasks(volume);
  const ml = (volume.spacingMm[0] * volume.spacingMm[1] * volume.spacingMm[2]) / 1000;
  const brainN = count(masks.brain);
  const csfN = count(masks.csf);
  const hyperN = count(masks.hyperintense);
  const image = { voxels: volume.voxels, size: volume.size, spacingMm: volume.spacingMm };
  const out: Record<string, number> = {
    brain_volume_ml: brainN * ml,
    csf_volume_ml: csfN * ml,
    parenchyma_volume_ml: count(masks.parenchyma) * ml,
    hyperintense_volume_ml: hyperN * ml,
    csf_fraction: brainN === 0 ? 0 : csfN / brainN,
    ...prefixed('brain', computeRadiomics(image, masks.brain, { binWidth: 25, ...options.settings })),
  };
  const small: RadiomicsSettings = { binWidth: 25, ...options.settings, families: ['firstorder', 'shape'] };
  const zeros = (prefix: string): Record<string, number> => Object.fromEntries(smallFeatureNames(small).map((k) => [`${prefix}_${k}`, 0]));
  Object.assign(out, csfN >= 10 ? prefixed('csf', computeRadiomics(image, masks.csf, small)) : zeros('csf'));
  Object.assign(out, hyperN >= 10 ? prefixed('hyperintense', computeRadiomics(image, masks.hyperintense, small)) : zeros('hyperintense'));
  return out;
}

/** Names of the first-order + shape features, from a 3×3×3 probe (so empty masks still give every column). */
function smallFeatureNames(settings: RadiomicsSettings): string[] {
  const voxels = Float32Array.from({ length: 27 }, (_, i) => i);
  const mask = new Uint8Array(27).fill(1);
  return Object.keys(computeRadiomics({ voxels, size: [3, 3, 3], spacingMm: [1, 1, 1] }, mask, settings));
}

function eventTime(date: string | undefined, time: string | undefined): string {
  const d = /^(\d{4})(\d{2})(\d{2})$/.exec(date ?? '');
  if (d === null) {
    return '1970-01-01T00:00:00Z';
  }
  const t = /^(\d{2})(\d{2})?(\d{2})?/.exec(time ?? '') ?? [];
  return `${d[1] ?? ''}-${d[2] ?? ''}-${d[3] ?? ''}T${t[1] ?? '00'}:${t[2] ?? '00'}:${t[3] ?? '00'}Z`;
}

/**
 * Computes imaging features for every primary image set of a datastore.
 *
 * @param store - the imaging store (`ws.imaging`)
 * @param datastoreId - datastore
 * @param options - settings and progress
 * @returns one row per image set: `patient_id`, `event_time` (study date), `study_instance_uid`, `image_set_id`, features
 */
export async function extractImagingFeatures(store: ImagingStore, datastoreId: string, options: ImagingFeatureOptions = {}): Promise<ImagingFeatureRow[]> {
  const sets = await store.searchImageSets(datastoreId, { filters: [{ operator: 'EQUAL', values: [{ isPrimary: true }] }], sort: { sortField: 'createdAt', sortOrder: 'ASC' } });
  const task = options.progress?.start('imaging features', sets.length);
  const threads = Math.min(options.workers ?? os.availableParallelism(), sets.length);
  const pool = threads > 0 ? new RadiomicsWorkerPool(threads) : undefined;
  try {
    // volumes are decoded here, on this thread, one after another (getVolume reads frames concurrently but decodes
    // HTJ2K synchronously: ~0.77 CPU-s per 256³ volume, measured) and handed to the pool as they come, so decoding
    // overlaps the workers' radiomics; at most 2 per worker wait in memory
    const pending: Promise<ImagingFeatureRow>[] = [];
    const inFlight = new Set<Promise<unknown>>();
    for (const s of sets) {
      while (pool !== undefined && inFlight.size >= 2 * threads) {
        await Promise.race(inFlight);
      }
      const volume = await store.getVolume(datastoreId, s.imageSetId);
      const head = {
        patient_id: s.DICOMTags.DICOMPatientId ?? '',
        event_time: eventTime(s.DICOMTags.DICOMStudyDate, s.DICOMTags.DICOMStudyTime),
        study_instance_uid: s.DICOMTags.DICOMStudyInstanceUID ?? '',
        image_set_id: s.imageSetId,
      };
      const features = pool === undefined ? Promise.resolve(imagingFeaturesOfVolume(volume, options)) : pool.imagingFeatures(volume, options.settings);
      const row = features.then((f) => {
        task?.tick();
        return { ...head, ...f };
      });
      inFlight.add(row);
      void row.finally(() => inFlight.delete(row)).catch(() => undefined);
      pending.push(row);
    }
    const rows = await Promise.all(pending);
    task?.finish(`${String(rows.length)} image sets${pool === undefined ? '' : ` on ${String(threads)} worker${threads === 1 ? '' : 's'}`}`);
    return rows;
  } finally {
    await pool?.close();
  }
}

/** A task for a pool worker (internal). */
export type WorkerTask =
  | { readonly kind: 'volume'; readonly volume: Volume; readonly settings: RadiomicsSettings | undefined }
  | { readonly kind: 'radiomics'; readonly image: RadiomicsImage; readonly mask: ArrayLike<number>; readonly settings: RadiomicsSettings };

/**
 * A fixed pool of worker threads computing radiomics, one task per worker at a time (the library's
 * {@link WorkerPool}; worker entry `features-worker`). Voxel buffers are transferred to the worker (not copied): the
 * caller's `voxels` and `mask` arrays are unusable afterwards.
 *
 * Works from the compiled `dist/` (plain `.js` worker) and from TypeScript sources under tsx (tests, bench, notebooks
 * through ts-node-like loaders): a `.ts` worker first registers `tsx/cjs`.
 *
 * @example
 * ```ts
 * const pool = new RadiomicsWorkerPool(2);
 * const [a, b] = await Promise.all([pool.radiomics(img1, mask1), pool.radiomics(img2, mask2)]);
 * await pool.close();
 * ```
 */
export class RadiomicsWorkerPool {
  private readonly pool: WorkerPool<WorkerTask, RadiomicsFeatures>;

  /**
   * @param threads - number of workers (≥ 1)
   * @throws {@link HealthDataError} (invalid-input) for fewer than one thread
   */
  constructor(threads: number) {
    this.pool = new WorkerPool({ entry: path.join(__dirname, 'features-worker'), size: threads, name: 'radiomics worker pool' });
  }

  /**
   * Brain masks and features of one volume ({@link imagingFeaturesOfVolume}) in a worker.
   *
   * @param volume - decoded volume (its voxel buffer is transferred)
   * @param settings - radiomics settings for the brain mask
   * @returns the feature values
   */
  imagingFeatures(volume: Volume, settings?: RadiomicsSettings): Promise<RadiomicsFeatures> {
    return this.pool.run({ kind: 'volume', volume, settings }, [volume.voxels.buffer as ArrayBuffer]);
  }

  /**
   * {@link computeRadiomics} in a worker.
   *
   * @param image - image (its voxel buffer is transferred when it is a typed array)
   * @param mask - labels (transferred when a typed array)
   * @param settings - settings
   * @returns the features
   */
  radiomics(image: RadiomicsImage, mask: ArrayLike<number>, settings: RadiomicsSettings = {}): Promise<RadiomicsFeatures> {
    const transfer = [image.voxels, mask].filter((a): a is ArrayBufferView & ArrayLike<number> => ArrayBuffer.isView(a)).map((a) => a.buffer as ArrayBuffer);
    return this.pool.run({ kind: 'radiomics', image, mask, settings }, [...new Set(transfer)]);
  }

  /** Stops the workers (pending tasks are rejected, `cancelled`). */
  async close(): Promise<void> {
    await this.pool.close();
  }
}
