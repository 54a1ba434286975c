/**
 * Workspace configuration: explicit options first, then environment variables, then defaults.
 *
 * | setting | environment variable | default |
 * |---|---|---|
 * | backend | `MMH_BACKEND` | `local` |
 * | dir | `MMH_WORKSPACE` | `./workspace` |
 * | dataDir | `MMH_DATA` | `<dir>/dataset` |
 * | preset | `MMH_PRESET` | `tiny` (`default`, `coherent`, `large`) |
 * | patients | `MMH_PATIENTS` | the preset's (overrides the count only; the preset's per-patient mix stays) |
 * | mriSize | `MMH_MRI_SIZE` | the preset's (`COLUMNSxROWSxSLICES`, e.g. `64x64x32`: smaller volumes for very large runs) |
 * | duckdbMemoryLimit | `MMH_DUCKDB_MEMORY_LIMIT` | half the machine's memory (DuckDB spills beyond it) |
 * | duckdbTempDir | `MMH_DUCKDB_TEMP_DIR` | `<dir>/tmp/duckdb` (where DuckDB spills) |
 * | seed | `MMH_SEED` | `42` |
 * | lockTimeoutMs | `MMH_LOCK_TIMEOUT_MS` | `30000` |
 * | aws.region | `AWS_REGION` / `AWS_DEFAULT_REGION` | — (required for aws) |
 * | aws.s3Uri | `MMH_S3_URI` | — (required for aws) |
 * | aws.roleArn | `MMH_ROLE_ARN` | — |
 * | aws.athenaWorkGroup | `MMH_ATHENA_WORKGROUP` | `primary` |
 * | aws.athenaOutputLocation | `MMH_ATHENA_OUTPUT` | `<s3Uri>/athena-results/` |
 * | aws.athenaDatabase | `MMH_ATHENA_DATABASE` | `multimodal_health` |
 * | aws.athenaCatalog | `MMH_ATHENA_CATALOG` | `AwsDataCatalog` |
 */
import * as os from 'node:os';
import * as path from 'node:path';
import { HealthDataError } from './errors';

/** The two backends. */
export const BACKENDS = ['local', 'aws'] as const;
/** A backend name. */
export type Backend = (typeof BACKENDS)[number];

/** Dataset size presets of the cohort generator. */
export const PRESETS = ['tiny', 'default', 'coherent', 'large'] as const;
/** A dataset preset name. */
export type Preset = (typeof PRESETS)[number];

/** AWS settings, used only by the `aws` backend. Credentials come from the SDK's default chain, never from here. */
export interface AwsOptions {
  /** AWS region, e.g. `us-east-1`. */
  readonly region?: string;
  /** S3 prefix where the workspace's data lands, e.g. `s3://my-bucket/mmh/`. */
  readonly s3Uri?: string;
  /** IAM role the services assume to read S3 (HealthOmics, HealthLake, HealthImaging, SageMaker). */
  readonly roleArn?: string;
  /** Athena workgroup. */
  readonly athenaWorkGroup?: string;
  /** Athena query result location (`s3://…`). */
  readonly athenaOutputLocation?: string;
  /** Glue database holding the workspace's tables. */
  readonly athenaDatabase?: string;
  /** Athena catalog. */
  readonly athenaCatalog?: string;
}

/** Options of {@link resolveConfig} and `openWorkspace`. Anything left out is read from the environment. */
export interface WorkspaceOptions {
  /** `local` (DuckDB + files; the default) or `aws`. */
  readonly backend?: string;
  /** Workspace folder (local state, job manifests, reports). */
  readonly dir?: string;
  /** Dataset folder the import steps read (the guidance layout of ARCHITECTURE.md). */
  readonly dataDir?: string;
  /** Cohort preset used when the pipeline generates a dataset. */
  readonly preset?: string;
  /** Seed for everything random. */
  readonly seed?: number;
  /** Patients to generate, overriding the preset's count (its record density and MRI size stay). */
  readonly patients?: number;
  /** Size of the generated MRIs (columns, rows, slices), overriding the preset's; `MMH_MRI_SIZE=64x64x32`. */
  readonly mriSize?: readonly [number, number, number];
  /** DuckDB `memory_limit`, e.g. `4GB`; beyond it DuckDB spills to {@link WorkspaceOptions.duckdbTempDir}. */
  readonly duckdbMemoryLimit?: string;
  /** DuckDB `temp_directory`: where it spills (default `<dir>/tmp/duckdb`). */
  readonly duckdbTempDir?: string;
  /** Create the workspace folder if it does not exist (otherwise a missing folder is an error). */
  readonly create?: boolean;
  /** How long to wait for another process's hold on the workspace database before failing. */
  readonly lockTimeoutMs?: number;
  /** AWS settings. */
  readonly aws?: AwsOptions;
  /** Environment to read instead of `process.env` (for tests). */
  readonly env?: Readonly<Record<string, string | undefined>>;
}

