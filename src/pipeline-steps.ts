/**
 * The registered pipeline steps, in data-flow order. Each step is a fingerprint (what its output depends on) and a
 * one-line call of a library function that notebooks call too (`src/<domain>/pipeline-steps.ts`), so the pipeline
 * and the notebooks cannot drift apart.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Workspace } from './workspace';
import { DATABASE_FILE } from './workspace';
import { clinicalInputFingerprint, importClinicalFolder, writeClinicalFeatureGroups } from './clinical/pipeline-steps';
import { genomicInputFingerprint, writeGenomicFeatureGroup } from './genomics/pipeline-steps';
import { dicomInputFingerprint, importDicomFolder, writeImagingFeatureGroup } from './imaging/pipeline-steps';
import { extractImagingFeatures } from './imaging/features';
import { DEFAULT_DATASTORE_NAME } from './imaging/store';
import { findGenomicFiles } from './genomics/handle';
import { OUTCOME_MODEL_REPORT, trainOutcomeModels } from './automl/outcome-models';
import type { EnsureStepsOptions, PipelineStep, PipelineSummary, StepPrerequisites } from './pipeline';
import { ensurePipelineSteps } from './pipeline';
import { dashboardStep } from './dashboard/command';
import { convertStep, generateStep } from './cohort/steps';
import { prepareWorkspaceFolders, selfCheckEngine } from './setup';
import { PORTABLE_IDIOMS, PORTABLE_MACROS } from './sql/portable-macros';
import { libraryVersion } from './version';

/** Creates the workspace folders. */
const setupStep: PipelineStep = {
  name: 'setup',
  description: 'create the workspace folders',
  fingerprint: (ws) => Promise.resolve(`${libraryVersion()}|${ws.backend}|${ws.config.dir}`),
  run: (ws) => {
    const folders = prepareWorkspaceFolders(ws);
    return Promise.resolve({ counts: { folders: folders.length }, outputs: [ws.config.dir] });
  },
};

/** Checks that the SQL engine answers the portable queries as documented. */
const selfCheckStep: PipelineStep = {
  name: 'self-check',
  description: 'check the SQL engine and its portable-SQL macros',
  fingerprint: (ws) => Promise.resolve(`${libraryVersion()}|${ws.backend}|${String(PORTABLE_MACROS.length + PORTABLE_IDIOMS.length)}`),
  run: async (ws) => {
    const checks = await selfCheckEngine(ws);
    return { counts: { checks }, outputs: ws.backend === 'local' ? [ws.path(DATABASE_FILE)] : [] };
  },
};

/** `import-clinical`: HealthLake-style NDJSON import of `<dataDir>/clinical`. */
export const importClinicalStep: PipelineStep = {
  name: 'import-clinical',
  description: 'import <dataDir>/clinical/*.ndjson into the FHIR datastore (HealthLake import job)',
  fingerprint: (ws) => Promise.resolve(`${libraryVersion()}|${ws.backend}|${clinicalInputFingerprint(ws)}`),
  run: (ws) => importClinicalFolder(ws),
};

/** `features-clinical`: labels and features per outcome into the `clinical-<outcome>` feature groups. */
export const featuresClinicalStep: PipelineStep = {
  name: 'features-clinical',
  description: 'labels with index dates and leakage-free clinical features per outcome → feature groups clinical-<outcome>',
  // `labels-v2`: controls take matched case index dates (cohort.ts); older feature groups are recomputed.
  fingerprint: (ws) => Promise.resolve(`${libraryVersion()}|${ws.backend}|${clinicalInputFingerprint(ws)}|labels-v2`),
  run: (ws) => writeClinicalFeatureGroups(ws),
};

/** `import-genomic`: the reference, VCFs and ClinVar into the stores; skipped (with a count) when absent. */
export const importGenomicStep: PipelineStep = {
  name: 'import-genomic',
  description: 'import the reference, patient VCFs and ClinVar into the variant and annotation stores',
  fingerprint: (ws) => Promise.resolve(`${libraryVersion()}|${ws.backend}|${genomicInputFingerprint(ws)}`),
  run: async (ws) => {
    const r = await ws.genomics.importDataset();
    return { counts: r.counts, outputs: r.skipped ? [] : [r.tables.variants, r.tables.annotations] };
  },
};

/** `features-genomic`: per-patient genomic features into the `genomic` feature group (skipped without input). */
export const featuresGenomicStep: PipelineStep = {
  name: 'features-genomic',
  description: 'per-patient genomic features (ClinVar-classified alleles, APOE, risk score) into the genomic feature group',
  fingerprint: async (ws) => `${await importGenomicStep.fingerprint(ws)}|features-v3`,
  run: async (ws) => (findGenomicFiles(ws.config.dataDir) === undefined ? { counts: { genomic_folder_absent: 1 }, outputs: [] } : writeGenomicFeatureGroup(ws.features, await ws.genomics.features())),
};

/** `import-imaging`: the dataset DICOM into the imaging datastore; skipped with a note when absent. */
export const importImagingStep: PipelineStep = {
  name: 'import-imaging',
  description: 'import the dataset DICOM into the imaging datastore (HealthImaging semantics, HTJ2K frames)',
  fingerprint: (ws) => Promise.resolve(`${libraryVersion()}|${ws.backend}|${dicomInputFingerprint(ws.config.dataDir)}`),
  run: (ws) => importDicomFolder(ws),
};

