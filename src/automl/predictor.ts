/**
 * `TabularPredictor`: AutoGluon's tabular API in TypeScript. `fit` preprocesses the table, fits each model kind with
 * k-fold bagging (out-of-fold predictions) or on a holdout split, then a Caruana weighted ensemble on the validation
 * predictions; everything is seeded and respects a time limit read from an injectable clock.
 */
import { HealthDataError } from '../errors';
import type { ProgressReporter, ProgressTask } from '../progress';
import { silentProgress } from '../progress';
import { defaultHoldoutFrac, stratifiedFolds, stratifiedHoldout } from './cv';
import type { PlattScaling } from './calibration';
import { applyPlatt } from './calibration';
import type { DecisionInput, FitSelection, KindValidation } from './fit-decisions';
import { decideOnValidation, smallestClass } from './fit-decisions';
import type { EvaluateOptions, MetricEstimate, MetricName } from './metrics';
import { evaluateProba, higherIsBetter, metricValue } from './metrics';
import type { FitCandidate, FitTask } from './fit-task';
import { linearCandidates, runFitTask } from './fit-task';
import type { FitWorkerPool, PooledResult } from './fit-pool';
import { defaultFitThreads, sharedFitPool } from './fit-pool';
import { LINEAR_DEFAULTS } from './models/linear';
import type { Classifier, ModelKind, ModelState } from './models/model';
import { MODEL_KINDS } from './models/model';
import type { Hyperparameters } from './models/registry';
import { loadModel } from './models/registry';
import type { PreprocessState } from './preprocess';
import { fitPreprocessor, transformTable } from './preprocess';
import type { PresetName } from './presets';
import { resolvePreset } from './presets';
import { loadPredictor, savePredictor } from './persist';
import { deriveSeed } from './rng';
import { isMissing, labelKey, readColumn, rowCount, sortClasses } from './table';
import type { Clock, Matrix, ProblemType, TabularData } from './types';
import { performanceClock, takeInt, takeRows } from './types';

/** Options of the {@link TabularPredictor} constructor (the label goes here, as in AutoGluon). */
export interface PredictorOptions {
  /** Name of the label column. */
  readonly label: string;
  /** 'binary' or 'multiclass' (inferred from the label when left out). */
  readonly problemType?: ProblemType;
  /** Metric for model selection and the ensemble (default roc_auc for binary, accuracy for multiclass). */
  readonly evalMetric?: MetricName;
  /** Folder where `save()` writes the model (optional). */
  readonly path?: string;
  /** Seed for folds, models and the ensemble (default 0). */
  readonly seed?: number;
  /** Columns never used as features (identifiers, index dates…). */
  readonly ignoredColumns?: readonly string[];
  /** Progress reporter for `fit` (default: silent). */
  readonly progress?: ProgressReporter;
  /** Millisecond clock for the time limit (default `performance.now`); tests pass a fake one. */
  readonly clock?: Clock;
  /** Free metadata saved with the model (e.g. outcome, modality set, cross-validated AUROC); JSON values only. */
  readonly metadata?: Readonly<Record<string, unknown>>;
}

/** Options of {@link TabularPredictor.fit}. */
export interface FitOptions {
  /** Time budget in seconds; model kinds that would start after it are skipped, iterative models stop early. */
  readonly timeLimit?: number;
  /** Preset (default `medium`: 5-fold bagging). */
  readonly presets?: PresetName;
  /** Share of rows held out for validation when not bagging (default: AutoGluon's rule by row count). */
  readonly holdoutFrac?: number;
  /** k of k-fold bagging (0 or 1 = holdout); overrides the preset. */
  readonly numBagFolds?: number;
  /** Repeats of the bagging. */
  readonly numBagSets?: number;
  /** Model kinds to leave out, e.g. `['KNN']`. */
  readonly excludedModelTypes?: readonly ModelKind[];
  /** Hyperparameters per kind, merged over the preset's. */
  readonly hyperparameters?: Hyperparameters;
  /** Validation table used instead of a holdout split (no bagging). */
  readonly tuningData?: TabularData;
  /**
   * Worker threads for the model fits of {@link TabularPredictor.fit} (default: the machine's available
   * parallelism; 0 or 1 = the calling thread). The fitted predictor is the same whatever the count.
   */
  readonly threads?: number;
  /**
   * Validation rows needed in every class before the model kinds other than the logistic baseline are fitted and the
   * weighted ensemble may replace the baseline (default {@link ENSEMBLE_MIN_CLASS_ROWS} = 50; below it they could not
   * be selected, so they are not fitted). Lower it to see the ensemble on small tables.
   */
  readonly ensembleMinClassRows?: number;
}

/** One trained model (a bag of fold models, or the weighted ensemble). */
export interface TrainedModel {
  /** Name as in AutoGluon, e.g. `LightGBM_BAG_L1`, `WeightedEnsemble_L2`. */
  readonly name: string;
  /** Kind, or 'ENSEMBLE'. */
  readonly kind: ModelKind | 'ENSEMBLE';
  /** Fold models (averaged); empty for the ensemble. */
  readonly members: readonly Classifier[];
  /** Validation score on the eval metric (out-of-fold or holdout; error metrics as errors, not negated). */
  readonly scoreVal: number;
  /** Fit time, milliseconds (clock time). */
  readonly fitTimeMs: number;
  /** Order of fitting. */
  readonly fitOrder: number;
  /** 1 for base models, 2 for the ensemble. */
  readonly stackLevel: 1 | 2;
  /** Ensemble weights by base-model name (ensemble only). */
  readonly weights?: Readonly<Record<string, number>>;
}

/** Rows a predictor has scored, and what its members predicted for them ({@link TabularPredictor.predictProbaMatrixChanged}). */
export interface PredictionReference {
  /** The encoded rows. */
  readonly x: Matrix;
  /** Each member's predictions on `x`, as they are first needed. */
  readonly byMember: Map<Classifier, Float64Array>;
  /** Each member's read columns ({@link Classifier.columnsRead}), as they are first needed. */
  readonly reads: Map<Classifier, Uint8Array>;
}

