/**
 * Dashboard page-data build for 10,000 synthetic patients, as ratios against a reference in the same process:
 * JSON.stringify of the raw rows the page would otherwise ship. Also reports the size of the pre-aggregated
 * population data against the raw rows (what the browser downloads before the first plot).
 *
 * Then the patient view's MRI encoding (mri.ts) per synthetic 128×128×64 brain (the default cohort's size) and per
 * 256×256×256 brain (the coherent preset's, box-averaged to 128³ first), against a reference in the same process:
 * deflating the volume's 8-bit levels at level 6, which any encoding of the same bytes must do. Best of 3 interleaved
 * rounds, with the load average (the machine may be shared).
 *
 * Run: node --import tsx bench/dashboard.ts [patients] [--no-mri]
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { buildPopulationData } from '../src/dashboard/aggregate';
import { buildPatientRecord, indexDashboardRows } from '../src/dashboard/records';
import { syntheticDashboardInput } from '../src/dashboard/synthetic';
import { dashboardPlotlyBundlePath, writeDashboardSite } from '../src/dashboard/write';
import { plotlyBundlePath, scriptJson } from '../src/viz/show-figure';
import { deflateSync, inflateSync } from 'node:zlib';
import { synthesizeBrainVolume } from '../src/cohort/mri/phantom';
import { brainMasks } from '../src/imaging/masks';
import { encodeMriSeries, viewerVolume } from '../src/dashboard/mri';

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

const args = process.argv.slice(2);
const n = Number(args.find((a) => !a.startsWith('--')) ?? '10000');
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

/** Best-of-3 interleaved rounds of each function, in ms. */
function interleaved(fns: Record<string, () => unknown>, rounds = 3): Record<string, number> {
  const best: Record<string, number> = Object.fromEntries(Object.keys(fns).map((k) => [k, Infinity]));
  for (let r = 0; r < rounds; r++) {
    for (const [k, fn] of Object.entries(fns)) {
      const t0 = performance.now();
      fn();
      best[k] = Math.min(best[k] ?? Infinity, performance.now() - t0);
    }
  }
  return best;
}

/** The MRI viewer's encoding of one synthetic brain of `size`, against deflating its 8-bit levels. */
function mriBench(size: [number, number, number]): void {
  const brain = synthesizeBrainVolume({ seed: 11, size, effects: { atrophy: 0.2, ventricleEnlargement: 0.2, infarcts: 1, wmhLoad: 0.3, microbleeds: 0 } });
  const volume = { voxels: Float32Array.from(brain.voxels), size: brain.size, spacingMm: brain.spacingMm };
  const shown = viewerVolume(volume);
  // The reference deflates the very levels the encoder writes (inflated back from its output).
  const levels = inflateSync(Buffer.from(encodeMriSeries(volume).voxels, 'base64'));
  const t = interleaved({
    reference: () => deflateSync(levels, { level: 6 }),
    encode: () => encodeMriSeries(volume),
    mask: () => brainMasks({ voxels: shown.voxels, size: shown.size }),
    average: () => viewerVolume(volume),
  });
  const ref = t.reference ?? NaN;
  const line = (k: string): string => `${k} ${(t[k] ?? NaN).toFixed(0)} ms (${((t[k] ?? NaN) / ref).toFixed(2)}×)`;
  console.log(
    `MRI ${size.join('×')} → ${shown.size.join('×')}: reference deflate of the levels ${ref.toFixed(0)} ms; ${line('encode')} = ${line('mask')} + ${size[0] > 128 ? `${line('average')} + ` : ''}quantize and deflate`,
  );
}

if (!args.includes('--no-mri')) {
  console.log(
    `load average ${os
      .loadavg()
      .map((x) => x.toFixed(2))
      .join(' ')} (best of 3 interleaved rounds; decoding the stored HTJ2K frames comes on top: bench/imaging.ts)`,
  );
  mriBench([128, 128, 64]);
  mriBench([256, 256, 256]);
}
