/**
 * The AWS imaging datastore: the same contract on AWS HealthImaging (@aws-sdk/client-medical-imaging), with job
 * outputs read from S3. There are no SDK waiters for HealthImaging; jobs and datastores are polled with backoff.
 */
import * as zlib from 'node:zlib';
import {
  CreateDatastoreCommand,
  GetDatastoreCommand,
  GetDICOMImportJobCommand,
  GetImageFrameCommand,
  GetImageSetMetadataCommand,
  ListDatastoresCommand,
  SearchImageSetsCommand,
  StartDICOMImportJobCommand,
} from '@aws-sdk/client-medical-imaging';
import type { MedicalImagingClient, SearchByAttributeValue, SearchCriteria as AwsSearchCriteria } from '@aws-sdk/client-medical-imaging';
import { GetObjectCommand } from '@aws-sdk/client-s3';
import type { S3Client } from '@aws-sdk/client-s3';
import { HEALTHIMAGING_REGIONS, checkServiceRegion } from '../../aws/regions';
import { joinS3, listLocalFiles, uploadFile } from '../../aws/s3';
import { HealthDataError } from '../../errors';
import type {
  ImagingDatastoreProperties,
  ImagingDatastoreStatus,
  ImageFrame,
  ImageSetMetadata,
  ImageSetSummary,
  ImagingCallOptions,
  ImagingStore,
  DicomImportFailureLine,
  DicomImportJobProperties,
  DicomImportJobReport,
  DicomImportSuccessLine,
  DicomJobOutputManifest,
  SearchCriteria,
  SearchValue,
  StartDicomImportJobRequest,
  StartDicomImportJobResponse,
  Volume,
} from '../types';
import { assembleVolume } from '../volume';

/** Options of {@link AwsImagingStore}. */
export interface AwsImagingStoreOptions {
  /** HealthImaging client (created lazily by the workspace). */
  readonly client: () => MedicalImagingClient;
  /** S3 client for job outputs. */
  readonly s3: () => S3Client;
  /** Default role HealthImaging assumes to read the input and write the output. */
  readonly roleArn?: string;
  /** Default S3 prefix for job outputs. */
  readonly outputS3Uri?: string;
  /** S3 prefix a local `inputDir` is uploaded to before the import (default: `dicom-input/` beside `outputS3Uri`). */
  readonly inputS3Uri?: string;
  /** Configured region, checked against HealthImaging's regions before the first call (skipped when undefined). */
  readonly region?: string;
  /** First poll delay (ms, default 1000). */
  readonly pollStartMs?: number;
  /** Longest poll delay (ms, default 30000). */
  readonly pollMaxMs?: number;
  /** Give up after (ms, default 6 h). */
  readonly pollTimeoutMs?: number;
}

function iso(d: Date | undefined): string {
  return (d ?? new Date(0)).toISOString();
}

function backendError(fn: string, e: unknown): HealthDataError {
  const name = typeof e === 'object' && e !== null && 'name' in e ? String(e.name) : 'Error';
  const code = name === 'ResourceNotFoundException' ? 'not-found' : name === 'ValidationException' ? 'invalid-input' : name === 'ConflictException' ? 'conflict' : 'backend';
  return new HealthDataError(code, `${fn}: HealthImaging answered ${name}: ${e instanceof Error ? e.message : String(e)}`, { cause: e });
}

function splitS3(uri: string): { bucket: string; key: string } {
  const m = /^s3:\/\/([^/]+)\/?(.*)$/.exec(uri);
  if (m === null) {
    throw new HealthDataError('invalid-input', `imaging: ${uri} is not an s3:// URI`, { path: 'outputS3Uri' });
  }
  return { bucket: m[1] ?? '', key: m[2] ?? '' };
}

