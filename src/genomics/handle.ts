/**
 * `ws.genomics`: the genomics capability of a workspace — the stores (opened lazily on first use), the dataset
 * import used by the pipeline and notebook 01, and the per-patient features of notebook 05.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { HealthDataError } from '../errors';
import type { WorkspaceCore } from '../workspace-core';
import { S3ParquetVariantTables } from './aws/s3-parquet-tables';
import { computeGenomicFeatures } from './features';
import { carriedSignificanceMix } from './significance-mix';
import type { SignificanceMix } from './significance-mix';
import type { GenomicFeatureOptions, GenomicFeatureTable } from './features';
import { AwsGenomicsStores } from './aws-backend-stores';
import { LocalGenomicsStores } from './local/local-stores';
import type { GenomicsBackendStores, VariantImportJob } from './types';

/** Default store names (the guidance's). */
export const DEFAULT_GENOMIC_STORES = { reference: 'mmh-reference', variants: 'omicsvariants', annotations: 'omicsannotations' } as const;

/** Options of {@link GenomicsHandle.importDataset}. */
export interface ImportGenomicDatasetOptions {
  /** Dataset folder (default: the workspace's `dataDir`); reads `<dataDir>/genomic/{reference,vcf,annotation}`. */
  readonly dataDir?: string;
  /** Variant store name (default `omicsvariants`). */
  readonly variantStore?: string;
  /** Annotation store name (default `omicsannotations`). */
  readonly annotationStore?: string;
  /** Strict VCF validation (default false: bad records go to the failure report). */
  readonly strict?: boolean;
}

/** What {@link GenomicsHandle.importDataset} did. */
export interface ImportGenomicDatasetResult {
  /** True when `<dataDir>/genomic` does not exist (nothing imported). */
  readonly skipped: boolean;
  /** Counts for the pipeline summary. */
  readonly counts: Record<string, number>;
  /** The variant import job (undefined when skipped or no VCFs). */
  readonly variantJob?: VariantImportJob;
  /** The annotation import job. */
  readonly annotationJob?: VariantImportJob;
  /** Table names to query. */
  readonly tables: { readonly variants: string; readonly annotations: string };
  /** Notes (no patient data). */
  readonly notes: string[];
}

/** The genomics handle of a workspace. */
export interface GenomicsHandle {
  /** Reference, variant and annotation stores of the workspace's backend (HealthOmics on AWS). */
  readonly stores: GenomicsBackendStores;
  /**
   * The Parquet-on-S3 tables (AWS backend only; AWS's path since HealthOmics stores closed to new customers).
   *
   * @returns the S3/Glue writer
   * @throws {@link HealthDataError} (unsupported) on the local backend
   */
  parquetTables(): S3ParquetVariantTables;
  /**
   * Imports the dataset's genomic folder: reference, every VCF under `genomic/vcf`, and the ClinVar annotation VCF.
   * Idempotent: stores are reused, unchanged VCFs are not re-read, changed ones replace their rows.
   *
   * @param options - dataset folder, store names, strict mode
   * @returns counts, jobs and notes
   */
  importDataset(options?: ImportGenomicDatasetOptions): Promise<ImportGenomicDatasetResult>;
  /**
   * Per-patient genomic features (see {@link computeGenomicFeatures}); locally, `event_time` defaults to each
   * sample's VCF `##fileDate`.
   *
   * @param options - tables (default: the default stores), test dates, gene sets, markers
   * @returns the feature table
   */
  features(options?: Partial<GenomicFeatureOptions>): Promise<GenomicFeatureTable>;
  /**
   * Carried alleles per ClinVar significance class over the default stores (see {@link carriedSignificanceMix}).
   *
   * @returns the mix (empty before an import)
   */
  significanceMix(): Promise<SignificanceMix>;
}

function listFiles(dir: string, pattern: RegExp): string[] {
  return fs.existsSync(dir)
    ? fs
        .readdirSync(dir)
        .filter((f) => pattern.test(f))
        .sort()
        .map((f) => path.join(dir, f))
    : [];
}

/**
 * Finds the dataset's genomic files.
 *
 * @param dataDir - dataset folder
 * @returns the reference FASTA (or undefined), VCFs, and the ClinVar VCF (or undefined); undefined when `genomic/` is absent
 */
