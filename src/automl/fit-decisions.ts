/**
 * What a fit decides from its validation predictions once the models are fitted: each kind's candidate (the logistic
 * regression's penalty), the Caruana ensemble weights, the selection rule (the logistic baseline unless the ensemble
 * leads it out of sample), every model's Platt scaling and the decision threshold. One pure function,
 * {@link decideOnValidation}, serves the fit on all rows (`TabularPredictor.fit`) and the cross-fitted evaluation,
 * which remakes the same decisions without one fold and applies them to it (`cross-fit.ts`).
 */
import { applyPlatt, fitPlatt } from './calibration';
import { blend, caruanaEnsemble, crossFittedEnsemble } from './ensemble';
import type { MetricName } from './metrics';
import { chooseThreshold, higherIsBetter, metricValue, pairedScoreDifference, selectionScore } from './metrics';
import type { ModelKind } from './models/model';
import { deriveSeed } from './rng';

/** A logistic regression's penalty: ridge `l2`, and lasso `l1` or, when `l1Fraction` > 0, that share of λ_max. */
export interface LinearPenalty {
  /** L1 penalty (absolute; unused when `l1Fraction` > 0). */
  readonly l1: number;
  /** L2 penalty. */
  readonly l2: number;
  /** L1 penalty as a share of the training rows' λ_max (0 = use `l1`). */
  readonly l1Fraction: number;
}

/** The selection rule's inputs and outcome (see `TabularPredictor.fit`). */
export interface FitSelection {
  /** The rule, in words. */
  readonly rule: string;
  /** The baseline's name (`LinearModel` / `LinearModel_BAG_L1`), when it was fitted. */
  readonly baseline?: string;
  /** The baseline's validation score. */
  readonly baselineScoreVal?: number;
  /**
   * The logistic regression's penalty, chosen among `LINEAR_PENALTY_GRID` (ridge and lasso strengths) by the eval
   * metric on the same validation rows as every other model (absent when the caller fixed it or in older models).
   */
  readonly baselinePenalty?: LinearPenalty;
  /** The ensemble's validation score, when an ensemble was built (its weights were tuned on these rows: optimistic). */
  readonly ensembleScoreVal?: number;
  /**
   * The ensemble's cross-fitted validation score: each validation fold scored with Caruana weights chosen on the
   * other folds' rows only, so the weight tuning does not flatter it. The selection rule compares this one with the
   * baseline (absent when the rule did not need it).
   */
  readonly ensembleCrossFitScoreVal?: number;
  /** The Caruana round whose weights the ensemble keeps (1-based), and the rounds run. */
  readonly ensembleRound?: { readonly best: number; readonly of: number };
  /**
   * The rival's lead over the baseline on the validation rows (higher-is-better scale) and the paired bootstrap
   * standard error of that lead (for the ensemble: its cross-fitted predictions); absent when no comparison was made.
   */
  readonly margin?: { readonly model: string; readonly diff: number; readonly se: number };
  /** The chosen model. */
  readonly chosen: string;
  /** The chosen model's validation score. */
  readonly chosenScoreVal: number;
}

/** One fitted model kind's validation predictions, one matrix per candidate. */
export interface KindValidation {
  /** The kind. */
  readonly kind: ModelKind;
  /** Its display name (e.g. `LinearModel_BAG_L1`). */
  readonly name: string;
  /** Validation probabilities (n × K) per candidate, in grid order (one candidate for every kind but LR). */
  readonly candidates: readonly Float64Array[];
  /** The logistic regression's penalty per candidate (same order). */
  readonly penalties?: readonly LinearPenalty[];
  /** The candidate used when a class has too few validation rows to choose ({@link DecisionInput.minChoiceRows}). */
  readonly fallback: number;
}

/** Everything {@link decideOnValidation} decides from. */
export interface DecisionInput {
  /** The fitted kinds, in fit order. */
  readonly kinds: readonly KindValidation[];
  /** Validation classes. */
  readonly validY: Int32Array;
  /** Number of classes. */
  readonly k: number;
  /** The eval metric. */
  readonly metric: MetricName;
  /** Seed of the paired bootstrap. */
  readonly seed: number;
  /** Cross-fitting fold of every validation row (−1 = none) and the fold count; undefined when it cannot be done. */
  readonly groups: { readonly of: Int32Array; readonly count: number } | undefined;
  /** Validation rows every class needs before the ensemble may replace the baseline. */
  readonly minClassRows: number;
  /** Validation rows every class needs to choose among candidates (below it: each kind's fallback). */
  readonly minChoiceRows: number;
  /** Caruana rounds. */
  readonly rounds: number;
  /** Name of the ensemble model. */
  readonly ensembleName: string;
}

