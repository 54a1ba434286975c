/**
 * Builds the workspace's `features` handle for the configured backend. Cheap: nothing is opened or called until
 * first use (constructing the SDK clients makes no request).
 */
import * as path from 'node:path';
import { SageMakerClient } from '@aws-sdk/client-sagemaker';
import { SageMakerFeatureStoreRuntimeClient } from '@aws-sdk/client-sagemaker-featurestore-runtime';
import { HealthDataError } from '../errors';
import type { WorkspaceCore } from '../workspace-core';
import { AwsFeatureStore } from './aws/aws-feature-store';
import { LocalFeatureStore } from './local/local-feature-store';
import type { FeatureStore } from './store';

/**
 * Creates the feature store handle of a workspace (`ws.features`).
 *
 * @param core - the workspace core
 * @returns the store for the workspace's backend
 * @throws {@link HealthDataError} (invalid-config) when the local backend has no DuckDB engine
 */
export function createFeatureStore(core: WorkspaceCore): FeatureStore {
  if (core.backend === 'local') {
    if (core.duckdb === undefined) {
      throw new HealthDataError('invalid-config', 'createFeatureStore: the local backend has no DuckDB engine');
    }
    return new LocalFeatureStore({ engine: core.duckdb, dir: path.join(core.config.dir, 'feature-store'), progress: core.progress });
  }
  const aws = core.config.aws;
  const sagemaker = new SageMakerClient({ region: aws.region });
  const runtime = new SageMakerFeatureStoreRuntimeClient({ region: aws.region });
  core.onClose(() => {
    sagemaker.destroy();
    runtime.destroy();
  });
  return new AwsFeatureStore({
    sagemaker,
    runtime,
    sql: core.sql,
    progress: core.progress,
    offlineS3Uri: `${aws.s3Uri ?? ''}feature-store/`,
    database: aws.athenaDatabase,
    ...(aws.roleArn === undefined ? {} : { roleArn: aws.roleArn }),
  });
}
