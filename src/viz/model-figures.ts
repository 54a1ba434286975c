/**
 * Plotly figure builders for model evaluation (pure: data in, figure JSON out): ROC curves with the AUROC and its
 * interval in the legend, calibration (reliability) plots, and permutation-importance bars with intervals.
 */
import type { FeatureImportanceRow } from '../automl/importance';
import type { MetricEstimate } from '../automl/metrics';
import { calibrationCurve, rocCurve } from '../automl/metrics';
import type { PlotlyFigure, PlotlyTrace } from './figure';

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
    layout: { title: { text: title }, xaxis: { title: { text: 'mean predicted probability' }, range: [0, 1] }, yaxis: { title: { text: 'observed fraction positive' }, range: [0, 1] }, width: 640, height: 520 },
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
  const top = [...rows].sort((a, b) => b.importance - a.importance).slice(0, maxFeatures).reverse();
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
