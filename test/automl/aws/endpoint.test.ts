import assert from 'node:assert/strict';
import {
  CreateEndpointCommand,
  CreateEndpointConfigCommand,
  CreateModelCommand,
  DeleteEndpointCommand,
  DeleteEndpointConfigCommand,
  DeleteModelCommand,
  DescribeEndpointCommand,
  SageMakerClient,
} from '@aws-sdk/client-sagemaker';
import { InvokeEndpointCommand, SageMakerRuntimeClient } from '@aws-sdk/client-sagemaker-runtime';
import { mockClient } from 'aws-sdk-client-mock';
import { suiteMock } from '../../aws/suite-mock';
import { SageMakerEndpoints, autoGluonInferenceContainer } from '../../../src/automl/aws/sagemaker-endpoint';

const ROLE = 'arn:aws:iam::123456789012:role/mmh-sagemaker';
const encode = (s: string): Uint8Array => new TextEncoder().encode(s);

describe('automl SageMaker endpoints (CreateModel / CreateEndpointConfig / CreateEndpoint / InvokeEndpoint / Delete*)', () => {
  const smMock = suiteMock(() => mockClient(SageMakerClient));
  const rtMock = suiteMock(() => mockClient(SageMakerRuntimeClient));
  beforeEach(() => {
    smMock.reset();
    rtMock.reset();
  });

  function endpoints(): SageMakerEndpoints {
    return new SageMakerEndpoints({
      sagemaker: new SageMakerClient({ region: 'eu-west-1' }),
      runtime: new SageMakerRuntimeClient({ region: 'eu-west-1' }),
      roleArn: ROLE,
      sleep: () => Promise.resolve(),
    });
  }

  it('deploys with the exact three commands, in order', async () => {
    smMock.on(CreateModelCommand).resolves({ ModelArn: 'arn:model' });
    smMock.on(CreateEndpointConfigCommand).resolves({ EndpointConfigArn: 'arn:config' });
    smMock.on(CreateEndpointCommand).resolves({ EndpointArn: 'arn:endpoint' });
    const container = autoGluonInferenceContainer('eu-west-1', 's3://bucket/mmh/automl/output/job-1/output/model.tar.gz');
    const deployed = await endpoints().deploy({ endpointName: 'mmh-hypertension', container, instanceType: 'ml.m5.xlarge' });
    assert.deepEqual(deployed, { endpointName: 'mmh-hypertension', endpointConfigName: 'mmh-hypertension-config', modelName: 'mmh-hypertension-model' });
    assert.deepEqual(
      smMock.calls().map((c) => (c.args[0] as { constructor: { name: string } }).constructor.name),
      ['CreateModelCommand', 'CreateEndpointConfigCommand', 'CreateEndpointCommand'],
    );
    assert.deepEqual(smMock.commandCalls(CreateModelCommand)[0]!.args[0].input, {
      ModelName: 'mmh-hypertension-model',
      ExecutionRoleArn: ROLE,
      PrimaryContainer: {
        Image: '763104351884.dkr.ecr.eu-west-1.amazonaws.com/autogluon-inference:0.4.3-cpu-py38',
        ModelDataUrl: 's3://bucket/mmh/automl/output/job-1/output/model.tar.gz',
        Environment: {
          SAGEMAKER_PROGRAM: 'inference.py',
          SAGEMAKER_SUBMIT_DIRECTORY: 's3://jumpstart-cache-prod-eu-west-1/source-directory-tarballs/autogluon/inference/classification/v1.0.0/sourcedir.tar.gz',
          SAGEMAKER_CONTAINER_LOG_LEVEL: '20',
          SAGEMAKER_REGION: 'eu-west-1',
        },
      },
    });
    assert.deepEqual(smMock.commandCalls(CreateEndpointConfigCommand)[0]!.args[0].input, {
      EndpointConfigName: 'mmh-hypertension-config',
      ProductionVariants: [{ VariantName: 'AllTraffic', ModelName: 'mmh-hypertension-model', InitialInstanceCount: 1, InstanceType: 'ml.m5.xlarge', InitialVariantWeight: 1 }],
    });
    assert.deepEqual(smMock.commandCalls(CreateEndpointCommand)[0]!.args[0].input, { EndpointName: 'mmh-hypertension', EndpointConfigName: 'mmh-hypertension-config' });
  });

  it('refuses bad names before calling AWS, and reports the step SageMaker refused', async () => {
    await assert.rejects(endpoints().deploy({ endpointName: 'bad_name', container: { image: 'img' } }), /endpointName "bad_name" must be 1–63/);
    await assert.rejects(endpoints().deploy({ endpointName: 'ok', container: { image: 'img' }, instanceCount: 0 }), /instanceCount 0/);
    assert.equal(smMock.calls().length, 0);
    smMock.on(CreateModelCommand).resolves({});
    smMock.on(CreateEndpointConfigCommand).rejects(Object.assign(new Error('Cannot create already existing endpoint configuration'), { name: 'ValidationException' }));
    await assert.rejects(
      endpoints().deploy({ endpointName: 'ep', container: { image: 'img' } }),
      (e: unknown) => (e as { code: string }).code === 'backend' && /CreateEndpointConfig failed for ep-config: ValidationException/.test((e as Error).message),
    );
    assert.equal(smMock.commandCalls(CreateEndpointCommand).length, 0);
    // A container without model data or environment sends just the image.
    assert.deepEqual(endpoints().deploymentInputs({ endpointName: 'ep', container: { image: 'img' } }).model, { ModelName: 'ep-model', ExecutionRoleArn: ROLE, PrimaryContainer: { Image: 'img' } });
    assert.throws(() => new SageMakerEndpoints({ sagemaker: new SageMakerClient({}), runtime: new SageMakerRuntimeClient({}), roleArn: '' }), /roleArn is empty/);
  });

  it('polls DescribeEndpoint until InService, returns Failed with its reason, times out, maps a missing endpoint', async () => {
    smMock
      .on(DescribeEndpointCommand)
      .resolvesOnce({ EndpointStatus: 'Creating' } as never)
      .resolvesOnce({ EndpointStatus: 'Creating' } as never)
      .resolves({ EndpointStatus: 'InService' } as never);
    assert.deepEqual(await endpoints().waitForEndpoint('ep', { pollMs: 5 }), { endpointName: 'ep', status: 'InService' });
    const calls = smMock.commandCalls(DescribeEndpointCommand);
    assert.equal(calls.length, 3);
    assert.ok(calls.every((c) => JSON.stringify(c.args[0].input) === JSON.stringify({ EndpointName: 'ep' })));
    smMock.reset();
    smMock.on(DescribeEndpointCommand).resolves({ EndpointStatus: 'Failed', FailureReason: 'The primary container for production variant AllTraffic did not pass the ping health check.' } as never);
    assert.deepEqual(await endpoints().waitForEndpoint('ep', { pollMs: 5 }), {
      endpointName: 'ep',
      status: 'Failed',
      failureReason: 'The primary container for production variant AllTraffic did not pass the ping health check.',
    });
    smMock.reset();
    smMock.on(DescribeEndpointCommand).resolves({ EndpointStatus: 'Creating' } as never);
    await assert.rejects(endpoints().waitForEndpoint('ep', { pollMs: 10, timeoutMs: 30 }), (e: unknown) => (e as { code: string }).code === 'timeout');
    assert.equal(smMock.commandCalls(DescribeEndpointCommand).length, 3);
    smMock.reset();
    smMock.on(DescribeEndpointCommand).rejects(Object.assign(new Error('Could not find endpoint "arn:aws:sagemaker:eu-west-1:123456789012:endpoint/ep".'), { name: 'ValidationException' }));
    await assert.rejects(endpoints().waitForEndpoint('ep'), (e: unknown) => (e as { code: string }).code === 'not-found');
  });

  it('invokes with the JSON contract and with CSV, sending the exact InvokeEndpoint input', async () => {
    const answer = { model: 'hypertension', predictions: [{ label: 1, probabilities: { '0': 0.2, '1': 0.8 } }] };
    rtMock.on(InvokeEndpointCommand).resolvesOnce({ Body: encode(JSON.stringify(answer)), ContentType: 'application/json; charset=utf-8', InvokedProductionVariant: 'AllTraffic' } as never);
    const got = await endpoints().invokeJson('ep', [{ age: 61, sex: 'F' }], 'hypertension');
    assert.deepEqual(got, answer);
    const input = rtMock.commandCalls(InvokeEndpointCommand)[0]!.args[0].input;
    assert.deepEqual(
      { ...input, Body: new TextDecoder().decode(input.Body as Uint8Array) },
      {
        EndpointName: 'ep',
        Body: '{"instances":[{"age":61,"sex":"F"}]}',
        ContentType: 'application/json',
        Accept: 'application/json',
        TargetModel: 'hypertension',
      },
    );
    rtMock.reset();
    rtMock.on(InvokeEndpointCommand).resolves({ Body: encode('{"probabilities": [[0.3, 0.7]]}'), ContentType: 'application/json' } as never);
    assert.deepEqual(await endpoints().invokeCsv('ep', [{ sex: 'F', age: 61, label: 1 }], ['age', 'sex']), { probabilities: [[0.3, 0.7]] });
    const csvInput = rtMock.commandCalls(InvokeEndpointCommand)[0]!.args[0].input;
    assert.deepEqual({ ...csvInput, Body: new TextDecoder().decode(csvInput.Body as Uint8Array) }, { EndpointName: 'ep', Body: '61,F\n', ContentType: 'text/csv', Accept: 'application/json' });
  });

  it('maps a container 4xx to invalid-input and a non-JSON answer to backend', async () => {
    rtMock.on(InvokeEndpointCommand).rejects(Object.assign(new Error('Received client error (400) from primary: missing column'), { name: 'ModelError', OriginalStatusCode: 400 }));
    await assert.rejects(endpoints().invokeJson('ep', [{}]), (e: unknown) => (e as { code: string }).code === 'invalid-input' && /refused the request \(400\)/.test((e as Error).message));
    rtMock.reset();
    rtMock.on(InvokeEndpointCommand).rejects(Object.assign(new Error('throttled'), { name: 'ThrottlingException' }));
    await assert.rejects(endpoints().invokeJson('ep', [{}]), (e: unknown) => (e as { code: string }).code === 'backend');
    rtMock.reset();
    rtMock.on(InvokeEndpointCommand).resolves({ Body: encode('0,0.7\n'), ContentType: 'text/csv' } as never);
    await assert.rejects(endpoints().invokeJson('ep', [{}]), /not JSON/);
    rtMock.reset();
    rtMock.on(InvokeEndpointCommand).resolves({ Body: encode('{"probabilities": []}'), ContentType: 'application/json' } as never);
    await assert.rejects(endpoints().invokeJson('ep', [{}]), /without a "predictions" array/);
  });

  it('deletes endpoint, config and model; already-deleted resources are skipped', async () => {
    smMock.on(DeleteEndpointCommand).resolves({});
    smMock.on(DeleteEndpointConfigCommand).rejects(Object.assign(new Error('Could not find endpoint configuration "ep-config".'), { name: 'ValidationException' }));
    smMock.on(DeleteModelCommand).resolves({});
    const deleted = await endpoints().deleteEndpoint({ endpointName: 'ep', endpointConfigName: 'ep-config', modelName: 'ep-model' });
    assert.deepEqual(deleted, ['ep', 'ep-model']);
    assert.deepEqual(smMock.commandCalls(DeleteEndpointCommand)[0]!.args[0].input, { EndpointName: 'ep' });
    assert.deepEqual(smMock.commandCalls(DeleteEndpointConfigCommand)[0]!.args[0].input, { EndpointConfigName: 'ep-config' });
    assert.deepEqual(smMock.commandCalls(DeleteModelCommand)[0]!.args[0].input, { ModelName: 'ep-model' });
    smMock.reset();
    smMock.on(DeleteEndpointCommand).rejects(Object.assign(new Error('access denied'), { name: 'AccessDeniedException' }));
    await assert.rejects(endpoints().deleteEndpoint({ endpointName: 'ep' }), /DeleteEndpoint failed for ep: AccessDeniedException/);
  });
});
