/**
 * Pipeline steps of the genomics capability: `import-genomic` (reference, VCFs, ClinVar into the stores).
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { PipelineStep, StepResult } from '../pipeline';
import { libraryVersion } from '../setup';
import { DEFAULT_GENOMIC_STORES, findGenomicFiles } from './handle';

function stamp(file: string): string {
  const st = fs.statSync(file);
  return `${path.basename(file)}:${String(st.size)}:${String(Math.floor(st.mtimeMs))}`;
}

/** Imports `<dataDir>/genomic` into the variant and annotation stores; skipped (with a count) when absent. */
export const importGenomicStep: PipelineStep = {
  name: 'import-genomic',
  description: 'import the reference, patient VCFs and ClinVar into the variant and annotation stores',
  fingerprint: (ws) => {
    const files = findGenomicFiles(ws.config.dataDir);
    const parts = files === undefined ? ['absent'] : [files.reference, files.clinvar, ...files.vcfs].filter((f): f is string => f !== undefined).map(stamp);
    return Promise.resolve(`${libraryVersion()}|${ws.backend}|${JSON.stringify(DEFAULT_GENOMIC_STORES)}|${parts.join(',')}`);
  },
  run: async (ws) => {
    const r = await ws.genomics.importDataset();
    return { counts: r.counts, outputs: r.skipped ? [] : [r.tables.variants, r.tables.annotations] };
  },
};

/** Name of the genomic feature group written by {@link featuresGenomicStep} and notebook 05. */
export const GENOMIC_FEATURE_GROUP = 'genomic';

/**
 * Computes the per-patient genomic features and writes them to the `genomic` feature group (event time = the
 * genetic test date; samples without one are counted as `undated` and not written). Skipped when
 * `<dataDir>/genomic` is absent.
 */
export const featuresGenomicStep: PipelineStep = {
  name: 'features-genomic',
  description: 'per-patient genomic features (ClinVar-classified alleles, APOE, risk score) into the genomic feature group',
  fingerprint: async (ws) => `${await importGenomicStep.fingerprint(ws)}|features-v3`,
  run: async (ws): Promise<StepResult> => {
    if (findGenomicFiles(ws.config.dataDir) === undefined) {
      return { counts: { genomic_folder_absent: 1 }, outputs: [] };
    }
    const table = await ws.genomics.features();
    const dated = table.rows.filter((r) => r.event_time !== null);
    const numeric = table.columns.filter((c) => c !== 'patient_id' && c !== 'event_time');
    let written = 0;
    let rejected = 0;
    if (dated.length > 0) {
      const report = await ws.features.ingestTable({
        groupName: GENOMIC_FEATURE_GROUP,
        rows: dated,
        recordIdentifierFeatureName: 'patient_id',
        eventTimeFeatureName: 'event_time',
        description: 'per-patient genomic features (ClinVar-classified allele counts, APOE, per-variant dosages, risk score); event_time = genetic test date (a germline genotype is time-invariant: training sets join it whatever this date)',
        featureTypes: { patient_id: 'String', event_time: 'String', ...Object.fromEntries(numeric.map((c) => [c, 'Fractional' as const])) },
      });
      written = report.succeeded;
      rejected = report.failed.length;
    }
    return {
      counts: { patients: table.rows.length, undated: table.rows.length - dated.length, written, rejected },
      outputs: dated.length > 0 ? [GENOMIC_FEATURE_GROUP] : [],
    };
  },
};
