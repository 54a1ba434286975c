/**
 * The workspace's `automl` handle: predictors whose models live under `ws.path('models')`, and (on the aws
 * backend) the SageMaker AutoGluon trainer with clients created on first use and destroyed on close.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { S3Client } from '@aws-sdk/client-s3';
import { SageMakerClient } from '@aws-sdk/client-sagemaker';
import { HealthDataError } from '../errors';
import type { WorkspaceCore } from '../workspace';
import { SageMakerAutoGluon } from './aws/sagemaker-autogluon';
import { PREDICTOR_JSON, loadPredictor } from './persist';
import type { PredictorOptions } from './predictor';
import { TabularPredictor } from './predictor';

/** Options of {@link AutomlHandle.createPredictor}: the predictor options, with a model name instead of a path. */
export type CreatePredictorOptions = Omit<PredictorOptions, 'path'> & {
  /** Model name: the predictor saves to `models/<name>` (default: the label). */
  readonly name?: string;
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
  const dirOf = (name: string): string => {
    if (!SAFE_NAME.test(name)) {
      throw new HealthDataError('invalid-input', `automl: model name ${JSON.stringify(name)} must be letters, digits, dot, dash or underscore (≤ 128)`, { path: 'name' });
    }
    return path.join(modelsDir, name);
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
    listModels() {
      if (!fs.existsSync(modelsDir)) {
        return [];
      }
      return fs
        .readdirSync(modelsDir)
        .filter((d) => fs.existsSync(path.join(modelsDir, d, PREDICTOR_JSON)))
        .sort();
    },
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
        const sagemaker = new SageMakerClient({ region });
        core.onClose(() => {
          s3.destroy();
          sagemaker.destroy();
        });
        trainer = new SageMakerAutoGluon({ s3, sagemaker, region, roleArn, s3Uri });
      }
      return trainer;
    },
  };
}