/** A leaderboard row (AutoGluon's columns in camelCase). */
export interface LeaderboardRow {
  /** Model name. */
  readonly model: string;
  /** Score on the given test table (when one is passed). */
  readonly scoreTest?: number;
  /** Validation score. */
  readonly scoreVal: number;
  /** The metric. */
  readonly evalMetric: MetricName;
  /** Prediction time on the test table, milliseconds (when one is passed). */
  readonly predTimeTestMs?: number;
  /** Fit time, milliseconds. */
  readonly fitTimeMs: number;
  /** Stack level. */
  readonly stackLevel: number;
  /** Fit order. */
  readonly fitOrder: number;
}

/** What `fit` did, for reports. */
export interface FitSummary {
  /** Training rows used (rows with a label). */
  readonly rows: number;
  /** Rows dropped for a missing label. */
  readonly rowsWithoutLabel: number;
  /** Feature columns after preprocessing. */
  readonly features: number;
  /** Bagging folds (0 = holdout). */
  readonly numBagFolds: number;
  /** Model kinds skipped, with the reason. */
  readonly skipped: readonly { readonly kind: ModelKind; readonly reason: string }[];
  /** Whether the time limit cut the fit short. */
  readonly timeLimitReached: boolean;
  /** Total fit time, milliseconds. */
  readonly fitTimeMs: number;
  /**
   * How the best model was chosen (absent in models saved before this field existed): the L2 logistic regression
   * baseline's and the weighted ensemble's validation scores beside the chosen model's, on the same validation rows.
   */
  readonly selection?: FitSelection;
}

/** The internal state shared with save/load. */
export interface PredictorState {
  /** Constructor options that persist. */
  readonly label: string;
  /** Problem type. */
  readonly problemType: ProblemType;
  /** Eval metric. */
  readonly evalMetric: MetricName;
  /** Seed. */
  readonly seed: number;
  /** Class values, sorted (binary: the second is positive). */
  readonly classes: readonly unknown[];
  /** Preprocessing. */
  readonly preprocess: PreprocessState;
  /** Trained models in fit order. */
  readonly models: readonly TrainedModel[];
  /** Name of the best model. */
  readonly best: string;
  /** Fit summary. */
  readonly summary: FitSummary;
  /**
   * Binary problems: the decision threshold on the positive-class probability chosen by max F1
   * (`chooseThreshold`) on the best model's validation predictions (out-of-fold when bagging, the holdout
   * otherwise). `predict` keeps using the most probable class (0.5); use {@link TabularPredictor.decisionThreshold}.
   */
  readonly threshold?: number;
  /**
   * Binary problems: each model's Platt scaling, fitted on its own validation predictions (see `calibration.ts`) and
   * applied whenever that model predicts by name (the ensemble blends the raw base probabilities, then applies its
   * own). Absent for multiclass, one-class validation rows, or models saved before it existed.
   */
  readonly calibration?: Readonly<Record<string, PlattScaling>>;
}

/**
 * The bagging folds fit options ask for: none with `tuningData` (the tuning rows validate), else `numBagFolds` or the
 * preset's (before `fit` lowers them to the smallest class).
 *
 * @param options - fit options
 * @returns k of k-fold bagging (0 or 1 = a holdout fit)
 */
export function requestedBagFolds(options: FitOptions): number {
  return options.tuningData !== undefined ? 0 : (options.numBagFolds ?? resolvePreset(options.presets ?? 'medium').numBagFolds);
}

/** AutoGluon's display names per kind. */
export const MODEL_NAMES: Readonly<Record<ModelKind, string>> = {
  GBM: 'LightGBM',
  RF: 'RandomForest',
  XT: 'ExtraTrees',
  LR: 'LinearModel',
  KNN: 'KNeighbors',
};

/** The name of the weighted ensemble. */
export const ENSEMBLE_NAME = 'WeightedEnsemble_L2';

// kNN prediction is brute force; past this many distance terms (rows² × features) it is skipped unless asked for.
const KNN_MAX_WORK = 3e8;

function argmaxRows(proba: Float64Array, k: number): Int32Array {
  const n = proba.length / k;
  const out = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    let b = 0;
    for (let c = 1; c < k; c++) {
      if ((proba[i * k + c] as number) > (proba[i * k + b] as number)) {
        b = c;
      }
    }
    out[i] = b;
  }
  return out;
}

/**
 * AutoGluon-style tabular classifier.
 *
 * @example
 * ```ts
 * const predictor = new TabularPredictor({ label: 'outcome', seed: 42 });
 * await predictor.fit(trainRows, { presets: 'medium', timeLimit: 60 });
 * const proba = predictor.predictProba(testRows);
 * console.table(predictor.leaderboard(testRows));
 * ```
 */
export class TabularPredictor {
  /** Constructor options. */
  readonly options: PredictorOptions;
  private st: PredictorState | undefined;
  private validation: DecisionInput | undefined;

  /**
   * @param options - label, problem type, metric, path, seed, progress, clock
   * @throws {@link HealthDataError} (invalid-input) when the label is empty
   */
  constructor(options: PredictorOptions) {
    if (options.label.trim() === '') {
      throw new HealthDataError('invalid-input', 'TabularPredictor: label is empty; pass the name of the label column', { path: 'label' });
    }
    this.options = options;
  }

  /**
   * Wraps a saved state (used by `load`).
   *
   * @param state - the state
   * @param options - extra options (path, progress, clock)
   * @returns the predictor
   */
  static fromState(state: PredictorState, options: Partial<PredictorOptions> = {}): TabularPredictor {
    const p = new TabularPredictor({ ...options, label: state.label, problemType: state.problemType, evalMetric: state.evalMetric, seed: state.seed });
    p.st = state;
    return p;
  }

  /** The fitted state (throws before `fit`). */
  get state(): PredictorState {
    if (this.st === undefined) {
      throw new HealthDataError('invalid-input', 'TabularPredictor: the predictor is not fitted; call fit(train) or TabularPredictor.load(path) first');
    }
    return this.st;
  }

  /** Whether `fit` or `load` has run. */
  get isFitted(): boolean {
    return this.st !== undefined;
  }

  /** Class values (binary: `[negative, positive]`). */
  get classes(): readonly unknown[] {
    return this.state.classes;
  }

  /** The best model's name (highest validation score). */
  get bestModel(): string {
    return this.state.best;
  }

  /** Names of the input feature columns kept by preprocessing. */
  get featureColumns(): string[] {
    return this.state.preprocess.columns.map((c) => c.name);
  }

