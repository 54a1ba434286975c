/**
 * A fake AWS HealthLake that holds data, behind aws-sdk-client-mock, written from the documentation first
 * (docs/aws-semantics.md §2 and the pages it cites):
 * - CreateFHIRDatastore returns `{DatastoreId, DatastoreArn, DatastoreStatus: CREATING, DatastoreEndpoint}`; the
 *   datastore turns ACTIVE some (virtual) minutes later (API Reference, CreateFHIRDatastore / DescribeFHIRDatastore;
 *   "Creating a data store" says creation takes up to ~30 minutes). ListFHIRDatastores pages with NextToken.
 * - StartFHIRImportJob (API Reference) requires `InputDataConfig.S3Uri`, `JobOutputDataConfig.S3Configuration
 *   {S3Uri, KmsKeyId}`, `DataAccessRoleArn`, `DatastoreId`, and reads `.ndjson` objects under the input prefix, one
 *   FHIR R4 resource per line ("Importing FHIR data with AWS HealthLake"). Jobs queue first-in first-out: while one
 *   runs, the next is QUEUED (service quota "concurrent import jobs: 1"). States SUBMITTED → IN_PROGRESS →
 *   COMPLETED, or COMPLETED_WITH_ERRORS when some lines were rejected (API Reference, JobStatus).
 *   DescribeFHIRImportJob carries `JobProgressReport`.
 * - Output under `<output S3Uri>/<datastoreId>-FHIR_IMPORT-<jobId>/`: `manifest.json` (the developer guide's
 *   example fields) plus one file per input file in `SUCCESS/` and `FAILURE/`. The line format of those files is not
 *   documented; the fake writes `{file, line, resourceType, id}` / `{file, line, reason}`.
 * - The imported resources are queryable from Athena ("Querying HealthLake data with Amazon Athena"): one table per
 *   resource type, every element name lower-cased, `0..1` complex elements as rows, `0..*` as arrays, extensions
 *   as JSON text, in the resource-link database `<datastore name>_<datastore id>_healthlake_view`. The fake builds
 *   those tables in the Athena fake's DuckDB (the lake), typed from every row (strings stay varchar).
 * Every transition is driven by the virtual clock, so the code's 30–60 s waiter polls pass in milliseconds.
 */
import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import {
  CreateFHIRDatastoreCommand,
  DescribeFHIRDatastoreCommand,
  DescribeFHIRImportJobCommand,
  HealthLakeClient,
  ListFHIRDatastoresCommand,
  ListFHIRImportJobsCommand,
  StartFHIRImportJobCommand,
} from '@aws-sdk/client-healthlake';
import type { ImportJobProperties, JobStatus } from '@aws-sdk/client-healthlake';
import { mockClient } from 'aws-sdk-client-mock';
import type { AthenaType } from '../../../src/formats/fhir/athena-shape';
import { athenaTypeSql, observeAthenaType, toAthenaShape } from '../../../src/formats/fhir/athena-shape';
import type { DuckDbEngine } from '../../../src/sql/duckdb-engine';
import { sqlLiteral } from '../../../src/sql/literal';
import { suiteMock } from '../suite-mock';
import type { FakeBucketIo } from './bucket';
import { serviceError } from './bucket';
import type { VirtualClock } from './virtual-clock';

const REGION = 'us-east-1';
const ACCOUNT = '123456789012';
/** Virtual time a datastore stays CREATING. */
const CREATE_MS = 20 * 60_000;
/** Virtual time a job stays SUBMITTED / IN_PROGRESS. */
const JOB_STEP_MS = 60_000;

interface Store {
  readonly id: string;
  readonly name: string;
  readonly createdAt: number;
  readonly resources: Map<string, Map<string, Record<string, unknown>>>;
}

interface Job {
  readonly props: ImportJobProperties;
  readonly submittedAt: number;
  startedAt?: number;
  status: JobStatus;
  report?: ImportJobProperties['JobProgressReport'];
  processing?: Promise<void>;
}

/** The fake and what it holds. */
export interface FakeHealthLake {
  /** Datastores by id. */
  readonly stores: Map<string, Store>;
  /** Jobs in submission order. */
  readonly jobs: Job[];
  /** The Athena database of a datastore (the resource link HealthLake shares). */
  databaseOf(id: string): string;
}

