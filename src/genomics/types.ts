/**
 * The genomics store interface shared by the local backend (DuckDB + Parquet) and the AWS backend (HealthOmics, or
 * Parquet on S3 registered for Athena). Shapes and status names follow `@aws-sdk/client-omics` (docs/aws-semantics.md §1).
 */

/** Import job status, as HealthOmics reports it. */
export type OmicsJobStatus = 'SUBMITTED' | 'IN_PROGRESS' | 'CANCELLING' | 'CANCELLED' | 'COMPLETED' | 'COMPLETED_WITH_FAILURES' | 'FAILED';

/** Variant/annotation store status. */
export type StoreStatus = 'CREATING' | 'UPDATING' | 'DELETING' | 'ACTIVE' | 'FAILED';

/** Status of one source of a reference import job. */
export type ReferenceSourceStatus = 'NOT_STARTED' | 'IN_PROGRESS' | 'FINISHED' | 'FAILED';

/** Statuses that end a job. */
export const TERMINAL_JOB_STATUSES: ReadonlySet<OmicsJobStatus> = new Set(['CANCELLED', 'COMPLETED', 'COMPLETED_WITH_FAILURES', 'FAILED']);

/** A reference store. */
export interface ReferenceStoreInfo {
  /** Store id. */
  readonly id: string;
  /** Store ARN (`arn:local:…` locally). */
  readonly arn: string;
  /** Store name. */
  readonly name: string;
  /** Creation time. */
  readonly creationTime: Date;
}

/** A reference inside a reference store. */
export interface ReferenceInfo {
  /** Reference id. */
  readonly id: string;
  /** `arn:…:referenceStore/{storeId}/reference/{refId}`. */
  readonly arn: string;
  /** Reference name. */
  readonly name: string;
  /** Owning store id. */
  readonly referenceStoreId: string;
  /** Contig names and lengths (local backend). */
  readonly contigs?: readonly { readonly name: string; readonly length: number }[];
}

/** One source of a reference import job. */
export interface ReferenceImportSource {
  /** FASTA path (local) or S3 URI (AWS). */
  readonly sourceFile: string;
  /** Reference name. */
  readonly name: string;
  /** Per-source status. */
  readonly status: ReferenceSourceStatus;
  /** Why it failed. */
  readonly statusMessage?: string;
  /** The reference id once imported. */
  readonly referenceId?: string;
}

/** A reference import job. */
export interface ReferenceImportJob {
  /** Job id. */
  readonly id: string;
  /** Store id. */
  readonly referenceStoreId: string;
  /** Job status. */
  readonly status: OmicsJobStatus;
  /** Why the job failed or partly failed. */
  readonly statusMessage?: string;
  /** Creation time. */
  readonly creationTime: Date;
  /** Completion time. */
  readonly completionTime?: Date;
  /** Sources with their statuses. */
  readonly sources: readonly ReferenceImportSource[];
}

/** A variant or annotation store. */
export interface VariantStoreInfo {
  /** Store id. */
  readonly id: string;
  /** Store name (also the table name, as in the service's Glue database). */
  readonly name: string;
  /** Store status. */
  readonly status: StoreStatus;
  /** Store ARN. */
  readonly storeArn: string;
  /** Reference the store is built on. */
  readonly reference: { readonly referenceArn: string };
  /** Creation time. */
  readonly creationTime: Date;
  /** Why the store failed. */
  readonly statusMessage?: string;
  /** `VCF` for annotation stores; absent for variant stores. */
  readonly storeFormat?: 'VCF';
}

/** One record-level failure (like a line of an AWS failure manifest). */
export interface ImportFailure {
  /** The item's source. */
  readonly source: string;
  /** 1-based line number (0 when the failure concerns the whole item). */
  readonly line: number;
  /** Rule id, e.g. `column-count`, `gzip`. */
  readonly code: string;
  /** Reason, naming the bad value. */
  readonly reason: string;
}

/** One item of a variant/annotation import job. */
export interface ImportItemDetail {
  /** Source path (local) or S3 URI. */
  readonly source: string;
  /** Item status. */
  readonly jobStatus: OmicsJobStatus;
  /** Why it failed, or what was done. */
  readonly statusMessage?: string;
  /** Data lines read (local backend). */
  readonly lines?: number;
  /** Records imported (local backend). */
  readonly records?: number;
  /** Records rejected (local backend). */
  readonly rejected?: number;
  /** Rows written (records × samples). */
  readonly rows?: number;
  /** Sample names in the file. */
  readonly samples?: readonly string[];
}

