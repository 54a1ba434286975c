/**
 * Typed errors shared by every module.
 *
 * Follows the house style: check `e.code`, not `instanceof` (errors may cross realms, e.g. a tslab kernel that
 * loaded two copies of the library), and say in the message which function failed, the bad value, and what to do.
 */

/** What went wrong, as a machine-checkable code. */
export type HealthDataErrorCode = 'invalid-input' | 'invalid-config' | 'not-found' | 'unsupported' | 'conflict' | 'locked' | 'backend' | 'query-failed' | 'cancelled' | 'timeout';

/** Whose fault it is, as AWS's `$fault`: the caller's input, or the service/engine behind it. */
export type HealthDataFault = 'input' | 'backend';

/** Options accepted by {@link HealthDataError}. */
export interface HealthDataErrorOptions {
  /** Whose fault; defaults from the code (`backend`, `query-failed`, `locked`, `timeout` are backend faults). */
  readonly fault?: HealthDataFault;
  /** Where in the input: a FHIRPath, a field name, `file:line`, a setting name. */
  readonly path?: string;
  /** The underlying error. */
  readonly cause?: unknown;
}

const BACKEND_CODES: ReadonlySet<HealthDataErrorCode> = new Set(['backend', 'query-failed', 'locked', 'timeout']);

/**
 * The one error class of the library.
 *
 * @example
 * ```ts
 * throw new HealthDataError('invalid-config', 'openWorkspace: backend "azure" is not one of local, aws', { path: 'backend' });
 * ```
 */
export class HealthDataError extends Error {
  /** Machine-checkable code. */
  readonly code: HealthDataErrorCode;
  /** Whose fault it is. */
  readonly fault: HealthDataFault;
  /** Where in the input the problem is, if known. */
  readonly path: string | undefined;

  /**
   * @param code - what went wrong
   * @param message - a sentence naming the function, the bad value and what to do
   * @param options - fault, path and cause
   */
  constructor(code: HealthDataErrorCode, message: string, options: HealthDataErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'HealthDataError';
    this.code = code;
    this.fault = options.fault ?? (BACKEND_CODES.has(code) ? 'backend' : 'input');
    this.path = options.path;
  }
}

/**
 * Tells whether a value is a {@link HealthDataError}, by shape rather than by `instanceof`.
 *
 * @param e - any thrown value
 * @returns true when `e` carries a HealthDataError `name` and a string `code`
 */
export function isHealthDataError(e: unknown): e is HealthDataError {
  return typeof e === 'object' && e !== null && (e as { name?: unknown }).name === 'HealthDataError' && typeof (e as { code?: unknown }).code === 'string';
}

/** What to do when the AWS SDK finds no credentials: the sources it reads and the command that checks them. */
export const AWS_CREDENTIALS_HELP =
  'No AWS credentials found: set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY (plus AWS_SESSION_TOKEN for temporary keys), or AWS_PROFILE naming a profile in ~/.aws/credentials or ~/.aws/config (after `aws sso login` for SSO), or run where an instance, container or SageMaker Studio role provides them — then check with `aws sts get-caller-identity`.';

/**
 * Tells whether a thrown value is the AWS SDK's "no credentials" error.
 *
 * @param e - any thrown value
 * @returns true for a `CredentialsProviderError` (by name: SDK copies may differ)
 */
export function isMissingAwsCredentials(e: unknown): boolean {
  return typeof e === 'object' && e !== null && (e as { name?: unknown }).name === 'CredentialsProviderError';
}

/**
 * The error for missing AWS credentials: one sentence naming the credential sources and the check command, and no
 * stack of SDK frames (in a notebook the stack would bury the sentence).
 *
 * @param cause - the SDK's error
 * @returns the error to throw
 */
export function awsCredentialsError(cause?: unknown): HealthDataError {
  const e = new HealthDataError('invalid-config', AWS_CREDENTIALS_HELP, { path: 'AWS credentials', ...(cause === undefined ? {} : { cause }) });
  e.stack = `${e.name}: ${e.message}`;
  return e;
}

/** Stack frames {@link unexpectedErrorTrace} keeps. */
const TRACE_FRAMES = 8;

/**
 * Where an unexpected error was thrown: for an `Error` that is not a {@link HealthDataError} (a bug, not bad input or
 * settings; e.g. a `RangeError`), the first stack frames (function, file, line), to print under its message so it can
 * be reported and found. Frames name code, never data.
 *
 * @param e - any thrown value
 * @returns the frames, one per line, or undefined for expected errors and values without a stack
 * @example
 * ```ts
 * const trace = unexpectedErrorTrace(e); // "    at readGenomics (dist/dashboard/load.js:218:22)\n…"
 * ```
 */
export function unexpectedErrorTrace(e: unknown): string | undefined {
  if (!(e instanceof Error) || isHealthDataError(e) || isMissingAwsCredentials(e) || e.stack === undefined) {
    return undefined;
  }
  const frames = e.stack.split('\n').filter((l) => /^\s+at /.test(l));
  return frames.length === 0 ? undefined : frames.slice(0, TRACE_FRAMES).join('\n');
}

/**
 * Turns any thrown value into a one-line message, safe to print.
 *
 * @param e - any thrown value
 * @returns the message, prefixed by the code for HealthDataErrors
 */
export function normalizeErrorString(e: unknown): string {
  if (isHealthDataError(e)) {
    return `[${e.code}] ${e.message}`;
  }
  if (isMissingAwsCredentials(e)) {
    return `[invalid-config] ${AWS_CREDENTIALS_HELP}`;
  }
  if (e instanceof Error) {
    return e.message;
  }
  if (typeof e === 'string') {
    return e;
  }
  if (e === undefined || typeof e === 'function' || typeof e === 'symbol') {
    return String(e);
  }
  try {
    return JSON.stringify(e);
  } catch {
    return Object.prototype.toString.call(e);
  }
}
