/**
 * SageMaker Feature Store name rules and quotas (docs/aws-semantics.md §4; SageMaker API reference patterns
 * `^[a-zA-Z0-9]([_-]*[a-zA-Z0-9]){0,63}` for group and feature names), checked the same way on both backends so a
 * group that works locally also creates on AWS.
 */
import { HealthDataError } from '../errors';
import type { CreateFeatureGroupInput, FeatureDefinition } from './types';
import { FEATURE_TYPES } from './types';

/** Quotas enforced by both backends. */
export const FEATURE_STORE_LIMITS = {
  /** Feature groups per account (and per local workspace). */
  maxFeatureGroups: 100,
  /** Feature definitions per group. */
  maxFeatures: 2500,
  /** Longest group or feature name. */
  maxNameLength: 64,
  /** Largest record, in bytes of names and values (350 KB). */
  maxRecordBytes: 350 * 1024,
  /** Largest record identifier, in bytes (2 KB). */
  maxRecordIdBytes: 2 * 1024,
  /** Identifiers per BatchGetRecord call. */
  maxBatchGetIds: 100,
} as const;

/** Feature names SageMaker reserves for the offline store's own columns. */
export const RESERVED_FEATURE_NAMES: readonly string[] = ['is_deleted', 'write_time', 'api_invocation_time'];

const NAME_PATTERN = /^[a-zA-Z0-9]([_-]*[a-zA-Z0-9])*$/;

function nameProblem(name: unknown): string | undefined {
  if (typeof name !== 'string' || name.length === 0) {
    return 'it is empty';
  }
  if (name.length > FEATURE_STORE_LIMITS.maxNameLength) {
    return `it has ${String(name.length)} characters (at most ${String(FEATURE_STORE_LIMITS.maxNameLength)})`;
  }
  if (!NAME_PATTERN.test(name)) {
    return 'it must start and end with a letter or digit and hold only letters, digits, "_" and "-" (no spaces or dots)';
  }
  return undefined;
}

/**
 * Checks a feature group name.
 *
 * @param fn - calling function, for the message
 * @param name - the name
 * @throws {@link HealthDataError} (invalid-input) naming the bad name and the rule it breaks
 */
export function checkGroupName(fn: string, name: unknown): asserts name is string {
  const problem = nameProblem(name);
  if (problem !== undefined) {
    throw new HealthDataError('invalid-input', `${fn}: feature group name ${JSON.stringify(name)} is not valid: ${problem}`, {
      path: 'name',
    });
  }
}

/**
 * Checks a feature name (not reserved, pattern, length).
 *
 * @param fn - calling function, for the message
 * @param name - the name
 * @throws {@link HealthDataError} (invalid-input) naming the bad name and the rule it breaks
 */
export function checkFeatureName(fn: string, name: unknown): asserts name is string {
  const problem = nameProblem(name);
  if (problem !== undefined) {
    throw new HealthDataError('invalid-input', `${fn}: feature name ${JSON.stringify(name)} is not valid: ${problem}; rename the column`, {
      path: String(name),
    });
  }
  const text = name as string;
  if (RESERVED_FEATURE_NAMES.includes(text.toLowerCase())) {
    throw new HealthDataError('invalid-input', `${fn}: feature name "${text}" is reserved for the offline store (${RESERVED_FEATURE_NAMES.join(', ')}); rename the column`, { path: text });
  }
}

/**
 * Validates a whole `createFeatureGroup` input: names, types, the identifier and event-time features, the
 * feature count, duplicate names (case-insensitive, as the Glue catalog and DuckDB see them) and the stores.
 *
 * @param input - the input
 * @throws {@link HealthDataError} (invalid-input) naming the first problem found
 */
