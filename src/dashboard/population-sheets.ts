/**
 * The figures of the Clinical, Genomic and Imaging population sheets, each with the stratum measures its filter
 * bindings read. Every builder records its measures through {@link PopulationContext.put} in a fixed order, so the
 * population data (and the site built from it) is the same bytes for the same input.
 */
import { TEN_YEAR_AGE_BANDS, DASHBOARD_OUTCOMES, tenYearAgeBand, ageInYears } from '../viz/rows';
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
import { histogramBins, pca2 } from '../viz/stats';
import { clampedBinIndex, freedmanDiaconisBins } from '../viz/histogram-bins';
import type { HistogramBins } from '../viz/stats';
import { roundTo } from '../viz/figure';
import type { FigureBinding, DashboardInput, DashboardSheetFigure } from './types';

/** A sparse per-stratum count vector of fixed length (indices outside the length are ignored). */
export class Accumulator {
  readonly vectors = new Map<number, Map<number, number>>();
  constructor(readonly length: number) {}
  /** Adds `value` at `index` of the stratum's vector. */
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
  /** One `[index, value, index, value, …]` list per stratum, indices ascending. */
  sparse(strata: number): number[][] {
    const out: number[][] = [];
    for (let s = 0; s < strata; s++) {
      const v = this.vectors.get(s);
      out.push(v === undefined ? [] : [...v.entries()].sort((a, b) => a[0] - b[0]).flat());
    }
    return out;
  }
}

/** The embedding points of one sheet: PCA coordinates, the stratum and the patient index of each point. */
export interface EmbeddingPoints {
  readonly x: number[];
  readonly y: number[];
  readonly stratum: number[];
  readonly patient: number[];
}

/** What the sheet builders share: the input, the options, the patient → stratum map and the measure sink. */
export interface PopulationContext {
  readonly input: DashboardInput;
  /** Equal-width histogram bins (undefined: Freedman–Diaconis bins per measure). */
  readonly bins: number | undefined;
  /** Conditions on the prevalence chart. */
  readonly topConditions: number;
  /** Most points drawn in an embedding. */
  readonly maxPoints: number;
  /** Patient id → position in `input.patients`. */
  readonly index: ReadonlyMap<string, number>;
  /** The stratum of each patient, by position. */
  readonly patientStratum: readonly number[];
  /** The stratum of a patient id (undefined for an unknown patient). */
  strataOf(patientId: string): number | undefined;
  /** A predicate: does the patient have the outcome? */
  has(outcome: string): (patientId: string) => boolean;
  /** Records a measure under its name. */
  put(name: string, acc: Accumulator): void;
}

/**
 * The latest row per key.
 *
 * @param rows - the rows
 * @param key - the grouping key
 * @param time - a sortable time text; a later row replaces an earlier one
 * @returns key → latest row, in first-seen key order
 */
