/**
 * S3 helpers shared by the AWS stores: URI parsing, content-addressed keys, streamed uploads (multipart through
 * `@aws-sdk/lib-storage` for large files, so a file never has to fit in memory and the 5 GiB single-PUT limit never
 * applies), small-object reads, listings and prefix deletion. No credentials pass through here: the clients come
 * from the SDK's default chain.
 */
import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { DeleteObjectsCommand, GetObjectCommand, HeadObjectCommand, ListObjectsV2Command } from '@aws-sdk/client-s3';
import type { S3Client } from '@aws-sdk/client-s3';
import { Upload } from '@aws-sdk/lib-storage';
import { HealthDataError, normalizeErrorString } from '../errors';

/** Part size of multipart uploads (8 MiB; S3's minimum part is 5 MiB, at most 10,000 parts). */
export const MULTIPART_PART_SIZE = 8 * 1024 * 1024;

/** A parsed `s3://bucket/key` URI. */
export interface S3Location {
  /** Bucket name. */
  readonly bucket: string;
  /** Key (or key prefix), without a leading `/`. */
  readonly key: string;
}

/**
 * Splits `s3://bucket/key` into bucket and key.
 *
 * @param uri - an s3:// URI
 * @param setting - the setting to name in the error (default `aws.s3Uri`)
 * @returns bucket and key
 * @throws {@link HealthDataError} (invalid-config) when the URI is not s3://bucket[/key]
 */
export function splitS3Uri(uri: string, setting = 'aws.s3Uri'): S3Location {
  const m = /^s3:\/\/([a-z0-9][a-z0-9.-]{1,61}[a-z0-9])(?:\/(.*))?$/.exec(uri);
  if (m?.[1] === undefined) {
    throw new HealthDataError('invalid-config', `"${uri}" is not an s3://bucket/prefix URI; check ${setting}`, { path: setting });
  }
  return { bucket: m[1], key: m[2] ?? '' };
}

/**
 * Joins an S3 prefix and a relative key with exactly one `/`.
 *
 * @param prefix - `s3://bucket/a/` or `s3://bucket/a`
 * @param rel - `b/c.txt`
 * @returns `s3://bucket/a/b/c.txt`
 */
export function joinS3(prefix: string, rel: string): string {
  return `${prefix.replace(/\/+$/, '')}/${rel.replace(/^\/+/, '')}`;
}

/**
 * SHA-256 of a file's bytes, streamed (linear time, constant memory).
 *
 * @param file - local path
 * @returns lower-case hex digest
 */
export async function sha256File(file: string): Promise<string> {
  const h = crypto.createHash('sha256');
  for await (const chunk of fs.createReadStream(file)) {
    h.update(chunk as Buffer);
  }
  return h.digest('hex');
}

/**
 * A content-addressed object key: the same bytes give the same key from any checkout or machine, so re-uploading
 * replaces rather than duplicates.
 *
 * @param prefix - key prefix (ends in `/` or empty)
 * @param digest - the content's SHA-256 (hex)
 * @param ext - extension with its dot, e.g. `.parquet`
 * @returns `<prefix><first 32 hex of the digest><ext>`
 */
export function contentKey(prefix: string, digest: string, ext: string): string {
  return `${prefix}${digest.slice(0, 32)}${ext}`;
}

/** Options of {@link uploadFile}. */
export interface UploadFileOptions {
  /** Content type of the object. */
  readonly contentType?: string;
  /** Part size (default {@link MULTIPART_PART_SIZE}). */
  readonly partSize?: number;
  /** Parts sent at once (default 4). */
  readonly queueSize?: number;
  /** Called with bytes sent so far. */
  readonly onProgress?: (loaded: number) => void;
}

/**
 * Uploads a local file by streaming it: one PutObject for small files, a multipart upload for files larger than a
 * part (lib-storage `Upload`, which aborts the multipart upload on failure).
 *
 * @param s3 - the S3 client
 * @param file - local path
 * @param uri - destination `s3://bucket/key`
 * @param options - content type, part size, progress
 * @returns the size in bytes
 * @throws {@link HealthDataError} (backend) naming the file and the S3 reason
 */
export async function uploadFile(s3: S3Client, file: string, uri: string, options: UploadFileOptions = {}): Promise<number> {
  const { bucket, key } = splitS3Uri(uri);
  const size = fs.statSync(file).size;
  const upload = new Upload({
    client: s3,
    params: { Bucket: bucket, Key: key, Body: fs.createReadStream(file), ContentLength: size, ...(options.contentType === undefined ? {} : { ContentType: options.contentType }) },
    partSize: Math.max(5 * 1024 * 1024, options.partSize ?? MULTIPART_PART_SIZE),
    queueSize: options.queueSize ?? 4,
    leavePartsOnError: false,
  });
  if (options.onProgress !== undefined) {
    const cb = options.onProgress;
    upload.on('httpUploadProgress', (p) => {
      cb(p.loaded ?? 0);
    });
  }
  try {
    await upload.done();
  } catch (e) {
    throw new HealthDataError('backend', `upload: ${path.basename(file)} → ${uri} failed: ${normalizeErrorString(e)}`, { path: file, cause: e });
  }
  return size;
}

