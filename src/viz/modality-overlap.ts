/**
 * Plotly figure builders for the cohort's modality coverage (notebook 08): the funnel of the guidance and an
 * UpSet-style bar chart of exclusive modality intersections. Pure: data in, figure JSON out.
 */
import type { PlotlyFigure } from './figure';

/**
 * The modality funnel (all patients → with clinical → with genomic → with imaging).
 *
 * @param funnel - stages and patient counts, in order
 * @returns the figure
 */
export function modalityFunnelFigure(funnel: readonly { readonly stage: string; readonly patients: number }[]): PlotlyFigure {
  return {
    data: [{ type: 'funnel', y: funnel.map((f) => f.stage), x: funnel.map((f) => f.patients), textinfo: 'value+percent initial' }],
    layout: { title: { text: 'Patients per modality' }, height: 320, margin: { l: 150, r: 20, t: 50, b: 30 } },
  };
}

/**
 * An UpSet-style chart: one bar per exclusive intersection of modalities (e.g. clinical+genomic only), with a dot
 * matrix underneath showing which modalities each bar combines.
 *
 * @param intersections - exclusive intersections and counts (`set` names joined with `+`)
 * @param modalities - the modalities, top to bottom (default clinical, genomic, imaging)
 * @returns the figure
 */
export function modalityUpsetFigure(intersections: readonly { readonly set: string; readonly patients: number }[], modalities: readonly string[] = ['clinical', 'genomic', 'imaging']): PlotlyFigure {
  const sets = [...intersections].sort((a, b) => b.patients - a.patients || a.set.localeCompare(b.set));
  const x = sets.map((s) => s.set);
  const dots = modalities.flatMap((m) => sets.map((s) => ({ x: s.set, y: m, on: s.set.split('+').includes(m) })));
  return {
    data: [
      { type: 'bar', x, y: sets.map((s) => s.patients), text: sets.map((s) => String(s.patients)), textposition: 'outside', marker: { color: '#4c78a8' }, xaxis: 'x', yaxis: 'y', name: 'patients' },
      {
        type: 'scatter',
        mode: 'markers',
        x: dots.map((d) => d.x),
        y: dots.map((d) => d.y),
        marker: { size: 14, color: dots.map((d) => (d.on ? '#222222' : '#dddddd')) },
        xaxis: 'x',
        yaxis: 'y2',
        hoverinfo: 'skip',
        showlegend: false,
      },
    ],
    layout: {
      title: { text: 'Modality overlap (exclusive intersections)' },
      grid: { rows: 2, columns: 1, roworder: 'top to bottom' },
      xaxis: { type: 'category', showticklabels: false },
      yaxis: { domain: [0.4, 1], title: { text: 'patients' } },
      yaxis2: { domain: [0, 0.32], type: 'category', categoryorder: 'array', categoryarray: [...modalities].reverse() },
      showlegend: false,
      height: 420,
    },
  };
}
