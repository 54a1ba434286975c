/**
 * Population figures (the Clinical, Genomic and Imaging sheets): each builder takes aggregated numbers and returns
 * plotly figure JSON. The `*Counts` helpers aggregate typed rows into those inputs, so a notebook can go
 * rows → counts → figure, and the dashboard can re-aggregate counts after a filter and redraw the same figure.
 */
import { TEN_YEAR_AGE_BANDS, tenYearAgeBand, ageInYears, dashboardOutcomeLabel } from './rows';
import type { ApoeGenotypeRow, ConditionEventRow, DashboardPatient, VariantFindingRow } from './rows';
import { OUTCOME_COLOURS, baseLayout, emptyFigure, paletteColour, plotlyText, roundTo } from './figure';
import type { PlotlyFigure } from './figure';
import { histogramBinCentres, histogramBins } from './stats';
import { clampedBinCounts, freedmanDiaconisBins } from './histogram-bins';
import type { HistogramBins } from './stats';

/** Age-band counts by sex. */
export interface AgeSexCounts {
  /** Age bands, youngest first. */
  readonly bands: readonly string[];
  /** Males per band. */
  readonly male: readonly number[];
  /** Females per band. */
  readonly female: readonly number[];
}

/**
 * Counts patients by ten-year age band and sex (other/unknown sex is left out of the pyramid).
 *
 * @param patients - the patients
 * @param asOf - ISO date ages are computed at
 * @returns counts per band (every band, including empty ones, so filtered views line up)
 */
export function ageSexCounts(patients: readonly DashboardPatient[], asOf: string): AgeSexCounts {
  const bands = TEN_YEAR_AGE_BANDS;
  const male = bands.map(() => 0);
  const female = bands.map(() => 0);
  for (const p of patients) {
    const i = bands.indexOf(tenYearAgeBand(ageInYears(p.birthDate, asOf)));
    if (p.sex === 'male') {
      male[i] = (male[i] ?? 0) + 1;
    } else if (p.sex === 'female') {
      female[i] = (female[i] ?? 0) + 1;
    }
  }
  return { bands, male, female };
}

/**
 * Age/sex pyramid: males to the left, females to the right.
 *
 * @param counts - counts per band
 * @returns the figure
 */
export function demographicsPyramid(counts: AgeSexCounts): PlotlyFigure {
  const total = [...counts.male, ...counts.female].reduce((a, b) => a + b, 0);
  if (total === 0) {
    return emptyFigure('Age and sex');
  }
  const max = Math.max(1, ...counts.male, ...counts.female);
  return {
    data: [
      {
        type: 'bar',
        orientation: 'h',
        name: 'Male',
        y: [...counts.bands],
        x: counts.male.map((v) => -v),
        customdata: [...counts.male],
        hovertemplate: '%{y}: %{customdata} male<extra></extra>',
        marker: { color: paletteColour(0) },
      },
      { type: 'bar', orientation: 'h', name: 'Female', y: [...counts.bands], x: [...counts.female], hovertemplate: '%{y}: %{x} female<extra></extra>', marker: { color: paletteColour(1) } },
    ],
    layout: baseLayout('Age and sex', {
      barmode: 'overlay',
      bargap: 0.1,
      xaxis: { title: { text: 'patients' }, range: [-max * 1.1, max * 1.1], zeroline: true },
      yaxis: { title: { text: 'age band' }, categoryorder: 'array', categoryarray: [...counts.bands] },
    }),
  };
}

/** Condition prevalence input. */
export interface PrevalenceCounts {
  /** Condition display labels. */
  readonly labels: readonly string[];
  /** Patients with each condition. */
  readonly counts: readonly number[];
  /** Patients in the population (denominator). */
  readonly total: number;
}

/**
 * Counts distinct patients per condition and keeps the most frequent ones.
 *
 * @param conditions - condition rows
 * @param total - number of patients in the population
 * @param top - how many conditions to keep (default 20)
 * @returns labels and counts, most frequent first
 */
