/**
 * Model figures (pure: data in, figure JSON out), for the dashboard's Models sheet (from saved
 * {@link ModelResultSummary} reports) and for notebook 09 (from labelled score series): metrics table, ROC curves,
 * calibration (reliability) curves, permutation importance and the study designs side by side. The curves come from
 * `automl/metrics.ts` (`rocCurve`, `calibrationCurve`, `auroc`), the one implementation the model selection uses too.
 */
import type { FeatureImportanceRow } from '../automl/importance';
import type { MetricEstimate } from '../automl/metrics';
import { auroc, calibrationCurve, rocCurve } from '../automl/metrics';
import { dashboardOutcomeLabel } from './rows';
import type { ReportDesignRow } from '../automl/outcome-models';
import type { ModelResultSummary } from './rows';
import { baseLayout, emptyFigure, paletteColour, plotlyText, roundTo } from './figure';
import type { PlotlyFigure, PlotlyTrace } from './figure';

/** Legend under the plot: with four outcomes a legend beside the title would run into it on a narrow card. */
const BELOW_LEGEND = { legend: { orientation: 'h', x: 0, xanchor: 'left', y: -0.22, yanchor: 'top' }, margin: { l: 60, r: 20, t: 48, b: 110 }, height: 440 };

const METRIC_ORDER = ['roc_auc', 'roc_auc_lower', 'roc_auc_upper', 'accuracy', 'precision', 'recall', 'f1', 'brier'];
/** Discrimination first (AUROC and its interval), then the guidance's metrics, then the rest alphabetically. */
function metricRank(name: string): number {
  const i = METRIC_ORDER.indexOf(name);
  return i < 0 ? METRIC_ORDER.length : i;
}

/**
 * A plotly table of every model's metrics (one row per outcome/model, one column per metric).
 *
 * @param results - model results
 * @returns the figure
 */
export function metricsTableFigure(results: readonly ModelResultSummary[]): PlotlyFigure {
  if (results.length === 0) {
    return emptyFigure('Model metrics', 'no trained models yet');
  }
  const metrics = [...new Set(results.flatMap((r) => Object.keys(r.metrics)))].sort((a, b) => metricRank(a) - metricRank(b) || a.localeCompare(b));
  // Warnings saved with a model (below minimum support, AUROC interval at or below chance) lead its row.
  const warned = results.some((r) => (r.warnings ?? []).length > 0);
  const header = ['outcome', 'model', ...(warned ? ['warnings'] : []), ...metrics];
  const columns = [
    results.map((r) => plotlyText(dashboardOutcomeLabel(r.outcome))),
    results.map((r) => plotlyText(r.model)),
    ...(warned ? [results.map((r) => (r.warnings ?? []).map((w) => plotlyText(`⚠ ${w}`)).join('<br>'))] : []),
    ...metrics.map((m) => results.map((r) => (r.metrics[m] === undefined ? '' : roundTo(r.metrics[m] ?? NaN, 3)))),
  ];
  return {
    data: [{ type: 'table', header: { values: header.map(plotlyText), fill: { color: '#eef2f7' }, align: 'left' }, cells: { values: columns, align: 'left' } }],
    layout: baseLayout('Model metrics (held-out predictions)', { height: 80 + (warned ? 60 : 30) * (results.length + 1) }),
  };
}

/**
 * ROC curves, one per model result that carries test labels and probabilities, with the chance diagonal.
 *
 * @param results - model results
 * @returns the figure
 */
