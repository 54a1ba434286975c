/**
 * Local image-set storage: one folder per datastore with `index.json` (summaries and per-instance content
 * hashes), one metadata JSON per image-set version and one file per frame (`.jph` HTJ2K; `.jpg`, `.j2c` or
 * `.jphc` for lossy frames kept as imported).
 *
 * Crash safety: a job writes its frames under `.staging/<jobId>/` and {@link LocalImageSetStore.commit} moves them
 * into place, writes the new metadata versions and then replaces `index.json` atomically (the commit point). What a
 * killed job leaves — its staging folder, frames or metadata versions no committed index refers to — is removed by
 * {@link LocalImageSetStore.removeUncommitted}.
 */
import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { HealthDataError } from '../../errors';
import { METADATA_SCHEMA_VERSION, summaryTags } from '../metadata';
import type { ImageSetMetadata, ImageSetSummary, InstanceMetadata } from '../types';

interface SetRecord {
  summary: ImageSetSummary;
  seriesKey: string;
  levelKey: string;
  instanceHashes: Record<string, string>;
}

interface IndexFile {
  readonly imageSets: SetRecord[];
}

/** One instance to land. */
export interface PutInstance {
  /** Patient level. */
  readonly patient: Record<string, unknown>;
  /** Study level. */
  readonly study: Record<string, unknown>;
  /** Series level. */
  readonly series: Record<string, unknown>;
  /** SOPInstanceUID. */
  readonly sopInstanceUID: string;
  /** Instance metadata (frames with ids). */
  readonly instance: InstanceMetadata;
  /** Hash of everything above; equal hash = unchanged. */
  readonly contentHash: string;
  /** Frames in the order of `instance.ImageFrames` (HTJ2K, or the original lossy codestreams). */
  readonly codestreams: readonly Uint8Array[];
}

/** File extension of a frame per StoredTransferSyntaxUID (HTJ2K lossless when absent). */
const FRAME_EXTENSION: Readonly<Record<string, string>> = {
  '1.2.840.10008.1.2.4.50': 'jpg',
  '1.2.840.10008.1.2.4.91': 'j2c',
  '1.2.840.10008.1.2.4.203': 'jphc',
};

/** Every frame extension, in lookup order. */
export const FRAME_EXTENSIONS: readonly string[] = ['jph', 'jpg', 'j2c', 'jphc'];

/**
 * The frame file extension for a stored transfer syntax.
 *
 * @param storedTransferSyntaxUID - the instance's StoredTransferSyntaxUID
 * @returns `jph` for HTJ2K lossless, else the lossy format's extension
 */
export function frameExtension(storedTransferSyntaxUID: string | undefined): string {
  return FRAME_EXTENSION[storedTransferSyntaxUID ?? ''] ?? 'jph';
}

/** Where an instance landed. */
export interface Landed {
  /** Image set id. */
  readonly imageSetId: string;
  /** Version after this job. */
  readonly version: number;
  /** Primary or not. */
  readonly isPrimary: boolean;
}

function stable(v: unknown): string {
  return JSON.stringify(v, (_k, x: unknown) => (typeof x === 'object' && x !== null && !Array.isArray(x) ? Object.fromEntries(Object.entries(x).sort(([a], [b]) => (a < b ? -1 : 1))) : x));
}

/** The image sets of one local datastore. */
export class LocalImageSetStore {
  private readonly sets = new Map<string, SetRecord>();
  private readonly staged = new Map<string, { meta: ImageSetMetadata; version: number; isNew: boolean }>();
  private readonly stagedFrames: { from: string; to: string }[] = [];
  private stagingDir: string | undefined;

  /**
   * Opens (or starts) the store in a datastore folder.
   *
   * @param root - the datastore folder
   */
  constructor(readonly root: string) {
    const file = path.join(root, 'index.json');
    if (fs.existsSync(file)) {
      const idx = JSON.parse(fs.readFileSync(file, 'utf8')) as IndexFile;
      for (const r of idx.imageSets) {
        this.sets.set(r.summary.imageSetId, r);
      }
    }
  }

