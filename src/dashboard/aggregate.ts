/**
 * Pre-aggregation for the population sheets. Patients are grouped into strata (sex × age band × outcome set ×
 * modality set); every figure input is stored as a sparse vector per stratum. The page sums the strata a filter
 * selects and rebinds the traces — so a 10,000-patient cohort ships a few hundred strata, not 10,000 records.
 */
import { TEN_YEAR_AGE_BANDS, DATA_MODALITIES, DASHBOARD_OUTCOMES, tenYearAgeBand, ageInYears, dashboardOutcomeLabel } from '../viz/rows';
import type { DashboardPatient } from '../viz/rows';
import {
  ageSexCounts,
  apoeCounts,
  apoeFigure,
  comorbidityFigure,
  comorbidityMatrix,
  conditionCounts,
  conditionPrevalenceFigure,
  demographicsPyramid,
  distributionByOutcomeFigure,
  embeddingFigure,
  significanceCounts,
  splitHistogram,
  variantSignificanceFigure,
} from '../viz/figures-population';
import { calibrationFigure, designComparisonFigure, importanceFigure, metricsTableFigure, rocFigure } from '../viz/figures-models';
import { histogramBins, pca2 } from '../viz/stats';
import { clampedBinIndex, freedmanDiaconisBins } from '../viz/histogram-bins';
import type { HistogramBins } from '../viz/stats';
import { roundTo } from '../viz/figure';
import type { FigureBinding, DashboardInput, PopulationData, DashboardSheet, DashboardSheetFigure } from './types';

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

class Accumulator {
  readonly vectors = new Map<number, Map<number, number>>();
  constructor(readonly length: number) {}
  add(stratum: number, index: number, value = 1): void {
    if (index < 0 || index >= this.length) {
      return;
    }
    let v = this.vectors.get(stratum);
    if (v === undefined) {
      v = new Map();
      this.vectors.set(stratum, v);
    }
    v.set(index, (v.get(index) ?? 0) + value);
  }
  sparse(strata: number): number[][] {
    const out: number[][] = [];
    for (let s = 0; s < strata; s++) {
      const v = this.vectors.get(s);
      out.push(v === undefined ? [] : [...v.entries()].sort((a, b) => a[0] - b[0]).flat());
    }
    return out;
  }
}

function latestBy<T>(rows: readonly T[], key: (r: T) => string, time: (r: T) => string): Map<string, T> {
  const m = new Map<string, T>();
  for (const r of rows) {
    const k = key(r);
    const prev = m.get(k);
    if (prev === undefined || time(r) > time(prev)) {
      m.set(k, r);
    }
  }
  return m;
}