/** A variant or annotation import job. */
export interface VariantImportJob {
  /** Job id. */
  readonly id: string;
  /** Destination store name. */
  readonly destinationName: string;
  /** Job status. */
  readonly status: OmicsJobStatus;
  /** Summary message. */
  readonly statusMessage?: string;
  /** Creation time. */
  readonly creationTime: Date;
  /** Last update. */
  readonly updateTime: Date;
  /** Completion time. */
  readonly completionTime?: Date;
  /** Items with their statuses. */
  readonly items: readonly ImportItemDetail[];
  /** Record-level failures (local backend; the first 1000 — the full list is in the job's failure file). */
  readonly failures?: readonly ImportFailure[];
  /** Path of the full failure report (JSON lines), local backend. */
  readonly failureReport?: string;
}

/** Options of the import-job waiters. */
export interface OmicsWaitOptions {
  /** Give up after this many ms (default 600 000, the SDK waiters' maximum; a local job of this process: until it ends). */
  readonly timeoutMs?: number;
  /** Poll interval in ms (default 250 locally, 30 000 on AWS like the SDK waiters' minimum). */
  readonly pollMs?: number;
}

/** Input of {@link GenomicsStores.startVariantImportJob} and {@link GenomicsStores.startAnnotationImportJob}. */
export interface OmicsImportJobInput {
  /** Destination store name. */
  readonly destinationName: string;
  /** Items (at most 1000). */
  readonly items: readonly { readonly source: string }[];
  /** Strict VCF validation (local backend; default false = lenient, bad records go to the failure report). */
  readonly strict?: boolean;
}

/**
 * Reference, variant and annotation stores, on either backend.
 *
 * Waiter difference from the AWS SDK: `waitForVariantImportJob` / `waitForAnnotationImportJob` /
 * `waitForReferenceImportJob` return on **every** terminal status, including `COMPLETED_WITH_FAILURES` (the SDK's
 * `waitUntilVariantImportJobCreated` has no acceptor for it and polls until its timeout). They throw only on timeout;
 * check the returned job's status.
 */
export interface GenomicsStores {
  /** `local` or `aws`. */
  readonly backend: 'local' | 'aws';
  /**
   * Creates a reference store.
   *
   * @param input - name and description
   * @returns the store
   */
  createReferenceStore(input: { name: string; description?: string }): Promise<ReferenceStoreInfo>;
  /**
   * Lists reference stores.
   *
   * @returns the stores
   */
  listReferenceStores(): Promise<ReferenceStoreInfo[]>;
  /**
   * Starts importing FASTA files into a reference store.
   *
   * @param input - store id and sources
   * @returns the job id and status
   */
  startReferenceImportJob(input: { referenceStoreId: string; sources: readonly { sourceFile: string; name: string; description?: string }[] }): Promise<{ id: string; status: OmicsJobStatus }>;
  /**
   * Reads a reference import job.
   *
   * @param input - store id and job id
   * @returns the job
   */
  getReferenceImportJob(input: { referenceStoreId: string; id: string }): Promise<ReferenceImportJob>;
  /**
   * Waits until a reference import job ends (any terminal status).
   *
   * @param input - store id and job id
   * @param options - timeout and poll interval
   * @returns the finished job
   */
  waitForReferenceImportJob(input: { referenceStoreId: string; id: string }, options?: OmicsWaitOptions): Promise<ReferenceImportJob>;
  /**
   * Lists the references of a store.
   *
   * @param referenceStoreId - store id
   * @returns the references
   */
  listReferences(referenceStoreId: string): Promise<ReferenceInfo[]>;
  /**
   * Creates a variant store.
   *
   * @param input - name (`[a-z][a-z0-9_]{2,254}`) and reference ARN
   * @returns the store
   */
  createVariantStore(input: { name: string; reference: { referenceArn: string }; description?: string }): Promise<VariantStoreInfo>;
  /**
   * Reads a variant store.
   *
   * @param name - store name
   * @returns the store
   */
  getVariantStore(name: string): Promise<VariantStoreInfo>;
  /**
   * Lists variant stores.
   *
   * @returns the stores
   */
  listVariantStores(): Promise<VariantStoreInfo[]>;
  /**
   * Starts importing VCFs into a variant store.
   *
   * @param input - destination and items
   * @returns the job id
   */
  startVariantImportJob(input: OmicsImportJobInput): Promise<{ jobId: string }>;
  /**
   * Reads a variant import job.
   *
   * @param jobId - job id
   * @returns the job
   */
  getVariantImportJob(jobId: string): Promise<VariantImportJob>;
  /**
   * Waits until a variant import job ends (any terminal status, including COMPLETED_WITH_FAILURES).
   *
   * @param jobId - job id
   * @param options - timeout and poll interval
   * @returns the finished job
   */
  waitForVariantImportJob(jobId: string, options?: OmicsWaitOptions): Promise<VariantImportJob>;
  /**
   * Creates a VCF annotation store.
   *
   * @param input - name, format (`VCF`) and optional reference
   * @returns the store
   */
  createAnnotationStore(input: { name: string; storeFormat: 'VCF'; reference?: { referenceArn: string }; description?: string }): Promise<VariantStoreInfo>;
  /**
   * Reads an annotation store.
   *
   * @param name - store name
   * @returns the store
   */
  getAnnotationStore(name: string): Promise<VariantStoreInfo>;
  /**
   * Lists annotation stores.
   *
   * @returns the stores
   */
  listAnnotationStores(): Promise<VariantStoreInfo[]>;
  /**
   * Starts importing annotation VCFs (e.g. ClinVar) into an annotation store.
   *
   * @param input - destination and items
   * @returns the job id
   */
  startAnnotationImportJob(input: OmicsImportJobInput): Promise<{ jobId: string }>;
  /**
   * Reads an annotation import job.
   *
   * @param jobId - job id
   * @returns the job
   */
  getAnnotationImportJob(jobId: string): Promise<VariantImportJob>;
  /**
   * Waits until an annotation import job ends (any terminal status).
   *
   * @param jobId - job id
   * @param options - timeout and poll interval
   * @returns the finished job
   */
  waitForAnnotationImportJob(jobId: string, options?: OmicsWaitOptions): Promise<VariantImportJob>;
  /**
   * The SQL name to query a store by through `ws.sql` (the store name, quoted).
   *
   * @param storeName - store name
   * @returns a quoted identifier
   */
  tableName(storeName: string): string;
}