export function conditionCounts(conditions: readonly ConditionEventRow[], total: number, top = 20): PrevalenceCounts {
  const byLabel = new Map<string, Set<string>>();
  for (const c of conditions) {
    const s = byLabel.get(c.display) ?? new Set<string>();
    s.add(c.patientId);
    byLabel.set(c.display, s);
  }
  const sorted = [...byLabel.entries()]
    .map(([label, s]) => [label, s.size] as const)
    .sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]))
    .slice(0, top);
  return { labels: sorted.map((e) => e[0]), counts: sorted.map((e) => e[1]), total };
}

/**
 * Horizontal bars: percentage of patients with each condition.
 *
 * @param prevalence - labels, counts and denominator
 * @returns the figure
 */
export function conditionPrevalenceFigure(prevalence: PrevalenceCounts): PlotlyFigure {
  if (prevalence.labels.length === 0 || prevalence.total === 0) {
    return emptyFigure('Condition prevalence');
  }
  return {
    data: [
      {
        type: 'bar',
        orientation: 'h',
        y: prevalence.labels.map(plotlyText),
        x: prevalence.counts.map((c) => roundTo((100 * c) / prevalence.total, 2)),
        marker: { color: paletteColour(0) },
        hovertemplate: '%{y}: %{x:.1f}%<extra></extra>',
      },
    ],
    layout: baseLayout('Condition prevalence', {
      xaxis: { title: { text: '% of patients' }, rangemode: 'tozero' },
      yaxis: { autorange: 'reversed', automargin: true },
      height: Math.max(320, 24 * prevalence.labels.length + 100),
    }),
  };
}

/** Co-occurrence matrix of conditions. */
export interface ComorbidityMatrix {
  /** Condition labels (rows and columns). */
  readonly labels: readonly string[];
  /** `matrix[i][j]` = patients with both i and j (diagonal = patients with i). */
  readonly matrix: readonly (readonly number[])[];
}

/**
 * Counts patients having each pair of the given conditions.
 *
 * @param conditions - condition rows
 * @param labels - which condition displays to cross (e.g. the outcomes, or the top-N of {@link conditionCounts})
 * @returns the co-occurrence matrix
 */
export function comorbidityMatrix(conditions: readonly ConditionEventRow[], labels: readonly string[]): ComorbidityMatrix {
  const index = new Map(labels.map((l, i) => [l, i]));
  const perPatient = new Map<string, Set<number>>();
  for (const c of conditions) {
    const i = index.get(c.display);
    if (i !== undefined) {
      const s = perPatient.get(c.patientId) ?? new Set<number>();
      s.add(i);
      perPatient.set(c.patientId, s);
    }
  }
  const matrix = labels.map(() => labels.map(() => 0));
  for (const s of perPatient.values()) {
    for (const a of s) {
      for (const b of s) {
        const row = matrix[a] as number[];
        row[b] = (row[b] ?? 0) + 1;
      }
    }
  }
  return { labels, matrix };
}

/**
 * Heatmap of condition co-occurrence.
 *
 * @param m - the matrix
 * @returns the figure
 */
export function comorbidityFigure(m: ComorbidityMatrix): PlotlyFigure {
  if (m.labels.length === 0) {
    return emptyFigure('Comorbidity');
  }
  const labels = m.labels.map(plotlyText);
  return {
    data: [{ type: 'heatmap', x: labels, y: labels, z: m.matrix.map((r) => [...r]), colorscale: 'Blues', hovertemplate: '%{y} & %{x}: %{z} patients<extra></extra>' }],
    layout: baseLayout('Comorbidity (patients with both)', {
      xaxis: { automargin: true, tickangle: -35 },
      yaxis: { automargin: true, autorange: 'reversed' },
      height: Math.max(360, 28 * labels.length + 160),
    }),
  };
}

