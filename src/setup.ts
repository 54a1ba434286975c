/**
 * Workspace setup and the engine self-check: what notebook 00 shows and the first pipeline steps run.
 */
import * as fs from 'node:fs';
import { checkAwsCredentials } from './aws-credentials';
import { HealthDataError, normalizeErrorString } from './errors';
import { PORTABLE_IDIOMS, PORTABLE_MACROS } from './sql/portable-macros';
import type { WorkspaceCore } from './workspace-core';
import { libraryVersion } from './version';

export { libraryVersion } from './version';

/** One line of the environment report. */
export interface EnvironmentCheck {
  /** What was checked. */
  readonly name: string;
  /** Whether it passed. */
  readonly ok: boolean;
  /** Version or explanation. */
  readonly detail: string;
}

/** Folders every local workspace has (later steps write into them). */
export const WORKSPACE_FOLDERS = ['jobs', 'genomics', 'clinical', 'imaging', 'feature-store', 'models', 'reports', 'dashboard'] as const;

function packageVersion(name: string): string {
  try {
    // eslint-disable-next-line @typescript-eslint/no-require-imports -- reads the installed package's own manifest
    return (require(`${name}/package.json`) as { version: string }).version;
  } catch {
    return 'not installed';
  }
}

/**
 * Creates the workspace's folders (idempotent).
 *
 * @param ws - the open workspace
 * @returns the folders, absolute
 */
export function prepareWorkspaceFolders(ws: WorkspaceCore): string[] {
  return WORKSPACE_FOLDERS.map((f) => {
    const p = ws.path(f);
    fs.mkdirSync(p, { recursive: true });
    return p;
  });
}

/**
 * Runs the engine self-check: every portable macro and idiom must give its documented answer, and a table must
 * round-trip through the engine. Read-only on Athena (no table is written there).
 *
 * @param ws - the open workspace
 * @returns the number of checks that passed
 * @throws {@link HealthDataError} (backend) naming the first query whose answer differs
 */
export async function selfCheckEngine(ws: WorkspaceCore): Promise<number> {
  const cases = [...PORTABLE_MACROS.map((m) => m.example), ...PORTABLE_IDIOMS];
  for (const c of cases) {
    const [row] = await ws.sql.query<{ v: unknown }>(c.query);
    if (JSON.stringify(row?.v) !== JSON.stringify(c.expected)) {
      throw new HealthDataError('backend', `selfCheckEngine: ${c.query} returned ${JSON.stringify(row?.v)}, expected ${JSON.stringify(c.expected)}`);
    }
  }
  let passed = cases.length;
  if (ws.duckdb !== undefined) {
    await ws.duckdb.session('self-check', async () => {
      await ws.sql.query('CREATE OR REPLACE TABLE mmh_self_check AS SELECT ? AS k, ?::DOUBLE AS v', ['ok', 1.5]);
      const rows = await ws.sql.query<{ k: string; v: number }>('SELECT k, v FROM mmh_self_check');
      await ws.sql.query('DROP TABLE mmh_self_check');
      if (rows.length !== 1 || rows[0]?.k !== 'ok' || rows[0].v !== 1.5) {
        throw new HealthDataError('backend', `selfCheckEngine: table round trip returned ${JSON.stringify(rows)}`);
      }
    });
    passed += 1;
  }
  return passed;
}

/**
 * Reports versions and checks for notebook 00: Node.js, the SQL engine, the workspace, the notebook kernel.
 *
 * @param ws - the open workspace
 * @returns one entry per check
 */
export async function describeEnvironment(ws: WorkspaceCore): Promise<EnvironmentCheck[]> {
  const checks: EnvironmentCheck[] = [];
  const [major = 0, minor = 0] = process.versions.node.split('.').map(Number);
  const nodeOk = major > 22 || (major === 22 && minor >= 13);
  checks.push({ name: 'Node.js', ok: nodeOk, detail: `v${process.versions.node}${nodeOk ? '' : ' (need ≥ 22.13; Node 24 LTS recommended)'}` });
  checks.push({ name: 'multimodal-health', ok: true, detail: libraryVersion() });
  if (ws.backend === 'local') {
    const [row] = await ws.sql.query<{ v: string }>('SELECT version() AS v');
    checks.push({ name: 'DuckDB', ok: row !== undefined, detail: `${row?.v ?? '?'} (@duckdb/node-api ${packageVersion('@duckdb/node-api')})` });
  } else {
    let credentials: EnvironmentCheck;
    try {
      credentials = { name: 'AWS credentials', ok: true, detail: `found (access key ${await checkAwsCredentials()}), region ${ws.config.aws.region ?? '?'}` };
    } catch (e) {
      credentials = { name: 'AWS credentials', ok: false, detail: normalizeErrorString(e) };
    }
    checks.push(credentials);
    checks.push({
      name: 'Athena',
      ok: credentials.ok,
      detail: `workgroup ${ws.config.aws.athenaWorkGroup}, database ${ws.config.aws.athenaDatabase}${credentials.ok ? '' : ' (not reachable without credentials)'}`,
    });
  }
  let writable = true;
  try {
    fs.accessSync(ws.config.dir, fs.constants.W_OK);
  } catch {
    writable = false;
  }
  checks.push({ name: 'workspace', ok: writable, detail: `${ws.config.dir}${writable ? '' : ' (not writable)'}` });
  checks.push({
    name: 'dataset',
    ok: true,
    detail: fs.existsSync(ws.config.dataDir) ? ws.config.dataDir : `${ws.config.dataDir} (not yet generated; the pipeline creates it)`,
  });
  const inKernel = process.argv.some((a) => a.includes('tslab'));
  checks.push({ name: 'notebook kernel', ok: true, detail: inKernel ? `tslab ${packageVersion('tslab')}` : 'not in a notebook' });
  checks.push({ name: 'danfojs-node', ok: packageVersion('danfojs-node') !== 'not installed', detail: packageVersion('danfojs-node') });
  checks.push({ name: 'plotly.js', ok: packageVersion('plotly.js-dist-min') !== 'not installed', detail: packageVersion('plotly.js-dist-min') });
  return checks;
}