/**
 * The S3 folder of an import job's results. GetDICOMImportJob's `outputS3Uri` already names the job folder
 * (`…/<datastoreId>-DicomImport-<jobId>/`, as the AWS CLI example of get-dicom-import-job shows), while the
 * StartDICOMImportJob request carries only the prefix: append the folder only when it is not there yet.
 *
 * @param outputS3Uri - the URI the job reports (or the prefix it was started with)
 * @param datastoreId - datastore
 * @param jobId - job
 * @returns the folder, without a trailing `/`
 */
export function dicomJobFolder(outputS3Uri: string, datastoreId: string, jobId: string): string {
  const base = outputS3Uri.replace(/\/+$/, '');
  const folder = `${datastoreId}-DicomImport-${jobId}`;
  return base.endsWith(`/${folder}`) ? base : `${base}/${folder}`;
}

function toAwsValue(v: SearchValue): SearchByAttributeValue {
  return v;
}

/** HealthImaging on AWS. */
export class AwsImagingStore implements ImagingStore {
  /** Backend. */
  readonly backend = 'aws' as const;

  /**
   * Creates the handle (no network call).
   *
   * @param options - clients and defaults
   */
  constructor(private readonly options: AwsImagingStoreOptions) {}

  private async send<T>(fn: string, call: () => Promise<T>): Promise<T> {
    if (this.options.region !== undefined) {
      checkServiceRegion('HealthImaging', this.options.region, HEALTHIMAGING_REGIONS);
    }
    try {
      return await call();
    } catch (e) {
      throw backendError(fn, e);
    }
  }

  private async poll<T>(what: string, read: () => Promise<T>, done: (t: T) => boolean): Promise<T> {
    const start = Date.now();
    let delay = this.options.pollStartMs ?? 1000;
    for (;;) {
      const t = await read();
      if (done(t)) {
        return t;
      }
      if (Date.now() - start > (this.options.pollTimeoutMs ?? 6 * 3600 * 1000)) {
        throw new HealthDataError('timeout', `imaging: ${what} did not finish in time; check it in the HealthImaging console`);
      }
      await new Promise((r) => setTimeout(r, delay));
      delay = Math.min(delay * 2, this.options.pollMaxMs ?? 30000);
    }
  }

  /**
   * Creates a datastore (CreateDatastore).
   *
   * @param name - datastore name
   * @returns id and status (CREATING at first)
   */
  async createDatastore(name: string): Promise<{ datastoreId: string; datastoreStatus: ImagingDatastoreStatus }> {
    const out = await this.send('createDatastore', () => this.options.client().send(new CreateDatastoreCommand({ datastoreName: name })));
    return { datastoreId: out.datastoreId ?? '', datastoreStatus: out.datastoreStatus ?? 'CREATING' };
  }

  /**
   * Describes a datastore (GetDatastore).
   *
   * @param datastoreId - id
   * @returns properties
   */
  async getDatastore(datastoreId: string): Promise<ImagingDatastoreProperties> {
    const out = await this.send('getDatastore', () => this.options.client().send(new GetDatastoreCommand({ datastoreId })));
    const p = out.datastoreProperties;
    return {
      datastoreId: p?.datastoreId ?? datastoreId,
      datastoreName: p?.datastoreName ?? '',
      datastoreStatus: p?.datastoreStatus ?? 'CREATING',
      createdAt: iso(p?.createdAt),
    };
  }

