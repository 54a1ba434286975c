/**
 * What the fake services read and write in S3, over real HTTP to the local S3 server (the services read their
 * inputs from, and write their outputs to, the caller's bucket; the fakes do the same through their own client).
 */
import { GetObjectCommand, ListObjectsV2Command, PutObjectCommand } from '@aws-sdk/client-s3';
import type { S3Client } from '@aws-sdk/client-s3';

/** S3 access for a fake service. */
export interface FakeBucketIo {
  /** Keys (as s3:// URIs) under a prefix, every page. */
  list(prefixUri: string): Promise<{ uri: string; size: number; etag: string }[]>;
  /** An object's bytes. */
  get(uri: string): Promise<Uint8Array>;
  /** Writes an object. */
  put(uri: string, body: string | Uint8Array, contentType?: string): Promise<void>;
}

/**
 * Splits `s3://bucket/key`.
 *
 * @param uri - the URI
 * @returns bucket and key
 */
export function splitUri(uri: string): { bucket: string; key: string } {
  const m = /^s3:\/\/([^/]+)\/?(.*)$/.exec(uri);
  if (m?.[1] === undefined) {
    throw Object.assign(new Error(`not an s3:// URI: ${uri}`), { name: 'ValidationException' });
  }
  return { bucket: m[1], key: m[2] ?? '' };
}

/**
 * S3 access through a client that talks to the local server.
 *
 * @param client - the local S3 server's client
 * @returns the accessors
 */
export function bucketIo(client: S3Client): FakeBucketIo {
  return {
    async list(prefixUri) {
      const { bucket, key } = splitUri(prefixUri);
      const out: { uri: string; size: number; etag: string }[] = [];
      let token: string | undefined;
      do {
        const page = await client.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: key, ...(token === undefined ? {} : { ContinuationToken: token }) }));
        for (const o of page.Contents ?? []) {
          if (o.Key !== undefined) {
            out.push({ uri: `s3://${bucket}/${o.Key}`, size: o.Size ?? 0, etag: o.ETag ?? '' });
          }
        }
        token = page.IsTruncated === true ? page.NextContinuationToken : undefined;
      } while (token !== undefined);
      return out;
    },
    async get(uri) {
      const { bucket, key } = splitUri(uri);
      const out = await client.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
      if (out.Body === undefined) {
        return new Uint8Array();
      }
      return out.Body.transformToByteArray();
    },
    async put(uri, body, contentType) {
      const { bucket, key } = splitUri(uri);
      await client.send(
        new PutObjectCommand({
          Bucket: bucket,
          Key: key,
          Body: body,
          ContentLength: typeof body === 'string' ? Buffer.byteLength(body) : body.byteLength,
          ...(contentType === undefined ? {} : { ContentType: contentType }),
        }),
      );
    },
  };
}

/**
 * An AWS-style service error (what the SDK throws: `name`, `$fault`, `$metadata.httpStatusCode`).
 *
 * @param name - the exception name from the API Reference
 * @param message - the message
 * @param status - HTTP status (default 400)
 * @returns the error
 */
export function serviceError(name: string, message: string, status = 400): Error {
  return Object.assign(new Error(message), { name, $fault: status >= 500 ? 'server' : 'client', $metadata: { httpStatusCode: status } });
}
