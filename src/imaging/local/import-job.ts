/**
 * The local DICOM import job: scans a folder, parses each file, keeps its frames the way HealthImaging does —
 * lossy JPEG baseline (.50), JPEG 2000 (.91) and HTJ2K (.203) codestreams as they are, every other syntax decoded
 * and re-encoded as lossless HTJ2K (checked by decoding it again and comparing CRC32s) — groups instances into
 * image sets per series and writes HealthImaging's job output (`job-output-manifest.json`,
 * `SUCCESS/success.ndjson`, `FAILURE/failure.ndjson`). Every failure line names the file and its SOP Instance UID.
 */
import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { isHealthDataError } from '../../errors';
import type { ProgressReporter } from '../../progress';
import { decodeFrame, decodedPhotometric, readDicom } from '../../formats/dicom/read';
import type { DicomInstance, FramePixels } from '../../formats/dicom/read';
import { peekSopInstanceUID } from '../../formats/dicom/raw-scan';
import { TRANSFER_SYNTAX, pixelCoding, storedAsIs } from '../../formats/dicom/transfer-syntax';
import { decodeHtj2k, encodeHtj2k, encodesByComponent } from '../../formats/htj2k/codec';
import { pixelCrc32 } from '../../formats/htj2k/crc32';
import { STORED_TRANSFER_SYNTAX, instanceMetadata, levelAttributes } from '../metadata';
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
  /** StoredTransferSyntaxUID of the frames. */
  readonly stored: string;
  /** Instance-level attributes that change with the stored form (photometric, planar configuration). */
  readonly attributes: Record<string, unknown>;
  readonly frames: { readonly codestream: Uint8Array; readonly meta: Omit<ImageFrameMetadata, 'ID'> }[];
}

/** `<file> (SOPInstanceUID <uid>)`, as every failure message starts or ends. */
function named(rel: string, sop: string | undefined): string {
  return `${rel} (SOPInstanceUID ${sop ?? 'unknown'})`;
}

function parse(bytes: Uint8Array, rel: string): DicomInstance {
  try {
    return readDicom(bytes, rel);
  } catch (e) {
    const message = isHealthDataError(e) ? e.message : String(e);
    throw new FileFailure('InvalidDICOMFile', message.includes('SOPInstanceUID') ? message : `${named(rel, peekSopInstanceUID(bytes))}: ${message}`);
  }
}

function checkAttributes(inst: DicomInstance, where: string): NonNullable<DicomInstance['pixel']> {
  for (const k of REQUIRED) {
    if (inst.dataset[k] === undefined || inst.dataset[k] === '') {
      throw new FileFailure('MissingDICOMAttribute', `DICOM attribute ${k} does not exist in ${where}`);
    }
  }
  if (inst.pixel === undefined) {
    const float = ['FloatPixelData', 'DoubleFloatPixelData'].find((k) => inst.dataset[k] !== undefined);
    if (float !== undefined) {
      throw new FileFailure('UnsupportedPixelData', `${where} holds ${float} (floating-point samples); only integer PixelData is imported`);
    }
    throw new FileFailure('MissingDICOMAttribute', `DICOM attribute PixelData does not exist in ${where}`);
  }
  if (inst.pixel.bitsAllocated > 16) {
    throw new FileFailure(
      'UnsupportedPixelData',
      `${where} has BitsAllocated ${String(inst.pixel.bitsAllocated)}: samples wider than 16 bits are not imported, because the HTJ2K frames this store keeps hold at most 16 bits per sample; rescale the pixel data to 16 bits before importing`,
    );
  }
  return inst.pixel;
}

async function decodeOrFail(inst: DicomInstance, f: number, rel: string): Promise<FramePixels> {
  try {
    return await decodeFrame(inst, f);
  } catch (e) {
    const message = isHealthDataError(e) ? e.message : String(e);
    const unsupported = isHealthDataError(e) && e.code === 'unsupported';
    const type = unsupported && pixelCoding(inst.transferSyntaxUID) === 'unsupported' ? 'UnsupportedTransferSyntax' : unsupported ? 'UnsupportedPixelData' : 'InvalidPixelData';
    throw new FileFailure(type, `${named(rel, inst.sopInstanceUID)}: frame ${String(f + 1)}: ${message}`);
  }
}

