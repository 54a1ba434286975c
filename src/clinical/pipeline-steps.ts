/**
 * The clinical pipeline steps: `import-clinical` (create the workspace datastore if needed and import
 * `<dataDir>/clinical/*.ndjson`; idempotent) and `features-clinical` (labels and leakage-free features per outcome,
 * written to the `clinical-<outcome>` feature groups).
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { PipelineStep, StepResult } from '../pipeline';
import { libraryVersion } from '../setup';
import type { Workspace } from '../workspace';
import type { Outcome } from './cohort';
import { OUTCOMES } from './cohort';
import { CLINICAL_FEATURE_COLUMNS } from './features';

/**
 * The folder `import-clinical` reads.
 *
 * @param ws - the workspace
 * @returns `<dataDir>/clinical`
 */
export function clinicalInputDir(ws: Pick<Workspace, 'config'>): string {
  return path.join(ws.config.dataDir, 'clinical');
}

function inputFingerprint(dir: string): string {
  if (!fs.existsSync(dir)) {
    return 'absent';
  }
  return fs
    .readdirSync(dir)
    .filter((f) => f.endsWith('.ndjson'))
    .sort()
    .map((f) => {
      const st = fs.statSync(path.join(dir, f));
      return `${f}:${st.size}:${Math.round(st.mtimeMs)}`;
    })
    .join(',');
}

/** `import-clinical`: HealthLake-style NDJSON import of `<dataDir>/clinical`. */
export const importClinicalStep: PipelineStep = {
  name: 'import-clinical',
  description: 'import <dataDir>/clinical/*.ndjson into the FHIR datastore (HealthLake import job)',
  fingerprint: (ws) => Promise.resolve(`${libraryVersion()}|${ws.backend}|${inputFingerprint(clinicalInputDir(ws))}`),
  run: async (ws): Promise<StepResult> => {
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
  },
};

/** `features-clinical`: labels and features per outcome into the `clinical-<outcome>` feature groups. */
export const featuresClinicalStep: PipelineStep = {
  name: 'features-clinical',
  description: 'labels with index dates and leakage-free clinical features per outcome → feature groups clinical-<outcome>',
  // `labels-v2`: controls take matched case index dates (cohort.ts); older feature groups are recomputed.
  fingerprint: (ws) => Promise.resolve(`${libraryVersion()}|${ws.backend}|${inputFingerprint(clinicalInputDir(ws))}|labels-v2`),
  run: async (ws) => {
    if (!fs.existsSync(clinicalInputDir(ws))) {
      ws.progress.start('features-clinical: skipped — needs an imported clinical folder', 0).finish('skipped');
      return { counts: { skipped: 1 }, outputs: [] };
    }
    const counts: Record<string, number> = {};
    const outputs: string[] = [];
    for (const outcome of Object.keys(OUTCOMES) as Outcome[]) {
      const { labels, features } = await ws.clinical.cohort({ outcome });
      const label = new Map(labels.rows.map((l) => [l.patientId, l.label]));
      const rows = features.map((f) => ({ ...f, label: label.get(f.patient_id) ?? 0 }));
      counts[`${outcome}_patients`] = rows.length;
      counts[`${outcome}_cases`] = labels.rows.filter((l) => l.label === 1).length;
      if (rows.length === 0) {
        continue;
      }
      const groupName = `clinical-${outcome}`;
      const report = await ws.features.ingestTable({
        groupName,
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
      counts[`${outcome}_rejected`] = report.failed.length;
      outputs.push(groupName);
    }
    return { counts, outputs };
  },
};

/** The clinical steps in data-flow order. */
export const CLINICAL_PIPELINE_STEPS: readonly PipelineStep[] = [importClinicalStep, featuresClinicalStep];
