/**
 * The registered pipeline steps, in order. Each capability adds its step here (one obvious place).
 */
import type { Workspace } from './workspace';
import { DATABASE_FILE } from './workspace';
import { CLINICAL_PIPELINE_STEPS } from './clinical/pipeline-steps';
import { featuresGenomicStep, importGenomicStep } from './genomics/pipeline-steps';
import { IMAGING_PIPELINE_STEPS } from './imaging/pipeline-steps';
import type { EnsureStepsOptions, PipelineStep, PipelineSummary, StepPrerequisites } from './pipeline';
import { ensurePipelineSteps } from './pipeline';
import { dashboardStep } from './dashboard/command';
import { trainModelsStep } from './automl/pipeline-steps';
import { convertStep, generateStep } from './cohort/steps';
import { libraryVersion, prepareWorkspaceFolders, selfCheckEngine } from './setup';
import { PORTABLE_IDIOMS, PORTABLE_MACROS } from './sql/portable-macros';

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

/** All steps of `mmh pipeline` / `npm start`, in order. */
export const PIPELINE_STEPS: readonly PipelineStep[] = [
  setupStep,
  selfCheckStep,
  // Each capability adds its steps here, in data-flow order (generate → import → features → train → dashboards).
  generateStep,
  convertStep,
  ...CLINICAL_PIPELINE_STEPS,
  importGenomicStep,
  featuresGenomicStep,
  ...IMAGING_PIPELINE_STEPS,
  trainModelsStep([...CLINICAL_PIPELINE_STEPS, featuresGenomicStep, ...IMAGING_PIPELINE_STEPS]),
  dashboardStep,
  // <pipeline-steps>
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
