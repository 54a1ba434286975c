/**
 * One cell of the train-test experiment (notebook 09): an outcome × a modality set, evaluated by stratified
 * cross-validation of the whole AutoML fit on the patients that have every modality of the set. Cohorts too small
 * for the asked folds get fewer folds, or are skipped with a note, instead of failing.
 */
import { PIPELINE_PRESET } from './presets';
import { HealthDataError } from '../errors';
import type { ProgressReporter } from '../progress';
import type { CrossValidationResult } from './evaluation';
import { crossValidate } from './evaluation';
import type { PairedAurocDifference } from './delong';
import { binaryFoldScores, pairedDelong, pairedWithinFoldDelong } from './delong';
import type { MetricEstimate } from './metrics';
import type { FitOptions, TabularPredictor } from './predictor';
import { requestedBagFolds } from './predictor';
import { defaultFitThreads } from './fit-pool';
import { mapInOrder } from '../util/in-order';

/** What the experiment needs of a training set (a `ws.features.buildDataset` result fits). */
export interface ExperimentDataset {
  /** One row per patient: the base columns (id, event time, label) and the joined features. */
  readonly rows: readonly Readonly<Record<string, unknown>>[];
  /** Output column → `group.feature` (as `buildDataset` reports it). */
  readonly featureSources: Readonly<Record<string, string>>;
}

/** Options of {@link runModalityExperiment}. */
export interface ModalityExperimentOptions {
  /** Outcome name (shown in the row). */
  readonly outcome: string;
  /** Modality set name (shown in the row), e.g. `clinical+genomic`. */
  readonly modalities: string;
  /** Feature groups of the set; a patient is used only when every one of them has a record for it. */
  readonly groups: readonly string[];
  /** Label column (default `label`, 0/1). */
  readonly label?: string;
  /** Wanted folds (default 5); fewer when a class has fewer rows. */
  readonly folds?: number;
  /** Repeats (default 1). */
  readonly repeats?: number;
  /** Fit options per fold (default `{ presets: PIPELINE_PRESET }`, i.e. `medium`). */
  readonly fit?: FitOptions;
  /** Seed (default 0). */
  readonly seed?: number;
  /** Progress reporter. */
  readonly progress?: ProgressReporter;
  /** Only these patients (`patient_id`), e.g. the patients of a paired comparison. Default: every patient with the set's groups. */
  readonly patients?: ReadonlySet<string>;
  /** Study design (shown in the row). */
  readonly design?: string;
  /** The comparison the row belongs to (shown in the row), e.g. `all three` or `full cohort`. */
  readonly comparison?: string;
  /**
   * How the fit is evaluated (`crossValidate`'s `method`): default `cross-fitted` when the fit bags (the default
   * `medium` preset), `nested` for a holdout fit (`fast`).
   */
  readonly evaluation?: 'nested' | 'cross-fitted';
  /** Keep the cross-fitted predictor fitted on every row (`cv.predictor`), which {@link fitSelectedModel} then saves as is. */
  readonly keepPredictor?: boolean;
}

/** One row of the results table. */
export interface ModalityExperimentRow {
  /** Outcome. */
  readonly outcome: string;
  /** Modality set. */
  readonly modalities: string;
  /** Patients used. */
  readonly patients: number;
  /** Positive cases among them. */
  readonly cases: number;
  /** Folds used (0 = skipped). */
  readonly folds: number;
  /** Accuracy (null when skipped, as are the other metrics). */
  readonly accuracy: number | null;
  /** Precision. */
  readonly precision: number | null;
  /** Recall. */
  readonly recall: number | null;
  /** F1. */
  readonly f1: number | null;
  /** AUROC. */
  readonly auroc: number | null;
  /** AUROC 95% interval as text, e.g. `[0.71, 0.93]`. */
  readonly aurocCi: string;
  /** Why a row was skipped or its folds reduced ('' when neither). */
  readonly note: string;
  /** Study design (`prognostic`, `landmark`, `guidance`), when given. */
  readonly design?: string;
  /** The comparison: the largest set whose patients every set of it shares, or `full cohort`. */
  readonly comparison?: string;
  /** AUROC interval bounds (null when skipped). */
  readonly aurocLower?: number | null;
  /** Upper bound. */
  readonly aurocUpper?: number | null;
  /**
   * CV AUROC of the logistic-regression baseline inside the same fold fits (same folds, same training rows), for the
   * "never below the baseline" check; absent when skipped or when the fit had no logistic model.
   */
  readonly baselineAuroc?: number;
}