export function rocFigure(results: readonly ModelResultSummary[]): PlotlyFigure {
  const usable = results.filter((r) => r.labels !== undefined && r.probabilities !== undefined && r.labels.length > 0);
  if (usable.length === 0) {
    return emptyFigure('ROC', 'no test predictions yet');
  }
  return {
    data: [
      ...usable.map((r, i) => {
        const y = r.labels ?? [];
        const score = r.probabilities ?? [];
        const pts = rocCurve(y, score);
        const auc = auroc(y, score);
        return {
          type: 'scatter',
          mode: 'lines',
          name: `${plotlyText(dashboardOutcomeLabel(r.outcome))} (AUC ${Number.isNaN(auc) ? 'n/a' : auc.toFixed(3)})`,
          x: pts.map((q) => roundTo(q.fpr)),
          y: pts.map((q) => roundTo(q.tpr)),
          line: { color: paletteColour(i), shape: 'hv' },
        };
      }),
      { type: 'scatter', mode: 'lines', name: 'chance', x: [0, 1], y: [0, 1], line: { color: '#aaaaaa', dash: 'dash' }, showlegend: false, hoverinfo: 'skip' },
    ],
    layout: baseLayout('ROC (held-out predictions)', {
      ...BELOW_LEGEND,
      xaxis: { title: { text: 'false-positive rate' }, range: [0, 1] },
      yaxis: { title: { text: 'true-positive rate' }, range: [0, 1.02] },
    }),
  };
}

/**
 * Calibration curves (mean predicted vs observed positive rate per probability decile), with the ideal diagonal.
 *
 * @param results - model results
 * @param bins - probability bins (default 10)
 * @returns the figure
 */
export function calibrationFigure(results: readonly ModelResultSummary[], bins = 10): PlotlyFigure {
  const usable = results.filter((r) => r.labels !== undefined && r.probabilities !== undefined && r.labels.length > 0);
  if (usable.length === 0) {
    return emptyFigure('Calibration', 'no test predictions yet');
  }
  return {
    data: [
      ...usable.map((r, i) => {
        const c = calibrationCurve(r.labels ?? [], r.probabilities ?? [], bins);
        return {
          type: 'scatter',
          mode: 'lines+markers',
          name: plotlyText(dashboardOutcomeLabel(r.outcome)),
          x: c.map((b) => roundTo(b.meanPredicted)),
          y: c.map((b) => roundTo(b.fractionPositive)),
          customdata: c.map((b) => b.count),
          hovertemplate: 'predicted %{x:.2f}, observed %{y:.2f} (n=%{customdata})<extra></extra>',
          line: { color: paletteColour(i) },
        };
      }),
      { type: 'scatter', mode: 'lines', name: 'ideal', x: [0, 1], y: [0, 1], line: { color: '#aaaaaa', dash: 'dash' }, showlegend: false, hoverinfo: 'skip' },
    ],
    layout: baseLayout('Calibration (held-out predictions)', {
      ...BELOW_LEGEND,
      xaxis: { title: { text: 'mean predicted probability' }, range: [0, 1] },
      yaxis: { title: { text: 'observed positive rate' }, range: [0, 1] },
    }),
  };
}

/**
 * Horizontal bars of the most important features of one model.
 *
 * @param result - the model result
 * @param top - features to show (default 15)
 * @returns the figure
 */
export function importanceFigure(result: ModelResultSummary, top = 15): PlotlyFigure {
  const title = `Feature importance — ${dashboardOutcomeLabel(result.outcome)}`;
  // Features the model does not use (importance ≤ 0: shuffling them costs nothing) would only pad the list.
  const rows = [...(result.importance ?? [])]
    .filter((r) => r.importance > 0)
    .sort((a, b) => b.importance - a.importance || a.feature.localeCompare(b.feature))
    .slice(0, top);
  if (rows.length === 0) {
    return emptyFigure(title, (result.importance ?? []).length === 0 ? 'no importance computed yet' : 'no feature changes the score when shuffled');
  }
  return {
    data: [
      {
        type: 'bar',
        orientation: 'h',
        y: rows.map((r) => plotlyText(r.feature)),
        x: rows.map((r) => roundTo(r.importance)),
        marker: { color: paletteColour(2) },
        hovertemplate: '%{y}: %{x}<extra></extra>',
      },
    ],
    layout: baseLayout(title, { yaxis: { autorange: 'reversed', automargin: true }, xaxis: { title: { text: 'importance' } }, height: Math.max(300, 22 * rows.length + 100) }),
  };
}