export function latestBy<T>(rows: readonly T[], key: (r: T) => string, time: (r: T) => string): Map<string, T> {
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

/**
 * A figure id fragment: lower case, runs of other characters as `-`, at most 40 characters (`x` when empty).
 *
 * @param s - any text
 * @returns the slug
 */
export function slug(s: string): string {
  return (
    s
      .toLowerCase()
      .replace(/[^a-z0-9]+/g, '-')
      .replace(/^-|-$/g, '')
      .slice(0, 40) || 'x'
  );
}

/** Appends a histogram of `values` split by the focus outcome, and its per-stratum bin counts as `measure`. */
function pushSplitFigure(ctx: PopulationContext, target: DashboardSheetFigure[], id: string, measure: string, values: Map<string, number>, label: string, unit: string): void {
  const edges: HistogramBins | undefined = ctx.bins === undefined ? freedmanDiaconisBins(values.values()) : histogramBins(values.values(), ctx.bins);
  const h = edges === undefined ? undefined : splitHistogram(values, ctx.has(DASHBOARD_OUTCOMES[0].key), { measure: label, unit, outcome: DASHBOARD_OUTCOMES[0].key, edges });
  if (edges === undefined || h === undefined) {
    return;
  }
  const acc = new Accumulator(edges.count);
  for (const [pid, v] of values) {
    const s = ctx.strataOf(pid);
    const bin = clampedBinIndex(v, edges);
    if (s !== undefined && bin >= 0) {
      acc.add(s, bin);
    }
  }
  ctx.put(measure, acc);
  const bindings: FigureBinding[] = [
    { trace: 0, prop: 'y', measure, where: 'focus', transform: 'percent-of-sum' },
    { trace: 1, prop: 'y', measure, where: 'not-focus', transform: 'percent-of-sum' },
    { trace: 0, prop: 'name', template: 'with {focus}' },
    { trace: 1, prop: 'name', template: 'without {focus}' },
  ];
  target.push({ id, figure: distributionByOutcomeFigure(h), bindings });
}

/** The age pyramid, with the male and female band counts per stratum. */
function demographicsFigure(ctx: PopulationContext): DashboardSheetFigure {
  const { input } = ctx;
  const pyr = ageSexCounts(input.patients, input.asOf);
  const pyrAcc = { male: new Accumulator(TEN_YEAR_AGE_BANDS.length), female: new Accumulator(TEN_YEAR_AGE_BANDS.length) };
  input.patients.forEach((p, i) => {
    if (p.sex === 'male' || p.sex === 'female') {
      pyrAcc[p.sex].add(ctx.patientStratum[i] ?? 0, TEN_YEAR_AGE_BANDS.indexOf(tenYearAgeBand(ageInYears(p.birthDate, input.asOf))));
    }
  });
  ctx.put('age.male', pyrAcc.male);
  ctx.put('age.female', pyrAcc.female);
  return {
    id: 'demographics',
    figure: demographicsPyramid(pyr),
    bindings: [
      { trace: 0, prop: 'x', measure: 'age.male', transform: 'negate' },
      { trace: 0, prop: 'customdata', measure: 'age.male' },
      { trace: 1, prop: 'x', measure: 'age.female' },
    ],
  };
}

/** Condition prevalence (each patient counted once per condition) and the comorbidity matrix of the top ten. */
function conditionFigures(ctx: PopulationContext): DashboardSheetFigure[] {
  const { input } = ctx;
  const prevalence = conditionCounts(input.conditions, input.patients.length, ctx.topConditions);
  if (prevalence.labels.length === 0) {
    return [];
  }
  const acc = new Accumulator(prevalence.labels.length);
  const seen = new Set<string>();
  const li = new Map(prevalence.labels.map((l, i) => [l, i]));
  for (const c of input.conditions) {
    const j = li.get(c.display);
    const s = ctx.strataOf(c.patientId);
    const k = `${c.patientId}\u0000${c.display}`;
    if (j !== undefined && s !== undefined && !seen.has(k)) {
      seen.add(k);
      acc.add(s, j);
    }
  }
  ctx.put('conditions', acc);
  const prevalenceFigure: DashboardSheetFigure = {
    id: 'prevalence',
    figure: conditionPrevalenceFigure(prevalence),
    bindings: [{ trace: 0, prop: 'x', measure: 'conditions', transform: 'percent-of-count' }],
  };
  return [prevalenceFigure, comorbidityFigureOf(ctx, prevalence.labels.slice(0, 10))];
}

/** The comorbidity matrix of the `top` conditions, with the pair counts per stratum. */
function comorbidityFigureOf(ctx: PopulationContext, top: readonly string[]): DashboardSheetFigure {
  const { input } = ctx;
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
    const s = ctx.strataOf(id);
    if (s !== undefined) {
      for (const a of set) {
        for (const b of set) {
          cacc.add(s, a * top.length + b);
        }
      }
    }
  }
  ctx.put('comorbidity', cacc);
  return { id: 'comorbidity', figure: comorbidityFigure(cm), bindings: [{ trace: 0, prop: 'z', measure: 'comorbidity', columns: top.length }] };
}

