/**
 * The train-test job for the four outcomes, as one library call the pipeline (`train-models` step) and notebook 09
 * share. For each outcome and each **study design** (README "Cohort design"):
 *
 * - `prognostic` (the default, and the design whose model is saved): labels with index dates and matched controls,
 *   features strictly before the index, the germline genotype joined whatever its test date (time-invariant),
 *   imaging only from studies dated before the index;
 * - `landmark`: indexed at the first imaging study, outcome-free then, label = a later onset;
 * - `guidance`: the AWS guidance's cross-sectional design (the outcome anywhere in the record, features over the
 *   whole record without the label's own codes) — a description of the record, not a prediction; reported with the
 *   guidance's 80/20 accuracy/precision/recall/F1 *and* cross-validated AUROC, plus a leakage audit.
 *
 * Within a design, modality sets are compared **on the same patients** (those with every modality of the largest set
 * of the comparison) with a paired DeLong difference to clinical-only. The saved model follows {@link SELECTION_RULE}
 * with {@link MIN_SUPPORT}. `outcome-model.json` beside each saved model holds the chosen set's cross-validated
 * metrics, out-of-fold predictions, permutation importance, per-patient risks, and every design's tables side by side
 * — what the dashboard's Models sheet and notebook 09 show.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { HealthDataError } from '../errors';
import type { ProgressReporter } from '../progress';
import { silentProgress } from '../progress';
import type { WorkspaceCore } from '../workspace-core';
import type { FeatureStore } from '../features/store';
import type { ClinicalHandle } from '../clinical/handle';
import type { AutomlHandle } from './handle';
import type { CohortLabels, Outcome, StudyDesign } from '../clinical/cohort';
import { OUTCOMES, STUDY_DESIGNS } from '../clinical/cohort';
import type { ClinicalFeatureRow } from '../clinical/features';
import { CLINICAL_FEATURE_COLUMNS } from '../clinical/features';
import type { TrainingDataset } from '../features/dataset';
import { coherentDir } from '../cohort/steps';
import { stratifiedHoldout } from './cv';
import type { ExperimentDataset, ModalityExperimentResult, ModalityExperimentRow, ModalitySet, PairedComparison, PairedSetRow } from './experiment';
import { fitSelectedModel, MIN_SUPPORT, modalitySets, runModalityExperiment, runPairedComparison, SELECTION_RULE, selectModel } from './experiment';
import { hanleyMcNeilSe } from './delong';
import { inOrder } from '../util/in-order';
import { permutationImportance } from './importance';
import { normalQuantile } from './metrics';
import type { FitOptions } from './predictor';
import { PIPELINE_PRESET } from './presets';
import { subsetTable, TabularPredictor } from './predictor';

/** The part of the workspace the train-test job reads (a structural type: automl does not import the workspace). */
type Workspace = WorkspaceCore & { readonly features: FeatureStore; readonly clinical: ClinicalHandle; readonly automl: AutomlHandle };

/** File name of the report written beside each saved outcome model. */
export const OUTCOME_MODEL_REPORT = 'outcome-model.json';

/** The genomic and imaging feature groups the job joins when they exist. */
const GENOMIC_GROUP = 'genomic';
const IMAGING_GROUP = 'imaging-features';

/** A patient's cross-validated risk for one outcome, with the features that moved it most. */
export interface OutcomeRisk {
  /** Patient id. */
  readonly patientId: string;
  /** Out-of-fold probability (from models that never saw this patient). */
  readonly probability: number;
  /**
   * Largest local contributions first: the saved model's probability minus its probability with the feature set to
   * the cohort's typical value (median, or most frequent category).
   */
  readonly topFeatures: readonly { readonly feature: string; readonly contribution: number }[];
}

/** An oracle AUROC with its interval (ground-truth.json `summary.outcomes[o].oracles[design][set]`). */
export interface OracleAuroc {
  /** AUROC of the Bayes-optimal score given what the set observes. */
  readonly auroc: number;
  /** Lower bound. */
  readonly lower: number;
  /** Upper bound. */
  readonly upper: number;
  /** Patients of the Monte Carlo population the oracle was computed on (evaluated members), when known. */
  readonly patients?: number;
  /** Cases among them: compare their share with the comparison's own prevalence (same population, same design). */
  readonly cases?: number;
  /**
   * Cases of the sample the compared model was evaluated on ({@link oracleAtSize}); with `sampleControls`,
   * `sampleLower` and `sampleUpper` they give the oracle's **sampling** interval at that size.
   */
  readonly sampleCases?: number;
  /** Controls of that sample. */
  readonly sampleControls?: number;
  /** Lower bound of the interval in which the Bayes-optimal score's AUROC falls on a sample of that size (95%). */
  readonly sampleLower?: number;
  /** Upper bound of that interval: an AUROC above it is flagged `point` ({@link oracleExceedance}). */
  readonly sampleUpper?: number;
}

/**
 * How a set's AUROC stands against its oracle. The oracle's own interval (`lower`–`upper`) is Monte Carlo error on
 * ≥ 20,000 simulated patients: it bounds the *population* AUROC. A model evaluated on a sample of m cases and n
 * controls scatters around its population AUROC by the sampling error of that size — as would the oracle's score
 * itself (≈ ±0.17 on 13 cases and 130 controls at AUROC 0.6, against a Monte Carlo ±0.02). So:
 * - `point`: the AUROC lies above the oracle's **sampling** interval at the evaluated size ({@link oracleAtSize}:
 *   where the Bayes-optimal score's AUROC would fall on that many cases and controls, 95%) — even the best possible
 *   score would rarely (< 2.5%) show this much;
 * - `interval`: the AUROC's own lower bound lies above the oracle's (Monte Carlo) upper bound — the model's population
 *   AUROC is above the bound.
 * Either is a bug until explained. A point estimate above the oracle's Monte Carlo upper bound but inside its sampling
 * interval is sampling noise and is not flagged.
 */
export type OracleExceedance = 'point' | 'interval';

/** A paired-comparison row with the set's oracle, when the generator wrote one. */
export interface ReportedSetRow extends PairedSetRow {
  /** The set's oracle under this design on exactly these patients ({@link oracleFor}; absent on real data). */
  readonly oracle?: OracleAuroc;
  /** Set when the AUROC exceeds the oracle's upper bound ({@link OracleExceedance}). */
  readonly exceedsOracle?: OracleExceedance;
}