/**
 * Installs the fake for the enclosing suite.
 *
 * @param deps - the lake (the Athena fake's DuckDB), S3 access, the virtual clock, a scratch folder
 * @param deps.lake - DuckDB engine behind the Athena fake
 * @param deps.s3 - S3 access (real HTTP)
 * @param deps.clock - virtual clock
 * @param deps.scratch - scratch folder for table staging
 * @returns the fake
 */
export function fakeHealthLake(deps: { lake: () => DuckDbEngine; s3: FakeBucketIo; clock: VirtualClock; scratch: string }): FakeHealthLake {
  const stores = new Map<string, Store>();
  const jobs: Job[] = [];
  const databaseOf = (id: string): string => {
    const s = stores.get(id);
    return `${(s?.name ?? '').toLowerCase().replace(/[^a-z0-9_]/g, '_')}_${id}_healthlake_view`;
  };
  const statusOf = (s: Store): 'CREATING' | 'ACTIVE' => (deps.clock.now() - s.createdAt >= CREATE_MS ? 'ACTIVE' : 'CREATING');
  const props = (s: Store): Record<string, unknown> => ({
    DatastoreId: s.id,
    DatastoreArn: `arn:aws:healthlake:${REGION}:${ACCOUNT}:datastore/fhir/${s.id}`,
    DatastoreName: s.name,
    DatastoreStatus: statusOf(s),
    CreatedAt: new Date(s.createdAt),
    DatastoreTypeVersion: 'R4',
    DatastoreEndpoint: `https://healthlake.${REGION}.amazonaws.com/datastore/${s.id}/r4/`,
  });

  async function buildTables(store: Store): Promise<void> {
    const lake = deps.lake();
    const schema = databaseOf(store.id);
    await lake.query(`CREATE SCHEMA IF NOT EXISTS "${schema}"`);
    for (const [type, byId] of store.resources) {
      let t: AthenaType = 'NULL';
      const lines: string[] = [];
      for (const r of byId.values()) {
        t = observeAthenaType(r, t);
        lines.push(JSON.stringify(toAthenaShape(r)));
      }
      if (typeof t !== 'object' || !('s' in t)) {
        continue;
      }
      const file = path.join(deps.scratch, `${schema}-${type}.ndjson`);
      fs.writeFileSync(file, `${lines.join('\n')}\n`);
      const columns = `{${Object.entries(t.s)
        .map(([k, v]) => `${sqlLiteral(k)}: ${sqlLiteral(athenaTypeSql(v))}`)
        .join(', ')}}`;
      await lake.query(
        `CREATE OR REPLACE TABLE "${schema}"."${type.toLowerCase()}" AS SELECT * FROM read_json(${sqlLiteral(file)}, format = 'newline_delimited', columns = ${columns}, maximum_object_size = 67108864)`,
      );
      fs.rmSync(file, { force: true });
    }
  }

  async function runImport(job: Job): Promise<void> {
    const p = job.props;
    const store = stores.get(p.DatastoreId ?? '');
    if (store === undefined) {
      job.status = 'FAILED';
      return;
    }
    const input = p.InputDataConfig?.S3Uri ?? '';
    const files = (await deps.s3.list(input)).filter((o) => o.uri.endsWith('.ndjson'));
    const outDir = `${(p.JobOutputDataConfig?.S3Configuration?.S3Uri ?? '').replace(/\/+$/, '')}/${store.id}-FHIR_IMPORT-${p.JobId ?? ''}`;
    let scanned = 0;
    let imported = 0;
    let rejected = 0;
    let filesImported = 0;
    let bytes = 0;
    for (const f of files) {
      const text = Buffer.from(await deps.s3.get(f.uri)).toString('utf8');
      bytes += f.size;
      const ok: string[] = [];
      const bad: string[] = [];
      const name = f.uri.slice(input.length).replace(/^\/+/, '');
      text.split('\n').forEach((line, i) => {
        if (line.trim() === '') {
          return;
        }
        scanned++;
        let r: Record<string, unknown>;
        try {
          r = JSON.parse(line) as Record<string, unknown>;
        } catch {
          bad.push(JSON.stringify({ file: name, line: i + 1, reason: 'not a JSON object' }));
          return;
        }
        if (typeof r.resourceType !== 'string' || typeof r.id !== 'string') {
          bad.push(JSON.stringify({ file: name, line: i + 1, reason: 'resourceType and id are required' }));
          return;
        }
        const byId = store.resources.get(r.resourceType) ?? new Map<string, Record<string, unknown>>();
        byId.set(r.id, r);
        store.resources.set(r.resourceType, byId);
        ok.push(JSON.stringify({ file: name, line: i + 1, resourceType: r.resourceType, id: r.id }));
      });
      imported += ok.length;
      rejected += bad.length;
      if (ok.length > 0) {
        filesImported++;
      }
      await deps.s3.put(`${outDir}/SUCCESS/${name}`, ok.join('\n'));
      await deps.s3.put(`${outDir}/FAILURE/${name}`, bad.join('\n'));
    }
    await buildTables(store);
    const mb = bytes / 1024 / 1024;
    await deps.s3.put(
      `${outDir}/manifest.json`,
      JSON.stringify({
        inputDataConfig: { s3Uri: input },
        outputDataConfig: { s3Uri: p.JobOutputDataConfig?.S3Configuration?.S3Uri, encryptionKeyID: p.JobOutputDataConfig?.S3Configuration?.KmsKeyId },
        successOutput: { successOutputS3Uri: `${outDir}/SUCCESS/` },
        failureOutput: { failureOutputS3Uri: `${outDir}/FAILURE/` },
        numberOfScannedFiles: files.length,
        numberOfFilesImported: filesImported,
        sizeOfScannedFilesInMB: mb,
        sizeOfDataImportedSuccessfullyInMB: mb,
        numberOfResourcesScanned: scanned,
        numberOfResourcesImportedSuccessfully: imported,
        numberOfResourcesWithCustomerError: rejected,
        numberOfResourcesWithServerError: 0,
      }),
    );
    job.report = {
      TotalNumberOfScannedFiles: files.length,
      TotalSizeOfScannedFilesInMB: mb,
      TotalNumberOfImportedFiles: filesImported,
      TotalNumberOfResourcesScanned: scanned,
      TotalNumberOfResourcesImported: imported,
      TotalNumberOfResourcesWithCustomerError: rejected,
      TotalNumberOfFilesReadWithCustomerError: 0,
      Throughput: 1,
    };
    job.status = rejected > 0 ? 'COMPLETED_WITH_ERRORS' : 'COMPLETED';
  }

  /** Moves jobs along (FIFO, one running per datastore) as virtual time passes. */
  async function advance(): Promise<void> {
    for (const job of jobs) {
      const ds = job.props.DatastoreId;
      const busy = jobs.some(
        (j) => j !== job && j.props.DatastoreId === ds && (j.status === 'IN_PROGRESS' || (j.processing !== undefined && j.status !== 'COMPLETED')) && j.submittedAt < job.submittedAt,
      );
      if ((job.status === 'SUBMITTED' || job.status === 'QUEUED') && deps.clock.now() - job.submittedAt >= JOB_STEP_MS) {
        if (busy) {
          job.status = 'QUEUED';
        } else {
          job.status = 'IN_PROGRESS';
          job.startedAt = deps.clock.now();
        }
      } else if (job.status === 'IN_PROGRESS' && deps.clock.now() - (job.startedAt ?? 0) >= JOB_STEP_MS) {
        job.processing ??= runImport(job);
        await job.processing;
      }
    }
  }

  const view = (job: Job): ImportJobProperties => ({
    ...job.props,
    JobStatus: job.status,
    ...(job.report === undefined ? {} : { JobProgressReport: job.report }),
    ...(job.status.startsWith('COMPLETED') ? { EndTime: new Date(deps.clock.now()) } : {}),
  });

  suiteMock(() => {
    const mock = mockClient(HealthLakeClient);
    mock.on(CreateFHIRDatastoreCommand).callsFake((i: { DatastoreName?: string; DatastoreTypeVersion?: string }) => {
      if (i.DatastoreTypeVersion !== 'R4') {
        throw serviceError('ValidationException', 'DatastoreTypeVersion must be R4');
      }
      const id = crypto.randomBytes(16).toString('hex');
      const s: Store = { id, name: i.DatastoreName ?? id, createdAt: deps.clock.now(), resources: new Map() };
      stores.set(id, s);
      const p = props(s);
      return { DatastoreId: id, DatastoreArn: p.DatastoreArn, DatastoreStatus: 'CREATING', DatastoreEndpoint: p.DatastoreEndpoint };
    });
    mock.on(DescribeFHIRDatastoreCommand).callsFake((i: { DatastoreId?: string }) => {
      const s = stores.get(i.DatastoreId ?? '');
      if (s === undefined) {
        throw serviceError('ResourceNotFoundException', `Datastore ${i.DatastoreId ?? ''} not found`);
      }
      return { DatastoreProperties: props(s) };
    });
    // One datastore per page, so every caller must follow NextToken.
    mock.on(ListFHIRDatastoresCommand).callsFake((i: { NextToken?: string }) => {
      const all = [...stores.values()];
      const start = i.NextToken === undefined ? 0 : Number(i.NextToken);
      return { DatastorePropertiesList: all.slice(start, start + 1).map(props), ...(start + 1 < all.length ? { NextToken: String(start + 1) } : {}) };
    });
    mock.on(StartFHIRImportJobCommand).callsFake((i: Record<string, unknown>) => {
      const input = i as {
        DatastoreId?: string;
        InputDataConfig?: { S3Uri?: string };
        JobOutputDataConfig?: { S3Configuration?: { S3Uri?: string; KmsKeyId?: string } };
        DataAccessRoleArn?: string;
        JobName?: string;
      };
      const s = stores.get(input.DatastoreId ?? '');
      if (s === undefined) {
        throw serviceError('ResourceNotFoundException', `Datastore ${input.DatastoreId ?? ''} not found`);
      }
      if (statusOf(s) !== 'ACTIVE') {
        throw serviceError('ValidationException', `Datastore ${s.id} is not ACTIVE`);
      }
      if (
        input.DataAccessRoleArn === undefined ||
        input.InputDataConfig?.S3Uri === undefined ||
        input.JobOutputDataConfig?.S3Configuration?.S3Uri === undefined ||
        input.JobOutputDataConfig.S3Configuration.KmsKeyId === undefined
      ) {
        throw serviceError('ValidationException', 'DataAccessRoleArn, InputDataConfig.S3Uri and JobOutputDataConfig.S3Configuration{S3Uri, KmsKeyId} are required');
      }
      const jobId = crypto.randomBytes(16).toString('hex');
      const job: Job = {
        props: {
          JobId: jobId,
          ...(input.JobName === undefined ? {} : { JobName: input.JobName }),
          JobStatus: 'SUBMITTED',
          SubmitTime: new Date(deps.clock.now()),
          DatastoreId: s.id,
          InputDataConfig: { S3Uri: input.InputDataConfig.S3Uri },
          JobOutputDataConfig: { S3Configuration: { S3Uri: input.JobOutputDataConfig.S3Configuration.S3Uri, KmsKeyId: input.JobOutputDataConfig.S3Configuration.KmsKeyId } },
          DataAccessRoleArn: input.DataAccessRoleArn,
        },
        submittedAt: deps.clock.now(),
        status: 'SUBMITTED',
      };
      jobs.push(job);
      return { JobId: jobId, JobStatus: 'SUBMITTED', DatastoreId: s.id };
    });
    mock.on(DescribeFHIRImportJobCommand).callsFake(async (i: { DatastoreId?: string; JobId?: string }) => {
      await advance();
      const job = jobs.find((j) => j.props.JobId === i.JobId && j.props.DatastoreId === i.DatastoreId);
      if (job === undefined) {
        throw serviceError('ResourceNotFoundException', `Job ${i.JobId ?? ''} not found`);
      }
      return { ImportJobProperties: view(job) };
    });
    mock.on(ListFHIRImportJobsCommand).callsFake(async (i: { DatastoreId?: string; NextToken?: string }) => {
      await advance();
      const all = jobs.filter((j) => j.props.DatastoreId === i.DatastoreId);
      const start = i.NextToken === undefined ? 0 : Number(i.NextToken);
      return { ImportJobPropertiesList: all.slice(start, start + 1).map(view), ...(start + 1 < all.length ? { NextToken: String(start + 1) } : {}) };
    });
    return mock;
  });
  return { stores, jobs, databaseOf };
}