/** Vitals/labs: the latest value per patient of the six most common codes, split by the focus outcome. */
function observationFigures(ctx: PopulationContext, target: DashboardSheetFigure[]): void {
  const { input } = ctx;
  const byCode = new Map<string, { display: string; unit: string; patients: Set<string> }>();
  for (const o of input.observations) {
    const e = byCode.get(o.code) ?? { display: o.display, unit: o.unit, patients: new Set<string>() };
    e.patients.add(o.patientId);
    byCode.set(o.code, e);
  }
  const codes = [...byCode.entries()].sort((a, b) => b[1].patients.size - a[1].patients.size || a[0].localeCompare(b[0])).slice(0, 6);
  for (const [code, meta] of codes) {
    const latest = latestBy(
      input.observations.filter((o) => o.code === code),
      (o) => o.patientId,
      (o) => o.effective,
    );
    pushSplitFigure(ctx, target, `obs-${slug(code)}`, `obs:${code}`, new Map([...latest].map(([k, o]) => [k, o.value])), meta.display, meta.unit);
  }
}

/**
 * The Clinical sheet: demographics, condition prevalence and comorbidity, and the common vitals/labs.
 *
 * @param ctx - the shared context (its measures receive age.*, conditions, comorbidity and obs:*)
 * @returns the figures in page order
 */
export function clinicalSheetFigures(ctx: PopulationContext): DashboardSheetFigure[] {
  const clinical: DashboardSheetFigure[] = [demographicsFigure(ctx), ...conditionFigures(ctx)];
  observationFigures(ctx, clinical);
  return clinical;
}

/** Variants per gene (top 25) and clinical significance, each patient counted once per cell. */
function variantFigure(ctx: PopulationContext): DashboardSheetFigure {
  const { input } = ctx;
  const sc = significanceCounts(input.variants);
  const genes = sc.genes.slice(0, 25);
  const gi = new Map(genes.map((g, i) => [g, i]));
  const si = new Map(sc.significances.map((s, i) => [s, i]));
  const acc = new Accumulator(sc.significances.length * genes.length);
  const seen = new Set<string>();
  for (const v of input.variants) {
    const g = gi.get(v.gene === '' ? 'intergenic' : v.gene);
    const k = si.get(v.clinicalSignificance === '' ? 'other' : v.clinicalSignificance);
    const s = ctx.strataOf(v.patientId);
    const key = `${v.patientId}\u0000${String(g)}\u0000${String(k)}`;
    if (g !== undefined && k !== undefined && s !== undefined && !seen.has(key)) {
      seen.add(key);
      acc.add(s, k * genes.length + g);
    }
  }
  ctx.put('variants', acc);
  const trimmed = { genes, significances: sc.significances, counts: sc.counts.map((row) => row.slice(0, genes.length)) };
  return {
    id: 'variants',
    figure: variantSignificanceFigure(trimmed),
    bindings: sc.significances.map((_, k) => ({ trace: k, prop: 'y' as const, measure: 'variants', slice: [k * genes.length, (k + 1) * genes.length] as const })),
  };
}

/** APOE genotype shares with and without Alzheimer's disease. */
function apoeFigureOf(ctx: PopulationContext): DashboardSheetFigure {
  const { input } = ctx;
  const c = apoeCounts(input.apoe, ctx.has('alzheimers'));
  const acc = new Accumulator(c.genotypes.length);
  for (const a of input.apoe) {
    const s = ctx.strataOf(a.patientId);
    if (s !== undefined) {
      acc.add(s, c.genotypes.indexOf(a.genotype));
    }
  }
  ctx.put('apoe', acc);
  return {
    id: 'apoe',
    figure: apoeFigure(c),
    bindings: [
      { trace: 0, prop: 'y', measure: 'apoe', where: { outcome: 'alzheimers', has: true }, transform: 'percent-of-sum' },
      { trace: 0, prop: 'customdata', measure: 'apoe', where: { outcome: 'alzheimers', has: true } },
      { trace: 1, prop: 'y', measure: 'apoe', where: { outcome: 'alzheimers', has: false }, transform: 'percent-of-sum' },
      { trace: 1, prop: 'customdata', measure: 'apoe', where: { outcome: 'alzheimers', has: false } },
    ],
  };
}

