/**
 * The dashboard in Debian's Chromium (playwright-core, /usr/bin/chromium): `#patient=<id>` deep links and
 * back/forward; the MRI viewer draws a real stored series (a DICOM study imported into a local imaging store, its
 * HTJ2K frames decoded at build time) with the brain-mask outline and window/level; no text is clipped or overflows
 * at 800 and 1,400 px on any sheet or the patient view; the skewed LDL lab gets ≥ 10 bins; a workspace whose Patients
 * have no `address` shows its patients with `--include-identifiers`. Screenshots go to test-output/dashboard/.
 */
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { chromium } from 'playwright-core';
import type { Browser, Page } from 'playwright-core';
import { writeMriStudy } from '../../src/cohort/mri/dicom-writer';
import { runDashboardCommand } from '../../src/dashboard/command';
import { writeMriFiles } from '../../src/dashboard/mri';
import { serveDashboard } from '../../src/dashboard/serve';
import type { DashboardServer } from '../../src/dashboard/serve';
import { syntheticDashboardInput } from '../../src/dashboard/synthetic';
import { writeDashboardSite } from '../../src/dashboard/write';
import type { DashboardInput } from '../../src/dashboard/types';
import { LocalImagingStore } from '../../src/imaging/local/datastore';
import { silentProgress } from '../../src/progress';
import { openWorkspace } from '../../src/workspace';

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const OUT = path.resolve('test-output', 'dashboard');
const PATIENT_NAME = 'Zzyzx^Quintessa';

/** Page script: every clipped or overflowing text, as readable strings (empty when everything fits). */
const OVERFLOW_CHECK = `(() => {
  const problems = [];
  const visible = (e) => e.getClientRects().length > 0 && getComputedStyle(e).visibility !== 'hidden';
  const name = (e) => e.tagName.toLowerCase() + (e.id ? '#' + e.id : '') + (e.className && typeof e.className === 'string' ? '.' + e.className.split(' ').join('.') : '');
  if (document.documentElement.scrollWidth > innerWidth + 1) { problems.push('page scrolls sideways: ' + document.documentElement.scrollWidth + ' > ' + innerWidth); }
  // HTML: an element that clips or scrolls its content sideways hides part of a text.
  for (const e of document.querySelectorAll('body *')) {
    if (!visible(e) || e.closest('.main-svg, svg') || e.tagName === 'SELECT' || e.tagName === 'INPUT' || e.tagName === 'CANVAS') { continue; }
    const ox = getComputedStyle(e).overflowX;
    if (ox !== 'visible' && e.scrollWidth > e.clientWidth + 1) { problems.push(name(e) + ' cuts its content: ' + e.scrollWidth + ' > ' + e.clientWidth + ' (' + (e.textContent || '').trim().slice(0, 60) + ')'); }
  }
  // Selects (filters, the patient picker): each option's text must fit the box.
  const ctx = document.createElement('canvas').getContext('2d');
  for (const s of document.querySelectorAll('select')) {
    if (!visible(s)) { continue; }
    const cs = getComputedStyle(s);
    ctx.font = cs.fontSize + ' ' + cs.fontFamily;
    const room = s.clientWidth - parseFloat(cs.paddingLeft) - parseFloat(cs.paddingRight) - (s.size > 1 ? 4 : 24);
    // A list box shows every option; a drop-down shows the chosen one (its pop-up is as wide as its options).
    const shown = s.size > 1 ? Array.from(s.options) : Array.from(s.selectedOptions);
    for (const o of shown) { const w = ctx.measureText(o.text).width; if (w > room) { problems.push('#' + s.id + ' option "' + o.text + '" needs ' + Math.ceil(w) + 'px, has ' + Math.floor(room)); break; } }
  }
  // Plotly: every text inside its plot card; the title clear of the legend.
  for (const card of document.querySelectorAll('.plot')) {
    if (!visible(card) || !card.querySelector('.main-svg')) { continue; }
    const box = card.getBoundingClientRect();
    for (const t of card.querySelectorAll('.main-svg text')) {
      const r = t.getBoundingClientRect();
      if (r.width === 0 || (t.textContent || '').trim() === '') { continue; }
      if (r.left < box.left - 1 || r.right > box.right + 1 || r.top < box.top - 1 || r.bottom > box.bottom + 1) { problems.push(card.id + ': text "' + t.textContent + '" leaves its plot (' + Math.round(r.left - box.left) + ',' + Math.round(r.top - box.top) + ' ' + Math.round(r.width) + '×' + Math.round(r.height) + ' in ' + Math.round(box.width) + '×' + Math.round(box.height) + ')'); }
    }
    const title = card.querySelector('.gtitle');
    const legend = card.querySelector('.legend');
    if (title && legend) {
      const a = title.getBoundingClientRect(), b = legend.getBoundingClientRect();
      if (a.width > 0 && b.width > 0 && a.left < b.right && b.left < a.right && a.top < b.bottom && b.top < a.bottom) { problems.push(card.id + ': the legend overlaps the title'); }
    }
    for (const title of card.querySelectorAll('.g-xtitle text')) {
      const a = title.getBoundingClientRect();
      for (const t of card.querySelectorAll('.xtick text')) {
        const r = t.getBoundingClientRect();
        if (a.width > 0 && r.width > 0 && a.left < r.right && r.left < a.right && a.top < r.bottom - 1 && r.top < a.bottom - 1) { problems.push(card.id + ': the x axis title overlaps the tick "' + t.textContent + '"'); break; }
      }
    }
    if (legend) {
      const b = legend.getBoundingClientRect();
      for (const t of card.querySelectorAll('.xtick text, .g-xtitle text')) {
        const a = t.getBoundingClientRect();
        if (a.width > 0 && b.width > 0 && a.left < b.right && b.left < a.right && a.top < b.bottom - 1 && b.top < a.bottom - 1) { problems.push(card.id + ': the legend overlaps the x axis text "' + t.textContent + '"'); break; }
      }
    }
  }
  return problems;
})()`;