export function findGenomicFiles(dataDir: string): { reference: string | undefined; vcfs: string[]; clinvar: string | undefined } | undefined {
  const root = path.join(dataDir, 'genomic');
  if (!fs.existsSync(root)) {
    return undefined;
  }
  const reference = listFiles(path.join(root, 'reference'), /\.(fa|fasta|fna)(\.gz)?$/)[0];
  const vcfs = listFiles(path.join(root, 'vcf'), /\.vcf(\.gz|\.bgz)?$/);
  const clinvar = listFiles(path.join(root, 'annotation'), /\.vcf(\.gz|\.bgz)?$/)[0];
  return { reference, vcfs, clinvar };
}

/**
 * Builds the genomics handle; nothing is opened until first use.
 *
 * @param core - the workspace core
 * @returns the handle
 */
export function createGenomicsHandle(core: WorkspaceCore): GenomicsHandle {
  let stores: GenomicsBackendStores | undefined;
  let parquet: S3ParquetVariantTables | undefined;
  const parquetTables = (): S3ParquetVariantTables => {
    if (core.backend !== 'aws') {
      throw new HealthDataError('unsupported', 'genomics.parquetTables: the S3/Glue Parquet path needs the aws backend; locally the stores already are Parquet + DuckDB views');
    }
    parquet ??= new S3ParquetVariantTables(core);
    return parquet;
  };
  // The one place that picks the backend: everything below goes through the store interface.
  const getStores = (): GenomicsBackendStores => {
    stores ??= core.backend === 'local' ? new LocalGenomicsStores(core) : new AwsGenomicsStores(core, parquetTables);
    return stores;
  };
  return {
    get stores() {
      return getStores();
    },
    parquetTables,
    async importDataset(options = {}) {
      const dataDir = options.dataDir ?? core.config.dataDir;
      const variants = options.variantStore ?? DEFAULT_GENOMIC_STORES.variants;
      const annotations = options.annotationStore ?? DEFAULT_GENOMIC_STORES.annotations;
      const s = getStores();
      const tables = { variants: s.tableName(variants), annotations: s.tableName(annotations) };
      const files = findGenomicFiles(dataDir);
      if (files === undefined) {
        return { skipped: true, counts: { genomic_folder_absent: 1 }, tables, notes: [`${path.join(dataDir, 'genomic')} does not exist: nothing to import`] };
      }
      const counts: Record<string, number> = { vcf_files: files.vcfs.length };
      const r = await s.importDatasetFiles(files, { variantStore: variants, annotationStore: annotations, referenceStore: DEFAULT_GENOMIC_STORES.reference, strict: options.strict === true });
      return {
        skipped: false,
        counts: Object.assign(counts, r.counts),
        ...(r.variantJob === undefined ? {} : { variantJob: r.variantJob }),
        ...(r.annotationJob === undefined ? {} : { annotationJob: r.annotationJob }),
        tables,
        notes: r.notes,
      };
    },
    async features(options = {}) {
      const s = getStores();
      const eventTimes = options.eventTimes ?? (await s.sampleTestDates(DEFAULT_GENOMIC_STORES.variants));
      return computeGenomicFeatures(core.sql, {
        variants: options.variants ?? s.tableName(DEFAULT_GENOMIC_STORES.variants),
        annotations: options.annotations ?? s.tableName(DEFAULT_GENOMIC_STORES.annotations),
        ...(eventTimes === undefined ? {} : { eventTimes }),
        ...(options.geneSets === undefined ? {} : { geneSets: options.geneSets }),
        ...(options.markers === undefined ? {} : { markers: options.markers }),
        ...(options.genes === undefined ? {} : { genes: options.genes }),
        ...(options.minAlleleCount === undefined ? {} : { minAlleleCount: options.minAlleleCount }),
      });
    },
    significanceMix() {
      const s = getStores();
      return carriedSignificanceMix(core.sql, { variants: s.tableName(DEFAULT_GENOMIC_STORES.variants), annotations: s.tableName(DEFAULT_GENOMIC_STORES.annotations) });
    },
  };
}
