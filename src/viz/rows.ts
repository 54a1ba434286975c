/**
 * The plain data shapes the figure builders and the dashboard read. They are deliberately small and independent of
 * any store: `src/dashboard/load.ts` fills them from whatever tables the workspace has, tests build them directly.
 */
import type { ReportDesignRow } from '../automl/outcome-models';

/** The four outcomes of the guidance (SNOMED CT). */
export const DASHBOARD_OUTCOMES = [
  { key: 'hypertension', label: 'Hypertension', snomed: '59621000' },
  { key: 'stroke', label: 'Stroke', snomed: '230690007' },
  { key: 'chd', label: 'Coronary heart disease', snomed: '53741008' },
  { key: 'alzheimers', label: "Alzheimer's disease", snomed: '26929004' },
] as const;

/** Outcome key (`hypertension`, `stroke`, `chd`, `alzheimers`). */
export type DashboardOutcome = (typeof DASHBOARD_OUTCOMES)[number]['key'];

/** Modalities a patient can have data for. */
export const DATA_MODALITIES = ['clinical', 'genomic', 'imaging'] as const;

/** A modality. */
export type DataModality = (typeof DATA_MODALITIES)[number];

/** Administrative sex as FHIR `Patient.gender` spells it. */
export type PatientSex = 'male' | 'female' | 'other' | 'unknown';

/** One patient. `name` and `address` are identifiers: shown only when asked for. */
export interface DashboardPatient {
  /** FHIR Patient.id. */
  readonly id: string;
  /** Administrative sex. */
  readonly sex: PatientSex;
  /** Birth date, ISO `YYYY-MM-DD` (null when unknown). */
  readonly birthDate: string | null;
  /** Death date, ISO (null/absent when alive). */
  readonly deathDate?: string | null;
  /** Outcomes this patient has. */
  readonly outcomes: readonly DashboardOutcome[];
  /** Modalities with data. */
  readonly modalities: readonly DataModality[];
  /** Display name (identifier). */
  readonly name?: string;
  /** Address line (identifier). */
  readonly address?: string;
}

/** A diagnosed condition. */
export interface ConditionEventRow {
  /** Patient id. */
  readonly patientId: string;
  /** SNOMED CT code. */
  readonly code: string;
  /** Display text. */
  readonly display: string;
  /** Onset date-time, ISO (null when unknown). */
  readonly onset: string | null;
}

/** An encounter. */
export interface EncounterEventRow {
  /** Patient id. */
  readonly patientId: string;
  /** Encounter class or type display. */
  readonly type: string;
  /** Start, ISO. */
  readonly start: string;
}

/** A numeric observation (vital sign or lab). */
export interface NumericObservationRow {
  /** Patient id. */
  readonly patientId: string;
  /** LOINC code. */
  readonly code: string;
  /** Display text. */
  readonly display: string;
  /** Value. */
  readonly value: number;
  /** Unit (UCUM). */
  readonly unit: string;
  /** Effective date-time, ISO. */
  readonly effective: string;
}

/** A patient's annotated variant. */
export interface VariantFindingRow {
  /** Patient id (VCF sample). */
  readonly patientId: string;
  /** Gene symbol (ClinVar GENEINFO). */
  readonly gene: string;
  /** ClinVar CLNSIG (e.g. `Pathogenic`, `Benign`, `Uncertain_significance`). */
  readonly clinicalSignificance: string;
  /** Variant label (rsID or `chrom:pos:ref>alt`). */
  readonly variant: string;
  /** ClinVar CLNDN (disease name), when known. */
  readonly condition?: string;
  /** Genotype (`0/1`, `1/1`…). */
  readonly genotype?: string;
}

/** A patient's APOE genotype (e.g. `e3/e4`). */
export interface ApoeGenotypeRow {
  /** Patient id. */
  readonly patientId: string;
  /** Genotype, allele pair in ascending order. */
  readonly genotype: string;
}

/** Radiomic features of one image set. */
export interface RadiomicFeatureRow {
  /** Patient id. */
  readonly patientId: string;
  /** Image set / series id. */
  readonly imageSetId: string;
  /** Feature name → value (IBSI names). */
  readonly features: Readonly<Record<string, number>>;
}

