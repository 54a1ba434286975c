/**
 * SageMaker real-time hosting for a trained model: CreateModel → CreateEndpointConfig → CreateEndpoint, polling
 * DescribeEndpoint until the endpoint is InService (or Failed), InvokeEndpoint through the SageMaker runtime client,
 * and DeleteEndpoint / DeleteEndpointConfig / DeleteModel to clean up (an endpoint bills by the hour until deleted).
 *
 * Two payload shapes are supported. `invokeJson` sends this library's JSON contract (`{ instances: [...] }`, see
 * `serve.ts`) to a container that implements it (our model server in a container of your own: `GET /ping` and
 * `POST /invocations` on port 8080, the model folder from `/opt/ml/model`). `invokeCsv` sends headerless CSV rows
 * (features in training order, no label) as the built-in AutoGluon-Tabular inference container expects; the image,
 * script and environment for that container are spelled out in {@link autoGluonInferenceContainer} and, like the
 * training URIs, are the JumpStart defaults rather than values verified against a live account.
 */
import type { ContainerDefinition, CreateEndpointConfigCommandInput, CreateModelCommandInput, EndpointStatus, ProductionVariantInstanceType, SageMakerClient } from '@aws-sdk/client-sagemaker';
import {
  CreateEndpointCommand,
  CreateEndpointConfigCommand,
  CreateModelCommand,
  DeleteEndpointCommand,
  DeleteEndpointConfigCommand,
  DeleteModelCommand,
  DescribeEndpointCommand,
} from '@aws-sdk/client-sagemaker';
import type { SageMakerRuntimeClient } from '@aws-sdk/client-sagemaker-runtime';
import { InvokeEndpointCommand } from '@aws-sdk/client-sagemaker-runtime';
import { HealthDataError } from '../../errors';
import type { ProgressReporter } from '../../progress';
import { silentProgress } from '../../progress';
import type { TabularData } from '../types';
import { toLabelFirstCsv } from './csv';

/** The container of a SageMaker model: image, model tarball and environment. */
export interface EndpointContainer {
  /** Inference image URI (ECR). */
  readonly image: string;
  /** S3 URI of model.tar.gz (e.g. a training job's artefact). */
  readonly modelDataUrl?: string;
  /** Environment variables of the container. */
  readonly environment?: Readonly<Record<string, string>>;
}

/**
 * The built-in AutoGluon-Tabular inference container for a model trained by {@link SageMakerAutoGluon}: the JumpStart
 * inference image and inference script, with the training job's `model.tar.gz`.
 *
 * @param region - AWS region
 * @param modelDataUrl - the training job's model artefact URI
 * @param problem - 'classification' or 'regression'
 * @param imageTag - image tag (unverified default, as for training; check the JumpStart model spec)
 * @returns the container definition
 */
export function autoGluonInferenceContainer(region: string, modelDataUrl: string, problem: 'classification' | 'regression' = 'classification', imageTag = '0.4.3-cpu-py38'): EndpointContainer {
  const script = `s3://jumpstart-cache-prod-${region}/source-directory-tarballs/autogluon/inference/${problem}/v1.0.0/sourcedir.tar.gz`;
  return {
    image: `763104351884.dkr.ecr.${region}.amazonaws.com/autogluon-inference:${imageTag}`,
    modelDataUrl,
    environment: { SAGEMAKER_PROGRAM: 'inference.py', SAGEMAKER_SUBMIT_DIRECTORY: script, SAGEMAKER_CONTAINER_LOG_LEVEL: '20', SAGEMAKER_REGION: region },
  };
}

/** Options of {@link SageMakerEndpoints}. */
export interface SageMakerEndpointsOptions {
  /** SageMaker control-plane client. */
  readonly sagemaker: SageMakerClient;
  /** SageMaker runtime client (InvokeEndpoint). */
  readonly runtime: SageMakerRuntimeClient;
  /** IAM role the model's container runs as (reads the model tarball, pulls the image). */
  readonly roleArn: string;
  /** Sleep function for polling (tests pass an instant one). */
  readonly sleep?: (ms: number) => Promise<void>;
}

