/**
 * `mmh aws plan`: what the pipeline will create on AWS, where, with which role and permissions, and what it roughly
 * costs — computed from the configuration alone (no AWS call, no credentials read), so it can be shown before
 * anything is created. The least-privilege IAM policy is generated here and reproduced in docs/aws.md.
 */
import type { WorkspaceConfig } from '../config';
import { HealthDataError } from '../errors';
import { AUTOGLUON_TRAINING_REGISTRIES } from '../automl/aws/sagemaker-autogluon';
import { HEALTHIMAGING_REGIONS, HEALTHLAKE_REGIONS } from './regions';
import { splitS3Uri } from './s3';

/** Names of what the pipeline creates (the teardown looks for exactly these). */
export const AWS_RESOURCE_NAMES = {
  /** HealthLake datastore. */
  healthLakeDatastore: 'mmh-clinical',
  /** HealthImaging datastore. */
  healthImagingDatastore: 'mmh-imaging',
  /** Feature groups (one per outcome for clinical features, one per other modality). */
  featureGroups: ['clinical-hypertension', 'clinical-stroke', 'clinical-chd', 'clinical-alzheimers', 'genomic', 'imaging-features'],
  /** Glue tables of the genomic Parquet path. */
  glueTables: ['omicsvariants', 'omicsvariants_test_dates', 'omicsannotations', 'omicsannotations_test_dates'],
} as const;

/** One resource in the plan. */
export interface PlannedResource {
  /** AWS service. */
  readonly service: string;
  /** What is created. */
  readonly kind: string;
  /** Its name or location. */
  readonly name: string;
  /** When it is created (which step). */
  readonly createdBy: string;
  /** Billing note. */
  readonly billing: string;
}

/** The plan. */
export interface AwsPlan {
  /** Region. */
  readonly region: string;
  /** Workspace S3 prefix. */
  readonly s3Uri: string;
  /** Role the services assume (MMH_ROLE_ARN), if set. */
  readonly roleArn: string | undefined;
  /** Resources. */
  readonly resources: readonly PlannedResource[];
  /** Problems that would stop a run (wrong region, missing role…), each with what to do. */
  readonly problems: readonly string[];
  /** The least-privilege policy for the identity running the pipeline. */
  readonly policy: IamPolicy;
  /** Rough costs (approximate list prices; see docs/aws.md). */
  readonly costs: readonly string[];
}

/** An IAM policy document. */
export interface IamPolicy {
  /** Always 2012-10-17. */
  readonly Version: '2012-10-17';
  /** Statements. */
  readonly Statement: readonly { readonly Sid: string; readonly Effect: 'Allow'; readonly Action: readonly string[]; readonly Resource: readonly string[] | string }[];
}

/** One statement of {@link IamPolicy}. */
type PolicyStatement = IamPolicy['Statement'][number];

/** Objects under the workspace prefix, and listing the bucket. */
function storageStatements(bucket: string, prefix: string): PolicyStatement[] {
  return [
    {
      Sid: 'WorkspaceObjects',
      Effect: 'Allow',
      Action: ['s3:GetObject', 's3:PutObject', 's3:DeleteObject', 's3:AbortMultipartUpload', 's3:ListMultipartUploadParts'],
      Resource: [`arn:aws:s3:::${bucket}/${prefix}*`],
    },
    { Sid: 'WorkspaceListing', Effect: 'Allow', Action: ['s3:ListBucket', 's3:GetBucketLocation'], Resource: [`arn:aws:s3:::${bucket}`] },
  ];
}