/** Result of {@link runModalityExperiment}. */
export interface ModalityExperimentResult {
  /** The table row. */
  readonly row: ModalityExperimentRow;
  /** The rows used (features of the set plus the label), for a final fit or importance. */
  readonly data: Record<string, unknown>[];
  /** The feature columns of the set. */
  readonly features: readonly string[];
  /** Patient ids of the used rows (the `patient_id` column; the row number when there is none), in `data` order. */
  readonly patientIds: readonly string[];
  /** 0/1 labels of the used rows (empty when skipped). */
  readonly y: readonly number[];
  /** Out-of-fold positive-class probabilities (empty when skipped). */
  readonly score: readonly number[];
  /** AUROC with its interval (undefined when skipped). */
  readonly aurocEstimate?: MetricEstimate;
  /** The full cross-validation result (undefined when skipped). */
  readonly cv?: CrossValidationResult;
}

/**
 * Folds for stratified cross-validation given the class sizes: the wanted number, reduced to the smaller class.
 *
 * @param cases - rows of the positive class
 * @param controls - rows of the negative class
 * @param wanted - folds asked for
 * @returns folds to use, or 0 when a class has fewer than two rows (no sound evaluation possible)
 */
export function experimentFolds(cases: number, controls: number, wanted: number): number {
  const k = Math.min(wanted, cases, controls);
  return k >= 2 ? k : 0;
}

/** Identifier-like feature names (`study_instance_uid`, `image_set_id`, …): never features, whatever the row count. */
const IDENTIFIER_LIKE = /(^|_)(id|uid|uuid)$/i;

/**
 * Restricts a training set to one modality set: the columns coming from its groups, and the patients with a record
 * in every one of those groups (a record = at least one non-missing feature of the group).
 *
 * @param ds - the training set (all groups joined with a left join)
 * @param groups - the feature groups of the set
 * @param label - the label column
 * @param patients - only these patient ids (default all)
 * @returns the rows (features + label) and the feature column names (identifier-like columns left out)
 * @throws {@link HealthDataError} (invalid-input) when a group contributes no column
 */
export function modalityTable(ds: ExperimentDataset, groups: readonly string[], label: string, patients?: ReadonlySet<string>): { rows: Record<string, unknown>[]; features: string[]; ids: string[] } {
  const byGroup = new Map<string, string[]>(groups.map((g) => [g, []]));
  for (const [column, source] of Object.entries(ds.featureSources)) {
    const group = groups.find((g) => source.startsWith(`${g}.`));
    // A group's own copy of the label (e.g. `clinical-stroke.label`) is the answer, never a feature.
    if (group !== undefined && column !== label && source !== `${group}.${label}` && !IDENTIFIER_LIKE.test(source.slice(group.length + 1))) {
      byGroup.get(group)?.push(column);
    }
  }
  for (const [g, cols] of byGroup) {
    if (cols.length === 0) {
      throw new HealthDataError('invalid-input', `modalityTable: feature group "${g}" contributes no column to the training set; check the group name against featureSources`, { path: g });
    }
  }
  const features = [...byGroup.values()].flat();
  const present = (row: Readonly<Record<string, unknown>>, cols: readonly string[]): boolean => cols.some((c) => row[c] !== null && row[c] !== undefined);
  const kept = ds.rows.filter(
    (r) => r[label] !== null && r[label] !== undefined && [...byGroup.values()].every((cols) => present(r, cols)) && (patients === undefined || patients.has(String(r.patient_id))),
  );
  const rows = kept.map((r) => Object.fromEntries([...features.map((c) => [c, r[c]] as const), [label, r[label]] as const]));
  const ids = kept.map((r, i) => (typeof r.patient_id === 'string' ? r.patient_id : String(i)));
  return { rows, features, ids };
}

const round3 = (v: number): number => Math.round(v * 1000) / 1000;

