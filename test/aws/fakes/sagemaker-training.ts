/**
 * A fake of SageMaker's managed training job for the AutoGluon-Tabular built-in algorithm, behind
 * aws-sdk-client-mock. THIS IS A FAKE OF THE MANAGED JOB: no container runs; the library's own local AutoML
 * (TabularPredictor, `fast` preset) stands in for AutoGluon inside it. What follows the documentation:
 * - CreateTrainingJob (API Reference) needs `TrainingJobName` (unique in the account and region: a second job of the
 *   same name is `ResourceInUse`), `RoleArn`, `AlgorithmSpecification.TrainingImage`, `OutputDataConfig.S3OutputPath`,
 *   `ResourceConfig` and `StoppingCondition`; the built-in algorithm reads the `training` channel (and the `model`
 *   channel of the JumpStart bundle).
 * - The training data is text/csv with the target in the first column and no header ("Input and Output interface for
 *   the AutoGluon-Tabular algorithm"); every object under the channel's S3 prefix is read (S3DataType S3Prefix).
 * - DescribeTrainingJob reports `TrainingJobStatus` InProgress, then Completed with
 *   `ModelArtifacts.S3ModelArtifacts` = `<S3OutputPath>/<TrainingJobName>/output/model.tar.gz` ("How Amazon SageMaker
 *   AI Processes Training Output"), the model directory as a gzip-compressed tar.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as zlib from 'node:zlib';
import { CreateTrainingJobCommand, DescribeTrainingJobCommand, SageMakerClient } from '@aws-sdk/client-sagemaker';
import type { CreateTrainingJobCommandInput } from '@aws-sdk/client-sagemaker';
import { mockClient } from 'aws-sdk-client-mock';
import { TabularPredictor } from '../../../src/automl/predictor';
import { silentProgress } from '../../../src/progress';
import { parseCsvRows } from '../../../src/formats/csv';
import { suiteMock } from '../suite-mock';
import type { FakeBucketIo } from './bucket';
import { serviceError } from './bucket';
import type { VirtualClock } from './virtual-clock';

/** Virtual time a job spends starting before it trains. */
const STARTING_MS = 3 * 60_000;

interface Job {
  readonly input: CreateTrainingJobCommandInput;
  readonly createdAt: number;
  status: 'InProgress' | 'Completed' | 'Failed';
  artifact?: string;
  failure?: string;
  running?: Promise<void>;
}

/** The fake. */
export interface FakeSageMakerTraining {
  /** Jobs by name. */
  readonly jobs: Map<string, Job>;
}

/**
 * A POSIX ustar archive of regular files (what `tar czf` writes for plain files), for the model artefact.
 *
 * @param files - archive path → bytes
 * @returns the archive bytes (uncompressed)
 */
export function ustar(files: ReadonlyMap<string, Uint8Array>): Buffer {
  const blocks: Buffer[] = [];
  for (const [name, data] of files) {
    const h = Buffer.alloc(512);
    h.write(name, 0, 100, 'utf8');
    h.write('0000644\0', 100, 'ascii');
    h.write('0000000\0', 108, 'ascii');
    h.write('0000000\0', 116, 'ascii');
    h.write(`${data.length.toString(8).padStart(11, '0')}\0`, 124, 'ascii');
    h.write(
      `${Math.floor(Date.now() / 1000)
        .toString(8)
        .padStart(11, '0')}\0`,
      136,
      'ascii',
    );
    h.write('        ', 148, 'ascii');
    h.write('0', 156, 'ascii');
    h.write('ustar\0', 257, 'ascii');
    h.write('00', 263, 'ascii');
    let sum = 0;
    for (const b of h) {
      sum += b;
    }
    h.write(`${sum.toString(8).padStart(6, '0')}\0 `, 148, 'ascii');
    blocks.push(h, Buffer.from(data), Buffer.alloc((512 - (data.length % 512)) % 512));
  }
  blocks.push(Buffer.alloc(1024));
  return Buffer.concat(blocks);
}

/**
 * Reads the files of a ustar archive (the test's check of the artefact).
 *
 * @param tar - archive bytes (uncompressed)
 * @returns path → bytes
 */
export function readUstar(tar: Buffer): Map<string, Buffer> {
  const out = new Map<string, Buffer>();
  let at = 0;
  while (at + 512 <= tar.length) {
    const h = tar.subarray(at, at + 512);
    const name = h.subarray(0, 100).toString('utf8').replace(/\0.*$/s, '');
    if (name === '') {
      break;
    }
    const size = parseInt(h.subarray(124, 136).toString('ascii').replace(/\0.*$/s, '').trim(), 8);
    out.set(name, tar.subarray(at + 512, at + 512 + size));
    at += 512 + Math.ceil(size / 512) * 512;
  }
  return out;
}

function walk(dir: string, rel = ''): string[] {
  return fs.readdirSync(path.join(dir, rel), { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? walk(dir, path.join(rel, e.name)) : [path.join(rel, e.name)]));
}

