/**
 * Fit presets: how much bagging and how many trees. Names follow AutoGluon's (`medium_quality`, `good_quality`,
 * `best_quality`) with short aliases.
 */
import { HealthDataError } from '../errors';
import type { Hyperparameters } from './models/registry';

/** A preset name. */
export type PresetName = 'fast' | 'medium' | 'best' | 'medium_quality' | 'good_quality' | 'best_quality';

/**
 * The preset the pipeline's `train-models` step (and notebook 09) fits with. `medium` (5-fold bagging): its
 * out-of-fold predictions cover every row, so the ensemble weights, the selection against the logistic baseline, the
 * decision threshold and the Platt calibration are all tuned on as many rows as the fold has, and every bagged model
 * sees 80% of them (the holdout of `fast` leaves 80% for fitting and ~20% for all the tuning). Measured figures:
 * `bench/automl.ts` and src/automl/README.md.
 */
export const PIPELINE_PRESET: PresetName = 'medium';

/** What a preset sets. */
export interface PresetSpec {
  /** k of k-fold bagging (0 = a single holdout split). */
  readonly numBagFolds: number;
  /** Repeats of the k-fold bagging. */
  readonly numBagSets: number;
  /** Hyperparameters per model kind. */
  readonly hyperparameters: Hyperparameters;
}

/**
 * Resolves a preset.
 *
 * - `fast` / `medium_quality`: one holdout split, light models (AutoGluon's default preset does no bagging).
 * - `medium` / `good_quality`: 5-fold bagging with out-of-fold predictions for the ensemble (the default here:
 *   sounder than one split on a few hundred rows).
 * - `best` / `best_quality`: 8-fold bagging, 300-tree forests, a slower learning rate.
 *
 * @param name - preset name
 * @returns the preset
 * @throws {@link HealthDataError} (invalid-input) for an unknown name
 */
export function resolvePreset(name: string): PresetSpec {
  switch (name) {
    case 'fast':
    case 'medium_quality':
      return { numBagFolds: 0, numBagSets: 1, hyperparameters: { RF: { nEstimators: 50 }, XT: { nEstimators: 50 }, GBM: { numRounds: 300 } } };
    case 'medium':
    case 'good_quality':
      return { numBagFolds: 5, numBagSets: 1, hyperparameters: {} };
    case 'best':
    case 'best_quality':
      return {
        numBagFolds: 8,
        numBagSets: 1,
        hyperparameters: { RF: { nEstimators: 300 }, XT: { nEstimators: 300 }, GBM: { learningRate: 0.05, numRounds: 1000, earlyStoppingRounds: 50 } },
      };
    default:
      throw new HealthDataError('invalid-input', `TabularPredictor.fit: presets ${JSON.stringify(name)} is unknown; use fast, medium, best (or medium_quality, good_quality, best_quality)`, {
        path: 'presets',
      });
  }
}