/**
 * Cross-validates the AutoML fit for one outcome × modality set and returns a table row with accuracy, precision,
 * recall, F1 and AUROC with its 95% interval. Too few cases for the asked folds → fewer folds (noted); fewer than
 * two rows in a class, or a fit that fails on a tiny fold → a skipped row (noted), never an exception.
 *
 * @param ds - the training set (e.g. `ws.features.buildDataset` with `joinType: 'left'`)
 * @param options - outcome, set name, groups, folds, repeats, fit options
 * @returns the row, the rows used and the out-of-fold scores
 * @throws {@link HealthDataError} (invalid-input) when a group contributes no column
 */
export async function runModalityExperiment(ds: ExperimentDataset, options: ModalityExperimentOptions): Promise<ModalityExperimentResult> {
  const label = options.label ?? 'label';
  const { rows, features, ids } = modalityTable(ds, options.groups, label, options.patients);
  const cases = rows.filter((r) => Number(r[label]) === 1).length;
  const controls = rows.length - cases;
  const wanted = options.folds ?? 5;
  const folds = experimentFolds(cases, controls, wanted);
  const base = {
    outcome: options.outcome,
    modalities: options.modalities,
    patients: rows.length,
    cases,
    folds,
    ...(options.design === undefined ? {} : { design: options.design }),
    ...(options.comparison === undefined ? {} : { comparison: options.comparison }),
  };
  const skipped = (note: string): ModalityExperimentResult => ({
    row: { ...base, folds: 0, accuracy: null, precision: null, recall: null, f1: null, auroc: null, aurocCi: '', aurocLower: null, aurocUpper: null, note },
    data: rows,
    features,
    patientIds: ids,
    y: [],
    score: [],
  });
  if (folds === 0) {
    return skipped(`skipped: ${String(cases)} case(s), ${String(controls)} control(s) — need at least 2 of each`);
  }
  // With a handful of cases a validation split can hold one class only, where AUROC is undefined: select models
  // on log loss there, which is always defined.
  const small = Math.min(cases, controls) < 10;
  let cv: CrossValidationResult;
  const fit = options.fit ?? { presets: PIPELINE_PRESET };
  try {
    cv = await crossValidate(rows, {
      predictor: { label, seed: options.seed ?? 0, ...(small ? { evalMetric: 'log_loss' as const } : {}) },
      fit,
      method: options.evaluation ?? defaultEvaluation(fit),
      ...(options.keepPredictor === true ? { keepPredictor: true } : {}),
      folds,
      repeats: options.repeats ?? 1,
      ...(options.progress === undefined ? {} : { progress: options.progress }),
    });
  } catch (err) {
    // A fold too small for the fit is reported on its row rather than stopping the whole table.
    return skipped(`skipped: the fit failed on a fold (${err instanceof Error ? err.message : String(err)})`);
  }
  const pos = cv.classes.findIndex((c) => Number(c) === 1);
  const k = cv.classes.length;
  const y = Array.from(cv.y, (c) => (c === pos ? 1 : 0));
  const score = y.map((_, i) => cv.proba[i * k + pos] ?? Number.NaN);
  const m = cv.metrics;
  const notes = [...(folds < wanted ? [`${String(folds)} folds (only ${String(Math.min(cases, controls))} in the smaller class)`] : []), ...(small ? ['models selected on log loss'] : [])];
  return {
    row: {
      ...base,
      accuracy: round3(m.accuracy.value),
      precision: round3(m.precision.value),
      recall: round3(m.recall.value),
      f1: round3(m.f1.value),
      auroc: round3(m.roc_auc.value),
      aurocCi: `[${m.roc_auc.lower.toFixed(2)}, ${m.roc_auc.upper.toFixed(2)}]`,
      aurocLower: round3(m.roc_auc.lower),
      aurocUpper: round3(m.roc_auc.upper),
      ...(cv.baseline === undefined ? {} : { baselineAuroc: round3(cv.baseline.metrics.roc_auc.value) }),
      note: notes.join('; '),
    },
    data: rows,
    features,
    patientIds: ids,
    y,
    score,
    aurocEstimate: m.roc_auc,
    cv,
  };
}

/**
 * The evaluation a fit gets by default: `cross-fitted` when it bags (its out-of-fold predictions make the outer fits
 * of nested cross-validation unnecessary), `nested` for a holdout fit.
 *
 * @param fit - the fit options
 * @returns the method
 */
export function defaultEvaluation(fit: FitOptions): 'nested' | 'cross-fitted' {
  return requestedBagFolds(fit) >= 2 ? 'cross-fitted' : 'nested';
}

