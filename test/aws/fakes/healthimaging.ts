/**
 * A fake AWS HealthImaging that holds data, behind aws-sdk-client-mock. The wire behaviour is written from the
 * documentation (docs/aws-semantics.md §3 and the pages it cites):
 * - CreateDatastore returns `{datastoreId ([0-9a-z]{32}), datastoreStatus: CREATING}`; GetDatastore reports ACTIVE
 *   some (virtual) minutes later; ListDatastores pages with `nextToken` (API Reference).
 * - StartDICOMImportJob `{dataAccessRoleArn, datastoreId, inputS3Uri, outputS3Uri}` → `{jobId, jobStatus:
 *   SUBMITTED, submittedAt}`; GetDICOMImportJob goes SUBMITTED → IN_PROGRESS → COMPLETED and its `outputS3Uri`
 *   already names the job folder `<outputS3Uri>/<datastoreId>-DicomImport-<jobId>/`, as the AWS CLI reference's
 *   get-dicom-import-job example shows ("Understanding import jobs").
 * - Job output in that folder: `job-output-manifest.json` (`jobSummary` with the documented counts and
 *   `imageSetsSummary`), `SUCCESS/success.ndjson` (`{inputFile, importResponse{imageSetId, isPrimary}}`) and
 *   `FAILURE/failure.ndjson` (`{inputFile, exception{exceptionType, message}}`).
 * - SearchImageSets returns at most `maxResults` summaries (default 50) with a `nextToken`; GetImageSetMetadata
 *   returns gzip-compressed JSON (`contentEncoding: gzip`); GetImageFrame returns the stored HTJ2K frame with its
 *   content type (`image/jph`).
 * The data plane inside the fake (reading the DICOM it downloads from S3, grouping instances into image sets by
 * series, transcoding frames to HTJ2K, the metadata document) is the local backend's HealthImaging model
 * (src/imaging/local), run on a private folder: the fake adds the service's S3 and API surface around it.
 */
import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as zlib from 'node:zlib';
import {
  CreateDatastoreCommand,
  GetDatastoreCommand,
  GetDICOMImportJobCommand,
  GetImageFrameCommand,
  GetImageSetMetadataCommand,
  ListDatastoresCommand,
  MedicalImagingClient,
  SearchImageSetsCommand,
  StartDICOMImportJobCommand,
} from '@aws-sdk/client-medical-imaging';
import { sdkStreamMixin } from '@smithy/util-stream';
import { mockClient } from 'aws-sdk-client-mock';
import { Readable } from 'node:stream';
import { LocalImagingStore } from '../../../src/imaging/local/datastore';
import type { DicomImportJobReport, SearchCriteria } from '../../../src/imaging/types';
import { silentProgress } from '../../../src/progress';
import { suiteMock } from '../suite-mock';
import type { FakeBucketIo } from './bucket';
import { serviceError } from './bucket';
import type { VirtualClock } from './virtual-clock';

const CREATE_MS = 5 * 60_000;
const JOB_STEP_MS = 60_000;

interface Job {
  readonly jobId: string;
  readonly datastoreId: string;
  readonly inputS3Uri: string;
  readonly outputS3Uri: string;
  readonly jobName?: string;
  readonly dataAccessRoleArn: string;
  readonly submittedAt: number;
  status: 'SUBMITTED' | 'IN_PROGRESS' | 'COMPLETED' | 'FAILED';
  startedAt?: number;
  processing?: Promise<void>;
  report?: DicomImportJobReport;
}

/** The fake. */
export interface FakeHealthImaging {
  /** Datastores: fake id → name and creation time. */
  readonly datastores: Map<string, { name: string; createdAt: number; inner: string }>;
  /** Jobs. */
  readonly jobs: Job[];
  /** Every SearchImageSets page served (for the pagination assertion). */
  readonly searchPages: number[];
}

/** An unknown image set or frame is `ResourceNotFoundException` (HTTP 404) on the wire (API Reference, GetImageSetMetadata / GetImageFrame "Errors"). */
async function notFoundAsService<T>(p: Promise<T>): Promise<T> {
  try {
    return await p;
  } catch (e) {
    throw (e as { code?: string }).code === 'not-found' ? serviceError('ResourceNotFoundException', (e as Error).message, 404) : e;
  }
}

function stream(bytes: Uint8Array): ReturnType<typeof sdkStreamMixin> {
  return sdkStreamMixin(Readable.from([Buffer.from(bytes)]));
}

/**
 * Installs the fake for the enclosing suite.
 *
 * @param deps - S3 access, the virtual clock, a private folder
 * @param deps.s3 - S3 access (real HTTP)
 * @param deps.clock - virtual clock
 * @param deps.root - private folder of the data plane
 * @returns the fake
 */