/** Options of {@link SageMakerEndpoints.deploy}. */
export interface DeployEndpointOptions {
  /** Endpoint name (1–63 letters, digits, hyphens); the model and config get `-model` / `-config` suffixes unless named. */
  readonly endpointName: string;
  /** The model's container. */
  readonly container: EndpointContainer;
  /** Model name (default `<endpointName>-model`). */
  readonly modelName?: string;
  /** Endpoint config name (default `<endpointName>-config`). */
  readonly endpointConfigName?: string;
  /** Instance type (default ml.m5.large). */
  readonly instanceType?: string;
  /** Instances (default 1). */
  readonly instanceCount?: number;
  /** Production variant name (default AllTraffic, as the Python SDK names it). */
  readonly variantName?: string;
}

/** The three names a deployment creates. */
export interface DeployedEndpoint {
  /** Endpoint name. */
  readonly endpointName: string;
  /** Endpoint config name. */
  readonly endpointConfigName: string;
  /** Model name. */
  readonly modelName: string;
}

/** The final state of an endpoint after {@link SageMakerEndpoints.waitForEndpoint}. */
export interface EndpointWaitResult {
  /** Endpoint name. */
  readonly endpointName: string;
  /** InService or Failed (or OutOfService / UpdateRollbackFailed). */
  readonly status: EndpointStatus;
  /** Why it failed (when it did). */
  readonly failureReason?: string;
}

/** A raw InvokeEndpoint answer. */
export interface EndpointResponse {
  /** Response body as text. */
  readonly body: string;
  /** Response content type. */
  readonly contentType?: string;
  /** Production variant that answered. */
  readonly invokedProductionVariant?: string;
}

const ENDPOINT_NAME = /^[a-zA-Z0-9](-*[a-zA-Z0-9]){0,62}$/;
const TERMINAL: ReadonlySet<string> = new Set(['InService', 'Failed', 'OutOfService', 'UpdateRollbackFailed']);

function checkName(what: string, name: string): void {
  if (!ENDPOINT_NAME.test(name)) {
    throw new HealthDataError('invalid-input', `SageMakerEndpoints.deploy: ${what} ${JSON.stringify(name)} must be 1–63 letters, digits or hyphens`, { path: what });
  }
}

function backendError(op: string, name: string, e: unknown): HealthDataError {
  const err = e as { name?: string; message?: string };
  return new HealthDataError('backend', `SageMakerEndpoints: ${op} failed for ${name}: ${err.name ?? 'Error'}: ${err.message ?? String(e)}`, { cause: e });
}

/** The three request inputs of a deployment. */
export interface EndpointDeploymentInputs {
  /** CreateModel input. */
  readonly model: CreateModelCommandInput;
  /** CreateEndpointConfig input. */
  readonly config: CreateEndpointConfigCommandInput;
  /** CreateEndpoint input. */
  readonly endpoint: { readonly EndpointName: string; readonly EndpointConfigName: string };
}

/**
 * The CreateModel, CreateEndpointConfig and CreateEndpoint inputs of a deployment (what
 * {@link SageMakerEndpoints.deploy} sends); pure, so a notebook on the local backend can show them.
 *
 * @param roleArn - the model's execution role
 * @param options - names, container, instances
 * @returns the three inputs
 * @throws {@link HealthDataError} (invalid-input) for bad names or an instance count below 1
 */
