/**
 * Shows plotly figures in a notebook. Inside a tslab kernel one display message carries two MIME types:
 * `application/vnd.plotly.v1+json` (JupyterLab / SageMaker Studio render it natively when the plotly extension is
 * installed) and a `text/html` fallback (a div plus a script drawing with the bundled plotly.js, inlined once per
 * kernel) for plain Jupyter and exported notebooks. Outside a kernel it prints a one-line summary.
 */
import * as fs from 'node:fs';
import { HealthDataError } from '../errors';
import type { PlotlyFigure } from './figure';
import { tslabDisplay } from './notebook';

/** The MIME type of plotly figure JSON. */
export const PLOTLY_MIME = 'application/vnd.plotly.v1+json';

let bundleInlined = false;
let figureCounter = 0;

/**
 * Path of the bundled plotly.js (the `plotly.js-dist-min` package; never a CDN).
 *
 * @returns the absolute path of `plotly.min.js`
 * @throws {@link HealthDataError} (not-found) when the package is not installed
 */
export function plotlyBundlePath(): string {
  try {
    return require.resolve('plotly.js-dist-min/plotly.min.js');
  } catch (e) {
    throw new HealthDataError('not-found', 'plotlyBundlePath: plotly.js-dist-min is not installed; run npm ci in the project', { cause: e });
  }
}

/**
 * Serializes JSON for embedding inside an HTML `<script>` element: `<`, `>`, `&` and the line separators are
 * written as \u escapes so data can never close the script or open a comment.
 *
 * @param value - any JSON value
 * @returns JSON text safe inside `<script>`
 */
export function scriptJson(value: unknown): string {
  return JSON.stringify(value)
    .replace(/</g, '\\u003c')
    .replace(/>/g, '\\u003e')
    .replace(/&/g, '\\u0026')
    .replace(/\u2028/g, '\\u2028')
    .replace(/\u2029/g, '\\u2029');
}

/**
 * Wraps the plotly bundle so it always defines `window.Plotly`, also where RequireJS is loaded (classic Jupyter):
 * the UMD header would otherwise register an AMD module instead of the global.
 *
 * @param bundle - the text of plotly.min.js
 * @returns a script body
 */
export function globalPlotlyScript(bundle: string): string {
  return `if (!window.Plotly) { (function (define, module, exports) {\n${bundle}\n}).call(window, undefined, undefined, undefined); }`;
}

/**
 * HTML that draws a figure: a div and a script calling `Plotly.newPlot`; optionally preceded by the whole plotly
 * bundle in its own script.
 *
 * @param fig - the figure
 * @param options - `id` of the div (default: a fresh one), `includeBundle` to inline plotly.js
 * @returns the HTML text
 */
export function figureHtml(fig: PlotlyFigure, options: { readonly id?: string; readonly includeBundle?: boolean } = {}): string {
  figureCounter += 1;
  const id = options.id ?? `mmh-fig-${String(process.pid)}-${String(figureCounter)}`;
  const safeId = id.replace(/[^A-Za-z0-9_-]/g, '_');
  const bundle = options.includeBundle === true ? `<script>${globalPlotlyScript(fs.readFileSync(plotlyBundlePath(), 'utf8')).replace(/<\/script/gi, '<\\/script')}</script>` : '';
  const draw = `(function () { var el = document.getElementById(${scriptJson(safeId)}); var fig = ${scriptJson(fig)}; if (window.Plotly) { window.Plotly.newPlot(el, fig.data, fig.layout, { responsive: true, displaylogo: false }); } else { el.textContent = 'plotly.js is not loaded: re-run the cell that first showed a figure'; } })();`;
  return `${bundle}<div id="${safeId}" style="width:100%;min-height:360px"></div><script>${draw}</script>`;
}

interface KernelJupyter {
  lastWriteDisplayData?: ((data: { data: Record<string, unknown>; metadata: Record<string, unknown>; transient: Record<string, unknown> }, update: boolean) => void) | null;
}

/**
 * Shows a figure. In a tslab kernel: one display output with the Plotly MIME type and the HTML fallback (plotly.js
 * inlined with the first figure of the kernel). Elsewhere: prints the title and trace count.
 *
 * @param fig - the figure
 * @returns nothing; the figure is displayed
 * @example
 * ```ts
 * showFigure(demographicsPyramid(ageSexCounts(patients, '2026-01-01')));
 * ```
 */
export function showFigure(fig: PlotlyFigure): void {
  const display = tslabDisplay();
  if (display === undefined) {
    const title = (fig.layout.title as { text?: string } | undefined)?.text ?? 'figure';
    console.log(`[figure] ${title}: ${String(fig.data.length)} trace(s)`);
    return;
  }
  const html = figureHtml(fig, { includeBundle: !bundleInlined });
  bundleInlined = true;
  // tslab's public `display.raw` sends one MIME type per message, which would draw the figure twice in JupyterLab
  // (plotly renderer + HTML). Its kernel module exposes the message writer it uses; send both types in one bundle
  // through it, and fall back to HTML only when it is not there.
  let jupyter: KernelJupyter | undefined;
  try {
    // eslint-disable-next-line @typescript-eslint/no-require-imports -- only present inside the notebook kernel
    jupyter = require('tslab/dist/jupyter') as KernelJupyter;
  } catch {
    jupyter = undefined;
  }
  const write = jupyter?.lastWriteDisplayData;
  if (typeof write === 'function') {
    write({ data: { [PLOTLY_MIME]: { data: fig.data, layout: fig.layout }, 'text/html': html, 'text/plain': '<plotly figure>' }, metadata: {}, transient: {} }, false);
    return;
  }
  display.html(html);
}
