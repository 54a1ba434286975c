/**
 * Writes the static dashboard site: `index.html`, `app.js`, a local copy of plotly.js, the pre-aggregated
 * `data/population.js`, one lazy `patients/<n>.js` per patient and, for patients with an MR study, `mri/<series>.js`
 * (slices and brain mask, see mri.ts). Data files are JavaScript that hands JSON to the
 * page (`window.MMH_POPULATION = …`), so the site also works opened straight from disk (file://), offline.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { HealthDataError } from '../errors';
import type { ProgressReporter } from '../progress';
import type { Workspace } from '../workspace';
import { scriptJson } from '../viz/show-figure';
import { buildPopulationData } from './aggregate';
import { CLIENT_SCRIPT } from './client-script';
import { loadDashboardInput } from './load';
import { writeMriFiles } from './mri';
import type { MriReference } from './mri';
import { DEFAULT_DATASTORE_NAME } from '../imaging/store';
import { dashboardHtml } from './page';
import { buildPatientRecord, indexDashboardRows } from './records';
import type { DashboardInput } from './types';

/** Options of {@link writeDashboardSite}. */
export interface WriteSiteOptions {
  /** Output folder (created; its `data/` and `patients/` are replaced: files whose text is unchanged are kept as they are). */
  readonly out: string;
  /** Show names and addresses (default false: ids, sex and age band only). */
  readonly includeIdentifiers?: boolean;
  /** Page title. */
  readonly title?: string;
  /** Progress reporting for the per-patient files. */
  readonly progress?: ProgressReporter;
  /** Generation time shown in the footer (default now; pinned in tests). */
  readonly generatedAt?: string;
}

/** What {@link writeDashboardSite} wrote. */
export interface DashboardSiteResult {
  /** The folder. */
  readonly out: string;
  /** `index.html` path. */
  readonly index: string;
  /** Patients (= patient files). */
  readonly patients: number;
  /** Sheets with data. */
  readonly sheetsWithData: number;
  /** Bytes of `data/population.js`. */
  readonly populationBytes: number;
}

/**
 * Trace types of the plotly.js cartesian bundle the site ships (`plotly.js-cartesian-dist-min`, 1.4 MB against
 * 4.9 MB for the full bundle: the browser parses a third as much script before the first plot). `table` traces
 * are drawn by the page itself as HTML tables.
 */
export const DASHBOARD_TRACE_TYPES: readonly string[] = [
  'bar',
  'box',
  'contour',
  'heatmap',
  'histogram',
  'histogram2d',
  'histogram2dcontour',
  'image',
  'pie',
  'scatter',
  'scatterternary',
  'violin',
  'table',
];

/**
 * Path of the plotly.js cartesian bundle the site ships.
 *
 * @returns the absolute path of `plotly-cartesian.min.js`
 * @throws {@link HealthDataError} (not-found) when the package is not installed
 */
export function dashboardPlotlyBundlePath(): string {
  try {
    return require.resolve('plotly.js-cartesian-dist-min/plotly-cartesian.min.js');
  } catch (e) {
    throw new HealthDataError('not-found', 'dashboardPlotlyBundlePath: plotly.js-cartesian-dist-min is not installed; run npm ci in the project', { cause: e });
  }
}

function writeAtomic(file: string, text: string): void {
  fs.writeFileSync(`${file}.tmp`, text);
  fs.renameSync(`${file}.tmp`, file);
}

/** Whether `file` already holds exactly `text` (false when it does not exist or cannot be read). */
function holds(file: string, text: string): boolean {
  try {
    return fs.readFileSync(file, 'utf8') === text;
  } catch {
    return false;
  }
}

/**
 * The files of a replaced folder (`data/`, `patients/`): each written only when its text changed (a re-build of the
 * same data rewrites nothing — reading a file back costs a fraction of removing and creating it again), then
 * everything else in the folder removed, so the folder ends up holding exactly the written files.
 */
class FolderWriter {
  private readonly written = new Set<string>();

  /**
   * @param dir - the folder (created)
   * @param atomic - write through a `.tmp` file renamed (a reader never sees half a file), or in place
   */
  constructor(
    private readonly dir: string,
    private readonly atomic: boolean,
  ) {
    fs.mkdirSync(dir, { recursive: true });
  }

  /** Writes `name` unless it already holds `text`. */
  write(name: string, text: string): void {
    this.written.add(name);
    const file = path.join(this.dir, name);
    if (!holds(file, text)) {
      if (this.atomic) {
        writeAtomic(file, text);
      } else {
        fs.writeFileSync(file, text);
      }
    }
  }

  /** Removes what was not written (files of patients no longer there, leftovers of an interrupted build). */
  finish(): void {
    for (const name of fs.readdirSync(this.dir)) {
      if (!this.written.has(name)) {
        fs.rmSync(path.join(this.dir, name), { recursive: true, force: true });
      }
    }
  }
}

/**
 * Writes the site from a dashboard input.
 *
 * @param input - the data (from {@link loadDashboardInput}, or built directly)
 * @param options - folder, identifiers, title, progress
 * @returns what was written
 * @throws {@link HealthDataError} (invalid-input) when `out` is empty or the filesystem root
 */