export function validateCreateInput(input: CreateFeatureGroupInput): void {
  const fn = 'createFeatureGroup';
  checkGroupName(fn, input.name);
  const defs: readonly FeatureDefinition[] = input.featureDefinitions;
  if (defs.length === 0) {
    throw new HealthDataError('invalid-input', `${fn}("${input.name}"): featureDefinitions is empty; give at least the identifier and event-time features`, {
      path: 'featureDefinitions',
    });
  }
  if (defs.length > FEATURE_STORE_LIMITS.maxFeatures) {
    throw new HealthDataError(
      'invalid-input',
      `${fn}("${input.name}"): ${String(defs.length)} feature definitions exceed SageMaker's limit of ${String(FEATURE_STORE_LIMITS.maxFeatures)}; split the features over several groups`,
      { path: 'featureDefinitions' },
    );
  }
  const seen = new Map<string, string>();
  for (const d of defs) {
    checkFeatureName(fn, d.name);
    if (!FEATURE_TYPES.includes(d.type)) {
      throw new HealthDataError('invalid-input', `${fn}("${input.name}"): feature "${d.name}" has type ${JSON.stringify(d.type)}; use one of ${FEATURE_TYPES.join(', ')}`, { path: d.name });
    }
    const key = d.name.toLowerCase();
    const prior = seen.get(key);
    if (prior !== undefined) {
      throw new HealthDataError(
        'invalid-input',
        `${fn}("${input.name}"): features "${prior}" and "${d.name}" differ only by case (or repeat); the offline table's columns are case-insensitive — rename one`,
        { path: d.name },
      );
    }
    seen.set(key, d.name);
  }
  const id = defs.find((d) => d.name === input.recordIdentifierFeatureName);
  if (id === undefined) {
    throw new HealthDataError('invalid-input', `${fn}("${input.name}"): recordIdentifierFeatureName "${input.recordIdentifierFeatureName}" is not among the feature definitions; add it`, {
      path: 'recordIdentifierFeatureName',
    });
  }
  const et = defs.find((d) => d.name === input.eventTimeFeatureName);
  if (et === undefined) {
    throw new HealthDataError('invalid-input', `${fn}("${input.name}"): eventTimeFeatureName "${input.eventTimeFeatureName}" is not among the feature definitions; add it`, {
      path: 'eventTimeFeatureName',
    });
  }
  if (et.type === 'Integral') {
    throw new HealthDataError(
      'invalid-input',
      `${fn}("${input.name}"): event-time feature "${et.name}" is Integral; SageMaker accepts Fractional (Unix seconds) or String (ISO-8601 yyyy-MM-ddTHH:mm:ssZ)`,
      { path: et.name },
    );
  }
  if (input.recordIdentifierFeatureName === input.eventTimeFeatureName) {
    throw new HealthDataError('invalid-input', `${fn}("${input.name}"): the identifier and event-time features must differ`, {
      path: 'eventTimeFeatureName',
    });
  }
  const online = input.onlineStore?.enable ?? true;
  const offline = input.offlineStore?.enable ?? true;
  if (!online && !offline) {
    throw new HealthDataError('invalid-input', `${fn}("${input.name}"): both stores are disabled; enable the online store, the offline store, or both`, {
      path: 'onlineStore',
    });
  }
  const tableName = input.offlineStore?.tableName;
  if (tableName !== undefined && !/^[a-z_][a-z0-9_]{0,254}$/.test(tableName)) {
    throw new HealthDataError('invalid-input', `${fn}("${input.name}"): offline tableName ${JSON.stringify(tableName)} must be lower-case letters, digits and "_" (a Glue/Athena table name)`, {
      path: 'offlineStore.tableName',
    });
  }
}

/**
 * SageMaker's default offline table name for a group: the name in lower case with `-` as `_`, then `_<epoch s>`.
 *
 * @param groupName - group name
 * @param created - creation time
 * @returns the table name
 */
export function defaultOfflineTableName(groupName: string, created: Date): string {
  return `${groupName.toLowerCase().replace(/-/g, '_')}_${String(Math.floor(created.getTime() / 1000))}`;
}

/**
 * Checks a `BatchGetRecord` request against SageMaker's identifier limit (both backends refuse the same requests).
 *
 * @param requests - the per-group requests
 * @throws {@link HealthDataError} (invalid-input) when more identifiers are asked for than one call takes
 */
export function checkBatchGetSize(requests: readonly { readonly recordIds: readonly string[] }[]): void {
  const total = requests.reduce((n, r) => n + r.recordIds.length, 0);
  if (total > FEATURE_STORE_LIMITS.maxBatchGetIds) {
    throw new HealthDataError(
      'invalid-input',
      `batchGetRecord: ${String(total)} identifiers requested; SageMaker takes at most ${String(FEATURE_STORE_LIMITS.maxBatchGetIds)} per call — split the request`,
    );
  }
}
