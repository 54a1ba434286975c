/**
 * Types of the feature store, mirroring Amazon SageMaker Feature Store (docs/aws-semantics.md §4) in camelCase.
 *
 * Pure: imports nothing from `sql/`, `@duckdb/*` or `@aws-sdk/*`.
 */

/** A feature's type, as SageMaker names it: Integral = int64, Fractional = double, String = text. */
export type FeatureType = 'Integral' | 'Fractional' | 'String';

/** The three feature types, in SageMaker's order. */
export const FEATURE_TYPES: readonly FeatureType[] = ['Integral', 'Fractional', 'String'];

/** One feature: its name and type (SageMaker `FeatureDefinition`). */
export interface FeatureDefinition {
  /** Feature name (alphanumeric start, then letters, digits, `_` and `-`; at most 64 characters). */
  readonly name: string;
  /** Feature type. */
  readonly type: FeatureType;
}

/** Lifecycle status of a feature group (SageMaker `FeatureGroupStatus`). */
export type FeatureGroupStatus = 'Creating' | 'Created' | 'CreateFailed' | 'Deleting' | 'DeleteFailed';

/** Where a record goes: SageMaker `TargetStores`. */
export type TargetStore = 'OnlineStore' | 'OfflineStore';

/** Online store settings (SageMaker `OnlineStoreConfig`, the parts that change behaviour). */
export interface OnlineStoreOptions {
  /** Whether the group has an online store. */
  readonly enable: boolean;
}

/** Offline store settings (SageMaker `OfflineStoreConfig`). */
export interface OfflineStoreOptions {
  /** Whether the group has an offline store. */
  readonly enable: boolean;
  /** S3 prefix of the offline store (AWS backend; default `<workspace s3Uri>feature-store/`). */
  readonly s3Uri?: string;
  /** Table name in the data catalog (default: SageMaker's `<name>_<creation epoch>`, lower case, `-` → `_`). */
  readonly tableName?: string;
  /** Catalog database (AWS backend; default the workspace's Athena database). */
  readonly database?: string;
  /** `Glue` (default) or `Iceberg` table format (AWS backend; the local store writes Parquet either way). */
  readonly tableFormat?: 'Glue' | 'Iceberg';
}

/** Input of `createFeatureGroup` (SageMaker `CreateFeatureGroup`). */
export interface CreateFeatureGroupInput {
  /** Group name: unique, alphanumeric start, then letters, digits, `_` and `-`, at most 64 characters. */
  readonly name: string;
  /** The feature whose value identifies a record (must be one of the definitions). */
  readonly recordIdentifierFeatureName: string;
  /** The feature holding the event time: `Fractional` (Unix seconds) or `String` (`yyyy-MM-ddTHH:mm:ss[.SSS]Z`). */
  readonly eventTimeFeatureName: string;
  /** Feature definitions, including the identifier and the event time. At most 2,500. */
  readonly featureDefinitions: readonly FeatureDefinition[];
  /** Online store (default enabled). At least one of the two stores must be enabled. */
  readonly onlineStore?: OnlineStoreOptions;
  /** Offline store (default enabled). */
  readonly offlineStore?: OfflineStoreOptions;
  /** Free-form description (no patient data). */
  readonly description?: string;
}

/** Where a group's offline rows can be queried with SQL. */
export interface OfflineTableRef {
  /** Catalog database (`main` locally). */
  readonly database: string;
  /** Table (a view over the Parquet files locally; the Glue table on AWS). */
  readonly tableName: string;
  /** Where the Parquet files are (`s3://…` on AWS, a folder locally). */
  readonly location: string;
}

/** A described feature group (SageMaker `DescribeFeatureGroup`). */
export interface FeatureGroupDescription {
  /** Group name. */
  readonly name: string;
  /** ARN on AWS; a local pseudo-ARN (`arn:local:sagemaker:…`) on the local backend. */
  readonly arn: string;
  /** Identifier feature. */
  readonly recordIdentifierFeatureName: string;
  /** Event-time feature. */
  readonly eventTimeFeatureName: string;
  /** All feature definitions. */
  readonly featureDefinitions: readonly FeatureDefinition[];
  /** Whether the online store is enabled. */
  readonly onlineStoreEnabled: boolean;
  /** The offline table, when the offline store is enabled. */
  readonly offlineStore: OfflineTableRef | undefined;
  /** Status. */
  readonly status: FeatureGroupStatus;
  /** Why creation failed, when it did. */
  readonly failureReason?: string;
  /** Creation time. */
  readonly creationTime: Date;
  /** Description. */
  readonly description?: string;
}

/** One row of `listFeatureGroups`. */
export interface FeatureGroupSummary {
  /** Group name. */
  readonly name: string;
  /** ARN (or local pseudo-ARN). */
  readonly arn: string;
  /** Status. */
  readonly status: FeatureGroupStatus;
  /** Creation time. */
  readonly creationTime: Date;
}

/** A value accepted in an input record: coerced to the feature's type, `null`/`undefined` = not set. */
export type FeatureInputValue = string | number | bigint | boolean | Date | null | undefined;

/** An input record: feature name → value. Must hold the identifier and the event time. */
export type FeatureRecordInput = Readonly<Record<string, FeatureInputValue>>;

/** A stored value as read back: Integral → number (bigint beyond 2^53), Fractional → number, String → string. */
export type FeatureValue = string | number | bigint;

/** A record as read back: feature name → value; features that were not set are absent (as in GetRecord). */
export type FeatureRecord = Readonly<Record<string, FeatureValue>>;

/** Options of `putRecord`. */
export interface PutRecordOptions {
  /** Stores to write (default both that the group has). */
  readonly targetStores?: readonly TargetStore[];
}

/** SageMaker `DeletionMode`. */
export type DeletionMode = 'SoftDelete' | 'HardDelete';

/** Options of `deleteRecord`. */
export interface DeleteRecordOptions {
  /** `SoftDelete` (default) or `HardDelete`. */
  readonly mode?: DeletionMode;
  /** Stores to write the delete to (default both that the group has). */
  readonly targetStores?: readonly TargetStore[];
}

/** One request of `batchGetRecord`. */
export interface BatchGetRequest {
  /** Group name. */
  readonly groupName: string;
  /** Record identifiers (all requests together: at most 100). */
  readonly recordIds: readonly string[];
  /** Features to return (default all). */
  readonly featureNames?: readonly string[];
}

/** Result of `batchGetRecord` (SageMaker `BatchGetRecord`). */
export interface BatchGetResult {
  /** Found records. */
  readonly records: readonly { readonly groupName: string; readonly recordId: string; readonly record: FeatureRecord }[];
  /** Per-identifier errors (unknown group, …). */
  readonly errors: readonly {
    readonly groupName: string;
    readonly recordId: string;
    readonly errorCode: string;
    readonly errorMessage: string;
  }[];
  /** Identifiers the service did not process (retry them). */
  readonly unprocessed: readonly { readonly groupName: string; readonly recordIds: readonly string[] }[];
}

/** One failed record of an ingest, as in an AWS failure manifest. */
export interface IngestFailure {
  /** Record identifier, or `row <n>` (1-based) when the row has none. */
  readonly recordId: string;
  /** Why it was rejected, naming the feature and value. */
  readonly reason: string;
}

/** What an ingest reports: `records = succeeded + failed.length`. */
export interface IngestReport {
  /** Group name. */
  readonly groupName: string;
  /** Rows given. */
  readonly records: number;
  /** Rows written. */
  readonly succeeded: number;
  /** Rows rejected, with reasons. */
  readonly failed: readonly IngestFailure[];
}