/** The decisions: models are the kinds in order, then the ensemble when one was built. */
export interface FitDecision {
  /** The chosen candidate per kind. */
  readonly choices: readonly number[];
  /** Model names (kinds, then the ensemble). */
  readonly names: readonly string[];
  /** Model kinds (`ENSEMBLE` last when built). */
  readonly kinds: readonly (ModelKind | 'ENSEMBLE')[];
  /** Raw (uncalibrated) validation probabilities per model. */
  readonly valPreds: readonly Float64Array[];
  /** Validation score per model. */
  readonly scores: readonly number[];
  /** Ensemble weights per kind, when an ensemble was built. */
  readonly weights?: Float64Array;
  /** The Caruana round kept and the rounds run. */
  readonly ensembleRound?: { readonly best: number; readonly of: number };
  /** Index of the chosen model. */
  readonly best: number;
  /** The selection rule's inputs and outcome. */
  readonly selection: FitSelection;
  /** Binary problems: Platt scaling per model (undefined where it could not be fitted). */
  readonly calibration: readonly ({ readonly a: number; readonly b: number } | undefined)[];
  /** Binary problems: the decision threshold (max F1 on the chosen model's calibrated validation predictions). */
  readonly threshold?: number;
}

/**
 * How many paired standard errors the ensemble must lead the logistic baseline by on the validation rows to replace
 * it (2 ≈ a one-sided 97.5% test). Measured on 500-row tables with a purely linear signal: with 1 the ensemble still
 * won single folds on noise and lost up to 0.010 pooled AUROC to the baseline; with 2 it never did.
 */
export const SELECTION_SE_MULTIPLE = 2;

/**
 * Makes every decision of a fit from its validation predictions (see the module comment).
 *
 * @param inp - the kinds' candidates, validation classes, metric, folds and thresholds
 * @returns the chosen candidates, ensemble, model, calibration and threshold
 */
export function decideOnValidation(inp: DecisionInput): FitDecision {
  const { kinds, validY, k, metric } = inp;
  const canChoose = smallestClass(validY, k) >= inp.minChoiceRows;
  const choices = kinds.map((kv) => (canChoose ? chooseCandidate(kv.candidates, validY, k, metric) : Math.min(kv.fallback, kv.candidates.length - 1)));
  const valPreds = kinds.map((kv, j) => kv.candidates[choices[j] as number] as Float64Array);
  const names = kinds.map((kv) => kv.name);
  const modelKinds: (ModelKind | 'ENSEMBLE')[] = kinds.map((kv) => kv.kind);
  let weights: Float64Array | undefined;
  let ensembleRound: { best: number; of: number } | undefined;
  if (kinds.length > 1) {
    const ens = caruanaEnsemble(valPreds, validY, k, metric, inp.rounds);
    weights = Float64Array.from(ens.weights);
    ensembleRound = { best: ens.bestRound, of: inp.rounds };
    valPreds.push(blend(valPreds, ens.weights));
    names.push(inp.ensembleName);
    modelKinds.push('ENSEMBLE');
  }
  const scores = valPreds.map((p) => metricValue(metric, validY, p, k));
  const lr = kinds.findIndex((kv) => kv.kind === 'LR');
  const penalty = lr < 0 ? undefined : kinds[lr]?.penalties?.[choices[lr] as number];
  const { best, selection } = selectBest({ ...inp, names, modelKinds, valPreds, scores, ensembleRound, penalty });
  const calibration = valPreds.map((p) => (k === 2 ? fitPlatt(validY, positives(p)) : undefined));
  const threshold = k === 2 && validY.length > 0 ? chooseThreshold(validY, calibrated(positives(valPreds[best] as Float64Array), calibration[best])) : undefined;
  return {
    choices,
    names,
    kinds: modelKinds,
    valPreds,
    scores,
    ...(weights === undefined ? {} : { weights }),
    ...(ensembleRound === undefined ? {} : { ensembleRound }),
    best,
    selection,
    calibration,
    ...(threshold === undefined ? {} : { threshold }),
  };
}

/** Positive-class probabilities of a binary n × 2 matrix. */
export function positives(p: Float64Array): Float64Array {
  return Float64Array.from({ length: p.length / 2 }, (_, i) => p[i * 2 + 1] as number);
}

/** Platt-scaled copies of positive-class probabilities (the same array when there is no scaling). */
export function calibrated(pos: Float64Array, platt: { readonly a: number; readonly b: number } | undefined): Float64Array {
  if (platt === undefined) {
    return pos;
  }
  return pos.map((q) => applyPlatt(platt, q));
}

/**
 * Rows of the smallest class.
 *
 * @param y - class indices 0 … k−1
 * @param k - number of classes
 * @returns the smallest class count (0 when a class is absent)
 */
export function smallestClass(y: Int32Array, k: number): number {
  const counts = new Array<number>(k).fill(0);
  for (const c of y) {
    counts[c] = (counts[c] as number) + 1;
  }
  return Math.min(...counts);
}