export function endpointDeploymentInputs(roleArn: string, options: DeployEndpointOptions): EndpointDeploymentInputs {
  const modelName = options.modelName ?? `${options.endpointName}-model`;
  const endpointConfigName = options.endpointConfigName ?? `${options.endpointName}-config`;
  checkName('endpointName', options.endpointName);
  checkName('modelName', modelName);
  checkName('endpointConfigName', endpointConfigName);
  const count = options.instanceCount ?? 1;
  if (!Number.isInteger(count) || count < 1) {
    throw new HealthDataError('invalid-input', `SageMakerEndpoints.deploy: instanceCount ${String(count)} must be an integer ≥ 1`, { path: 'instanceCount' });
  }
  const c = options.container;
  const container: ContainerDefinition = {
    Image: c.image,
    ...(c.modelDataUrl === undefined ? {} : { ModelDataUrl: c.modelDataUrl }),
    ...(c.environment === undefined ? {} : { Environment: { ...c.environment } }),
  };
  return {
    model: { ModelName: modelName, ExecutionRoleArn: roleArn, PrimaryContainer: container },
    config: {
      EndpointConfigName: endpointConfigName,
      ProductionVariants: [
        {
          VariantName: options.variantName ?? 'AllTraffic',
          ModelName: modelName,
          InitialInstanceCount: count,
          InstanceType: (options.instanceType ?? 'ml.m5.large') as ProductionVariantInstanceType,
          InitialVariantWeight: 1,
        },
      ],
    },
    endpoint: { EndpointName: options.endpointName, EndpointConfigName: endpointConfigName },
  };
}

/** Deploys, invokes and deletes SageMaker real-time endpoints. */
export class SageMakerEndpoints {
  private readonly opts: SageMakerEndpointsOptions;

  /**
   * @param options - clients and the execution role
   * @throws {@link HealthDataError} (invalid-config) when the role is empty
   */
  constructor(options: SageMakerEndpointsOptions) {
    if (options.roleArn === '') {
      throw new HealthDataError('invalid-config', 'SageMakerEndpoints: roleArn is empty; set MMH_ROLE_ARN to a role SageMaker can assume', { path: 'aws.roleArn' });
    }
    this.opts = options;
  }

  /**
   * The three request inputs of a deployment (see {@link endpointDeploymentInputs}).
   *
   * @param options - names, container, instances
   * @returns CreateModel, CreateEndpointConfig and CreateEndpoint inputs
   * @throws {@link HealthDataError} (invalid-input) for bad names or an instance count below 1
   */
  deploymentInputs(options: DeployEndpointOptions): EndpointDeploymentInputs {
    return endpointDeploymentInputs(this.opts.roleArn, options);
  }

  /**
   * Creates the model, the endpoint config and the endpoint (creation continues on AWS; wait with
   * {@link SageMakerEndpoints.waitForEndpoint}).
   *
   * @param options - names, container, instances
   * @returns the names created
   * @throws {@link HealthDataError} (invalid-input) for bad names; (backend) when SageMaker refuses a step (the steps before it are not rolled back: call `deleteEndpoint` to clean up)
   */
  async deploy(options: DeployEndpointOptions): Promise<DeployedEndpoint> {
    const inputs = this.deploymentInputs(options);
    const sm = this.opts.sagemaker;
    const names: DeployedEndpoint = { endpointName: options.endpointName, endpointConfigName: inputs.config.EndpointConfigName as string, modelName: inputs.model.ModelName as string };
    try {
      await sm.send(new CreateModelCommand(inputs.model));
    } catch (e) {
      throw backendError('CreateModel', names.modelName, e);
    }
    try {
      await sm.send(new CreateEndpointConfigCommand(inputs.config));
    } catch (e) {
      throw backendError('CreateEndpointConfig', names.endpointConfigName, e);
    }
    try {
      await sm.send(new CreateEndpointCommand(inputs.endpoint));
    } catch (e) {
      throw backendError('CreateEndpoint', names.endpointName, e);
    }
    return names;
  }

