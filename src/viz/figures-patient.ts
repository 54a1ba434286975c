/**
 * Per-patient figures for the patient view: condition/encounter timeline, vitals trends, genomic findings, imaging
 * features and the model's risk per outcome with its top features.
 */
import { dashboardOutcomeLabel } from './rows';
import type { ConditionEventRow, EncounterEventRow, NumericObservationRow, RadiomicFeatureRow, PatientRiskRow, VariantFindingRow } from './rows';
import { baseLayout, emptyFigure, paletteColour, plotlyText, roundTo } from './figure';
import type { PlotlyFigure } from './figure';

/**
 * Timeline: encounters and condition onsets as markers on a date axis (one lane each).
 *
 * @param conditions - the patient's conditions
 * @param encounters - the patient's encounters
 * @returns the figure
 */
export function timelineFigure(conditions: readonly ConditionEventRow[], encounters: readonly EncounterEventRow[]): PlotlyFigure {
  const dated = conditions.filter((c) => c.onset !== null).sort((a, b) => (a.onset ?? '').localeCompare(b.onset ?? ''));
  if (dated.length === 0 && encounters.length === 0) {
    return emptyFigure('Timeline', 'no conditions or encounters recorded');
  }
  const enc = [...encounters].sort((a, b) => a.start.localeCompare(b.start));
  return {
    data: [
      {
        type: 'scatter',
        mode: 'markers',
        name: 'encounters',
        x: enc.map((e) => e.start.slice(0, 10)),
        y: enc.map(() => 'encounters'),
        text: enc.map((e) => plotlyText(e.type)),
        marker: { color: paletteColour(4), symbol: 'line-ns-open', size: 14 },
        hovertemplate: '%{x}: %{text}<extra></extra>',
      },
      {
        type: 'scatter',
        mode: 'markers',
        name: 'condition onset',
        x: dated.map((c) => (c.onset ?? '').slice(0, 10)),
        y: dated.map(() => 'conditions'),
        text: dated.map((c) => plotlyText(c.display)),
        marker: { color: paletteColour(5), size: 11, symbol: 'diamond' },
        hovertemplate: '%{x}: %{text}<extra></extra>',
      },
    ],
    layout: baseLayout('Timeline', {
      xaxis: { type: 'date', title: { text: 'date' } },
      yaxis: { type: 'category', categoryorder: 'array', categoryarray: ['encounters', 'conditions'], automargin: true },
      height: 260,
      showlegend: false,
    }),
  };
}

/**
 * Vitals and labs over time: one line per observation code (at most `maxSeries` most frequent codes).
 *
 * @param observations - the patient's numeric observations
 * @param maxSeries - how many codes to draw (default 6)
 * @returns the figure
 */
export function vitalsTrendFigure(observations: readonly NumericObservationRow[], maxSeries = 6): PlotlyFigure {
  if (observations.length === 0) {
    return emptyFigure('Vitals and labs', 'no observations recorded');
  }
  const byCode = new Map<string, NumericObservationRow[]>();
  for (const o of observations) {
    const list = byCode.get(o.code) ?? [];
    list.push(o);
    byCode.set(o.code, list);
  }
  const series = [...byCode.values()].sort((a, b) => b.length - a.length || (a[0]?.display ?? '').localeCompare(b[0]?.display ?? '')).slice(0, maxSeries);
  return {
    data: series.map((list, i) => {
      const sorted = [...list].sort((a, b) => a.effective.localeCompare(b.effective));
      const first = sorted[0];
      return {
        type: 'scatter',
        mode: 'lines+markers',
        name: plotlyText(`${first?.display ?? ''}${first?.unit ? ` (${first.unit})` : ''}`),
        x: sorted.map((o) => o.effective.slice(0, 10)),
        y: sorted.map((o) => roundTo(o.value, 3)),
        line: { color: paletteColour(i) },
      };
    }),
    // Room below the axis for the legend even when it wraps to one series per row (a narrow card, long lab names).
    layout: baseLayout('Vitals and labs', {
      xaxis: { type: 'date' },
      yaxis: { title: { text: 'value' } },
      height: 300 + 20 * series.length,
      margin: { l: 60, r: 20, t: 48, b: 56 + 20 * series.length },
    }),
  };
}

