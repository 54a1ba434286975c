/**
 * Pre-aggregation for the population sheets. Patients are grouped into strata (sex × age band × outcome set ×
 * modality set); every figure input is stored as a sparse vector per stratum. The page sums the strata a filter
 * selects and rebinds the traces — so a 10,000-patient cohort ships a few hundred strata, not 10,000 records.
 */
import { TEN_YEAR_AGE_BANDS, DATA_MODALITIES, DASHBOARD_OUTCOMES, tenYearAgeBand, ageInYears, dashboardOutcomeLabel } from '../viz/rows';
import type { DashboardPatient } from '../viz/rows';
import { calibrationFigure, designComparisonFigure, importanceFigure, metricsTableFigure, rocFigure } from '../viz/figures-models';
import { Accumulator, clinicalSheetFigures, genomicSheetFigures, imagingSheetFigures, slug } from './population-sheets';
import type { PopulationContext } from './population-sheets';
import type { DashboardInput, PopulationData, DashboardSheet, DashboardSheetFigure } from './types';

/** Sexes in filter order. */
const SEXES = ['female', 'male', 'other', 'unknown'] as const;

/** Options of {@link buildPopulationData}. */
export interface PopulationDataOptions {
  /** Put names in the patient picker labels. */
  readonly includeIdentifiers?: boolean;
  /** Conditions on the prevalence chart (default 20). */
  readonly topConditions?: number;
  /** Equal-width histogram bins (default: Freedman–Diaconis bins per measure, see viz/histogram-bins). */
  readonly bins?: number;
  /** Most points drawn in an embedding (default 3000; an even sample beyond). */
  readonly maxPoints?: number;
}

/** The strata every patient falls in (sex × ten-year age band × outcome bits × modality bits), deduplicated. */
interface Strata {
  readonly st: { sex: number[]; band: number[]; outcomes: number[]; modalities: number[] };
  readonly patientStratum: number[];
  readonly index: Map<string, number>;
}

function buildStrata(input: DashboardInput): Strata {
  const patients = input.patients;
  const index = new Map(patients.map((p, i) => [p.id, i]));
  const strataKey = new Map<string, number>();
  const st = { sex: [] as number[], band: [] as number[], outcomes: [] as number[], modalities: [] as number[] };
  const patientStratum = patients.map((p) => {
    const sex = Math.max(0, SEXES.indexOf(p.sex));
    const band = TEN_YEAR_AGE_BANDS.indexOf(tenYearAgeBand(ageInYears(p.birthDate, input.asOf)));
    const om = DASHBOARD_OUTCOMES.reduce((m, o, i) => (p.outcomes.includes(o.key) ? m | (1 << i) : m), 0);
    const mm = DATA_MODALITIES.reduce((m, o, i) => (p.modalities.includes(o) ? m | (1 << i) : m), 0);
    const k = `${String(sex)}|${String(band)}|${String(om)}|${String(mm)}`;
    let s = strataKey.get(k);
    if (s === undefined) {
      s = st.sex.length;
      strataKey.set(k, s);
      st.sex.push(sex);
      st.band.push(band);
      st.outcomes.push(om);
      st.modalities.push(mm);
    }
    return s;
  });
  return { st, patientStratum, index };
}

/** The Models sheet: test-split results of the saved models (the filters do not apply to it). */
function modelsSheetFigures(input: DashboardInput): DashboardSheetFigure[] {
  const models: DashboardSheetFigure[] = [];
  if (input.models.length > 0) {
    models.push({ id: 'metrics', figure: metricsTableFigure(input.models), bindings: [] });
    models.push({ id: 'designs', figure: designComparisonFigure(input.models), bindings: [] });
    models.push({ id: 'roc', figure: rocFigure(input.models), bindings: [] });
    models.push({ id: 'calibration', figure: calibrationFigure(input.models), bindings: [] });
    for (const m of input.models) {
      if ((m.importance ?? []).length > 0) {
        models.push({ id: `importance-${slug(m.outcome)}-${slug(m.model)}`, figure: importanceFigure(m), bindings: [] });
      }
    }
  }
  return models;
}