  /**
   * Polls DescribeEndpoint until the endpoint leaves Creating/Updating (SageMaker takes several minutes).
   *
   * @param endpointName - the endpoint
   * @param options - poll interval (default 30 s), overall timeout (default 1 h), progress
   * @returns the final status and failure reason
   * @throws {@link HealthDataError} (timeout) when still creating after `timeoutMs`; (not-found) when the endpoint does not exist
   */
  async waitForEndpoint(endpointName: string, options: { readonly pollMs?: number; readonly timeoutMs?: number; readonly progress?: ProgressReporter } = {}): Promise<EndpointWaitResult> {
    const sleep = this.opts.sleep ?? ((ms: number) => new Promise<void>((r) => setTimeout(r, ms)));
    const pollMs = options.pollMs ?? 30000;
    const maxPolls = Math.max(1, Math.ceil((options.timeoutMs ?? 3600 * 1000) / pollMs));
    const task = (options.progress ?? silentProgress).start(`SageMaker endpoint ${endpointName}`, 0);
    for (let i = 0; i < maxPolls; i++) {
      let d;
      try {
        d = await this.opts.sagemaker.send(new DescribeEndpointCommand({ EndpointName: endpointName }));
      } catch (e) {
        task.finish('error');
        const err = e as { name?: string; message?: string };
        if (err.name === 'ValidationException' && /could not find/i.test(err.message ?? '')) {
          throw new HealthDataError('not-found', `SageMakerEndpoints.waitForEndpoint: no endpoint named ${endpointName}; deploy it first`, { path: 'endpointName', cause: e });
        }
        throw backendError('DescribeEndpoint', endpointName, e);
      }
      const status = d.EndpointStatus;
      task.update(i + 1);
      if (status !== undefined && TERMINAL.has(status)) {
        task.finish(status);
        return { endpointName, status, ...(d.FailureReason === undefined ? {} : { failureReason: d.FailureReason }) };
      }
      await sleep(pollMs);
    }
    task.finish('timed out');
    throw new HealthDataError(
      'timeout',
      `SageMakerEndpoints.waitForEndpoint: ${endpointName} still not in service after ${String(maxPolls)} polls; call waitForEndpoint again or check the SageMaker console`,
    );
  }

  /**
   * Sends one InvokeEndpoint request.
   *
   * @param endpointName - the endpoint
   * @param request - body, content type, accept, and (multi-model endpoints) the target model
   * @returns the response body as text, its content type and the variant that answered
   * @throws {@link HealthDataError} (invalid-input) when the container refused the request (ModelError with a 4xx); (backend) otherwise
   */
  async invoke(
    endpointName: string,
    request: { readonly body: string | Uint8Array; readonly contentType: string; readonly accept?: string; readonly targetModel?: string },
  ): Promise<EndpointResponse> {
    let out;
    try {
      out = await this.opts.runtime.send(
        new InvokeEndpointCommand({
          EndpointName: endpointName,
          Body: typeof request.body === 'string' ? new TextEncoder().encode(request.body) : request.body,
          ContentType: request.contentType,
          ...(request.accept === undefined ? {} : { Accept: request.accept }),
          ...(request.targetModel === undefined ? {} : { TargetModel: request.targetModel }),
        }),
      );
    } catch (e) {
      const err = e as { name?: string; message?: string; OriginalStatusCode?: number };
      // A container's own 4xx comes back as ModelError with its status: the request, not the service, is at fault.
      if (err.name === 'ModelError' && err.OriginalStatusCode !== undefined && err.OriginalStatusCode >= 400 && err.OriginalStatusCode < 500) {
        throw new HealthDataError('invalid-input', `SageMakerEndpoints.invoke: ${endpointName} refused the request (${String(err.OriginalStatusCode)}): ${err.message ?? ''}`, { cause: e });
      }
      throw backendError('InvokeEndpoint', endpointName, e);
    }
    return {
      body: new TextDecoder().decode(out.Body),
      ...(out.ContentType === undefined ? {} : { contentType: out.ContentType }),
      ...(out.InvokedProductionVariant === undefined ? {} : { invokedProductionVariant: out.InvokedProductionVariant }),
    };
  }

