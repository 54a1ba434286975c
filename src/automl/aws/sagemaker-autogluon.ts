/**
 * The AWS backend of the AutoML capability: a SageMaker training job with the JumpStart built-in AutoGluon-Tabular
 * algorithm (docs/aws-semantics.md §5). The JS SDK has no `image_uris.retrieve`, so the training image, the source
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
 * ECR registry account of the AutoGluon training image per region, as the SageMaker Python SDK resolves it
 * (`image_uris.retrieve('autogluon', region, version='0.4.3', image_scope='training')`, from
 * `src/sagemaker/image_uri_config/autogluon.json` of aws/sagemaker-python-sdk; the same paths are listed in the
 * SageMaker AI Developer Guide's "Docker Registry Paths and Example Code" pages per region).
 */
export const AUTOGLUON_TRAINING_REGISTRIES: Readonly<Record<string, string>> = {
  'af-south-1': '626614931356',
  'ap-east-1': '871362719292',
  'ap-northeast-1': '763104351884',
  'ap-northeast-2': '763104351884',
  'ap-northeast-3': '364406365360',
  'ap-south-1': '763104351884',
  'ap-south-2': '772153158452',
  'ap-southeast-1': '763104351884',
  'ap-southeast-2': '763104351884',
  'ap-southeast-3': '907027046896',
  'ap-southeast-4': '457447274322',
  'ca-central-1': '763104351884',
  'eu-central-1': '763104351884',
  'eu-central-2': '380420809688',
  'eu-north-1': '763104351884',
  'eu-west-1': '763104351884',
  'eu-west-2': '763104351884',
  'eu-west-3': '763104351884',
  'eu-south-1': '692866216735',
  'eu-south-2': '503227376785',
  'me-south-1': '217643126080',
  'me-central-1': '914824155844',
  'sa-east-1': '763104351884',
  'us-east-1': '763104351884',
  'us-east-2': '763104351884',
  'us-gov-east-1': '446045086412',
  'us-gov-west-1': '442386744353',
  'us-west-1': '763104351884',
  'us-west-2': '763104351884',
};

/**
 * Image tag of the JumpStart AutoGluon-Tabular training container: framework version 0.4.3 on CPU with Python
 * 3.8, the `{version}-{processor}-{py_version}` tag the SageMaker Python SDK builds from the config above
 * (py_versions ["py38"] for 0.4.3). Override with `imageTag`, or pass `uris` for your own image.
 */
export const AUTOGLUON_DEFAULT_IMAGE_TAG = '0.4.3-cpu-py38';

/**
 * The training image URI of AutoGluon for a region.
 *
 * @param region - AWS region
 * @param imageTag - tag (default {@link AUTOGLUON_DEFAULT_IMAGE_TAG})
 * @returns `<account>.dkr.ecr.<region>.amazonaws.com/autogluon-training:<tag>`
 * @throws {@link HealthDataError} (invalid-config) for a region without a published image
 */
export function autoGluonImageUri(region: string, imageTag = AUTOGLUON_DEFAULT_IMAGE_TAG): string {
  const account = AUTOGLUON_TRAINING_REGISTRIES[region];
  if (account === undefined) {
    throw new HealthDataError(
      'invalid-config',
      `SageMaker AutoGluon: no published AutoGluon training image in ${region}; use one of ${Object.keys(AUTOGLUON_TRAINING_REGISTRIES).join(', ')} (AWS_REGION), or pass your own image URI (uris.trainingImage)`,
      { path: 'aws.region' },
    );
  }
  return `${account}.dkr.ecr.${region}.amazonaws.com/autogluon-training:${imageTag}`;
}

/**
 * The JumpStart AutoGluon-Tabular URIs for a region: the image from the region's published registry, the
 * JumpStart cache bucket of the region for the script and the dummy model.
 *
 * @param region - AWS region
 * @param problem - 'classification' or 'regression'
 * @param imageTag - image tag (default {@link AUTOGLUON_DEFAULT_IMAGE_TAG})
 * @returns the URIs
 * @throws {@link HealthDataError} (invalid-config) for a region without a published image
 */
