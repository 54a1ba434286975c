/**
 * Feature exploration for ad-hoc notebook work on any table of rows (a feature group, a training set, a query
 * result): a column summary, distributions by outcome, a correlation heatmap and the top univariate associations.
 */
import { HealthDataError } from '../errors';
import { OUTCOME_COLOURS, baseLayout, emptyFigure, plotlyText, roundTo } from './figure';
import type { PlotlyFigure } from './figure';
import { auroc } from '../automl/metrics';
import { finiteMean, pearsonR } from './stats';
import { numericRange } from '../util/collections';

/** A row of any table. */
export type ExploreRow = Readonly<Record<string, unknown>>;

/** Summary of one column. */
export interface TableColumnSummary {
  /** Column name. */
  readonly column: string;
  /** `number`, `boolean`, `string`, `date`, `mixed` or `empty`. */
  readonly type: string;
  /** Rows where the value is null, undefined, NaN or ''. */
  readonly missing: number;
  /** Missing as a percentage of rows. */
  readonly missingPct: number;
  /** Distinct non-missing values. */
  readonly distinct: number;
  /** Smallest value (numbers, dates as ISO), else null. */
  readonly min: number | string | null;
  /** Largest value, else null. */
  readonly max: number | string | null;
  /** Mean of numbers, else null. */
  readonly mean: number | null;
}

function isMissing(v: unknown): boolean {
  return v === null || v === undefined || v === '' || (typeof v === 'number' && Number.isNaN(v));
}

function toNumber(v: unknown): number {
  if (typeof v === 'number') {
    return v;
  }
  if (typeof v === 'bigint') {
    return Number(v);
  }
  if (typeof v === 'boolean') {
    return v ? 1 : 0;
  }
  return NaN;
}

function columnsOf(rows: readonly ExploreRow[]): string[] {
  return [...new Set(rows.flatMap((r) => Object.keys(r)))];
}

/**
 * Summarizes every column: inferred type, missingness, distinct count, range and mean.
 *
 * @param rows - the table
 * @returns one summary per column, in first-seen order
 */
export function summarizeTable(rows: readonly ExploreRow[]): TableColumnSummary[] {
  return columnsOf(rows).map((column) => {
    const types = new Set<string>();
    const distinct = new Set<string>();
    let missing = 0;
    const nums: number[] = [];
    const range: { min: string | null; max: string | null } = { min: null, max: null };
    for (const r of rows) {
      const v = r[column];
      if (isMissing(v)) {
        missing += 1;
        continue;
      }
      const t = v instanceof Date ? 'date' : typeof v === 'bigint' ? 'number' : typeof v;
      types.add(t);
      const key = v instanceof Date ? v.toISOString() : typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean' || typeof v === 'bigint' ? String(v) : JSON.stringify(v);
      distinct.add(key);
      if (t === 'number' || t === 'boolean') {
        nums.push(toNumber(v));
      } else if (t === 'date' || t === 'string') {
        range.min = range.min === null || key < range.min ? key : range.min;
        range.max = range.max === null || key > range.max ? key : range.max;
      }
    }
    const type = types.size === 0 ? 'empty' : types.size === 1 ? ([...types][0] ?? 'mixed') : 'mixed';
    const numeric = type === 'number' || type === 'boolean';
    const numRange = numeric ? numericRange(nums) : null;
    return {
      column,
      type,
      missing,
      missingPct: rows.length === 0 ? 0 : roundTo((100 * missing) / rows.length, 2),
      distinct: distinct.size,
      min: numRange !== null ? numRange.min : type === 'date' ? range.min : null,
      max: numRange !== null ? numRange.max : type === 'date' ? range.max : null,
      mean: numeric ? roundTo(finiteMean(nums), 4) : null,
    };
  });
}

function outcomeFlag(v: unknown): boolean | undefined {
  if (v === true || v === 1 || v === '1' || v === 'true') {
    return true;
  }
  if (v === false || v === 0 || v === '0' || v === 'false') {
    return false;
  }
  if (typeof v === 'bigint') {
    return v !== 0n;
  }
  return undefined;
}

/**
 * Box plots of numeric columns split by a binary outcome column (one subplot row per column is avoided: each
 * column is a category on the x axis, values standardized so different units share one axis).
 *
 * @param rows - the table
 * @param outcome - the 0/1 (or boolean) outcome column
 * @param columns - numeric columns to show (default: every numeric column except the outcome, at most 12)
 * @returns the figure
 * @throws {@link HealthDataError} (invalid-input) when the outcome column is absent
 */