/** HealthLake FHIR and HealthImaging datastores of the region and account (listing has no resource-level permission). */
function healthStatements(r: string, acct: string): PolicyStatement[] {
  return [
    {
      Sid: 'HealthLake',
      Effect: 'Allow',
      Action: [
        'healthlake:CreateFHIRDatastore',
        'healthlake:DescribeFHIRDatastore',
        'healthlake:DeleteFHIRDatastore',
        'healthlake:StartFHIRImportJob',
        'healthlake:DescribeFHIRImportJob',
        'healthlake:ListFHIRImportJobs',
        'healthlake:ReadResource',
        'healthlake:SearchWithGet',
        'healthlake:SearchWithPost',
      ],
      Resource: [`arn:aws:healthlake:${r}:${acct}:datastore/fhir/*`],
    },
    { Sid: 'HealthLakeList', Effect: 'Allow', Action: ['healthlake:ListFHIRDatastores'], Resource: '*' },
    {
      Sid: 'HealthImaging',
      Effect: 'Allow',
      Action: [
        'medical-imaging:CreateDatastore',
        'medical-imaging:GetDatastore',
        'medical-imaging:DeleteDatastore',
        'medical-imaging:StartDICOMImportJob',
        'medical-imaging:GetDICOMImportJob',
        'medical-imaging:SearchImageSets',
        'medical-imaging:GetImageSet',
        'medical-imaging:GetImageSetMetadata',
        'medical-imaging:GetImageFrame',
        'medical-imaging:DeleteImageSet',
      ],
      Resource: [`arn:aws:medical-imaging:${r}:${acct}:datastore/*`],
    },
    { Sid: 'HealthImagingList', Effect: 'Allow', Action: ['medical-imaging:ListDatastores'], Resource: '*' },
  ];
}

/** The Glue catalog (workspace, feature-store and HealthLake-view databases), Athena work groups, Lake Formation data access. */
function analyticsStatements(r: string, acct: string, database: string): PolicyStatement[] {
  return [
    {
      Sid: 'GlueCatalog',
      Effect: 'Allow',
      Action: ['glue:GetDatabase', 'glue:GetDatabases', 'glue:CreateDatabase', 'glue:DeleteDatabase', 'glue:GetTable', 'glue:GetTables', 'glue:CreateTable', 'glue:DeleteTable', 'glue:GetPartitions'],
      Resource: [
        `arn:aws:glue:${r}:${acct}:catalog`,
        `arn:aws:glue:${r}:${acct}:database/${database}`,
        `arn:aws:glue:${r}:${acct}:table/${database}/*`,
        `arn:aws:glue:${r}:${acct}:database/sagemaker_featurestore`,
        `arn:aws:glue:${r}:${acct}:table/sagemaker_featurestore/*`,
        `arn:aws:glue:${r}:${acct}:database/*_healthlake_view`,
        `arn:aws:glue:${r}:${acct}:table/*_healthlake_view/*`,
      ],
    },
    {
      Sid: 'Athena',
      Effect: 'Allow',
      Action: ['athena:StartQueryExecution', 'athena:GetQueryExecution', 'athena:GetQueryResults', 'athena:StopQueryExecution', 'athena:GetWorkGroup'],
      Resource: [`arn:aws:athena:${r}:${acct}:workgroup/*`],
    },
    { Sid: 'LakeFormationData', Effect: 'Allow', Action: ['lakeformation:GetDataAccess'], Resource: '*' },
  ];
}

/** SageMaker feature groups and training jobs. */
function mlStatements(r: string, acct: string): PolicyStatement[] {
  return [
    {
      Sid: 'FeatureStore',
      Effect: 'Allow',
      Action: [
        'sagemaker:CreateFeatureGroup',
        'sagemaker:DescribeFeatureGroup',
        'sagemaker:DeleteFeatureGroup',
        'sagemaker:PutRecord',
        'sagemaker:GetRecord',
        'sagemaker:BatchGetRecord',
        'sagemaker:DeleteRecord',
      ],
      Resource: [`arn:aws:sagemaker:${r}:${acct}:feature-group/*`],
    },
    { Sid: 'FeatureStoreList', Effect: 'Allow', Action: ['sagemaker:ListFeatureGroups'], Resource: '*' },
    {
      Sid: 'Training',
      Effect: 'Allow',
      Action: ['sagemaker:CreateTrainingJob', 'sagemaker:DescribeTrainingJob', 'sagemaker:StopTrainingJob'],
      Resource: [`arn:aws:sagemaker:${r}:${acct}:training-job/*`],
    },
  ];
}

