/**
 * Pipeline step of the AutoML capability: `train-models` (the train-test job of notebook 09 for all four outcomes,
 * saving the best model per outcome with its report for the dashboard and the model server).
 */
import type { PipelineStep } from '../pipeline';
import { libraryVersion } from '../setup';
import * as path from 'node:path';
import { OUTCOME_MODEL_REPORT, trainOutcomeModels } from './outcome-models';

/**
 * The `train-models` step. It re-runs when any step it reads from (the feature steps) has a new fingerprint.
 *
 * @param upstream - the steps whose outputs the training reads (their fingerprints make up this one's)
 * @returns the step
 */
export function trainModelsStep(upstream: readonly PipelineStep[]): PipelineStep {
  return {
    name: 'train-models',
    description: 'per outcome and study design (prognostic, landmark, guidance): clinical-only on the full cohort and paired modality comparisons; save the selected prognostic model per outcome with its report',
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