function frameMeta(pixels: FramePixels, columns: number, rows: number): Omit<ImageFrameMetadata, 'ID'> {
  const [lo, hi] = minMax(pixels);
  return {
    PixelDataChecksumFromBaseToFullResolution: [{ Width: columns, Height: rows, Checksum: pixelCrc32(pixels) }],
    MinPixelValue: lo,
    MaxPixelValue: hi,
    FrameSizeInBytes: pixels.byteLength,
  };
}

async function prepare(file: string, rel: string): Promise<PreparedInstance> {
  const bytes = fs.readFileSync(file);
  const inst = parse(bytes, rel);
  // A data set without its SOPInstanceUID is named by the file meta group's MediaStorageSOPInstanceUID.
  const where = named(rel, inst.sopInstanceUID ?? peekSopInstanceUID(bytes));
  const pixel = checkAttributes(inst, where);
  const keep = storedAsIs(inst.transferSyntaxUID);
  const info = {
    width: pixel.columns,
    height: pixel.rows,
    bitsPerSample: pixel.bitsAllocated,
    componentCount: pixel.samplesPerPixel,
    isSigned: pixel.pixelRepresentation === 1,
  };
  const stored = keep ? inst.transferSyntaxUID : encodesByComponent(info) ? TRANSFER_SYNTAX.htj2kLossless : STORED_TRANSFER_SYNTAX;
  const frames: PreparedInstance['frames'] = [];
  for (let f = 0; f < inst.storedFrames.length; f++) {
    const pixels = await decodeOrFail(inst, f, rel);
    if (keep) {
      frames.push({ codestream: inst.storedFrames[f] ?? new Uint8Array(0), meta: frameMeta(pixels, pixel.columns, pixel.rows) });
      continue;
    }
    const codestream = await encodeHtj2k(pixels, info);
    const round = await decodeHtj2k(codestream);
    if (pixelCrc32(round.pixels) !== pixelCrc32(pixels)) {
      throw new FileFailure('PixelDataVerificationFailed', `${where}: frame ${String(f + 1)}: the HTJ2K round trip changed the pixels (CRC32 mismatch); the instance was not stored`);
    }
    frames.push({ codestream, meta: frameMeta(pixels, pixel.columns, pixel.rows) });
  }
  const attributes: Record<string, unknown> = keep ? {} : { PhotometricInterpretation: decodedPhotometric(inst), ...(pixel.samplesPerPixel > 1 ? { PlanarConfiguration: 0 } : {}) };
  return { inputFile: rel, inst, stored, attributes, frames };
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
  input.store.beginJob(input.jobId);
  try {
    return await importFiles(input, files, task);
  } catch (e) {
    input.store.abandon();
    throw e;
  }
}

async function importFiles(input: RunImportJobInput, files: readonly string[], task: ReturnType<ProgressReporter['start']>): Promise<DicomJobOutputManifest> {
  const successes: DicomImportSuccessLine[] = [];
  const failures: DicomImportFailureLine[] = [];
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
        throw new FileFailure('DuplicateSOPInstance', `${rel}: SOPInstanceUID ${sop} was already imported by this job from ${earlier}; the duplicate was skipped`);
      }
      seen.set(sop, rel);
      const levels = levelAttributes(prep.inst);
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
      const landed = input.store.putInstance({
        patient: levels.patient,
        study: levels.study,
        series: levels.series,
        sopInstanceUID: sop,
        instance: instanceMeta,
        contentHash,
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
        failures.push({ inputFile: rel, exception: { exceptionType: 'InternalServerException', message: `${rel}: ${e instanceof Error ? e.message : String(e)}` } });
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