/** The input with Synthea-style UUID patient ids (36 characters), as the real cohort has: the picker must fit them. */
function withUuids(input: DashboardInput): DashboardInput {
  const ids = new Map(input.patients.map((p, i) => [p.id, `${(0x6672551d + i).toString(16)}-42e1-4651-1351-${(0x5eed1ce8a291 + i * 7919).toString(16).padStart(12, '0')}`]));
  const re = <T extends { readonly patientId: string }>(rows: readonly T[]): T[] => rows.map((r) => ({ ...r, patientId: ids.get(r.patientId) ?? r.patientId }));
  return {
    ...input,
    patients: input.patients.map((p) => ({ ...p, id: ids.get(p.id) ?? p.id })),
    conditions: re(input.conditions),
    encounters: re(input.encounters),
    observations: re(input.observations),
    variants: re(input.variants),
    apoe: re(input.apoe),
    radiomics: re(input.radiomics),
    risks: re(input.risks),
    thumbnails: new Map([...input.thumbnails].map(([k, v]) => [ids.get(k) ?? k, v])),
  };
}

/** Page expression: figure cards under `root` that are drawn (a plot, or a table drawn as HTML). */
function drawnIn(root: string): string {
  return `Array.prototype.filter.call(document.querySelectorAll('${root} .plot'), (d) => d.querySelector('.main-svg, table.data, canvas') !== null).length`;
}