/** A binCounts split by outcome status, over shared bins. */
export interface SplitHistogram {
  /** What is measured (e.g. `Systolic blood pressure`). */
  readonly measure: string;
  /** Unit, shown on the axis. */
  readonly unit: string;
  /** The shared bins. */
  readonly edges: HistogramBins;
  /** Counts of patients with the outcome, per bin. */
  readonly with: readonly number[];
  /** Counts of patients without it, per bin. */
  readonly without: readonly number[];
  /** Outcome label. */
  readonly outcome: string;
}

/**
 * Bins one value per patient, split by whether the patient has the outcome.
 *
 * @param values - patient id → value (e.g. the latest systolic blood pressure)
 * @param hasOutcome - predicate on patient id
 * @param meta - measure, unit, outcome key; `edges` to reuse bins, `bins` for that many equal-width bins, neither for
 *   Freedman–Diaconis bins ({@link freedmanDiaconisBins})
 * @returns the split histogram, or undefined when no value is finite
 */
export function splitHistogram(
  values: ReadonlyMap<string, number>,
  hasOutcome: (patientId: string) => boolean,
  meta: { readonly measure: string; readonly unit: string; readonly outcome: string; readonly bins?: number; readonly edges?: HistogramBins },
): SplitHistogram | undefined {
  const edges = meta.edges ?? (meta.bins === undefined ? freedmanDiaconisBins(values.values()) : histogramBins(values.values(), meta.bins));
  if (edges === undefined) {
    return undefined;
  }
  const w: number[] = [];
  const wo: number[] = [];
  for (const [id, v] of values) {
    (hasOutcome(id) ? w : wo).push(v);
  }
  return { measure: meta.measure, unit: meta.unit, outcome: meta.outcome, edges, with: clampedBinCounts(w, edges), without: clampedBinCounts(wo, edges) };
}

/**
 * Overlaid distributions (percent of each group per bin) for patients with and without an outcome — used for vitals,
 * labs and radiomic features.
 *
 * @param h - the split histogram
 * @returns the figure
 */
export function distributionByOutcomeFigure(h: SplitHistogram): PlotlyFigure {
  const x = histogramBinCentres(h.edges).map((c) => roundTo(c, 3));
  const pct = (counts: readonly number[]): number[] => {
    const s = counts.reduce((a, b) => a + b, 0);
    return counts.map((c) => (s === 0 ? 0 : roundTo((100 * c) / s, 2)));
  };
  const label = dashboardOutcomeLabel(h.outcome);
  const unit = h.unit === '' ? '' : ` (${h.unit})`;
  return {
    data: [
      {
        type: 'bar',
        name: `with ${plotlyText(label)}`,
        x,
        y: pct(h.with),
        width: roundTo(h.edges.size, 4),
        marker: { color: OUTCOME_COLOURS.with },
        opacity: 0.6,
        hovertemplate: '%{x}: %{y:.1f}%<extra>with</extra>',
      },
      {
        type: 'bar',
        name: `without ${plotlyText(label)}`,
        x,
        y: pct(h.without),
        width: roundTo(h.edges.size, 4),
        marker: { color: OUTCOME_COLOURS.without },
        opacity: 0.6,
        hovertemplate: '%{x}: %{y:.1f}%<extra>without</extra>',
      },
    ],
    layout: baseLayout(`${h.measure} by ${label}`, { barmode: 'overlay', xaxis: { title: { text: plotlyText(`${h.measure}${unit}`) } }, yaxis: { title: { text: '% of group' } } }),
  };
}

/** Variant counts per gene and clinical significance. */
export interface SignificanceCounts {
  /** Genes (x axis). */
  readonly genes: readonly string[];
  /** Significance classes (stacked). */
  readonly significances: readonly string[];
  /** `counts[s][g]` = patients carrying a variant of class s in gene g. */
  readonly counts: readonly (readonly number[])[];
}

/** The order ClinVar significance classes are stacked in (most severe first); others follow alphabetically. */
const SIGNIFICANCE_ORDER = [
  'Pathogenic',
  'Likely_pathogenic',
  'Pathogenic/Likely_pathogenic',
  'Uncertain_significance',
  'Conflicting_interpretations_of_pathogenicity',
  'Likely_benign',
  'Benign/Likely_benign',
  'Benign',
  'risk_factor',
  'drug_response',
  'other',
];