/** Fully resolved, validated configuration. */
export interface WorkspaceConfig {
  /** Backend in use. */
  readonly backend: Backend;
  /** Absolute workspace folder. */
  readonly dir: string;
  /** Absolute dataset folder. */
  readonly dataDir: string;
  /** Cohort preset. */
  readonly preset: Preset;
  /** Seed. */
  readonly seed: number;
  /** Patients to generate instead of the preset's count (undefined = the preset's). */
  readonly patients: number | undefined;
  /** Generated MRI size (columns, rows, slices) instead of the preset's (undefined = the preset's). */
  readonly mriSize: readonly [number, number, number] | undefined;
  /** DuckDB `memory_limit` (e.g. `4GB`, or `12288MB` = half the memory of a 24 GiB machine). */
  readonly duckdbMemoryLimit: string;
  /** DuckDB `temp_directory` (absolute; under the workspace unless set). */
  readonly duckdbTempDir: string;
  /** Create the folder when missing. */
  readonly create: boolean;
  /** Lock wait, milliseconds. */
  readonly lockTimeoutMs: number;
  /** AWS settings (validated when backend is `aws`). */
  readonly aws: Required<Pick<AwsOptions, 'athenaWorkGroup' | 'athenaDatabase' | 'athenaCatalog'>> & AwsOptions;
}

function invalid(setting: string, value: unknown, accepted: string, context = 'openWorkspace'): HealthDataError {
  return new HealthDataError('invalid-config', `${context}: setting ${setting} = ${JSON.stringify(value)} is not valid; accepted: ${accepted}`, { path: setting });
}

function oneOf<T extends string>(setting: string, value: string, accepted: readonly T[]): T {
  if ((accepted as readonly string[]).includes(value)) {
    return value as T;
  }
  throw invalid(setting, value, accepted.join(', '));
}

function toInt(setting: string, value: string | number | undefined, fallback: number, min: number): number {
  if (value === undefined || value === '') {
    return fallback;
  }
  const n = typeof value === 'number' ? value : Number(value);
  if (!Number.isInteger(n) || n < min) {
    throw invalid(setting, value, `an integer ≥ ${String(min)}`);
  }
  return n;
}

const MEMORY = /^(\d+(?:\.\d+)?) ?(KB|MB|GB|TB|KiB|MiB|GiB|TiB)$/i;

/** A DuckDB memory size (`4GB`, `512MiB`), or half the machine's memory in MB when unset. */
function memoryLimit(setting: string, value: string | undefined): string {
  if (value === undefined) {
    return `${String(Math.max(256, Math.floor(os.totalmem() / 2 / 2 ** 20)))}MB`;
  }
  const m = MEMORY.exec(value.trim());
  if (m === null || Number(m[1]) <= 0) {
    throw invalid(setting, value, 'a size such as 4GB, 512MB or 6GiB');
  }
  return `${m[1] ?? ''}${m[2] ?? ''}`;
}

/** Smallest and largest MRI size along an axis the generator accepts. */
const MRI_AXIS = { min: 8, max: 1024 } as const;

/**
 * Reads an MRI size written `COLUMNSxROWSxSLICES` (e.g. `64x64x32`), each an integer from 8 to 1,024.
 *
 * @param setting - the setting's name, for the error (`MMH_MRI_SIZE`, `--mri-size`)
 * @param text - the size as written
 * @param context - who reads it, for the error (default `openWorkspace`)
 * @returns columns, rows, slices
 * @throws {@link HealthDataError} (invalid-config) naming the setting, the value and what it accepts
 * @example
 * ```ts
 * parseMriSize('MMH_MRI_SIZE', '64x64x32'); // [64, 64, 32]
 * ```
 */
export function parseMriSize(setting: string, text: string, context = 'openWorkspace'): [number, number, number] {
  const parts = text.trim().split('x');
  const axes = parts.map(Number);
  if (axes.length !== 3 || parts.some((p) => !/^\d+$/.test(p)) || axes.some((n) => n < MRI_AXIS.min || n > MRI_AXIS.max)) {
    throw invalid(setting, text, `COLUMNSxROWSxSLICES, each an integer from ${String(MRI_AXIS.min)} to ${MRI_AXIS.max.toLocaleString('en-US')} (e.g. 64x64x32)`, context);
  }
  return [axes[0] ?? 0, axes[1] ?? 0, axes[2] ?? 0];
}

function nonEmpty(v: string | undefined): string | undefined {
  return v === undefined || v.trim() === '' ? undefined : v.trim();
}

/**
 * Resolves and validates the workspace configuration.
 *
 * @param options - explicit settings; the rest come from environment variables and defaults
 * @returns the validated configuration
 * @throws {@link HealthDataError} (invalid-config) naming the setting, the bad value and the accepted values
 * @example
 * ```ts
 * const cfg = resolveConfig({ backend: 'local', dir: './workspace' });
 * ```
 */
