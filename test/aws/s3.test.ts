import assert from 'node:assert/strict';
import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { GetObjectCommand } from '@aws-sdk/client-s3';
import { contentKey, deleteS3Prefix, headSize, joinS3, listS3, readS3Text, sha256File, splitS3Uri, uploadFile } from '../../src/aws/s3';
import { isHealthDataError } from '../../src/errors';
import { tmpDir } from '../helpers/tmp';
import type { LocalS3 } from './s3rver';
import { startLocalS3 } from './s3rver';

describe('aws/s3 helpers over real HTTP (s3rver)', function () {
  this.timeout(60_000);
  let s3: LocalS3;
  let dir = '';
  before(async () => {
    s3 = await startLocalS3();
    await s3.bucket('mmh-test');
    dir = tmpDir('s3');
  });
  after(async () => {
    await s3.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('uploads a small file with one PUT and reads it back', async () => {
    const f = path.join(dir, 'a.ndjson');
    fs.writeFileSync(f, '{"resourceType":"Patient","id":"p1"}\n');
    assert.equal(await uploadFile(s3.client, f, 's3://mmh-test/in/a.ndjson', { contentType: 'application/fhir+ndjson' }), 37);
    assert.equal(await readS3Text(s3.client, 's3://mmh-test/in/a.ndjson'), '{"resourceType":"Patient","id":"p1"}\n');
    assert.equal(await headSize(s3.client, 's3://mmh-test/in/a.ndjson'), 37);
    assert.equal(await headSize(s3.client, 's3://mmh-test/in/missing'), undefined);
    assert.equal(await readS3Text(s3.client, 's3://mmh-test/in/missing'), undefined);
  });

  it('streams a file larger than one part as a multipart upload, byte-identical', async () => {
    // 13 MiB with 5 MiB parts = 3 parts (S3's minimum part size is 5 MiB).
    const f = path.join(dir, 'big.bin');
    const bytes = crypto.randomBytes(13 * 1024 * 1024);
    fs.writeFileSync(f, bytes);
    const seen: number[] = [];
    const commands: string[] = [];
    s3.client.middlewareStack.add(
      (next, context) => (args) => {
        commands.push(String(context.commandName));
        return next(args);
      },
      { step: 'initialize', name: 'record-commands' },
    );
    await uploadFile(s3.client, f, 's3://mmh-test/big/big.bin', { partSize: 5 * 1024 * 1024, queueSize: 2, onProgress: (n) => seen.push(n) });
    assert.ok(seen.length >= 3, `progress per part (${String(seen.length)})`);
    const out = await s3.client.send(new GetObjectCommand({ Bucket: 'mmh-test', Key: 'big/big.bin' }));
    const back = Buffer.from((await out.Body?.transformToByteArray()) ?? new Uint8Array());
    assert.equal(back.length, bytes.length);
    assert.ok(back.equals(bytes));
    s3.client.middlewareStack.remove('record-commands');
    assert.deepEqual(commands.filter((c) => c !== 'GetObjectCommand').sort(), [
      'CompleteMultipartUploadCommand',
      'CreateMultipartUploadCommand',
      'UploadPartCommand',
      'UploadPartCommand',
      'UploadPartCommand',
    ]);
  });

  it('content-addressed keys do not depend on the path; list and delete a prefix', async () => {
    const a = path.join(dir, 'x', 'same.txt');
    const b = path.join(dir, 'y', 'other-name.txt');
    fs.mkdirSync(path.dirname(a), { recursive: true });
    fs.mkdirSync(path.dirname(b), { recursive: true });
    fs.writeFileSync(a, 'identical');
    fs.writeFileSync(b, 'identical');
    const ka = contentKey('p/', await sha256File(a), '.txt');
    assert.equal(ka, contentKey('p/', await sha256File(b), '.txt'));
    assert.equal(ka, `p/${crypto.createHash('sha256').update('identical').digest('hex').slice(0, 32)}.txt`);
    for (let i = 0; i < 3; i++) {
      await uploadFile(s3.client, a, joinS3('s3://mmh-test/del/', `k${String(i)}`));
    }
    assert.equal((await listS3(s3.client, 's3://mmh-test/del/')).length, 3);
    assert.equal(await deleteS3Prefix(s3.client, 's3://mmh-test/del/'), 3);
    assert.equal((await listS3(s3.client, 's3://mmh-test/del/')).length, 0);
    await assert.rejects(deleteS3Prefix(s3.client, 's3://mmh-test/'), (e: unknown) => isHealthDataError(e) && e.code === 'invalid-input');
  });

  it('splitS3Uri rejects what is not s3://bucket/…', () => {
    assert.deepEqual(splitS3Uri('s3://mmh-test/a/b'), { bucket: 'mmh-test', key: 'a/b' });
    assert.throws(
      () => splitS3Uri('https://x/y'),
      (e: unknown) => isHealthDataError(e) && e.code === 'invalid-config',
    );
  });
});
