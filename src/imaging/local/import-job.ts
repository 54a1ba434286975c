/**
 * The local DICOM import job: scans a folder, parses each file, re-encodes every frame as lossless HTJ2K (checked
 * by decoding it again and comparing CRC32s), groups instances into image sets per series and writes
 * HealthImaging's job output (`job-output-manifest.json`, `SUCCESS/success.ndjson`, `FAILURE/failure.ndjson`).
 */
import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { isHealthDataError } from '../../errors';
import type { ProgressReporter } from '../../progress';
import { decodeFrame, readDicom } from '../../formats/dicom/read';
import type { DicomInstance, FramePixels } from '../../formats/dicom/read';
import { decodeHtj2k, encodeHtj2k } from '../../formats/htj2k/codec';
import { pixelCrc32 } from '../../formats/htj2k/crc32';
import { instanceMetadata, levelAttributes } from '../metadata';
import type { ImageFrameMetadata, ImageSetMetadata, ImageSetSummaryEntry, DicomImportFailureLine, DicomImportSuccessLine, InstanceMetadata, DicomJobOutputManifest } from '../types';
import type { LocalImageSetStore } from './image-set-store';

/** A per-file failure with HealthImaging's exception type. */
class FileFailure extends Error {
  constructor(
    readonly exceptionType: string,
    message: string,
  ) {
    super(message);
  }
}

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

function minMax(p: FramePixels): [number, number] {
  let lo = Infinity;
  let hi = -Infinity;
  for (const v of p) {
    if (v < lo) {
      lo = v;
    }
    if (v > hi) {
      hi = v;
    }
  }
  return [lo, hi];
}

const REQUIRED = ['SOPClassUID', 'SOPInstanceUID', 'StudyInstanceUID', 'SeriesInstanceUID'] as const;

/** A parsed, re-encoded instance ready to land in an image set. */
interface PreparedInstance {
  readonly inputFile: string;
  readonly inst: DicomInstance;
  readonly frames: { readonly codestream: Uint8Array; readonly meta: Omit<ImageFrameMetadata, 'ID'> }[];
}

async function prepare(file: string, rel: string): Promise<PreparedInstance> {
  const bytes = fs.readFileSync(file);
  let inst: DicomInstance;
  try {
    inst = readDicom(bytes, rel);
  } catch (e) {
    throw new FileFailure('InvalidDICOMFile', isHealthDataError(e) ? e.message : String(e));
  }
  for (const k of REQUIRED) {
    if (inst.dataset[k] === undefined || inst.dataset[k] === '') {
      throw new FileFailure('MissingDICOMAttribute', `DICOM attribute ${k} does not exist`);
    }
  }
  const pixel = inst.pixel;
  if (pixel === undefined) {
    throw new FileFailure('MissingDICOMAttribute', 'DICOM attribute PixelData does not exist');
  }
  const frames: PreparedInstance['frames'] = [];
  for (let f = 0; f < inst.storedFrames.length; f++) {
    let pixels: FramePixels;
    try {
      pixels = await decodeFrame(inst, f);
    } catch (e) {
      throw new FileFailure(isHealthDataError(e) && e.code === 'unsupported' ? 'UnsupportedTransferSyntax' : 'InvalidPixelData', isHealthDataError(e) ? e.message : String(e));
    }
    const info = {
      width: pixel.columns,
      height: pixel.rows,
      bitsPerSample: pixel.bitsAllocated,
      componentCount: pixel.samplesPerPixel,
      isSigned: pixel.pixelRepresentation === 1,
    };
    const codestream = await encodeHtj2k(pixels, info);
    const checksum = pixelCrc32(pixels);
    const round = await decodeHtj2k(codestream);
    if (pixelCrc32(round.pixels) !== checksum) {
      throw new FileFailure('PixelDataVerificationFailed', `frame ${String(f + 1)}: the HTJ2K round trip changed the pixels (CRC32 mismatch); the instance was not stored`);
    }
    const [lo, hi] = minMax(pixels);
    frames.push({
      codestream,
      meta: {
        PixelDataChecksumFromBaseToFullResolution: [{ Width: pixel.columns, Height: pixel.rows, Checksum: checksum }],
        MinPixelValue: lo,
        MaxPixelValue: hi,
        FrameSizeInBytes: pixels.byteLength,
      },
    });
  }
  return { inputFile: rel, inst, frames };
}

function stable(v: unknown): string {
  return JSON.stringify(v, (_k, x: unknown) =>
    typeof x === 'object' && x !== null && !Array.isArray(x) ? Object.fromEntries(Object.entries(x).sort(([a], [b]) => (a < b ? -1 : 1))) : x,
  );
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
}

/**
 * Runs an import job to the end and writes its output.
 *
 * @param input - job, folders, store
 * @returns the manifest
 */
export async function runImportJob(input: RunImportJobInput): Promise<DicomJobOutputManifest> {
  const files = fs.existsSync(input.inputDir) ? listFiles(input.inputDir) : [];
  const successes: DicomImportSuccessLine[] = [];
  const failures: DicomImportFailureLine[] = [];
  const task = input.progress.start('import DICOM', files.length);
  const seen = new Map<string, string>();
  const touched = new Map<string, { version: number; isPrimary: boolean; matched: number }>();
  let serverErrors = 0;
  for (const file of files) {
    const rel = path.relative(input.inputDir, file).split(path.sep).join('/');
    try {
      const prep = await prepare(file, rel);
      const sop = prep.inst.sopInstanceUID ?? '';
      const earlier = seen.get(sop);
      if (earlier !== undefined) {
        throw new FileFailure('DuplicateSOPInstance', `SOPInstanceUID ${sop} was already imported by this job from ${earlier}; the duplicate was skipped`);
      }
      seen.set(sop, rel);
      const levels = levelAttributes(prep.inst);
      const frameIds = input.store.frameIdsFor(levels.study, levels.series, sop, prep.frames.length);
      const frames: ImageFrameMetadata[] = prep.frames.map((f, i) => ({ ID: frameIds[i] ?? crypto.randomBytes(16).toString('hex'), ...f.meta }));
      const instanceMeta: InstanceMetadata = instanceMetadata(levels.instance, frames);
      const landed = input.store.putInstance({
        patient: levels.patient,
        study: levels.study,
        series: levels.series,
        sopInstanceUID: sop,
        instance: instanceMeta,
        contentHash: crypto.createHash('sha256').update(stable({ p: levels.patient, st: levels.study, se: levels.series, i: instanceMeta })).digest('hex'),
        codestreams: prep.frames.map((f) => f.codestream),
      });
      const t = touched.get(landed.imageSetId);
      touched.set(landed.imageSetId, { version: landed.version, isPrimary: landed.isPrimary, matched: (t?.matched ?? 0) + 1 });
      successes.push({ inputFile: rel, importResponse: { imageSetId: landed.imageSetId, isPrimary: landed.isPrimary } });
    } catch (e) {
      if (e instanceof FileFailure) {
        failures.push({ inputFile: rel, exception: { exceptionType: e.exceptionType, message: e.message } });
      } else {
        serverErrors++;
        failures.push({ inputFile: rel, exception: { exceptionType: 'InternalServerException', message: e instanceof Error ? e.message : String(e) } });
      }
    }
    task.tick();
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
