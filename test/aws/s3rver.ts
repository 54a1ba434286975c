/**
 * A real S3-compatible HTTP server for tests (s3rver from the npm registry): objects go over HTTP through the real
 * `@aws-sdk/client-s3` serializers, signing and multipart protocol, stored in a temporary folder.
 */
import * as fs from 'node:fs';
import type { AddressInfo } from 'node:net';
import { CreateBucketCommand, S3Client } from '@aws-sdk/client-s3';
import { tmpDir } from '../helpers/tmp';

// s3rver ships no types.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const S3rver = require('s3rver') as new (o: Record<string, unknown>) => { run(): Promise<AddressInfo>; close(): Promise<void> };

/** A running local S3 server and a client pointed at it. */
export interface LocalS3 {
  /** Client (path-style, dummy test credentials that s3rver accepts). */
  readonly client: S3Client;
  /** http://127.0.0.1:port */
  readonly endpoint: string;
  /** Creates a bucket. */
  bucket(name: string): Promise<void>;
  /** Stops the server and removes its folder. */
  close(): Promise<void>;
}

/**
 * Starts s3rver on a free port.
 *
 * @returns the server handle
 */
export async function startLocalS3(): Promise<LocalS3> {
  const dir = tmpDir('s3rver');
  const server = new S3rver({ port: 0, address: '127.0.0.1', silent: true, directory: dir });
  const addr = await server.run();
  const endpoint = `http://127.0.0.1:${String(addr.port)}`;
  const client = new S3Client({
    region: 'us-east-1',
    endpoint,
    forcePathStyle: true,
    // s3rver's documented fixed test key pair (not an AWS credential).
    credentials: { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' },
  });
  // aws-sdk-client-mock's mockClient(S3Client) stubs S3Client.prototype.send for every instance; this client must
  // reach the real server even while another suite in the same run mocks S3, so it calls the base client's send.
  const baseSend = (Object.getPrototypeOf(S3Client.prototype) as { send: S3Client['send'] }).send;
  Object.defineProperty(client, 'send', { value: baseSend.bind(client), writable: true });
  return {
    client,
    endpoint,
    bucket: async (name: string) => {
      await client.send(new CreateBucketCommand({ Bucket: name }));
    },
    close: async () => {
      client.destroy();
      await server.close();
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}