/** One modality set of the experiment: a display name and its feature groups. */
export interface ModalitySet {
  /** Name, e.g. `clinical+genomic` or `all three`. */
  readonly name: string;
  /** Feature groups. */
  readonly groups: readonly string[];
}

/**
 * The seven modality sets of notebook 09 for an outcome: each modality alone, each pair, and all three.
 *
 * @param outcome - outcome name (the clinical group is `clinical-<outcome>`)
 * @param groups - group names of the genomic and imaging modalities (defaults: `genomic`, `imaging-features`)
 * @returns the sets, singles first, then pairs, then all three
 * @example
 * ```ts
 * modalitySets('stroke').map((s) => s.name); // clinical, genomic, imaging, clinical+genomic, clinical+imaging, genomic+imaging, all three
 * ```
 */
export function modalitySets(outcome: string, groups: { readonly genomic?: string; readonly imaging?: string } = {}): ModalitySet[] {
  const m: [string, string][] = [
    ['clinical', `clinical-${outcome}`],
    ['genomic', groups.genomic ?? 'genomic'],
    ['imaging', groups.imaging ?? 'imaging-features'],
  ];
  const sets: ModalitySet[] = m.map(([name, g]) => ({ name, groups: [g] }));
  for (let i = 0; i < m.length; i++) {
    for (let j = i + 1; j < m.length; j++) {
      const [a, ga] = m[i] as [string, string];
      const [b, gb] = m[j] as [string, string];
      sets.push({ name: `${a}+${b}`, groups: [ga, gb] });
    }
  }
  sets.push({ name: 'all three', groups: m.map(([, g]) => g) });
  return sets;
}

/**
 * The best evaluated modality set among an outcome's results: highest cross-validated AUROC, then more patients
 * (a narrower interval), then fewer groups (a simpler model to deploy).
 *
 * @param results - experiment results (any outcomes; only evaluated rows count)
 * @param outcome - the outcome
 * @returns the best result, or undefined when no set of the outcome could be evaluated
 */
export function bestModalityResult(results: readonly ModalityExperimentResult[], outcome: string): ModalityExperimentResult | undefined {
  let best: ModalityExperimentResult | undefined;
  const groupsOf = (r: ModalityExperimentResult): number => r.row.modalities.split('+').length + (r.row.modalities === 'all three' ? 2 : 0);
  for (const r of results) {
    if (r.row.outcome !== outcome || r.row.auroc === null) {
      continue;
    }
    const b = best?.row;
    if (
      b === undefined ||
      r.row.auroc > (b.auroc ?? -Infinity) ||
      (r.row.auroc === b.auroc && (r.row.patients > b.patients || (r.row.patients === b.patients && groupsOf(r) < groupsOf(best as ModalityExperimentResult))))
    ) {
      best = r;
    }
  }
  return best;
}

/** What {@link fitBestModel} saved. */
export interface SavedBestModel {
  /** Model name (the outcome). */
  readonly name: string;
  /** Modality set. */
  readonly modalities: string;
  /** Patients it was fitted on. */
  readonly patients: number;
  /** Cross-validated AUROC of the set (from the experiment). */
  readonly cvAuroc: number | null;
  /** Its 95% interval as text. */
  readonly cvAurocCi: string;
  /** The predictor's best model (e.g. `WeightedEnsemble_L2`). */
  readonly bestModel: string;
  /** Input columns a request must carry. */
  readonly inputs: number;
  /** Folder written. */
  readonly path: string;
}

/** The part of the workspace automl handle {@link fitBestModel} uses. */
export interface PredictorFactory {
  /** Creates a predictor saving under the workspace's models folder. */
  createPredictor(options: { readonly label: string; readonly name?: string; readonly evalMetric?: 'roc_auc' | 'log_loss'; readonly metadata?: Readonly<Record<string, unknown>> }): {
    fit(train: readonly Readonly<Record<string, unknown>>[], options: FitOptions): Promise<unknown>;
    /** Takes over an equivalent fitted predictor's state (see `TabularPredictor.adopt`). */
    adopt?(fitted: TabularPredictor): unknown;
    /** Constructor options (the seed decides whether an evaluation's predictor is this fit). */
    readonly options?: { readonly seed?: number };
    save(): string;
    readonly bestModel: string;
    readonly featureColumns: string[];
  };
}

