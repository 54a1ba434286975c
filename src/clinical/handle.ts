/**
 * The workspace's `clinical` handle: the FHIR store of the workspace's backend, plus the conveniences notebooks
 * use — the workspace datastore (`mmh-clinical`, created on first use), import-and-wait, labels and features.
 * Cheap to create: nothing is opened until first use.
 */
import * as path from 'node:path';
import { HealthLakeClient } from '@aws-sdk/client-healthlake';
import { S3Client } from '@aws-sdk/client-s3';
import { HealthDataError } from '../errors';
import type { WorkspaceCore } from '../workspace-core';
import { athenaCohortSources } from './aws/athena-cohort-sources';
import { AwsFhirStore } from './aws/aws-fhir-store';
import type { CohortDefinition, CohortLabels } from './cohort';
import type { ClinicalFeatureRow } from './features';
import type { CreateDatastoreInput, DatastoreProperties, FhirSearchParams, FhirStore, ImportJobProperties, SearchBundle, StartImportJobInput, StartImportJobOutput, WaitOptions } from './fhir-store';
import { localCohortSources } from './local/clinical-data';
import type { CohortSources } from './study-cohort';
import { assembleCohort, assembleLabels } from './study-cohort';
import { LocalFhirStore } from './local/local-fhir-store';
import { datastoreSchema } from './local/schema';

/** Name of the workspace's datastore. */
export const WORKSPACE_DATASTORE_NAME = 'mmh-clinical';

/** Options of {@link ClinicalHandle.importFolder}. */
export interface ImportFolderOptions extends WaitOptions {
  /** Validation level (default `structure-only`). */
  readonly validationLevel?: StartImportJobInput['validationLevel'];
  /** Job name. */
  readonly jobName?: string;
}

/** Labels and features of one cohort. */
export interface ClinicalCohort {
  /** Labels, index dates and exclusions. */
  readonly labels: CohortLabels;
  /** One feature row per labelled patient. */
  readonly features: ClinicalFeatureRow[];
  /** (`guidance` design) the cases' features from events before their onset, for the leakage audit. */
  readonly preOnsetFeatures?: ClinicalFeatureRow[];
}

/** `ws.clinical`: a {@link FhirStore} plus workspace conveniences. */
export interface ClinicalHandle extends FhirStore {
  /**
   * The workspace datastore (`mmh-clinical`), created and waited for on first use.
   *
   * @returns its properties
   */
  datastore(): Promise<DatastoreProperties>;
  /**
   * Imports a folder of `*.ndjson` into the workspace datastore and waits for the job.
   *
   * @param dir - the folder (e.g. `<dataDir>/clinical`)
   * @param options - validation level, waiter options
   * @returns the finished job
   */
  importFolder(dir: string, options?: ImportFolderOptions): Promise<ImportJobProperties>;
  /**
   * Labels and features of one outcome under its study design (see study-cohort.ts): from the local datastore, or on
   * aws from HealthLake's Athena tables (the datastore's resource-link database, {@link healthLakeDatabase}).
   *
   * @param definition - outcome, design, index policy, landmarks, lookback
   * @returns labels and features
   */
  cohort(definition: CohortDefinition): Promise<ClinicalCohort>;
  /**
   * Labels and index dates of one outcome under its study design, as {@link ClinicalHandle.cohort} builds them, without
   * loading events or computing features (for training sets whose features come from the feature store).
   *
   * @param definition - outcome, design, index policy, landmarks, lookback
   * @returns the labels
   */
  cohortLabels(definition: CohortDefinition): Promise<CohortLabels>;
}

class WorkspaceClinical implements ClinicalHandle {
  readonly backend: 'local' | 'aws';
  private store: FhirStore | undefined;
  private current: DatastoreProperties | undefined;

  constructor(private readonly core: WorkspaceCore) {
    this.backend = core.backend;
  }

  private get inner(): FhirStore {
    if (this.store === undefined) {
      if (this.core.backend === 'local') {
        if (this.core.duckdb === undefined) {
          throw new HealthDataError('invalid-config', 'ws.clinical: the local backend has no DuckDB engine');
        }
        this.store = new LocalFhirStore({ engine: this.core.duckdb, dir: this.core.config.dir, progress: this.core.progress });
      } else {
        const region = this.core.config.aws.region;
        const healthlake = new HealthLakeClient({ region });
        const s3 = new S3Client({ region });
        this.core.onClose(() => {
          healthlake.destroy();
          s3.destroy();
        });
        this.store = new AwsFhirStore({
          healthlake,
          s3,
          s3Uri: this.core.config.aws.s3Uri ?? '',
          progress: this.core.progress,
          ...(this.core.config.aws.roleArn === undefined ? {} : { roleArn: this.core.config.aws.roleArn }),
        });
      }
    }
    return this.store;
  }