export function distributionsByOutcome(rows: readonly ExploreRow[], outcome: string, columns?: readonly string[]): PlotlyFigure {
  if (rows.length > 0 && !rows.some((r) => outcome in r)) {
    throw new HealthDataError('invalid-input', `distributionsByOutcome: no column "${outcome}"; pass one of ${columnsOf(rows).join(', ')}`, { path: 'outcome' });
  }
  const cols = (
    columns ??
    summarizeTable(rows)
      .filter((s) => s.type === 'number' && s.column !== outcome)
      .map((s) => s.column)
  ).slice(0, columns === undefined ? 12 : undefined);
  if (cols.length === 0) {
    return emptyFigure(`Distributions by ${outcome}`, 'no numeric columns');
  }
  const groups: [boolean, string][] = [
    [true, OUTCOME_COLOURS.with],
    [false, OUTCOME_COLOURS.without],
  ];
  const data = groups.map(([has, colour]) => {
    const x: string[] = [];
    const y: number[] = [];
    for (const c of cols) {
      const all = rows.map((r) => toNumber(r[c])).filter(Number.isFinite);
      const m = finiteMean(all);
      const sd = Math.sqrt(all.reduce((s, v) => s + (v - m) ** 2, 0) / Math.max(1, all.length - 1));
      for (const r of rows) {
        const v = toNumber(r[c]);
        if (outcomeFlag(r[outcome]) === has && Number.isFinite(v)) {
          x.push(plotlyText(c));
          y.push(roundTo(sd > 0 ? (v - m) / sd : 0, 3));
        }
      }
    }
    return { type: 'box', name: `${outcome} = ${has ? '1' : '0'}`, x, y, marker: { color: colour }, boxpoints: false };
  });
  return { data, layout: baseLayout(`Distributions by ${outcome} (z-scores)`, { boxmode: 'group', yaxis: { title: { text: 'z-score' }, zeroline: true }, xaxis: { automargin: true } }) };
}

/**
 * Pearson correlation heatmap of numeric columns (pairwise complete observations).
 *
 * @param rows - the table
 * @param columns - numeric columns (default: every numeric column, at most 30)
 * @returns the figure
 */
export function correlationHeatmap(rows: readonly ExploreRow[], columns?: readonly string[]): PlotlyFigure {
  const cols =
    columns ??
    summarizeTable(rows)
      .filter((s) => s.type === 'number' || s.type === 'boolean')
      .map((s) => s.column)
      .slice(0, 30);
  if (cols.length < 2) {
    return emptyFigure('Correlation', 'fewer than two numeric columns');
  }
  const vecs = cols.map((c) => rows.map((r) => toNumber(r[c])));
  const z = vecs.map((a, i) => vecs.map((b, j) => (i === j ? 1 : roundTo(pearsonR(a, b), 3))).map((v) => (Number.isNaN(v) ? null : v)));
  const labels = cols.map(plotlyText);
  return {
    data: [{ type: 'heatmap', x: labels, y: labels, z, zmin: -1, zmax: 1, colorscale: 'RdBu', reversescale: true, hovertemplate: '%{y} × %{x}: r=%{z}<extra></extra>' }],
    layout: baseLayout('Correlation (Pearson r)', { xaxis: { automargin: true, tickangle: -40 }, yaxis: { automargin: true, autorange: 'reversed' }, height: Math.max(360, 22 * cols.length + 160) }),
  };
}

/** One univariate association. */
export interface UnivariateAssociation {
  /** Outcome column. */
  readonly outcome: string;
  /** Feature column. */
  readonly feature: string;
  /** Point-biserial correlation with the outcome. */
  readonly r: number;
  /** ROC AUC of the feature alone as a score (≥ 0.5 means higher values go with the outcome). */
  readonly auc: number;
  /** Rows with both values present. */
  readonly n: number;
}

/**
 * Ranks numeric features by the strength of their univariate association with each binary outcome (|r|).
 *
 * @param rows - the table
 * @param outcomes - 0/1 outcome columns
 * @param options - `top` per outcome (default 10) and columns to exclude (ids, dates)
 * @returns associations, strongest first within each outcome
 * @throws {@link HealthDataError} (invalid-input) when an outcome column is absent
 */
export function topAssociations(rows: readonly ExploreRow[], outcomes: readonly string[], options: { readonly top?: number; readonly exclude?: readonly string[] } = {}): UnivariateAssociation[] {
  const all = columnsOf(rows);
  for (const o of outcomes) {
    if (rows.length > 0 && !all.includes(o)) {
      throw new HealthDataError('invalid-input', `topAssociations: no outcome column "${o}"; columns are ${all.join(', ')}`, { path: 'outcomes' });
    }
  }
  const exclude = new Set([...outcomes, ...(options.exclude ?? [])]);
  const features = summarizeTable(rows)
    .filter((s) => (s.type === 'number' || s.type === 'boolean') && !exclude.has(s.column))
    .map((s) => s.column);
  const out: UnivariateAssociation[] = [];
  for (const o of outcomes) {
    const found: UnivariateAssociation[] = [];
    for (const f of features) {
      const ys: number[] = [];
      const xs: number[] = [];
      for (const r of rows) {
        const y = outcomeFlag(r[o]);
        const x = toNumber(r[f]);
        if (y !== undefined && Number.isFinite(x)) {
          ys.push(y ? 1 : 0);
          xs.push(x);
        }
      }
      const r = pearsonR(xs, ys);
      if (!Number.isNaN(r)) {
        found.push({ outcome: o, feature: f, r: roundTo(r, 4), auc: roundTo(auroc(ys, xs), 4), n: xs.length });
      }
    }
    found.sort((a, b) => Math.abs(b.r) - Math.abs(a.r) || a.feature.localeCompare(b.feature));
    out.push(...found.slice(0, options.top ?? 10));
  }
  return out;
}
