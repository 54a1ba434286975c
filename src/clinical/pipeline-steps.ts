/**
 * The clinical steps' work, as library functions the pipeline steps (`src/pipeline-steps.ts`) and notebooks 02/06
 * both call: the input folder and its fingerprint, the NDJSON import, and the `clinical-<outcome>` feature groups.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { FeatureStore } from '../features/store';
import type { StepResult } from '../step';
import type { WorkspaceCore } from '../workspace-core';
import type { Outcome } from './cohort';
import { OUTCOMES } from './cohort';
import { CLINICAL_FEATURE_COLUMNS } from './features';
import type { ClinicalCohort, ClinicalHandle } from './handle';

/**
 * The folder `import-clinical` reads.
 *
 * @param ws - the workspace
 * @returns `<dataDir>/clinical`
 */
export function clinicalInputDir(ws: Pick<WorkspaceCore, 'config'>): string {
  return path.join(ws.config.dataDir, 'clinical');
}

/**
 * What `import-clinical` reads: each NDJSON file's name, size and modification time.
 *
 * @param ws - the workspace
 * @returns the listing, or `absent` without a clinical folder
 */
export function clinicalInputFingerprint(ws: Pick<WorkspaceCore, 'config'>): string {
  const dir = clinicalInputDir(ws);
  if (!fs.existsSync(dir)) {
    return 'absent';
  }
  return fs
    .readdirSync(dir)
    .filter((f) => f.endsWith('.ndjson'))
    .sort()
    .map((f) => {
      const st = fs.statSync(path.join(dir, f));
      return `${f}:${String(st.size)}:${String(Math.round(st.mtimeMs))}`;
    })
    .join(',');
}

/** The part of the workspace the clinical steps read. */
export type ClinicalStepWorkspace = Pick<WorkspaceCore, 'config' | 'progress'> & { readonly clinical: ClinicalHandle; readonly features: FeatureStore };

/**
 * Imports `<dataDir>/clinical/*.ndjson` into the workspace datastore (a HealthLake import job; idempotent).
 * Skipped, with a note, when the folder is absent.
 *
 * @param ws - the workspace (config, progress, `clinical`)
 * @returns scanned/imported/rejected resource counts and the job's output location
 * @throws {@link HealthDataError} from the FHIR store when the job cannot run
 */
export async function importClinicalFolder(ws: Omit<ClinicalStepWorkspace, 'features'>): Promise<StepResult> {
  const dir = clinicalInputDir(ws);
  if (!fs.existsSync(dir)) {
    ws.progress.start(`import-clinical: skipped — no folder ${dir} (generate or convert a dataset first)`, 0).finish('skipped');
    return { counts: { skipped: 1 }, outputs: [] };
  }
  const job = await ws.clinical.importFolder(dir);
  const r = job.JobProgressReport;
  return {
    counts: {
      scanned: r?.TotalNumberOfResourcesScanned ?? 0,
      imported: r?.TotalNumberOfResourcesImported ?? 0,
      rejected: r?.TotalNumberOfResourcesWithCustomerError ?? 0,
    },
    outputs: [job.JobOutputDataConfig.S3Configuration.S3Uri],
  };
}

/** What {@link writeClinicalFeatureGroup} wrote (a type alias, so it shows as a table row). */
export type ClinicalGroupWrite = {
  /** `clinical-<outcome>`. */
  readonly group: string;
  /** Labelled patients. */
  readonly patients: number;
  /** Cases among them. */
  readonly cases: number;
  /** Rows written. */
  readonly written: number;
  /** Rows rejected (`patients = written + rejected`). */
  readonly rejected: number;
};

/**
 * Writes one outcome's labelled feature rows to the `clinical-<outcome>` feature group: record id `patient_id`,
 * event time `index_date`, with the label. Nothing is written for an empty cohort.
 *
 * @param features - the feature store (`ws.features`)
 * @param outcome - the outcome
 * @param cohort - its labels and features (`await ws.clinical.cohort({ outcome })`)
 * @returns the counts
 * @throws {@link HealthDataError} from the feature store when the group exists with other feature definitions
 * @example
 * ```ts
 * const w = await writeClinicalFeatureGroup(ws.features, 'stroke', await ws.clinical.cohort({ outcome: 'stroke' }));
 * ```
 */
export async function writeClinicalFeatureGroup(features: FeatureStore, outcome: Outcome, cohort: ClinicalCohort): Promise<ClinicalGroupWrite> {
  const label = new Map(cohort.labels.rows.map((l) => [l.patientId, l.label]));
  const rows = cohort.features.map((f) => ({ ...f, label: label.get(f.patient_id) ?? 0 }));
  const group = `clinical-${outcome}`;
  const cases = cohort.labels.rows.filter((l) => l.label === 1).length;
  if (rows.length === 0) {
    return { group, patients: 0, cases, written: 0, rejected: 0 };
  }
  const report = await features.ingestTable({
    onSchemaChange: 'recreate',
    groupName: group,
    rows,
    recordIdentifierFeatureName: 'patient_id',
    eventTimeFeatureName: 'index_date',
    description: `clinical features before the index date, label = ${OUTCOMES[outcome].label} (SNOMED ${OUTCOMES[outcome].codes.join('/')})`,
    featureTypes: {
      patient_id: 'String',
      index_date: 'String',
      label: 'Integral',
      ...Object.fromEntries(CLINICAL_FEATURE_COLUMNS.map((c) => [c, 'Fractional' as const])),
    },
  });
  return { group, patients: rows.length, cases, written: report.succeeded, rejected: report.failed.length };
}

/**
 * Labels and features per outcome into the `clinical-<outcome>` feature groups (the `features-clinical` step).
 * Skipped, with a note, when the clinical folder is absent.
 *
 * @param ws - the workspace (config, progress, `clinical`, `features`)
 * @returns per outcome `<outcome>_patients`, `_cases`, `_rejected`; the groups written
 * @throws {@link HealthDataError} from the FHIR or feature store
 */
export async function writeClinicalFeatureGroups(ws: ClinicalStepWorkspace): Promise<StepResult> {
  if (!fs.existsSync(clinicalInputDir(ws))) {
    ws.progress.start('features-clinical: skipped — needs an imported clinical folder', 0).finish('skipped');
    return { counts: { skipped: 1 }, outputs: [] };
  }
  const counts: Record<string, number> = {};
  const outputs: string[] = [];
  for (const outcome of Object.keys(OUTCOMES) as Outcome[]) {
    const w = await writeClinicalFeatureGroup(ws.features, outcome, await ws.clinical.cohort({ outcome }));
    counts[`${outcome}_patients`] = w.patients;
    counts[`${outcome}_cases`] = w.cases;
    if (w.patients > 0) {
      counts[`${outcome}_rejected`] = w.rejected;
      outputs.push(w.group);
    }
  }
  return { counts, outputs };
}
