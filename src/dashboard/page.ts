/**
 * The dashboard's `index.html`: layout, styles, filter controls and the script tags (local files only — no CDN).
 * The data and the page script are deferred; plotly.js is preloaded (downloaded at once) but run by the page script
 * only after the key figures and layout have painted, so nothing waits for the browser to compile plotly.
 * A Content-Security-Policy allows scripts from the site itself only, so even a string that slipped through
 * escaping could not run inline script.
 */
import { escapeHtml } from '../viz/html';

/** The page's style sheet (inline: the CSP allows inline styles, not inline scripts). */
const PAGE_STYLES = `  :root { --ink: #1d2733; --muted: #5b6775; --line: #dde3ea; --accent: #0072B2; --bg: #f6f8fa; }
  * { box-sizing: border-box; }
  body { margin: 0; font: 14px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; color: var(--ink); background: var(--bg); }
  header { background: #fff; border-bottom: 1px solid var(--line); padding: 12px 20px; display: flex; flex-wrap: wrap; gap: 12px 20px; align-items: center; }
  header h1 { font-size: 17px; margin: 0 12px 0 0; }
  .filters { display: flex; flex-wrap: wrap; gap: 8px; align-items: center; }
  .filters label { color: var(--muted); font-size: 12px; display: flex; flex-direction: column; }
  select, input[type=search] { font: inherit; padding: 4px 6px; border: 1px solid var(--line); border-radius: 6px; background: #fff; min-width: 120px; }
  #status { color: var(--muted); margin-left: auto; }
  #kpis { display: flex; flex-wrap: wrap; gap: 10px; padding: 12px 20px 4px; }
  #kpis:empty { display: none; }
  .kpi { background: #fff; border: 1px solid var(--line); border-radius: 8px; padding: 8px 14px; min-width: 140px; }
  .kpi .v { font-size: 22px; font-weight: 600; font-variant-numeric: tabular-nums; }
  .kpi .k { color: var(--muted); font-size: 12px; }
  nav { display: flex; gap: 4px; padding: 0 20px; background: #fff; border-bottom: 1px solid var(--line); }
  nav button { font: inherit; border: 0; background: none; padding: 10px 14px; cursor: pointer; color: var(--muted); border-bottom: 3px solid transparent; }
  nav button[aria-selected=true] { color: var(--ink); border-bottom-color: var(--accent); font-weight: 600; }
  main { padding: 16px 20px; }
  .sheet { display: grid; grid-template-columns: repeat(auto-fit, minmax(min(460px, 100%), 1fr)); gap: 16px; }
  /* No padding or border on a plot card: plotly sizes its SVG to the card's computed (border-box) size. */
  .plot { background: #fff; box-shadow: 0 0 0 1px var(--line); border-radius: 8px; min-height: 340px; min-width: 0; overflow: hidden; }
  .empty, .note { grid-column: 1 / -1; background: #fff; border: 1px dashed var(--line); border-radius: 8px; padding: 16px; color: var(--muted); margin: 0; }
  .empty { font-size: 16px; text-align: center; padding: 40px; }
  /* The picker is as wide as its longest label (up to 45%), the panels take the rest; narrow windows stack them. */
  .patient-layout { display: grid; grid-template-columns: fit-content(45%) minmax(0, 1fr); gap: 16px; align-items: start; }
  @media (max-width: 1000px) { .patient-layout { grid-template-columns: minmax(0, 1fr); } }
  .picker { background: #fff; border: 1px solid var(--line); border-radius: 8px; padding: 12px; display: flex; flex-direction: column; gap: 8px; }
  .picker select { min-width: 260px; max-width: 100%; font-size: 13px; }
  #picker-count { color: var(--muted); font-size: 12px; }
  #patient-panels { display: grid; grid-template-columns: repeat(auto-fit, minmax(min(420px, 100%), 1fr)); gap: 16px; min-width: 0; }
  .card { grid-column: 1 / -1; background: #fff; border: 1px solid var(--line); border-radius: 8px; padding: 12px 16px; }
  .table-card { min-height: 0; padding: 12px 16px; grid-column: 1 / -1; }
  .table-card h3 { font-size: 15px; font-weight: 600; margin: 0 0 8px; }
  .table-wrap { max-height: 460px; overflow: auto; }
  table.data { border-collapse: collapse; width: 100%; font-size: 13px; }
  /* Long headers (roc_auc_ci_high) and values (model descriptions, ClinVar conditions) wrap instead of being cut. */
  table.data th { position: sticky; top: 0; background: #eef2f7; text-align: left; font-weight: 600; padding: 4px 8px; overflow-wrap: break-word; min-width: 4.5em; }
  table.data td { border-top: 1px solid var(--line); padding: 3px 8px; font-variant-numeric: tabular-nums; overflow-wrap: anywhere; min-width: 4.5em; }
  table.summary th { text-align: left; color: var(--muted); font-weight: 500; padding: 2px 16px 2px 0; }
  .mri-card { grid-column: 1 / -1; min-height: 0; padding: 12px 16px; }
  .mri-card h3 { font-size: 15px; font-weight: 600; margin: 0 0 4px; overflow-wrap: anywhere; }
  .mri-status { color: var(--muted); font-size: 12px; margin: 0 0 8px; overflow-wrap: anywhere; }
  .mri-body { display: flex; flex-wrap: wrap; gap: 16px; align-items: flex-start; }
  #mri-canvas { width: min(100%, 512px); height: auto; image-rendering: pixelated; background: #000; border-radius: 4px; }
  .mri-controls { display: flex; flex-direction: column; gap: 10px; min-width: 220px; flex: 1 1 220px; }
  .mri-control { display: grid; grid-template-columns: 64px 1fr auto; gap: 8px; align-items: center; color: var(--muted); font-size: 12px; }
  .mri-control output { font-variant-numeric: tabular-nums; min-width: 64px; text-align: right; color: var(--ink); }
  .mri-toggle { grid-template-columns: auto 1fr; }
  footer { color: var(--muted); font-size: 12px; padding: 8px 20px 20px; }
`;

