import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { buildPopulationData } from '../../src/dashboard/aggregate';
import { syntheticDashboardInput } from '../../src/dashboard/synthetic';
import { buildPatientRecord, indexDashboardRows, patientSummaryHtml } from '../../src/dashboard/records';
import { DASHBOARD_TRACE_TYPES, dashboardPlotlyBundlePath, writeDashboardSite } from '../../src/dashboard/write';
import type { DashboardInput, PopulationData } from '../../src/dashboard/types';
import { tmpDir } from '../helpers/tmp';

const XSS = '<img src=x onerror=alert(1)>';

function sumMeasure(d: PopulationData, name: string, keep: (s: number) => boolean): number[] {
  const m = d.measures[name]!;
  const out = new Array<number>(m.length).fill(0);
  m.strata.forEach((v, s) => {
    if (keep(s)) {
      for (let k = 0; k < v.length; k += 2) {
        out[v[k]!]! += v[k + 1]!;
      }
    }
  });
  return out;
}

describe('dashboard site', () => {
  let root: string;
  const input = syntheticDashboardInput({ patients: 150, seed: 7, firstName: XSS, thumbnails: 5 });
  before(() => {
    root = tmpDir('dash');
  });
  after(() => {
    fs.rmSync(root, { recursive: true, force: true });
  });

  it('strata sums reproduce the unfiltered figures and a filter equals recounting the filtered rows', () => {
    const d = buildPopulationData(input);
    assert.equal(sumMeasure(d, 'count', () => true)[0], 150);
    const pyramid = d.sheets[0]!.figures.find((f) => f.id === 'demographics')!;
    assert.deepEqual(
      sumMeasure(d, 'age.female', () => true),
      pyramid.figure.data[1]!.x,
    );
    // Filter: female patients with hypertension (outcome bit 0).
    const keep = (s: number): boolean => d.filters.sexes[d.strata.sex[s]!] === 'female' && (d.strata.outcomes[s]! & 1) !== 0;
    const expected = input.patients.filter((p) => p.sex === 'female' && p.outcomes.includes('hypertension')).length;
    assert.equal(sumMeasure(d, 'count', keep)[0], expected);
    const prevalence = d.sheets[0]!.figures.find((f) => f.id === 'prevalence')!;
    const labels = prevalence.figure.data[0]!.y as string[];
    const j = labels.indexOf('Obesity');
    const ids = new Set(input.patients.filter((p) => p.sex === 'female' && p.outcomes.includes('hypertension')).map((p) => p.id));
    const obese = new Set(input.conditions.filter((c) => c.display === 'Obesity' && ids.has(c.patientId)).map((c) => c.patientId)).size;
    assert.equal(sumMeasure(d, 'conditions', keep)[j], obese);
    assert.deepEqual(
      d.sheets.map((s) => [s.key, s.available]),
      [
        ['clinical', true],
        ['genomic', true],
        ['imaging', true],
        ['models', true],
      ],
    );
  });

  it('writes the site: local plotly, population data, one lazy file per patient, no identifiers by default', () => {
    const out = path.join(root, 'site');
    const r = writeDashboardSite(input, { out, generatedAt: '2026-01-01T00:00:00Z' });
    assert.equal(r.patients, 150);
    for (const f of ['index.html', 'app.js', 'plotly.min.js', 'data/population.js', 'patients/0.js', 'patients/149.js']) {
      assert.ok(fs.existsSync(path.join(out, f)), f);
    }
    assert.ok(!fs.existsSync(path.join(out, 'patients/150.js')));
    const html = fs.readFileSync(path.join(out, 'index.html'), 'utf8');
    assert.ok(!/https?:\/\//.test(html.replace(/http-equiv/g, '')), 'no remote URLs in index.html');
    const all = ['data/population.js', ...fs.readdirSync(path.join(out, 'patients')).map((f) => `patients/${f}`)].map((f) => fs.readFileSync(path.join(out, f), 'utf8')).join('\n');
    assert.ok(!all.includes('Example Street'), 'addresses absent');
    assert.ok(!all.includes('Family1'), 'names absent');
    assert.ok(!all.includes('onerror'), 'the XSS name is an identifier and is absent');
  });

  it('a re-build replaces data/ and patients/: unchanged files are kept as they are, changed ones rewritten, the rest removed', () => {
    const out = path.join(root, 'rebuild');
    const small = syntheticDashboardInput({ patients: 12, seed: 3 });
    writeDashboardSite(small, { out, generatedAt: '2026-01-01T00:00:00Z' });
    const files = (): string[] => ['data', 'patients'].flatMap((d) => fs.readdirSync(path.join(out, d)).map((f) => `${d}/${f}`)).sort();
    const snapshot = (): Map<string, string> => new Map(files().map((f) => [f, fs.readFileSync(path.join(out, f), 'utf8')]));
    const first = snapshot();
    // Leftovers: a stale patient file, a stray folder, a .tmp of an interrupted write.
    fs.writeFileSync(path.join(out, 'patients', '99.js'), 'stale');
    fs.mkdirSync(path.join(out, 'patients', 'stray'));
    fs.writeFileSync(path.join(out, 'data', 'population.js.tmp'), 'half');
    const past = new Date('2020-01-01T00:00:00Z');
    fs.utimesSync(path.join(out, 'patients', '3.js'), past, past);
    fs.writeFileSync(path.join(out, 'patients', '5.js'), 'edited by hand');
    writeDashboardSite(small, { out, generatedAt: '2026-01-01T00:00:00Z' });
    assert.deepEqual(snapshot(), first, 'the same files with the same bytes');
    assert.equal(fs.statSync(path.join(out, 'patients', '3.js')).mtimeMs, past.getTime(), 'an unchanged file is not rewritten');
    // Fewer patients: their files go.
    writeDashboardSite({ ...small, patients: small.patients.slice(0, 4) }, { out, generatedAt: '2026-01-01T00:00:00Z' });
    assert.deepEqual(
      files().filter((f) => f.startsWith('patients/')),
      ['patients/0.js', 'patients/1.js', 'patients/2.js', 'patients/3.js'],
    );
    assert.notEqual(fs.readFileSync(path.join(out, 'data', 'population.js'), 'utf8'), first.get('data/population.js'));
  });

  it('ships the cartesian plotly bundle, which registers every trace type the figures use (tables are drawn as HTML)', () => {
    const bundle = fs.readFileSync(dashboardPlotlyBundlePath(), 'utf8');
    const registered = new Set([...bundle.matchAll(/moduleType:"trace",name:"([a-z0-9]+)"/g)].map((m) => m[1]!));
    assert.deepEqual([...registered].sort(), DASHBOARD_TRACE_TYPES.filter((t) => t !== 'table').sort());
    const used = new Set<string>();
    const collect = (fig: { data: readonly Record<string, unknown>[] }): void => {
      for (const t of fig.data) {
        used.add(typeof t.type === 'string' ? t.type : 'scatter');
      }
    };
    const idx = indexDashboardRows(input);
    const figures = [...buildPopulationData(input).sheets.flatMap((s) => s.figures), ...input.patients.flatMap((p) => buildPatientRecord(p, input, idx, false).figures)];
    for (const f of figures) {
      collect(f.figure);
    }
    assert.ok(used.has('table') && used.has('scatter'), [...used].join(','));
    for (const t of used) {
      assert.ok(DASHBOARD_TRACE_TYPES.includes(t), `trace type ${t} is not in the dashboard's plotly bundle`);
    }
    assert.ok(fs.readFileSync(path.join(root, 'site', 'plotly.min.js')).equals(Buffer.from(bundle)));
  });

  it('XSS: with identifiers, a name made of markup is escaped in every output', () => {
    const out = path.join(root, 'ids');
    writeDashboardSite(input, { out, includeIdentifiers: true });
    const pop = fs.readFileSync(path.join(out, 'data/population.js'), 'utf8');
    const rec = fs.readFileSync(path.join(out, 'patients/0.js'), 'utf8');
    for (const text of [pop, rec]) {
      assert.ok(!text.includes('<img'), 'no raw tag');
    }
    assert.ok(rec.includes('Example Street'));
    const card = patientSummaryHtml(input.patients[0]!, input.asOf, true);
    assert.ok(card.includes('&lt;img src=x onerror=alert(1)&gt;'));
    assert.ok(!card.includes('<img'));
    assert.ok(!patientSummaryHtml(input.patients[0]!, input.asOf, false).includes('img'));
  });

  it('renders with no data at all: every sheet says there is no data yet', () => {
    const empty: DashboardInput = {
      asOf: '2026-01-01',
      patients: [],
      conditions: [],
      encounters: [],
      observations: [],
      variants: [],
      apoe: [],
      radiomics: [],
      thumbnails: new Map(),
      models: [],
      risks: [],
    };
    const out = path.join(root, 'empty');
    const r = writeDashboardSite(empty, { out });
    assert.equal(r.sheetsWithData, 0);
    const d = buildPopulationData(empty);
    assert.deepEqual(
      d.sheets.map((s) => s.message),
      ['no data yet for this modality', 'no data yet for this modality', 'no data yet for this modality', 'no trained models yet'],
    );
    assert.throws(() => writeDashboardSite(empty, { out: '/' }), /refusing/);
  });
});
