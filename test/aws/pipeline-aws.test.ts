/**
 * The whole pipeline (the same steps and runner as `npm start`) on the `aws` backend, on the `tiny` cohort (seed 42),
 * against fakes that hold data and follow the AWS documentation (test/aws/fakes: HealthLake, HealthImaging, Glue,
 * Athena over the lake, SageMaker Feature Store) and a real S3 server over HTTP (s3rver): every S3 call the library
 * makes — NDJSON, DICOM and Parquet uploads, job outputs, offline-store objects — goes through the SDK's real
 * serializers to the local server (`AWS_ENDPOINT_URL_S3`). The counts each step reports, the feature groups, the
 * training sets, the trained models and the dashboard's data must equal a local-backend run of the same cohort.
 *
 * The services' documented waits (datastore creation, import jobs, the offline store's ~15-minute lag) run on a
 * virtual clock (fakes/virtual-clock.ts): the code's 30–60 s polls pass in milliseconds while the fakes see the time
 * go by. train-models runs the library's local AutoML on the training sets read through Athena, as the aws backend
 * does (docs/aws.md); SageMaker training is a separate, optional path (`ws.automl.sagemaker`) not exercised here.
 */
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { buildOutcomeDataset } from '../../src/automl/outcome-models';
import type { Outcome } from '../../src/clinical/cohort';
import { OUTCOMES } from '../../src/clinical/cohort';
import { loadDashboardInput } from '../../src/dashboard/load';
import type { PipelineSummary } from '../../src/pipeline';
import { runPipeline } from '../../src/pipeline';
import { PIPELINE_STEPS } from '../../src/pipeline-steps';
import { silentProgress } from '../../src/progress';
import { DuckDbEngine } from '../../src/sql/duckdb-engine';
import type { Workspace } from '../../src/workspace';
import { openWorkspace } from '../../src/workspace';
import { tmpDir } from '../helpers/tmp';
import { fakeAthenaLake } from './fakes/athena-lake';
import { fakeFeatureStore } from './fakes/feature-store';
import { fakeGlue } from './fakes/glue';
import { fakeHealthImaging } from './fakes/healthimaging';
import { fakeHealthLake } from './fakes/healthlake';
import type { VirtualClock } from './fakes/virtual-clock';
import { installVirtualClock } from './fakes/virtual-clock';
import { lateBucketIo, lateClock, useLocalS3 } from './local-s3-env';
import type { LocalS3 } from './s3rver';
import { startLocalS3 } from './s3rver';

const BUCKET = 'mmh-pipeline';
const S3_URI = `s3://${BUCKET}/mmh/`;
const ROLE = 'arn:aws:iam::123456789012:role/mmh-service-role';

/** What one backend's run produced, read back after the run. */
interface RunRecord {
  readonly summary: PipelineSummary;
  readonly counts: Record<string, Record<string, number>>;
  readonly trainingRows: Record<string, number>;
  readonly groupRows: Record<string, number>;
  readonly models: string[];
  readonly dashboard: Record<string, number>;
  readonly patientFiles: number;
  readonly populationCount: number;
}

async function record(ws: Workspace, summary: PipelineSummary): Promise<RunRecord> {
  const counts = Object.fromEntries(summary.steps.map((s) => [s.name, { ...s.counts }]));
  const trainingRows: Record<string, number> = {};
  for (const o of Object.keys(OUTCOMES) as Outcome[]) {
    trainingRows[o] = (await buildOutcomeDataset(ws, o)).rowCount;
  }
  const groupRows: Record<string, number> = {};
  for (const g of await ws.features.listFeatureGroups()) {
    const table = await ws.features.offlineTable(g.name);
    const rows = await ws.sql.query<{ n: unknown }>(`SELECT count(*) AS n FROM ${table}`);
    groupRows[g.name] = Number(rows[0]?.n ?? 0);
  }
  const input = await loadDashboardInput(ws);
  const dashboard: Record<string, number> = {};
  for (const [k, v] of Object.entries(input)) {
    if (Array.isArray(v)) {
      dashboard[k] = v.length;
    }
  }
  const dash = ws.path('dashboard');
  const population = fs.readFileSync(path.join(dash, 'data', 'population.js'), 'utf8');
  return {
    summary,
    counts,
    trainingRows,
    groupRows,
    models: ws.automl.listModels(),
    dashboard,
    patientFiles: fs.readdirSync(path.join(dash, 'patients')).length,
    populationCount: Number(/"patientCount":(\d+)/.exec(population)?.[1] ?? -1),
  };
}

