/**
 * The FeatureStore contract (feature-store.contract.ts) on both backends.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { AthenaClient } from '@aws-sdk/client-athena';
import { SageMakerClient } from '@aws-sdk/client-sagemaker';
import { SageMakerFeatureStoreRuntimeClient } from '@aws-sdk/client-sagemaker-featurestore-runtime';
import { AwsFeatureStore } from '../../src/features/aws/aws-feature-store';
import { LocalFeatureStore } from '../../src/features/local/local-feature-store';
import { silentProgress } from '../../src/progress';
import { AthenaEngine } from '../../src/sql/athena-engine';
import { DuckDbEngine } from '../../src/sql/duckdb-engine';
import { tmpDir } from '../helpers/tmp';
import { awsWorld, WORLD_ROLE, WORLD_S3_URI } from './aws-world';
import { describeFeatureStoreContract } from './feature-store.contract';

describeFeatureStoreContract('local (DuckDB + Parquet in a temporary folder)', async () => {
  const dir = tmpDir('contract-features-local');
  const engine = await DuckDbEngine.create({ path: path.join(dir, 'mmh.duckdb') });
  const store = new LocalFeatureStore({ engine, dir: path.join(dir, 'feature-store'), progress: silentProgress });
  return {
    store,
    sql: engine,
    close: async () => {
      await engine.close();
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
});

describe('FeatureStore contract on aws (SageMaker Feature Store, Glue and Athena fakes, real S3 over HTTP)', () => {
  const world = awsWorld();
  let run = 0;
  describeFeatureStoreContract('aws (SageMaker over aws-sdk-client-mock)', () => {
    world.featureStore.groups.clear();
    const athena = new AthenaClient({ region: 'us-east-1' });
    const sagemaker = new SageMakerClient({ region: 'us-east-1' });
    const runtime = new SageMakerFeatureStoreRuntimeClient({ region: 'us-east-1' });
    const sql = new AthenaEngine({ client: athena, workGroup: 'primary', database: 'multimodal_health', initialPollMs: 1 });
    const store = new AwsFeatureStore({ sagemaker, runtime, sql, progress: silentProgress, offlineS3Uri: `${WORLD_S3_URI}feature-store-${String(++run)}/`, roleArn: WORLD_ROLE });
    return Promise.resolve({
      store,
      sql,
      close: () => {
        for (const c of [athena, sagemaker, runtime]) {
          c.destroy();
        }
        return Promise.resolve();
      },
    });
  });
});
