/**
 * The AWS backend of the AutoML capability: a SageMaker training job with the JumpStart built-in AutoGluon-Tabular
 * algorithm (AWS-SEMANTICS.md §5). The JS SDK has no `image_uris.retrieve`, so the training image, the source
 * directory tarball and the (dummy) model tarball are spelled out; the data goes to S3 as label-first headerless CSV
 * in the `training` and (optional) `validation` channels, the model tarball in the `model` channel. The job is
 * polled with DescribeTrainingJob until it ends; the model artefact location is returned.
 */
import type { S3Client } from '@aws-sdk/client-s3';
import { PutObjectCommand } from '@aws-sdk/client-s3';
import type { Channel, CreateTrainingJobCommandInput, SageMakerClient, TrainingInstanceType, TrainingJobStatus } from '@aws-sdk/client-sagemaker';
import { CreateTrainingJobCommand, DescribeTrainingJobCommand } from '@aws-sdk/client-sagemaker';
import { HealthDataError } from '../../errors';
import type { ProgressReporter } from '../../progress';
import { silentProgress } from '../../progress';
import type { TabularData } from '../types';
import { toLabelFirstCsv } from './csv';

/** The three URIs the Python SDK would resolve for `autogluon-classification-ensemble`. */
export interface AutoGluonUris {
  /** Training image. */
  readonly trainingImage: string;
  /** Source directory tarball with `transfer_learning.py`. */
  readonly sourceDir: string;
  /** The (dummy) model tarball for the `model` channel. */
  readonly modelUri: string;
}

/**
 * The JumpStart AutoGluon-Tabular URIs for a region (account 763104351884 serves most commercial regions; pass
 * `imageTag` or your own URIs where that differs).
 *
 * @param region - AWS region
 * @param problem - 'classification' or 'regression'
 * @param imageTag - image tag, e.g. `0.4.3-cpu-py38` (unverified default; check the JumpStart model spec)
 * @returns the URIs
 */
export function autoGluonUris(region: string, problem: 'classification' | 'regression' = 'classification', imageTag = '0.4.3-cpu-py38'): AutoGluonUris {
  return {
    trainingImage: `763104351884.dkr.ecr.${region}.amazonaws.com/autogluon-training:${imageTag}`,
    sourceDir: `s3://jumpstart-cache-prod-${region}/source-directory-tarballs/autogluon/transfer_learning/${problem}/v1.0.0/sourcedir.tar.gz`,
    modelUri: `s3://jumpstart-cache-prod-${region}/autogluon-training/train-autogluon-${problem}-ensemble.tar.gz`,
  };
}

/** Options of {@link SageMakerAutoGluon}. */
export interface SageMakerAutoGluonOptions {
  /** S3 client (one per region/credentials, reused). */
  readonly s3: S3Client;
  /** SageMaker client. */
  readonly sagemaker: SageMakerClient;
  /** Region (for the URIs). */
  readonly region: string;
  /** IAM role SageMaker assumes to read the data and write the model. */
  readonly roleArn: string;
  /** S3 prefix of the workspace, e.g. `s3://bucket/mmh/`. */
  readonly s3Uri: string;
  /** URIs (default: {@link autoGluonUris}). */
  readonly uris?: AutoGluonUris;
  /** Sleep function for polling (tests pass an instant one). */
  readonly sleep?: (ms: number) => Promise<void>;
}

/** Options of one training run. */
export interface SageMakerTrainOptions {
  /** Label column. */
  readonly label: string;
  /** Job name (letters, digits, hyphens; ≤ 63 characters). */
  readonly jobName: string;
  /** Feature columns in order (default: every other column of the training table). */
  readonly features?: readonly string[];
  /** Validation table (optional channel). */
  readonly validation?: TabularData;
  /** eval_metric hyperparameter (default "auto"). */
  readonly evalMetric?: string;
  /** presets hyperparameter (default "medium_quality"). */
  readonly presets?: string;
  /** Extra algorithm hyperparameters (strings). */
  readonly hyperparameters?: Readonly<Record<string, string>>;
  /** Instance type (default ml.m5.2xlarge). */
  readonly instanceType?: string;
  /** Maximum runtime in seconds (default 3600). */
  readonly maxRuntimeSeconds?: number;
}