/**
 * Fits the outcome's best modality set on all its patients and saves it as model `<outcome>`, with the experiment's
 * numbers as metadata (what the model server shows under `GET /models/<name>`).
 *
 * @param automl - the workspace's `ws.automl` handle
 * @param results - experiment results
 * @param outcome - the outcome (also the model name)
 * @param fit - fit options (default `{ presets: PIPELINE_PRESET }`, as in the experiment)
 * @returns what was saved, or undefined when no set of the outcome could be evaluated
 */
export async function fitBestModel(
  automl: PredictorFactory,
  results: readonly ModalityExperimentResult[],
  outcome: string,
  fit: FitOptions = { presets: PIPELINE_PRESET },
): Promise<SavedBestModel | undefined> {
  const best = bestModalityResult(results, outcome);
  return best === undefined ? undefined : fitSelectedModel(automl, best, outcome, fit);
}

/**
 * Fits one evaluated modality set on all its patients and saves it as model `name`, with the experiment's numbers
 * (and any extra metadata, e.g. the selection rule and warnings) as metadata.
 *
 * @param automl - the workspace's `ws.automl` handle
 * @param chosen - the evaluated set to fit
 * @param name - model name (the outcome)
 * @param fit - fit options
 * @param extra - more metadata
 * @returns what was saved
 */
export async function fitSelectedModel(
  automl: PredictorFactory,
  chosen: ModalityExperimentResult,
  name: string,
  fit: FitOptions = { presets: PIPELINE_PRESET },
  extra: Readonly<Record<string, unknown>> = {},
): Promise<SavedBestModel> {
  const label = 'label';
  const cases = chosen.data.filter((r) => Number(r[label]) === 1).length;
  const row = chosen.row;
  const predictor = automl.createPredictor({
    label,
    name,
    // As in the experiment: with few cases a validation split may miss a class, where AUROC is undefined.
    ...(Math.min(cases, chosen.data.length - cases) < 10 ? { evalMetric: 'log_loss' as const } : {}),
    metadata: { outcome: row.outcome, modalities: row.modalities, patients: row.patients, cases: row.cases, cvAuroc: row.auroc, cvAurocCi: row.aurocCi, cvFolds: row.folds, ...extra },
  });
  // The cross-fitted evaluation's predictor is this very fit (same rows, options and seed): saved as is.
  const fitted = chosen.cv?.predictor;
  if (fitted !== undefined && predictor.adopt !== undefined && fitted.state.seed === (predictor.options?.seed ?? 0)) {
    predictor.adopt(fitted);
  } else {
    await predictor.fit(chosen.data, fit);
  }
  const dir = predictor.save();
  return { name, modalities: row.modalities, patients: row.patients, cvAuroc: row.auroc, cvAurocCi: row.aurocCi, bestModel: predictor.bestModel, inputs: predictor.featureColumns.length, path: dir };
}

/** One modality set of a paired comparison. */
export interface PairedSetRow {
  /** Set name (as {@link modalitySets} names it). */
  readonly set: string;
  /** Cross-validated AUROC (null when the set could not be evaluated). */
  readonly auroc: number | null;
  /** 95% interval of the AUROC. */
  readonly lower: number | null;
  /** Upper bound. */
  readonly upper: number | null;
  /** Paired DeLong difference to clinical-only on the same patients (null for clinical itself or when not evaluable). */
  readonly vsClinical: { readonly difference: number; readonly lower: number; readonly upper: number; readonly pValue: number } | null;
  /** Why the set or its difference is missing, or what was reduced ('' when nothing). */
  readonly note: string;
  /**
   * CV AUROC of the logistic-regression baseline fitted inside the same fold fits (same folds, same rows): the AutoML
   * result must not end below it (absent when the set was not evaluated or a fold had no logistic model).
   */
  readonly baselineAuroc?: number;
}

/** A paired comparison: every set evaluated on the same patients. */
export interface PairedComparison {
  /** Outcome. */
  readonly outcome: string;
  /** Design. */
  readonly design: string;
  /** The largest set: the comparison's patients have every one of its modalities. */
  readonly largest: string;
  /** Patients (the same for every set). */
  readonly patients: number;
  /** Cases among them. */
  readonly cases: number;
  /** One row per set (subsets of the largest). */
  readonly sets: readonly PairedSetRow[];
}

