import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { isHealthDataError } from '../src/errors';
import { silentProgress } from '../src/progress';
import { openWorkspace, WORKSPACE_MARKER } from '../src/workspace';
import { tmpDir } from './helpers/tmp';

describe('openWorkspace', () => {
  let root: string;
  beforeEach(() => {
    root = tmpDir('ws');
  });
  afterEach(() => {
    fs.rmSync(root, { recursive: true, force: true });
  });

  it('creates a local workspace with a marker and a DuckDB database', async () => {
    const dir = path.join(root, 'ws');
    const ws = await openWorkspace({ dir, create: true, progress: silentProgress, env: {} });
    assert.equal(ws.backend, 'local');
    assert.ok(fs.existsSync(path.join(dir, WORKSPACE_MARKER)));
    assert.ok(fs.existsSync(path.join(dir, 'mmh.duckdb')));
    assert.deepEqual(await ws.sql.query('SELECT 42 AS answer'), [{ answer: 42 }]);
    assert.equal(ws.path('models', 'a.json'), path.join(dir, 'models', 'a.json'));
    let closed = 0;
    ws.onClose(() => {
      closed += 1;
    });
    await ws.close();
    await ws.close();
    assert.equal(closed, 1);
  });

  it('says what to do when the workspace folder is missing', async () => {
    const dir = path.join(root, 'nope');
    await assert.rejects(openWorkspace({ dir, progress: silentProgress, env: {} }), (e: unknown) => {
      assert.ok(isHealthDataError(e));
      assert.equal(e.code, 'not-found');
      assert.match(e.message, /workspace folder .*nope does not exist\. Run notebook 00-setup or `npm start`/);
      return true;
    });
  });

  it('refuses a folder that is not a workspace, and a file', async () => {
    fs.writeFileSync(path.join(root, 'notes.txt'), 'x');
    await assert.rejects(openWorkspace({ dir: root, progress: silentProgress, env: {} }), /is not a multimodal-health workspace/);
    await assert.rejects(openWorkspace({ dir: path.join(root, 'notes.txt'), create: true, progress: silentProgress, env: {} }), /is a file, not a folder/);
  });

  it('rejects bad settings at open time', async () => {
    await assert.rejects(openWorkspace({ env: { MMH_BACKEND: 'cloud' }, progress: silentProgress }), /MMH_BACKEND = "cloud" is not valid; accepted: local, aws/);
  });

  it('opens the aws backend with Athena as its SQL engine (no call is made at open)', async () => {
    const ws = await openWorkspace({
      dir: root,
      create: true,
      backend: 'aws',
      progress: silentProgress,
      env: { AWS_REGION: 'eu-west-1', MMH_S3_URI: 's3://bucket/mmh' },
    });
    assert.equal(ws.backend, 'aws');
    assert.equal(ws.sql.dialect, 'athena');
    assert.equal(ws.duckdb, undefined);
    await ws.close();
  });
});