  /**
   * Predicts with a container that implements this library's JSON contract (see `serve.ts`).
   *
   * @param endpointName - the endpoint
   * @param instances - rows of column → value
   * @param targetModel - model name on a multi-model endpoint (sent as TargetModel)
   * @returns the parsed `{ model, predictions }` answer
   * @throws {@link HealthDataError} (backend) when the answer is not that JSON
   */
  async invokeJson(
    endpointName: string,
    instances: readonly Readonly<Record<string, unknown>>[],
    targetModel?: string,
  ): Promise<{ model: string; predictions: { label: unknown; probabilities: Record<string, number> }[] }> {
    const r = await this.invoke(endpointName, {
      body: JSON.stringify({ instances }),
      contentType: 'application/json',
      accept: 'application/json',
      ...(targetModel === undefined ? {} : { targetModel }),
    });
    let parsed: unknown;
    try {
      parsed = JSON.parse(r.body);
    } catch (e) {
      throw new HealthDataError(
        'backend',
        `SageMakerEndpoints.invokeJson: ${endpointName} answered ${r.contentType ?? 'no content type'} that is not JSON; is the container this library's model server?`,
        { cause: e },
      );
    }
    if (typeof parsed !== 'object' || parsed === null || !Array.isArray((parsed as { predictions?: unknown }).predictions)) {
      throw new HealthDataError('backend', `SageMakerEndpoints.invokeJson: ${endpointName} answered JSON without a "predictions" array; is the container this library's model server?`);
    }
    return parsed as { model: string; predictions: { label: unknown; probabilities: Record<string, number> }[] };
  }

  /**
   * Predicts with the built-in AutoGluon-Tabular container: headerless CSV of the feature columns in training order.
   *
   * @param endpointName - the endpoint
   * @param rows - rows with the feature columns
   * @param features - feature columns in training order
   * @param accept - response type (default `application/json`)
   * @returns the container's answer, parsed when JSON (its shape is the container's, e.g. `{ probabilities: [...] }`)
   */
  async invokeCsv(endpointName: string, rows: TabularData, features: readonly string[], accept = 'application/json'): Promise<unknown> {
    const r = await this.invoke(endpointName, { body: toLabelFirstCsv(rows, undefined, features), contentType: 'text/csv', accept });
    return (r.contentType ?? '').includes('json') ? (JSON.parse(r.body) as unknown) : r.body;
  }

  /**
   * Deletes the endpoint, then its config and model (each skipped when not given). Missing resources are not an
   * error, so clean-up can be re-run.
   *
   * @param deployed - names from {@link SageMakerEndpoints.deploy} (config and model optional)
   * @returns the names actually deleted
   * @throws {@link HealthDataError} (backend) on any other failure
   */
  async deleteEndpoint(deployed: { readonly endpointName: string; readonly endpointConfigName?: string; readonly modelName?: string }): Promise<string[]> {
    const deleted: string[] = [];
    const sm = this.opts.sagemaker;
    const attempt = async (op: string, name: string, send: () => Promise<unknown>): Promise<void> => {
      try {
        await send();
        deleted.push(name);
      } catch (e) {
        const err = e as { name?: string; message?: string };
        if (!(err.name === 'ValidationException' && /could not find|does not exist/i.test(err.message ?? ''))) {
          throw backendError(op, name, e);
        }
      }
    };
    await attempt('DeleteEndpoint', deployed.endpointName, () => sm.send(new DeleteEndpointCommand({ EndpointName: deployed.endpointName })));
    if (deployed.endpointConfigName !== undefined) {
      const name = deployed.endpointConfigName;
      await attempt('DeleteEndpointConfig', name, () => sm.send(new DeleteEndpointConfigCommand({ EndpointConfigName: name })));
    }
    if (deployed.modelName !== undefined) {
      const name = deployed.modelName;
      await attempt('DeleteModel', name, () => sm.send(new DeleteModelCommand({ ModelName: name })));
    }
    return deleted;
  }
}