function slug(s: string): string {
  return (
    s
      .toLowerCase()
      .replace(/[^a-z0-9]+/g, '-')
      .replace(/^-|-$/g, '')
      .slice(0, 40) || 'x'
  );
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

/**
 * Builds the population page data: strata, measures, figure templates with their filter bindings, embeddings and
 * the patient index.
 *
 * @param input - the dashboard input
 * @param options - identifiers, sizes
 * @returns the population data (JSON-serializable)
 */
export function buildPopulationData(input: DashboardInput, options: PopulationDataOptions = {}): PopulationData {
  const bins = options.bins;
  const patients = input.patients;
  const { st, patientStratum, index } = buildStrata(input);
  const nStrata = st.sex.length;
  const strataOf = (patientId: string): number | undefined => {
    const i = index.get(patientId);
    return i === undefined ? undefined : patientStratum[i];
  };
  const has =
    (outcome: string) =>
    (id: string): boolean => {
      const i = index.get(id);
      return i !== undefined && (patients[i]?.outcomes as readonly string[] | undefined)?.includes(outcome) === true;
    };
  const measures: Record<string, { length: number; strata: number[][] }> = {};
  const put = (name: string, acc: Accumulator): void => {
    measures[name] = { length: acc.length, strata: acc.sparse(nStrata) };
  };
  const count = new Accumulator(1);
  patientStratum.forEach((s) => {
    count.add(s, 0);
  });
  put('count', count);

  // Clinical sheet.
  const clinical: DashboardSheetFigure[] = [];
  const pyr = ageSexCounts(patients, input.asOf);
  const pyrAcc = { male: new Accumulator(TEN_YEAR_AGE_BANDS.length), female: new Accumulator(TEN_YEAR_AGE_BANDS.length) };
  patients.forEach((p, i) => {
    if (p.sex === 'male' || p.sex === 'female') {
      pyrAcc[p.sex].add(patientStratum[i] ?? 0, TEN_YEAR_AGE_BANDS.indexOf(tenYearAgeBand(ageInYears(p.birthDate, input.asOf))));
    }
  });
  put('age.male', pyrAcc.male);
  put('age.female', pyrAcc.female);
  clinical.push({
    id: 'demographics',
    figure: demographicsPyramid(pyr),
    bindings: [
      { trace: 0, prop: 'x', measure: 'age.male', transform: 'negate' },
      { trace: 0, prop: 'customdata', measure: 'age.male' },
      { trace: 1, prop: 'x', measure: 'age.female' },
    ],
  });
  const prevalence = conditionCounts(input.conditions, patients.length, options.topConditions ?? 20);
  if (prevalence.labels.length > 0) {
    const acc = new Accumulator(prevalence.labels.length);
    const seen = new Set<string>();
    const li = new Map(prevalence.labels.map((l, i) => [l, i]));
    for (const c of input.conditions) {
      const j = li.get(c.display);
      const s = strataOf(c.patientId);
      const k = `${c.patientId}\u0000${c.display}`;
      if (j !== undefined && s !== undefined && !seen.has(k)) {
        seen.add(k);
        acc.add(s, j);
      }
    }
    put('conditions', acc);
    clinical.push({ id: 'prevalence', figure: conditionPrevalenceFigure(prevalence), bindings: [{ trace: 0, prop: 'x', measure: 'conditions', transform: 'percent-of-count' }] });
    const top = prevalence.labels.slice(0, 10);
    const cm = comorbidityMatrix(input.conditions, top);
    const cacc = new Accumulator(top.length * top.length);
    const per = new Map<string, Set<number>>();
    const ti = new Map(top.map((l, i) => [l, i]));
    for (const c of input.conditions) {
      const j = ti.get(c.display);
      if (j !== undefined) {
        const set = per.get(c.patientId) ?? new Set<number>();
        set.add(j);
        per.set(c.patientId, set);
      }
    }
    for (const [id, set] of per) {
      const s = strataOf(id);
      if (s !== undefined) {
        for (const a of set) {
          for (const b of set) {
            cacc.add(s, a * top.length + b);
          }
        }
      }
    }
    put('comorbidity', cacc);
    clinical.push({ id: 'comorbidity', figure: comorbidityFigure(cm), bindings: [{ trace: 0, prop: 'z', measure: 'comorbidity', columns: top.length }] });
  }
  // Vitals/labs: the latest value per patient of the most common codes, split by the focus outcome.
  const byCode = new Map<string, { display: string; unit: string; patients: Set<string> }>();
  for (const o of input.observations) {
    const e = byCode.get(o.code) ?? { display: o.display, unit: o.unit, patients: new Set<string>() };
    e.patients.add(o.patientId);
    byCode.set(o.code, e);
  }
  const codes = [...byCode.entries()].sort((a, b) => b[1].patients.size - a[1].patients.size || a[0].localeCompare(b[0])).slice(0, 6);
  const splitFigure = (target: DashboardSheetFigure[], id: string, measure: string, values: Map<string, number>, label: string, unit: string): void => {
    const edges: HistogramBins | undefined = bins === undefined ? freedmanDiaconisBins(values.values()) : histogramBins(values.values(), bins);
    const h = edges === undefined ? undefined : splitHistogram(values, has(DASHBOARD_OUTCOMES[0].key), { measure: label, unit, outcome: DASHBOARD_OUTCOMES[0].key, edges });
    if (edges === undefined || h === undefined) {
      return;
    }
    const acc = new Accumulator(edges.count);
    for (const [pid, v] of values) {
      const s = strataOf(pid);
      const bin = clampedBinIndex(v, edges);
      if (s !== undefined && bin >= 0) {
        acc.add(s, bin);
      }
    }
    put(measure, acc);
    const bindings: FigureBinding[] = [
      { trace: 0, prop: 'y', measure, where: 'focus', transform: 'percent-of-sum' },
      { trace: 1, prop: 'y', measure, where: 'not-focus', transform: 'percent-of-sum' },
      { trace: 0, prop: 'name', template: 'with {focus}' },
      { trace: 1, prop: 'name', template: 'without {focus}' },
    ];
    target.push({ id, figure: distributionByOutcomeFigure(h), bindings });
  };
  for (const [code, meta] of codes) {
    const latest = latestBy(
      input.observations.filter((o) => o.code === code),
      (o) => o.patientId,
      (o) => o.effective,
    );
    splitFigure(clinical, `obs-${slug(code)}`, `obs:${code}`, new Map([...latest].map(([k, o]) => [k, o.value])), meta.display, meta.unit);
  }

  // Genomic sheet.
  const genomic: DashboardSheetFigure[] = [];
  if (input.variants.length > 0) {
    const sc = significanceCounts(input.variants);
    const genes = sc.genes.slice(0, 25);
    const gi = new Map(genes.map((g, i) => [g, i]));
    const si = new Map(sc.significances.map((s, i) => [s, i]));
    const acc = new Accumulator(sc.significances.length * genes.length);
    const seen = new Set<string>();
    for (const v of input.variants) {
      const g = gi.get(v.gene === '' ? 'intergenic' : v.gene);
      const k = si.get(v.clinicalSignificance === '' ? 'other' : v.clinicalSignificance);
      const s = strataOf(v.patientId);
      const key = `${v.patientId}\u0000${String(g)}\u0000${String(k)}`;
      if (g !== undefined && k !== undefined && s !== undefined && !seen.has(key)) {
        seen.add(key);
        acc.add(s, k * genes.length + g);
      }
    }
    put('variants', acc);
    const trimmed = { genes, significances: sc.significances, counts: sc.counts.map((row) => row.slice(0, genes.length)) };
    genomic.push({
      id: 'variants',
      figure: variantSignificanceFigure(trimmed),
      bindings: sc.significances.map((_, k) => ({ trace: k, prop: 'y' as const, measure: 'variants', slice: [k * genes.length, (k + 1) * genes.length] as const })),
    });
  }
  if (input.apoe.length > 0) {
    const c = apoeCounts(input.apoe, has('alzheimers'));
    const acc = new Accumulator(c.genotypes.length);
    for (const a of input.apoe) {
      const s = strataOf(a.patientId);
      if (s !== undefined) {
        acc.add(s, c.genotypes.indexOf(a.genotype));
      }
    }
    put('apoe', acc);
    genomic.push({
      id: 'apoe',
      figure: apoeFigure(c),
      bindings: [
        { trace: 0, prop: 'y', measure: 'apoe', where: { outcome: 'alzheimers', has: true }, transform: 'percent-of-sum' },
        { trace: 0, prop: 'customdata', measure: 'apoe', where: { outcome: 'alzheimers', has: true } },
        { trace: 1, prop: 'y', measure: 'apoe', where: { outcome: 'alzheimers', has: false }, transform: 'percent-of-sum' },
        { trace: 1, prop: 'customdata', measure: 'apoe', where: { outcome: 'alzheimers', has: false } },
      ],
    });
  }

  // Imaging sheet.
  const imaging: DashboardSheetFigure[] = [];
  const points: Record<string, { x: number[]; y: number[]; stratum: number[]; patient: number[] }> = {};
  if (input.radiomics.length > 0) {
    const perPatient = latestBy(
      input.radiomics,
      (r) => r.patientId,
      (r) => r.imageSetId,
    );
    const names = [...new Set(input.radiomics.flatMap((r) => Object.keys(r.features)))].sort();
    const rows = [...perPatient.values()].filter((r) => index.has(r.patientId));
    for (const name of names.slice(0, 4)) {
      splitFigureTo(imaging, name);
    }
    const pca = pca2(rows.map((r) => names.map((n) => r.features[n] ?? NaN)));
    const step = Math.max(1, Math.ceil(rows.length / (options.maxPoints ?? 3000)));
    const pts = { x: [] as number[], y: [] as number[], stratum: [] as number[], patient: [] as number[] };
    rows.forEach((r, i) => {
      const p = pca.points[i];
      if (i % step === 0 && p !== undefined) {
        pts.x.push(roundTo(p[0], 3));
        pts.y.push(roundTo(p[1], 3));
        pts.patient.push(index.get(r.patientId) ?? -1);
        pts.stratum.push(strataOf(r.patientId) ?? -1);
      }
    });
    points.radiomics = pts;
    const focus = DASHBOARD_OUTCOMES[0].key;
    imaging.push({
      id: 'embedding',
      figure: embeddingFigure(
        pts.x.map((x, i) => ({ id: patients[pts.patient[i] ?? -1]?.id ?? '', x, y: pts.y[i] ?? 0, has: has(focus)(patients[pts.patient[i] ?? -1]?.id ?? '') })),
        { outcome: focus, explained: pca.explained },
      ),
      bindings: [
        { trace: 0, prop: 'name', template: 'without {focus}' },
        { trace: 1, prop: 'name', template: 'with {focus}' },
      ],
      points: 'radiomics',
    });
  }
  function splitFigureTo(target: DashboardSheetFigure[], feature: string): void {
    const values = new Map<string, number>();
    for (const r of latestBy(
      input.radiomics,
      (x) => x.patientId,
      (x) => x.imageSetId,
    ).values()) {
      const v = r.features[feature];
      if (v !== undefined && Number.isFinite(v)) {
        values.set(r.patientId, v);
      }
    }
    splitFigure(target, `rad-${slug(feature)}`, `rad:${feature}`, values, feature, '');
  }

  const models = modelsSheetFigures(input);
  const sheets = assembleSheets(input, { clinical, genomic, imaging, models });
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
    points,
    sheets,
    patients: { ids: patients.map((p) => p.id), labels: patients.map(label), stratum: patientStratum },
  };
}
