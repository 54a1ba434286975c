/**
 * The registered pipeline steps, in order. Each capability adds its step here (one obvious place).
 */
import { DATABASE_FILE } from './workspace';
import { CLINICAL_PIPELINE_STEPS } from './clinical/pipeline-steps';
import { featuresGenomicStep, importGenomicStep } from './genomics/pipeline-steps';
import { IMAGING_PIPELINE_STEPS } from './imaging/pipeline-steps';
import type { PipelineStep } from './pipeline';
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
