/**
 * The plotly figure shape our builders return: plain JSON (`data` traces plus `layout`), no plotly import, so
 * the same object renders in a notebook (Plotly MIME type), in the static dashboard and in golden-file tests.
 */

/** One plotly trace: `type` plus any plotly trace attributes (JSON values only). */
export interface PlotlyTrace {
  /** Plotly trace type (`bar`, `scatter`, `heatmap`, `box`, `binCounts`, `table`…). */
  readonly type: string;
  /** Other attributes (`x`, `y`, `name`, `marker`…). */
  readonly [attribute: string]: unknown;
}

/** A plotly figure: traces and layout, JSON-serializable. */
export interface PlotlyFigure {
  /** The traces, drawn in order. */
  readonly data: readonly PlotlyTrace[];
  /** Plotly layout (title, axes, legend, margins…). */
  readonly layout: Readonly<Record<string, unknown>>;
}

/** Colours used across the dashboards (Okabe–Ito, readable by colour-blind viewers). */
export const FIGURE_PALETTE: readonly string[] = ['#0072B2', '#E69F00', '#009E73', '#CC79A7', '#56B4E9', '#D55E00', '#F0E442', '#000000'];

/** Colour for "has the outcome" and "does not". */
export const OUTCOME_COLOURS = { with: '#D55E00', without: '#0072B2' } as const;

/**
 * Picks a palette colour by index (wraps around).
 *
 * @param i - index
 * @returns a CSS colour
 */
export function paletteColour(i: number): string {
  return FIGURE_PALETTE[((i % FIGURE_PALETTE.length) + FIGURE_PALETTE.length) % FIGURE_PALETTE.length] ?? '#000000';
}

/**
 * Makes a string from data safe to show as plotly text. Plotly interprets a few HTML-like tags in titles, labels
 * and hover text (`<b>`, `<a href>`, `<br>`); escaping `<`, `>` and `&` makes it show them literally (plotly
 * decodes `&lt;` `&gt;` `&amp;` back to characters when it draws).
 *
 * @param text - any value from data
 * @returns text plotly draws verbatim
 */
export function plotlyText(text: unknown): string {
  const s =
    typeof text === 'string'
      ? text
      : typeof text === 'number' || typeof text === 'boolean' || typeof text === 'bigint'
        ? String(text)
        : text === null || text === undefined
          ? ''
          : JSON.stringify(text);
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/**
 * The shared layout defaults: title, compact margins, readable font. The legend is horizontal at the bottom of the
 * figure (below the axis title; plotly widens the bottom margin to fit it, wrapping onto more rows when narrow), so a
 * long title and a long legend never overlap at any width.
 *
 * @param title - figure title (text from data is escaped)
 * @param extra - more layout attributes (override the defaults)
 * @returns the layout object
 */
export function baseLayout(title: string, extra: Readonly<Record<string, unknown>> = {}): Record<string, unknown> {
  return {
    title: { text: plotlyText(title), x: 0.02, xanchor: 'left', font: { size: 15 } },
    margin: { l: 60, r: 20, t: 48, b: 48 },
    font: { family: 'system-ui, -apple-system, Segoe UI, Roboto, sans-serif', size: 12 },
    paper_bgcolor: '#ffffff',
    plot_bgcolor: '#ffffff',
    legend: { orientation: 'h', x: 0, xanchor: 'left', yref: 'container', y: 0, yanchor: 'bottom' },
    ...extra,
    // automargin keeps the x-axis title below the tick labels when the legend takes room at the bottom.
    xaxis: { automargin: true, ...(extra.xaxis as Record<string, unknown> | undefined) },
  };
}

/**
 * A figure that says there is nothing to draw yet (keeps every sheet rendering when a store is empty).
 *
 * @param title - figure title
 * @param message - the message shown in the plot area
 * @returns the figure
 */
export function emptyFigure(title: string, message = 'no data yet for this modality'): PlotlyFigure {
  return {
    data: [],
    layout: baseLayout(title, {
      xaxis: { visible: false },
      yaxis: { visible: false },
      annotations: [{ text: plotlyText(message), showarrow: false, xref: 'paper', yref: 'paper', x: 0.5, y: 0.5, font: { size: 14, color: '#666' } }],
    }),
  };
}

/**
 * Rounds to a fixed number of significant decimals so figure JSON is stable and small.
 *
 * @param x - a number
 * @param digits - decimals to keep (default 4)
 * @returns the rounded number (NaN/Infinity stay as they are)
 */
export function roundTo(x: number, digits = 4): number {
  if (!Number.isFinite(x)) {
    return x;
  }
  const f = 10 ** digits;
  return Math.round(x * f) / f;
}