  /** What the last fit did. */
  get fitSummary(): FitSummary {
    return this.state.summary;
  }

  /**
   * The decision threshold chosen on validation predictions by max F1 (binary problems; 0.5 for multiclass or a
   * model saved without one). `predict` still cuts at 0.5; compare `predictPositive(rows) >= decisionThreshold`.
   */
  get decisionThreshold(): number {
    return this.state.threshold ?? 0.5;
  }

  /**
   * Encodes labels to class indices.
   *
   * @param data - table with the label column
   * @returns class index per row (−1 where the label is missing or unknown)
   */
  encodeLabels(data: TabularData): Int32Array {
    const index = new Map(this.state.classes.map((c, i) => [labelKey(c), i]));
    const raw = readColumn(data, this.options.label, 'TabularPredictor');
    return Int32Array.from(raw, (v) => (isMissing(v) ? -1 : (index.get(labelKey(v)) ?? -1)));
  }

  /**
   * Fits the preprocessing, the models and the ensemble. The model fits (one task per model kind and bagging split)
   * run in worker threads (`threads`, default the machine's available parallelism) while the calling thread waits
   * without blocking its event loop; the result is the same as {@link TabularPredictor.fitSync}'s, whatever the
   * thread count or scheduling. A predictor with an injected `clock` fits in the calling thread (the workers cannot
   * read that clock).
   *
   * @param train - training rows or columns, including the label column
   * @param options - time limit, preset, bagging, excluded models, hyperparameters, threads
   * @returns this predictor
   * @throws {@link HealthDataError} (invalid-input) when the label column is missing, has one class, looks continuous, or the options are out of range
   */
  async fit(train: TabularData, options: FitOptions = {}): Promise<this> {
    const threads = options.threads ?? defaultFitThreads();
    if (!Number.isInteger(threads) || threads < 0) {
      throw new HealthDataError('invalid-input', `TabularPredictor.fit: threads = ${String(threads)} must be a non-negative integer (0 or 1 = fit in the calling thread)`, { path: 'threads' });
    }
    const plan = this.planFit(train, options);
    const results = threads >= 2 && this.options.clock === undefined ? await runPlanPooled(plan, sharedFitPool(threads), threads) : runPlanSync(plan);
    this.finishFit(plan, results);
    return this;
  }

  /**
   * Takes over the fitted state of another predictor of the same label — one fitted on the same rows with the same
   * options and seed, such as the predictor a cross-fitted evaluation fitted on every row — so that it is saved under
   * this predictor's path and metadata without fitting the same models again.
   *
   * @param fitted - the fitted predictor
   * @returns this predictor
   * @throws {@link HealthDataError} (invalid-input) when the other predictor is not fitted or has another label
   */
  adopt(fitted: TabularPredictor): this {
    if (fitted.options.label !== this.options.label) {
      throw new HealthDataError('invalid-input', `TabularPredictor.adopt: the fitted predictor's label ${fitted.options.label} is not ${this.options.label}`, { path: 'label' });
    }
    this.st = fitted.state;
    this.validation = fitted.validation;
    return this;
  }

  /**
   * The synchronous form of {@link TabularPredictor.fit} (same work and result, in the calling thread; blocks the
   * event loop while it runs).
   *
   * @param train - training rows or columns, including the label column
   * @param options - time limit, preset, bagging, excluded models, hyperparameters
   * @returns this predictor
   * @throws {@link HealthDataError} (invalid-input) when the label column is missing, has one class, or the options are out of range; (unsupported) for a continuous label
   */
  fitSync(train: TabularData, options: FitOptions = {}): this {
    const plan = this.planFit(train, options);
    this.finishFit(plan, runPlanSync(plan));
    return this;
  }

  /** Checks the label and options, preprocesses, and lays out the validation design and the model kinds to fit. */
  private planFit(train: TabularData, options: FitOptions): FitPlan {
    const clock = this.options.clock ?? performanceClock;
    const t0 = clock();
    const deadline = options.timeLimit === undefined ? Infinity : t0 + options.timeLimit * 1000;
    const label = this.options.label;
    const seed = this.options.seed ?? 0;
    const { rawLabels, present, classes, inferred } = readLabels(train, label, this.options.problemType);
    const k = classes.length;
    const evalMetric: MetricName = this.options.evalMetric ?? (k === 2 ? 'roc_auc' : 'accuracy');
    const index = new Map(classes.map((c, i) => [labelKey(c), i]));
    const rowsAll = rowCount(train);
    const labelled = present.length === rowsAll ? train : subsetTable(train, present);
    const y = Int32Array.from(present, (i) => index.get(labelKey(rawLabels[i])) ?? 0);
    const { state: pre, matrix: x } = fitPreprocessor(labelled, { exclude: [label, ...(this.options.ignoredColumns ?? [])] });

    const preset = resolvePreset(options.presets ?? 'medium');
    const hp = mergeHp(preset.hyperparameters, options.hyperparameters ?? {});
    let numBagFolds = requestedBagFolds(options);
    const numBagSets = Math.max(1, options.numBagSets ?? preset.numBagSets);
    const minClass = smallestClass(y, k);
    numBagFolds = numBagFolds >= 2 ? Math.min(numBagFolds, Math.max(2, minClass)) : 0;
    const design = validationDesign({ x, y, seed, label, index, pre, numBagFolds, numBagSets, options });
    const { validY } = design;
    const smallestValidClass = smallestClass(validY, k);
    const ensembleMinClassRows = options.ensembleMinClassRows ?? ENSEMBLE_MIN_CLASS_ROWS;
    if (!Number.isFinite(ensembleMinClassRows) || ensembleMinClassRows < 0) {
      throw new HealthDataError('invalid-input', `TabularPredictor.fit: ensembleMinClassRows = ${String(ensembleMinClassRows)} must be a non-negative number`, { path: 'ensembleMinClassRows' });
    }
    const { planned, skipped } = planKinds(options, x, numBagFolds, design.fitX.n, smallestValidClass, ensembleMinClassRows);
    const progress = (this.options.progress ?? silentProgress).start(`automl fit ${label}`, planned.length * design.splits.length);
    // Too few validation rows of a class to choose a penalty on: keep the default one (measured: choosing among the
    // grid on a 24-row holdout with 4 cases cost 0.05 CV AUROC on a linear signal).
    const tuned = smallestValidClass >= PENALTY_MIN_CLASS_ROWS ? hp : { ...hp, LR: { ...hp.LR, l2: hp.LR?.l2 ?? LINEAR_DEFAULTS.l2 } };
    return {
      clock,
      t0,
      deadline,
      label,
      seed,
      classes,
      inferred,
      k,
      evalMetric,
      rowsAll,
      rowsWithoutLabel: rowsAll - present.length,
      x,
      y,
      pre,
      hp: tuned,
      numBagFolds,
      numBagSets,
      ensembleMinClassRows,
      ...design,
      planned,
      skipped,
      progress,
    };
  }