/** A finished (or failed) training job. */
export interface TrainingJobResult {
  /** Job name. */
  readonly jobName: string;
  /** Final status. */
  readonly status: TrainingJobStatus;
  /** S3 URI of model.tar.gz (when completed). */
  readonly modelArtifacts?: string;
  /** Why it failed (when failed). */
  readonly failureReason?: string;
}

function splitS3(uri: string): { bucket: string; key: string } {
  const m = /^s3:\/\/([^/]+)\/?(.*)$/.exec(uri);
  if (m === null) {
    throw new HealthDataError('invalid-config', `SageMakerAutoGluon: ${uri} is not an s3:// URI; set MMH_S3_URI to s3://bucket/prefix/`, { path: 'aws.s3Uri' });
  }
  return { bucket: m[1] as string, key: m[2] as string };
}

function joinS3(base: string, ...parts: string[]): string {
  return [base.replace(/\/+$/, ''), ...parts.map((p) => p.replace(/^\/+|\/+$/g, ''))].join('/');
}

/** Trains AutoGluon-Tabular on SageMaker. */
export class SageMakerAutoGluon {
  private readonly opts: SageMakerAutoGluonOptions;
  private readonly uris: AutoGluonUris;

  /**
   * @param options - clients, region, role, S3 prefix
   * @throws {@link HealthDataError} (invalid-config) when the role or S3 prefix is missing
   */
  constructor(options: SageMakerAutoGluonOptions) {
    if (options.roleArn === '') {
      throw new HealthDataError('invalid-config', 'SageMakerAutoGluon: roleArn is empty; set MMH_ROLE_ARN to a role SageMaker can assume', { path: 'aws.roleArn' });
    }
    splitS3(options.s3Uri);
    this.opts = options;
    this.uris = options.uris ?? autoGluonUris(options.region);
  }