/** The candidate with the best eval metric on the validation rows (the first on ties: the grid lists stronger penalties first). */
function chooseCandidate(candidates: readonly Float64Array[], y: Int32Array, k: number, metric: MetricName): number {
  if (candidates.length <= 1) {
    return 0;
  }
  let choice = 0;
  let bestScore = -Infinity;
  candidates.forEach((p, c) => {
    const score = selectionScore(metric, y, p, k);
    if (score > bestScore + 1e-12) {
      bestScore = score;
      choice = c;
    }
  });
  return choice;
}

/** What {@link selectBest} compares, besides the decision input. */
interface SelectionInput extends DecisionInput {
  readonly names: readonly string[];
  readonly modelKinds: readonly (ModelKind | 'ENSEMBLE')[];
  readonly valPreds: readonly Float64Array[];
  readonly scores: readonly number[];
  readonly ensembleRound: { best: number; of: number } | undefined;
  readonly penalty: LinearPenalty | undefined;
}

/**
 * The selection rule: the final model is the L2 logistic baseline unless the weighted ensemble beats it out of
 * sample. Only two models compete (the ensemble holds every base model, the baseline included, and its first round
 * is the best single model), so picking the best of many validation scores does not flatter the winner:
 *
 * 1. Too few validation rows to tell them apart (fewer than `minClassRows` in a class): the baseline.
 * 2. Otherwise the ensemble is scored on **cross-fitted** validation predictions — every validation fold blended with
 *    Caruana weights chosen on the other folds only (the weights tuned on all rows score above the baseline by
 *    construction) — and replaces the baseline only when that score leads the baseline's by more than
 *    {@link SELECTION_SE_MULTIPLE} paired-bootstrap standard errors on the same rows.
 *
 * Without a logistic model (excluded by the caller) the best validation score wins, the ensemble on ties.
 */
function selectBest(inp: SelectionInput): { best: number; selection: FitSelection } {
  const { modelKinds, valPreds, validY, k, metric, scores, names } = inp;
  const baseline = modelKinds.indexOf('LR');
  const ensemble = modelKinds.indexOf('ENSEMBLE');
  let best = baseline >= 0 ? baseline : bestByScore(modelKinds, scores, metric);
  let margin: { readonly model: string; readonly diff: number; readonly se: number } | undefined;
  let crossFit: number | undefined;
  if (baseline >= 0 && ensemble >= 0 && smallestClass(validY, k) >= inp.minClassRows && inp.groups !== undefined) {
    const honest = crossFittedEnsemble(valPreds.slice(0, ensemble), validY, k, metric, inp.rounds, inp.groups);
    crossFit = metricValue(metric, validY, honest, k);
    const d = pairedScoreDifference(metric, validY, honest, valPreds[baseline] as Float64Array, k, { seed: deriveSeed(inp.seed, 31) });
    margin = { model: names[ensemble] as string, diff: d.diff, se: d.se };
    if (d.diff > SELECTION_SE_MULTIPLE * d.se) {
      best = ensemble;
    }
  }
  const rule =
    baseline < 0
      ? `highest validation ${metric} (out-of-fold or holdout), the weighted ensemble on ties (no logistic baseline was fitted)`
      : `the L2 logistic baseline, unless the weighted ensemble's cross-fitted validation ${metric} (each validation fold blended with weights chosen on the other folds) leads it by more than ${String(SELECTION_SE_MULTIPLE)} paired-bootstrap standard errors with at least ${String(inp.minClassRows)} validation rows in every class`;
  const selection: FitSelection = {
    rule,
    ...(baseline < 0 ? {} : { baseline: names[baseline], baselineScoreVal: scores[baseline] }),
    ...(inp.penalty === undefined ? {} : { baselinePenalty: inp.penalty }),
    ...(ensemble < 0 ? {} : { ensembleScoreVal: scores[ensemble] }),
    ...(crossFit === undefined ? {} : { ensembleCrossFitScoreVal: crossFit }),
    ...(inp.ensembleRound === undefined ? {} : { ensembleRound: inp.ensembleRound }),
    ...(margin === undefined ? {} : { margin }),
    chosen: names[best] as string,
    chosenScoreVal: scores[best] as number,
  };
  return { best, selection };
}

/** The model with the best validation score (the weighted ensemble on ties). */
function bestByScore(kinds: readonly (ModelKind | 'ENSEMBLE')[], scores: readonly number[], metric: MetricName): number {
  const sign = higherIsBetter(metric) ? 1 : -1;
  let top = 0;
  scores.forEach((s, j) => {
    const t = scores[top] as number;
    if (sign * s > sign * t || (kinds[j] === 'ENSEMBLE' && sign * s >= sign * t)) {
      top = j;
    }
  });
  return top;
}