  /** Builds the leaderboard from the fitted kinds: penalty choice, ensemble, selection, calibration, threshold. */
  private finishFit(plan: FitPlan, run: FitRun): void {
    const { clock, t0, label, seed, classes, inferred, evalMetric, x, y, pre, numBagFolds, progress } = plan;
    const input = decisionInput(plan, run);
    const start = clock();
    const dec = decideOnValidation(input);
    const ensembleMs = clock() - start;
    const models: TrainedModel[] = dec.names.map((name, j) => {
      const kind = dec.kinds[j] as ModelKind | 'ENSEMBLE';
      const common = { name, kind, scoreVal: dec.scores[j] as number, fitOrder: j + 1 };
      if (kind === 'ENSEMBLE') {
        const weights = Object.fromEntries(run.kinds.map((_, q) => [dec.names[q] as string, dec.weights?.[q] ?? 0]));
        return { ...common, members: [], fitTimeMs: ensembleMs, stackLevel: 2, weights };
      }
      const r = run.kinds[j] as KindResult;
      const choice = dec.choices[j] as number;
      return { ...common, members: r.perSplit.map((cands) => (cands[choice] as FitCandidate<Classifier>).model), fitTimeMs: r.fitTimeMs, stackLevel: 1 };
    });
    const calibration: Record<string, PlattScaling> = {};
    dec.calibration.forEach((c, j) => {
      if (c !== undefined) {
        calibration[dec.names[j] as string] = { model: dec.names[j] as string, ...c };
      }
    });
    const best = models[dec.best] as TrainedModel;
    progress.finish(`${models.length} models, best ${best.name}`);
    this.validation = input;
    this.st = {
      label,
      problemType: inferred,
      evalMetric,
      seed,
      classes,
      preprocess: pre,
      models,
      best: best.name,
      summary: {
        rows: y.length,
        rowsWithoutLabel: plan.rowsWithoutLabel,
        features: x.p,
        numBagFolds,
        skipped: [...plan.skipped, ...run.skipped],
        timeLimitReached: run.timeLimitReached,
        fitTimeMs: clock() - t0,
        selection: dec.selection,
      },
      ...(dec.threshold === undefined ? {} : { threshold: dec.threshold }),
      ...(Object.keys(calibration).length === 0 ? {} : { calibration }),
    };
  }

  /**
   * What the last `fit` decided its penalty, ensemble, selection, calibration and threshold from (every kind's
   * candidates' validation predictions, the validation classes, the bagging folds): `crossFitValidation` remakes
   * those decisions without each fold. Undefined for a loaded predictor.
   */
  get validationRecord(): DecisionInput | undefined {
    return this.validation;
  }

  /**
   * Saves the predictor (`predictor.json` + `predictor.bin`).
   *
   * @param dir - folder (default: the `path` option)
   * @returns the folder written
   * @throws {@link HealthDataError} (invalid-input) when not fitted or no folder is known
   */
  save(dir?: string): string {
    return savePredictor(this, dir);
  }

  /**
   * Loads a saved predictor.
   *
   * @param dir - the folder given to `save`
   * @param options - runtime options (progress, clock)
   * @returns the predictor
   * @throws {@link HealthDataError} (not-found) when nothing is saved there; (unsupported) for a newer format
   */
  static load(dir: string, options: Partial<PredictorOptions> = {}): TabularPredictor {
    return loadPredictor(dir, options);
  }

  /** The trained models in fit order. */
  get models(): readonly TrainedModel[] {
    return this.state.models;
  }

  private modelByName(name: string | undefined): TrainedModel {
    const want = name ?? this.state.best;
    const m = this.state.models.find((q) => q.name === want);
    if (m === undefined) {
      throw new HealthDataError('not-found', `TabularPredictor: no model named ${JSON.stringify(want)}; choose one of ${this.state.models.map((q) => q.name).join(', ')}`, {
        path: 'model',
      });
    }
    return m;
  }

  /**
   * Probabilities for an already encoded matrix (the best model's Platt-calibrated, see `state.calibration`).
   *
   * @param x - encoded rows (from {@link TabularPredictor.transform})
   * @param model - model name (default: the best)
   * @returns n × K probabilities
   */
  predictProbaMatrix(x: Matrix, model?: string): Float64Array {
    const m = this.modelByName(model);
    return this.calibrated(
      m,
      this.rawProbaMatrix(x, m, (member) => member.predictProba(x)),
      x.n,
    );
  }

  /**
   * {@link TabularPredictor.predictProbaMatrix} for rows that equal `reference.x` except in the `changed` columns (a
   * permutation of one column): members that never read those columns (a lasso's zero coefficients, trees that never
   * split on them) give their predictions on `reference.x` again, kept in `reference.byMember`, instead of predicting
   * afresh. The result is the same, number for number.
   *
   * @param x - encoded rows, as `reference.x` but in the changed columns
   * @param changed - the columns where `x` differs from `reference.x`
   * @param reference - the unchanged rows and the member predictions kept for them (filled as needed)
   * @param model - model name (default: the best)
   * @returns n × K probabilities
   */
  predictProbaMatrixChanged(x: Matrix, changed: readonly number[], reference: PredictionReference, model?: string): Float64Array {
    const m = this.modelByName(model);
    const member = (c: Classifier): Float64Array => {
      const reads = reference.reads.get(c) ?? c.columnsRead?.(x.p) ?? new Uint8Array(x.p).fill(1);
      reference.reads.set(c, reads);
      if (changed.some((j) => reads[j] === 1)) {
        return c.predictProba(x);
      }
      let kept = reference.byMember.get(c);
      if (kept === undefined) {
        kept = c.predictProba(reference.x);
        reference.byMember.set(c, kept);
      }
      return kept;
    };
    return this.calibrated(m, this.rawProbaMatrix(x, m, member), x.n);
  }