/**
 * Installs the fake for the enclosing suite.
 *
 * @param deps - S3 access (real HTTP), the virtual clock, a scratch folder
 * @param deps.s3 - S3 access
 * @param deps.clock - virtual clock
 * @param deps.scratch - where the stand-in trains
 * @returns the fake
 */
export function fakeSageMakerTraining(deps: { s3: FakeBucketIo; clock: VirtualClock; scratch: string }): FakeSageMakerTraining {
  const jobs = new Map<string, Job>();

  async function train(name: string, job: Job): Promise<void> {
    const channel = job.input.InputDataConfig?.find((c) => c.ChannelName === 'training')?.DataSource?.S3DataSource?.S3Uri ?? '';
    const rows: Record<string, unknown>[] = [];
    for (const o of await deps.s3.list(channel)) {
      const text = Buffer.from(await deps.s3.get(o.uri)).toString('utf8');
      for (const cells of parseCsvRows(text)) {
        if (cells.length === 1 && (cells[0] ?? '').trim() === '') {
          continue;
        }
        // Target first, no header: the stand-in names the columns by position, as the container does.
        rows.push(Object.fromEntries(cells.map((c, i) => [i === 0 ? 'target' : `f${String(i)}`, c === '' ? null : Number.isFinite(Number(c)) ? Number(c) : c])));
      }
    }
    if (rows.length === 0) {
      throw new Error(`ClientError: no training data under ${channel}`);
    }
    const dir = path.join(deps.scratch, name);
    const predictor = new TabularPredictor({ label: 'target', path: dir, seed: 1, progress: silentProgress });
    await predictor.fit(rows, { presets: 'fast', threads: 1 });
    predictor.save(dir);
    const files = new Map(walk(dir).map((f) => [f.split(path.sep).join('/'), new Uint8Array(fs.readFileSync(path.join(dir, f)))]));
    const uri = `${(job.input.OutputDataConfig?.S3OutputPath ?? '').replace(/\/+$/, '')}/${name}/output/model.tar.gz`;
    await deps.s3.put(uri, zlib.gzipSync(ustar(files)), 'application/x-tar');
    fs.rmSync(dir, { recursive: true, force: true });
    job.artifact = uri;
  }

  suiteMock(() => {
    const mock = mockClient(SageMakerClient);
    mock.on(CreateTrainingJobCommand).callsFake((input: CreateTrainingJobCommandInput) => {
      const name = input.TrainingJobName ?? '';
      if (!/^[a-zA-Z0-9](-*[a-zA-Z0-9]){0,62}$/.test(name)) {
        throw serviceError('ValidationException', `TrainingJobName ${name} does not match ^[a-zA-Z0-9](-*[a-zA-Z0-9]){0,62}`);
      }
      if (jobs.has(name)) {
        throw serviceError('ResourceInUse', `Training job names must be unique within an AWS account and region, and a training job with this name already exists (${name})`);
      }
      if (
        input.RoleArn === undefined ||
        input.AlgorithmSpecification?.TrainingImage === undefined ||
        input.OutputDataConfig?.S3OutputPath === undefined ||
        input.ResourceConfig === undefined ||
        input.StoppingCondition === undefined
      ) {
        throw serviceError('ValidationException', 'RoleArn, AlgorithmSpecification.TrainingImage, OutputDataConfig.S3OutputPath, ResourceConfig and StoppingCondition are required');
      }
      if (input.InputDataConfig?.some((c) => c.ChannelName === 'training') !== true) {
        throw serviceError('ValidationException', 'the AutoGluon-Tabular algorithm needs a training channel');
      }
      jobs.set(name, { input, createdAt: deps.clock.now(), status: 'InProgress' });
      return { TrainingJobArn: `arn:aws:sagemaker:us-east-1:123456789012:training-job/${name.toLowerCase()}` };
    });
    mock.on(DescribeTrainingJobCommand).callsFake(async (i: { TrainingJobName?: string }) => {
      const name = i.TrainingJobName ?? '';
      const job = jobs.get(name);
      if (job === undefined) {
        throw serviceError('ValidationException', `Requested resource not found: ${name}`);
      }
      if (job.status === 'InProgress' && deps.clock.now() - job.createdAt >= STARTING_MS) {
        job.running ??= train(name, job).then(
          () => {
            job.status = 'Completed';
          },
          (e: unknown) => {
            job.status = 'Failed';
            job.failure = e instanceof Error ? e.message : String(e);
          },
        );
        await job.running;
      }
      return {
        TrainingJobName: name,
        TrainingJobStatus: job.status,
        SecondaryStatus: job.status === 'InProgress' ? 'Starting' : job.status,
        AlgorithmSpecification: job.input.AlgorithmSpecification,
        ...(job.artifact === undefined ? {} : { ModelArtifacts: { S3ModelArtifacts: job.artifact } }),
        ...(job.failure === undefined ? {} : { FailureReason: job.failure }),
      };
    });
    return mock;
  });
  return { jobs };
}
