/**
 * One unit of a predictor's fit: one model kind on one bagging split (or the holdout), fitted on its training rows and
 * scored on its validation rows. The same function runs in the calling thread and in the worker threads of
 * `fit-pool.ts`; a task carries everything it needs (rows, seed, hyperparameters), so its result does not depend on
 * which thread ran it or when — the fit is deterministic whatever the scheduling.
 */
import { stratifiedHoldout } from './cv';
import type { Classifier, FitContext, ModelKind, ModelState } from './models/model';
import type { LinearParams } from './models/linear';
import { LINEAR_PENALTY_GRID, fitLinearPath } from './models/linear';
import type { Hyperparameters } from './models/registry';
import { fitModel } from './models/registry';
import { deriveSeed } from './rng';
import type { Matrix } from './types';
import { takeInt, takeRows } from './types';

/** What one task fits and scores. */
export interface FitTask {
  /** Model kind. */
  readonly kind: ModelKind;
  /** Training rows (encoded). */
  readonly x: Matrix;
  /** Their class indices. */
  readonly y: Int32Array;
  /** Rows to predict (the bag's out-of-fold rows, the holdout or the tuning table). */
  readonly valid: Matrix;
  /** Number of classes. */
  readonly nClasses: number;
  /** The model's seed (derived from the predictor's seed, the kind and the split). */
  readonly seed: number;
  /** Hyperparameters (preset merged with the caller's). */
  readonly hp: Hyperparameters;
}

/** A fitted candidate: the model and its probabilities on the task's validation rows (n × K). */
export interface FitCandidate<M> {
  /** The model (a live classifier in the calling thread, its exported state from a worker). */
  readonly model: M;
  /** Validation probabilities. */
  readonly proba: Float64Array;
}

/** Share of a model's training rows set aside for early stopping (GBM). */
const EARLY_STOP_FRAC = 0.1;

/**
 * The logistic regression's penalty candidates: the caller's penalty when it sets one (`hyperparameters.LR.l1`, `.l2`
 * or `.l1Fraction`), else {@link LINEAR_PENALTY_GRID}, each merged with the caller's other settings (iterations, tolerance).
 *
 * @param hp - hyperparameters
 * @returns the settings to fit, one model each
 */
export function linearCandidates(hp: Hyperparameters): Partial<LinearParams>[] {
  const given = hp.LR ?? {};
  if (given.l1 !== undefined || given.l2 !== undefined || given.l1Fraction !== undefined) {
    return [given];
  }
  return LINEAR_PENALTY_GRID.map((g) => ({ ...given, ...g }));
}

/**
 * Fits one model so that its validation predictions stay honest: a model that early-stops (GBM) stops on a stratified
 * 10% of its own training rows, never on the rows that score it (the bag's out-of-fold rows or the holdout), which
 * would make its validation score — and so the ensemble weights and the model choice — optimistic.
 */
function fitHonest(kind: ModelKind, x: Matrix, y: Int32Array, ctx: Omit<FitContext, 'valid'>, hp: Hyperparameters): Classifier {
  if (kind !== 'GBM' || y.length < 20) {
    return fitModel(kind, x, y, ctx, hp);
  }
  const { train, holdout } = stratifiedHoldout(y, EARLY_STOP_FRAC, deriveSeed(ctx.seed, 7));
  if (holdout.length === 0 || train.length === 0) {
    return fitModel(kind, x, y, ctx, hp);
  }
  return fitModel(kind, takeRows(x, train), takeInt(y, train), { ...ctx, valid: { x: takeRows(x, holdout), y: takeInt(y, holdout) } }, hp);
}

/**
 * Runs one task: the fitted model(s) with their validation probabilities. The logistic regression returns one
 * candidate per penalty of {@link linearCandidates} (the predictor picks one on all splits' validation rows together);
 * every other kind returns one.
 *
 * @param task - the task
 * @param shouldStop - time budget check for iterative models
 * @returns the candidates, in grid order
 */
export function runFitTask(task: FitTask, shouldStop?: () => boolean): FitCandidate<Classifier>[] {
  const ctx = { nClasses: task.nClasses, seed: task.seed, ...(shouldStop === undefined ? {} : { shouldStop }) };
  const models: Classifier[] = task.kind === 'LR' ? fitLinearPath(task.x, task.y, ctx, linearCandidates(task.hp)) : [fitHonest(task.kind, task.x, task.y, ctx, task.hp)];
  return models.map((model) => ({ model, proba: model.predictProba(task.valid) }));
}

/** A task for a fit worker thread (fit-worker.ts). */
export interface FitWorkerRequest {
  /** The task. */
  readonly task: FitTask;
  /** Wall-clock deadline (ms since the epoch) of the time budget, when there is one. */
  readonly deadline?: number;
  /** Run even past the deadline (the first model kind is always kept). */
  readonly mustRun: boolean;
}

/** What a pooled task returns: the candidates' states and probabilities, or that the time budget was spent first. */
export type PooledResult = { readonly candidates: readonly FitCandidate<ModelState>[] } | { readonly skipped: true };