  /**
   * Finds the datastore with this name that is ACTIVE or still CREATING (ListDatastores, every page, no status
   * filter) and waits for it; creates it only when none exists, so a re-run during creation makes no duplicate.
   *
   * @param name - name
   * @returns its id
   * @throws {@link HealthDataError} (backend) when creation ends in CREATE_FAILED
   */
  async ensureDatastore(name: string): Promise<string> {
    let nextToken: string | undefined;
    let found: { id: string; status: string } | undefined;
    do {
      const page = await this.send('ensureDatastore', () => this.options.client().send(new ListDatastoresCommand({ ...(nextToken === undefined ? {} : { nextToken }) })));
      for (const d of page.datastoreSummaries ?? []) {
        if (d.datastoreName === name && d.datastoreId !== undefined && (d.datastoreStatus === 'ACTIVE' || d.datastoreStatus === 'CREATING')) {
          // Prefer an ACTIVE one over one still being created.
          if (found === undefined || (found.status !== 'ACTIVE' && d.datastoreStatus === 'ACTIVE')) {
            found = { id: d.datastoreId, status: d.datastoreStatus };
          }
        }
      }
      nextToken = page.nextToken;
    } while (nextToken !== undefined);
    if (found?.status === 'ACTIVE') {
      return found.id;
    }
    const datastoreId = found?.id ?? (await this.createDatastore(name)).datastoreId;
    const final = await this.poll(
      `datastore ${datastoreId}`,
      () => this.getDatastore(datastoreId),
      (d) => d.datastoreStatus !== 'CREATING',
    );
    if (final.datastoreStatus !== 'ACTIVE') {
      throw new HealthDataError('backend', `ensureDatastore: datastore ${datastoreId} ended in ${final.datastoreStatus}; see the HealthImaging console`);
    }
    return datastoreId;
  }

  /**
   * Uploads a local DICOM folder to the import input prefix, one object per file under its relative path (the
   * same dataset gives the same keys from any checkout, so a re-run overwrites instead of adding).
   *
   * @param inputDir - local folder, scanned recursively
   * @param inputS3Uri - destination prefix
   * @param options - progress
   * @returns the number of files uploaded
   * @throws {@link HealthDataError} (not-found) when the folder holds no file
   */
  async uploadDicomFolder(inputDir: string, inputS3Uri: string, options: ImagingCallOptions = {}): Promise<number> {
    const files = listLocalFiles(inputDir, (n) => !n.startsWith('.'));
    if (files.length === 0) {
      throw new HealthDataError('not-found', `startDICOMImportJob: ${inputDir} holds no file to upload`, { path: 'inputDir' });
    }
    const task = options.progress?.start(`upload DICOM to ${inputS3Uri}`, files.length);
    for (const rel of files) {
      await uploadFile(this.options.s3(), `${inputDir}/${rel}`, joinS3(inputS3Uri, rel), { contentType: 'application/dicom' });
      task?.tick();
    }
    task?.finish(`${String(files.length)} files`);
    return files.length;
  }

  private defaultInputS3Uri(): string | undefined {
    if (this.options.inputS3Uri !== undefined) {
      return this.options.inputS3Uri;
    }
    const out = this.options.outputS3Uri;
    return out === undefined ? undefined : `${out.replace(/\/+$/, '').replace(/[^/]+$/, '')}dicom-input/`;
  }

  /**
   * Starts an import (StartDICOMImportJob).
   *
   * @param request - `inputS3Uri` (or a local `inputDir`, uploaded first to the input prefix), `outputS3Uri` (or
   *   the workspace default) and role
   * @param options - progress of the upload
   * @returns job id and status
   * @throws {@link HealthDataError} (invalid-input) without an S3 input, output or role
   */
  async startDICOMImportJob(request: StartDicomImportJobRequest, options: ImagingCallOptions = {}): Promise<StartDicomImportJobResponse> {
    const outputS3Uri = request.outputS3Uri ?? this.options.outputS3Uri;
    const role = request.dataAccessRoleArn ?? this.options.roleArn;
    let inputS3Uri = request.inputS3Uri;
    if (inputS3Uri === undefined && request.inputDir !== undefined) {
      inputS3Uri = this.defaultInputS3Uri();
    }
    if (inputS3Uri === undefined || outputS3Uri === undefined || role === undefined) {
      throw new HealthDataError(
        'invalid-input',
        'startDICOMImportJob: the aws backend needs inputS3Uri (or inputDir and MMH_S3_URI), outputS3Uri (or MMH_S3_URI) and dataAccessRoleArn (or MMH_ROLE_ARN)',
        { path: inputS3Uri === undefined ? 'inputS3Uri' : outputS3Uri === undefined ? 'outputS3Uri' : 'dataAccessRoleArn' },
      );
    }
    if (request.inputS3Uri === undefined && request.inputDir !== undefined) {
      await this.uploadDicomFolder(request.inputDir, inputS3Uri, options);
    }
    const out = await this.send('startDICOMImportJob', () =>
      this.options.client().send(
        new StartDICOMImportJobCommand({
          datastoreId: request.datastoreId,
          dataAccessRoleArn: role,
          inputS3Uri,
          outputS3Uri,
          ...(request.jobName === undefined ? {} : { jobName: request.jobName }),
        }),
      ),
    );
    return { datastoreId: out.datastoreId ?? request.datastoreId, jobId: out.jobId ?? '', jobStatus: out.jobStatus ?? 'SUBMITTED', submittedAt: iso(out.submittedAt) };
  }

