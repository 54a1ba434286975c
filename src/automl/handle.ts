/**
 * The workspace's `automl` handle: predictors whose models live under `ws.path('models')`, a local HTTP model
 * server for them, and (on the aws backend) the SageMaker AutoGluon trainer and SageMaker endpoints, with clients
 * created on first use and destroyed on close.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { S3Client } from '@aws-sdk/client-s3';
import { SageMakerClient } from '@aws-sdk/client-sagemaker';
import { SageMakerRuntimeClient } from '@aws-sdk/client-sagemaker-runtime';
import { HealthDataError } from '../errors';
import type { WorkspaceCore } from '../workspace-core';
import { SageMakerAutoGluon } from './aws/sagemaker-autogluon';
import { SageMakerEndpoints } from './aws/sagemaker-endpoint';
import { PREDICTOR_JSON, loadPredictor } from './persist';
import type { PredictorOptions } from './predictor';
import { TabularPredictor } from './predictor';
import type { RunningModelServer, StartModelServerOptions } from './serve';
import { startModelServer } from './serve';

/** Options of {@link AutomlHandle.createPredictor}: the predictor options, with a model name instead of a path. */
export type CreatePredictorOptions = Omit<PredictorOptions, 'path'> & {
  /** Model name: the predictor saves to `models/<name>` (default: the label). */
  readonly name?: string;
};

/** Options of {@link AutomlHandle.serve}: which saved models, and the server options. */
export type ServeModelsOptions = Omit<StartModelServerOptions, 'models'> & {
  /** Saved model names to serve (default: every saved model). */
  readonly models?: readonly string[];
};

/** The `ws.automl` handle. */
export interface AutomlHandle {
  /** Folder holding saved models. */
  readonly modelsDir: string;
  /**
   * Creates a predictor that saves under the workspace's models folder, seeded and reporting progress like the
   * workspace.
   *
   * @param options - label, metric, name…
   * @returns the predictor (not fitted yet)
   */
  createPredictor(options: CreatePredictorOptions): TabularPredictor;
  /**
   * Loads a saved predictor by name (under models/) or by folder path.
   *
   * @param nameOrPath - model name or folder
   * @returns the predictor
   */
  loadPredictor(nameOrPath: string): TabularPredictor;
  /**
   * Names of the saved models.
   *
   * @returns sorted names
   */
  listModels(): string[];
  /**
   * The SageMaker AutoGluon-Tabular trainer (aws backend only).
   *
   * @returns the trainer
   */
  sagemaker(): SageMakerAutoGluon;
  /**
   * Serves saved models over HTTP (`GET /ping`, `POST /invocations`, …; see `serve.ts`). The server is closed with
   * the workspace if not before.
   *
   * @param options - model names (default all saved), host, port, limits
   * @returns the running server
   * @throws {@link HealthDataError} (not-found) when no model is saved or a named one is missing
   */
  serve(options?: ServeModelsOptions): Promise<RunningModelServer>;
  /**
   * SageMaker real-time endpoints: deploy, wait, invoke, delete (aws backend only).
   *
   * @returns the endpoint client
   */
  endpoints(): SageMakerEndpoints;
}

const SAFE_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/;

/**
 * Builds the handle from the workspace core. Cheap: nothing opens until used.
 *
 * @param core - the workspace core
 * @returns the handle
 */
export function createAutomlHandle(core: WorkspaceCore): AutomlHandle {
  const modelsDir = core.path('models');
  let trainer: SageMakerAutoGluon | undefined;
  let endpoints: SageMakerEndpoints | undefined;
  let sagemakerClient: SageMakerClient | undefined;
  const sagemakerOf = (region: string): SageMakerClient => {
    if (sagemakerClient === undefined) {
      const client = new SageMakerClient({ region });
      core.onClose(() => {
        client.destroy();
      });
      sagemakerClient = client;
    }
    return sagemakerClient;
  };
  const dirOf = (name: string): string => {
    if (!SAFE_NAME.test(name)) {
      throw new HealthDataError('invalid-input', `automl: model name ${JSON.stringify(name)} must be letters, digits, dot, dash or underscore (≤ 128)`, { path: 'name' });
    }
    return path.join(modelsDir, name);
  };
  const listModels = (): string[] => {
    if (!fs.existsSync(modelsDir)) {
      return [];
    }
    return fs
      .readdirSync(modelsDir)
      .filter((d) => fs.existsSync(path.join(modelsDir, d, PREDICTOR_JSON)))
      .sort();
  };
  return {
    modelsDir,
    createPredictor(options) {
      const { name, ...rest } = options;
      return new TabularPredictor({ seed: core.config.seed, progress: core.progress, ...rest, path: dirOf(name ?? options.label) });
    },
    loadPredictor(nameOrPath) {
      const dir = nameOrPath.includes('/') || nameOrPath.includes(path.sep) ? nameOrPath : dirOf(nameOrPath);
      return loadPredictor(dir, { progress: core.progress });
    },
    listModels,
    sagemaker() {
      if (core.backend !== 'aws') {
        throw new HealthDataError('unsupported', 'automl.sagemaker: the workspace backend is local; open the workspace with backend aws (MMH_BACKEND=aws) to train on SageMaker');
      }
      if (trainer === undefined) {
        const { region, roleArn, s3Uri } = core.config.aws;
        if (region === undefined || s3Uri === undefined || roleArn === undefined) {
          throw new HealthDataError('invalid-config', 'automl.sagemaker: AWS_REGION, MMH_S3_URI and MMH_ROLE_ARN must all be set to train on SageMaker', { path: 'aws' });
        }
        const s3 = new S3Client({ region });
        core.onClose(() => {
          s3.destroy();
        });
        trainer = new SageMakerAutoGluon({ s3, sagemaker: sagemakerOf(region), region, roleArn, s3Uri });
      }
      return trainer;
    },
    async serve(options = {}) {
      const { models: wanted, ...rest } = options;
      const names = wanted ?? listModels();
      if (names.length === 0) {
        throw new HealthDataError('not-found', `automl.serve: no saved model under ${modelsDir}; fit a predictor and call predictor.save() first (notebook 09 saves one per outcome)`, {
          path: 'models',
        });
      }
      const models = Object.fromEntries(names.map((n) => [n, loadPredictor(dirOf(n), { progress: core.progress })]));
      const server = await startModelServer({ ...rest, models });
      core.onClose(() => server.close());
      return server;
    },
    endpoints() {
      if (core.backend !== 'aws') {
        throw new HealthDataError(
          'unsupported',
          'automl.endpoints: the workspace backend is local; serve models locally with ws.automl.serve(), or open the workspace with backend aws (MMH_BACKEND=aws) for SageMaker endpoints',
        );
      }
      if (endpoints === undefined) {
        const { region, roleArn } = core.config.aws;
        if (region === undefined || roleArn === undefined) {
          throw new HealthDataError('invalid-config', 'automl.endpoints: AWS_REGION and MMH_ROLE_ARN must both be set to deploy SageMaker endpoints', { path: 'aws' });
        }
        const runtime = new SageMakerRuntimeClient({ region });
        core.onClose(() => {
          runtime.destroy();
        });
        endpoints = new SageMakerEndpoints({ sagemaker: sagemakerOf(region), runtime, roleArn });
      }
      return endpoints;
    },
  };
}
