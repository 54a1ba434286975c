import assert from 'node:assert/strict';
import * as path from 'node:path';
import { parseMriSize, resolveConfig } from '../src/config';
import { isHealthDataError } from '../src/errors';

function configError(fn: () => unknown): string {
  try {
    fn();
  } catch (e) {
    assert.ok(isHealthDataError(e));
    assert.equal(e.code, 'invalid-config');
    return e.message;
  }
  assert.fail('expected an invalid-config error');
}

describe('config', () => {
  it('defaults to the local backend and ./workspace', () => {
    const c = resolveConfig({ env: {} });
    assert.equal(c.backend, 'local');
    assert.equal(c.dir, path.resolve('workspace'));
    assert.equal(c.dataDir, path.join(path.resolve('workspace'), 'dataset'));
    assert.equal(c.preset, 'tiny');
    assert.equal(c.seed, 42);
  });

  it('reads environment variables, explicit options win', () => {
    const env = { MMH_BACKEND: 'local', MMH_WORKSPACE: '/tmp/a', MMH_DATA: '/tmp/d', MMH_PRESET: 'default', MMH_SEED: '7' };
    const c = resolveConfig({ env });
    assert.equal(c.dir, '/tmp/a');
    assert.equal(c.dataDir, '/tmp/d');
    assert.equal(c.preset, 'default');
    assert.equal(c.seed, 7);
    assert.equal(resolveConfig({ env, dir: '/tmp/b', seed: 1 }).dir, '/tmp/b');
  });

  it('names the setting, the bad value and the accepted values', () => {
    const m = configError(() => resolveConfig({ env: { MMH_BACKEND: 'azure' } }));
    assert.match(m, /MMH_BACKEND = "azure"/);
    assert.match(m, /accepted: local, aws/);
    assert.match(
      configError(() => resolveConfig({ backend: 'gcp', env: {} })),
      /setting backend = "gcp"/,
    );
    assert.match(
      configError(() => resolveConfig({ env: { MMH_PRESET: 'huge' } })),
      /accepted: tiny, default, coherent, large/,
    );
    assert.match(
      configError(() => resolveConfig({ env: { MMH_SEED: '-1' } })),
      /MMH_SEED.*integer/,
    );
  });

  it('reads the patient override and the DuckDB spilling settings', () => {
    const c = resolveConfig({ env: { MMH_WORKSPACE: '/tmp/w' } });
    assert.equal(c.patients, undefined);
    assert.equal(c.duckdbTempDir, '/tmp/w/tmp/duckdb');
    assert.match(c.duckdbMemoryLimit, /^\d+MB$/);
    const e = resolveConfig({ env: { MMH_WORKSPACE: '/tmp/w', MMH_PRESET: 'coherent', MMH_PATIENTS: '2500', MMH_DUCKDB_MEMORY_LIMIT: '6GB', MMH_DUCKDB_TEMP_DIR: '/tmp/spill' } });
    assert.equal(e.preset, 'coherent');
    assert.equal(e.patients, 2500);
    assert.equal(e.duckdbMemoryLimit, '6GB');
    assert.equal(e.duckdbTempDir, '/tmp/spill');
    assert.equal(resolveConfig({ env: { MMH_PATIENTS: '2500' }, patients: 10 }).patients, 10);
    assert.match(
      configError(() => resolveConfig({ env: { MMH_PATIENTS: '0' } })),
      /MMH_PATIENTS = "0"/,
    );
    assert.match(
      configError(() => resolveConfig({ env: { MMH_PATIENTS: '2000000' } })),
      /from 1 to 1,000,000/,
    );
    assert.match(
      configError(() => resolveConfig({ env: { MMH_DUCKDB_MEMORY_LIMIT: 'lots' } })),
      /MMH_DUCKDB_MEMORY_LIMIT = "lots".*4GB/,
    );
  });

  it('reads the MRI size override: the option, else MMH_MRI_SIZE, else the preset size', () => {
    assert.equal(resolveConfig({ env: {} }).mriSize, undefined);
    assert.deepEqual(resolveConfig({ env: { MMH_MRI_SIZE: ' 64x64x32 ' } }).mriSize, [64, 64, 32]);
    assert.deepEqual(resolveConfig({ env: { MMH_MRI_SIZE: '64x64x32' }, mriSize: [16, 16, 8] }).mriSize, [16, 16, 8]);
    for (const bad of ['64x64', '64x64x32x2', '64X64X32', '64x64x4', '2048x64x32', '64x6.5x32', '64x-64x32', 'x64x32']) {
      assert.match(
        configError(() => resolveConfig({ env: { MMH_MRI_SIZE: bad } })),
        new RegExp(`openWorkspace: setting MMH_MRI_SIZE = "${bad}".*COLUMNSxROWSxSLICES, each an integer from 8 to 1,024`),
      );
    }
    assert.match(
      configError(() => resolveConfig({ env: {}, mriSize: [64, 64, 0] })),
      /setting mriSize = "64x64x0"/,
    );
    assert.match(
      configError(() => parseMriSize('--mri-size', '7x7x7', 'mmh generate')),
      /^mmh generate: setting --mri-size = "7x7x7"/,
    );
  });

  it('requires a region and an S3 prefix for aws', () => {
    assert.match(
      configError(() => resolveConfig({ backend: 'aws', env: {} })),
      /AWS_REGION/,
    );
    assert.match(
      configError(() => resolveConfig({ backend: 'aws', env: { AWS_REGION: 'moon-1' } })),
      /"moon-1"/,
    );
    assert.match(
      configError(() => resolveConfig({ backend: 'aws', env: { AWS_REGION: 'us-east-1', MMH_S3_URI: 'bucket/x' } })),
      /MMH_S3_URI/,
    );
    const c = resolveConfig({ backend: 'aws', env: { AWS_REGION: 'us-east-1', MMH_S3_URI: 's3://b/p' } });
    assert.equal(c.aws.s3Uri, 's3://b/p/');
    assert.equal(c.aws.athenaOutputLocation, 's3://b/p/athena-results/');
    assert.equal(c.aws.athenaWorkGroup, 'primary');
  });
});
