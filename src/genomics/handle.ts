/**
 * `ws.genomics`: the genomics capability of a workspace — the stores (opened lazily on first use), the dataset
 * import used by the pipeline and notebook 01, and the per-patient features of notebook 05.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { HealthDataError, isHealthDataError } from '../errors';
import type { WorkspaceCore } from '../workspace-core';
import { S3ParquetVariantTables } from './aws/s3-parquet-tables';
import { OmicsGenomicsStores } from './aws/omics-stores';
import { computeGenomicFeatures } from './features';
import type { GenomicFeatureOptions, GenomicFeatureTable } from './features';
import { LocalGenomicsStores } from './local/local-stores';
import type { GenomicsStores, VariantImportJob } from './types';

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
  readonly stores: GenomicsStores;
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
}

function listFiles(dir: string, pattern: RegExp): string[] {
  return fs.existsSync(dir) ? fs.readdirSync(dir).filter((f) => pattern.test(f)).sort().map((f) => path.join(dir, f)) : [];
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
  let stores: GenomicsStores | undefined;
  let parquet: S3ParquetVariantTables | undefined;
  const getStores = (): GenomicsStores => {
    stores ??= core.backend === 'local' ? new LocalGenomicsStores(core) : new OmicsGenomicsStores(core);
    return stores;
  };
  const handle: GenomicsHandle = {
    get stores() {
      return getStores();
    },
    parquetTables() {
      if (core.backend !== 'aws') {
        throw new HealthDataError('unsupported', 'genomics.parquetTables: the S3/Glue Parquet path needs the aws backend; locally the stores already are Parquet + DuckDB views');
      }
      parquet ??= new S3ParquetVariantTables(core);
      return parquet;
    },
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
      const notes: string[] = [];
      const counts: Record<string, number> = { vcf_files: files.vcfs.length };
      if (core.backend === 'aws') {
        const t = handle.parquetTables();
        const vj = files.vcfs.length > 0 ? await t.importVcfs({ table: variants, sources: files.vcfs, strict: options.strict === true }) : undefined;
        const aj = files.clinvar !== undefined ? await t.importVcfs({ table: annotations, sources: [files.clinvar], strict: options.strict === true }) : undefined;
        notes.push('aws: VCFs converted here and written as Parquet to S3 + Glue (HealthOmics stores closed to new customers); the reference is not uploaded');
        addJobCounts(counts, 'vcf', vj);
        addJobCounts(counts, 'clinvar', aj);
        return { skipped: false, counts, ...(vj === undefined ? {} : { variantJob: vj }), ...(aj === undefined ? {} : { annotationJob: aj }), tables, notes };
      }
      // Reference: reuse the store and the reference of the same name (idempotent).
      let referenceArn = '';
      if (files.reference !== undefined) {
        const refName = path.basename(files.reference).replace(/\.(fa|fasta|fna)(\.gz)?$/, '');
        const store = (await s.listReferenceStores()).find((r) => r.name === DEFAULT_GENOMIC_STORES.reference) ?? (await s.createReferenceStore({ name: DEFAULT_GENOMIC_STORES.reference }));
        let ref = (await s.listReferences(store.id)).find((r) => r.name === refName);
        if (ref === undefined) {
          const { id } = await s.startReferenceImportJob({ referenceStoreId: store.id, sources: [{ sourceFile: files.reference, name: refName }] });
          const job = await s.waitForReferenceImportJob({ referenceStoreId: store.id, id });
          if (job.status !== 'COMPLETED') {
            throw new HealthDataError('invalid-input', `importDataset: reference ${files.reference} failed to import: ${job.sources[0]?.statusMessage ?? job.status}`, { path: files.reference });
          }
          ref = (await s.listReferences(store.id)).find((r) => r.name === refName);
        }
        referenceArn = ref?.arn ?? '';
        counts.reference_contigs = ref?.contigs?.length ?? 0;
      } else {
        notes.push('no reference FASTA under genomic/reference');
        throw new HealthDataError('not-found', `importDataset: no FASTA under ${path.join(dataDir, 'genomic', 'reference')}; the variant store needs a reference (.fa/.fa.gz with optional .fai)`, {
          path: 'genomic/reference',
        });
      }
      const existing = new Set((await s.listVariantStores()).map((v) => v.name));
      if (!existing.has(variants)) {
        await s.createVariantStore({ name: variants, reference: { referenceArn } });
      }
      const existingA = new Set((await s.listAnnotationStores()).map((v) => v.name));
      if (!existingA.has(annotations)) {
        await s.createAnnotationStore({ name: annotations, storeFormat: 'VCF', reference: { referenceArn } });
      }
      let variantJob: VariantImportJob | undefined;
      for (let i = 0; i < files.vcfs.length; i += 1000) {
        const { jobId } = await s.startVariantImportJob({ destinationName: variants, items: files.vcfs.slice(i, i + 1000).map((source) => ({ source })), strict: options.strict === true });
        variantJob = await s.waitForVariantImportJob(jobId);
        addJobCounts(counts, 'vcf', variantJob);
      }
      let annotationJob: VariantImportJob | undefined;
      if (files.clinvar !== undefined) {
        const { jobId } = await s.startAnnotationImportJob({ destinationName: annotations, items: [{ source: files.clinvar }], strict: options.strict === true });
        annotationJob = await s.waitForAnnotationImportJob(jobId);
        addJobCounts(counts, 'clinvar', annotationJob);
      } else {
        notes.push('no ClinVar VCF under genomic/annotation');
      }
      return { skipped: false, counts, ...(variantJob === undefined ? {} : { variantJob }), ...(annotationJob === undefined ? {} : { annotationJob }), tables, notes };
    },
    async features(options = {}) {
      const s = getStores();
      let eventTimes = options.eventTimes;
      if (eventTimes === undefined && s instanceof LocalGenomicsStores) {
        const m = new Map<string, string>();
        for (const item of Object.values(s.storeItems('variant', DEFAULT_GENOMIC_STORES.variants))) {
          if (item.fileDate !== undefined) {
            const d = /^(\d{4})(\d{2})(\d{2})$/.exec(item.fileDate);
            for (const sample of item.samples) {
              m.set(sample, d === null ? item.fileDate : `${d[1] ?? ''}-${d[2] ?? ''}-${d[3] ?? ''}`);
            }
          }
        }
        eventTimes = m;
      }
      if (eventTimes === undefined && core.backend === 'aws') {
        eventTimes = await readTestDates(core, S3ParquetVariantTables.testDatesTable(DEFAULT_GENOMIC_STORES.variants));
      }
      return computeGenomicFeatures(core.sql, {
        variants: options.variants ?? s.tableName(DEFAULT_GENOMIC_STORES.variants),
        annotations: options.annotations ?? s.tableName(DEFAULT_GENOMIC_STORES.annotations),
        ...(eventTimes === undefined ? {} : { eventTimes }),
        ...(options.geneSets === undefined ? {} : { geneSets: options.geneSets }),
        ...(options.markers === undefined ? {} : { markers: options.markers }),
        ...(options.genes === undefined ? {} : { genes: options.genes }),
      });
    },
  };
  return handle;
}

/**
 * Reads the genetic test dates the aws import wrote beside the variant table (`sampleid`, `test_date`).
 *
 * @param core - the workspace core (its SQL engine is Athena)
 * @param table - the dates table
 * @returns sample → `YYYY-MM-DD`; undefined when the table does not exist yet (nothing imported on aws)
 */