/**
 * The Genomic sheet: variants by gene and significance, APOE genotypes (each only when there is data).
 *
 * @param ctx - the shared context (its measures receive variants and apoe)
 * @returns the figures in page order
 */
export function genomicSheetFigures(ctx: PopulationContext): DashboardSheetFigure[] {
  const genomic: DashboardSheetFigure[] = [];
  if (ctx.input.variants.length > 0) {
    genomic.push(variantFigure(ctx));
  }
  if (ctx.input.apoe.length > 0) {
    genomic.push(apoeFigureOf(ctx));
  }
  return genomic;
}

/** The latest radiomics value of `feature` per patient (finite values only). */
function radiomicValues(input: DashboardInput, feature: string): Map<string, number> {
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
  return values;
}

/** The radiomics PCA embedding (an even sample of at most `maxPoints`) and its figure. */
function embeddingOf(ctx: PopulationContext, names: readonly string[]): { readonly figure: DashboardSheetFigure; readonly points: EmbeddingPoints } {
  const { input, index } = ctx;
  const patients = input.patients;
  const perPatient = latestBy(
    input.radiomics,
    (r) => r.patientId,
    (r) => r.imageSetId,
  );
  const rows = [...perPatient.values()].filter((r) => index.has(r.patientId));
  const pca = pca2(rows.map((r) => names.map((n) => r.features[n] ?? NaN)));
  const step = Math.max(1, Math.ceil(rows.length / ctx.maxPoints));
  const pts: EmbeddingPoints = { x: [], y: [], stratum: [], patient: [] };
  rows.forEach((r, i) => {
    const p = pca.points[i];
    if (i % step === 0 && p !== undefined) {
      pts.x.push(roundTo(p[0], 3));
      pts.y.push(roundTo(p[1], 3));
      pts.patient.push(index.get(r.patientId) ?? -1);
      pts.stratum.push(ctx.strataOf(r.patientId) ?? -1);
    }
  });
  const focus = DASHBOARD_OUTCOMES[0].key;
  const figure: DashboardSheetFigure = {
    id: 'embedding',
    figure: embeddingFigure(
      pts.x.map((x, i) => ({ id: patients[pts.patient[i] ?? -1]?.id ?? '', x, y: pts.y[i] ?? 0, has: ctx.has(focus)(patients[pts.patient[i] ?? -1]?.id ?? '') })),
      { outcome: focus, explained: pca.explained },
    ),
    bindings: [
      { trace: 0, prop: 'name', template: 'without {focus}' },
      { trace: 1, prop: 'name', template: 'with {focus}' },
    ],
    points: 'radiomics',
  };
  return { figure, points: pts };
}

/**
 * The Imaging sheet: the first four radiomics features split by the focus outcome and the PCA embedding (only when
 * there are radiomics).
 *
 * @param ctx - the shared context (its measures receive rad:*)
 * @returns the figures in page order and the embedding points by name
 */
export function imagingSheetFigures(ctx: PopulationContext): { readonly figures: DashboardSheetFigure[]; readonly points: Record<string, EmbeddingPoints> } {
  const imaging: DashboardSheetFigure[] = [];
  const points: Record<string, EmbeddingPoints> = {};
  const { input } = ctx;
  if (input.radiomics.length > 0) {
    const names = [...new Set(input.radiomics.flatMap((r) => Object.keys(r.features)))].sort();
    for (const name of names.slice(0, 4)) {
      pushSplitFigure(ctx, imaging, `rad-${slug(name)}`, `rad:${name}`, radiomicValues(input, name), name, '');
    }
    const embedding = embeddingOf(ctx, names);
    points.radiomics = embedding.points;
    imaging.push(embedding.figure);
  }
  return { figures: imaging, points };
}
