/**
 * The FhirStore contract (fhir-store.contract.ts) on both backends.
 */
import * as path from 'node:path';
import { HealthLakeClient } from '@aws-sdk/client-healthlake';
import { AwsFhirStore } from '../../src/clinical/aws/aws-fhir-store';
import { LocalFhirStore } from '../../src/clinical/local/local-fhir-store';
import { silentProgress } from '../../src/progress';
import { DuckDbEngine } from '../../src/sql/duckdb-engine';
import { tmpDir } from '../helpers/tmp';
import { awsWorld, WORLD_ROLE, WORLD_S3_URI } from './aws-world';
import { describeFhirStoreContract } from './fhir-store.contract';
import * as fs from 'node:fs';

describeFhirStoreContract('local (DuckDB in a temporary workspace)', async () => {
  const dir = tmpDir('contract-fhir-local');
  const engine = await DuckDbEngine.create({ path: path.join(dir, 'mmh.duckdb') });
  const store = new LocalFhirStore({ engine, dir, progress: silentProgress, importThreads: 0 });
  return {
    store,
    close: async () => {
      await store.drain();
      await engine.close();
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
});

describe('FhirStore contract on aws (HealthLake fake, real S3 over HTTP)', () => {
  const world = awsWorld();
  let run = 0;
  describeFhirStoreContract('aws (HealthLake over aws-sdk-client-mock)', () => {
    // A fresh prefix per test, so every test starts with an empty workspace; the fake's datastores are cleared.
    world.healthlake.stores.clear();
    world.healthlake.jobs.length = 0;
    const healthlake = new HealthLakeClient({ region: 'us-east-1' });
    const store = new AwsFhirStore({ healthlake, s3: world.s3(), s3Uri: `${WORLD_S3_URI}fhir-${String(++run)}/`, roleArn: WORLD_ROLE, progress: silentProgress, queuePollMs: 1_000 });
    return Promise.resolve({
      store,
      close: () => {
        healthlake.destroy();
        return Promise.resolve();
      },
    });
  });
});
