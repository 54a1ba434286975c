/**
 * The AWS backend's genomics stores: HealthOmics for the store API, and — since HealthOmics stores closed to new
 * customers on 2025-11-07 — Parquet on S3 + Glue for a dataset import, with the genetic test dates read back through
 * Athena.
 */
import { isHealthDataError } from '../errors';
import type { WorkspaceCore } from '../workspace-core';
import { OmicsGenomicsStores } from './aws/omics-stores';
import { S3ParquetVariantTables } from './aws/s3-parquet-tables';
import { sqlIdentifier } from '../sql/literal';
import { addJobCounts } from './dataset-import';
import type { GenomicDatasetFiles, GenomicDatasetImport, GenomicDatasetImportOptions, GenomicsBackendStores } from './types';

/** HealthOmics stores plus the S3/Glue Parquet dataset import. */
export class AwsGenomicsStores extends OmicsGenomicsStores implements GenomicsBackendStores {
  /**
   * @param core - the workspace core (config, Athena engine)
   * @param parquetTables - the workspace's S3/Glue Parquet writer (shared with `ws.genomics.parquetTables()`)
   */
  constructor(
    private readonly core: WorkspaceCore,
    private readonly parquetTables: () => S3ParquetVariantTables,
  ) {
    super(core);
  }

  /** @inheritdoc */
  async importDatasetFiles(files: GenomicDatasetFiles, options: GenomicDatasetImportOptions): Promise<GenomicDatasetImport> {
    const t = this.parquetTables();
    const counts: Record<string, number> = {};
    const variantJob = files.vcfs.length > 0 ? await t.importVcfs({ table: options.variantStore, sources: files.vcfs, strict: options.strict }) : undefined;
    const annotationJob = files.clinvar !== undefined ? await t.importVcfs({ table: options.annotationStore, sources: [files.clinvar], strict: options.strict }) : undefined;
    addJobCounts(counts, 'vcf', variantJob);
    addJobCounts(counts, 'clinvar', annotationJob);
    return {
      counts,
      ...(variantJob === undefined ? {} : { variantJob }),
      ...(annotationJob === undefined ? {} : { annotationJob }),
      notes: ['aws: VCFs converted here and written as Parquet to S3 + Glue (HealthOmics stores closed to new customers); the reference is not uploaded'],
    };
  }

  /** @inheritdoc */
  async sampleTestDates(variantStore: string): Promise<Map<string, string> | undefined> {
    const table = S3ParquetVariantTables.testDatesTable(variantStore);
    let rows: { sampleid: unknown; test_date: unknown }[];
    try {
      rows = await this.core.sql.query<{ sampleid: unknown; test_date: unknown }>(`SELECT sampleid, min(test_date) AS test_date FROM ${sqlIdentifier(table)} GROUP BY sampleid`);
    } catch (e) {
      if (isHealthDataError(e) && e.code === 'query-failed' && /TABLE_NOT_FOUND|does not exist|not found/i.test(e.message)) {
        return undefined;
      }
      throw e;
    }
    return new Map(rows.map((r) => [String(r.sampleid), String(r.test_date)]));
  }
}