/** `features-imaging`: radiomics per image set into the `imaging-features` feature group. */
export const featuresImagingStep: PipelineStep = {
  name: 'features-imaging',
  description: 'radiomics (brain, fluid and hyperintense masks) per image set into the imaging-features group',
  fingerprint: async (ws) => {
    const id = await ws.imaging.ensureDatastore(DEFAULT_DATASTORE_NAME);
    const sets = await ws.imaging.searchImageSets(id);
    return `${libraryVersion()}|${ws.backend}|${sets
      .map((s) => `${s.imageSetId}:${String(s.version)}`)
      .sort()
      .join(',')}`;
  },
  run: async (ws) => {
    const rows = await extractImagingFeatures(ws.imaging, await ws.imaging.ensureDatastore(DEFAULT_DATASTORE_NAME), { progress: ws.progress });
    return writeImagingFeatureGroup(ws.features, rows, ws.progress);
  },
};

/**
 * The `train-models` step (the train-test job of notebook 09 for all four outcomes, saving the best model per
 * outcome with its report). It re-runs when any step it reads from has a new fingerprint.
 *
 * @param upstream - the steps whose outputs the training reads (their fingerprints make up this one's)
 * @returns the step
 */
export function trainModelsStep(upstream: readonly PipelineStep[]): PipelineStep {
  return {
    name: 'train-models',
    description:
      'per outcome and study design (prognostic, landmark, guidance): clinical-only on the full cohort and paired modality comparisons; save the selected prognostic model per outcome with its report',
    fingerprint: async (ws) => {
      const parts = await Promise.all(upstream.map((s) => s.fingerprint(ws)));
      return `train-v2|${libraryVersion()}|${String(ws.config.seed)}|${parts.join('|')}`;
    },
    run: async (ws) => {
      const { reports, experiment } = await trainOutcomeModels(ws);
      return {
        counts: {
          models: reports.length,
          modality_sets_evaluated: experiment.filter((r) => r.folds > 0).length,
          modality_sets_skipped: experiment.filter((r) => r.folds === 0).length,
          model_warnings: reports.reduce((n, r) => n + (r.warnings?.length ?? 0), 0),
        },
        outputs: reports.map((r) => path.join(ws.automl.modelsDir, r.outcome, OUTCOME_MODEL_REPORT)),
      };
    },
  };
}

/** All steps of `mmh pipeline` / `npm start`, in order. */
export const PIPELINE_STEPS: readonly PipelineStep[] = [
  setupStep,
  selfCheckStep,
  generateStep,
  convertStep,
  importClinicalStep,
  featuresClinicalStep,
  importGenomicStep,
  featuresGenomicStep,
  importImagingStep,
  featuresImagingStep,
  trainModelsStep([importClinicalStep, featuresClinicalStep, featuresGenomicStep, importImagingStep, featuresImagingStep]),
  dashboardStep,
];

/**
 * What each step needs first (data flow). `ensureSteps` follows it, so a notebook names only the steps it reads.
 * A step added to {@link PIPELINE_STEPS} adds its line here.
 */
export const STEP_PREREQUISITES: StepPrerequisites = {
  'self-check': ['setup'],
  generate: ['setup'],
  convert: ['generate'],
  'import-clinical': ['convert'],
  'features-clinical': ['import-clinical'],
  'import-genomic': ['convert'],
  'features-genomic': ['import-genomic'],
  'import-imaging': ['convert'],
  'features-imaging': ['import-imaging'],
  'train-models': ['features-clinical', 'features-genomic', 'features-imaging'],
  dashboard: ['import-clinical', 'import-genomic', 'features-imaging'],
};

/**
 * Makes sure the named pipeline steps, and the steps they need, are current — the first cell of every notebook
 * calls it, so "Run All" works on an empty workspace and each notebook also runs alone. Current steps are skipped;
 * missing ones run here with progress (the same runner as `npm start`).
 *
 * @param ws - the open workspace
 * @param names - the steps the notebook reads the outputs of, e.g. `['import-imaging']`
 * @param options - where to print
 * @returns the run's summary
 * @throws {@link HealthDataError} (invalid-input) for an unknown step; (backend) naming the step that failed and why
 * @example
 * ```ts
 * const ws = await openWorkspace({ create: true });
 * await ensureSteps(ws, ['features-imaging']);
 * ```
 */
export function ensureSteps(ws: Workspace, names: readonly string[], options: EnsureStepsOptions = {}): Promise<PipelineSummary> {
  return ensurePipelineSteps(ws, PIPELINE_STEPS, STEP_PREREQUISITES, names, options);
}

/** The feature steps whose outputs the dashboard reads. */
const DASHBOARD_FEATURE_STEPS = ['import-clinical', 'features-clinical', 'features-genomic', 'features-imaging'] as const;

/**
 * Runs what the dashboard reads (notebook 11), through {@link ensureSteps}: the feature steps, and `train-models` only
 * when no model is saved yet — models notebook 09 saved are used as they are.
 *
 * @param ws - the workspace
 * @param options - where to print
 * @returns the run's summary
 * @throws {@link HealthDataError} (backend) naming the step that failed and why
 */
export function ensureDashboardSteps(ws: Workspace, options: EnsureStepsOptions = {}): Promise<PipelineSummary> {
  return ensureSteps(ws, dashboardSteps(ws.automl.modelsDir), options);
}

/**
 * The steps {@link ensureDashboardSteps} asks for.
 *
 * @param modelsDir - the workspace's models folder
 * @returns the feature steps, plus `train-models` when the folder is missing or empty
 */
export function dashboardSteps(modelsDir: string): string[] {
  const hasModels = fs.existsSync(modelsDir) && fs.readdirSync(modelsDir).length > 0;
  return hasModels ? [...DASHBOARD_FEATURE_STEPS] : [...DASHBOARD_FEATURE_STEPS, 'train-models'];
}
