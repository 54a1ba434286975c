/**
 * The local DICOM import job: scans a folder, prepares each file (prepare-instance.ts: parse, check, keep or
 * re-encode its frames as HealthImaging does), groups instances into image sets per series and writes HealthImaging's
 * job output (`job-output-manifest.json`, `SUCCESS/success.ndjson`, `FAILURE/failure.ndjson`). Every failure line
 * names the file and its SOP Instance UID.
 *
 * Files are prepared in worker threads (the HTJ2K encode and verifying decode of a 256³ volume cost ≈ 2.5 CPU-seconds)
 * a few ahead of the job's thread, which lands them in the store strictly in file order — so the store, its ids and
 * the job output are those of a one-thread run.
 */
import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { HealthDataError } from '../../errors';
import type { ProgressReporter } from '../../progress';
import { WorkerPool } from '../../util/worker-pool';
import { instanceMetadata } from '../metadata';
import type { ImageFrameMetadata, ImageSetMetadata, ImageSetSummaryEntry, DicomImportFailureLine, DicomImportSuccessLine, InstanceMetadata, DicomJobOutputManifest } from '../types';
import type { LocalImageSetStore } from './image-set-store';
import { prepareInstance } from './prepare-instance';
import type { Prepared, PreparedInstance } from './prepare-instance';

function listFiles(dir: string): string[] {
  const out: string[] = [];
  const walk = (d: string): void => {
    for (const e of fs.readdirSync(d, { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : 1))) {
      const p = path.join(d, e.name);
      if (e.isDirectory()) {
        walk(p);
      } else if (e.isFile()) {
        out.push(p);
      }
    }
  };
  walk(dir);
  return out;
}

function stable(v: unknown): string {
  return JSON.stringify(v, (_k, x: unknown) => (typeof x === 'object' && x !== null && !Array.isArray(x) ? Object.fromEntries(Object.entries(x).sort(([a], [b]) => (a < b ? -1 : 1))) : x));
}

/** What {@link runImportJob} needs. */
export interface RunImportJobInput {
  /** Job id. */
  readonly jobId: string;
  /** Datastore id. */
  readonly datastoreId: string;
  /** Folder scanned. */
  readonly inputDir: string;
  /** Job folder (`<outputDir>/<datastoreId>-DicomImport-<jobId>`). */
  readonly jobDir: string;
  /** Output root. */
  readonly outputDir: string;
  /** Image-set store. */
  readonly store: LocalImageSetStore;
  /** Progress. */
  readonly progress: ProgressReporter;
  /**
   * Worker threads preparing files (default: the machine's available parallelism); 1, or a job of one file,
   * prepares in the job's thread.
   */
  readonly workers?: number;
}

/**
 * Runs an import job to the end and writes its output.
 *
 * @param input - job, folders, store
 * @returns the manifest
 */
export async function runImportJob(input: RunImportJobInput): Promise<DicomJobOutputManifest> {
  const files = fs.existsSync(input.inputDir) ? listFiles(input.inputDir) : [];
  const task = input.progress.start('import DICOM', files.length);
  const workers = Math.min(input.workers ?? os.availableParallelism(), files.length);
  const pool = workers > 1 ? new WorkerPool<PrepareTask, Prepared>({ entry: path.join(__dirname, 'import-worker'), size: workers, name: 'DICOM import', onCrash: 'replace' }) : undefined;
  input.store.beginJob(input.jobId);
  try {
    return await importFiles(input, files, task, pool);
  } catch (e) {
    input.store.abandon();
    throw e;
  } finally {
    await pool?.close();
  }
}

/** What a worker of the import pool is asked: prepare one file. */
export interface PrepareTask {
  /** Absolute path. */
  readonly file: string;
  /** Path relative to the job's input folder. */
  readonly rel: string;
}

/** The files prepared, in order: up to two per worker ahead of the one being landed. */
async function* preparedInOrder(input: RunImportJobInput, files: readonly string[], pool: WorkerPool<PrepareTask, Prepared> | undefined): AsyncGenerator<{ rel: string; prepared: Prepared | Error }> {
  const rels = files.map((f) => path.relative(input.inputDir, f).split(path.sep).join('/'));
  const start = (i: number): Promise<Prepared | Error> => {
    const file = files[i] ?? '';
    const rel = rels[i] ?? '';
    const p = pool === undefined ? prepareInstance(file, rel) : pool.run({ file, rel });
    return p.catch((e: unknown) => (e instanceof Error ? e : new Error(String(e))));
  };
  const ahead = pool === undefined ? 1 : 2 * pool.size;
  const inFlight: Promise<Prepared | Error>[] = [];
  let next = 0;
  for (let i = 0; i < files.length; i++) {
    while (next < files.length && next < i + ahead) {
      inFlight.push(start(next++));
    }
    const prepared = await (inFlight.shift() ?? Promise.resolve(new HealthDataError('backend', 'runImportJob: no preparation in flight')));
    yield { rel: rels[i] ?? '', prepared };
  }
}