describe('dashboard patient view, deep links, MRI and layout in Chromium', function () {
  let root = '';
  let server: DashboardServer | undefined;
  let bareServer: DashboardServer | undefined;
  let browser: Browser | undefined;
  let page: Page;
  const problems: string[] = [];
  const input = withUuids(syntheticDashboardInput({ patients: 400, seed: 5 }));
  const withMri = input.patients[3]!;

  before(async function () {
    if (!fs.existsSync(CHROMIUM)) {
      console.log(`skipping browser tests: ${CHROMIUM} is missing (apt-get install -y --no-install-recommends chromium)`);
      this.skip();
    }
    root = fs.mkdtempSync(path.join(os.tmpdir(), 'mmh-browser-patient-'));
    // A real stored MR series: the cohort's DICOM writer, imported into a local imaging store (HTJ2K frames).
    const dicom = path.join(root, 'dicom');
    fs.mkdirSync(dicom);
    fs.writeFileSync(
      path.join(dicom, 'study.dcm'),
      writeMriStudy({
        seed: 3,
        size: [96, 96, 24],
        effects: { atrophy: 0.4, ventricleEnlargement: 0.5, infarcts: 0, wmhLoad: 0.3, microbleeds: 0 },
        patientId: withMri.id,
        patientName: PATIENT_NAME,
        birthDate: '19500101',
        sex: 'F',
        studyInstanceUid: '1.2.826.0.1.3680043.8.498.1',
        seriesInstanceUid: '1.2.826.0.1.3680043.8.498.2',
        studyDate: '20200314',
      }),
    );
    const store = new LocalImagingStore({ root: path.join(root, 'imaging'), progress: silentProgress });
    const datastoreId = await store.ensureDatastore('mmh-imaging');
    const job = await store.startDICOMImportJob({ datastoreId, inputDir: dicom, outputDir: path.join(root, 'import-output') });
    await store.waitForDICOMImportJob(datastoreId, job.jobId);
    const site = path.join(root, 'site');
    const mri = await writeMriFiles(store, datastoreId, { out: site, patientIds: new Set(input.patients.map((p) => p.id)) });
    assert.equal(mri.size, 1);
    const model = {
      outcome: 'coronary_heart_disease',
      model: 'gradient boosting (clinical + genomic + imaging, paired on 1,234 patients)',
      metrics: { roc_auc: 0.7812, roc_auc_ci_low: 0.7301, roc_auc_ci_high: 0.8254, average_precision: 0.4411, brier: 0.1032, accuracy: 0.8533 },
      labels: [1, 0, 1, 0, 0, 1],
      probabilities: [0.8, 0.2, 0.7, 0.4, 0.1, 0.6],
      importance: [{ feature: 'ldl_cholesterol_latest_mg_dl', importance: 0.12 }],
    };
    writeDashboardSite({ ...input, mri, models: [model] }, { out: site, includeIdentifiers: false });
    server = await serveDashboard(site, 0);
    fs.mkdirSync(OUT, { recursive: true });
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    });
    // bypassCSP: playwright's string wait predicates need eval, which the page's Content-Security-Policy forbids.
    page = await browser.newPage({ viewport: { width: 1400, height: 1000 }, bypassCSP: true });
    page.on('console', (m) => {
      if (m.type() === 'error') {
        problems.push(`console: ${m.text()}`);
      }
    });
    page.on('pageerror', (e) => problems.push(`pageerror: ${e.message}`));
    page.on('requestfailed', (r) => problems.push(`request failed: ${r.url()}`));
    page.on('request', (r) => {
      if (!r.url().startsWith(server?.url ?? '') && !r.url().startsWith('data:') && !r.url().startsWith('blob:')) {
        problems.push(`request outside the site: ${r.url()}`);
      }
    });
  });
  after(async () => {
    await browser?.close();
    await server?.close();
    await bareServer?.close();
    if (root !== '') {
      fs.rmSync(root, { recursive: true, force: true });
    }
  });

  it('the site holds the MRI but no DICOM header text (no patient name)', () => {
    const files = fs.readdirSync(path.join(root, 'site', 'mri'));
    assert.equal(files.length, 1);
    const text = fs.readFileSync(path.join(root, 'site', 'mri', files[0]!), 'utf8');
    assert.ok(!text.includes('Zzyzx') && !text.includes('Quintessa') && !text.includes('19500101'));
    const record = fs.readFileSync(path.join(root, 'site', 'patients', '3.js'), 'utf8');
    assert.match(record, /"mri":\{"file":"mri\/v1-/);
    assert.match(record, /"description":""/, 'the free-text study description stays out without --include-identifiers');
  });

  it('#patient=<id> opens the patient; back and forward follow', async () => {
    await page.goto(`${server!.url}#patient=${encodeURIComponent(withMri.id)}`, { waitUntil: 'load' });
    await page.waitForFunction(`document.getElementById('patient-panels').getAttribute('data-patient') === ${JSON.stringify(withMri.id)}`, undefined, { timeout: 15000 });
    assert.equal(await page.evaluate<boolean>(`document.getElementById('view-patient').hidden`), false);
    await page.click('nav button[data-view="clinical"]');
    await page.waitForFunction(`!document.getElementById('view-clinical').hidden`, undefined, { timeout: 10000 });
    assert.match(page.url(), /#sheet=clinical$/);
    const other = input.patients[7]!;
    await page.goto(`${server!.url}#patient=${encodeURIComponent(other.id)}`);
    await page.waitForFunction(`document.getElementById('patient-panels').getAttribute('data-patient') === ${JSON.stringify(other.id)}`, undefined, { timeout: 15000 });
    await page.goBack();
    await page.waitForFunction(`!document.getElementById('view-clinical').hidden`, undefined, { timeout: 10000 });
    await page.goBack();
    await page.waitForFunction(
      `!document.getElementById('view-patient').hidden && document.getElementById('patient-panels').getAttribute('data-patient') === ${JSON.stringify(withMri.id)}`,
      undefined,
      { timeout: 15000 },
    );
    await page.goForward();
    await page.waitForFunction(`!document.getElementById('view-clinical').hidden`, undefined, { timeout: 10000 });
    await page.goto(`${server!.url}#patient=no-such-id`);
    await page.waitForFunction(`document.getElementById('patient-panels').textContent.includes('No patient with id "no-such-id"')`, undefined, { timeout: 10000 });
    assert.deepEqual(problems, []);
  });

  it('the MRI viewer draws a slice with the brain-mask outline; window/level and the slice slider redraw', async () => {
    await page.goto(`${server!.url}#patient=${encodeURIComponent(withMri.id)}`);
    await page.waitForSelector('#patient-mri[data-ready="true"]', { timeout: 20000 });
    const pixels = (): Promise<{ lit: number; mask: number; total: number; slice: string | null }> =>
      page.evaluate(`(() => {
        const c = document.getElementById('mri-canvas');
        const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
        let lit = 0, mask = 0;
        for (let i = 0; i < d.length; i += 4) { if (d[i] + d[i + 1] + d[i + 2] > 30) { lit++; } if (d[i] - d[i + 2] > 60) { mask++; } }
        return { lit, mask, total: d.length / 4, slice: c.getAttribute('data-slice') };
      })()`);
    const first = await pixels();
    assert.equal(first.total, 96 * 96);
    assert.ok(first.lit > 0.2 * first.total, `a brain is drawn: ${String(first.lit)} lit pixels`);
    assert.ok(first.mask > 50, `the mask outline is drawn: ${String(first.mask)} pixels`);
    await page.screenshot({ path: path.join(OUT, 'patient-mri.png'), fullPage: true });
    await page.click('#patient-mri .mri-toggle input');
    assert.equal((await pixels()).mask, 0, 'unticking the mask removes the outline');
    await page.click('#patient-mri .mri-toggle input');
    const [slice, win] = await page.$$('#patient-mri input[type=range]');
    await slice!.fill('1');
    assert.equal((await pixels()).slice, '0');
    await win!.fill(String(await win!.getAttribute('max')));
    const wide = await pixels();
    assert.ok(wide.lit > 0 && wide.slice === '0');
    assert.deepEqual(problems, []);
  });

  it('the skewed LDL lab is drawn with at least 10 bins', async () => {
    await page.goto(`${server!.url}#sheet=clinical`);
    await page.waitForFunction(`${drawnIn('#sheet-clinical')} >= window.MMH_POPULATION.sheets[0].figures.length`, undefined, { timeout: 30000 });
    const bins = await page.evaluate<{ bins: number; filled: number }>(`(() => {
      const d = document.getElementById('fig-clinical-obs-18262-6');
      const x = d.data[1].y.map((v, i) => v + d.data[0].y[i]);
      return { bins: x.length, filled: x.filter((v) => v > 0).length };
    })()`);
    assert.ok(bins.bins >= 10 && bins.filled >= 10, JSON.stringify(bins));
  });

  for (const width of [800, 1400]) {
    it(`no clipped or overflowing text at ${String(width)} px`, async () => {
      await page.setViewportSize({ width, height: 1000 });
      const found: string[] = [];
      for (const sheet of ['clinical', 'genomic', 'imaging', 'models']) {
        await page.goto(`${server!.url}#sheet=${sheet}`);
        const expected = await page.evaluate<number>(`window.MMH_POPULATION.sheets.find((s) => s.key === '${sheet}').figures.length`);
        await page.waitForFunction(`${drawnIn(`#sheet-${sheet}`)} >= ${String(expected)}`, undefined, { timeout: 30000 });
        await page.waitForTimeout(300);
        found.push(...(await page.evaluate<string[]>(OVERFLOW_CHECK)).map((p) => `${sheet}: ${p}`));
        await page.screenshot({ path: path.join(OUT, `layout-${sheet}-${String(width)}.png`), fullPage: true });
      }
      await page.goto(`${server!.url}#patient=${encodeURIComponent(withMri.id)}`);
      await page.waitForSelector('#patient-mri[data-ready="true"]', { timeout: 20000 });
      await page.waitForFunction(`${drawnIn('#patient-panels')} >= 6`, undefined, { timeout: 20000 });
      await page.waitForTimeout(300);
      found.push(...(await page.evaluate<string[]>(OVERFLOW_CHECK)).map((p) => `patient: ${p}`));
      await page.screenshot({ path: path.join(OUT, `layout-patient-${String(width)}.png`), fullPage: true });
      assert.deepEqual(found, []);
      assert.deepEqual(problems, []);
    });
  }

  it('a workspace whose Patients have no address shows its patients (with --include-identifiers)', async () => {
    const ws = await openWorkspace({ dir: path.join(root, 'bare'), create: true, progress: silentProgress, env: {} });
    try {
      await ws.sql.query(
        `CREATE TABLE patient AS SELECT * FROM (VALUES ('b1', 'female', DATE '1960-01-01', [{'family': 'Doe', 'given': ['Ann']}]), ('b2', 'male', DATE '1970-01-01', [{'family': 'Roe', 'given': ['Bo']}])) t(id, gender, birthdate, name)`,
      );
      const { site } = await runDashboardCommand(ws, ['--out', path.join(root, 'bare-site'), '--include-identifiers'], () => undefined);
      assert.equal(site.patients, 2);
    } finally {
      await ws.close();
    }
    bareServer = await serveDashboard(path.join(root, 'bare-site'), 0);
    await page.goto(bareServer.url);
    await page.waitForFunction(`document.querySelector('#kpis .kpi .v') !== null`, undefined, { timeout: 10000 });
    assert.equal(await page.textContent('#kpis .kpi .v'), '2');
    await page.goto(`${bareServer.url}#patient=b2`);
    await page.waitForFunction(`document.getElementById('patient-panels').getAttribute('data-patient') === 'b2'`, undefined, { timeout: 10000 });
    assert.match((await page.textContent('#patient-panels .card')) ?? '', /Bo Roe/);
    assert.equal(await page.locator('#patient-list option').count(), 2);
    problems.length = 0;
  });
});

/**
 * The same checks on a site built from a real workspace, e.g. the `default` cohort (1,278 patients, 289 MR series):
 * `MMH_PRESET=default npm start`, then `MMH_BROWSER_SITE=<workspace>/dashboard npm run test:browser`. Skipped
 * (with a note) when MMH_BROWSER_SITE is unset.
 */
describe('a dashboard built from a workspace (MMH_BROWSER_SITE) in Chromium', function () {
  const site = process.env.MMH_BROWSER_SITE;
  let server: DashboardServer | undefined;
  let browser: Browser | undefined;
  let page: Page;
  before(async function () {
    if (site === undefined || !fs.existsSync(CHROMIUM)) {
      console.log('      skipped: set MMH_BROWSER_SITE to a built dashboard folder (e.g. of MMH_PRESET=default) to check it');
      this.skip();
    }
    server = await serveDashboard(site, 0);
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    });
    page = await browser.newPage({ viewport: { width: 1400, height: 1000 }, bypassCSP: true });
  });
  after(async () => {
    await browser?.close();
    await server?.close();
  });

  it('the LDL histogram has at least 10 filled bins', async () => {
    await page.goto(`${server!.url}#sheet=clinical`);
    await page.waitForFunction(`${drawnIn('#sheet-clinical')} >= window.MMH_POPULATION.sheets[0].figures.length`, undefined, { timeout: 60000 });
    const bins = await page.evaluate<{ bins: number; filled: number }>(`(() => {
      const d = document.getElementById('fig-clinical-obs-18262-6');
      const x = d.data[1].y.map((v, i) => v + d.data[0].y[i]);
      return { bins: x.length, filled: x.filter((v) => v > 0).length };
    })()`);
    console.log(`      LDL: ${String(bins.bins)} bins, ${String(bins.filled)} filled`);
    assert.ok(bins.filled >= 10, JSON.stringify(bins));
  });

  for (const width of [800, 1400]) {
    it(`no clipped or overflowing text at ${String(width)} px, MRI of the first patient with one drawn`, async () => {
      await page.setViewportSize({ width, height: 1000 });
      const found: string[] = [];
      const sheets = await page.evaluate<string[]>(`window.MMH_POPULATION ? window.MMH_POPULATION.sheets.map((s) => s.key) : []`);
      for (const sheet of sheets.length > 0 ? sheets : ['clinical', 'genomic', 'imaging', 'models']) {
        await page.goto(`${server!.url}#sheet=${sheet}`);
        const expected = await page.evaluate<number>(`window.MMH_POPULATION.sheets.find((s) => s.key === '${sheet}').figures.length`);
        await page.waitForFunction(`${drawnIn(`#sheet-${sheet}`)} >= ${String(expected)}`, undefined, { timeout: 60000 });
        await page.waitForTimeout(300);
        found.push(...(await page.evaluate<string[]>(OVERFLOW_CHECK)).map((p) => `${sheet}: ${p}`));
      }
      const mriFile = fs.existsSync(path.join(site!, 'mri')) ? fs.readdirSync(path.join(site!, 'mri'))[0] : undefined;
      if (mriFile !== undefined) {
        const setId = /^window\.mmhMriLoaded\("([^"]+)"/.exec(fs.readFileSync(path.join(site!, 'mri', mriFile), 'utf8').slice(0, 200))?.[1] ?? '';
        const ids = await page.evaluate<string[]>(`window.MMH_POPULATION.patients.ids`);
        const i = ids.findIndex((_, k) => fs.readFileSync(path.join(site!, 'patients', `${String(k)}.js`), 'utf8').includes(setId));
        await page.goto(`${server!.url}#patient=${encodeURIComponent(ids[i] ?? '')}`);
        await page.waitForSelector('#patient-mri[data-ready="true"]', { timeout: 60000 });
        await page.waitForTimeout(500);
        found.push(...(await page.evaluate<string[]>(OVERFLOW_CHECK)).map((p) => `patient: ${p}`));
        await page.screenshot({ path: path.join(OUT, `site-patient-${String(width)}.png`), fullPage: true });
      }
      assert.deepEqual(found, []);
    });
  }
});