  /**
   * Every image set summary.
   *
   * @returns the summaries
   */
  summaries(): ImageSetSummary[] {
    return [...this.sets.values()].map((r) => r.summary);
  }

  private metaPath(id: string, version: number): string {
    return path.join(this.root, 'imagesets', id, `metadata-v${String(version)}.json`);
  }

  /**
   * Path of a frame file.
   *
   * @param imageSetId - image set
   * @param frameId - frame
   * @returns the path
   */
  framePath(imageSetId: string, frameId: string, extension = 'jph'): string {
    return path.join(this.root, 'imagesets', imageSetId, 'frames', `${frameId}.${extension}`);
  }

  /**
   * Finds a stored frame file, whatever its format.
   *
   * @param imageSetId - image set
   * @param frameId - frame
   * @returns the path and extension, or undefined when no such frame is stored
   */
  findFrame(imageSetId: string, frameId: string): { file: string; extension: string } | undefined {
    for (const extension of FRAME_EXTENSIONS) {
      const file = this.framePath(imageSetId, frameId, extension);
      if (fs.existsSync(file)) {
        return { file, extension };
      }
    }
    return undefined;
  }

  /**
   * Starts staging for a job: frames are written under `.staging/<jobId>/` until {@link LocalImageSetStore.commit}.
   *
   * @param jobId - the job
   */
  beginJob(jobId: string): void {
    this.stagingDir = path.join(this.root, '.staging', jobId);
    fs.mkdirSync(this.stagingDir, { recursive: true });
  }

  /**
   * Reads a metadata document.
   *
   * @param imageSetId - image set
   * @param versionId - version (default latest)
   * @returns the document
   * @throws {@link HealthDataError} (not-found) for an unknown set or version
   */
  metadata(imageSetId: string, versionId?: number): ImageSetMetadata {
    const r = this.sets.get(imageSetId);
    const version = versionId ?? r?.summary.version;
    if (r === undefined || version === undefined || !fs.existsSync(this.metaPath(imageSetId, version))) {
      throw new HealthDataError(
        'not-found',
        `getImageSetMetadata: image set ${imageSetId}${versionId === undefined ? '' : ` version ${String(versionId)}`} does not exist in datastore ${path.basename(this.root)}; list them with searchImageSets`,
      );
    }
    return JSON.parse(fs.readFileSync(this.metaPath(imageSetId, version), 'utf8')) as ImageSetMetadata;
  }

  private primaryFor(seriesKey: string): SetRecord | undefined {
    return [...this.sets.values()].find((r) => r.seriesKey === seriesKey && r.summary.isPrimary);
  }

  /**
   * Frame ids to use for an instance: the existing ones when it is already stored with as many frames (and, when
   * `contentHash` is given, with the same content); fresh ones otherwise, so a new version never overwrites the
   * frames an earlier version refers to.
   *
   * @param study - study attributes
   * @param series - series attributes
   * @param sop - SOPInstanceUID
   * @param n - frame count
   * @param contentHash - the instance's content hash (frame ids left out)
   * @returns n ids
   */
  frameIdsFor(study: Record<string, unknown>, series: Record<string, unknown>, sop: string, n: number, contentHash?: string): string[] {
    const seriesKey = `${String(study.StudyInstanceUID)}|${String(series.SeriesInstanceUID)}`;
    for (const r of this.sets.values()) {
      if (r.seriesKey === seriesKey && r.instanceHashes[sop] !== undefined && (contentHash === undefined || r.instanceHashes[sop] === contentHash)) {
        const meta = this.staged.get(r.summary.imageSetId)?.meta ?? this.metadata(r.summary.imageSetId);
        const inst = meta.Study.Series[String(series.SeriesInstanceUID)]?.Instances[sop];
        if (inst?.ImageFrames.length === n) {
          return inst.ImageFrames.map((f) => f.ID);
        }
      }
    }
    return Array.from({ length: n }, () => crypto.randomBytes(16).toString('hex'));
  }