/** Lands one prepared instance in the store (staged until the job commits); returns where it landed. */
function land(input: RunImportJobInput, prep: PreparedInstance): ReturnType<LocalImageSetStore['putInstance']> {
  const sop = prep.sopInstanceUID;
  const levels = prep.levels;
  const attrs = { ...levels.instance, ...prep.attributes };
  const withoutIds = instanceMetadata(
    attrs,
    prep.frames.map((f) => ({ ID: '', ...f.meta })),
    prep.stored,
  );
  const contentHash = crypto
    .createHash('sha256')
    .update(stable({ p: levels.patient, st: levels.study, se: levels.series, i: withoutIds, c: prep.frames.map((f) => crypto.createHash('sha256').update(f.codestream).digest('hex')) }))
    .digest('hex');
  const frameIds = input.store.frameIdsFor(levels.study, levels.series, sop, prep.frames.length, contentHash);
  const frames: ImageFrameMetadata[] = prep.frames.map((f, i) => ({ ID: frameIds[i] ?? crypto.randomBytes(16).toString('hex'), ...f.meta }));
  const instanceMeta: InstanceMetadata = instanceMetadata(attrs, frames, prep.stored);
  return input.store.putInstance({
    patient: levels.patient,
    study: levels.study,
    series: levels.series,
    sopInstanceUID: sop,
    instance: instanceMeta,
    contentHash,
    codestreams: prep.frames.map((f) => f.codestream),
  });
}

async function importFiles(
  input: RunImportJobInput,
  files: readonly string[],
  task: ReturnType<ProgressReporter['start']>,
  pool: WorkerPool<PrepareTask, Prepared> | undefined,
): Promise<DicomJobOutputManifest> {
  const successes: DicomImportSuccessLine[] = [];
  const failures: DicomImportFailureLine[] = [];
  const seen = new Map<string, string>();
  const touched = new Map<string, { version: number; isPrimary: boolean; matched: number }>();
  let serverErrors = 0;
  for await (const { rel, prepared } of preparedInOrder(input, files, pool)) {
    try {
      if (prepared instanceof Error) {
        throw prepared;
      }
      if (!prepared.ok) {
        failures.push({ inputFile: rel, exception: { exceptionType: prepared.exceptionType, message: prepared.message } });
        continue;
      }
      const sop = prepared.instance.sopInstanceUID;
      const earlier = seen.get(sop);
      if (earlier !== undefined) {
        failures.push({
          inputFile: rel,
          exception: { exceptionType: 'DuplicateSOPInstance', message: `${rel}: SOPInstanceUID ${sop} was already imported by this job from ${earlier}; the duplicate was skipped` },
        });
        continue;
      }
      seen.set(sop, rel);
      const landed = land(input, prepared.instance);
      const t = touched.get(landed.imageSetId);
      touched.set(landed.imageSetId, { version: landed.version, isPrimary: landed.isPrimary, matched: (t?.matched ?? 0) + 1 });
      successes.push({ inputFile: rel, importResponse: { imageSetId: landed.imageSetId, isPrimary: landed.isPrimary } });
    } catch (e) {
      serverErrors++;
      failures.push({ inputFile: rel, exception: { exceptionType: 'InternalServerException', message: `${rel}: ${e instanceof Error ? e.message : String(e)}` } });
    } finally {
      task.tick();
    }
  }
  input.store.commit();
  const imageSetsSummary: ImageSetSummaryEntry[] = [...touched.entries()].map(([imageSetId, t]) => ({
    imageSetId,
    imageSetVersion: t.version,
    isPrimary: t.isPrimary,
    numberOfMatchedSOPInstances: t.matched,
  }));
  const manifest: DicomJobOutputManifest = {
    jobSummary: {
      jobId: input.jobId,
      datastoreId: input.datastoreId,
      inputS3Uri: input.inputDir,
      outputS3Uri: input.outputDir,
      successOutputS3Uri: `${input.jobDir}/SUCCESS/`,
      failureOutputS3Uri: `${input.jobDir}/FAILURE/`,
      numberOfScannedFiles: files.length,
      numberOfImportedFiles: successes.length,
      numberOfFilesWithCustomerError: failures.length - serverErrors,
      numberOfFilesWithServerError: serverErrors,
      numberOfGeneratedImageSets: imageSetsSummary.length,
      imageSetsSummary,
    },
  };
  fs.mkdirSync(path.join(input.jobDir, 'SUCCESS'), { recursive: true });
  fs.mkdirSync(path.join(input.jobDir, 'FAILURE'), { recursive: true });
  const ndjson = (lines: readonly unknown[]): string => lines.map((l) => `${JSON.stringify(l)}\n`).join('');
  fs.writeFileSync(path.join(input.jobDir, 'SUCCESS', 'success.ndjson'), ndjson(successes));
  fs.writeFileSync(path.join(input.jobDir, 'FAILURE', 'failure.ndjson'), ndjson(failures));
  fs.writeFileSync(path.join(input.jobDir, 'job-output-manifest.json'), `${JSON.stringify(manifest, null, 2)}\n`);
  task.finish(`${String(successes.length)} imported, ${String(failures.length)} failed`);
  return manifest;
}

/** Re-exported for the store: the metadata document type. */
export type { ImageSetMetadata };
