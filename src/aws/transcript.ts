/**
 * A transcript of every AWS call made while a function runs: service, command, a redacted view of the input, the
 * outcome (ok, or the error name and message) and the time taken. Used by `mmh aws smoke`. Request bodies and record
 * values are left out (they carry health data), and no credential ever passes through a command input.
 */
import { AthenaClient } from '@aws-sdk/client-athena';
import { GlueClient } from '@aws-sdk/client-glue';
import { HealthLakeClient } from '@aws-sdk/client-healthlake';
import { MedicalImagingClient } from '@aws-sdk/client-medical-imaging';
import { S3Client } from '@aws-sdk/client-s3';
import { SageMakerClient } from '@aws-sdk/client-sagemaker';
import { SageMakerFeatureStoreRuntimeClient } from '@aws-sdk/client-sagemaker-featurestore-runtime';

/** One recorded call. */
export interface TranscriptEntry {
  /** ISO start time. */
  readonly at: string;
  /** Client, e.g. `HealthLakeClient`. */
  readonly service: string;
  /** Command, e.g. `StartFHIRImportJobCommand`. */
  readonly command: string;
  /** Input with bodies, records and long values left out. */
  readonly input: Record<string, unknown>;
  /** `ok` or the error. */
  readonly outcome: 'ok' | { readonly error: string; readonly message: string };
  /** Milliseconds. */
  readonly ms: number;
}

const OMIT = new Set(['Body', 'Record', 'Records', 'HyperParameters', 'ExecutionParameters']);

function redact(value: unknown, depth = 0): unknown {
  if (typeof value === 'string') {
    return value.length > 300 ? `${value.slice(0, 300)}… (${String(value.length)} chars)` : value;
  }
  if (typeof value !== 'object' || value === null) {
    return value;
  }
  if (depth > 4) {
    return '…';
  }
  if (Array.isArray(value)) {
    return value.length > 20 ? `(${String(value.length)} items)` : value.map((v) => redact(v, depth + 1));
  }
  if (value instanceof Date) {
    return value.toISOString();
  }
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) {
    out[k] = OMIT.has(k) ? '(omitted)' : redact(v, depth + 1);
  }
  return out;
}

/** The clients whose calls are recorded. */
export const TRANSCRIBED_CLIENTS = [AthenaClient, GlueClient, HealthLakeClient, MedicalImagingClient, S3Client, SageMakerClient, SageMakerFeatureStoreRuntimeClient] as const;

type Send = (this: unknown, command: { constructor: { name: string }; input?: unknown }, ...rest: unknown[]) => Promise<unknown>;

/**
 * Runs `fn` while recording every call of the AWS clients; the recording stops when `fn` settles.
 *
 * @param fn - the work
 * @param onEntry - called with each entry as it completes (e.g. to append to a file)
 * @returns what `fn` returned
 */
export async function withTranscript<T>(fn: () => Promise<T>, onEntry: (e: TranscriptEntry) => void): Promise<T> {
  const restore: (() => void)[] = [];
  for (const C of TRANSCRIBED_CLIENTS) {
    const proto = C.prototype as unknown as { send: Send };
    const own = Object.prototype.hasOwnProperty.call(proto, 'send');
    const original = proto.send;
    const service = C.name;
    proto.send = async function (this: unknown, command, ...rest) {
      const t0 = Date.now();
      const at = new Date(t0).toISOString();
      const input = redact(command.input ?? {}) as Record<string, unknown>;
      try {
        const out = await original.call(this, command, ...rest);
        onEntry({ at, service, command: command.constructor.name, input, outcome: 'ok', ms: Date.now() - t0 });
        return out;
      } catch (e) {
        const err = e as { name?: string; message?: string };
        onEntry({ at, service, command: command.constructor.name, input, outcome: { error: err.name ?? 'Error', message: err.message ?? String(e) }, ms: Date.now() - t0 });
        throw e;
      }
    };
    restore.push(() => {
      if (own) {
        proto.send = original;
      } else {
        delete (proto as { send?: Send }).send;
      }
    });
  }
  try {
    return await fn();
  } finally {
    for (const r of restore.reverse()) {
      r();
    }
  }
}