  /**
   * Lands an instance (staged until {@link LocalImageSetStore.commit}); frames are written at once.
   *
   * @param put - the instance
   * @returns where it landed and the set's version after this job
   */
  putInstance(put: PutInstance): Landed {
    const seriesUid = String(put.series.SeriesInstanceUID);
    const seriesKey = `${String(put.study.StudyInstanceUID)}|${seriesUid}`;
    const levelKey = stable({ p: put.patient, s: put.study, se: put.series });
    let rec = this.primaryFor(seriesKey);
    if (rec !== undefined && rec.levelKey !== levelKey) {
      rec = [...this.sets.values()].find((r) => r.seriesKey === seriesKey && r.levelKey === levelKey);
    }
    const now = new Date().toISOString();
    if (rec === undefined) {
      const isPrimary = this.primaryFor(seriesKey) === undefined;
      const id = crypto.randomBytes(16).toString('hex');
      rec = {
        summary: { imageSetId: id, version: 0, createdAt: now, updatedAt: now, isPrimary, DICOMTags: {} },
        seriesKey,
        levelKey,
        instanceHashes: {},
      };
      this.sets.set(id, rec);
    }
    const id = rec.summary.imageSetId;
    if (rec.instanceHashes[put.sopInstanceUID] === put.contentHash) {
      const st = this.staged.get(id);
      return { imageSetId: id, version: st?.version ?? rec.summary.version, isPrimary: rec.summary.isPrimary };
    }
    let st = this.staged.get(id);
    if (st === undefined) {
      const base: ImageSetMetadata =
        rec.summary.version > 0
          ? this.metadata(id)
          : {
              SchemaVersion: METADATA_SCHEMA_VERSION,
              DatastoreID: path.basename(this.root),
              ImageSetID: id,
              Patient: { DICOM: put.patient },
              Study: { DICOM: put.study, Series: {} },
            };
      st = { meta: base, version: rec.summary.version + 1, isNew: rec.summary.version === 0 };
      this.staged.set(id, st);
    }
    const series = (st.meta.Study.Series[seriesUid] ??= { DICOM: put.series, Instances: {} });
    series.Instances[put.sopInstanceUID] = put.instance;
    const staging = this.stagingDir ?? path.join(this.root, '.staging', 'direct');
    fs.mkdirSync(staging, { recursive: true });
    const extension = frameExtension(put.instance.StoredTransferSyntaxUID);
    put.instance.ImageFrames.forEach((f, i) => {
      const cs = put.codestreams[i];
      if (cs !== undefined) {
        const from = path.join(staging, `${id}-${f.ID}.${extension}`);
        fs.writeFileSync(from, cs);
        this.stagedFrames.push({ from, to: this.framePath(id, f.ID, extension) });
      }
    });
    rec.instanceHashes[put.sopInstanceUID] = put.contentHash;
    return { imageSetId: id, version: st.version, isPrimary: rec.summary.isPrimary };
  }

  /** Moves the staged frames into place, writes the staged metadata versions, then the index (the commit point). */
  commit(): void {
    const now = new Date().toISOString();
    for (const f of this.stagedFrames) {
      fs.mkdirSync(path.dirname(f.to), { recursive: true });
      fs.renameSync(f.from, f.to);
    }
    this.stagedFrames.length = 0;
    for (const [id, st] of this.staged) {
      const rec = this.sets.get(id);
      if (rec === undefined) {
        continue;
      }
      fs.mkdirSync(path.dirname(this.metaPath(id, st.version)), { recursive: true });
      fs.writeFileSync(this.metaPath(id, st.version), JSON.stringify(st.meta));
      rec.summary = { ...rec.summary, version: st.version, updatedAt: now, DICOMTags: summaryTags(st.meta) };
    }
    this.staged.clear();
    for (const [id, r] of this.sets) {
      if (r.summary.version === 0) {
        this.sets.delete(id);
      }
    }
    const idx: IndexFile = { imageSets: [...this.sets.values()] };
    fs.mkdirSync(this.root, { recursive: true });
    const tmp = path.join(this.root, `index.json.${String(process.pid)}.tmp`);
    fs.writeFileSync(tmp, JSON.stringify(idx));
    fs.renameSync(tmp, path.join(this.root, 'index.json'));
    if (this.stagingDir !== undefined) {
      fs.rmSync(this.stagingDir, { recursive: true, force: true });
      this.stagingDir = undefined;
    }
  }