  /** Applies the model's Platt scaling, when it has one, in place. */
  private calibrated(m: TrainedModel, out: Float64Array, n: number): Float64Array {
    const cal = this.state.calibration?.[m.name];
    if (cal !== undefined) {
      for (let i = 0; i < n; i++) {
        const q = applyPlatt(cal, out[i * 2 + 1] as number);
        out[i * 2] = 1 - q;
        out[i * 2 + 1] = q;
      }
    }
    return out;
  }

  private rawProbaMatrix(x: Matrix, m: TrainedModel, predict: (member: Classifier) => Float64Array): Float64Array {
    const k = this.state.classes.length;
    if (m.kind === 'ENSEMBLE') {
      const out = new Float64Array(x.n * k);
      for (const base of this.state.models) {
        const w = m.weights?.[base.name] ?? 0;
        if (w > 0) {
          const pb = this.rawProbaMatrix(x, base, predict);
          for (let q = 0; q < out.length; q++) {
            out[q] = (out[q] as number) + w * (pb[q] as number);
          }
        }
      }
      return out;
    }
    const out = new Float64Array(x.n * k);
    for (const member of m.members) {
      const pm = predict(member);
      for (let q = 0; q < out.length; q++) {
        out[q] = (out[q] as number) + (pm[q] as number) / m.members.length;
      }
    }
    return out;
  }

  /**
   * Encodes a table with the fitted preprocessing.
   *
   * @param data - rows or columns
   * @returns the matrix the models see
   */
  transform(data: TabularData): Matrix {
    return transformTable(this.state.preprocess, data);
  }

  /**
   * Class probabilities, one row per input row, one entry per class (in `classes` order).
   *
   * @param data - rows or columns (the label column may be present; it is ignored)
   * @param options - `model`: a model name from the leaderboard (default: the best)
   * @returns an array of `{ [classValue]: probability }` objects
   * @throws {@link HealthDataError} (not-found) for an unknown model; (invalid-input) when a column table lacks a feature
   */
  predictProba(data: TabularData, options: { readonly model?: string } = {}): Record<string, number>[] {
    const k = this.state.classes.length;
    const p = this.predictProbaMatrix(this.transform(data), options.model);
    const keys = this.state.classes.map(labelKey);
    const out: Record<string, number>[] = [];
    for (let i = 0; i < p.length / k; i++) {
      const row: Record<string, number> = {};
      keys.forEach((key, c) => {
        row[key] = p[i * k + c] as number;
      });
      out.push(row);
    }
    return out;
  }

  /**
   * Probability of the positive class (binary problems).
   *
   * @param data - rows or columns
   * @param options - `model` name
   * @returns one probability per row
   * @throws {@link HealthDataError} (unsupported) for multiclass predictors
   */
  predictPositive(data: TabularData, options: { readonly model?: string } = {}): Float64Array {
    if (this.state.classes.length !== 2) {
      throw new HealthDataError('unsupported', 'TabularPredictor.predictPositive: only for binary problems; use predictProba');
    }
    const p = this.predictProbaMatrix(this.transform(data), options.model);
    return Float64Array.from({ length: p.length / 2 }, (_, i) => p[i * 2 + 1] as number);
  }

  /**
   * Predicted class values.
   *
   * @param data - rows or columns
   * @param options - `model` name
   * @returns one class value per row
   */
  predict(data: TabularData, options: { readonly model?: string } = {}): unknown[] {
    const k = this.state.classes.length;
    const p = this.predictProbaMatrix(this.transform(data), options.model);
    return Array.from(argmaxRows(p, k), (c) => this.state.classes[c]);
  }

  /**
   * Every metric with 95% bootstrap intervals (AUROC with DeLong's by default) on a labelled table.
   *
   * @param data - rows or columns with the label
   * @param options - model name and the interval options of {@link evaluateProba}
   * @returns metric name → estimate
   * @throws {@link HealthDataError} (invalid-input) when no row has a known label
   */
  evaluate(data: TabularData, options: EvaluateOptions & { readonly model?: string } = {}): Record<MetricName, MetricEstimate> {
    const { y, proba } = this.labelledPredictions(data, options.model);
    return evaluateProba(y, proba, this.state.classes.length, { seed: this.state.seed, ...options });
  }

  /**
   * Labels and probabilities of the rows with a known label.
   *
   * @param data - rows or columns with the label
   * @param model - model name
   * @returns class indices and n × K probabilities
   * @throws {@link HealthDataError} (invalid-input) when no row has a known label
   */
  labelledPredictions(data: TabularData, model?: string): { y: Int32Array; proba: Float64Array } {
    const yAll = this.encodeLabels(data);
    const keep: number[] = [];
    yAll.forEach((v, i) => {
      if (v >= 0) {
        keep.push(i);
      }
    });
    if (keep.length === 0) {
      throw new HealthDataError('invalid-input', `TabularPredictor.evaluate: no row has a known value of label ${this.options.label}; pass labelled rows`, {
        path: this.options.label,
      });
    }
    const x = takeRows(this.transform(data), keep);
    return { y: takeInt(yAll, keep), proba: this.predictProbaMatrix(x, model) };
  }

  /**
   * The leaderboard: validation score per model and, given a labelled table, the test score and prediction time.
   *
   * @param data - optional labelled test table
   * @returns rows sorted best first (by test score when given, else validation score)
   */
  leaderboard(data?: TabularData): LeaderboardRow[] {
    const st = this.state;
    const k = st.classes.length;
    const sign = higherIsBetter(st.evalMetric) ? 1 : -1;
    const clock = this.options.clock ?? performanceClock;
    let test: { y: Int32Array; x: Matrix } | undefined;
    if (data !== undefined) {
      const yAll = this.encodeLabels(data);
      const keep = [...yAll.keys()].filter((i) => (yAll[i] as number) >= 0);
      test = { y: takeInt(yAll, keep), x: takeRows(this.transform(data), keep) };
    }
    const rows: LeaderboardRow[] = st.models.map((m) => {
      const base = { model: m.name, scoreVal: m.scoreVal, evalMetric: st.evalMetric, fitTimeMs: m.fitTimeMs, stackLevel: m.stackLevel, fitOrder: m.fitOrder };
      if (test === undefined) {
        return base;
      }
      const t = clock();
      const p = this.predictProbaMatrix(test.x, m.name);
      const predTimeTestMs = clock() - t;
      return { ...base, scoreTest: metricValue(st.evalMetric, test.y, p, k), predTimeTestMs };
    });
    return rows.sort((a, b) => sign * ((b.scoreTest ?? b.scoreVal) - (a.scoreTest ?? a.scoreVal)) || a.fitOrder - b.fitOrder);
  }
}

