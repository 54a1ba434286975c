/**
 * Plotly figure builders for the single-patient record (notebook 08). Pure: data in, figure JSON out.
 */
import type { PlotlyFigure } from './figure';

/** The parts of a patient record the timeline draws (structurally a `PatientRecord`). */
export interface PatientTimelineInput {
  /** Patient id (shown in the title). */
  readonly patientId: string;
  /** Conditions. */
  readonly conditions: readonly { readonly onset: string | null; readonly display: string | null }[];
  /** Medications. */
  readonly medications: readonly { readonly authoredOn: string | null; readonly display: string | null }[];
  /** Observations. */
  readonly observations: readonly { readonly time: string | null; readonly display: string | null; readonly value: number | null; readonly unit: string | null }[];
  /** Imaging studies. */
  readonly imagingStudies: readonly { readonly started: string | null; readonly modality: string | null }[];
}

function events<T>(rows: readonly T[], time: (r: T) => string | null, label: (r: T) => string): { x: string[]; text: string[] } {
  const x: string[] = [];
  const text: string[] = [];
  for (const r of rows) {
    const t = time(r);
    if (t !== null) {
      x.push(t);
      text.push(label(r));
    }
  }
  return { x, text };
}

/**
 * A patient timeline: one lane per kind of event (conditions, medications, imaging, observations), hover text
 * naming the event.
 *
 * @param rec - the record
 * @returns the figure
 */
export function patientTimelineFigure(rec: PatientTimelineInput): PlotlyFigure {
  const lanes = [
    {
      name: 'conditions',
      color: '#d62728',
      ...events(
        rec.conditions,
        (r) => r.onset,
        (r) => r.display ?? 'condition',
      ),
    },
    {
      name: 'medications',
      color: '#2ca02c',
      ...events(
        rec.medications,
        (r) => r.authoredOn,
        (r) => r.display ?? 'medication',
      ),
    },
    {
      name: 'imaging',
      color: '#9467bd',
      ...events(
        rec.imagingStudies,
        (r) => r.started,
        (r) => `${r.modality ?? 'imaging'} study`,
      ),
    },
    {
      name: 'observations',
      color: '#1f77b4',
      ...events(
        rec.observations,
        (r) => r.time,
        (r) => `${r.display ?? 'observation'}: ${r.value === null ? '' : String(r.value)} ${r.unit ?? ''}`.trim(),
      ),
    },
  ];
  return {
    data: lanes.map((l) => ({
      type: 'scatter',
      mode: 'markers',
      name: l.name,
      x: l.x,
      y: l.x.map(() => l.name),
      text: l.text,
      hovertemplate: '%{x}<br>%{text}<extra></extra>',
      marker: { color: l.color, size: 9, symbol: 'line-ns-open', line: { width: 2 } },
    })),
    layout: {
      title: { text: `Patient ${rec.patientId}: timeline` },
      xaxis: { title: { text: 'date' }, type: 'date' },
      yaxis: { type: 'category', categoryorder: 'array', categoryarray: lanes.map((l) => l.name).reverse() },
      height: 320,
      margin: { l: 110, r: 20, t: 50, b: 50 },
      showlegend: false,
    },
  };
}

/**
 * Trends of one observation (e.g. systolic blood pressure) over time, one line per observation display name.
 *
 * @param rec - the record's observations
 * @param displays - which observations to draw (by display text); default the 4 most frequent
 * @returns the figure
 */
export function patientVitalsFigure(rec: Pick<PatientTimelineInput, 'patientId' | 'observations'>, displays?: readonly string[]): PlotlyFigure {
  const counts = new Map<string, number>();
  for (const o of rec.observations) {
    if (o.display !== null && o.value !== null && o.time !== null) {
      counts.set(o.display, (counts.get(o.display) ?? 0) + 1);
    }
  }
  const chosen =
    displays ??
    [...counts.entries()]
      .sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]))
      .slice(0, 4)
      .map(([k]) => k);
  return {
    data: chosen.map((name) => {
      const pts = rec.observations.filter((o) => o.display === name && o.value !== null && o.time !== null);
      return { type: 'scatter', mode: 'lines+markers', name, x: pts.map((p) => p.time), y: pts.map((p) => p.value), text: pts.map((p) => p.unit ?? '') };
    }),
    layout: { title: { text: `Patient ${rec.patientId}: observation trends` }, xaxis: { type: 'date', title: { text: 'date' } }, yaxis: { title: { text: 'value' } }, height: 360 },
  };
}