  /**
   * Uploads a table as label-first CSV.
   *
   * @param data - rows or columns
   * @param label - label column
   * @param uri - target S3 object URI
   * @param features - feature order
   * @returns the object URI
   */
  async uploadCsv(data: TabularData, label: string, uri: string, features?: readonly string[]): Promise<string> {
    const { bucket, key } = splitS3(uri);
    await this.opts.s3.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: toLabelFirstCsv(data, label, features), ContentType: 'text/csv' }));
    return uri;
  }

  /**
   * The CreateTrainingJob input for data already in S3.
   *
   * @param options - job options
   * @param trainingPrefix - S3 prefix of the training channel
   * @param validationPrefix - S3 prefix of the validation channel (optional)
   * @returns the command input
   */
  trainingJobInput(options: SageMakerTrainOptions, trainingPrefix: string, validationPrefix?: string): CreateTrainingJobCommandInput {
    const channel = (name: string, uri: string, contentType?: string): Channel => ({
      ChannelName: name,
      DataSource: { S3DataSource: { S3DataType: 'S3Prefix', S3Uri: uri, S3DataDistributionType: 'FullyReplicated' } },
      ...(contentType === undefined ? {} : { ContentType: contentType }),
    });
    const channels: Channel[] = [channel('training', trainingPrefix, 'text/csv')];
    if (validationPrefix !== undefined) {
      channels.push(channel('validation', validationPrefix, 'text/csv'));
    }
    channels.push(channel('model', this.uris.modelUri));
    return {
      TrainingJobName: options.jobName,
      RoleArn: this.opts.roleArn,
      AlgorithmSpecification: { TrainingImage: this.uris.trainingImage, TrainingInputMode: 'File' },
      HyperParameters: {
        eval_metric: options.evalMetric ?? 'auto',
        presets: options.presets ?? 'medium_quality',
        auto_stack: 'False',
        ...options.hyperparameters,
        sagemaker_program: 'transfer_learning.py',
        sagemaker_submit_directory: this.uris.sourceDir,
      },
      InputDataConfig: channels,
      OutputDataConfig: { S3OutputPath: joinS3(this.opts.s3Uri, 'automl', 'output') },
      ResourceConfig: { InstanceType: (options.instanceType ?? 'ml.m5.2xlarge') as TrainingInstanceType, InstanceCount: 1, VolumeSizeInGB: 30 },
      StoppingCondition: { MaxRuntimeInSeconds: options.maxRuntimeSeconds ?? 3600 },
    };
  }

  /**
   * Uploads the data and starts the training job.
   *
   * @param train - labelled training table
   * @param options - label, job name, validation table, hyperparameters
   * @returns the job name
   * @throws {@link HealthDataError} (invalid-input) for a bad job name; (backend) when SageMaker refuses the job
   */
  async startTraining(train: TabularData, options: SageMakerTrainOptions): Promise<string> {
    if (!/^[a-zA-Z0-9](-*[a-zA-Z0-9]){0,62}$/.test(options.jobName)) {
      throw new HealthDataError('invalid-input', `SageMakerAutoGluon.startTraining: job name ${JSON.stringify(options.jobName)} must be 1–63 letters, digits or hyphens`, {
        path: 'jobName',
      });
    }
    const base = joinS3(this.opts.s3Uri, 'automl', options.jobName);
    const trainingPrefix = `${joinS3(base, 'training')}/`;
    await this.uploadCsv(train, options.label, joinS3(base, 'training', 'train.csv'), options.features);
    let validationPrefix: string | undefined;
    if (options.validation !== undefined) {
      validationPrefix = `${joinS3(base, 'validation')}/`;
      await this.uploadCsv(options.validation, options.label, joinS3(base, 'validation', 'validation.csv'), options.features);
    }
    try {
      await this.opts.sagemaker.send(new CreateTrainingJobCommand(this.trainingJobInput(options, trainingPrefix, validationPrefix)));
    } catch (e) {
      throw new HealthDataError('backend', `SageMakerAutoGluon.startTraining: CreateTrainingJob failed for ${options.jobName}: ${(e as Error).name}: ${(e as Error).message}`, { cause: e });
    }
    return options.jobName;
  }

  /**
   * Polls DescribeTrainingJob until the job completes, fails or stops.
   *
   * @param jobName - the job
   * @param options - poll interval, overall timeout, progress
   * @returns status, model artefact URI or failure reason
   * @throws {@link HealthDataError} (timeout) when the job is still running after `timeoutMs`
   */
  async waitForTraining(jobName: string, options: { readonly pollMs?: number; readonly timeoutMs?: number; readonly progress?: ProgressReporter } = {}): Promise<TrainingJobResult> {
    const sleep = this.opts.sleep ?? ((ms: number) => new Promise<void>((r) => setTimeout(r, ms)));
    const pollMs = options.pollMs ?? 30000;
    const maxPolls = Math.max(1, Math.ceil((options.timeoutMs ?? 4 * 3600 * 1000) / pollMs));
    const task = (options.progress ?? silentProgress).start(`SageMaker training ${jobName}`, 0);
    for (let i = 0; i < maxPolls; i++) {
      const d = await this.opts.sagemaker.send(new DescribeTrainingJobCommand({ TrainingJobName: jobName }));
      const status = d.TrainingJobStatus;
      task.update(i + 1);
      if (status === 'Completed' || status === 'Failed' || status === 'Stopped') {
        task.finish(status);
        return {
          jobName,
          status,
          ...(d.ModelArtifacts?.S3ModelArtifacts === undefined ? {} : { modelArtifacts: d.ModelArtifacts.S3ModelArtifacts }),
          ...(d.FailureReason === undefined ? {} : { failureReason: d.FailureReason }),
        };
      }
      await sleep(pollMs);
    }
    task.finish('timed out');
    throw new HealthDataError('timeout', `SageMakerAutoGluon.waitForTraining: ${jobName} still running after ${maxPolls} polls; call waitForTraining again or check the SageMaker console`);
  }
}