export function fakeHealthImaging(deps: { s3: FakeBucketIo; clock: VirtualClock; root: string }): FakeHealthImaging {
  const inner = new LocalImagingStore({ root: deps.root, progress: silentProgress });
  const datastores = new Map<string, { name: string; createdAt: number; inner: string }>();
  const jobs: Job[] = [];
  const searchPages: number[] = [];
  const statusOf = (d: { createdAt: number }): 'CREATING' | 'ACTIVE' => (deps.clock.now() - d.createdAt >= CREATE_MS ? 'ACTIVE' : 'CREATING');
  const get = (id: string | undefined): { name: string; createdAt: number; inner: string } => {
    const d = datastores.get(id ?? '');
    if (d === undefined) {
      throw serviceError('ResourceNotFoundException', `Datastore ${id ?? ''} not found`, 404);
    }
    return d;
  };
  const jobFolder = (j: Job): string => `${j.outputS3Uri.replace(/\/+$/, '')}/${j.datastoreId}-DicomImport-${j.jobId}/`;

  async function runImport(j: Job): Promise<void> {
    const d = get(j.datastoreId);
    const local = path.join(deps.root, 'input', j.jobId);
    const objects = await deps.s3.list(j.inputS3Uri);
    for (const o of objects) {
      const rel = o.uri.slice(j.inputS3Uri.replace(/\/+$/, '').length + 1);
      fs.mkdirSync(path.dirname(path.join(local, rel)), { recursive: true });
      fs.writeFileSync(path.join(local, rel), await deps.s3.get(o.uri));
    }
    const started = await inner.startDICOMImportJob({ datastoreId: d.inner, inputDir: local, ...(j.jobName === undefined ? {} : { jobName: j.jobName }) });
    const report = await inner.waitForDICOMImportJob(d.inner, started.jobId);
    fs.rmSync(local, { recursive: true, force: true });
    const folder = jobFolder(j);
    const rel = (f: string): string => path.relative(local, path.resolve(local, f)).split(path.sep).join('/');
    const summary = report.manifest?.jobSummary;
    await deps.s3.put(
      `${folder}job-output-manifest.json`,
      JSON.stringify({
        jobSummary: {
          ...(summary ?? {}),
          jobId: j.jobId,
          datastoreId: j.datastoreId,
          inputS3Uri: j.inputS3Uri,
          outputS3Uri: folder,
          successOutputS3Uri: `${folder}SUCCESS/`,
          failureOutputS3Uri: `${folder}FAILURE/`,
        },
      }),
    );
    await deps.s3.put(`${folder}SUCCESS/success.ndjson`, report.successes.map((s) => JSON.stringify({ ...s, inputFile: rel(s.inputFile) })).join('\n'));
    await deps.s3.put(`${folder}FAILURE/failure.ndjson`, report.failures.map((s) => JSON.stringify({ ...s, inputFile: rel(s.inputFile) })).join('\n'));
    j.report = report;
    j.status = report.job.jobStatus === 'FAILED' ? 'FAILED' : 'COMPLETED';
  }

  async function advance(j: Job): Promise<void> {
    if (j.status === 'SUBMITTED' && deps.clock.now() - j.submittedAt >= JOB_STEP_MS) {
      j.status = 'IN_PROGRESS';
      j.startedAt = deps.clock.now();
    } else if (j.status === 'IN_PROGRESS' && deps.clock.now() - (j.startedAt ?? 0) >= JOB_STEP_MS) {
      j.processing ??= runImport(j);
      await j.processing;
    }
  }

  suiteMock(() => {
    const mock = mockClient(MedicalImagingClient);
    mock.on(CreateDatastoreCommand).callsFake(async (i: { datastoreName?: string }) => {
      const id = crypto.randomBytes(16).toString('hex');
      const innerId = await inner.ensureDatastore(`${i.datastoreName ?? 'ds'}-${id}`);
      datastores.set(id, { name: i.datastoreName ?? '', createdAt: deps.clock.now(), inner: innerId });
      return { datastoreId: id, datastoreStatus: 'CREATING' };
    });
    mock.on(GetDatastoreCommand).callsFake((i: { datastoreId?: string }) => {
      const d = get(i.datastoreId);
      return { datastoreProperties: { datastoreId: i.datastoreId, datastoreName: d.name, datastoreStatus: statusOf(d), createdAt: new Date(d.createdAt), updatedAt: new Date(d.createdAt) } };
    });
    mock.on(ListDatastoresCommand).callsFake((i: { nextToken?: string }) => {
      const all = [...datastores.entries()];
      const start = i.nextToken === undefined ? 0 : Number(i.nextToken);
      return {
        datastoreSummaries: all
          .slice(start, start + 1)
          .map(([id, d]) => ({ datastoreId: id, datastoreName: d.name, datastoreStatus: statusOf(d), datastoreArn: `arn:aws:medical-imaging:us-east-1:123456789012:datastore/${id}` })),
        ...(start + 1 < all.length ? { nextToken: String(start + 1) } : {}),
      };
    });
    mock.on(StartDICOMImportJobCommand).callsFake((i: { datastoreId?: string; inputS3Uri?: string; outputS3Uri?: string; dataAccessRoleArn?: string; jobName?: string }) => {
      const d = get(i.datastoreId);
      if (statusOf(d) !== 'ACTIVE') {
        throw serviceError('ConflictException', `Datastore ${i.datastoreId ?? ''} is not ACTIVE`, 409);
      }
      if (i.inputS3Uri === undefined || i.outputS3Uri === undefined || i.dataAccessRoleArn === undefined) {
        throw serviceError('ValidationException', 'inputS3Uri, outputS3Uri and dataAccessRoleArn are required');
      }
      const j: Job = {
        jobId: crypto.randomBytes(16).toString('hex'),
        datastoreId: i.datastoreId ?? '',
        inputS3Uri: i.inputS3Uri,
        outputS3Uri: i.outputS3Uri,
        ...(i.jobName === undefined ? {} : { jobName: i.jobName }),
        dataAccessRoleArn: i.dataAccessRoleArn,
        submittedAt: deps.clock.now(),
        status: 'SUBMITTED',
      };
      jobs.push(j);
      return { datastoreId: j.datastoreId, jobId: j.jobId, jobStatus: 'SUBMITTED', submittedAt: new Date(j.submittedAt) };
    });
    mock.on(GetDICOMImportJobCommand).callsFake(async (i: { datastoreId?: string; jobId?: string }) => {
      const j = jobs.find((x) => x.jobId === i.jobId && x.datastoreId === i.datastoreId);
      if (j === undefined) {
        throw serviceError('ResourceNotFoundException', `Job ${i.jobId ?? ''} not found`, 404);
      }
      await advance(j);
      return {
        jobProperties: {
          jobId: j.jobId,
          jobName: j.jobName,
          jobStatus: j.status,
          datastoreId: j.datastoreId,
          dataAccessRoleArn: j.dataAccessRoleArn,
          inputS3Uri: j.inputS3Uri,
          // The CLI reference's example: the job's outputS3Uri is the job folder.
          outputS3Uri: jobFolder(j),
          submittedAt: new Date(j.submittedAt),
          ...(j.status === 'COMPLETED' || j.status === 'FAILED' ? { endedAt: new Date(deps.clock.now()) } : {}),
        },
      };
    });
    mock.on(SearchImageSetsCommand).callsFake(async (i: { datastoreId?: string; searchCriteria?: SearchCriteria; maxResults?: number; nextToken?: string }) => {
      const d = get(i.datastoreId);
      const all = await inner.searchImageSets(d.inner, i.searchCriteria ?? {});
      const max = Math.min(50, i.maxResults ?? 50);
      const start = i.nextToken === undefined ? 0 : Number(Buffer.from(i.nextToken, 'base64').toString('utf8'));
      searchPages.push(start);
      const page = all.slice(start, start + max);
      return {
        imageSetsMetadataSummaries: page.map((s) => ({ ...s, createdAt: new Date(s.createdAt), updatedAt: new Date(s.updatedAt) })),
        ...(start + max < all.length ? { nextToken: Buffer.from(String(start + max)).toString('base64') } : {}),
      };
    });
    mock.on(GetImageSetMetadataCommand).callsFake(async (i: { datastoreId?: string; imageSetId?: string; versionId?: string }) => {
      const d = get(i.datastoreId);
      const meta = await notFoundAsService(inner.getImageSetMetadata(d.inner, i.imageSetId ?? '', i.versionId === undefined ? undefined : Number(i.versionId)));
      return { imageSetMetadataBlob: stream(zlib.gzipSync(JSON.stringify({ ...meta, DatastoreID: i.datastoreId }))), contentType: 'application/json', contentEncoding: 'gzip' };
    });
    mock.on(GetImageFrameCommand).callsFake(async (i: { datastoreId?: string; imageSetId?: string; imageFrameInformation?: { imageFrameId?: string } }) => {
      const d = get(i.datastoreId);
      const f = await notFoundAsService(inner.getImageFrame(d.inner, i.imageSetId ?? '', i.imageFrameInformation?.imageFrameId ?? ''));
      return { imageFrameBlob: stream(f.imageFrameBlob), contentType: f.contentType };
    });
    return mock;
  });
  return { datastores, jobs, searchPages };
}