/**
 * One radiomic feature per patient: the value of `feature` from each patient's image sets (a later row of the same
 * patient replaces an earlier one), non-finite values left out.
 *
 * @param rows - radiomic feature rows
 * @param feature - IBSI feature name, e.g. `csf_fraction`
 * @returns patient id → value
 */
export function radiomicFeatureValues(rows: readonly RadiomicFeatureRow[], feature: string): Map<string, number> {
  const values = new Map<string, number>();
  for (const r of rows) {
    const v = r.features[feature];
    if (v !== undefined && Number.isFinite(v)) {
      values.set(r.patientId, v);
    }
  }
  return values;
}

/** A grey-level image slice (one MRI frame). */
export interface GreySlice {
  /** Columns. */
  readonly width: number;
  /** Rows. */
  readonly height: number;
  /** Row-major pixel values (any numeric range; windowed to 8 bits for display). */
  readonly pixels: ArrayLike<number>;
}

/** Feature importance entry. */
export interface ImportanceEntry {
  /** Feature name. */
  readonly feature: string;
  /** Importance (e.g. permutation importance, higher = more important). */
  readonly importance: number;
}

/** One trained model's results on held-out predictions (a test split, or cross-validated out-of-fold predictions). */
export interface ModelResultSummary {
  /** Outcome the model predicts. */
  readonly outcome: string;
  /** Model name (e.g. `WeightedEnsemble`). */
  readonly model: string;
  /** Metric name → value (roc_auc, accuracy, f1, brier…). */
  readonly metrics: Readonly<Record<string, number>>;
  /** Test-set labels (for ROC/calibration). */
  readonly labels?: readonly number[];
  /** Test-set predicted probabilities (same order as labels). */
  readonly probabilities?: readonly number[];
  /** Feature importance. */
  readonly importance?: readonly ImportanceEntry[];
  /** Warnings saved with the model (below minimum support, AUROC interval at or below 0.5). */
  readonly warnings?: readonly string[];
  /** How the model was chosen (the selection rule's reason). */
  readonly selection?: string;
  /** Every design's paired comparisons, one row per design × comparison × modality set. */
  readonly designs?: readonly ReportDesignRow[];
}

/** A patient's predicted risk for one outcome. */
export interface PatientRiskRow {
  /** Patient id. */
  readonly patientId: string;
  /** Outcome. */
  readonly outcome: string;
  /** Predicted probability. */
  readonly probability: number;
  /** Top contributing features (largest first). */
  readonly topFeatures: readonly { readonly feature: string; readonly contribution: number }[];
}

/**
 * Label of an outcome key (the key itself when unknown).
 *
 * @param key - outcome key
 * @returns the display label
 */
export function dashboardOutcomeLabel(key: string): string {
  return DASHBOARD_OUTCOMES.find((o) => o.key === key)?.label ?? key;
}

/**
 * Age in whole years on a date.
 *
 * @param birthDate - ISO date (null → undefined)
 * @param asOf - ISO date the age is computed at
 * @returns age in years, or undefined when the birth date is unknown or invalid
 */
export function ageInYears(birthDate: string | null, asOf: string): number | undefined {
  if (birthDate === null || !/^\d{4}-\d{2}-\d{2}/.test(birthDate) || !/^\d{4}-\d{2}-\d{2}/.test(asOf)) {
    return undefined;
  }
  const [by, bm, bd] = birthDate.slice(0, 10).split('-').map(Number) as [number, number, number];
  const [ay, am, ad] = asOf.slice(0, 10).split('-').map(Number) as [number, number, number];
  let age = ay - by;
  if (am < bm || (am === bm && ad < bd)) {
    age -= 1;
  }
  return age >= 0 ? age : undefined;
}

/**
 * Ten-year age band label (`0-9` … `80-89`, `90+`; `unknown` when undefined).
 *
 * @param age - age in years
 * @returns the band label
 */
export function tenYearAgeBand(age: number | undefined): string {
  if (age === undefined) {
    return 'unknown';
  }
  if (age >= 90) {
    return '90+';
  }
  const lo = Math.floor(age / 10) * 10;
  return `${String(lo)}-${String(lo + 9)}`;
}

/** All age bands in display order. */
export const TEN_YEAR_AGE_BANDS: readonly string[] = ['0-9', '10-19', '20-29', '30-39', '40-49', '50-59', '60-69', '70-79', '80-89', '90+', 'unknown'];
