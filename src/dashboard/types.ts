/**
 * What the dashboard is built from (typed rows, filled from the workspace's stores or passed in) and what it writes
 * (the pre-aggregated population data and the lazy per-patient records).
 */
import type { PlotlyFigure } from '../viz/figure';
import type { MriReference } from './mri';
import type {
  ApoeGenotypeRow,
  ConditionEventRow,
  EncounterEventRow,
  ModelResultSummary,
  NumericObservationRow,
  DashboardPatient,
  RadiomicFeatureRow,
  PatientRiskRow,
  VariantFindingRow,
} from '../viz/rows';

/** Everything the dashboard draws. Empty arrays mean "no data yet" for that modality. */
export interface DashboardInput {
  /** Date ages are computed at (ISO `YYYY-MM-DD`). */
  readonly asOf: string;
  /** Patients. */
  readonly patients: readonly DashboardPatient[];
  /** Conditions. */
  readonly conditions: readonly ConditionEventRow[];
  /** Encounters. */
  readonly encounters: readonly EncounterEventRow[];
  /** Numeric observations (vitals, labs). */
  readonly observations: readonly NumericObservationRow[];
  /** Annotated variants per patient. */
  readonly variants: readonly VariantFindingRow[];
  /** APOE genotypes. */
  readonly apoe: readonly ApoeGenotypeRow[];
  /** Radiomic features per image set. */
  readonly radiomics: readonly RadiomicFeatureRow[];
  /** Patient id → PNG data URI of the MRI middle slice. */
  readonly thumbnails: ReadonlyMap<string, string>;
  /** Trained models' results. */
  readonly models: readonly ModelResultSummary[];
  /** Per-patient predicted risks. */
  readonly risks: readonly PatientRiskRow[];
  /** Why a section is empty (table missing…), shown on the sheet. */
  readonly notes?: Readonly<Record<string, string>>;
  /** Patient id → where their MRI was written in the site ({@link writeMriFiles}). */
  readonly mri?: ReadonlyMap<string, MriReference>;
}

/** Where a filtered sum is taken: the selected focus outcome, its complement, or a fixed outcome. */
export type FigureBindingWhere = 'focus' | 'not-focus' | { readonly outcome: string; readonly has: boolean };

/** How a trace attribute is recomputed from a measure when the filters change. */
export interface FigureBinding {
  /** Trace index. */
  readonly trace: number;
  /** Trace attribute to replace (`x`, `y`, `z`, `customdata`) or `name` (templated with the focus label). */
  readonly prop: 'x' | 'y' | 'z' | 'customdata' | 'name';
  /** Measure name (not used for `name`). */
  readonly measure?: string;
  /** Restricts the strata summed (on top of the filters). */
  readonly where?: FigureBindingWhere;
  /** Sub-range `[start, end)` of the measure vector. */
  readonly slice?: readonly [number, number];
  /** `negate`, `percent-of-count` (÷ patients in the selection × 100) or `percent-of-sum` (÷ vector sum × 100). */
  readonly transform?: 'negate' | 'percent-of-count' | 'percent-of-sum';
  /** For `z`: number of columns to fold the vector into. */
  readonly columns?: number;
  /** For `name`: template with `{focus}`. */
  readonly template?: string;
}

/** A figure on a sheet, with how it follows the filters. */
export interface DashboardSheetFigure {
  /** Stable id (also the div id). */
  readonly id: string;
  /** The figure as built for the whole population. */
  readonly figure: PlotlyFigure;
  /** Bindings (empty: the figure ignores filters). */
  readonly bindings: readonly FigureBinding[];
  /** For embeddings: which point set fills traces 0 (without focus) and 1 (with focus). */
  readonly points?: string;
}

/** One population sheet. */
export interface DashboardSheet {
  /** `clinical`, `genomic`, `imaging`, `models`. */
  readonly key: string;
  /** Tab title. */
  readonly title: string;
  /** False when the modality has no data yet. */
  readonly available: boolean;
  /** Message shown when unavailable (or a note). */
  readonly message?: string;
  /** Figures. */
  readonly figures: readonly DashboardSheetFigure[];
}

/** The pre-aggregated population data the page loads (`data/population.js`). */
export interface PopulationData {
  /** Format version. */
  readonly version: 1;
  /** Age reference date. */
  readonly asOf: string;
  /** Patients in total. */
  readonly patientCount: number;
  /** Whether names/addresses are included. */
  readonly includeIdentifiers: boolean;
  /** Filter choices. */
  readonly filters: {
    readonly outcomes: readonly { readonly key: string; readonly label: string }[];
    readonly sexes: readonly string[];
    readonly ageBands: readonly string[];
    readonly modalities: readonly string[];
  };
  /** Strata, columnar: index into `sexes`, index into `ageBands`, outcome bitmask, modality bitmask. */
  readonly strata: { readonly sex: readonly number[]; readonly band: readonly number[]; readonly outcomes: readonly number[]; readonly modalities: readonly number[] };
  /** Measure name → per-stratum sparse vectors `[index, value, index, value…]`, and the vector length. */
  readonly measures: Readonly<Record<string, { readonly length: number; readonly strata: readonly (readonly number[])[] }>>;
  /** Point sets (embeddings): coordinates, stratum, outcome mask, patient index. */
  readonly points: Readonly<Record<string, { readonly x: readonly number[]; readonly y: readonly number[]; readonly stratum: readonly number[]; readonly patient: readonly number[] }>>;
  /** Sheets and figures. */
  readonly sheets: readonly DashboardSheet[];
  /** Patient index for the picker: id, label, stratum (file `patients/<i>.js`). */
  readonly patients: { readonly ids: readonly string[]; readonly labels: readonly string[]; readonly stratum: readonly number[] };
}

/** One patient's record (`patients/<i>.js`). */
export interface DashboardPatientRecord {
  /** Patient id. */
  readonly id: string;
  /** Server-rendered, escaped summary card HTML. */
  readonly summaryHtml: string;
  /** Panels, in display order. */
  readonly figures: readonly { readonly id: string; readonly figure: PlotlyFigure }[];
  /** The patient's MRI in the site, drawn by the page's slice viewer. */
  readonly mri?: MriReference;
}