  /**
   * Drops what this handle staged (a failed job): staged frames and metadata, image sets that only it created, and
   * whatever an interrupted commit had already moved into place or written before the index.
   */
  abandon(): void {
    this.staged.clear();
    this.stagedFrames.length = 0;
    const jobs = this.stagingDir === undefined ? [] : [path.basename(this.stagingDir)];
    this.stagingDir = undefined;
    this.removeUncommitted(jobs);
  }

  private reload(): void {
    this.sets.clear();
    const file = path.join(this.root, 'index.json');
    if (fs.existsSync(file)) {
      const idx = JSON.parse(fs.readFileSync(file, 'utf8')) as IndexFile;
      for (const r of idx.imageSets) {
        this.sets.set(r.summary.imageSetId, r);
      }
    }
  }

  /**
   * Removes what jobs that died before their commit left behind: staging folders of the given jobs, metadata
   * versions newer than the committed index, image-set folders the index does not list, and frame files no
   * committed metadata version refers to. Call it only while no job of this datastore is running.
   *
   * @param jobIds - the dead jobs whose staging folders go
   * @returns how many files were removed
   */
  removeUncommitted(jobIds: readonly string[]): number {
    let removed = 0;
    for (const jobId of jobIds) {
      const dir = path.join(this.root, '.staging', jobId);
      if (fs.existsSync(dir)) {
        removed += fs.readdirSync(dir).length;
        fs.rmSync(dir, { recursive: true, force: true });
      }
    }
    for (const name of fs.existsSync(this.root) ? fs.readdirSync(this.root) : []) {
      if (/^index\.json\..+\.tmp$/.test(name)) {
        fs.rmSync(path.join(this.root, name));
        removed += 1;
      }
    }
    this.reload();
    const base = path.join(this.root, 'imagesets');
    if (!fs.existsSync(base)) {
      return removed;
    }
    for (const id of fs.readdirSync(base)) {
      const rec = this.sets.get(id);
      if (rec === undefined) {
        removed += 1;
        fs.rmSync(path.join(base, id), { recursive: true, force: true });
        continue;
      }
      const referenced = new Set<string>();
      for (const name of fs.readdirSync(path.join(base, id))) {
        const m = /^metadata-v(\d+)\.json$/.exec(name);
        if (m === null) {
          continue;
        }
        if (Number(m[1]) > rec.summary.version) {
          fs.rmSync(path.join(base, id, name));
          removed += 1;
          continue;
        }
        const meta = JSON.parse(fs.readFileSync(path.join(base, id, name), 'utf8')) as ImageSetMetadata;
        for (const series of Object.values(meta.Study.Series)) {
          for (const inst of Object.values(series.Instances)) {
            for (const f of inst.ImageFrames) {
              referenced.add(`${f.ID}.${frameExtension(inst.StoredTransferSyntaxUID)}`);
            }
          }
        }
      }
      const frames = path.join(base, id, 'frames');
      for (const name of fs.existsSync(frames) ? fs.readdirSync(frames) : []) {
        if (!referenced.has(name)) {
          fs.rmSync(path.join(frames, name));
          removed += 1;
        }
      }
    }
    return removed;
  }
}