/**
 * The folds the selection rule cross-fits the ensemble on: the first bagging set's folds (each validation row is
 * out-of-fold in exactly one), or stratified folds of the holdout / tuning rows; undefined when a class has fewer
 * than two validation rows.
 */
function validationGroups(plan: FitPlan): { of: Int32Array; count: number } | undefined {
  const { validY, k } = plan;
  if (plan.numBagFolds >= 2) {
    const of = new Int32Array(validY.length).fill(-1);
    plan.splits
      .filter((sp) => sp.set === 0)
      .forEach((sp, f) => {
        for (const row of sp.valid) {
          of[row] = f;
        }
      });
    return { of, count: plan.numBagFolds };
  }
  const smallest = smallestClass(validY, k);
  if (smallest < 2) {
    return undefined;
  }
  const count = Math.min(5, smallest);
  return { of: stratifiedFolds(validY, count, deriveSeed(plan.seed, 37)), count };
}

/**
 * The logistic regression's penalty is chosen on the validation rows only when each class has at least this many of
 * them (the bag's out-of-fold rows or the holdout); otherwise the default penalty (`l2` = 0.01) is used.
 */
export const PENALTY_MIN_CLASS_ROWS = 20;

/**
 * The weighted ensemble can replace the logistic baseline only with at least this many validation rows in every
 * class; below it the other model kinds are not fitted at all (they could not be selected). Why 50: with a few dozen
 * cases the paired standard error of an AUROC difference is several hundredths, so a lead of two of them is rare and,
 * when it happens, mostly noise — on the default cohort's 193-patient guidance comparisons (28–50 cases per inner
 * validation set) the ensemble, chosen in single folds, ended 0.015 CV AUROC below the baseline (src/automl/README.md).
 * These fits were ~70 of the ~180 per outcome of `train-models` and most of its tree fitting.
 */
export const ENSEMBLE_MIN_CLASS_ROWS = 50;

/** Everything `fit` decided before fitting models (see `planFit`). */
interface FitPlan {
  readonly clock: Clock;
  readonly t0: number;
  readonly deadline: number;
  readonly label: string;
  readonly seed: number;
  readonly classes: unknown[];
  readonly inferred: ProblemType;
  readonly k: number;
  readonly evalMetric: MetricName;
  readonly rowsAll: number;
  readonly rowsWithoutLabel: number;
  readonly x: Matrix;
  readonly y: Int32Array;
  readonly pre: PreprocessState;
  readonly hp: Hyperparameters;
  readonly numBagFolds: number;
  readonly numBagSets: number;
  readonly ensembleMinClassRows: number;
  readonly splits: readonly Split[];
  readonly validX: Matrix;
  readonly validY: Int32Array;
  readonly fitX: Matrix;
  readonly fitY: Int32Array;
  readonly planned: readonly { readonly kind: ModelKind; readonly ki: number }[];
  readonly skipped: readonly { readonly kind: ModelKind; readonly reason: string }[];
  readonly progress: ProgressTask;
}

/** One bagging split (training and out-of-fold rows), or the single holdout/tuning design (empty `valid`). */
interface Split {
  readonly train: Int32Array;
  readonly valid: Int32Array;
  readonly set: number;
}

/** One model kind's fitted candidates per split (the logistic regression has one per penalty, the others one). */
interface KindResult {
  readonly kind: ModelKind;
  readonly perSplit: readonly (readonly FitCandidate<Classifier>[])[];
  readonly fitTimeMs: number;
}

/** The fitted kinds, and the kinds the time limit cut. */
interface FitRun {
  readonly kinds: readonly KindResult[];
  readonly skipped: readonly { readonly kind: ModelKind; readonly reason: string }[];
  readonly timeLimitReached: boolean;
}

/** The task of one kind on one split: its training rows, and the rows it predicts for validation. */
function taskFor(plan: FitPlan, kind: ModelKind, ki: number, si: number): FitTask {
  const sp = plan.splits[si] as Split;
  const seed = deriveSeed(plan.seed, 101, ki, si);
  const base = { kind, nClasses: plan.k, seed, hp: plan.hp };
  if (plan.numBagFolds >= 2) {
    return { ...base, x: takeRows(plan.x, sp.train), y: takeInt(plan.y, sp.train), valid: takeRows(plan.x, sp.valid) };
  }
  return { ...base, x: plan.fitX, y: plan.fitY, valid: plan.validX };
}

/**
 * Fits every planned kind in the calling thread, kind after kind, honouring the time limit as read from the
 * predictor's clock: a kind that would start after the budget is skipped, a bag cut short is dropped, the first
 * kind is always kept.
 */
function runPlanSync(plan: FitPlan): FitRun {
  const { clock, deadline, splits, progress } = plan;
  const shouldStop = (): boolean => clock() >= deadline;
  const kinds: KindResult[] = [];
  const skipped: { kind: ModelKind; reason: string }[] = [];
  let timeLimitReached = false;
  for (const { kind, ki } of plan.planned) {
    if (kinds.length > 0 && shouldStop()) {
      timeLimitReached = true;
      skipped.push({ kind, reason: 'time limit' });
      progress.tick(splits.length);
      continue;
    }
    const start = clock();
    const perSplit: FitCandidate<Classifier>[][] = [];
    let abandoned = false;
    for (let si = 0; si < splits.length; si++) {
      if (kinds.length > 0 && shouldStop()) {
        abandoned = true;
        break;
      }
      perSplit.push(runFitTask(taskFor(plan, kind, ki, si), shouldStop));
      progress.tick();
    }
    if (abandoned) {
      timeLimitReached = true;
      skipped.push({ kind, reason: 'time limit (during bagging)' });
      continue;
    }
    kinds.push({ kind, perSplit, fitTimeMs: clock() - start });
  }
  return { kinds, skipped, timeLimitReached };
}