/** The guidance's metrics on its 80/20 stratified split for one set (threshold 0.5, positive class). */
export interface HoldoutRow {
  /** Set name. */
  readonly set: string;
  /** Test rows. */
  readonly testPatients: number;
  /** Cases among them. */
  readonly testCases: number;
  /** Accuracy. */
  readonly accuracy: number;
  /** Precision (positive class). */
  readonly precision: number;
  /** Recall (positive class). */
  readonly recall: number;
  /** F1 (positive class). */
  readonly f1: number;
}

/** One top feature of the guidance design and how much of it is dated after the onset. */
export interface LeakageRow {
  /** Feature. */
  readonly feature: string;
  /** Its modality (`clinical`, `genomic`, `imaging`). */
  readonly modality: string;
  /** Permutation importance on the 20% test split (AUROC drop). */
  readonly importance: number;
  /**
   * Share of the cases whose value of this feature depends on data dated after their onset (clinical: whole-record
   * value ≠ value from data before the onset; imaging: the study used is dated after the onset; genomic: 0, germline).
   */
  readonly shareAfterOnset: number;
}

/** One design's results for one outcome. */
export interface DesignReport {
  /** Design. */
  readonly design: StudyDesign;
  /** Title shown beside the tables. */
  readonly title: string;
  /** False for the guidance design (features may postdate the outcome). */
  readonly isPrediction: boolean;
  /** Labelled patients of the design. */
  readonly patients: number;
  /** Cases among them. */
  readonly cases: number;
  /** Exclusions with reasons (counts). */
  readonly excluded: Readonly<Record<string, number>>;
  /** Conditions with the outcome's code under another code system (ignored). */
  readonly otherSystemConditions: number;
  /** Clinical-only on every patient of the design (null when not run, e.g. the guidance design). */
  readonly fullCohort: ModalityExperimentRow | null;
  /** The oracle of clinical-only on every patient of the design, when known. */
  readonly fullCohortOracle?: OracleAuroc;
  /** Paired comparisons: each set on the same patients, with its difference to clinical-only. */
  readonly comparisons: readonly (Omit<PairedComparison, 'sets'> & { readonly sets: readonly ReportedSetRow[] })[];
  /** (guidance) the guidance's 80/20 split metrics per set of the all-three comparison. */
  readonly holdout?: readonly HoldoutRow[];
  /** (guidance) the leakage audit of the all-three model's top features. */
  readonly leakage?: readonly LeakageRow[];
  /** What was reduced or skipped. */
  readonly notes: readonly string[];
}

/** What {@link saveOutcomeModel} writes to `<models>/<outcome>/outcome-model.json`. */
export interface OutcomeModelReport {
  /** Format version. */
  readonly version: 1;
  /** Outcome (also the model name). */
  readonly outcome: string;
  /** Modality set of the saved model, e.g. `clinical+genomic`. */
  readonly modalities: string;
  /** The saved predictor's best model, e.g. `WeightedEnsemble_L2`. */
  readonly bestModel: string;
  /** When the report was written (ISO). */
  readonly createdAt: string;
  /** Cross-validated metrics of the set: accuracy, precision, recall, f1, roc_auc with roc_auc_lower/upper, patients, cases, folds (and tuned-threshold / baseline figures when the evaluation provides them). */
  readonly metrics: Readonly<Record<string, number>>;
  /** Patients of the set, in the order of `labels` and `probabilities`. */
  readonly patientIds: readonly string[];
  /** 0/1 labels. */
  readonly labels: readonly number[];
  /** Out-of-fold probabilities (averaged over the CV repeats). */
  readonly probabilities: readonly number[];
  /**
   * Per CV repeat, each patient's fold (same order as `patientIds`): `metrics.roc_auc` is the AUROC within these folds
   * (`withinFoldAuroc`; with one repeat, of `probabilities`), `metrics.roc_auc_pooled` that of `probabilities` pooled.
   */
  readonly folds?: readonly (readonly number[])[];
  /** Permutation importance on a held-out 30% (empty when the cohort is too small for a split, see `notes`). */
  readonly importance: readonly { readonly feature: string; readonly importance: number; readonly stddev: number; readonly pValue: number }[];
  /** Per-patient risks. */
  readonly risks: readonly OutcomeRisk[];
  /** Every evaluated row of every design, in run order. */
  readonly experiment: readonly ModalityExperimentRow[];
  /** What was reduced or skipped, and why. */
  readonly notes: readonly string[];
  /** Design of the saved model (`prognostic`). */
  readonly design?: StudyDesign;
  /** How the saved model was chosen. */
  readonly selection?: { readonly rule: string; readonly minPatients: number; readonly minCases: number; readonly reason: string };
  /** Warnings to show beside the model (below minimum support; AUROC interval at or below 0.5). */
  readonly warnings?: readonly string[];
  /** Every design's tables, side by side. */
  readonly designs?: readonly DesignReport[];
}

/** Options of {@link trainOutcomeModels} and {@link saveOutcomeModel}. */
export interface TrainOutcomeOptions {
  /** Outcomes (default all four). */
  readonly outcomes?: readonly Outcome[];
  /** Designs (default all three; the saved model comes from `prognostic`, which always runs). */
  readonly designs?: readonly StudyDesign[];
  /** Cross-validation folds (default 5; fewer when a class is smaller). */
  readonly folds?: number;
  /** CV repeats (default 1; the guidance design, on fewer patients, uses at least 2). */
  readonly repeats?: number;
  /** Fit options per fold and for the saved model (default `{ presets: PIPELINE_PRESET }`, i.e. `medium`). */
  readonly fit?: FitOptions;
  /** Features listed per patient in `risks` (default 3). */
  readonly topFeatures?: number;
  /** Seed (default the workspace's `MMH_SEED`). */
  readonly seed?: number;
  /** Progress reporter (default the workspace's). */
  readonly progress?: ProgressReporter;
}

const DESIGN_TITLES: Readonly<Record<StudyDesign, string>> = {
  prognostic: 'Prognostic: features before the index date (matched controls), germline genotype time-invariant, imaging before the index',
  landmark: 'Landmark: indexed at the first imaging study, outcome-free then, outcome = a later onset',
  guidance: "The AWS guidance's cross-sectional design: the outcome anywhere in the record, features over the whole record — a description, not a prediction",
};

/**
 * The paired comparisons of each design, by largest set: `all three` everywhere; in `prognostic` also
 * `clinical+genomic` (genomes are time-invariant, so far more patients have one than an MRI before their index); in
 * `landmark` also `clinical+imaging` (everyone there has a scan, not everyone a genome).
 */
export const DESIGN_COMPARISONS: Readonly<Record<StudyDesign, readonly string[]>> = {
  prognostic: ['all three', 'clinical+genomic'],
  landmark: ['all three', 'clinical+imaging'],
  guidance: ['all three'],
};

