/**
 * A dataset's genomic import through the HealthOmics-shaped store API (reference store → variant and annotation
 * stores → import jobs of at most 1000 sources), shared by the backends that keep HealthOmics semantics, and the
 * job counts every backend reports.
 */
import * as path from 'node:path';
import { HealthDataError } from '../errors';
import type { GenomicDatasetFiles, GenomicDatasetImport, GenomicDatasetImportOptions, GenomicsStores, VariantImportJob } from './types';

/** Sources per import job (the service's limit). */
const ITEMS_PER_JOB = 1000;

/**
 * Adds a job's item and record counts to `counts` under `<prefix>_…`.
 *
 * @param counts - the counts to add to
 * @param prefix - `vcf` or `clinvar`
 * @param job - the job (nothing is added when undefined)
 */
export function addJobCounts(counts: Record<string, number>, prefix: string, job: VariantImportJob | undefined): void {
  if (job === undefined) {
    return;
  }
  const add = (k: string, v: number): void => {
    counts[k] = (counts[k] ?? 0) + v;
  };
  add(`${prefix}_items_failed`, job.items.filter((i) => i.jobStatus === 'FAILED').length);
  add(
    `${prefix}_records`,
    job.items.reduce((a, i) => a + (i.records ?? 0), 0),
  );
  add(
    `${prefix}_records_rejected`,
    job.items.reduce((a, i) => a + (i.rejected ?? 0), 0),
  );
  add(
    `${prefix}_rows`,
    job.items.reduce((a, i) => a + (i.rows ?? 0), 0),
  );
}

async function ensureReference(s: GenomicsStores, reference: string, storeName: string, counts: Record<string, number>): Promise<string> {
  const refName = path.basename(reference).replace(/\.(fa|fasta|fna)(\.gz)?$/, '');
  const store = (await s.listReferenceStores()).find((r) => r.name === storeName) ?? (await s.createReferenceStore({ name: storeName }));
  let ref = (await s.listReferences(store.id)).find((r) => r.name === refName);
  if (ref === undefined) {
    const { id } = await s.startReferenceImportJob({ referenceStoreId: store.id, sources: [{ sourceFile: reference, name: refName }] });
    const job = await s.waitForReferenceImportJob({ referenceStoreId: store.id, id });
    if (job.status !== 'COMPLETED') {
      throw new HealthDataError('invalid-input', `importDataset: reference ${reference} failed to import: ${job.sources[0]?.statusMessage ?? job.status}`, { path: reference });
    }
    ref = (await s.listReferences(store.id)).find((r) => r.name === refName);
  }
  counts.reference_contigs = ref?.contigs?.length ?? 0;
  return ref?.arn ?? '';
}

/**
 * Imports a dataset's genomic files through the store API, idempotently: stores and the reference of the same name
 * are reused, unchanged VCFs are not re-read (the stores' own rule), changed ones replace their rows.
 *
 * @param s - the stores
 * @param files - reference, VCFs, ClinVar
 * @param options - store names, strict mode
 * @returns counts, the last variant job, the annotation job, notes
 * @throws {@link HealthDataError} (not-found) without a reference FASTA; (invalid-input) when it fails to import
 */
export async function importDatasetWithStores(s: GenomicsStores, files: GenomicDatasetFiles, options: GenomicDatasetImportOptions): Promise<GenomicDatasetImport> {
  const counts: Record<string, number> = {};
  const notes: string[] = [];
  if (files.reference === undefined) {
    throw new HealthDataError('not-found', 'importDataset: no FASTA under genomic/reference; the variant store needs a reference (.fa/.fa.gz with optional .fai)', {
      path: 'genomic/reference',
    });
  }
  const referenceArn = await ensureReference(s, files.reference, options.referenceStore, counts);
  if (!(await s.listVariantStores()).some((v) => v.name === options.variantStore)) {
    await s.createVariantStore({ name: options.variantStore, reference: { referenceArn } });
  }
  if (!(await s.listAnnotationStores()).some((v) => v.name === options.annotationStore)) {
    await s.createAnnotationStore({ name: options.annotationStore, storeFormat: 'VCF', reference: { referenceArn } });
  }
  let variantJob: VariantImportJob | undefined;
  for (let i = 0; i < files.vcfs.length; i += ITEMS_PER_JOB) {
    const { jobId } = await s.startVariantImportJob({ destinationName: options.variantStore, items: files.vcfs.slice(i, i + ITEMS_PER_JOB).map((source) => ({ source })), strict: options.strict });
    variantJob = await s.waitForVariantImportJob(jobId);
    addJobCounts(counts, 'vcf', variantJob);
  }
  let annotationJob: VariantImportJob | undefined;
  if (files.clinvar !== undefined) {
    const { jobId } = await s.startAnnotationImportJob({ destinationName: options.annotationStore, items: [{ source: files.clinvar }], strict: options.strict });
    annotationJob = await s.waitForAnnotationImportJob(jobId);
    addJobCounts(counts, 'clinvar', annotationJob);
  } else {
    notes.push('no ClinVar VCF under genomic/annotation');
  }
  return { counts, ...(variantJob === undefined ? {} : { variantJob }), ...(annotationJob === undefined ? {} : { annotationJob }), notes };
}