/**
 * Counts distinct carrier patients per gene and ClinVar significance.
 *
 * @param variants - variant rows
 * @returns the counts, genes ordered by carriers (most first)
 */
export function significanceCounts(variants: readonly VariantFindingRow[]): SignificanceCounts {
  const key = new Map<string, Set<string>>();
  const genes = new Map<string, Set<string>>();
  const sigs = new Set<string>();
  for (const v of variants) {
    const g = v.gene === '' ? 'intergenic' : v.gene;
    const s = v.clinicalSignificance === '' ? 'other' : v.clinicalSignificance;
    sigs.add(s);
    const k = `${s}\u0000${g}`;
    const set = key.get(k) ?? new Set<string>();
    set.add(v.patientId);
    key.set(k, set);
    const gs = genes.get(g) ?? new Set<string>();
    gs.add(v.patientId);
    genes.set(g, gs);
  }
  const geneList = [...genes.entries()].sort((a, b) => b[1].size - a[1].size || a[0].localeCompare(b[0])).map((e) => e[0]);
  const rank = (s: string): number => {
    const i = SIGNIFICANCE_ORDER.indexOf(s);
    return i < 0 ? SIGNIFICANCE_ORDER.length : i;
  };
  const sigList = [...sigs].sort((a, b) => rank(a) - rank(b) || a.localeCompare(b));
  return { genes: geneList, significances: sigList, counts: sigList.map((s) => geneList.map((g) => key.get(`${s}\u0000${g}`)?.size ?? 0)) };
}

/**
 * Stacked bars: carriers per gene, coloured by ClinVar clinical significance.
 *
 * @param c - the counts
 * @returns the figure
 */
export function variantSignificanceFigure(c: SignificanceCounts): PlotlyFigure {
  if (c.genes.length === 0) {
    return emptyFigure('Variants by gene and clinical significance');
  }
  const sigColour = (s: string, i: number): string =>
    /^pathogenic/i.test(s) ? '#D55E00' : /likely_pathogenic/i.test(s) ? '#E69F00' : /uncertain|conflicting/i.test(s) ? '#999999' : /benign/i.test(s) ? '#009E73' : paletteColour(i + 3);
  return {
    data: c.significances.map((s, i) => ({
      type: 'bar',
      name: plotlyText(s.replace(/_/g, ' ')),
      x: c.genes.map(plotlyText),
      y: [...(c.counts[i] ?? [])],
      marker: { color: sigColour(s, i) },
      hovertemplate: `%{x}: %{y} carriers<extra>${plotlyText(s.replace(/_/g, ' '))}</extra>`,
    })),
    layout: baseLayout('Variants by gene and clinical significance', { barmode: 'stack', xaxis: { title: { text: 'gene' }, automargin: true }, yaxis: { title: { text: 'carrier patients' } } }),
  };
}

/** APOE genotype counts in patients with and without Alzheimer's disease. */
export interface ApoeCounts {
  /** Genotypes (`e2/e2` … `e4/e4`). */
  readonly genotypes: readonly string[];
  /** Patients with Alzheimer's disease per genotype. */
  readonly with: readonly number[];
  /** Patients without per genotype. */
  readonly without: readonly number[];
}

/** The six APOE genotypes, in order. */
export const APOE_GENOTYPES: readonly string[] = ['e2/e2', 'e2/e3', 'e2/e4', 'e3/e3', 'e3/e4', 'e4/e4'];

/**
 * Counts APOE genotypes split by Alzheimer's status.
 *
 * @param apoe - genotype rows
 * @param hasAlzheimers - predicate on patient id
 * @returns the counts (all six genotypes, then any unexpected spelling)
 */