async function existingGroups(ws: Workspace): Promise<Set<string>> {
  return new Set((await ws.features.listFeatureGroups()).map((g) => g.name));
}

/**
 * Builds an outcome's prognostic training set: the clinical cohort's labels and index dates as the base, joined
 * point-in-time (only feature records dated at or before each patient's index date) with the outcome's clinical
 * group and the imaging group, and with the genomic group whatever its test date (a germline genotype is
 * time-invariant: `timeInvariantGroups`).
 *
 * @param ws - the open workspace
 * @param outcome - the outcome
 * @returns the training set (a left join: patients without a modality keep missing values there)
 * @throws {@link HealthDataError} (not-found) when the outcome's clinical feature group does not exist yet
 */
export async function buildOutcomeDataset(ws: Workspace, outcome: Outcome): Promise<TrainingDataset> {
  return (await prognosticDataset(ws, outcome)).dataset;
}

/** {@link buildOutcomeDataset} with the labels it was built from. */
async function prognosticDataset(ws: Workspace, outcome: Outcome): Promise<{ dataset: TrainingDataset; labels: CohortLabels }> {
  const existing = await existingGroups(ws);
  const clinical = `clinical-${outcome}`;
  if (!existing.has(clinical)) {
    throw new HealthDataError('not-found', `buildOutcomeDataset: feature group ${clinical} does not exist; run the features-clinical step (npm start, or notebook 06) first`, { path: clinical });
  }
  // The clinical features come from their feature group: only the labels and index dates are built here.
  const labels = await ws.clinical.cohortLabels({ outcome });
  const base = labels.rows.map((l) => ({ patient_id: l.patientId, index_date: l.indexDate, label: l.label }));
  const dataset = await ws.features.buildDataset({
    base: { rows: base, recordIdentifierName: 'patient_id', eventTimeName: 'index_date' },
    groups: [clinical, ...[GENOMIC_GROUP, IMAGING_GROUP].filter((g) => existing.has(g))],
    timeInvariantGroups: [GENOMIC_GROUP],
    joinType: 'left',
  });
  return { dataset, labels };
}

/**
 * Imaging study dates per patient, from the imaging feature group's offline records (sorted, ISO).
 *
 * @param ws - the open workspace
 * @returns patient id → study dates (empty when the group does not exist)
 */
export async function imagingStudyDates(ws: Workspace): Promise<Map<string, string[]>> {
  if (!(await existingGroups(ws)).has(IMAGING_GROUP)) {
    return new Map();
  }
  const table = await ws.features.offlineTable(IMAGING_GROUP);
  const rows = await ws.sql.query<{ patient_id: string; event_time: string }>(`SELECT DISTINCT patient_id, event_time FROM ${table} WHERE NOT is_deleted ORDER BY patient_id, event_time`);
  const out = new Map<string, string[]>();
  for (const r of rows) {
    const t = new Date(Date.parse(r.event_time)).toISOString();
    out.set(r.patient_id, [...(out.get(r.patient_id) ?? []), t]);
  }
  return out;
}

/** A design's training set with its cohort. */
export interface DesignDataset {
  /** The design. */
  readonly design: StudyDesign;
  /** Rows (`patient_id`, `index_date`, `label`, features) and each feature's `group.feature` source. */
  readonly dataset: ExperimentDataset;
  /** The cohort's labels and exclusions. */
  readonly labels: CohortLabels;
  /** (guidance) the cases' clinical features from data before their onset. */
  readonly preOnsetFeatures?: readonly ClinicalFeatureRow[];
}

/**
 * Builds an outcome's training set under a design. `prognostic` is {@link buildOutcomeDataset} (the clinical
 * feature group). `landmark` and `guidance` compute their clinical features for their own index dates
 * (`ws.clinical.cohort` with the design) and join the genomic group (time-invariant) and the imaging group (at or
 * before the index: the scan itself for `landmark`, the latest study for `guidance`); their clinical columns are
 * reported as coming from `clinical-<outcome>`, so {@link modalitySets} names them alike in every design.
 *
 * @param ws - the open workspace
 * @param outcome - the outcome
 * @param design - the design
 * @param studyDates - imaging study dates ({@link imagingStudyDates}; `landmark` indexes at the first one)
 * @returns the training set and cohort
 * @throws {@link HealthDataError} (not-found) for `prognostic` without the clinical feature group
 */
export async function buildDesignDataset(ws: Workspace, outcome: Outcome, design: StudyDesign, studyDates?: ReadonlyMap<string, readonly string[]>): Promise<DesignDataset> {
  if (design === 'prognostic') {
    return { design, ...(await prognosticDataset(ws, outcome)) };
  }
  const dates = studyDates ?? (await imagingStudyDates(ws));
  const landmarks = new Map([...dates].flatMap(([id, d]) => (d[0] === undefined ? [] : [[id, d[0]] as const])));
  const cohort = await ws.clinical.cohort({ outcome, design, ...(design === 'landmark' ? { landmarks } : {}) });
  const label = new Map(cohort.labels.rows.map((l) => [l.patientId, l.label]));
  const clinicalGroup = `clinical-${outcome}`;
  const base = cohort.features.map((f) => ({ ...f, label: label.get(f.patient_id) ?? 0 }));
  const clinicalSources = Object.fromEntries(CLINICAL_FEATURE_COLUMNS.map((c) => [c, `${clinicalGroup}.${c}`]));
  const existing = await existingGroups(ws);
  const groups = [GENOMIC_GROUP, IMAGING_GROUP].filter((g) => existing.has(g));
  let dataset: ExperimentDataset = { rows: base, featureSources: clinicalSources };
  if (groups.length > 0 && base.length > 0) {
    // Only ids, index dates and labels go into the query (inlined as SQL literals: Athena caps a query at 256 kB);
    // the clinical columns are merged back by patient afterwards (one row per patient in these designs).
    const joined = await ws.features.buildDataset({
      base: { rows: base.map((b) => ({ patient_id: b.patient_id, index_date: b.index_date, label: b.label })), recordIdentifierName: 'patient_id', eventTimeName: 'index_date' },
      groups,
      timeInvariantGroups: [GENOMIC_GROUP],
      joinType: 'left',
    });
    const byPatient = new Map(base.map((b) => [b.patient_id, b]));
    dataset = { rows: joined.rows.map((r) => ({ ...byPatient.get(String(r.patient_id)), ...r })), featureSources: { ...clinicalSources, ...joined.featureSources } };
  }
  return { design, dataset, labels: cohort.labels, ...(cohort.preOnsetFeatures === undefined ? {} : { preOnsetFeatures: cohort.preOnsetFeatures }) };
}