const DESIGN_ORDER = ['guidance', 'prognostic', 'landmark'];

function fmtInterval(v: number | null, lo: number | null, hi: number | null, signed = false): string {
  if (v === null) {
    return '';
  }
  const head = `${signed && v >= 0 ? '+' : ''}${v.toFixed(3)}`;
  return lo === null || hi === null ? head : `${head} [${lo.toFixed(2)}, ${hi.toFixed(2)}]`;
}

/**
 * The study designs side by side: per outcome and modality set, each design's comparison size, AUROC with its
 * interval, the paired difference to clinical-only on the same patients and the AUROC as a share of the set's oracle.
 *
 * @param results - model results carrying `designs`
 * @returns a plotly table (an empty figure when no result carries design rows)
 */
export function designComparisonFigure(results: readonly ModelResultSummary[]): PlotlyFigure {
  const title = 'Study designs side by side: AUROC on the same patients, paired difference to clinical-only';
  const withDesigns = results.filter((r) => (r.designs ?? []).length > 0);
  if (withDesigns.length === 0) {
    return emptyFigure(title, 'no design comparisons in the saved reports yet');
  }
  const keyOf = (d: ReportDesignRow): string => (d.comparison === 'all three' ? d.design : `${d.design} (${d.comparison})`);
  const keys = [...new Set(withDesigns.flatMap((r) => (r.designs ?? []).map(keyOf)))].sort(
    (a, b) => DESIGN_ORDER.indexOf(a.split(' ')[0] ?? '') - DESIGN_ORDER.indexOf(b.split(' ')[0] ?? '') || a.localeCompare(b),
  );
  const rows: { outcome: string; set: string; cells: Map<string, ReportDesignRow> }[] = [];
  for (const r of withDesigns) {
    for (const d of r.designs ?? []) {
      let row = rows.find((x) => x.outcome === r.outcome && x.set === d.set);
      if (row === undefined) {
        row = { outcome: r.outcome, set: d.set, cells: new Map() };
        rows.push(row);
      }
      row.cells.set(keyOf(d), d);
    }
  }
  const header = ['outcome', 'set', ...keys.flatMap((k) => [`${k}: n (cases)`, `${k}: AUROC`, `${k}: Δ vs clinical`, `${k}: / oracle`])];
  const columns = [
    rows.map((x) => plotlyText(dashboardOutcomeLabel(x.outcome))),
    rows.map((x) => plotlyText(x.set)),
    ...keys.flatMap((k) => [
      rows.map((x) => {
        const d = x.cells.get(k);
        return d === undefined ? '' : `${String(d.patients)} (${String(d.cases)})`;
      }),
      rows.map((x) => {
        const d = x.cells.get(k);
        return d === undefined ? '' : fmtInterval(d.auroc, d.lower, d.upper);
      }),
      rows.map((x) => {
        const v = x.cells.get(k)?.vsClinical;
        return v === undefined || v === null ? '' : fmtInterval(v.difference, v.lower, v.upper, true);
      }),
      rows.map((x) => {
        const d = x.cells.get(k);
        return d === undefined || d.auroc === null || d.oracle === null ? '' : roundTo(d.auroc / d.oracle, 2);
      }),
    ]),
  ];
  return {
    data: [{ type: 'table', header: { values: header.map(plotlyText), fill: { color: '#eef2f7' }, align: 'left' }, cells: { values: columns, align: 'left' } }],
    layout: baseLayout(title, { height: 100 + 26 * (rows.length + 2) }),
  };
}

// Notebook 09's figures: one trace per labelled score series.

/** A plotly figure (data traces plus layout): viz's {@link PlotlyFigure}, so `showFigure` takes it as is. */
export type ModelFigure = PlotlyFigure;

