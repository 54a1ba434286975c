/**
 * Local image-set storage: one folder per datastore with `index.json` (summaries and per-instance content
 * hashes), one metadata JSON per image-set version and one `.jph` HTJ2K file per frame.
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
  /** HTJ2K frames in the order of `instance.ImageFrames`. */
  readonly codestreams: readonly Uint8Array[];
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
  return JSON.stringify(v, (_k, x: unknown) =>
    typeof x === 'object' && x !== null && !Array.isArray(x) ? Object.fromEntries(Object.entries(x).sort(([a], [b]) => (a < b ? -1 : 1))) : x,
  );
}

/** The image sets of one local datastore. */
export class LocalImageSetStore {
  private readonly sets = new Map<string, SetRecord>();
  private readonly staged = new Map<string, { meta: ImageSetMetadata; version: number; isNew: boolean }>();

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
  framePath(imageSetId: string, frameId: string): string {
    return path.join(this.root, 'imagesets', imageSetId, 'frames', `${frameId}.jph`);
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
      throw new HealthDataError('not-found', `getImageSetMetadata: image set ${imageSetId}${versionId === undefined ? '' : ` version ${String(versionId)}`} does not exist in datastore ${path.basename(this.root)}; list them with searchImageSets`);
    }
    return JSON.parse(fs.readFileSync(this.metaPath(imageSetId, version), 'utf8')) as ImageSetMetadata;
  }

  private primaryFor(seriesKey: string): SetRecord | undefined {
    return [...this.sets.values()].find((r) => r.seriesKey === seriesKey && r.summary.isPrimary);
  }

  /**
   * Frame ids to use for an instance: the existing ones when it is already stored with as many frames.
   *
   * @param study - study attributes
   * @param series - series attributes
   * @param sop - SOPInstanceUID
   * @param n - frame count
   * @returns n ids
   */
  frameIdsFor(study: Record<string, unknown>, series: Record<string, unknown>, sop: string, n: number): string[] {
    const seriesKey = `${String(study.StudyInstanceUID)}|${String(series.SeriesInstanceUID)}`;
    for (const r of this.sets.values()) {
      if (r.seriesKey === seriesKey && r.instanceHashes[sop] !== undefined) {
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
    fs.mkdirSync(path.join(this.root, 'imagesets', id, 'frames'), { recursive: true });
    put.instance.ImageFrames.forEach((f, i) => {
      const cs = put.codestreams[i];
      if (cs !== undefined) {
        fs.writeFileSync(this.framePath(id, f.ID), cs);
      }
    });
    rec.instanceHashes[put.sopInstanceUID] = put.contentHash;
    return { imageSetId: id, version: st.version, isPrimary: rec.summary.isPrimary };
  }

  /** Writes the staged metadata versions and the index. */
  commit(): void {
    const now = new Date().toISOString();
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
  }
}