/**
 * The stores of a workspace's backend with the dataset-level work the genomics handle delegates to them (so the
 * handle never tests which backend it has).
 */
export interface GenomicsBackendStores extends GenomicsStores {
  /**
   * Imports a dataset's genomic files the way this backend stores them (locally: reference store, variant and
   * annotation stores, import jobs of ≤ 1000 sources; on AWS: Parquet on S3 + Glue). Idempotent.
   *
   * @param files - the reference FASTA, VCFs and ClinVar VCF of the dataset
   * @param options - store names and strict mode
   * @returns counts, jobs and notes
   */
  importDatasetFiles(files: GenomicDatasetFiles, options: GenomicDatasetImportOptions): Promise<GenomicDatasetImport>;
  /**
   * Each sample's genetic test date (`##fileDate` of its VCF, as `YYYY-MM-DD`) in a variant store.
   *
   * @param variantStore - store name
   * @returns sample → date; undefined when the backend has none yet (nothing imported)
   */
  sampleTestDates(variantStore: string): Promise<Map<string, string> | undefined>;
}

/** The genomic files of a dataset folder (`<dataDir>/genomic/{reference,vcf,annotation}`). */
export interface GenomicDatasetFiles {
  /** The reference FASTA (plain or .gz), if any. */
  readonly reference: string | undefined;
  /** The VCFs. */
  readonly vcfs: readonly string[];
  /** The ClinVar VCF, if any. */
  readonly clinvar: string | undefined;
}

/** Options of {@link GenomicsBackendStores.importDatasetFiles}. */
export interface GenomicDatasetImportOptions {
  /** Variant store name. */
  readonly variantStore: string;
  /** Annotation store name. */
  readonly annotationStore: string;
  /** Reference store name (local backend). */
  readonly referenceStore: string;
  /** Strict VCF validation. */
  readonly strict: boolean;
}

/** What {@link GenomicsBackendStores.importDatasetFiles} did. */
export interface GenomicDatasetImport {
  /** Counts for the pipeline summary (added to `vcf_files`). */
  readonly counts: Record<string, number>;
  /** The last variant import job. */
  readonly variantJob?: VariantImportJob;
  /** The annotation import job. */
  readonly annotationJob?: VariantImportJob;
  /** Notes (no patient data). */
  readonly notes: string[];
}