/**
 * Whether an object exists with this size (HeadObject), to skip re-uploading content-addressed objects.
 *
 * @param s3 - the S3 client
 * @param uri - `s3://bucket/key`
 * @returns the object's size, or undefined when absent
 */
export async function headSize(s3: S3Client, uri: string): Promise<number | undefined> {
  const { bucket, key } = splitS3Uri(uri);
  try {
    const out = await s3.send(new HeadObjectCommand({ Bucket: bucket, Key: key }));
    return out.ContentLength;
  } catch (e) {
    if (isMissing(e)) {
      return undefined;
    }
    throw new HealthDataError('backend', `S3 HeadObject ${uri}: ${normalizeErrorString(e)}`, { cause: e });
  }
}

function isMissing(e: unknown): boolean {
  const name = (e as { name?: string }).name;
  const status = (e as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode;
  return name === 'NoSuchKey' || name === 'NotFound' || status === 404;
}

/**
 * Reads a small text object (a manifest, an NDJSON report).
 *
 * @param s3 - the S3 client
 * @param uri - `s3://bucket/key`
 * @returns the text, or undefined when the object does not exist
 * @throws {@link HealthDataError} (backend) for other S3 errors
 */
export async function readS3Text(s3: S3Client, uri: string): Promise<string | undefined> {
  const { bucket, key } = splitS3Uri(uri);
  try {
    const out = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
    return out.Body === undefined ? undefined : await out.Body.transformToString('utf8');
  } catch (e) {
    if (isMissing(e)) {
      return undefined;
    }
    throw new HealthDataError('backend', `could not read ${uri}: ${normalizeErrorString(e)}`, { cause: e });
  }
}

/**
 * Lists every key under a prefix (ListObjectsV2, all pages).
 *
 * @param s3 - the S3 client
 * @param prefixUri - `s3://bucket/prefix/`
 * @returns the keys with their sizes
 */
export async function listS3(s3: S3Client, prefixUri: string): Promise<{ key: string; size: number }[]> {
  const { bucket, key } = splitS3Uri(prefixUri);
  const out: { key: string; size: number }[] = [];
  let token: string | undefined;
  do {
    const page = await s3.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: key, ...(token === undefined ? {} : { ContinuationToken: token }) }));
    for (const o of page.Contents ?? []) {
      if (o.Key !== undefined) {
        out.push({ key: o.Key, size: o.Size ?? 0 });
      }
    }
    token = page.IsTruncated === true ? page.NextContinuationToken : undefined;
  } while (token !== undefined);
  return out;
}

/**
 * Deletes every object under a prefix (DeleteObjects, 1,000 keys per call).
 *
 * @param s3 - the S3 client
 * @param prefixUri - `s3://bucket/prefix/` (must not be the bucket root)
 * @returns the number of objects deleted
 * @throws {@link HealthDataError} (invalid-input) for a bucket-root prefix; (backend) when S3 reports per-key errors
 */
export async function deleteS3Prefix(s3: S3Client, prefixUri: string): Promise<number> {
  const { bucket, key } = splitS3Uri(prefixUri);
  if (key.replace(/\/+$/, '') === '') {
    throw new HealthDataError('invalid-input', `deleteS3Prefix: refusing to delete a whole bucket (${prefixUri}); pass a prefix`);
  }
  const keys = (await listS3(s3, prefixUri)).map((o) => o.key);
  for (let i = 0; i < keys.length; i += 1000) {
    const out = await s3.send(new DeleteObjectsCommand({ Bucket: bucket, Delete: { Objects: keys.slice(i, i + 1000).map((Key) => ({ Key })), Quiet: true } }));
    if ((out.Errors ?? []).length > 0) {
      const first = out.Errors?.[0];
      throw new HealthDataError(
        'backend',
        `deleteS3Prefix: ${String(out.Errors?.length)} objects under ${prefixUri} were not deleted (first: ${first?.Key ?? ''}: ${first?.Message ?? first?.Code ?? ''})`,
      );
    }
  }
  return keys.length;
}

/**
 * Every file under a folder, with paths relative to it (`/`-separated), sorted.
 *
 * @param dir - local folder
 * @param accept - which file names to keep
 * @returns relative paths
 */
export function listLocalFiles(dir: string, accept: (name: string) => boolean = () => true): string[] {
  const out: string[] = [];
  const walk = (d: string, rel: string): void => {
    for (const e of fs.readdirSync(d, { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))) {
      const r = rel === '' ? e.name : `${rel}/${e.name}`;
      if (e.isDirectory()) {
        walk(path.join(d, e.name), r);
      } else if (e.isFile() && accept(e.name)) {
        out.push(r);
      }
    }
  };
  if (fs.existsSync(dir)) {
    walk(dir, '');
  }
  return out;
}