const round = (v: number, digits = 4): number => {
  const f = 10 ** digits;
  return Math.round(v * f) / f;
};

/**
 * Local contributions of the given features for every row: the model's positive-class probability minus its
 * probability with that one feature set to its typical value in the training data — the median the predictor's
 * preprocessing imputes with, or its most frequent category (an ablation, model-agnostic). A column the
 * preprocessing dropped cannot move the prediction: its contribution is 0.
 *
 * @param predictor - a fitted binary predictor
 * @param rows - the rows to explain
 * @param features - the features to ablate (e.g. the most important ones)
 * @returns per row, feature → contribution
 */
export function ablationContributions(predictor: TabularPredictor, rows: readonly Readonly<Record<string, unknown>>[], features: readonly string[]): Record<string, number>[] {
  const base = predictor.predictPositive(rows);
  const out: Record<string, number>[] = rows.map(() => ({}));
  const plans = new Map(predictor.state.preprocess.columns.map((c) => [c.name, c]));
  for (const f of features) {
    const plan = plans.get(f);
    if (plan === undefined) {
      for (const o of out) {
        o[f] = 0;
      }
      continue;
    }
    const typical = plan.kind === 'numeric' ? plan.median : (plan.levels[0] ?? null);
    const ablated = predictor.predictPositive(rows.map((r) => ({ ...r, [f]: typical })));
    out.forEach((o, i) => {
      o[f] = round((base[i] as number) - (ablated[i] as number));
    });
  }
  return out;
}

/** Everything one design produced for one outcome (the input of {@link saveOutcomeModel}). */
export interface DesignRun {
  /** The design. */
  readonly design: StudyDesign;
  /** Its training set and cohort. */
  readonly data: DesignDataset;
  /** Clinical-only on every patient of the design (prognostic and landmark). */
  readonly fullCohort?: ModalityExperimentResult;
  /** Paired comparisons with their per-set results. */
  readonly comparisons: readonly { readonly comparison: PairedComparison; readonly results: readonly ModalityExperimentResult[] }[];
  /** (guidance) 80/20 metrics. */
  readonly holdout?: readonly HoldoutRow[];
  /** (guidance) leakage audit. */
  readonly leakage?: readonly LeakageRow[];
  /** Notes. */
  readonly notes: readonly string[];
}

/** Options of {@link runDesign}. */
export interface RunDesignOptions {
  /** Folds (default 5). */
  readonly folds?: number;
  /** Repeats (default 1; at least 2 for the guidance design). */
  readonly repeats?: number;
  /** Fit options (default `{ presets: PIPELINE_PRESET }`, i.e. `medium`). */
  readonly fit?: FitOptions;
  /** Seed. */
  readonly seed?: number;
  /** Imaging study dates (read once per run). */
  readonly studyDates?: ReadonlyMap<string, readonly string[]>;
  /** Called after each cross-validated set. */
  readonly onSet?: () => void;
}

/**
 * The guidance's 80/20 stratified split for one evaluated set: fit on 80%, accuracy/precision/recall/F1 of the
 * positive class at threshold 0.5 on the 20%.
 *
 * @param result - an evaluated set (its rows)
 * @param fit - fit options
 * @param seed - split and fit seed
 * @returns the metrics, the fitted predictor and the test rows (for the leakage audit's importance)
 */
export async function guidanceHoldout(result: ModalityExperimentResult, fit: FitOptions, seed: number): Promise<{ row: HoldoutRow; predictor: TabularPredictor; test: Record<string, unknown>[] }> {
  const y = result.data.map((r) => Number(r.label));
  const split = stratifiedHoldout(y, 0.2, seed);
  const predictor = new TabularPredictor({
    label: 'label',
    seed,
    progress: silentProgress,
    ...(Math.min(result.row.cases, result.row.patients - result.row.cases) < 10 ? { evalMetric: 'log_loss' as const } : {}),
  });
  await predictor.fit(subsetTable(result.data, split.train), fit);
  const test = subsetTable(result.data, split.holdout) as Record<string, unknown>[];
  const p = predictor.predictPositive(test);
  let tp = 0;
  let fp = 0;
  let fn = 0;
  let tn = 0;
  test.forEach((r, i) => {
    const pos = (p[i] as number) >= 0.5;
    const truth = Number(r.label) === 1;
    if (pos) {
      tp += truth ? 1 : 0;
      fp += truth ? 0 : 1;
    } else {
      fn += truth ? 1 : 0;
      tn += truth ? 0 : 1;
    }
  });
  const precision = tp + fp === 0 ? 0 : tp / (tp + fp);
  const recall = tp + fn === 0 ? 0 : tp / (tp + fn);
  return {
    row: {
      set: result.row.modalities,
      testPatients: test.length,
      testCases: tp + fn,
      accuracy: round((tp + tn) / Math.max(1, test.length), 3),
      precision: round(precision, 3),
      recall: round(recall, 3),
      f1: round(precision + recall === 0 ? 0 : (2 * precision * recall) / (precision + recall), 3),
    },
    predictor,
    test,
  };
}

/**
 * The leakage audit of the guidance design: the top features (permutation importance on the 20% split of the
 * all-three model) and, per feature, the share of cases whose value depends on data dated after their onset.
 *
 * @param data - the guidance design's dataset and cohort (with pre-onset features)
 * @param predictor - the all-three model fitted on 80%
 * @param test - its 20% test rows
 * @param studyDates - imaging study dates
 * @param outcome - the outcome
 * @param top - features listed (default 10)
 * @returns one row per top feature
 */