export function apoeCounts(apoe: readonly ApoeGenotypeRow[], hasAlzheimers: (patientId: string) => boolean): ApoeCounts {
  const extra = [...new Set(apoe.map((a) => a.genotype))].filter((g) => !APOE_GENOTYPES.includes(g)).sort();
  const genotypes = [...APOE_GENOTYPES, ...extra];
  const w = genotypes.map(() => 0);
  const wo = genotypes.map(() => 0);
  for (const a of apoe) {
    const i = genotypes.indexOf(a.genotype);
    const arr = hasAlzheimers(a.patientId) ? w : wo;
    arr[i] = (arr[i] ?? 0) + 1;
  }
  return { genotypes, with: w, without: wo };
}

/**
 * Grouped bars: APOE genotype distribution (percent of group) with and without Alzheimer's disease.
 *
 * @param c - the counts
 * @returns the figure
 */
export function apoeFigure(c: ApoeCounts): PlotlyFigure {
  const sw = c.with.reduce((a, b) => a + b, 0);
  const so = c.without.reduce((a, b) => a + b, 0);
  if (sw + so === 0) {
    return emptyFigure("APOE genotype by Alzheimer's status");
  }
  const pct = (v: number, s: number): number => (s === 0 ? 0 : roundTo((100 * v) / s, 2));
  return {
    data: [
      {
        type: 'bar',
        name: "with Alzheimer's",
        x: c.genotypes.map(plotlyText),
        y: c.with.map((v) => pct(v, sw)),
        customdata: [...c.with],
        marker: { color: OUTCOME_COLOURS.with },
        hovertemplate: '%{x}: %{y:.1f}% (%{customdata})<extra>with</extra>',
      },
      {
        type: 'bar',
        name: "without Alzheimer's",
        x: c.genotypes.map(plotlyText),
        y: c.without.map((v) => pct(v, so)),
        customdata: [...c.without],
        marker: { color: OUTCOME_COLOURS.without },
        hovertemplate: '%{x}: %{y:.1f}% (%{customdata})<extra>without</extra>',
      },
    ],
    layout: baseLayout("APOE genotype by Alzheimer's status", { barmode: 'group', xaxis: { title: { text: 'APOE genotype' } }, yaxis: { title: { text: '% of group' } } }),
  };
}

/** A 2-D embedding point. */
export interface EmbeddingPoint {
  /** Patient id (shown on hover). */
  readonly id: string;
  /** First coordinate. */
  readonly x: number;
  /** Second coordinate. */
  readonly y: number;
  /** Has the outcome. */
  readonly has: boolean;
}

/**
 * Scatter of a 2-D embedding (e.g. PCA of radiomic features) coloured by outcome.
 *
 * @param points - the points
 * @param meta - outcome key and the explained variance of the two axes
 * @returns the figure
 */
export function embeddingFigure(points: readonly EmbeddingPoint[], meta: { readonly outcome: string; readonly explained?: readonly [number, number]; readonly title?: string }): PlotlyFigure {
  const title = meta.title ?? 'Radiomic features, PCA';
  if (points.length === 0) {
    return emptyFigure(title);
  }
  const label = dashboardOutcomeLabel(meta.outcome);
  const trace = (has: boolean): Record<string, unknown> & { type: string } => {
    const ps = points.filter((p) => p.has === has);
    return {
      type: 'scatter',
      mode: 'markers',
      name: `${has ? 'with' : 'without'} ${plotlyText(label)}`,
      x: ps.map((p) => roundTo(p.x, 3)),
      y: ps.map((p) => roundTo(p.y, 3)),
      text: ps.map((p) => plotlyText(p.id)),
      marker: { color: has ? OUTCOME_COLOURS.with : OUTCOME_COLOURS.without, size: 6, opacity: 0.7 },
      hovertemplate: '%{text}<extra></extra>',
    };
  };
  const ax = (i: 0 | 1): string => (meta.explained === undefined ? `PC${String(i + 1)}` : `PC${String(i + 1)} (${(100 * meta.explained[i]).toFixed(0)}% of variance)`);
  return { data: [trace(false), trace(true)], layout: baseLayout(title, { xaxis: { title: { text: ax(0) }, zeroline: false }, yaxis: { title: { text: ax(1) }, zeroline: false } }) };
}