/** The four sheets in order, each with its availability and message (a loader note wins over the empty message). */
function assembleSheets(
  input: DashboardInput,
  figures: { readonly clinical: DashboardSheetFigure[]; readonly genomic: DashboardSheetFigure[]; readonly imaging: DashboardSheetFigure[]; readonly models: DashboardSheetFigure[] },
): DashboardSheet[] {
  const { clinical, genomic, imaging, models } = figures;
  const patients = input.patients;
  const note = (k: string): string | undefined => input.notes?.[k];
  const sheet = (key: string, title: string, figures: DashboardSheetFigure[], availableIf: boolean, emptyMessage: string): DashboardSheet => {
    const message = availableIf ? note(key) : (note(key) ?? emptyMessage);
    return { key, title, available: availableIf, figures, ...(message === undefined ? {} : { message }) };
  };
  return [
    sheet('clinical', 'Clinical', clinical, patients.length > 0, 'no data yet for this modality'),
    sheet('genomic', 'Genomic', genomic, genomic.length > 0, 'no data yet for this modality'),
    sheet('imaging', 'Imaging', imaging, imaging.length > 0, 'no data yet for this modality'),
    {
      ...sheet('models', 'Models', models, models.length > 0, 'no trained models yet'),
      ...(models.length > 0
        ? {
            message:
              'Results of the trained models on held-out predictions (cross-validated, out-of-fold: every patient scored by models that never saw them); the filters do not apply to this sheet.',
          }
        : {}),
    },
  ];
}

/** The context the sheet builders share: options with their defaults, patient → stratum lookups, the measure sink. */
function populationContext(input: DashboardInput, options: PopulationDataOptions, strata: Pick<Strata, 'patientStratum' | 'index'>, put: (name: string, acc: Accumulator) => void): PopulationContext {
  const { patientStratum, index } = strata;
  const patients = input.patients;
  return {
    input,
    bins: options.bins,
    topConditions: options.topConditions ?? 20,
    maxPoints: options.maxPoints ?? 3000,
    index,
    patientStratum,
    strataOf: (patientId) => {
      const i = index.get(patientId);
      return i === undefined ? undefined : patientStratum[i];
    },
    has: (outcome) => (id) => {
      const i = index.get(id);
      return i !== undefined && (patients[i]?.outcomes as readonly string[] | undefined)?.includes(outcome) === true;
    },
    put,
  };
}

/**
 * Builds the population page data: strata, measures, figure templates with their filter bindings, embeddings and
 * the patient index.
 *
 * @param input - the dashboard input
 * @param options - identifiers, sizes
 * @returns the population data (JSON-serializable)
 */
export function buildPopulationData(input: DashboardInput, options: PopulationDataOptions = {}): PopulationData {
  const patients = input.patients;
  const { st, patientStratum, index } = buildStrata(input);
  const measures: Record<string, { length: number; strata: number[][] }> = {};
  const ctx = populationContext(input, options, { patientStratum, index }, (name, acc) => {
    measures[name] = { length: acc.length, strata: acc.sparse(st.sex.length) };
  });
  const count = new Accumulator(1);
  patientStratum.forEach((s) => {
    count.add(s, 0);
  });
  ctx.put('count', count);
  const clinical = clinicalSheetFigures(ctx);
  const genomic = genomicSheetFigures(ctx);
  const imaging = imagingSheetFigures(ctx);
  const models = modelsSheetFigures(input);
  const sheets = assembleSheets(input, { clinical, genomic, imaging: imaging.figures, models });
  const label = (p: DashboardPatient): string => {
    const base = `${p.id} · ${p.sex} · ${tenYearAgeBand(ageInYears(p.birthDate, input.asOf))}`;
    return options.includeIdentifiers === true && p.name !== undefined ? `${p.name} · ${base}` : base;
  };
  return {
    version: 1,
    asOf: input.asOf,
    patientCount: patients.length,
    includeIdentifiers: options.includeIdentifiers === true,
    filters: { outcomes: DASHBOARD_OUTCOMES.map((o) => ({ key: o.key, label: dashboardOutcomeLabel(o.key) })), sexes: [...SEXES], ageBands: [...TEN_YEAR_AGE_BANDS], modalities: [...DATA_MODALITIES] },
    strata: st,
    measures,
    points: imaging.points,
    sheets,
    patients: { ids: patients.map((p) => p.id), labels: patients.map(label), stratum: patientStratum },
  };
}