export function leakageAudit(
  data: DesignDataset,
  predictor: TabularPredictor,
  test: readonly Record<string, unknown>[],
  studyDates: ReadonlyMap<string, readonly string[]>,
  outcome: Outcome,
  top = 10,
): LeakageRow[] {
  const importance = permutationImportance(predictor, test, { numShuffles: 3 })
    .filter((r) => r.importance > 0)
    .slice(0, top);
  const cases = data.labels.rows.filter((l) => l.label === 1 && l.onsetDate !== null);
  const whole = new Map((data.dataset.rows as readonly Record<string, unknown>[]).map((r) => [String(r.patient_id), r]));
  const pre = new Map((data.preOnsetFeatures ?? []).map((r) => [r.patient_id, r]));
  const clinicalGroup = `clinical-${outcome}`;
  return importance.map((imp) => {
    const source = data.dataset.featureSources[imp.feature] ?? '';
    const group = source.slice(0, source.indexOf('.'));
    const name = source.slice(source.indexOf('.') + 1);
    let modality = 'other';
    let after = 0;
    let counted = 0;
    for (const c of cases) {
      const row = whole.get(c.patientId);
      if (row === undefined) {
        continue;
      }
      if (group === clinicalGroup) {
        modality = 'clinical';
        const p = pre.get(c.patientId);
        counted++;
        after += p === undefined || (p[name] ?? null) !== (row[imp.feature] ?? null) ? 1 : 0;
      } else if (group === GENOMIC_GROUP) {
        modality = 'genomic';
        counted++;
      } else if (group === IMAGING_GROUP) {
        modality = 'imaging';
        const dates = studyDates.get(c.patientId) ?? [];
        const used = dates[dates.length - 1];
        if (used !== undefined) {
          counted++;
          after += Date.parse(used) > Date.parse(c.onsetDate as string) ? 1 : 0;
        }
      }
    }
    return { feature: imp.feature, modality, importance: round(imp.importance), shareAfterOnset: counted === 0 ? 0 : round(after / counted, 3) };
  });
}

/**
 * Runs one design for one outcome: builds its training set, clinical-only on the full cohort (not for `guidance`,
 * whose cohort is the all-three patients), the paired comparisons of {@link DESIGN_COMPARISONS}, and for `guidance`
 * the 80/20 split metrics and the leakage audit.
 *
 * @param ws - the open workspace
 * @param outcome - the outcome
 * @param design - the design
 * @param options - folds, repeats, fit, seed, study dates
 * @returns the design's results
 */
export async function runDesign(ws: Workspace, outcome: Outcome, design: StudyDesign, options: RunDesignOptions = {}): Promise<DesignRun> {
  const fit = options.fit ?? { presets: PIPELINE_PRESET };
  const seed = options.seed ?? ws.config.seed;
  const folds = options.folds ?? 5;
  const repeats = Math.max(options.repeats ?? 1, design === 'guidance' ? 2 : 1);
  const studyDates = options.studyDates ?? (await imagingStudyDates(ws));
  const data = await buildDesignDataset(ws, outcome, design, studyDates);
  const present = new Set(Object.values(data.dataset.featureSources).map((s) => s.slice(0, s.indexOf('.'))));
  const sets = modalitySets(outcome);
  const notes: string[] = [];
  // The prognostic sets are the saved model's candidates: keep their fits on every patient for saving.
  const common = { outcome, design, folds, repeats, fit, seed, keepPredictor: design === 'prognostic' };
  let fullCohort: ModalityExperimentResult | undefined;
  if (design !== 'guidance' && data.labels.rows.length > 0) {
    fullCohort = await runModalityExperiment(data.dataset, { ...common, modalities: 'clinical', groups: [`clinical-${outcome}`], comparison: 'full cohort' });
    options.onSet?.();
  }
  const comparisons: { comparison: PairedComparison; results: ModalityExperimentResult[] }[] = [];
  for (const name of DESIGN_COMPARISONS[design]) {
    const largest = sets.find((s) => s.name === name) as ModalitySet;
    const missing = largest.groups.filter((g) => !present.has(g));
    if (missing.length > 0) {
      notes.push(`${name} comparison skipped: no ${missing.join(', ')} feature group`);
      continue;
    }
    comparisons.push(await runPairedComparison(data.dataset, { ...common, largest, sets }));
    options.onSet?.();
  }
  let holdout: HoldoutRow[] | undefined;
  let leakage: LeakageRow[] | undefined;
  if (design === 'guidance') {
    const all = comparisons.find((c) => c.comparison.largest === 'all three');
    holdout = [];
    for (const r of all?.results ?? []) {
      if (r.row.folds === 0) {
        continue;
      }
      try {
        const h = await guidanceHoldout(r, fit, seed);
        holdout.push(h.row);
        if (r.row.modalities === 'all three') {
          leakage = leakageAudit(data, h.predictor, h.test, studyDates, outcome);
        }
      } catch (e) {
        notes.push(`80/20 split of ${r.row.modalities} failed: ${e instanceof Error ? e.message : String(e)}`);
      }
    }
  }
  return { design, data, ...(fullCohort === undefined ? {} : { fullCohort }), comparisons, ...(holdout === undefined ? {} : { holdout }), ...(leakage === undefined ? {} : { leakage }), notes };
}

interface GroundTruthOracles {
  readonly summary?: {
    readonly outcomes?: Readonly<
      Record<
        string,
        {
          readonly oracles?: Readonly<Record<string, Readonly<Record<string, OracleAuroc>>>>;
          readonly oraclePopulations?: Readonly<Record<string, { readonly patients: number; readonly cases: number }>>;
          readonly ownPopulationOracles?: Readonly<Record<string, Readonly<Record<string, OracleAuroc>>>>;
        }
      >
    >;
  };
}

/** One outcome's oracles: design → set → oracle. */
export interface OutcomeOracleTables {
  /** Every set on the design's patients with all three modalities at the index (the `all three` comparison). */
  readonly allThree: Readonly<Record<string, Readonly<Record<string, OracleAuroc>>>>;
  /** Each set on the design's patients having that set's modalities (clinical-only: everyone; genomic: every genome). */
  readonly own: Readonly<Record<string, Readonly<Record<string, OracleAuroc>>>>;
}

/**
 * The generator's per-design, per-set oracle AUROCs (ground-truth.json beside the generated cohort,
 * `summary.outcomes[o].oracles` and `.ownPopulationOracles`).
 *
 * @param ws - the open workspace
 * @returns outcome → oracle tables (empty when there is no ground truth, e.g. on real data)
 */
export function readOracles(ws: Workspace): Record<string, OutcomeOracleTables> {
  const file = path.join(coherentDir(ws), 'ground-truth.json');
  if (!fs.existsSync(file)) {
    return {};
  }
  try {
    const gt = JSON.parse(fs.readFileSync(file, 'utf8')) as GroundTruthOracles;
    const out: Record<string, OutcomeOracleTables> = {};
    for (const [o, v] of Object.entries(gt.summary?.outcomes ?? {})) {
      // Every set of the all-three table shares the design's all-three Monte Carlo population.
      const allThree = Object.fromEntries(
        Object.entries(v.oracles ?? {}).map(([design, sets]) => {
          const pop = v.oraclePopulations?.[design];
          return [design, pop === undefined ? sets : Object.fromEntries(Object.entries(sets).map(([set, e]) => [set, { ...e, patients: pop.patients, cases: pop.cases }]))];
        }),
      );
      out[o] = { allThree, own: v.ownPopulationOracles ?? {} };
    }
    return out;
  } catch {
    return {};
  }
}