/** One labelled score set (e.g. one outcome × modality set). */
export interface ScoredSeries {
  /** Legend name. */
  readonly name: string;
  /** 0/1 labels. */
  readonly y: ArrayLike<number>;
  /** Positive-class probabilities. */
  readonly score: ArrayLike<number>;
  /** AUROC with its interval, shown in the legend when given. */
  readonly auroc?: MetricEstimate;
}

const r3 = (v: number): number => Math.round(v * 1000) / 1000;

/**
 * ROC curves, one trace per series, plus the chance diagonal.
 *
 * @param series - labelled scores
 * @param title - figure title
 * @returns the figure
 */
export function modelRocFigure(series: readonly ScoredSeries[], title = 'ROC curve'): ModelFigure {
  const data: PlotlyTrace[] = series.map((s) => {
    const pts = rocCurve(s.y, s.score);
    const label = s.auroc === undefined ? s.name : `${s.name} (AUROC ${s.auroc.value.toFixed(3)} [${s.auroc.lower.toFixed(3)}, ${s.auroc.upper.toFixed(3)}])`;
    return { type: 'scatter', mode: 'lines', name: label, x: pts.map((q) => r3(q.fpr)), y: pts.map((q) => r3(q.tpr)), line: { shape: 'hv' } };
  });
  data.push({ type: 'scatter', mode: 'lines', name: 'chance', x: [0, 1], y: [0, 1], line: { dash: 'dash', color: '#999' } });
  return {
    data,
    layout: { title: { text: title }, xaxis: { title: { text: 'false positive rate' }, range: [0, 1] }, yaxis: { title: { text: 'true positive rate' }, range: [0, 1] }, width: 640, height: 520 },
  };
}

/**
 * Calibration plot: observed share of positives against mean predicted probability per bin, plus the diagonal.
 *
 * @param series - labelled scores
 * @param nBins - equal-width bins (default 10)
 * @param title - figure title
 * @returns the figure
 */
export function modelCalibrationFigure(series: readonly ScoredSeries[], nBins = 10, title = 'Calibration'): ModelFigure {
  const data: PlotlyTrace[] = series.map((s) => {
    const bins = calibrationCurve(s.y, s.score, nBins);
    return {
      type: 'scatter',
      mode: 'lines+markers',
      name: s.name,
      x: bins.map((b) => r3(b.meanPredicted)),
      y: bins.map((b) => r3(b.fractionPositive)),
      text: bins.map((b) => `n = ${b.count}`),
    };
  });
  data.push({ type: 'scatter', mode: 'lines', name: 'perfect calibration', x: [0, 1], y: [0, 1], line: { dash: 'dash', color: '#999' } });
  return {
    data,
    layout: {
      title: { text: title },
      xaxis: { title: { text: 'mean predicted probability' }, range: [0, 1] },
      yaxis: { title: { text: 'observed fraction positive' }, range: [0, 1] },
      width: 640,
      height: 520,
    },
  };
}

/**
 * Horizontal bars of permutation importance with 95% interval whiskers (top `maxFeatures`).
 *
 * @param rows - rows from `permutationImportance`
 * @param maxFeatures - bars shown (default 20)
 * @param title - figure title
 * @returns the figure
 */
export function modelImportanceFigure(rows: readonly FeatureImportanceRow[], maxFeatures = 20, title = 'Permutation importance'): ModelFigure {
  const top = [...rows]
    .sort((a, b) => b.importance - a.importance)
    .slice(0, maxFeatures)
    .reverse();
  return {
    data: [
      {
        type: 'bar',
        orientation: 'h',
        y: top.map((r) => r.feature),
        x: top.map((r) => r3(r.importance)),
        error_x: { type: 'data', symmetric: false, array: top.map((r) => r3(r.upper - r.importance)), arrayminus: top.map((r) => r3(r.importance - r.lower)) },
      },
    ],
    layout: { title: { text: title }, xaxis: { title: { text: 'drop in score when shuffled' } }, margin: { l: 180 }, width: 640, height: Math.max(300, 24 * top.length + 120) },
  };
}
