/**
 * Opens the served dashboard in Debian's Chromium (playwright-core, no browser download): every sheet renders its
 * plots without console errors, a patient is picked and their panels appear, a filter changes the counts, the XSS
 * probe name renders as text. Screenshots go to test-output/ (CI artefacts). First paint is printed, not asserted.
 */
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { chromium } from 'playwright-core';
import type { Browser, Page } from 'playwright-core';
import { serveDashboard } from '../../src/dashboard/serve';
import type { DashboardServer } from '../../src/dashboard/serve';
import { syntheticDashboardInput } from '../../src/dashboard/synthetic';
import { writeDashboardSite } from '../../src/dashboard/write';

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const XSS = '<img src=x onerror=alert(1)>';
const OUT = path.resolve('test-output', 'dashboard');
const PATIENTS = Number(process.env.MMH_BROWSER_PATIENTS ?? '2000');

/** Page expression: how many figure cards under `root` are drawn (a plotly plot, or a table drawn as HTML). */
function drawnIn(root: string): string {
  return `Array.prototype.filter.call(document.querySelectorAll('${root} .plot'), (d) => d.querySelector('.main-svg, table.data') !== null).length`;
}

describe('dashboard in Chromium', function () {
  let root: string | undefined;
  let server: DashboardServer | undefined;
  let browser: Browser | undefined;
  let page: Page;
  let baseUrl = '';
  const problems: string[] = [];
  const input = syntheticDashboardInput({ patients: PATIENTS, seed: 11, firstName: XSS, thumbnails: 20 });

  before(async function () {
    if (!fs.existsSync(CHROMIUM)) {
      console.log(`skipping browser tests: ${CHROMIUM} is missing (apt-get install -y --no-install-recommends chromium)`);
      this.skip();
    }
    root = fs.mkdtempSync(path.join(os.tmpdir(), 'mmh-browser-'));
    writeDashboardSite(input, { out: path.join(root, 'site'), includeIdentifiers: true });
    server = await serveDashboard(path.join(root, 'site'), 0);
    const url = server.url;
    baseUrl = url;
    fs.mkdirSync(OUT, { recursive: true });
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
      // playwright gives every launch() a fresh temporary profile (it rejects an explicit --user-data-dir).
    });
    // bypassCSP: the page's Content-Security-Policy would also block an injected handler; turning it off here makes
    // the XSS check prove the escaping itself (and lets playwright evaluate its wait predicates).
    page = await browser.newPage({ viewport: { width: 1400, height: 1000 }, bypassCSP: true });
    page.on('console', (m) => {
      if (m.type() === 'error') {
        problems.push(`console: ${m.text()}`);
      }
    });
    page.on('pageerror', (e) => problems.push(`pageerror: ${e.message}`));
    page.on('dialog', (d) => {
      problems.push(`dialog: ${d.message()}`);
      void d.dismiss();
    });
    page.on('requestfailed', (r) => problems.push(`request failed: ${r.url()}`));
  });
  after(async () => {
    await browser?.close();
    await server?.close();
    if (root !== undefined) {
      fs.rmSync(root, { recursive: true, force: true });
    }
  });

  it('opens the population page and reports first paint', async () => {
    await page.goto(baseUrl, { waitUntil: 'load' });
    await page.waitForFunction('performance.getEntriesByName("mmh-first-plot").length > 0', undefined, { timeout: 30000 });
    const timing = await page.evaluate<{ fcp: number | null; meaningful: number | null; firstPlot: number | null; scriptsDone: number | null }>(`(() => {
      const at = (name) => { const e = performance.getEntriesByName(name)[0]; return e ? e.startTime : null; };
      const nav = performance.getEntriesByType('navigation')[0];
      return { fcp: at('first-contentful-paint'), meaningful: at('mmh-first-meaningful-paint'), firstPlot: at('mmh-first-plot'), scriptsDone: nav ? nav.domContentLoadedEventEnd : null };
    })()`);
    const ms = (v: number | null): string => `${String(Math.round(v ?? NaN))} ms`;
    console.log(
      `      first contentful paint ${ms(timing.fcp)}; key figures and layout (first meaningful paint) ${ms(timing.meaningful)}; first plot drawn ${ms(timing.firstPlot)}; all scripts run (DOMContentLoaded end) ${ms(timing.scriptsDone)}; ${String(PATIENTS)} patients; host load average ${os.loadavg()[0]!.toFixed(1)} on ${String(os.cpus().length)} CPUs`,
    );
    assert.equal(await page.textContent('#kpis .kpi .v'), PATIENTS.toLocaleString('en-US'));
    assert.match((await page.textContent('#status')) ?? '', new RegExp(`of ${PATIENTS.toLocaleString('en-US')} patients`));
  });

  for (const sheet of ['clinical', 'genomic', 'imaging', 'models']) {
    it(`sheet ${sheet} renders every plot`, async () => {
      await page.click(`nav button[data-view="${sheet}"]`);
      const expected = await page.evaluate<number>(`window.MMH_POPULATION.sheets.find((s) => s.key === '${sheet}').figures.length`);
      assert.ok(expected > 0, `${sheet} has figures`);
      await page.waitForFunction(`${drawnIn(`#sheet-${sheet}`)} >= ${String(expected)}`, undefined, { timeout: 30000 });
      assert.equal(await page.evaluate<number>(drawnIn(`#sheet-${sheet}`)), expected);
      await page.screenshot({ path: path.join(OUT, `sheet-${sheet}.png`), fullPage: true });
      assert.deepEqual(problems, []);
    });
  }

  it('applies a filter and the counts follow', async () => {
    await page.click('nav button[data-view="clinical"]');
    const expected = input.patients.filter((p) => p.sex === 'female' && p.outcomes.includes('hypertension')).length;
    await page.selectOption('#f-sex', 'female');
    await page.selectOption('#f-outcome', 'hypertension');
    await page.waitForFunction(`document.getElementById('status').textContent.startsWith('Showing ${expected.toLocaleString('en-US')} of')`, undefined, { timeout: 10000 });
    const femaleBars = await page.evaluate<number>(`document.getElementById('fig-clinical-demographics').data[1].x.reduce((a, b) => a + b, 0)`);
    const maleBars = await page.evaluate<number>(`document.getElementById('fig-clinical-demographics').data[0].x.reduce((a, b) => a + b, 0)`);
    assert.equal(femaleBars, expected);
    assert.equal(await page.textContent('#kpis .kpi .v'), expected.toLocaleString('en-US'), 'the key figures follow the filters');
    assert.equal(maleBars, 0);
    await page.screenshot({ path: path.join(OUT, 'filtered-clinical.png'), fullPage: true });
    await page.selectOption('#f-sex', '');
    await page.selectOption('#f-outcome', '');
    assert.deepEqual(problems, []);
  });

  it('picks a patient by search and shows their panels; a markup name renders as text', async () => {
    await page.click('nav button[data-view="patient"]');
    await page.fill('#patient-search', 'p00000-');
    await page.waitForFunction(`document.querySelectorAll('#patient-list option').length === 1`, undefined, { timeout: 10000 });
    await page.selectOption('#patient-list', '0');
    await page.waitForFunction(`document.getElementById('patient-panels').getAttribute('data-patient') === ${JSON.stringify(input.patients[0]!.id)}`, undefined, { timeout: 15000 });
    await page.waitForFunction(`${drawnIn('#patient-panels')} >= 4`, undefined, { timeout: 15000 });
    const card = (await page.textContent('#patient-panels .card')) ?? '';
    assert.ok(card.includes(XSS), 'the name shows literally');
    assert.equal(await page.locator('#patient-panels img, header img, nav img').count(), 0, 'no <img> element was created from data');
    const option = (await page.textContent('#patient-list option')) ?? '';
    assert.ok(option.startsWith(XSS));
    await page.screenshot({ path: path.join(OUT, 'patient.png'), fullPage: true });
    // Another patient with imaging, loaded lazily.
    const withImage = input.patients.findIndex((p) => input.thumbnails.has(p.id));
    await page.fill('#patient-search', input.patients[withImage]!.id);
    await page.selectOption('#patient-list', String(withImage));
    await page.waitForFunction(`document.getElementById('patient-thumbnail') !== null && document.querySelector('#patient-thumbnail .main-svg') !== null`, undefined, { timeout: 15000 });
    await page.screenshot({ path: path.join(OUT, 'patient-imaging.png'), fullPage: true });
    assert.deepEqual(problems, []);
  });
});