export function writeDashboardSite(input: DashboardInput, options: WriteSiteOptions): DashboardSiteResult {
  const out = path.resolve(options.out);
  if (options.out.trim() === '' || out === path.parse(out).root) {
    throw new HealthDataError('invalid-input', `writeDashboardSite: refusing to write into "${options.out}"; pass a dedicated folder such as <workspace>/dashboard`, { path: 'out' });
  }
  const includeIdentifiers = options.includeIdentifiers === true;
  fs.mkdirSync(out, { recursive: true });
  const data = new FolderWriter(path.join(out, 'data'), true);
  // One small file per patient, loaded only when picked: written in place (a rename each would double the cost).
  const patients = new FolderWriter(path.join(out, 'patients'), false);
  const population = buildPopulationData(input, { includeIdentifiers });
  const populationJs = `window.MMH_POPULATION = ${scriptJson(population)};\n`;
  data.write('population.js', populationJs);
  data.finish();
  fs.copyFileSync(dashboardPlotlyBundlePath(), path.join(out, 'plotly.min.js'));
  writeAtomic(path.join(out, 'app.js'), CLIENT_SCRIPT);
  const idx = indexDashboardRows(input);
  const bar = options.progress?.start('dashboard patient records', input.patients.length);
  input.patients.forEach((p, i) => {
    const rec = buildPatientRecord(p, input, idx, includeIdentifiers);
    patients.write(`${String(i)}.js`, `window.mmhPatientLoaded(${String(i)}, ${scriptJson(rec)});\n`);
    if (i % 500 === 0) {
      bar?.update(i);
    }
  });
  bar?.finish();
  patients.finish();
  removeUnreferencedMri(out, input);
  const index = path.join(out, 'index.html');
  writeAtomic(index, dashboardHtml({ ...(options.title === undefined ? {} : { title: options.title }), generatedAt: options.generatedAt ?? new Date().toISOString() }));
  return { out, index, patients: input.patients.length, sheetsWithData: population.sheets.filter((s) => s.available).length, populationBytes: Buffer.byteLength(populationJs) };
}

/** Removes `mri/` files no patient record points at (all of them when the input has no MRI). */
function removeUnreferencedMri(out: string, input: DashboardInput): void {
  const dir = path.join(out, 'mri');
  if (!fs.existsSync(dir)) {
    return;
  }
  const used = new Set([...(input.mri?.values() ?? [])].map((r) => path.basename(r.file)));
  for (const f of fs.readdirSync(dir)) {
    if (!used.has(f)) {
      fs.rmSync(path.join(dir, f), { force: true });
    }
  }
}

/** Options of {@link writeDashboard}. */
export interface WriteDashboardOptions {
  /** Output folder (default `<workspace>/dashboard`). */
  readonly out?: string;
  /** Show names and addresses (default false). */
  readonly includeIdentifiers?: boolean;
  /** Extra data from other stores (models, risks, thumbnails…) merged over what is read from the tables. */
  readonly extra?: Partial<DashboardInput>;
  /** Age reference date. */
  readonly asOf?: string;
  /** Write each patient's MRI for the patient view (default true; local backend). */
  readonly images?: boolean;
}

/**
 * Builds the dashboard of a workspace: reads what exists through `ws.sql`, then writes the site. Sheets of
 * modalities with no data yet say so instead of failing.
 *
 * @param ws - the open workspace
 * @param options - folder, identifiers, extra data
 * @returns what was written
 * @example
 * ```ts
 * const site = await writeDashboard(ws, { includeIdentifiers: false });
 * console.log(site.index);
 * ```
 */
export async function writeDashboard(ws: Workspace, options: WriteDashboardOptions = {}): Promise<DashboardSiteResult> {
  const out = options.out ?? ws.path('dashboard');
  // The MRI files need only the patient ids: worker threads decode and encode them while the other tables load.
  let mriJob: Promise<Map<string, MriReference> | undefined> | undefined;
  const startMri = (ids: ReadonlySet<string>): void => {
    const job = workspaceMri(ws, out, ids);
    job.catch(() => undefined); // awaited below (or before a load failure is rethrown)
    mriJob = job;
  };
  let loaded: DashboardInput;
  try {
    loaded = await loadDashboardInput(ws, {
      includeIdentifiers: options.includeIdentifiers === true,
      ...(options.asOf === undefined ? {} : { asOf: options.asOf }),
      ...(options.images === false ? {} : { onPatientIds: startMri }),
    });
  } catch (e) {
    await mriJob?.catch(() => undefined); // no worker left running behind the error
    throw e;
  }
  const mri = options.images === false ? undefined : await (mriJob ?? workspaceMri(ws, out, new Set(loaded.patients.map((p) => p.id))));
  const input: DashboardInput = { ...loaded, ...(mri === undefined ? {} : { mri }), ...options.extra };
  return writeDashboardSite(input, { out, includeIdentifiers: options.includeIdentifiers === true, progress: ws.progress });
}

/**
 * Writes the patients' MRIs from the local imaging store into the site (none when the workspace has no imaging
 * store yet; on the AWS backend the frames would have to be downloaded from HealthImaging, so the viewer is local-only).
 *
 * @param ws - the open workspace
 * @param out - the site folder
 * @param patientIds - the dashboard's patients
 * @returns patient id → MRI reference, or undefined when there is no local imaging store
 */
async function workspaceMri(ws: Workspace, out: string, patientIds: ReadonlySet<string>): Promise<Map<string, MriReference> | undefined> {
  if (ws.backend !== 'local' || !fs.existsSync(ws.path('imaging')) || patientIds.size === 0) {
    return undefined;
  }
  const datastoreId = await ws.imaging.ensureDatastore(DEFAULT_DATASTORE_NAME);
  return writeMriFiles(ws.imaging, datastoreId, { out: path.resolve(out), patientIds, progress: ws.progress });
}