/**
 * The least-privilege policy for the identity that runs the pipeline (user, SSO role or Studio execution role):
 * scoped to the workspace bucket prefix, the region, the workspace Glue database and SageMaker's feature-store
 * database, and `iam:PassRole` on the one service role. Actions without resource-level permissions use `*`.
 *
 * @param o - region, S3 prefix, Glue database, service role (account `*` when unknown)
 * @returns the policy document
 */
export function leastPrivilegePolicy(o: { readonly region: string; readonly s3Uri: string; readonly database: string; readonly roleArn?: string; readonly account?: string }): IamPolicy {
  const { bucket, key } = splitS3Uri(o.s3Uri);
  const prefix = key.replace(/\/*$/, '/');
  const acct = o.account ?? roleAccount(o.roleArn) ?? '*';
  const r = o.region;
  return {
    Version: '2012-10-17',
    Statement: [
      ...storageStatements(bucket, prefix),
      ...healthStatements(r, acct),
      ...analyticsStatements(r, acct, o.database),
      ...mlStatements(r, acct),
      ...(o.roleArn === undefined ? [] : [{ Sid: 'PassServiceRole', Effect: 'Allow' as const, Action: ['iam:PassRole'], Resource: [o.roleArn] }]),
    ],
  };
}

function roleAccount(roleArn: string | undefined): string | undefined {
  return roleArn === undefined ? undefined : /^arn:aws[a-z-]*:iam::(\d{12}):role\//.exec(roleArn)?.[1];
}

/**
 * Builds the plan from the configuration.
 *
 * @param config - the resolved workspace configuration (backend aws)
 * @returns the plan; problems are listed, not thrown, so the user sees all of them at once
 * @throws {@link HealthDataError} (invalid-config) when the backend is not aws
 */
export function awsPlan(config: WorkspaceConfig): AwsPlan {
  if (config.backend !== 'aws') {
    throw new HealthDataError('invalid-config', 'mmh aws plan: the workspace backend is local; set MMH_BACKEND=aws (with AWS_REGION and MMH_S3_URI)', { path: 'backend' });
  }
  const region = config.aws.region ?? '';
  const s3Uri = config.aws.s3Uri ?? '';
  const db = config.aws.athenaDatabase;
  const problems: string[] = [];
  if (!HEALTHLAKE_REGIONS.includes(region)) {
    problems.push(`HealthLake is not offered in ${region}: use one of ${HEALTHLAKE_REGIONS.join(', ')}`);
  }
  if (!HEALTHIMAGING_REGIONS.includes(region)) {
    problems.push(`HealthImaging is not offered in ${region}: use one of ${HEALTHIMAGING_REGIONS.join(', ')} (or skip the imaging steps)`);
  }
  if (AUTOGLUON_TRAINING_REGISTRIES[region] === undefined) {
    problems.push(`no published AutoGluon training image in ${region} (SageMaker training is optional; local AutoML still runs)`);
  }
  if (config.aws.roleArn === undefined) {
    problems.push('MMH_ROLE_ARN is not set: HealthLake, HealthImaging and Feature Store need a role they can assume to read and write the workspace prefix');
  }
  const res = (service: string, kind: string, name: string, createdBy: string, billing: string): PlannedResource => ({ service, kind, name, createdBy, billing });
  const resources: PlannedResource[] = [
    res('S3', 'objects', `${s3Uri}clinical-input/ healthlake-import/ imaging/ genomics/ feature-store/ athena-results/ automl/`, 'every import and feature step', 'storage per GB-month, requests'),
    res('HealthLake', 'FHIR R4 datastore', AWS_RESOURCE_NAMES.healthLakeDatastore, 'import-clinical', 'per datastore-hour while it exists, plus storage: delete it with mmh aws teardown'),
    res('Lake Formation / Glue', 'resource-link database (made by HealthLake)', `${AWS_RESOURCE_NAMES.healthLakeDatastore}_<datastore id>_healthlake_view`, 'import-clinical', 'none'),
    res('HealthImaging', 'datastore', AWS_RESOURCE_NAMES.healthImagingDatastore, 'import-imaging', 'storage per GB-month, API calls'),
    res('Glue', 'database', db, 'import-genomic', 'none (catalog objects are free up to the free tier)'),
    ...AWS_RESOURCE_NAMES.glueTables.map((t) => res('Glue', 'table (Parquet on S3)', `${db}.${t}`, 'import-genomic', 'none')),
    ...AWS_RESOURCE_NAMES.featureGroups.map((g) =>
      res(
        'SageMaker Feature Store',
        'feature group (online + offline)',
        g,
        g.startsWith('clinical') ? 'features-clinical' : g === 'genomic' ? 'features-genomic' : 'features-imaging',
        'online: per read/write unit; offline: S3 storage; Glue table in sagemaker_featurestore',
      ),
    ),
    res(
      'Athena',
      'queries',
      `workgroup ${config.aws.athenaWorkGroup}, results ${config.aws.athenaOutputLocation ?? `${s3Uri}athena-results/`}`,
      'features, training sets, dashboard',
      'per TB scanned',
    ),
    res('SageMaker', 'training jobs (optional)', 'mmh-autogluon-<timestamp>-<suffix>', 'ws.automl.sagemaker (notebook 09)', 'per instance-hour while training'),
  ];
  return {
    region,
    s3Uri,
    roleArn: config.aws.roleArn,
    resources,
    problems,
    policy: leastPrivilegePolicy({ region, s3Uri, database: db, ...(config.aws.roleArn === undefined ? {} : { roleArn: config.aws.roleArn }) }),
    costs: [
      'HealthLake: billed per datastore-hour from creation to deletion (the largest fixed cost of a run; tear down when done) plus per GB stored — see aws.amazon.com/healthlake/pricing',
      'HealthImaging: per GB-month stored and per API call; the tiny cohort is a few MB — see aws.amazon.com/healthimaging/pricing',
      'Athena: per TB scanned (10 MB minimum per query); the tiny cohort is well under a cent per run — see aws.amazon.com/athena/pricing',
      'Feature Store: online store per read/write request unit, offline store as S3 storage — see aws.amazon.com/sagemaker/pricing',
      'SageMaker training (optional): instance-hours of ml.m5.2xlarge by default — see aws.amazon.com/sagemaker/pricing',
    ],
  };
}

/**
 * Renders the plan as text for the terminal (no credentials: only the configured names).
 *
 * @param plan - the plan
 * @returns text
 */
export function formatPlan(plan: AwsPlan): string {
  const lines = [
    `AWS plan — region ${plan.region}, workspace prefix ${plan.s3Uri}`,
    `service role (MMH_ROLE_ARN): ${plan.roleArn ?? '(not set)'}`,
    '',
    'Resources the pipeline creates:',
    ...plan.resources.map((r) => `  - ${r.service}: ${r.kind} ${r.name}  [${r.createdBy}; ${r.billing}]`),
    '',
    plan.problems.length === 0 ? 'No problems found in the configuration.' : 'Problems to fix first:',
    ...plan.problems.map((p) => `  ! ${p}`),
    '',
    'Rough costs:',
    ...plan.costs.map((c) => `  - ${c}`),
    '',
    'Least-privilege IAM policy for the identity running the pipeline (docs/aws.md explains each statement):',
    JSON.stringify(plan.policy, null, 2),
  ];
  return `${lines.join('\n')}\n`;
}
