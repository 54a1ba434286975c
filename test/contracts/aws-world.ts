/**
 * The AWS side of the contract suites: the data-holding fakes of test/aws/fakes (HealthLake, Glue, Athena over a
 * lake, SageMaker Feature Store, HealthImaging) behind aws-sdk-client-mock, a real S3 server over HTTP (s3rver) for what the
 * services read and write in the caller's bucket, an embedded DuckDB as the Athena fake's lake, and the virtual
 * clock, so the services' documented waits (minutes) pass in milliseconds. Call {@link awsWorld} inside a
 * `describe`: the fakes are installed for that suite and torn down after it.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { S3Client } from '@aws-sdk/client-s3';
import { DuckDbEngine } from '../../src/sql/duckdb-engine';
import { tmpDir } from '../helpers/tmp';
import { fakeAthenaLake } from '../aws/fakes/athena-lake';
import type { FakeBucketIo } from '../aws/fakes/bucket';
import { bucketIo } from '../aws/fakes/bucket';
import type { FakeFeatureStore } from '../aws/fakes/feature-store';
import { fakeFeatureStore } from '../aws/fakes/feature-store';
import { fakeGlue } from '../aws/fakes/glue';
import type { FakeHealthImaging } from '../aws/fakes/healthimaging';
import { fakeHealthImaging } from '../aws/fakes/healthimaging';
import type { FakeHealthLake } from '../aws/fakes/healthlake';
import { fakeHealthLake } from '../aws/fakes/healthlake';
import type { VirtualClock } from '../aws/fakes/virtual-clock';
import { installVirtualClock } from '../aws/fakes/virtual-clock';
import type { LocalS3 } from '../aws/s3rver';
import { startLocalS3 } from '../aws/s3rver';

/** The bucket every contract suite writes to. */
export const WORLD_BUCKET = 'mmh-contracts';
/** The workspace prefix in that bucket. */
export const WORLD_S3_URI = `s3://${WORLD_BUCKET}/mmh/`;
/** The IAM role the services assume (the fakes only check that one is passed). */
export const WORLD_ROLE = 'arn:aws:iam::123456789012:role/mmh-contracts';

/** What a suite's AWS world holds. */
export interface AwsWorld {
  /** The S3 client of the local server (valid from the suite's `before` on). */
  s3(): S3Client;
  /** The HealthLake fake. */
  readonly healthlake: FakeHealthLake;
  /** The SageMaker Feature Store fake. */
  readonly featureStore: FakeFeatureStore;
  /** The HealthImaging fake. */
  readonly healthimaging: FakeHealthImaging;
  /** A fresh scratch folder under the world's root. */
  scratch(name: string): string;
}

function needed<T>(v: T | undefined): T {
  if (v === undefined) {
    throw new Error('AWS world used before its suite started');
  }
  return v;
}

/**
 * Installs the AWS fakes for the enclosing suite (call inside a `describe` callback, before the `it`s).
 *
 * @returns the world
 */
export function awsWorld(): AwsWorld {
  const root = tmpDir('contracts-aws');
  const scratch = path.join(root, 'scratch');
  fs.mkdirSync(scratch, { recursive: true });
  let s3: LocalS3 | undefined;
  let lake: DuckDbEngine | undefined;
  let clock: VirtualClock | undefined;
  const io: FakeBucketIo = {
    list: (p) => bucketIo(needed(s3).client).list(p),
    get: (u) => bucketIo(needed(s3).client).get(u),
    put: (u, b, t) => bucketIo(needed(s3).client).put(u, b, t),
  };
  const time: VirtualClock = { now: () => clock?.now() ?? Date.now(), skipped: () => clock?.skipped() ?? 0, uninstall: () => undefined };
  const glue = fakeGlue();
  const featureStore = fakeFeatureStore({ s3: io, glue: glue.databases, clock: time, scratch });
  fakeAthenaLake({ lake: () => needed(lake), glue: glue.databases, s3: io, cache: path.join(root, 'lake-cache'), beforeQuery: () => featureStore.flush() });
  const healthlake = fakeHealthLake({ lake: () => needed(lake), s3: io, clock: time, scratch });
  const healthimaging = fakeHealthImaging({ s3: io, clock: time, root: path.join(root, 'healthimaging') });

  before(async () => {
    fs.mkdirSync(path.join(root, 'lake-cache'), { recursive: true });
    s3 = await startLocalS3();
    await s3.bucket(WORLD_BUCKET);
    lake = await DuckDbEngine.create({ path: ':memory:' });
    clock = installVirtualClock();
  });

  after(async () => {
    clock?.uninstall();
    await lake?.close();
    await s3?.close();
    fs.rmSync(root, { recursive: true, force: true });
  });

  let n = 0;
  return {
    s3: () => needed(s3).client,
    healthlake,
    featureStore,
    healthimaging,
    scratch: (name) => {
      const d = path.join(root, `${name}-${String(++n)}`);
      fs.mkdirSync(d, { recursive: true });
      return d;
    },
  };
}