export function resolveConfig(options: WorkspaceOptions = {}): WorkspaceConfig {
  const env = options.env ?? process.env;
  const backend = oneOf(options.backend !== undefined ? 'backend' : 'MMH_BACKEND', options.backend ?? nonEmpty(env.MMH_BACKEND) ?? 'local', BACKENDS);
  const dir = path.resolve(options.dir ?? nonEmpty(env.MMH_WORKSPACE) ?? 'workspace');
  const dataDir = path.resolve(options.dataDir ?? nonEmpty(env.MMH_DATA) ?? path.join(dir, 'dataset'));
  const preset = oneOf(options.preset !== undefined ? 'preset' : 'MMH_PRESET', options.preset ?? nonEmpty(env.MMH_PRESET) ?? 'tiny', PRESETS);
  const seed = toInt(options.seed !== undefined ? 'seed' : 'MMH_SEED', options.seed ?? env.MMH_SEED, 42, 0);
  const patientsSetting = options.patients !== undefined ? 'patients' : 'MMH_PATIENTS';
  const patientsValue = options.patients ?? nonEmpty(env.MMH_PATIENTS);
  const patients = patientsValue === undefined ? undefined : toInt(patientsSetting, patientsValue, 0, 1);
  if (patients !== undefined && patients > 1_000_000) {
    throw invalid(patientsSetting, patientsValue, 'an integer from 1 to 1,000,000');
  }
  const mriSizeText = nonEmpty(env.MMH_MRI_SIZE);
  const mriSize = options.mriSize !== undefined ? parseMriSize('mriSize', options.mriSize.join('x')) : mriSizeText === undefined ? undefined : parseMriSize('MMH_MRI_SIZE', mriSizeText);
  const duckdbMemoryLimit = memoryLimit(options.duckdbMemoryLimit !== undefined ? 'duckdbMemoryLimit' : 'MMH_DUCKDB_MEMORY_LIMIT', options.duckdbMemoryLimit ?? nonEmpty(env.MMH_DUCKDB_MEMORY_LIMIT));
  const duckdbTempDir = path.resolve(options.duckdbTempDir ?? nonEmpty(env.MMH_DUCKDB_TEMP_DIR) ?? path.join(dir, 'tmp', 'duckdb'));
  const lockTimeoutMs = toInt(options.lockTimeoutMs !== undefined ? 'lockTimeoutMs' : 'MMH_LOCK_TIMEOUT_MS', options.lockTimeoutMs ?? env.MMH_LOCK_TIMEOUT_MS, 30_000, 0);
  const a = options.aws ?? {};
  const s3Uri = nonEmpty(a.s3Uri ?? env.MMH_S3_URI);
  const aws = {
    region: nonEmpty(a.region ?? env.AWS_REGION ?? env.AWS_DEFAULT_REGION),
    s3Uri: s3Uri === undefined ? undefined : s3Uri.replace(/\/*$/, '/'),
    roleArn: nonEmpty(a.roleArn ?? env.MMH_ROLE_ARN),
    athenaWorkGroup: nonEmpty(a.athenaWorkGroup ?? env.MMH_ATHENA_WORKGROUP) ?? 'primary',
    athenaOutputLocation: nonEmpty(a.athenaOutputLocation ?? env.MMH_ATHENA_OUTPUT),
    athenaDatabase: nonEmpty(a.athenaDatabase ?? env.MMH_ATHENA_DATABASE) ?? 'multimodal_health',
    athenaCatalog: nonEmpty(a.athenaCatalog ?? env.MMH_ATHENA_CATALOG) ?? 'AwsDataCatalog',
  };
  if (backend === 'aws') {
    if (aws.region === undefined) {
      throw invalid('aws.region (AWS_REGION)', aws.region, 'an AWS region such as us-east-1');
    }
    if (!/^[a-z]{2}(-gov)?-[a-z]+-\d$/.test(aws.region)) {
      throw invalid('aws.region (AWS_REGION)', aws.region, 'an AWS region such as us-east-1');
    }
    if (aws.s3Uri === undefined || !aws.s3Uri.startsWith('s3://')) {
      throw invalid('aws.s3Uri (MMH_S3_URI)', aws.s3Uri, 'an S3 prefix such as s3://my-bucket/mmh/');
    }
    if (aws.athenaOutputLocation !== undefined && !aws.athenaOutputLocation.startsWith('s3://')) {
      throw invalid('aws.athenaOutputLocation (MMH_ATHENA_OUTPUT)', aws.athenaOutputLocation, 'an s3:// URI');
    }
  }
  if (!/^[a-z_][a-z0-9_]*$/.test(aws.athenaDatabase)) {
    throw invalid('aws.athenaDatabase (MMH_ATHENA_DATABASE)', aws.athenaDatabase, 'lower-case letters, digits and _');
  }
  return {
    backend,
    dir,
    dataDir,
    preset,
    seed,
    patients,
    mriSize,
    duckdbMemoryLimit,
    duckdbTempDir,
    create: options.create ?? false,
    lockTimeoutMs,
    aws: {
      ...aws,
      athenaOutputLocation: aws.athenaOutputLocation ?? (aws.s3Uri === undefined ? undefined : `${aws.s3Uri}athena-results/`),
    },
  };
}