/** Options of {@link runPairedComparison}. */
export interface PairedComparisonOptions extends Omit<ModalityExperimentOptions, 'modalities' | 'groups' | 'patients' | 'comparison'> {
  /** The largest set; its subsets among `sets` are compared on its patients. */
  readonly largest: ModalitySet;
  /** Candidate sets (typically {@link modalitySets}); those whose groups are a subset of the largest's are used. */
  readonly sets: readonly ModalitySet[];
}

/**
 * Evaluates every subset of the largest set on the **same** patients (those with every modality of the largest set)
 * and each set's paired DeLong difference to clinical-only (the set whose name is `clinical`).
 *
 * @param ds - the training set
 * @param options - outcome, design, largest set, candidate sets, CV options
 * @returns the comparison table and the per-set experiment results (same rows, same order, same folds)
 * @throws {@link HealthDataError} (invalid-input) when a group contributes no column
 */
export async function runPairedComparison(ds: ExperimentDataset, options: PairedComparisonOptions): Promise<{ comparison: PairedComparison; results: ModalityExperimentResult[] }> {
  const label = options.label ?? 'label';
  const { ids, rows } = modalityTable(ds, options.largest.groups, label);
  const patients = new Set(ids);
  const cases = rows.filter((r) => Number(r[label]) === 1).length;
  const { largest, sets, ...rest } = options;
  const members = sets.filter((set) => set.groups.every((g) => largest.groups.includes(g)));
  // Two sets at a time: one's main-thread work (preprocessing, decisions, metrics) overlaps the other's model fits in
  // the worker threads; each set is seeded on its own, so the results do not depend on the overlap.
  const results = await mapInOrder(members, setConcurrency(rest.fit), (set) => runModalityExperiment(ds, { ...rest, modalities: set.name, groups: set.groups, patients, comparison: largest.name }));
  const clinical = results.find((r) => r.row.modalities === 'clinical');
  const table: PairedSetRow[] = results.map((r) => {
    let vsClinical: PairedSetRow['vsClinical'] = null;
    const notes = r.row.note === '' ? [] : [r.row.note];
    if (r.row.modalities !== 'clinical' && r.row.auroc !== null) {
      if (clinical === undefined || clinical.row.auroc === null) {
        notes.push('no paired difference: clinical-only was not evaluated on these patients');
      } else if (clinical.patientIds.join('\n') !== r.patientIds.join('\n')) {
        notes.push('no paired difference: the patients differ from clinical-only');
      } else {
        const d: PairedAurocDifference = pairedCvDelong(r, clinical);
        vsClinical = { difference: round3(d.difference), lower: round3(d.lower), upper: round3(d.upper), pValue: Math.round(d.pValue * 10000) / 10000 };
      }
    }
    if (r.row.auroc !== null && (patients.size < MIN_SUPPORT.patients || cases < MIN_SUPPORT.cases)) {
      notes.push(`below minimum support (${String(patients.size)} patients, ${String(cases)} cases): intervals unreliable, never selected`);
    }
    return {
      set: r.row.modalities,
      auroc: r.row.auroc,
      lower: r.row.aurocLower ?? null,
      upper: r.row.aurocUpper ?? null,
      vsClinical,
      note: notes.join('; '),
      ...(r.row.baselineAuroc === undefined ? {} : { baselineAuroc: r.row.baselineAuroc }),
    };
  });
  return { comparison: { outcome: options.outcome, design: options.design ?? '', largest: options.largest.name, patients: patients.size, cases, sets: table }, results };
}

/** Sets of a comparison evaluated at once: two when the fits use worker threads, else one. */
function setConcurrency(fit: FitOptions | undefined): number {
  return (fit?.threads ?? defaultFitThreads()) >= 2 ? 2 : 1;
}

/**
 * The paired DeLong difference of two sets cross-validated on the same rows and folds, each AUROC estimated within
 * folds as the rows' AUROCs are (`pairedWithinFoldDelong`); plain DeLong on the pooled scores when a result carries no
 * folds.
 */
