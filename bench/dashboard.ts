/**
 * Dashboard page-data build for 10,000 synthetic patients, as ratios against a reference in the same process:
 * JSON.stringify of the raw rows the page would otherwise ship. Also reports the size of the pre-aggregated
 * population data against the raw rows (what the browser downloads before the first plot).
 *
 * Run: node --import tsx bench/dashboard.ts [patients]
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { buildPopulationData } from '../src/dashboard/aggregate';
import { buildPatientRecord, indexDashboardRows } from '../src/dashboard/records';
import { syntheticDashboardInput } from '../src/dashboard/synthetic';
import { dashboardPlotlyBundlePath, writeDashboardSite } from '../src/dashboard/write';
import { plotlyBundlePath, scriptJson } from '../src/viz/show-figure';

function time<T>(fn: () => T, repeat = 3): { ms: number; value: T } {
  let best = Infinity;
  let value: T | undefined;
  for (let i = 0; i < repeat; i++) {
    const t0 = performance.now();
    value = fn();
    best = Math.min(best, performance.now() - t0);
  }
  return { ms: best, value: value as T };
}

const n = Number(process.argv[2] ?? '10000');
const input = syntheticDashboardInput({ patients: n, seed: 1, thumbnails: 200 });
const raw = {
  patients: input.patients,
  conditions: input.conditions,
  encounters: input.encounters,
  observations: input.observations,
  variants: input.variants,
  apoe: input.apoe,
  radiomics: input.radiomics,
};
const reference = time(() => JSON.stringify(raw));
const population = time(() => scriptJson(buildPopulationData(input)));
const idx = indexDashboardRows(input);
const records = time(() => {
  let bytes = 0;
  for (const p of input.patients) {
    bytes += scriptJson(buildPatientRecord(p, input, idx, false)).length;
  }
  return bytes;
}, 1);
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mmh-bench-dash-'));
const site = time(() => writeDashboardSite(input, { out: path.join(dir, 'site') }), 1);
fs.rmSync(dir, { recursive: true, force: true });

const rows = input.conditions.length + input.encounters.length + input.observations.length + input.variants.length + input.apoe.length + input.radiomics.length + n;
console.log(
  `dashboard bench: ${n.toLocaleString('en-US')} synthetic patients, ${rows.toLocaleString('en-US')} rows; reference = JSON.stringify(raw rows) ${reference.ms.toFixed(0)} ms, ${(reference.value.length / 1e6).toFixed(1)} MB`,
);
console.log(`population data build (aggregate + serialize) / reference time:  ${(population.ms / reference.ms).toFixed(2)}×`);
console.log(`population data size / raw rows JSON size:                       ${(population.value.length / reference.value.length).toFixed(3)}× (${(population.value.length / 1e6).toFixed(2)} MB)`);
console.log(`all ${n.toLocaleString('en-US')} patient records (build + serialize) / reference time: ${(records.ms / reference.ms).toFixed(2)}×`);
console.log(`whole site written (incl. ${n.toLocaleString('en-US')} files, plotly copy) / reference time: ${(site.ms / reference.ms).toFixed(2)}×`);
console.log(
  `plotly bundle the site ships (cartesian) / full plotly bundle size:  ${(fs.statSync(dashboardPlotlyBundlePath()).size / fs.statSync(plotlyBundlePath()).size).toFixed(2)}× (first paint in the browser: npm run test:browser)`,
);