const MODALITY_NAMES: Readonly<Record<string, readonly string[]>> = {
  clinical: ['clinical'],
  genomic: ['genomic'],
  imaging: ['imaging'],
  'clinical+genomic': ['clinical', 'genomic'],
  'clinical+imaging': ['clinical', 'imaging'],
  'genomic+imaging': ['genomic', 'imaging'],
  'all three': ['clinical', 'genomic', 'imaging'],
};

/**
 * The oracle that bounds one set of one comparison: on the `all three` comparison's patients, the design's
 * all-three-population oracle; on another comparison's patients (clinical data being universal, those with the
 * largest set's other modalities), the set's own-population oracle when that population is the comparison's
 * (the set plus clinical equals the largest set); otherwise none.
 *
 * @param tables - the outcome's oracle tables
 * @param design - the design
 * @param largest - the comparison's largest set (`full cohort` for clinical-only on everyone)
 * @param set - the set
 * @returns the oracle, or undefined when none applies to exactly these patients
 */
export function oracleFor(tables: OutcomeOracleTables | undefined, design: string, largest: string, set: string): OracleAuroc | undefined {
  if (tables === undefined) {
    return undefined;
  }
  if (largest === 'all three') {
    return tables.allThree[design]?.[set];
  }
  if (largest === 'full cohort') {
    return set === 'clinical' ? tables.own[design]?.clinical : undefined;
  }
  const want = new Set(MODALITY_NAMES[largest] ?? []);
  const has = new Set([...(MODALITY_NAMES[set] ?? []), 'clinical']);
  return want.size === has.size && [...want].every((m) => has.has(m)) ? tables.own[design]?.[set] : undefined;
}

/**
 * Whether an AUROC exceeds its oracle's upper bound ({@link OracleExceedance}).
 *
 * @param row - the set's AUROC and interval
 * @param oracle - its oracle
 * @returns `interval` (the AUROC's lower bound is above the oracle's upper bound), `point`, or undefined
 */
export function oracleExceedance(row: { readonly auroc: number | null; readonly lower: number | null }, oracle: OracleAuroc | undefined): OracleExceedance | undefined {
  if (oracle === undefined || row.auroc === null) {
    return undefined;
  }
  if (row.lower !== null && row.lower > oracle.upper) {
    return 'interval';
  }
  return row.auroc > (oracle.sampleUpper ?? oracle.upper) ? 'point' : undefined;
}

/**
 * An oracle with its sampling interval at the size a model was evaluated on: oracle AUROC ± z·√(SE_MC² + SE_sample²),
 * where SE_MC is the Monte Carlo standard error (from its interval) and SE_sample the Hanley–McNeil standard error of
 * an AUROC equal to the oracle's on `cases` cases and `controls` controls ({@link hanleyMcNeilSe}), clipped to [0, 1].
 *
 * @param oracle - the oracle (population AUROC and Monte Carlo interval)
 * @param cases - cases of the evaluated sample
 * @param controls - controls of the evaluated sample
 * @param level - confidence level (default 0.95)
 * @returns the oracle with `sampleCases`, `sampleControls`, `sampleLower`, `sampleUpper` (unchanged when a class is empty)
 * @example
 * ```ts
 * oracleAtSize({ auroc: 0.6, lower: 0.583, upper: 0.617 }, 13, 130).sampleUpper; // ≈ 0.77
 * ```
 */
export function oracleAtSize(oracle: OracleAuroc, cases: number, controls: number, level = 0.95): OracleAuroc {
  const se = hanleyMcNeilSe(oracle.auroc, cases, controls);
  if (Number.isNaN(se)) {
    return oracle;
  }
  const z = normalQuantile(1 - (1 - level) / 2);
  const mc = (oracle.upper - oracle.lower) / (2 * normalQuantile(0.975));
  const half = z * Math.sqrt(mc * mc + se * se);
  return { ...oracle, sampleCases: cases, sampleControls: controls, sampleLower: round(Math.max(0, oracle.auroc - half)), sampleUpper: round(Math.min(1, oracle.auroc + half)) };
}

function designReport(run: DesignRun, oracles: OutcomeOracleTables | undefined): DesignReport {
  const rows = run.data.labels.rows;
  const full = run.fullCohort?.row;
  const fullOracleMc = oracleFor(oracles, run.design, 'full cohort', 'clinical');
  const fullOracle = fullOracleMc === undefined || full === undefined ? fullOracleMc : oracleAtSize(fullOracleMc, full.cases, full.patients - full.cases);
  return {
    design: run.design,
    title: DESIGN_TITLES[run.design],
    isPrediction: run.design !== 'guidance',
    patients: rows.length,
    cases: rows.filter((r) => r.label === 1).length,
    excluded: { ...run.data.labels.excluded },
    otherSystemConditions: run.data.labels.otherSystemConditions ?? 0,
    fullCohort: run.fullCohort?.row ?? null,
    ...(fullOracle === undefined || run.fullCohort === undefined ? {} : { fullCohortOracle: fullOracle }),
    comparisons: run.comparisons.map((c) => ({
      ...c.comparison,
      sets: c.comparison.sets.map((s) => {
        const mc = oracleFor(oracles, run.design, c.comparison.largest, s.set);
        const oracle = mc === undefined ? undefined : oracleAtSize(mc, c.comparison.cases, c.comparison.patients - c.comparison.cases);
        const exceeds = oracleExceedance(s, oracle);
        return oracle === undefined ? s : { ...s, oracle, ...(exceeds === undefined ? {} : { exceedsOracle: exceeds }) };
      }),
    })),
    ...(run.holdout === undefined ? {} : { holdout: run.holdout }),
    ...(run.leakage === undefined ? {} : { leakage: run.leakage }),
    notes: run.notes,
  };
}

