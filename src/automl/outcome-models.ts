/**
 * The train-test job for the four outcomes, as one library call the pipeline (`train-models` step) and notebook 09
 * share: build each outcome's leakage-free training set from the feature groups, cross-validate every modality set,
 * refit the best set on all its patients and save it as model `<outcome>`, and write a report beside it
 * (`outcome-model.json`) with the cross-validated metrics, out-of-fold predictions, held-out permutation importance
 * and per-patient risks with their top features — what the dashboard's Models sheet and patient view draw.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { HealthDataError } from '../errors';
import type { ProgressReporter } from '../progress';
import type { Workspace } from '../workspace';
import type { Outcome } from '../clinical/cohort';
import { OUTCOMES } from '../clinical/cohort';
import type { TrainingDataset } from '../features/dataset';
import { stratifiedHoldout } from './cv';
import type { ModalityExperimentResult, ModalityExperimentRow } from './experiment';
import { bestModalityResult, fitBestModel, modalitySets, runModalityExperiment } from './experiment';
import { permutationImportance } from './importance';
import type { FitOptions, TabularPredictor } from './predictor';
import { subsetTable } from './predictor';

/** File name of the report written beside each saved outcome model. */
export const OUTCOME_MODEL_REPORT = 'outcome-model.json';

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
  /** Cross-validated metrics of the set: accuracy, precision, recall, f1, roc_auc with roc_auc_lower/upper, patients, cases, folds. */
  readonly metrics: Readonly<Record<string, number>>;
  /** Patients of the set, in the order of `labels` and `probabilities`. */
  readonly patientIds: readonly string[];
  /** 0/1 labels. */
  readonly labels: readonly number[];
  /** Out-of-fold probabilities. */
  readonly probabilities: readonly number[];
  /** Permutation importance on a held-out 30% (empty when the cohort is too small for a split, see `notes`). */
  readonly importance: readonly { readonly feature: string; readonly importance: number; readonly stddev: number; readonly pValue: number }[];
  /** Per-patient risks. */
  readonly risks: readonly OutcomeRisk[];
  /** Every modality set's cross-validation row, best first by AUROC. */
  readonly experiment: readonly ModalityExperimentRow[];
  /** What was reduced or skipped, and why. */
  readonly notes: readonly string[];
}

/** Options of {@link trainOutcomeModels} and {@link saveOutcomeModel}. */
export interface TrainOutcomeOptions {
  /** Outcomes (default all four). */
  readonly outcomes?: readonly Outcome[];
  /** Cross-validation folds (default 5; fewer when a class is smaller). */
  readonly folds?: number;
  /** Fit options per fold and for the saved model (default `{ presets: 'fast' }`). */
  readonly fit?: FitOptions;
  /** Features listed per patient in `risks` (default 3). */
  readonly topFeatures?: number;
  /** Seed (default the workspace's `MMH_SEED`). */
  readonly seed?: number;
  /** Progress reporter (default the workspace's). */
  readonly progress?: ProgressReporter;
}

/**
 * Builds an outcome's training set: the clinical cohort's labels and index dates as the base, joined point-in-time
 * (only feature records dated before each patient's index date) with the outcome's clinical group and whichever of
 * the genomic and imaging groups exist.
 *
 * @param ws - the open workspace
 * @param outcome - the outcome
 * @returns the training set (a left join: patients without a modality keep missing values there)
 * @throws {@link HealthDataError} (not-found) when the outcome's clinical feature group does not exist yet
 */
