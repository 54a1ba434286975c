import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import { figureHtml, globalPlotlyScript, plotlyBundlePath, scriptJson, showFigure } from '../../src/viz/show-figure';
import { demographicsPyramid } from '../../src/viz/figures-population';

describe('notebook figure display', () => {
  it('scriptJson cannot close a script element and roundTo-trips', () => {
    const v = { s: '</script><script>alert(1)</script>', t: '\u2028&' };
    const text = scriptJson(v);
    assert.ok(!/<\/script/i.test(text));
    assert.ok(!text.includes('&'));
    assert.deepEqual(JSON.parse(text), v);
  });
  it('figure HTML: one div, a draw script, the bundle only when asked', () => {
    const fig = demographicsPyramid({ bands: ['0-9'], male: [1], female: [2] });
    const html = figureHtml(fig, { id: 'f1' });
    assert.match(html, /^<div id="f1"/);
    assert.match(html, /Plotly\.newPlot/);
    assert.ok(html.length < 5000);
    const withBundle = figureHtml(fig, { id: 'f2', includeBundle: true });
    assert.ok(withBundle.length > fs.statSync(plotlyBundlePath()).size);
    assert.equal(withBundle.match(/<\/script>/gi)?.length, 2);
  });
  it('the wrapped bundle defines window.Plotly even when AMD define exists', () => {
    const script = globalPlotlyScript('window.__probe = typeof define + "/" + typeof module;');
    const window: Record<string, unknown> = {};
    // eslint-disable-next-line @typescript-eslint/no-implied-eval -- evaluating our own generated wrapper
    const run = new Function('window', 'define', 'module', script) as (w: unknown, d: unknown, m: unknown) => void;
    run(
      window,
      Object.assign(() => undefined, { amd: true }),
      {},
    );
    assert.equal(window.__probe, 'undefined/undefined');
  });
  it('outside a kernel, prints a one-line summary', () => {
    const lines: string[] = [];
    const orig = console.log;
    console.log = (s: string) => lines.push(s);
    try {
      showFigure(demographicsPyramid({ bands: ['0-9'], male: [1], female: [2] }));
    } finally {
      console.log = orig;
    }
    assert.deepEqual(lines, ['[figure] Age and sex: 2 trace(s)']);
  });
});