describe('the whole pipeline on the aws backend (doc-faithful fakes + real S3 over HTTP) equals the local backend on tiny', function () {
  this.timeout(30 * 60_000);
  // MMH_PIPELINE_AWS_DIR keeps the folder (and so the local run, whose steps are then current) between runs.
  const keep = process.env.MMH_PIPELINE_AWS_DIR;
  const root = keep ?? tmpDir('pipeline-aws');
  for (const d of ['scratch', 'lake-cache', 'healthimaging', 'aws']) {
    fs.rmSync(path.join(root, d), { recursive: true, force: true });
  }
  const scratch = path.join(root, 'scratch');
  fs.mkdirSync(scratch, { recursive: true });
  let s3: LocalS3 | undefined;
  let clock: VirtualClock | undefined;
  let lake: DuckDbEngine | undefined;
  let restoreEnv: (() => void) | undefined;
  // The fakes are installed when the suite starts (suiteMock); their dependencies exist from `before` on.
  const io = lateBucketIo(() => s3);
  const time = lateClock(() => clock);
  const glue = fakeGlue();
  const featureStore = fakeFeatureStore({ s3: io, glue: glue.databases, clock: time, scratch });
  const athena = fakeAthenaLake({ lake: () => needed(lake), glue: glue.databases, s3: io, cache: path.join(root, 'lake-cache'), beforeQuery: () => featureStore.flush() });
  const healthlake = fakeHealthLake({ lake: () => needed(lake), s3: io, clock: time, scratch });
  const imaging = fakeHealthImaging({ s3: io, clock: time, root: path.join(root, 'healthimaging') });
  let local: RunRecord;
  let aws: RunRecord;
  let awsDir = '';

  function needed<T>(v: T | undefined): T {
    if (v === undefined) {
      throw new Error('fake used before the suite started');
    }
    return v;
  }

  before(async () => {
    fs.mkdirSync(path.join(root, 'lake-cache'), { recursive: true });
    // 1. The local backend: generate the tiny cohort and run every step.
    const localWs = await openWorkspace({ dir: path.join(root, 'local'), backend: 'local', preset: 'tiny', seed: 42, create: true, progress: silentProgress });
    try {
      const summary = await runPipeline(localWs, PIPELINE_STEPS);
      assert.ok(summary.ok, JSON.stringify(summary.steps.filter((s) => s.status === 'failed')));
      local = await record(localWs, summary);
    } finally {
      await localWs.close();
    }

    // 2. The aws backend, on the same generated cohort (the generate step finds it current).
    s3 = await startLocalS3();
    await s3.bucket(BUCKET);
    lake = await DuckDbEngine.create({ path: ':memory:' });
    // Every S3Client the library creates talks to the local server, over HTTP even if another suite mocks S3.
    restoreEnv = useLocalS3(s3, ['MMH_HEALTHLAKE_DATABASE']);
    awsDir = path.join(root, 'aws');
    fs.mkdirSync(awsDir, { recursive: true });
    fs.cpSync(path.join(root, 'local', 'coherent'), path.join(awsDir, 'coherent'), { recursive: true });
    clock = installVirtualClock();
    const awsWs = await openWorkspace({ dir: awsDir, backend: 'aws', preset: 'tiny', seed: 42, create: true, progress: silentProgress, aws: { region: 'us-east-1', s3Uri: S3_URI, roleArn: ROLE } });
    try {
      const summary = await runPipeline(awsWs, PIPELINE_STEPS);
      assert.ok(summary.ok, JSON.stringify(summary.steps.filter((s) => s.status === 'failed')));
      aws = await record(awsWs, summary);
    } finally {
      await awsWs.close();
    }
  });

  after(async () => {
    clock?.uninstall();
    restoreEnv?.();
    await lake?.close();
    await s3?.close();
    if (keep === undefined) {
      fs.rmSync(root, { recursive: true, force: true });
    }
  });

  it('runs every step on aws, through the services (HealthLake, HealthImaging, Glue, Athena, Feature Store) and S3', () => {
    assert.deepEqual(
      aws.summary.steps.map((s) => `${s.name}:${s.status}`),
      PIPELINE_STEPS.map((s) => `${s.name}:ran`),
    );
    assert.equal(aws.summary.backend, 'aws');
    // HealthLake: one datastore, one import job that read the uploaded NDJSON; HealthImaging: one job, whose
    // results were read from the folder GetDICOMImportJob reports.
    assert.equal(healthlake.stores.size, 1);
    assert.equal(healthlake.jobs.length, 1);
    assert.match(healthlake.jobs[0]?.props.InputDataConfig?.S3Uri ?? '', /^s3:\/\/mmh-pipeline\/mmh\/clinical-input\/[0-9a-f]{32}\/$/);
    assert.equal(imaging.jobs.length, 1);
    assert.equal(imaging.jobs[0]?.inputS3Uri, `${S3_URI}imaging/dicom-input/`);
    // Glue: the genomic tables and their dates (database created by the code), the offline tables (by SageMaker).
    assert.deepEqual([...(glue.databases.get('multimodal_health')?.keys() ?? [])].sort(), ['omicsannotations', 'omicsvariants', 'omicsvariants_test_dates']);
    assert.deepEqual([...featureStore.groups.keys()].sort(), Object.keys(local.groupRows).sort());
    assert.ok(featureStore.throttled() > 0, 'some PutRecords were throttled and retried');
    assert.ok(time.skipped() >= 15 * 60_000, 'the waiters waited (virtual) minutes, as on AWS');
    // Athena: every statement parsed with the Trino grammar (else it would have FAILED) and passed the lint.
    assert.deepEqual(athena.findings, []);
    assert.ok(athena.queries.length > 20);
  });

  it('reports the same counts as the local backend at every step', () => {
    const same = (step: string, keys?: readonly string[]): void => {
      const a = aws.counts[step] ?? {};
      const l = local.counts[step] ?? {};
      const k = keys ?? Object.keys(l);
      assert.deepEqual(Object.fromEntries(k.map((x) => [x, a[x]])), Object.fromEntries(k.map((x) => [x, l[x]])), step);
    };
    // The aws workspace reuses the generated cohort (the step finds it current and reports its patients).
    same('generate', ['patients']);
    same('convert');
    same('import-clinical');
    same('features-clinical');
    // The reference FASTA is not uploaded on aws (the Parquet tables need none): every other count matches.
    same(
      'import-genomic',
      Object.keys(local.counts['import-genomic'] ?? {}).filter((k) => k !== 'reference_contigs'),
    );
    same('features-genomic');
    same('import-imaging');
    same('features-imaging');
    same('train-models', ['models', 'modality_sets_evaluated', 'modality_sets_skipped']);
    same('dashboard');
    assert.equal(local.counts.convert?.patients, 40);
  });

  it('holds the same feature-group rows and builds the same training sets per outcome', () => {
    assert.deepEqual(aws.groupRows, local.groupRows);
    assert.deepEqual(aws.trainingRows, local.trainingRows);
    assert.ok(Object.values(local.trainingRows).every((n) => n > 0));
  });

  it('trains a model per outcome and writes the dashboard with the same data', () => {
    assert.deepEqual(aws.models, local.models);
    assert.equal(aws.models.length, Object.keys(OUTCOMES).length);
    for (const m of aws.models) {
      assert.ok(fs.existsSync(path.join(awsDir, 'models', m, 'outcome-model.json')), m);
    }
    assert.ok(fs.existsSync(path.join(awsDir, 'dashboard', 'index.html')));
    assert.deepEqual(aws.dashboard, local.dashboard);
    assert.equal(aws.populationCount, local.populationCount);
    assert.equal(aws.patientFiles, local.patientFiles);
  });
});
