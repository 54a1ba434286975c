/**
 * Fitting and loading models by kind, with the hyperparameters of each preset.
 */
import { HealthDataError } from '../../errors';
import type { Matrix } from '../types';
import type { ForestParams } from './forest';
import { ForestModel, fitForest } from './forest';
import type { GbmParams } from './gbm';
import { GbmModel, fitGbm } from './gbm';
import type { KnnParams } from './knn';
import { KnnModel, fitKnn } from './knn';
import type { LinearParams } from './linear';
import { LinearModel, fitLinear } from './linear';
import type { Classifier, FitContext, ModelKind, ModelState } from './model';

/** Hyperparameters per model kind (each optional; defaults apply). */
export interface Hyperparameters {
  /** Gradient-boosted trees. */
  readonly GBM?: Partial<GbmParams>;
  /** Random forest. */
  readonly RF?: Partial<ForestParams>;
  /** Extra trees. */
  readonly XT?: Partial<ForestParams>;
  /** Logistic regression (set `l1` for a lasso). */
  readonly LR?: Partial<LinearParams>;
  /** k-nearest neighbours. */
  readonly KNN?: Partial<KnnParams>;
}

/**
 * Fits one model of the given kind.
 *
 * @param kind - model kind
 * @param x - training matrix
 * @param y - class indices
 * @param ctx - classes, seed, validation rows, time budget
 * @param hp - hyperparameters
 * @returns the fitted model
 */
export function fitModel(kind: ModelKind, x: Matrix, y: Int32Array, ctx: FitContext, hp: Hyperparameters = {}): Classifier {
  switch (kind) {
    case 'GBM':
      return fitGbm(x, y, ctx, hp.GBM);
    case 'RF':
      return fitForest('RF', x, y, ctx, hp.RF);
    case 'XT':
      return fitForest('XT', x, y, ctx, hp.XT);
    case 'LR':
      return fitLinear(x, y, ctx, hp.LR);
    case 'KNN':
      return fitKnn(x, y, ctx, hp.KNN);
  }
}

/**
 * Rebuilds a model from a saved state.
 *
 * @param s - the state
 * @returns the model
 * @throws {@link HealthDataError} (unsupported) for an unknown kind
 */
export function loadModel(s: ModelState): Classifier {
  switch (s.kind) {
    case 'GBM':
      return GbmModel.fromState(s);
    case 'RF':
    case 'XT':
      return ForestModel.fromState(s);
    case 'LR':
      return LinearModel.fromState(s);
    case 'KNN':
      return KnnModel.fromState(s);
    default:
      throw new HealthDataError('unsupported', `loadModel: model kind ${JSON.stringify(s.kind)} is unknown; save files come from this library's TabularPredictor.save`);
  }
}