  /**
   * Describes a job (GetDICOMImportJob).
   *
   * @param datastoreId - datastore
   * @param jobId - job
   * @returns properties
   */
  async getDICOMImportJob(datastoreId: string, jobId: string): Promise<DicomImportJobProperties> {
    const out = await this.send('getDICOMImportJob', () => this.options.client().send(new GetDICOMImportJobCommand({ datastoreId, jobId })));
    const p = out.jobProperties;
    return {
      jobId,
      jobName: p?.jobName ?? '',
      jobStatus: p?.jobStatus ?? 'SUBMITTED',
      datastoreId,
      inputS3Uri: p?.inputS3Uri ?? '',
      outputS3Uri: p?.outputS3Uri ?? '',
      submittedAt: iso(p?.submittedAt),
      ...(p?.endedAt === undefined ? {} : { endedAt: iso(p.endedAt) }),
      ...(p?.message === undefined ? {} : { message: p.message }),
    };
  }

  private async readS3Text(uri: string): Promise<string | undefined> {
    const { bucket, key } = splitS3(uri);
    try {
      const out = await this.options.s3().send(new GetObjectCommand({ Bucket: bucket, Key: key }));
      return out.Body === undefined ? undefined : await out.Body.transformToString('utf8');
    } catch (e) {
      if (typeof e === 'object' && e !== null && 'name' in e && (e.name === 'NoSuchKey' || e.name === 'NotFound')) {
        return undefined;
      }
      throw new HealthDataError('backend', `waitForDICOMImportJob: could not read ${uri} (${e instanceof Error ? e.message : String(e)})`, { cause: e });
    }
  }

  /**
   * Polls the job with backoff until it ends, then reads its manifest and NDJSON files from S3.
   *
   * @param datastoreId - datastore
   * @param jobId - job
   * @param options - progress
   * @returns the report
   */
  async waitForDICOMImportJob(datastoreId: string, jobId: string, options: ImagingCallOptions = {}): Promise<DicomImportJobReport> {
    const task = options.progress?.start(`HealthImaging import ${jobId}`, 0);
    const job = await this.poll(
      `import job ${jobId}`,
      () => this.getDICOMImportJob(datastoreId, jobId),
      (j) => j.jobStatus === 'COMPLETED' || j.jobStatus === 'FAILED',
    );
    task?.finish(job.jobStatus);
    const jobDir = dicomJobFolder(job.outputS3Uri, datastoreId, jobId);
    const lines = <T>(text: string | undefined): T[] =>
      (text ?? '')
        .split('\n')
        .filter((l) => l.trim() !== '')
        .map((l) => JSON.parse(l) as T);
    const manifestText = await this.readS3Text(`${jobDir}/job-output-manifest.json`);
    return {
      job,
      manifest: manifestText === undefined ? undefined : (JSON.parse(manifestText) as DicomJobOutputManifest),
      successes: lines<DicomImportSuccessLine>(await this.readS3Text(`${jobDir}/SUCCESS/success.ndjson`)),
      failures: lines<DicomImportFailureLine>(await this.readS3Text(`${jobDir}/FAILURE/failure.ndjson`)),
      outputLocation: `${jobDir}/`,
    };
  }

