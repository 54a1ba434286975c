/**
 * The patient view's MRI: at dashboard build time each patient's latest primary MR image set is read from the
 * workspace's imaging store (its stored HTJ2K frames decoded by the imaging code), its brain mask computed with
 * {@link brainMask}, and both written into the site folder as `mri/<file>.js` — voxels quantized to 8 bits and
 * deflated, the mask deflated, both base64 in a script that hands them to the page (`window.mmhMriLoaded`), so the
 * viewer works offline and from file://. The page inflates them (DecompressionStream) and draws one slice at a time
 * with the mask outline and a window/level control. No DICOM header (names, birth dates) is written: only voxels,
 * geometry and the study date.
 *
 * Files are named by image set id and version and kept between builds: a re-build decodes only new or changed
 * image sets, and removes files of image sets that are gone.
 *
 * Cost is kept proportionate to what the page shows: a volume larger than {@link MRI_VIEWER_MAX_DIM} voxels along an
 * axis (a 256×256×256 Coherent-size MRI) is box-averaged by a whole factor per axis until it fits (256³ → 128³,
 * 1/8 of the voxels) before its mask is computed and it is encoded; the page shows slices at most 128 voxels wide,
 * which it scales to its canvas anyway. Volumes that fit (the 128×128×64 default) are encoded exactly as they are.
 * Each series is decoded, masked, encoded and written by one of a pool of worker threads (this thread only reads the
 * stored frames and hands them over, so both cores decode). Per 128×128×64 series the CPU cost is ≈ 0.16 s: HTJ2K
 * decoding and assembling ≈ 60 ms, the brain mask ({@link brainMask}) ≈ 40 ms, deflating the levels ≈ 50 ms and the
 * mask ≈ 10 ms, range and quantizing ≈ 10 ms (`process.cpuUsage` at load 6–10 on 2 cores; the default cohort's 287
 * series ≈ 47 CPU-s). Every part is needed for the same bytes; what is left is the codec, the mask and zlib.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { deflateSync } from 'node:zlib';
import { HealthDataError, isHealthDataError } from '../errors';
import { brainMask } from '../imaging/masks';
import type { ImageFrame, ImageSetMetadata, ImageSetSummary, ImagingStore, Volume } from '../imaging/types';
import { assembleVolume } from '../imaging/volume';
import type { ProgressReporter } from '../progress';
import { WorkerPool } from '../util/worker-pool';
import { scriptJson } from '../viz/show-figure';

/** Format of the `mri/*.js` files (bumped when the encoding changes, so old files are rebuilt). */
export const MRI_FILE_FORMAT = 'v1';

/** Largest number of voxels along an axis the page is sent; larger volumes are box-averaged down to it. */
export const MRI_VIEWER_MAX_DIM = 128;

/** Where a patient's MRI is in the site, as the patient record names it. */
export interface MriReference {
  /** Site-relative path of the data script (`mri/v1-<image set>-<version>.js`). */
  readonly file: string;
  /** Image set id (the key the data script passes back). */
  readonly imageSetId: string;
  /** Study date (ISO `YYYY-MM-DD`, empty when unknown). */
  readonly studyDate: string;
  /** Study description (e.g. `MRI of head`; free text, so the patient record keeps it only with identifiers). */
  readonly description: string;
}

/** What one `mri/*.js` file hands to the page. */
export interface MriSeriesData {
  /** Columns, rows, slices. */
  readonly size: readonly [number, number, number];
  /** Spacing in mm (x, y, z). */
  readonly spacingMm: readonly [number, number, number];
  /** Stored value of level 0 and of level 255 (voxel = low + q × (high − low) / 255). */
  readonly low: number;
  /** Stored value of level 255. */
  readonly high: number;
  /** Base64 of the zlib-deflated 8-bit levels, x fastest, then y, then z. */
  readonly voxels: string;
  /** Base64 of the zlib-deflated brain mask (one byte per voxel, 1 inside); empty when no mask could be drawn. */
  readonly mask: string;
  /** Why there is no mask (empty when there is one). */
  readonly maskNote: string;
  /**
   * Size of the stored volume before it was averaged down for the page (equal to `size` when it fit; absent in
   * files written before volumes were averaged down — they stay valid, so the format is still `v1`).
   */
  readonly sourceSize?: readonly [number, number, number];
}