  createDatastore(input: CreateDatastoreInput): Promise<DatastoreProperties> {
    return this.inner.createDatastore(input);
  }
  describeDatastore(id: string): Promise<DatastoreProperties> {
    return this.inner.describeDatastore(id);
  }
  listDatastores(): Promise<DatastoreProperties[]> {
    return this.inner.listDatastores();
  }
  waitForDatastoreActive(id: string, options?: WaitOptions): Promise<DatastoreProperties> {
    return this.inner.waitForDatastoreActive(id, options);
  }
  startImportJob(input: StartImportJobInput): Promise<StartImportJobOutput> {
    return this.inner.startImportJob(input);
  }
  describeImportJob(datastoreId: string, jobId: string): Promise<ImportJobProperties> {
    return this.inner.describeImportJob(datastoreId, jobId);
  }
  waitForImportJob(datastoreId: string, jobId: string, options?: WaitOptions): Promise<ImportJobProperties> {
    return this.inner.waitForImportJob(datastoreId, jobId, options);
  }
  read(datastoreId: string, resourceType: string, id: string): Promise<Record<string, unknown>> {
    return this.inner.read(datastoreId, resourceType, id);
  }
  search(datastoreId: string, resourceType: string, params?: FhirSearchParams): Promise<SearchBundle> {
    return this.inner.search(datastoreId, resourceType, params);
  }

  async datastore(): Promise<DatastoreProperties> {
    if (this.current !== undefined) {
      return this.current;
    }
    const found = (await this.inner.listDatastores()).find((d) => d.DatastoreName === WORKSPACE_DATASTORE_NAME && d.DatastoreStatus !== 'DELETED' && d.DatastoreStatus !== 'CREATE_FAILED');
    const ds = found ?? (await this.inner.createDatastore({ name: WORKSPACE_DATASTORE_NAME, fhirVersion: 'R4' }));
    this.current = await this.inner.waitForDatastoreActive(ds.DatastoreId);
    return this.current;
  }

  async importFolder(dir: string, options: ImportFolderOptions = {}): Promise<ImportJobProperties> {
    const ds = await this.datastore();
    const job = await this.inner.startImportJob({
      datastoreId: ds.DatastoreId,
      inputDir: path.resolve(dir),
      ...(options.validationLevel === undefined ? {} : { validationLevel: options.validationLevel }),
      ...(options.jobName === undefined ? {} : { jobName: options.jobName }),
    });
    return this.inner.waitForImportJob(ds.DatastoreId, job.JobId, { progress: this.core.progress, ...options });
  }

  async cohort(definition: CohortDefinition): Promise<ClinicalCohort> {
    return assembleCohort(definition, await this.cohortSources());
  }

  async cohortLabels(definition: CohortDefinition): Promise<CohortLabels> {
    return assembleLabels(definition, await this.cohortSources());
  }

  private async cohortSources(): Promise<CohortSources> {
    const ds = await this.datastore();
    if (this.core.backend === 'aws') {
      // HealthLake's Athena tables, through the datastore's Lake Formation resource-link database (docs/aws.md).
      return athenaCohortSources({ sql: this.core.sql, database: healthLakeDatabase(ds) });
    }
    const engine = this.core.duckdb;
    if (engine === undefined) {
      throw new HealthDataError('invalid-config', 'ws.clinical.cohort: the local backend has no DuckDB engine');
    }
    return localCohortSources(engine, datastoreSchema(ds.DatastoreId));
  }
}

/**
 * The Glue database Athena reads a HealthLake datastore's tables from: `MMH_HEALTHLAKE_DATABASE` when set, else
 * the resource link HealthLake shares into the account, named `<datastore name>_<datastore id>_healthlake_view`
 * (the name lower-cased, other characters as `_`). The caller needs Lake Formation DESCRIBE on that resource link
 * and SELECT + DESCRIBE on its tables ("Getting started with Amazon Athena", AWS HealthLake Developer Guide).
 *
 * @param ds - the datastore
 * @param env - environment (default `process.env`)
 * @returns the database name
 */
export function healthLakeDatabase(ds: Pick<DatastoreProperties, 'DatastoreId' | 'DatastoreName'>, env: NodeJS.ProcessEnv = process.env): string {
  const set = env.MMH_HEALTHLAKE_DATABASE?.trim();
  if (set !== undefined && set !== '') {
    return set;
  }
  return `${ds.DatastoreName.toLowerCase().replace(/[^a-z0-9_]/g, '_')}_${ds.DatastoreId}_healthlake_view`;
}

/**
 * Creates the workspace's clinical handle (`ws.clinical`).
 *
 * @param core - the workspace core
 * @returns the handle; the backend store is built on first use
 */
export function createClinicalHandle(core: WorkspaceCore): ClinicalHandle {
  return new WorkspaceClinical(core);
}