export async function buildOutcomeDataset(ws: Workspace, outcome: Outcome): Promise<TrainingDataset> {
  const existing = new Set((await ws.features.listFeatureGroups()).map((g) => g.name));
  const clinical = `clinical-${outcome}`;
  if (!existing.has(clinical)) {
    throw new HealthDataError('not-found', `buildOutcomeDataset: feature group ${clinical} does not exist; run the features-clinical step (npm start, or notebook 06) first`, { path: clinical });
  }
  const { labels } = await ws.clinical.cohort({ outcome });
  const base = labels.rows.map((l) => ({ patient_id: l.patientId, index_date: l.indexDate, label: l.label }));
  return ws.features.buildDataset({
    base: { rows: base, recordIdentifierName: 'patient_id', eventTimeName: 'index_date' },
    groups: [clinical, ...['genomic', 'imaging-features'].filter((g) => existing.has(g))],
    joinType: 'left',
  });
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

/**
 * Saves an outcome's best model from its experiment results (see {@link fitBestModel}) and writes its report: the
 * cross-validated metrics and out-of-fold predictions of the best set, permutation importance of a model fitted on
 * 70% and scored on the other 30%, and each patient's out-of-fold risk with the saved model's ablation contributions
 * of the eight most important features.
 *
 * @param ws - the open workspace
 * @param results - the outcome's experiment results (one per modality set)
 * @param outcome - the outcome (also the model name)
 * @param options - fit options, features per patient
 * @returns the report, or undefined when no set of the outcome could be evaluated
 */
export async function saveOutcomeModel(ws: Workspace, results: readonly ModalityExperimentResult[], outcome: Outcome, options: TrainOutcomeOptions = {}): Promise<OutcomeModelReport | undefined> {
  const fit = options.fit ?? { presets: 'fast' };
  const best = bestModalityResult(results, outcome);
  const saved = best === undefined ? undefined : await fitBestModel(ws.automl, results, outcome, fit);
  if (best === undefined || saved === undefined || best.aurocEstimate === undefined) {
    return undefined;
  }
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
    importance = permutationImportance(holdoutModel, subsetTable(best.data, split.holdout), { numShuffles: 5 }).map((r) => ({ feature: r.feature, importance: round(r.importance), stddev: round(r.stddev), pValue: round(r.pValue) }));
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
    patients: best.row.patients,
    cases: best.row.cases,
    folds: best.row.folds,
  };
  const experiment = results
    .filter((r) => r.row.outcome === outcome)
    .map((r) => r.row)
    .sort((a, b) => (b.auroc ?? -1) - (a.auroc ?? -1));
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
    importance,
    risks,
    experiment,
    notes,
  };
  const file = path.join(saved.path, OUTCOME_MODEL_REPORT);
  fs.writeFileSync(`${file}.tmp`, `${JSON.stringify(report, null, 1)}\n`);
  fs.renameSync(`${file}.tmp`, file);
  fs.rmSync(path.join(ws.automl.modelsDir, `${outcome}-importance`), { recursive: true, force: true });
  return report;
}

/**
 * Runs the whole train-test job: for each outcome, builds the training set, cross-validates the seven modality sets
 * (each alone, the pairs, all three; sets with too few patients are skipped with a note), then saves the best one
 * with its report ({@link saveOutcomeModel}).
 *
 * @param ws - the open workspace
 * @param options - outcomes, folds, fit options
 * @returns the reports written (outcomes whose sets were all skipped have none) and every experiment row
 * @throws {@link HealthDataError} (not-found) when the clinical feature groups do not exist yet
 * @example
 * ```ts
 * const { reports } = await trainOutcomeModels(ws, { folds: 5 });
 * console.table(reports.map((r) => ({ outcome: r.outcome, set: r.modalities, auroc: r.metrics.roc_auc })));
 * ```
 */
export async function trainOutcomeModels(ws: Workspace, options: TrainOutcomeOptions = {}): Promise<{ reports: OutcomeModelReport[]; experiment: ModalityExperimentRow[] }> {
  const outcomes = options.outcomes ?? (Object.keys(OUTCOMES) as Outcome[]);
  const seed = options.seed ?? ws.config.seed;
  const reports: OutcomeModelReport[] = [];
  const experiment: ModalityExperimentRow[] = [];
  const progress = options.progress ?? ws.progress;
  const bar = progress.start('train-test (outcomes × modality sets)', outcomes.length * 7);
  for (const outcome of outcomes) {
    const ds = await buildOutcomeDataset(ws, outcome);
    const groups = new Set(Object.values(ds.featureSources).map((s) => s.slice(0, s.indexOf('.'))));
    const results: ModalityExperimentResult[] = [];
    for (const set of modalitySets(outcome)) {
      if (set.groups.every((g) => groups.has(g))) {
        results.push(await runModalityExperiment(ds, { outcome, modalities: set.name, groups: set.groups, folds: options.folds ?? 5, repeats: 1, fit: options.fit ?? { presets: 'fast' }, seed }));
      }
      bar.tick();
    }
    experiment.push(...results.map((r) => r.row));
    const report = await saveOutcomeModel(ws, results, outcome, { ...options, seed });
    if (report !== undefined) {
      reports.push(report);
    }
  }
  bar.finish();
  return { reports, experiment };
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