/**
 * Fits every planned kind in the worker pool, at most `threads + 1` tasks queued at a time (each task carries its
 * rows). The time limit becomes a wall-clock deadline the workers check; the first kind always runs. Results are
 * placed by (kind, split), so the outcome does not depend on which worker finished first.
 */
async function runPlanPooled(plan: FitPlan, pool: FitWorkerPool, threads: number): Promise<FitRun> {
  const { splits, progress } = plan;
  const deadline = Number.isFinite(plan.deadline) ? performance.timeOrigin + plan.deadline : undefined;
  const jobs = plan.planned.flatMap(({ kind, ki }, pi) => splits.map((_, si) => ({ kind, ki, pi, si })));
  const out: (PooledResult | undefined)[] = jobs.map(() => undefined);
  const ms = new Float64Array(plan.planned.length);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < jobs.length) {
      const j = next++;
      const job = jobs[j] as (typeof jobs)[number];
      const t = performance.now();
      out[j] = await pool.run(taskFor(plan, job.kind, job.ki, job.si), deadline, job.pi === 0);
      ms[job.pi] = (ms[job.pi] as number) + performance.now() - t;
      progress.tick();
    }
  };
  await Promise.all(Array.from({ length: Math.min(jobs.length, threads + 1) }, worker));
  const kinds: KindResult[] = [];
  const skipped: { kind: ModelKind; reason: string }[] = [];
  let timeLimitReached = false;
  plan.planned.forEach(({ kind }, pi) => {
    const mine = out.slice(pi * splits.length, (pi + 1) * splits.length);
    const done = mine.filter((r): r is { readonly candidates: readonly FitCandidate<ModelState>[] } => r !== undefined && 'candidates' in r);
    if (done.length < mine.length) {
      timeLimitReached = true;
      skipped.push({ kind, reason: done.length === 0 ? 'time limit' : 'time limit (during bagging)' });
      return;
    }
    const perSplit = done.map((r) => r.candidates.map((c) => ({ model: loadModel(c.model), proba: c.proba })));
    kinds.push({ kind, perSplit, fitTimeMs: ms[pi] as number });
  });
  return { kinds, skipped, timeLimitReached };
}

/**
 * A kind's validation predictions per candidate: out-of-fold rows averaged over bag sets, or the holdout.
 */
function pooledCandidates(plan: FitPlan, r: KindResult): Float64Array[] {
  const { k, validY, splits, numBagFolds, numBagSets } = plan;
  const nCand = r.perSplit[0]?.length ?? 0;
  return Array.from({ length: nCand }, (_, c) => {
    const oof = new Float64Array(validY.length * k);
    r.perSplit.forEach((cands, si) => {
      const pv = (cands[c] as FitCandidate<Classifier>).proba;
      if (numBagFolds >= 2) {
        (splits[si] as Split).valid.forEach((row, q) => {
          for (let j = 0; j < k; j++) {
            oof[row * k + j] = (oof[row * k + j] as number) + (pv[q * k + j] as number) / numBagSets;
          }
        });
      } else {
        oof.set(pv);
      }
    });
    return oof;
  });
}

/** What the fit decides from ({@link decideOnValidation}): every fitted kind's pooled candidates and the validation design. */
function decisionInput(plan: FitPlan, run: FitRun): DecisionInput {
  const kinds: KindValidation[] = run.kinds.map((r) => {
    const name = plan.numBagFolds >= 2 ? `${MODEL_NAMES[r.kind]}_BAG_L1` : MODEL_NAMES[r.kind];
    const candidates = pooledCandidates(plan, r);
    if (r.kind !== 'LR') {
      return { kind: r.kind, name, candidates, fallback: 0 };
    }
    const penalties = linearCandidates(plan.hp).map((g) => {
      const c = { ...LINEAR_DEFAULTS, ...g };
      return { l1: c.l1, l2: c.l2, l1Fraction: c.l1Fraction };
    });
    const fallback = penalties.findIndex((q) => q.l1 === LINEAR_DEFAULTS.l1 && q.l2 === LINEAR_DEFAULTS.l2 && q.l1Fraction === LINEAR_DEFAULTS.l1Fraction);
    return { kind: r.kind, name, candidates, penalties, fallback: Math.max(0, fallback) };
  });
  return {
    kinds,
    validY: plan.validY,
    k: plan.k,
    metric: plan.evalMetric,
    seed: plan.seed,
    groups: validationGroups(plan),
    minClassRows: plan.ensembleMinClassRows,
    minChoiceRows: PENALTY_MIN_CLASS_ROWS,
    rounds: ENSEMBLE_ROUNDS,
    ensembleName: ENSEMBLE_NAME,
  };
}

/** Caruana rounds of the weighted ensemble. */
const ENSEMBLE_ROUNDS = 25;

/**
 * The labelled rows, their sorted classes and the problem type.
 *
 * @throws {@link HealthDataError} (invalid-input) for fewer than two classes or a problem type that does not fit; (unsupported) for a label that looks continuous
 */
function readLabels(train: TabularData, label: string, problemType: ProblemType | undefined): { rawLabels: unknown[]; present: number[]; classes: unknown[]; inferred: ProblemType } {
  const rawLabels = readColumn(train, label, 'TabularPredictor.fit');
  const present: number[] = [];
  rawLabels.forEach((v, i) => {
    if (!isMissing(v)) {
      present.push(i);
    }
  });
  const distinct = new Map<string, unknown>();
  for (const i of present) {
    distinct.set(labelKey(rawLabels[i]), rawLabels[i]);
  }
  const classes = sortClasses([...distinct.values()]);
  if (classes.length < 2) {
    throw new HealthDataError(
      'invalid-input',
      `TabularPredictor.fit: label ${label} has ${classes.length} distinct value(s) among ${present.length} labelled rows; a classifier needs at least two classes`,
      {
        path: label,
      },
    );
  }
  const inferred: ProblemType = classes.length === 2 ? 'binary' : 'multiclass';
  if (problemType !== undefined && problemType !== inferred) {
    throw new HealthDataError('invalid-input', `TabularPredictor.fit: problemType ${problemType} does not fit label ${label} with ${classes.length} classes; use ${inferred}`, {
      path: 'problemType',
    });
  }
  if (inferred === 'multiclass' && classes.every((c) => typeof c === 'number') && classes.length > Math.max(20, present.length / 5)) {
    throw new HealthDataError(
      'unsupported',
      `TabularPredictor.fit: label ${label} has ${classes.length} distinct numbers and looks continuous; regression is not supported by the local model zoo (use the SageMaker backend or bin the label)`,
      {
        path: label,
      },
    );
  }
  return { rawLabels: [...rawLabels], present, classes, inferred };
}

