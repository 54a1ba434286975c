/**
 * Set-up shared by the suites that run the library's aws backend against the local S3 server (s3rver.ts) and the
 * data-holding fakes: pointing every S3Client the library creates at the server (and putting the environment back),
 * and the late-bound bucket I/O and clock the fakes are built with before the server and the virtual clock exist.
 */
import { S3Client } from '@aws-sdk/client-s3';
import type { FakeBucketIo } from './fakes/bucket';
import { bucketIo } from './fakes/bucket';
import type { VirtualClock } from './fakes/virtual-clock';
import type { LocalS3 } from './s3rver';

/** The variables that pick an S3 endpoint and credentials; cleared while a suite talks to the local server. */
export const S3_ENV_KEYS = ['AWS_ENDPOINT_URL_S3', 'AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY', 'AWS_SESSION_TOKEN', 'AWS_PROFILE'] as const;

/**
 * Makes every S3Client the library creates talk to the local server: clears {@link S3_ENV_KEYS} and `alsoClear`,
 * sets the endpoint and s3rver's fixed test key pair (not an AWS credential), and lifts another suite's
 * `mockClient(S3Client)` stub from the prototype so `send` goes over HTTP.
 *
 * @param s3 - the running local server
 * @param alsoClear - further variables the suite needs unset (restored too)
 * @returns a function that puts the environment and the prototype back as they were
 */
export function useLocalS3(s3: LocalS3, alsoClear: readonly string[] = []): () => void {
  const saved = new Map<string, string | undefined>();
  for (const k of [...S3_ENV_KEYS, ...alsoClear]) {
    saved.set(k, process.env[k]);
    Reflect.deleteProperty(process.env, k);
  }
  process.env.AWS_ENDPOINT_URL_S3 = s3.endpoint;
  process.env.AWS_ACCESS_KEY_ID = 'S3RVER';
  process.env.AWS_SECRET_ACCESS_KEY = 'S3RVER';
  const savedSend = Object.getOwnPropertyDescriptor(S3Client.prototype, 'send');
  if (savedSend !== undefined) {
    Reflect.deleteProperty(S3Client.prototype, 'send');
  }
  return () => {
    if (savedSend !== undefined) {
      Object.defineProperty(S3Client.prototype, 'send', savedSend);
    }
    for (const [k, v] of saved) {
      if (v === undefined) {
        Reflect.deleteProperty(process.env, k);
      } else {
        process.env[k] = v;
      }
    }
  };
}

/**
 * Bucket I/O for the fakes that reaches the local server once it runs (the fakes are installed when the suite is
 * declared; the server starts in `before`).
 *
 * @param server - the server, once started
 * @returns the I/O (throws if used before the server started)
 */
export function lateBucketIo(server: () => LocalS3 | undefined): FakeBucketIo {
  const client = (): LocalS3['client'] => {
    const s3 = server();
    if (s3 === undefined) {
      throw new Error('fake S3 used before the suite started the local server');
    }
    return s3.client;
  };
  return {
    list: (p) => bucketIo(client()).list(p),
    get: (u) => bucketIo(client()).get(u),
    put: (u, b, t) => bucketIo(client()).put(u, b, t),
  };
}

/**
 * A clock for the fakes that reads the virtual clock once it is installed, and the real one before.
 *
 * @param clock - the virtual clock, once installed
 * @returns the clock (its `uninstall` does nothing: the suite uninstalls the real one)
 */
export function lateClock(clock: () => VirtualClock | undefined): VirtualClock {
  return { now: () => clock()?.now() ?? Date.now(), skipped: () => clock()?.skipped() ?? 0, uninstall: () => undefined };
}
