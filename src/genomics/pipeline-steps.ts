/**
 * The genomic steps' work, as library functions the pipeline steps (`src/pipeline-steps.ts`) and notebook 05 both
 * call: the input fingerprint of `import-genomic` and the write of the `genomic` feature group.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { FeatureStore } from '../features/store';
import type { StepResult } from '../step';
import type { WorkspaceCore } from '../workspace-core';
import type { GenomicFeatureTable } from './features';
import { DEFAULT_GENOMIC_STORES, findGenomicFiles } from './handle';

/** Name of the genomic feature group written by the `features-genomic` step and notebook 05. */
export const GENOMIC_FEATURE_GROUP = 'genomic';

function stamp(file: string): string {
  const st = fs.statSync(file);
  return `${path.basename(file)}:${String(st.size)}:${String(Math.floor(st.mtimeMs))}`;
}

/**
 * What `import-genomic` reads: the store names and each input file's name, size and modification time.
 *
 * @param ws - the workspace (its `dataDir`)
 * @returns a string that changes when an input changes (`absent` parts when `<dataDir>/genomic` is missing)
 */
export function genomicInputFingerprint(ws: Pick<WorkspaceCore, 'config'>): string {
  const files = findGenomicFiles(ws.config.dataDir);
  const parts = files === undefined ? ['absent'] : [files.reference, files.clinvar, ...files.vcfs].filter((f): f is string => f !== undefined).map(stamp);
  return `${JSON.stringify(DEFAULT_GENOMIC_STORES)}|${parts.join(',')}`;
}

/**
 * Writes per-patient genomic features to the `genomic` feature group (event time = the genetic test date). Rows
 * without a test date cannot be placed in time, so they are counted as `undated` and not written.
 *
 * @param features - the feature store (`ws.features`)
 * @param table - the features (`await ws.genomics.features()`)
 * @returns counts `patients = undated + written + rejected`, and the group as output when anything was written
 * @throws {@link HealthDataError} from the feature store when the group exists with other feature definitions
 * @example
 * ```ts
 * const report = await writeGenomicFeatureGroup(ws.features, await ws.genomics.features());
 * ```
 */
export async function writeGenomicFeatureGroup(features: FeatureStore, table: GenomicFeatureTable): Promise<StepResult> {
  const dated = table.rows.filter((r) => r.event_time !== null);
  const numeric = table.columns.filter((c) => c !== 'patient_id' && c !== 'event_time');
  let written = 0;
  let rejected = 0;
  if (dated.length > 0) {
    const report = await features.ingestTable({
      onSchemaChange: 'recreate',
      groupName: GENOMIC_FEATURE_GROUP,
      rows: dated,
      recordIdentifierFeatureName: 'patient_id',
      eventTimeFeatureName: 'event_time',
      description:
        'per-patient genomic features (ClinVar-classified allele counts, APOE, per-variant dosages, risk score); event_time = genetic test date (a germline genotype is time-invariant: training sets join it whatever this date)',
      featureTypes: { patient_id: 'String', event_time: 'String', ...Object.fromEntries(numeric.map((c) => [c, 'Fractional' as const])) },
    });
    written = report.succeeded;
    rejected = report.failed.length;
  }
  return {
    counts: { patients: table.rows.length, undated: table.rows.length - dated.length, written, rejected },
    outputs: dated.length > 0 ? [GENOMIC_FEATURE_GROUP] : [],
  };
}