async function readTestDates(core: WorkspaceCore, table: string): Promise<Map<string, string> | undefined> {
  let rows: { sampleid: unknown; test_date: unknown }[];
  try {
    rows = await core.sql.query<{ sampleid: unknown; test_date: unknown }>(`SELECT sampleid, min(test_date) AS test_date FROM "${table}" GROUP BY sampleid`);
  } catch (e) {
    if (isHealthDataError(e) && e.code === 'query-failed' && /TABLE_NOT_FOUND|does not exist|not found/i.test(e.message)) {
      return undefined;
    }
    throw e;
  }
  return new Map(rows.map((r) => [String(r.sampleid), String(r.test_date)]));
}

function addJobCounts(counts: Record<string, number>, prefix: string, job: VariantImportJob | undefined): void {
  if (job === undefined) {
    return;
  }
  const add = (k: string, v: number): void => {
    counts[k] = (counts[k] ?? 0) + v;
  };
  add(`${prefix}_items_failed`, job.items.filter((i) => i.jobStatus === 'FAILED').length);
  add(`${prefix}_records`, job.items.reduce((a, i) => a + (i.records ?? 0), 0));
  add(`${prefix}_records_rejected`, job.items.reduce((a, i) => a + (i.rejected ?? 0), 0));
  add(`${prefix}_rows`, job.items.reduce((a, i) => a + (i.rows ?? 0), 0));
}