/** Tuned-threshold, calibration and baseline figures of a cross-validation, when the evaluation provides them. */
function extraMetrics(cv: unknown): Record<string, number> {
  const out: Record<string, number> = {};
  const c = cv as
    | {
        tunedMetrics?: Record<string, { value: number } | undefined>;
        thresholds?: { mean?: number };
        baseline?: { metrics?: Record<string, { value: number; lower: number; upper: number } | undefined> };
        pooledAuroc?: { value: number; lower: number; upper: number };
      }
    | undefined;
  if (c?.pooledAuroc !== undefined) {
    out.roc_auc_pooled = round(c.pooledAuroc.value);
    out.roc_auc_pooled_lower = round(c.pooledAuroc.lower);
    out.roc_auc_pooled_upper = round(c.pooledAuroc.upper);
  }
  for (const m of ['accuracy', 'precision', 'recall', 'f1']) {
    const v = c?.tunedMetrics?.[m]?.value;
    if (typeof v === 'number') {
      out[`tuned_${m}`] = round(v);
    }
  }
  if (typeof c?.thresholds?.mean === 'number') {
    out.tuned_threshold = round(c.thresholds.mean);
  }
  const b = c?.baseline?.metrics?.roc_auc;
  if (b !== undefined) {
    out.baseline_roc_auc = round(b.value);
    out.baseline_roc_auc_lower = round(b.lower);
    out.baseline_roc_auc_upper = round(b.upper);
  }
  return out;
}

/**
 * Saves an outcome's model from its design runs and writes its report: the model follows {@link SELECTION_RULE}
 * among the `prognostic` run's results (clinical-only on the full cohort unless a multimodal set beats it with
 * minimum support and a paired difference above 0), refitted on all its patients; the report holds its
 * cross-validated metrics and out-of-fold predictions, permutation importance of a model fitted on 70% and scored on
 * the other 30%, each patient's out-of-fold risk with the saved model's ablation contributions, warnings, and every
 * design's tables.
 *
 * @param ws - the open workspace
 * @param runs - the outcome's design runs ({@link runDesign}); must include `prognostic`
 * @param outcome - the outcome (also the model name)
 * @param options - fit options, features per patient
 * @returns the report, or undefined when nothing could be evaluated
 */
export async function saveOutcomeModel(ws: Workspace, runs: readonly DesignRun[], outcome: Outcome, options: TrainOutcomeOptions = {}): Promise<OutcomeModelReport | undefined> {
  const fit = options.fit ?? { presets: PIPELINE_PRESET };
  const prognostic = runs.find((r) => r.design === 'prognostic');
  const selection = selectModel(prognostic?.fullCohort, prognostic?.comparisons ?? []);
  const best = selection.chosen;
  if (best === undefined || best.aurocEstimate === undefined) {
    return undefined;
  }
  const saved = await fitSelectedModel(ws.automl, best, outcome, fit, { design: 'prognostic', selection: selection.reason, warnings: selection.warnings });
  const notes: string[] = best.row.note === '' ? [] : [best.row.note];
  const label = 'label';
  const predictor = ws.automl.loadPredictor(outcome);
  const ids = best.patientIds;
  // Importance on held-out rows of a separate fit: scoring the saved model on its own training rows would flatter it.
  let importance: OutcomeModelReport['importance'] = [];
  try {
    const split = stratifiedHoldout(best.y, 0.3, options.seed ?? ws.config.seed);
    const holdoutModel = ws.automl.createPredictor({ label, name: `${outcome}-importance`, ...(best.row.cases < 10 ? { evalMetric: 'log_loss' as const } : {}) });
    await holdoutModel.fit(subsetTable(best.data, split.train), fit);
    importance = permutationImportance(holdoutModel, subsetTable(best.data, split.holdout), { numShuffles: 5 }).map((r) => ({
      feature: r.feature,
      importance: round(r.importance),
      stddev: round(r.stddev),
      pValue: round(r.pValue),
    }));
  } catch (e) {
    notes.push(`no permutation importance: ${e instanceof Error ? e.message : String(e)}`);
  }
  const ranked = importance.length > 0 ? importance.map((r) => r.feature) : predictor.featureColumns;
  const explain = ranked.slice(0, 8);
  const contributions = ablationContributions(predictor, best.data, explain);
  const top = options.topFeatures ?? 3;
  const risks: OutcomeRisk[] = ids.map((patientId, i) => ({
    patientId,
    probability: round(best.score[i] ?? Number.NaN, 6),
    topFeatures: Object.entries(contributions[i] ?? {})
      .filter(([, c]) => c !== 0)
      .sort((a, b) => Math.abs(b[1]) - Math.abs(a[1]))
      .slice(0, top)
      .map(([feature, contribution]) => ({ feature, contribution })),
  }));
  const m = best.cv?.metrics;
  const metrics: Record<string, number> = {
    roc_auc: round(best.aurocEstimate.value),
    roc_auc_lower: round(best.aurocEstimate.lower),
    roc_auc_upper: round(best.aurocEstimate.upper),
    ...(m === undefined ? {} : { accuracy: round(m.accuracy.value), precision: round(m.precision.value), recall: round(m.recall.value), f1: round(m.f1.value), brier: round(m.brier.value) }),
    ...extraMetrics(best.cv),
    patients: best.row.patients,
    cases: best.row.cases,
    folds: best.row.folds,
  };
  const oracles = readOracles(ws)[outcome];
  const experiment = runs.flatMap((r) => [...(r.fullCohort === undefined ? [] : [r.fullCohort.row]), ...r.comparisons.flatMap((c) => c.results.map((x) => x.row))]);
  const report: OutcomeModelReport = {
    version: 1,
    outcome,
    modalities: saved.modalities,
    bestModel: saved.bestModel,
    createdAt: new Date().toISOString(),
    metrics,
    patientIds: ids,
    labels: best.y,
    // Six digits: coarser rounding makes ties that move the AUROC of these predictions away from the reported one.
    probabilities: best.score.map((p) => round(p, 6)),
    ...(best.cv === undefined ? {} : { folds: best.cv.foldOf.map((f) => Array.from(f)) }),
    importance,
    risks,
    experiment,
    notes,
    design: 'prognostic',
    selection: { rule: SELECTION_RULE, minPatients: MIN_SUPPORT.patients, minCases: MIN_SUPPORT.cases, reason: selection.reason },
    warnings: selection.warnings,
    designs: runs.map((r) => designReport(r, oracles)),
  };
  const file = path.join(saved.path, OUTCOME_MODEL_REPORT);
  fs.writeFileSync(`${file}.tmp`, `${JSON.stringify(report, null, 1)}\n`);
  fs.renameSync(`${file}.tmp`, file);
  fs.rmSync(path.join(ws.automl.modelsDir, `${outcome}-importance`), { recursive: true, force: true });
  return report;
}

/**
 * Outcomes {@link trainOutcomeModels} trains at once. Two keep both cores busy (the main thread's decisions for one
 * outcome beside the fit workers' tasks of the other) without holding more than two outcomes' tables and kept
 * predictors in memory.
 */
const OUTCOMES_AT_ONCE = 2;