/** The validation design of a fit: bagging splits (out-of-fold predictions for every row) or one holdout / tuning set. */
function validationDesign(d: {
  readonly x: Matrix;
  readonly y: Int32Array;
  readonly seed: number;
  readonly label: string;
  readonly index: ReadonlyMap<string, number>;
  readonly pre: PreprocessState;
  readonly numBagFolds: number;
  readonly numBagSets: number;
  readonly options: FitOptions;
}): { splits: Split[]; validX: Matrix; validY: Int32Array; fitX: Matrix; fitY: Int32Array } {
  const { x, y, seed, options } = d;
  const splits: Split[] = [];
  if (d.numBagFolds >= 2) {
    for (let s = 0; s < d.numBagSets; s++) {
      const folds = stratifiedFolds(y, d.numBagFolds, deriveSeed(seed, 17, s));
      for (let f = 0; f < d.numBagFolds; f++) {
        const tr: number[] = [];
        const va: number[] = [];
        folds.forEach((fi, i) => (fi === f ? va : tr).push(i));
        splits.push({ train: Int32Array.from(tr), valid: Int32Array.from(va), set: s });
      }
    }
    return { splits, validX: x, validY: y, fitX: x, fitY: y };
  }
  if (options.tuningData !== undefined) {
    const tuneLabels = readColumn(options.tuningData, d.label, 'TabularPredictor.fit(tuningData)');
    const keep: number[] = [];
    tuneLabels.forEach((v, i) => {
      if (!isMissing(v) && d.index.has(labelKey(v))) {
        keep.push(i);
      }
    });
    const tune = subsetTable(options.tuningData, keep);
    splits.push({ train: Int32Array.from(y.keys()), valid: new Int32Array(0), set: 0 });
    return { splits, validX: transformTable(d.pre, tune), validY: Int32Array.from(keep, (i) => d.index.get(labelKey(tuneLabels[i])) ?? 0), fitX: x, fitY: y };
  }
  const frac = options.holdoutFrac ?? defaultHoldoutFrac(y.length);
  const { train: tr, holdout } = stratifiedHoldout(y, frac, deriveSeed(seed, 23));
  const fitY = takeInt(y, tr);
  splits.push({ train: Int32Array.from(fitY.keys()), valid: new Int32Array(0), set: 0 });
  return { splits, validX: takeRows(x, holdout), validY: takeInt(y, holdout), fitX: takeRows(x, tr), fitY };
}

/**
 * The model kinds to fit, in order, and those left out with the reason: excluded ones are not listed; kNN is skipped
 * on large tables (brute-force prediction) unless its hyperparameters are given; with fewer than
 * {@link ENSEMBLE_MIN_CLASS_ROWS} validation rows in a class nothing but the logistic baseline can be selected
 * (`selectBest`), so the other kinds are not fitted.
 *
 * @throws {@link HealthDataError} (invalid-input) when the exclusions leave no model
 */
function planKinds(
  options: FitOptions,
  x: Matrix,
  numBagFolds: number,
  fitRows: number,
  smallestValidClass: number,
  ensembleMinClassRows: number,
): { planned: { kind: ModelKind; ki: number }[]; skipped: { kind: ModelKind; reason: string }[] } {
  const excluded = new Set(options.excludedModelTypes ?? []);
  const kinds = MODEL_KINDS.filter((m) => !excluded.has(m));
  if (kinds.length === 0) {
    throw new HealthDataError(
      'invalid-input',
      `TabularPredictor.fit: excludedModelTypes ${JSON.stringify(options.excludedModelTypes)} leaves no model; keep at least one of ${MODEL_KINDS.join(', ')}`,
      {
        path: 'excludedModelTypes',
      },
    );
  }
  const trainRows = numBagFolds >= 2 ? (x.n * (numBagFolds - 1)) / numBagFolds : fitRows;
  const skipped: { kind: ModelKind; reason: string }[] = [];
  let planned: { kind: ModelKind; ki: number }[] = [];
  kinds.forEach((kind, ki) => {
    if (kind === 'KNN' && options.hyperparameters?.KNN === undefined && trainRows * x.n * x.p > KNN_MAX_WORK) {
      skipped.push({ kind, reason: `table too large for brute-force kNN (${x.n} rows × ${x.p} features); pass hyperparameters.KNN to force it` });
    } else {
      planned.push({ kind, ki });
    }
  });
  if (smallestValidClass < ensembleMinClassRows && planned.some((q) => q.kind === 'LR')) {
    for (const q of planned.filter((m) => m.kind !== 'LR')) {
      skipped.push({
        kind: q.kind,
        reason: `cannot be selected: fewer than ${String(ensembleMinClassRows)} validation rows in a class (${String(smallestValidClass)}), so the logistic baseline is kept`,
      });
    }
    planned = planned.filter((m) => m.kind === 'LR');
  }
  return { planned, skipped };
}

function mergeHp(a: Hyperparameters, b: Hyperparameters): Hyperparameters {
  return {
    GBM: { ...a.GBM, ...b.GBM },
    RF: { ...a.RF, ...b.RF },
    XT: { ...a.XT, ...b.XT },
    LR: { ...a.LR, ...b.LR },
    KNN: { ...a.KNN, ...b.KNN },
  };
}

/**
 * Rows of a table, in the given order, as row objects or columns (matching the input shape).
 *
 * @param data - rows or columns
 * @param rows - row indices
 * @returns the subset
 */
export function subsetTable(data: TabularData, rows: readonly number[] | Int32Array): TabularData {
  if (Array.isArray(data)) {
    const arr = data as readonly Readonly<Record<string, unknown>>[];
    return Array.from(rows, (i) => arr[i] as Readonly<Record<string, unknown>>);
  }
  const out: Record<string, unknown[]> = {};
  for (const [name, col] of Object.entries(data as Readonly<Record<string, ArrayLike<unknown>>>)) {
    out[name] = Array.from(rows, (i) => col[i]);
  }
  return out;
}
