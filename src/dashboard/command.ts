/**
 * The `mmh dashboard [--serve] [--include-identifiers] [--no-images] [--port N] [--out DIR]` command and the `dashboard`
 * pipeline step.
 */
import * as fs from 'node:fs';
import { HealthDataError } from '../errors';
import type { PipelineStep } from '../pipeline';
import type { Workspace } from '../workspace';
import { readOutcomeModelReports } from '../automl/outcome-models';
import { DATABASE_FILE } from '../workspace';
import { serveDashboard } from './serve';
import type { DashboardServer } from './serve';
import { writeDashboard } from './write';
import { dashboardSchemas } from './load';
import { sqlLiteral } from '../sql/literal';
import type { DashboardSiteResult } from './write';

/** Parsed `mmh dashboard` arguments. */
export interface DashboardCommandOptions {
  /** Serve after writing. */
  readonly serve: boolean;
  /** Include names and addresses. */
  readonly includeIdentifiers: boolean;
  /** Port for `--serve` (default 8050). */
  readonly port: number;
  /** Output folder. */
  readonly out?: string;
  /** Leave the patients' MRIs out of the site (`--no-images`). */
  readonly noImages?: boolean;
}

/**
 * Parses the arguments after `mmh dashboard`.
 *
 * @param args - e.g. `['--serve', '--port', '9000']`
 * @returns the options
 * @throws {@link HealthDataError} (invalid-input) on an unknown flag or a bad port
 */
export function parseDashboardArgs(args: readonly string[]): DashboardCommandOptions {
  let serve = false;
  let includeIdentifiers = false;
  let port = 8050;
  let out: string | undefined;
  let noImages = false;
  for (let i = 0; i < args.length; i++) {
    const a = args[i];
    if (a === '--serve') {
      serve = true;
    } else if (a === '--include-identifiers') {
      includeIdentifiers = true;
    } else if (a === '--no-images') {
      noImages = true;
    } else if (a === '--port' || a === '--out') {
      const v = args[i + 1];
      i += 1;
      if (v === undefined) {
        throw new HealthDataError('invalid-input', `mmh dashboard: ${a} needs a value`, { path: a });
      }
      if (a === '--out') {
        out = v;
      } else {
        port = Number(v);
        if (!Number.isInteger(port) || port < 0 || port > 65535) {
          throw new HealthDataError('invalid-input', `mmh dashboard: --port ${v} is not a port number (0-65535)`, { path: '--port' });
        }
      }
    } else {
      throw new HealthDataError('invalid-input', `mmh dashboard: unknown option "${String(a)}"; use --serve, --include-identifiers, --no-images, --port N, --out DIR`, { path: String(a) });
    }
  }
  return { serve, includeIdentifiers, port, ...(out === undefined ? {} : { out }), ...(noImages ? { noImages } : {}) };
}

/**
 * Runs `mmh dashboard`: writes the site, prints where it is, and with `--serve` serves it until the process ends.
 *
 * @param ws - the open workspace
 * @param args - the arguments after `dashboard`
 * @param log - where to print (default console.log)
 * @returns what was written and, with `--serve`, the running server
 * @throws {@link HealthDataError} (invalid-input) on bad arguments
 */
export async function runDashboardCommand(ws: Workspace, args: readonly string[], log: (line: string) => void = console.log): Promise<{ site: DashboardSiteResult; server?: DashboardServer }> {
  const opts = parseDashboardArgs(args);
  const site = await writeDashboard(ws, { includeIdentifiers: opts.includeIdentifiers, ...(opts.out === undefined ? {} : { out: opts.out }), ...(opts.noImages === true ? { images: false } : {}) });
  log(`dashboard written: ${site.index} (${String(site.patients)} patients, ${String(site.sheetsWithData)} sheets with data)`);
  if (!opts.serve) {
    return { site };
  }
  const server = await serveDashboard(site.out, opts.port);
  log(`serving ${site.out} at ${server.url} (Ctrl+C to stop)`);
  return { site, server };
}

/** The `dashboard` pipeline step: writes `<workspace>/dashboard` from whatever stores exist. */
export const dashboardStep: PipelineStep = {
  name: 'dashboard',
  description: 'write the static dashboard site (population sheets and patient view)',
  fingerprint: async (ws: Workspace) => {
    // Changes when the set of tables changes, when the local database file was written since, or when the site is
    // missing (the AWS backend has no cheap "last written" signal: re-run with --force after new imports there).
    let tables = '';
    try {
      // On Athena only the databases the dashboard reads (unfiltered, information_schema walks the whole catalog).
      const where = ws.sql.dialect === 'athena' ? ` WHERE table_schema IN (${(await dashboardSchemas(ws)).map(sqlLiteral).join(', ')})` : '';
      const rows = await ws.sql.query<{ table_name: string }>(`SELECT DISTINCT table_name FROM information_schema.tables${where} ORDER BY table_name`);
      tables = rows.map((r) => r.table_name).join(',');
    } catch {
      tables = 'unavailable';
    }
    const site = fs.existsSync(ws.path('dashboard', 'index.html'));
    const db = ws.backend === 'local' && fs.existsSync(ws.path(DATABASE_FILE)) ? fs.statSync(ws.path(DATABASE_FILE)).mtimeMs : 0;
    const models = readOutcomeModelReports(ws.automl.modelsDir)
      .map((r) => `${r.outcome}:${r.createdAt}`)
      .join(',');
    return `dashboard-v3|${tables}|${String(site)}|${String(db)}|${models}`;
  },
  run: async (ws: Workspace) => {
    const site = await writeDashboard(ws);
    return { counts: { patients: site.patients, sheets: site.sheetsWithData }, outputs: [site.index] };
  },
};