  /**
   * Searches image sets (SearchImageSets, all pages).
   *
   * @param datastoreId - datastore
   * @param criteria - filters and sort
   * @returns summaries
   */
  async searchImageSets(datastoreId: string, criteria: SearchCriteria = {}): Promise<ImageSetSummary[]> {
    const searchCriteria: AwsSearchCriteria = {
      ...(criteria.filters === undefined ? {} : { filters: criteria.filters.map((f) => ({ operator: f.operator, values: f.values.map(toAwsValue) })) }),
      ...(criteria.sort === undefined ? {} : { sort: { sortField: criteria.sort.sortField, sortOrder: criteria.sort.sortOrder } }),
    };
    const out: ImageSetSummary[] = [];
    let nextToken: string | undefined;
    do {
      const page = await this.send('searchImageSets', () =>
        this.options.client().send(new SearchImageSetsCommand({ datastoreId, searchCriteria, maxResults: 50, ...(nextToken === undefined ? {} : { nextToken }) })),
      );
      for (const s of page.imageSetsMetadataSummaries ?? []) {
        const t = s.DICOMTags ?? {};
        const tags = Object.fromEntries(Object.entries(t).filter(([, v]) => v !== undefined)) as ImageSetSummary['DICOMTags'];
        out.push({ imageSetId: s.imageSetId ?? '', version: s.version ?? 0, createdAt: iso(s.createdAt), updatedAt: iso(s.updatedAt), isPrimary: s.isPrimary ?? true, DICOMTags: tags });
      }
      nextToken = page.nextToken;
    } while (nextToken !== undefined);
    return out;
  }

  /**
   * Reads metadata (GetImageSetMetadata) and gunzips it.
   *
   * @param datastoreId - datastore
   * @param imageSetId - image set
   * @param versionId - version
   * @returns metadata
   */
  async getImageSetMetadata(datastoreId: string, imageSetId: string, versionId?: number): Promise<ImageSetMetadata> {
    const out = await this.send('getImageSetMetadata', () =>
      this.options.client().send(new GetImageSetMetadataCommand({ datastoreId, imageSetId, ...(versionId === undefined ? {} : { versionId: String(versionId) }) })),
    );
    const bytes = await out.imageSetMetadataBlob.transformToByteArray();
    const gz = out.contentEncoding === 'gzip' || (bytes[0] === 0x1f && bytes[1] === 0x8b);
    return JSON.parse((gz ? zlib.gunzipSync(bytes) : Buffer.from(bytes)).toString('utf8')) as ImageSetMetadata;
  }

  /**
   * Reads a frame (GetImageFrame).
   *
   * @param datastoreId - datastore
   * @param imageSetId - image set
   * @param imageFrameId - frame id
   * @returns the codestream
   */
  async getImageFrame(datastoreId: string, imageSetId: string, imageFrameId: string): Promise<ImageFrame> {
    const out = await this.send('getImageFrame', () => this.options.client().send(new GetImageFrameCommand({ datastoreId, imageSetId, imageFrameInformation: { imageFrameId } })));
    return { imageFrameBlob: await out.imageFrameBlob.transformToByteArray(), contentType: out.contentType ?? 'image/jph' };
  }

  /**
   * Decodes an image set into a volume.
   *
   * @param datastoreId - datastore
   * @param imageSetId - image set
   * @returns the volume
   */
  async getVolume(datastoreId: string, imageSetId: string): Promise<Volume> {
    const meta = await this.getImageSetMetadata(datastoreId, imageSetId);
    return assembleVolume(meta, (id) => this.getImageFrame(datastoreId, imageSetId, id), 16);
  }
}
