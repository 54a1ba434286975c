/**
 * The ImagingStore contract (imaging-store.contract.ts) on both backends.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { MedicalImagingClient } from '@aws-sdk/client-medical-imaging';
import { AwsImagingStore } from '../../src/imaging/aws/datastore';
import { LocalImagingStore } from '../../src/imaging/local/datastore';
import { silentProgress } from '../../src/progress';
import { tmpDir } from '../helpers/tmp';
import { awsWorld, WORLD_ROLE, WORLD_S3_URI } from './aws-world';
import { describeImagingStoreContract } from './imaging-store.contract';

describeImagingStoreContract('local (files in a temporary folder)', () => {
  const dir = tmpDir('contract-imaging-local');
  const store = new LocalImagingStore({ root: path.join(dir, 'imaging'), progress: silentProgress });
  return Promise.resolve({
    store,
    output: { outputDir: path.join(dir, 'out') },
    close: () => {
      fs.rmSync(dir, { recursive: true, force: true });
      return Promise.resolve();
    },
  });
});

describe('ImagingStore contract on aws (HealthImaging fake, real S3 over HTTP)', () => {
  const world = awsWorld();
  let run = 0;
  describeImagingStoreContract('aws (HealthImaging over aws-sdk-client-mock)', () => {
    world.healthimaging.datastores.clear();
    const prefix = `${WORLD_S3_URI}imaging-${String(++run)}/`;
    const client = new MedicalImagingClient({ region: 'us-east-1' });
    const store = new AwsImagingStore({
      client: () => client,
      s3: () => world.s3(),
      roleArn: WORLD_ROLE,
      outputS3Uri: `${prefix}import-output/`,
      inputS3Uri: `${prefix}dicom-input/`,
      region: 'us-east-1',
    });
    return Promise.resolve({
      store,
      output: { outputS3Uri: `${prefix}import-output/` },
      close: () => {
        client.destroy();
        return Promise.resolve();
      },
    });
  });
});