/**
 * The volume the page is sent: as it is when every axis fits {@link MRI_VIEWER_MAX_DIM}, else box-averaged by the
 * smallest whole factor per axis that makes it fit (non-finite voxels left out of each average).
 *
 * @param volume - decoded volume
 * @param maxDim - largest size along an axis (default {@link MRI_VIEWER_MAX_DIM})
 * @returns the volume to encode (the same object when nothing had to change)
 */
export function viewerVolume<V extends Pick<Volume, 'voxels' | 'size' | 'spacingMm'>>(volume: V, maxDim = MRI_VIEWER_MAX_DIM): V | Pick<Volume, 'voxels' | 'size' | 'spacingMm'> {
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
    for (let y = 0; y < ny; y++, i += nx) {
      addRow(v, i, nx, f[0], oz + Math.floor(y / f[1]) * mx, sum, count);
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
 * Adds the finite voxels of the row starting at `i` to the sums and counts of their output cells (`o`, `o + 1`, …,
 * `fx` voxels each): each cell's running sum is carried in a local and its voxels added in x order, the same additions
 * in the same order as one voxel at a time.
 */
function addRow(v: ArrayLike<number>, i: number, nx: number, fx: number, o: number, sum: Float64Array, count: Uint32Array): void {
  for (let x = 0, c = o; x < nx; c++) {
    const end = Math.min(nx, x + fx);
    let s = sum[c] as number;
    let k = count[c] as number;
    for (; x < end; x++) {
      const value = v[i + x] as number;
      // value - value is 0 exactly for finite numbers (NaN for NaN and ±Infinity): Number.isFinite without a call
      if (value - value === 0) {
        s += value;
        k++;
      }
    }
    sum[c] = s;
    count[c] = k;
  }
}

/**
 * Smallest and largest finite voxel (`[Infinity, -Infinity]` when there is none).
 *
 * @param v - voxels
 * @returns [low, high]
 */
function finiteRange(v: ArrayLike<number>): [number, number] {
  let low = Infinity;
  let high = -Infinity;
  for (let i = 0, n = v.length; i < n; i++) {
    const x = v[i] as number;
    if (x - x === 0) {
      if (x < low) {
        low = x;
      }
      if (x > high) {
        high = x;
      }
    }
  }
  return [low, high];
}

/**
 * 8-bit levels: `round((x − low) × scale)` (half up) for finite voxels, 0 for the others.
 *
 * @param v - voxels
 * @param low - value of level 0 (at most every finite voxel, so `(x − low) × scale` ≥ 0)
 * @param scale - levels per unit
 * @returns one level per voxel
 */
function quantize(v: ArrayLike<number>, low: number, scale: number): Uint8Array {
  const n = v.length;
  const levels = new Uint8Array(n);
  for (let i = 0; i < n; i++) {
    const x = v[i] as number;
    const y = (x - low) * scale;
    // Math.round(y) for y ≥ 0, ~2.5× faster: for y ≥ 0.5 the sum y + 0.5 is exact in binary64, so truncating it is
    // rounding half up; below 0.5 the level is 0 (where y + 0.5 could round up to 1: y = 0.49999999999999994).
    levels[i] = x - x === 0 && y >= 0.5 ? (y + 0.5) | 0 : 0;
  }
  return levels;
}

/**
 * Encodes a volume and its brain mask for the page (larger volumes first averaged down: {@link viewerVolume}).
 *
 * @param source - decoded volume
 * @returns the series data
 */
export function encodeMriSeries(source: Pick<Volume, 'voxels' | 'size' | 'spacingMm'>): MriSeriesData {
  const volume = viewerVolume(source);
  const v = volume.voxels;
  let [low, high] = finiteRange(v);
  if (!(high >= low)) {
    low = 0;
    high = 0;
  }
  const levels = quantize(v, low, high > low ? 255 / (high - low) : 0);
  let mask = '';
  let maskNote = '';
  try {
    // Level 6: an eighth of level 9's CPU for a mask ~12 % larger (16.5 vs 14.5 kB for 128×128×64).
    mask = deflateSync(brainMask({ voxels: v, size: volume.size }), { level: 6 }).toString('base64');
  } catch (e) {
    // A volume with nothing above the foreground threshold has no brain to outline: the slices still show.
    if (!isHealthDataError(e) || e.code !== 'invalid-input') {
      throw e;
    }
    maskNote = e.message;
  }
  return { size: [...volume.size], spacingMm: [...volume.spacingMm], low, high, voxels: deflateSync(levels, { level: 6 }).toString('base64'), mask, maskNote, sourceSize: [...source.size] };
}

function isoDate(yyyymmdd: string | undefined): string {
  const m = /^(\d{4})(\d{2})(\d{2})$/.exec(yyyymmdd ?? '');
  return m === null ? '' : `${m[1] ?? ''}-${m[2] ?? ''}-${m[3] ?? ''}`;
}

/** Options of {@link writeMriFiles}. */
export interface WriteMriOptions {
  /** The site folder (files go to `<out>/mri/`). */
  readonly out: string;
  /** Only these patients (the dashboard's patient ids). */
  readonly patientIds: ReadonlySet<string>;
  /** Progress for the decoding. */
  readonly progress?: ProgressReporter;
  /** Worker threads for the masks and encoding (default: the machine's available parallelism). */
  readonly workers?: number;
}

/**
 * Writes each patient's latest primary MR image set into `<out>/mri/` and says where it is.
 *
 * @param store - the imaging store (`ws.imaging`)
 * @param datastoreId - the datastore
 * @param options - site folder, patients, progress
 * @returns patient id → where their MRI is
 */
export async function writeMriFiles(store: ImagingStore, datastoreId: string, options: WriteMriOptions): Promise<Map<string, MriReference>> {
  const sets = await store.searchImageSets(datastoreId, { filters: [{ operator: 'EQUAL', values: [{ isPrimary: true }] }] });
  const latest = new Map<string, ImageSetSummary>();
  const when = (s: ImageSetSummary): string => `${s.DICOMTags.DICOMStudyDate ?? ''}${s.DICOMTags.DICOMStudyTime ?? ''}|${s.imageSetId}`;
  for (const s of sets) {
    const pid = s.DICOMTags.DICOMPatientId ?? '';
    const prev = latest.get(pid);
    if (options.patientIds.has(pid) && (prev === undefined || when(s) > when(prev))) {
      latest.set(pid, s);
    }
  }
  const dir = path.join(options.out, 'mri');
  fs.mkdirSync(dir, { recursive: true });
  const refs = new Map<string, MriReference>();
  const keep = new Set<string>();
  const todo: [string, ImageSetSummary, string][] = [];
  for (const [pid, s] of [...latest].sort((a, b) => a[0].localeCompare(b[0]))) {
    const name = `${MRI_FILE_FORMAT}-${s.imageSetId.replace(/[^A-Za-z0-9_-]/g, '_')}-${String(s.version)}.js`;
    keep.add(name);
    refs.set(pid, { file: `mri/${name}`, imageSetId: s.imageSetId, studyDate: isoDate(s.DICOMTags.DICOMStudyDate), description: s.DICOMTags.DICOMStudyDescription ?? '' });
    if (!fs.existsSync(path.join(dir, name))) {
      todo.push([pid, s, name]);
    }
  }
  for (const f of fs.readdirSync(dir)) {
    if (!keep.has(f)) {
      fs.rmSync(path.join(dir, f), { force: true });
    }
  }
  const task = options.progress?.start('dashboard MRI slices and brain masks', todo.length);
  // Each series is decoded, masked, encoded and written by a worker thread; this thread only reads the stored frames
  // (I/O) and hands them over. At most two series per worker wait in memory.
  const pool = todo.length > 1 ? new MriSeriesPool(Math.min(options.workers ?? os.availableParallelism(), todo.length)) : undefined;
  try {
    const inFlight = new Set<Promise<void>>();
    for (const [, s, name] of todo) {
      while (pool !== undefined && inFlight.size >= 2 * pool.size) {
        await Promise.race(inFlight);
      }
      const series = await readMriSeries(store, datastoreId, s.imageSetId, path.join(dir, name));
      const done = (pool === undefined ? writeMriSeriesFile(series) : pool.write(series)).then(() => {
        task?.tick();
      });
      inFlight.add(done);
      void done.finally(() => inFlight.delete(done)).catch(() => undefined);
    }
    await Promise.all(inFlight);
  } finally {
    await pool?.close();
  }
  task?.finish(`${String(refs.size)} MR series (${String(todo.length)} decoded, ${String(refs.size - todo.length)} unchanged)`);
  return refs;
}

/** One image set to write as an `mri/*.js` file (internal: what a worker is sent). */
export interface MriSeriesTask {
  /** Image set id. */
  readonly imageSetId: string;
  /** Its latest metadata (frame ids, geometry, rescale). */
  readonly metadata: ImageSetMetadata;
  /** Its stored frames by frame id, as `GetImageFrame` returns them. */
  readonly frames: readonly (readonly [string, ImageFrame])[];
  /** The file to write. */
  readonly file: string;
}

/**
 * Reads an image set's latest metadata and every stored frame it lists, as the store's `getVolume` would.
 *
 * @param store - the imaging store
 * @param datastoreId - the datastore
 * @param imageSetId - the image set
 * @param file - where its file goes
 * @returns the task for {@link writeMriSeriesFile}
 */
async function readMriSeries(store: ImagingStore, datastoreId: string, imageSetId: string, file: string): Promise<MriSeriesTask> {
  const metadata = await store.getImageSetMetadata(datastoreId, imageSetId);
  const ids = Object.values(metadata.Study.Series).flatMap((series) => Object.values(series.Instances).flatMap((inst) => inst.ImageFrames.map((f) => f.ID)));
  const frames = await Promise.all(ids.map(async (id) => [id, await store.getImageFrame(datastoreId, imageSetId, id)] as const));
  return { imageSetId, metadata, frames, file };
}

/**
 * Decodes an image set's frames into its volume (the imaging code's `assembleVolume`, as `getVolume` does), encodes
 * it ({@link encodeMriSeries}) and writes its `mri/*.js` file (atomically: a `.tmp` file renamed).
 *
 * @param task - metadata, frames and file
 * @returns the bytes written
 * @throws {@link HealthDataError} (not-found) when the metadata lists a frame the task does not hold
 */
export async function writeMriSeriesFile(task: MriSeriesTask): Promise<number> {
  const frames = new Map(task.frames);
  const volume = await assembleVolume(task.metadata, (id) => {
    const frame = frames.get(id);
    return frame === undefined ? Promise.reject(new HealthDataError('not-found', `dashboard MRI: frame ${id} of image set ${task.imageSetId} was not read`)) : Promise.resolve(frame);
  });
  const text = `window.mmhMriLoaded(${scriptJson(task.imageSetId)}, ${scriptJson(encodeMriSeries(volume))});\n`;
  fs.writeFileSync(`${task.file}.tmp`, text);
  fs.renameSync(`${task.file}.tmp`, task.file);
  return text.length;
}

/**
 * Worker threads running {@link writeMriSeriesFile} (decoding, the brain mask and deflating are the cost), on the
 * library's one worker pool (`util/worker-pool.ts`). The frames' buffers are transferred, not copied.
 */
class MriSeriesPool {
  private readonly pool: WorkerPool<MriSeriesTask, number>;

  constructor(readonly size: number) {
    this.pool = new WorkerPool({ entry: path.join(__dirname, 'mri-worker'), size, name: 'dashboard MRI encoder' });
  }

  write(task: MriSeriesTask): Promise<number> {
    // A frame that is a view into a larger (shared) buffer is copied, not transferred; each buffer is listed once.
    const transfer = new Set<ArrayBuffer>();
    for (const [, f] of task.frames) {
      const b = f.imageFrameBlob;
      if (b.buffer instanceof ArrayBuffer && b.byteOffset === 0 && b.byteLength === b.buffer.byteLength) {
        transfer.add(b.buffer);
      }
    }
    return this.pool.run(task, [...transfer]);
  }

  close(): Promise<void> {
    return this.pool.close();
  }
}