/**
 * Runs the whole train-test job: for each outcome, every design ({@link runDesign}: clinical-only on the full
 * cohort, the paired comparisons, and for `guidance` the 80/20 metrics and leakage audit), then saves the selected
 * prognostic model with its report ({@link saveOutcomeModel}).
 *
 * @param ws - the open workspace
 * @param options - outcomes, designs, folds, fit options
 * @returns the reports written (outcomes where nothing could be evaluated have none) and every experiment row
 * @throws {@link HealthDataError} (not-found) when the clinical feature groups do not exist yet
 * @example
 * ```ts
 * const { reports } = await trainOutcomeModels(ws, { folds: 5 });
 * console.table(reports.map((r) => ({ outcome: r.outcome, set: r.modalities, auroc: r.metrics.roc_auc, warnings: r.warnings?.join('; ') })));
 * ```
 */
export async function trainOutcomeModels(ws: Workspace, options: TrainOutcomeOptions = {}): Promise<{ reports: OutcomeModelReport[]; experiment: ModalityExperimentRow[] }> {
  const outcomes = options.outcomes ?? (Object.keys(OUTCOMES) as Outcome[]);
  const designs = STUDY_DESIGNS.filter((d) => d === 'prognostic' || (options.designs ?? STUDY_DESIGNS).includes(d));
  const seed = options.seed ?? ws.config.seed;
  const reports: OutcomeModelReport[] = [];
  const experiment: ModalityExperimentRow[] = [];
  const progress = options.progress ?? ws.progress;
  const perOutcome = designs.reduce((n, d) => n + DESIGN_COMPARISONS[d].length + (d === 'guidance' ? 0 : 1), 0);
  const bar = progress.start('train-test (outcomes × designs × comparisons)', outcomes.length * perOutcome);
  const studyDates = await imagingStudyDates(ws);
  const trainOne = async (outcome: Outcome): Promise<{ report: OutcomeModelReport | undefined; rows: ModalityExperimentRow[] }> => {
    const runs: DesignRun[] = [];
    for (const design of designs) {
      runs.push(
        await runDesign(ws, outcome, design, {
          ...(options.folds === undefined ? {} : { folds: options.folds }),
          ...(options.repeats === undefined ? {} : { repeats: options.repeats }),
          ...(options.fit === undefined ? {} : { fit: options.fit }),
          seed,
          studyDates,
          onSet: () => {
            bar.tick();
          },
        }),
      );
    }
    const rows = runs.flatMap((run) => [...(run.fullCohort === undefined ? [] : [run.fullCohort.row]), ...run.comparisons.flatMap((c) => c.results.map((r) => r.row))]);
    return { report: await saveOutcomeModel(ws, runs, outcome, { ...options, seed }), rows };
  };
  // Two outcomes at a time: one outcome's main-thread work (cohort loading, per-fold decisions, importance) overlaps
  // the other's fits in the worker pool. Results are consumed in outcome order and do not depend on the interleaving.
  await inOrder(outcomes, OUTCOMES_AT_ONCE, trainOne, (_, r) => {
    experiment.push(...r.rows);
    if (r.report !== undefined) {
      reports.push(r.report);
    }
  });
  bar.finish();
  return { reports, experiment };
}

/** One design × comparison × set row of a report, flat (what the dashboard's Models sheet tabulates). */
export interface ReportDesignRow {
  /** Design. */
  readonly design: string;
  /** The comparison's largest set. */
  readonly comparison: string;
  /** Modality set. */
  readonly set: string;
  /** Patients of the comparison. */
  readonly patients: number;
  /** Cases. */
  readonly cases: number;
  /** AUROC (null: not evaluable). */
  readonly auroc: number | null;
  /** Lower bound. */
  readonly lower: number | null;
  /** Upper bound. */
  readonly upper: number | null;
  /** Paired difference to clinical-only. */
  readonly vsClinical: { readonly difference: number; readonly lower: number; readonly upper: number } | null;
  /** The set's oracle AUROC, when known. */
  readonly oracle: number | null;
  /** The oracle's upper bound (Monte Carlo: the population AUROC's), when known. */
  readonly oracleUpper?: number | null;
  /** The upper bound of the oracle's sampling interval at this comparison's size ({@link oracleAtSize}), when known. */
  readonly oracleSampleUpper?: number | null;
  /** Set when the AUROC exceeds the oracle's upper bound. */
  readonly exceedsOracle?: OracleExceedance;
  /** The in-fit logistic baseline's CV AUROC on the same folds, when known. */
  readonly baselineAuroc?: number;
}

/**
 * A report's design tables as flat rows.
 *
 * @param report - an outcome model report
 * @returns one row per design × comparison × set (empty for reports written before designs existed)
 */
export function modelDesignRows(report: OutcomeModelReport): ReportDesignRow[] {
  return (report.designs ?? []).flatMap((d) =>
    d.comparisons.flatMap((c) =>
      c.sets.map((s) => ({
        design: d.design,
        comparison: c.largest,
        set: s.set,
        patients: c.patients,
        cases: c.cases,
        auroc: s.auroc,
        lower: s.lower,
        upper: s.upper,
        vsClinical: s.vsClinical === null ? null : { difference: s.vsClinical.difference, lower: s.vsClinical.lower, upper: s.vsClinical.upper },
        oracle: s.oracle?.auroc ?? null,
        oracleUpper: s.oracle?.upper ?? null,
        oracleSampleUpper: s.oracle?.sampleUpper ?? null,
        ...(s.exceedsOracle === undefined ? {} : { exceedsOracle: s.exceedsOracle }),
        ...(s.baselineAuroc === undefined ? {} : { baselineAuroc: s.baselineAuroc }),
      })),
    ),
  );
}

/**
 * Reads the reports of the saved outcome models.
 *
 * @param modelsDir - the models folder (`ws.automl.modelsDir`)
 * @returns the reports found, by outcome name (unreadable or other-version files are skipped)
 */
export function readOutcomeModelReports(modelsDir: string): OutcomeModelReport[] {
  if (!fs.existsSync(modelsDir)) {
    return [];
  }
  const out: OutcomeModelReport[] = [];
  for (const d of fs.readdirSync(modelsDir).sort()) {
    const file = path.join(modelsDir, d, OUTCOME_MODEL_REPORT);
    if (!fs.existsSync(file)) {
      continue;
    }
    try {
      const r = JSON.parse(fs.readFileSync(file, 'utf8')) as { readonly version?: unknown };
      if (r.version === 1) {
        out.push(r as OutcomeModelReport);
      }
    } catch {
      // A half-written or foreign file is not a report.
    }
  }
  return out;
}
