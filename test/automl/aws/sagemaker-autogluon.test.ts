import assert from 'node:assert/strict';
import { PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { CreateTrainingJobCommand, DescribeTrainingJobCommand, SageMakerClient } from '@aws-sdk/client-sagemaker';
import { mockClient } from 'aws-sdk-client-mock';
import { suiteMock } from '../../aws/suite-mock';
import { toLabelFirstCsv } from '../../../src/automl/aws/csv';
import { SageMakerAutoGluon, autoGluonImageUri, autoGluonUris, uniqueJobName } from '../../../src/automl/aws/sagemaker-autogluon';

describe('automl AWS backend (SageMaker AutoGluon-Tabular)', () => {
  const s3Mock = suiteMock(() => mockClient(S3Client));
  const smMock = suiteMock(() => mockClient(SageMakerClient));
  const rows = [
    { age: 61, sex: 'F', note: 'a,"b"', outcome: 1 },
    { age: 47, sex: 'M', note: null, outcome: 0 },
  ];
  beforeEach(() => {
    s3Mock.reset();
    smMock.reset();
  });

  function trainer(): SageMakerAutoGluon {
    return new SageMakerAutoGluon({
      s3: new S3Client({ region: 'eu-west-1' }),
      sagemaker: new SageMakerClient({ region: 'eu-west-1' }),
      region: 'eu-west-1',
      roleArn: 'arn:aws:iam::123456789012:role/mmh-sagemaker',
      s3Uri: 's3://bucket/mmh/',
      sleep: () => Promise.resolve(),
    });
  }

  it('writes CSV with the label first, no header, RFC 4180 quoting', () => {
    assert.equal(toLabelFirstCsv(rows, 'outcome'), '1,61,F,"a,""b"""\n0,47,M,\n');
    assert.equal(toLabelFirstCsv(rows, undefined, ['sex', 'age']), 'F,61\nM,47\n');
    assert.throws(() => toLabelFirstCsv([{ outcome: null, x: 1 }], 'outcome'), /row 0 has no value for label outcome/);
  });

  it('uploads the channels and sends the exact CreateTrainingJob input', async () => {
    s3Mock.on(PutObjectCommand).resolves({});
    smMock.on(CreateTrainingJobCommand).resolves({ TrainingJobArn: 'arn:aws:sagemaker:eu-west-1:123456789012:training-job/job-1' });
    const name = await trainer().startTraining(rows, { label: 'outcome', jobName: 'job-1', validation: rows.slice(0, 1), features: ['age', 'sex'] });
    // TrainingJobName must be unique in the account and region (CreateTrainingJob: ResourceInUse): a fresh suffix per run.
    assert.match(name, /^job-1-\d{14}-[0-9a-f]{4}$/);
    const puts = s3Mock.commandCalls(PutObjectCommand).map((c) => c.args[0].input);
    assert.deepEqual(puts, [
      { Bucket: 'bucket', Key: `mmh/automl/${name}/training/train.csv`, Body: '1,61,F\n0,47,M\n', ContentType: 'text/csv' },
      { Bucket: 'bucket', Key: `mmh/automl/${name}/validation/validation.csv`, Body: '1,61,F\n', ContentType: 'text/csv' },
    ]);
    const uris = autoGluonUris('eu-west-1');
    const calls = smMock.commandCalls(CreateTrainingJobCommand);
    assert.equal(calls.length, 1);
    const s3Channel = (ChannelName: string, S3Uri: string, csv: boolean): Record<string, unknown> => ({
      ChannelName,
      DataSource: { S3DataSource: { S3DataType: 'S3Prefix', S3Uri, S3DataDistributionType: 'FullyReplicated' } },
      ...(csv ? { ContentType: 'text/csv' } : {}),
    });
    assert.deepEqual(calls[0]!.args[0].input, {
      TrainingJobName: name,
      RoleArn: 'arn:aws:iam::123456789012:role/mmh-sagemaker',
      AlgorithmSpecification: { TrainingImage: '763104351884.dkr.ecr.eu-west-1.amazonaws.com/autogluon-training:0.4.3-cpu-py38', TrainingInputMode: 'File' },
      HyperParameters: {
        eval_metric: 'auto',
        presets: 'medium_quality',
        auto_stack: 'False',
        sagemaker_program: 'transfer_learning.py',
        sagemaker_submit_directory: uris.sourceDir,
      },
      InputDataConfig: [
        s3Channel('training', `s3://bucket/mmh/automl/${name}/training/`, true),
        s3Channel('validation', `s3://bucket/mmh/automl/${name}/validation/`, true),
        s3Channel('model', 's3://jumpstart-cache-prod-eu-west-1/autogluon-training/train-autogluon-classification-ensemble.tar.gz', false),
      ],
      OutputDataConfig: { S3OutputPath: 's3://bucket/mmh/automl/output' },
      ResourceConfig: { InstanceType: 'ml.m5.2xlarge', InstanceCount: 1, VolumeSizeInGB: 30 },
      StoppingCondition: { MaxRuntimeInSeconds: 3600 },
    });
    // A re-run with the same prefix gets another name.
    const again = await trainer().startTraining(rows, { label: 'outcome', jobName: 'job-1' });
    assert.notEqual(again, name);
  });

  it("resolves the training image from the region's published registry (SageMaker Python SDK image_uri_config/autogluon.json)", () => {
    assert.equal(autoGluonImageUri('us-east-1'), '763104351884.dkr.ecr.us-east-1.amazonaws.com/autogluon-training:0.4.3-cpu-py38');
    assert.equal(autoGluonImageUri('af-south-1'), '626614931356.dkr.ecr.af-south-1.amazonaws.com/autogluon-training:0.4.3-cpu-py38');
    assert.equal(autoGluonImageUri('me-south-1', '0.4.3-gpu-py38'), '217643126080.dkr.ecr.me-south-1.amazonaws.com/autogluon-training:0.4.3-gpu-py38');
    assert.throws(
      () => autoGluonImageUri('xx-nowhere-1'),
      (e: unknown) => (e as { code: string }).code === 'invalid-config',
    );
    assert.equal(uniqueJobName('a'.repeat(80), new Date('2026-01-02T03:04:05Z'), 'beef'), `${'a'.repeat(43)}-20260102030405-beef`);
    assert.ok(uniqueJobName('a'.repeat(80)).length <= 63);
  });

  it('polls DescribeTrainingJob until completion and returns the model artefact', async () => {
    smMock
      .on(DescribeTrainingJobCommand)
      .resolvesOnce({ TrainingJobStatus: 'InProgress' } as never)
      .resolvesOnce({ TrainingJobStatus: 'InProgress' } as never)
      .resolves({ TrainingJobStatus: 'Completed', ModelArtifacts: { S3ModelArtifacts: 's3://bucket/mmh/automl/output/job-1/output/model.tar.gz' } } as never);
    const r = await trainer().waitForTraining('job-1', { pollMs: 10 });
    assert.deepEqual(r, { jobName: 'job-1', status: 'Completed', modelArtifacts: 's3://bucket/mmh/automl/output/job-1/output/model.tar.gz' });
    const calls = smMock.commandCalls(DescribeTrainingJobCommand);
    assert.equal(calls.length, 3);
    assert.deepEqual(calls[0]!.args[0].input, { TrainingJobName: 'job-1' });
  });

  it('reports failures and time-outs; maps a refused job to a backend error', async () => {
    smMock.on(DescribeTrainingJobCommand).resolves({ TrainingJobStatus: 'Failed', FailureReason: 'ClientError: no data in channel training' } as never);
    assert.deepEqual(await trainer().waitForTraining('job-2', { pollMs: 10 }), { jobName: 'job-2', status: 'Failed', failureReason: 'ClientError: no data in channel training' });
    smMock.on(DescribeTrainingJobCommand).resolves({ TrainingJobStatus: 'InProgress' } as never);
    await assert.rejects(trainer().waitForTraining('job-3', { pollMs: 10, timeoutMs: 30 }), (e: unknown) => (e as { code: string }).code === 'timeout');
    s3Mock.on(PutObjectCommand).resolves({});
    smMock.on(CreateTrainingJobCommand).rejects(Object.assign(new Error('Could not assume role'), { name: 'ValidationException' }));
    await assert.rejects(
      trainer().startTraining(rows, { label: 'outcome', jobName: 'job-4' }),
      (e: unknown) => (e as { code: string }).code === 'backend' && /ValidationException/.test((e as Error).message),
    );
    await assert.rejects(trainer().startTraining(rows, { label: 'outcome', jobName: 'bad name!' }), /must be 1–63 letters/);
  });
});