export function autoGluonUris(region: string, problem: 'classification' | 'regression' = 'classification', imageTag = AUTOGLUON_DEFAULT_IMAGE_TAG): AutoGluonUris {
  return {
    trainingImage: autoGluonImageUri(region, imageTag),
    sourceDir: `s3://jumpstart-cache-prod-${region}/source-directory-tarballs/autogluon/transfer_learning/${problem}/v1.0.0/sourcedir.tar.gz`,
    modelUri: `s3://jumpstart-cache-prod-${region}/autogluon-training/train-autogluon-${problem}-ensemble.tar.gz`,
  };
}

/**
 * A training-job name unique per run: SageMaker refuses a second CreateTrainingJob with a name already used in the
 * account and region (ResourceInUse), so a fixed name fails every re-run.
 *
 * @param prefix - letters, digits, hyphens (trimmed to fit)
 * @param now - clock (tests pass a fixed one)
 * @param random - 4 hex characters (tests pass fixed ones)
 * @returns `<prefix>-<yyyyMMddHHmmss>-<4 hex>`, at most 63 characters
 * @throws {@link HealthDataError} (invalid-input) for a prefix with other characters
 */
export function uniqueJobName(
  prefix: string,
  now: Date = new Date(),
  random: string = Math.floor(Math.random() * 0x10000)
    .toString(16)
    .padStart(4, '0'),
): string {
  if (!/^[a-zA-Z0-9](-*[a-zA-Z0-9])*$/.test(prefix)) {
    throw new HealthDataError('invalid-input', `SageMakerAutoGluon.startTraining: job name ${JSON.stringify(prefix)} must be 1–63 letters, digits or hyphens`, { path: 'jobName' });
  }
  const stamp = now.toISOString().replace(/[-:T]/g, '').slice(0, 14);
  return `${prefix.slice(0, 63 - 20).replace(/-+$/, '')}-${stamp}-${random}`;
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
  /**
   * Job name prefix (letters, digits, hyphens; default `mmh-autogluon`). `startTraining` appends a timestamp and a
   * random suffix ({@link uniqueJobName}) so re-runs never collide; `trainingJobInput` uses it as given.
   */
  readonly jobName?: string;
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
      TrainingJobName: options.jobName ?? 'mmh-autogluon',
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
   * @param options - label, job name prefix, validation table, hyperparameters
   * @returns the job name actually used (the prefix plus a timestamp and random suffix)
   * @throws {@link HealthDataError} (invalid-input) for a bad job name; (backend) when SageMaker refuses the job
   */
  async startTraining(train: TabularData, options: SageMakerTrainOptions): Promise<string> {
    const jobName = uniqueJobName(options.jobName ?? 'mmh-autogluon');
    const base = joinS3(this.opts.s3Uri, 'automl', jobName);
    const trainingPrefix = `${joinS3(base, 'training')}/`;
    await this.uploadCsv(train, options.label, joinS3(base, 'training', 'train.csv'), options.features);
    let validationPrefix: string | undefined;
    if (options.validation !== undefined) {
      validationPrefix = `${joinS3(base, 'validation')}/`;
      await this.uploadCsv(options.validation, options.label, joinS3(base, 'validation', 'validation.csv'), options.features);
    }
    try {
      await this.opts.sagemaker.send(new CreateTrainingJobCommand(this.trainingJobInput({ ...options, jobName }, trainingPrefix, validationPrefix)));
    } catch (e) {
      throw new HealthDataError('backend', `SageMakerAutoGluon.startTraining: CreateTrainingJob failed for ${jobName}: ${(e as Error).name}: ${(e as Error).message}`, { cause: e });
    }
    return jobName;
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