function pairedCvDelong(a: ModalityExperimentResult, b: ModalityExperimentResult): PairedAurocDifference {
  if (a.cv === undefined || b.cv === undefined) {
    return pairedDelong(a.y, a.score, b.score);
  }
  const folds = (cv: CrossValidationResult): ReturnType<typeof binaryFoldScores> =>
    binaryFoldScores(
      cv.repeatProba,
      cv.foldOf,
      Math.max(
        0,
        cv.classes.findIndex((c) => Number(c) === 1),
      ),
    );
  return pairedWithinFoldDelong(a.y, folds(a.cv), folds(b.cv));
}

/** Minimum support for a saved model (stated in every report). */
export const MIN_SUPPORT = { patients: 100, cases: 20 } as const;

/** The selection rule, in words (stated in every report). */
export const SELECTION_RULE =
  `clinical-only on the full cohort is the default; a multimodal set replaces it only when its comparison has ≥ ${String(MIN_SUPPORT.patients)} patients and ≥ ${String(MIN_SUPPORT.cases)} cases ` +
  'and the lower bound of its paired (DeLong) AUROC difference to clinical-only on the same patients is above 0; among such sets, the largest lower bound wins';

/** The outcome of {@link selectModel}. */
export interface SetSelection {
  /** The chosen result (undefined when nothing could be evaluated). */
  readonly chosen: ModalityExperimentResult | undefined;
  /** Why it was chosen. */
  readonly reason: string;
  /** Warnings to show beside the model (below minimum support, AUROC interval at or below chance). */
  readonly warnings: readonly string[];
}

/**
 * Chooses the model to save: {@link SELECTION_RULE}, with warnings when the chosen model is below
 * {@link MIN_SUPPORT} or its AUROC interval does not clear 0.5.
 *
 * @param clinicalFull - clinical-only on the full cohort (the default)
 * @param comparisons - paired comparisons with their results (same design)
 * @returns the chosen result, the reason and the warnings
 */
export function selectModel(
  clinicalFull: ModalityExperimentResult | undefined,
  comparisons: readonly { readonly comparison: PairedComparison; readonly results: readonly ModalityExperimentResult[] }[],
): SetSelection {
  let best: { result: ModalityExperimentResult; lower: number; comparison: PairedComparison } | undefined;
  for (const c of comparisons) {
    if (c.comparison.patients < MIN_SUPPORT.patients || c.comparison.cases < MIN_SUPPORT.cases) {
      continue;
    }
    for (const row of c.comparison.sets) {
      const result = c.results.find((r) => r.row.modalities === row.set);
      if (row.vsClinical !== null && row.vsClinical.lower > 0 && result !== undefined && (best === undefined || row.vsClinical.lower > best.lower)) {
        best = { result, lower: row.vsClinical.lower, comparison: c.comparison };
      }
    }
  }
  const warnings: string[] = [];
  let chosen: ModalityExperimentResult | undefined;
  let reason: string;
  if (best !== undefined) {
    chosen = best.result;
    reason = `${best.result.row.modalities} beats clinical-only on the same ${String(best.comparison.patients)} patients (paired AUROC difference lower bound ${best.lower.toFixed(3)} > 0)`;
  } else if (clinicalFull !== undefined && clinicalFull.row.auroc !== null) {
    chosen = clinicalFull;
    reason = 'no multimodal set with minimum support beats clinical-only with a paired difference whose interval excludes 0: clinical-only on the full cohort';
  } else {
    return { chosen: undefined, reason: 'no set could be evaluated', warnings: ['no model saved: no modality set could be evaluated'] };
  }
  const r = chosen.row;
  if (r.patients < MIN_SUPPORT.patients || r.cases < MIN_SUPPORT.cases) {
    warnings.push(
      `below minimum support: ${String(r.patients)} patients and ${String(r.cases)} cases (minimum ${String(MIN_SUPPORT.patients)} and ${String(MIN_SUPPORT.cases)}); treat its numbers as unreliable`,
    );
  }
  if (r.aurocUpper !== undefined && r.aurocUpper !== null && r.aurocUpper < 0.5) {
    warnings.push(`cross-validated AUROC interval ${r.aurocCi} lies below 0.5: the model ranks worse than chance`);
  } else if (r.aurocLower !== undefined && r.aurocLower !== null && r.aurocLower <= 0.5) {
    warnings.push(`cross-validated AUROC interval ${r.aurocCi} includes 0.5: not distinguishable from chance`);
  }
  return { chosen, reason, warnings };
}