/**
 * Renders `index.html`.
 *
 * @param options - the page title and the generation time
 * @returns the HTML text
 */
export function dashboardHtml(options: { readonly title?: string; readonly generatedAt: string }): string {
  const title = escapeHtml(options.title ?? 'multimodal-health dashboard');
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="Content-Security-Policy" content="default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data: blob:; connect-src 'self'">
<link rel="icon" href="data:,">
<link rel="preload" href="plotly.min.js" as="script">
<title>${title}</title>
<style>
${PAGE_STYLES}</style>
</head>
<body>
<header>
  <h1>${title}</h1>
  <div class="filters">
    <label>Outcome<select id="f-outcome"></select></label>
    <label>Sex<select id="f-sex"></select></label>
    <label>Age band<select id="f-band"></select></label>
    <label>Data available<select id="f-modality"></select></label>
    <label>Compare by<select id="f-focus"></select></label>
  </div>
  <span id="status">loading…</span>
</header>
<section id="kpis" aria-label="key figures for the selected patients"></section>
<nav id="tabs" role="tablist"></nav>
<main id="views">
  <section class="view" id="view-patient" hidden>
    <div class="patient-layout">
      <div class="picker">
        <label for="patient-search">Find a patient</label>
        <input type="search" id="patient-search" placeholder="patient id…" autocomplete="off">
        <select id="patient-list" size="14" aria-label="patients"></select>
        <span id="picker-count"></span>
      </div>
      <div id="patient-panels"><p class="note">Pick a patient on the left to see every modality for that patient.</p></div>
    </div>
  </section>
</main>
<footer>Generated ${escapeHtml(options.generatedAt)} · counts are pre-aggregated; patient records load on demand · no data leaves this page</footer>
<script src="data/population.js" defer></script>
<script src="app.js" defer></script>
</body>
</html>
`;
}