/**
 * Table of the patient's annotated variants, most severe significance first.
 *
 * @param variants - the patient's variants
 * @returns the figure
 */
export function genomicFindingsFigure(variants: readonly VariantFindingRow[]): PlotlyFigure {
  if (variants.length === 0) {
    return emptyFigure('Genomic findings', 'no annotated variants');
  }
  const severity = (s: string): number => (/^pathogenic/i.test(s) ? 0 : /likely_pathogenic/i.test(s) ? 1 : /risk/i.test(s) ? 2 : /uncertain|conflicting/i.test(s) ? 3 : 4);
  const rows = [...variants].sort((a, b) => severity(a.clinicalSignificance) - severity(b.clinicalSignificance) || a.gene.localeCompare(b.gene) || a.variant.localeCompare(b.variant));
  return {
    data: [
      {
        type: 'table',
        header: { values: ['gene', 'variant', 'genotype', 'clinical significance', 'condition'], fill: { color: '#eef2f7' }, align: 'left' },
        cells: {
          values: [
            rows.map((r) => plotlyText(r.gene)),
            rows.map((r) => plotlyText(r.variant)),
            rows.map((r) => plotlyText(r.genotype ?? '')),
            rows.map((r) => plotlyText(r.clinicalSignificance.replace(/_/g, ' '))),
            rows.map((r) => plotlyText(r.condition ?? '')),
          ],
          align: 'left',
        },
      },
    ],
    layout: baseLayout('Genomic findings', { height: Math.min(520, 90 + 28 * (rows.length + 1)) }),
  };
}

/**
 * Table of a patient's radiomic features (one column per image set).
 *
 * @param rows - the patient's radiomic rows
 * @param maxFeatures - features to list (default 20, alphabetical)
 * @returns the figure
 */
export function imagingFeaturesFigure(rows: readonly RadiomicFeatureRow[], maxFeatures = 20): PlotlyFigure {
  if (rows.length === 0) {
    return emptyFigure('Imaging features', 'no imaging features');
  }
  const names = [...new Set(rows.flatMap((r) => Object.keys(r.features)))].sort().slice(0, maxFeatures);
  return {
    data: [
      {
        type: 'table',
        header: { values: ['feature', ...rows.map((r) => plotlyText(r.imageSetId.slice(0, 12)))], fill: { color: '#eef2f7' }, align: 'left' },
        cells: { values: [names.map(plotlyText), ...rows.map((r) => names.map((n) => (r.features[n] === undefined ? '' : roundTo(r.features[n] ?? NaN, 4))))], align: 'left' },
      },
    ],
    layout: baseLayout('Imaging features', { height: Math.min(640, 90 + 26 * (names.length + 1)) }),
  };
}

/**
 * Horizontal bars: the model's predicted risk per outcome, hover lists the top contributing features.
 *
 * @param risks - the patient's risk rows
 * @returns the figure
 */
export function riskFigure(risks: readonly PatientRiskRow[]): PlotlyFigure {
  if (risks.length === 0) {
    return emptyFigure('Predicted risk', 'no model predictions yet');
  }
  const rows = [...risks].sort((a, b) => a.outcome.localeCompare(b.outcome));
  return {
    data: [
      {
        type: 'bar',
        orientation: 'h',
        y: rows.map((r) => plotlyText(dashboardOutcomeLabel(r.outcome))),
        x: rows.map((r) => roundTo(100 * r.probability, 1)),
        text: rows.map((r) =>
          r.topFeatures
            .slice(0, 5)
            .map((f) => `${plotlyText(f.feature)} ${f.contribution >= 0 ? '+' : ''}${roundTo(f.contribution, 3).toString()}`)
            .join('<br>'),
        ),
        marker: { color: rows.map((r) => (r.probability >= 0.5 ? '#D55E00' : r.probability >= 0.2 ? '#E69F00' : '#009E73')) },
        hovertemplate: '%{y}: %{x:.1f}%<br>top features:<br>%{text}<extra></extra>',
        textposition: 'none',
      },
    ],
    layout: baseLayout('Predicted risk (hover for top features)', { xaxis: { title: { text: 'risk %' }, range: [0, 100] }, yaxis: { automargin: true }, height: 80 + 50 * rows.length }),
  };
}
